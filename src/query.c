/*
 * API queries: a report run on a thread of its own, against a read-only
 * connection of its own, its output coming back to the loop through a
 * pipe.  The pipe is the backpressure: while a client reads slowly the
 * loop stops draining it and the thread blocks in write(2), so no export
 * is ever held whole in memory, and the loop never waits on SQLite.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "mentiond.h"

#define QUERY_CHUNK	65536
#define QUERY_NICE	10	/* polling comes first on a busy machine */

struct query {
	struct event		 ev;
	int			 fd;		/* read end; -1 once let go */
	int			 wfd;		/* the thread's end */
	int			 refs;		/* the loop's and the thread's */
	int			 cancelled;
	struct store		*st;		/* while the thread has one */
	char			*dbpath;
	struct conf		*conf;		/* a reference */
	struct report		 r;
	int			 rc;
	char			*cause;
	query_data_fn		 data;
	query_done_fn		 done;
	void			*arg;
};

/* One lock for every query's shared fields: they are touched rarely. */
static pthread_mutex_t	query_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	query_cond = PTHREAD_COND_INITIALIZER;
static int		query_threads;

static void
query_release(struct query *q)
{
	int	last;

	pthread_mutex_lock(&query_lock);
	last = --q->refs == 0;
	pthread_mutex_unlock(&query_lock);
	if (!last)
		return;
	conf_unref(q->conf);
	report_clear(&q->r);
	free(q->dbpath);
	free(q->cause);
	free(q);
}

static void *
query_main(void *arg)
{
	struct query	*q = arg;
	struct store	*st;
	FILE		*fp;
	char		*cause = NULL;
	int		 rc = -1;

	/* Linux nices threads one by one. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), QUERY_NICE);
	if ((fp = fdopen(q->wfd, "w")) == NULL)
		fatal("fdopen");
	setvbuf(fp, NULL, _IOFBF, QUERY_CHUNK);
	if ((st = store_open(q->dbpath, STORE_READONLY, &cause)) != NULL) {
		pthread_mutex_lock(&query_lock);
		q->st = st;
		if (q->cancelled)
			store_interrupt(st);
		pthread_mutex_unlock(&query_lock);
		rc = report_run(&q->r, st, q->conf, fp, &cause);
		pthread_mutex_lock(&query_lock);
		q->st = NULL;
		pthread_mutex_unlock(&query_lock);
		store_close(st);
	}
	/* A failed report sends nothing it had buffered: only the error. */
	if (rc != 0)
		__fpurge(fp);
	pthread_mutex_lock(&query_lock);
	q->rc = rc;
	q->cause = cause;
	pthread_mutex_unlock(&query_lock);
	fclose(fp);	/* EOF for the loop; EPIPE if it let go */
	query_release(q);

	pthread_mutex_lock(&query_lock);
	query_threads--;
	pthread_cond_broadcast(&query_cond);
	pthread_mutex_unlock(&query_lock);
	return (NULL);
}

static void
query_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct query	*q = arg;
	char		 buf[QUERY_CHUNK], *cause;
	ssize_t		 n;
	int		 rc;

	(void)what;
	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		q->data(q, q->arg, buf, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	event_del(&q->ev);
	pthread_mutex_lock(&query_lock);
	rc = q->rc;
	cause = q->cause;
	q->cause = NULL;
	pthread_mutex_unlock(&query_lock);
	if (n == -1 && rc == 0) {
		free(cause);
		xasprintf(&cause, "reading the report: %s", strerror(errno));
		rc = -1;
	}
	q->done(q, q->arg, rc, cause);	/* which calls query_free */
}

/*
 * Run report r (taken over: the caller's copy must not be cleared) on a
 * thread; data and done are called on the loop.  NULL if no thread could
 * be started, with a cause.
 */
struct query *
query_start(struct event_base *base, const char *dbpath, struct conf *conf,
    struct report *r, query_data_fn data, query_done_fn done, void *arg,
    char **cause)
{
	struct query	*q;
	pthread_attr_t	 attr;
	pthread_t	 t;
	sigset_t	 all, old;
	int		 fds[2], error;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (NULL);
	}
	q = xcalloc(1, sizeof *q);
	q->fd = fds[0];
	q->wfd = fds[1];
	q->refs = 2;
	q->dbpath = xstrdup(dbpath);
	q->conf = conf_ref(conf);
	q->r = *r;
	memset(r, 0, sizeof *r);
	q->data = data;
	q->done = done;
	q->arg = arg;
	evutil_make_socket_nonblocking(q->fd);
	event_assign(&q->ev, base, q->fd, EV_READ | EV_PERSIST, query_read_cb,
	    q);
	event_add(&q->ev, NULL);

	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&query_lock);
	query_threads++;
	pthread_mutex_unlock(&query_lock);
	error = pthread_create(&t, &attr, query_main, q);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error != 0) {
		pthread_mutex_lock(&query_lock);
		query_threads--;
		pthread_mutex_unlock(&query_lock);
		xasprintf(cause, "starting a query thread: %s",
		    strerror(error));
		close(q->wfd);
		q->refs = 1;
		query_free(q);
		return (NULL);
	}
	return (q);
}

/* Stop reading: the client is behind. */
void
query_pause(struct query *q)
{
	event_del(&q->ev);
}

void
query_resume(struct query *q)
{
	if (q->fd != -1)
		event_add(&q->ev, NULL);
}

/* Let go: a thread still running stops at its next write or statement. */
void
query_free(struct query *q)
{
	event_del(&q->ev);
	close(q->fd);
	q->fd = -1;
	pthread_mutex_lock(&query_lock);
	q->cancelled = 1;
	if (q->st != NULL)
		store_interrupt(q->st);
	pthread_mutex_unlock(&query_lock);
	query_release(q);
}

/* Wait up to ms for every query thread to end; 0 if they all did. */
int
query_drain(int ms)
{
	struct timespec	ts;
	int		rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&query_lock);
	while (query_threads > 0 && rc == 0)
		rc = pthread_cond_timedwait(&query_cond, &query_lock, &ts);
	rc = query_threads > 0 ? -1 : 0;
	pthread_mutex_unlock(&query_lock);
	return (rc);
}
