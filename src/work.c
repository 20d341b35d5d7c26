/*
 * A small pool of worker threads for CPU work (parsing feeds, reducing text,
 * matching rules) so the event loop never stalls behind a large body.  Jobs
 * go in from the loop's thread; finished jobs come back to it through a
 * libevent event activated from the worker, and their done callback runs on
 * the loop's thread, where all database writes happen.  Threads never do
 * I/O on sockets: that stays with libevent and libcurl.
 *
 * With no threads (nthreads 0) jobs run inline when pushed, and done runs
 * from the loop as usual: the same code path, single-threaded.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "mentiond.h"

struct work_job {
	void			*job;
	struct work_job		*next;
};

struct work_queue {
	struct work_job		*head;
	struct work_job		*tail;
	size_t			 n;
};

struct work {
	struct event_base	*base;
	struct event		*wake;		/* done jobs are waiting */
	pthread_t		*threads;
	int			 nthreads;
	work_run_fn		 run;
	work_done_fn		 done;
	void			*arg;
	work_ctx_new_fn		 ctx_new;
	work_ctx_free_fn	 ctx_free;
	void			*inline_ctx;

	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct work_queue	 todo;
	struct work_queue	 finished;
	size_t			 busy;		/* jobs being run */
	int			 stopping;
};

static void
work_queue_push(struct work_queue *q, struct work_job *j)
{
	j->next = NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->n++;
}

static struct work_job *
work_queue_pop(struct work_queue *q)
{
	struct work_job	*j;

	if ((j = q->head) == NULL)
		return (NULL);
	if ((q->head = j->next) == NULL)
		q->tail = NULL;
	q->n--;
	return (j);
}

static void *
work_thread(void *arg)
{
	struct work	*w = arg;
	struct work_job	*j;
	void		*ctx;

	ctx = w->ctx_new != NULL ? w->ctx_new(w->arg) : NULL;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && w->todo.head == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stopping)
			break;
		j = work_queue_pop(&w->todo);
		w->busy++;
		pthread_mutex_unlock(&w->lock);

		w->run(j->job, ctx);

		pthread_mutex_lock(&w->lock);
		w->busy--;
		work_queue_push(&w->finished, j);
		event_active(w->wake, EV_READ, 0);
	}
	pthread_mutex_unlock(&w->lock);
	if (w->ctx_free != NULL)
		w->ctx_free(ctx);
	return (NULL);
}

/* On the loop's thread: hand finished jobs to their done callback. */
static void
work_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct work		*w = arg;
	struct work_queue	 q;
	struct work_job		*j;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->lock);
	q = w->finished;
	memset(&w->finished, 0, sizeof w->finished);
	pthread_mutex_unlock(&w->lock);
	while ((j = work_queue_pop(&q)) != NULL) {
		w->done(j->job, w->arg);
		free(j);
	}
}

/*
 * A pool of nthreads workers.  ctx_new/ctx_free make each thread's private
 * context (database reader, regex scratch) and may be NULL.
 */
struct work *
work_new(struct event_base *base, int nthreads, work_run_fn run,
    work_done_fn done, work_ctx_new_fn ctx_new, work_ctx_free_fn ctx_free,
    void *arg)
{
	struct work	*w;
	int		 i;

	w = xcalloc(1, sizeof *w);
	w->base = base;
	w->run = run;
	w->done = done;
	w->arg = arg;
	w->ctx_new = ctx_new;
	w->ctx_free = ctx_free;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((w->wake = event_new(base, -1, 0, work_wake_cb, w)) == NULL)
		fatalx("event_new failed");
	if (nthreads <= 0) {
		w->inline_ctx = ctx_new != NULL ? ctx_new(arg) : NULL;
		return (w);
	}
	w->threads = xcalloc(nthreads, sizeof *w->threads);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&w->threads[i], NULL, work_thread, w) != 0)
			fatal("pthread_create");
		w->nthreads++;
	}
	return (w);
}

/* Queue a job; its done callback runs later on the loop's thread. */
void
work_push(struct work *w, void *job)
{
	struct work_job	*j;

	j = xcalloc(1, sizeof *j);
	j->job = job;
	if (w->nthreads == 0) {
		w->run(job, w->inline_ctx);
		work_queue_push(&w->finished, j);
		event_active(w->wake, EV_READ, 0);
		return;
	}
	pthread_mutex_lock(&w->lock);
	work_queue_push(&w->todo, j);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Jobs queued, running or finished but not yet handed back. */
size_t
work_pending(struct work *w)
{
	size_t	n;

	pthread_mutex_lock(&w->lock);
	n = w->todo.n + w->busy + w->finished.n;
	pthread_mutex_unlock(&w->lock);
	return (n);
}

/*
 * Stop: jobs not yet started are handed to drop (they never ran), running
 * jobs finish, then every finished job gets its done callback.
 */
void
work_free(struct work *w, void (*drop)(void *job, void *arg))
{
	struct work_job	*j;
	int		 i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	while ((j = work_queue_pop(&w->todo)) != NULL) {
		if (drop != NULL)
			drop(j->job, w->arg);
		free(j);
	}
	work_wake_cb(-1, 0, w);
	if (w->nthreads == 0 && w->ctx_free != NULL)
		w->ctx_free(w->inline_ctx);
	event_free(w->wake);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->threads);
	free(w);
}
