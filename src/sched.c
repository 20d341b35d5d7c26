/*
 * The scheduler: when each source is polled, and what a finished poll does.
 *
 * Sources wait in a min-heap keyed by their next due time; one evtimer is
 * armed for the earliest.  A due source starts a transfer when the total
 * (max_connections) and per-host (max_host_connections) caps allow; a source
 * is never fetched twice at once.  A finished transfer is classified: 304,
 * or a 200 whose body hashes the same as last time, costs no parse; a new
 * body goes to a worker to be parsed and matched, then comes back to be
 * written with the source's new state into the open batch (see
 * sched_commit); a failure
 * records the source's health and backs off exponentially (honouring
 * Retry-After), while every other source carries on.
 *
 * Each source polls every `interval` plus a small random jitter, so sources
 * never fire in lockstep, and its next due time is stored with each poll so
 * that a restart resumes the schedule instead of polling everything at once.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "mentiond.h"

#define SCHED_BACKOFF_CAP	(6 * 3600)	/* longest wait after failures */
#define SCHED_RETRY_AFTER_CAP	(24 * 3600)
#define SCHED_SUMMARY_EVERY	300		/* seconds between summaries */
#define SCHED_START_SPREAD	60		/* first polls of new sources */
#define SCHED_RESUME_SPREAD	300		/* overdue sources at start */
#define SCHED_BATCH_MAX		16		/* polls in one transaction */
#define SCHED_BATCH_USEC	250000		/* longest a poll waits for it */

/*
 * A host (host:port) and the due sources waiting for one of its
 * max_host_connections slots, first come first served.
 */
struct sched_host {
	char			 *name;
	int			  inflight;	/* transfers */
	struct sched_src	**waiting;
	size_t			  nwaiting;
	size_t			  cwaiting;
	int			  ready;	/* in s->ready */
	struct sched_host	 *next;		/* hash chain */
};

/* One source's runtime state. */
struct sched_src {
	char				*name;
	int64_t				 id;
	char				*url;
	struct sched_host		*host;		/* NULL: file:// */
	const char			*file;		/* where it is configured */
	int				 line;
	int64_t				 interval;
	struct store_source_state	 st;
	int64_t				 due;
	size_t				 heap;		/* index, or SIZE_MAX */
	struct fetch_xfer		*xfer;
	struct sched_job		*job;
	int				 removed;
	int				 moved_logged;
	int				 polled;	/* in --once mode */
	int				 parked;	/* in its host's queue */
};

/* A body on its way to a worker and back. */
struct sched_job {
	struct sched		*s;
	struct sched_src	*src;
	struct conf		*conf;		/* a reference */
	struct buf		 body;
	int64_t			 seen;
	long			 status;
	char			*etag;
	char			*last_modified;
	char			 hash[17];
	struct ingest_source	 isrc;
	struct ingest_result	 res;
	struct ingest_stats	 is;		/* what the write stored */
	int			 failed;
	int			 record;	/* a poll that stored no items */
};

/* Counters for the periodic summary line. */
struct sched_stats {
	size_t		polls;
	size_t		ok;
	size_t		unchanged;
	size_t		failed;
	size_t		fresh;
	uint64_t	mentions;
};

struct sched {
	struct event_base	*base;
	struct conf		*conf;
	struct store		*store;
	struct fetch		*fetch;
	struct work		*work;
	char			*dbpath;
	struct event		 timer;
	struct event		 summary;
	struct sched_src	**srcs;
	size_t			  nsrcs;
	struct sched_src	**heap;
	size_t			  nheap;
	struct sched_host	 *hosts[256];	/* hash of host names */
	struct sched_host	**ready;	/* have waiters and a slot */
	size_t			  nready;
	size_t			  cready;
	size_t			  inflight;	/* transfers + jobs */
	struct sched_job	**batch;	/* written, awaiting the commit */
	size_t			  nbatch;
	size_t			  cbatch;
	int			  txn;		/* the batch's transaction is open */
	int			  aborting;	/* failing a batch's polls */
	struct event		  commit;	/* the batch commits */
	int			  once;
	size_t			  once_left;
	int			  stopping;
	sched_idle_fn		  idle;
	void			 *idle_arg;
	struct sched_stats	  stats;
	int64_t			  last_summary;
	int64_t			  items;	/* stored, in all */
	size_t			  failing;	/* sources */
	/* For /healthz and /metrics. */
	double			  cycle_start;	/* 0: idle */
	size_t			  cycle_ok;
	int64_t			  last_cycle;
	double			  last_cycle_seconds;
	int64_t			  last_success;
	char			 *store_error;	/* the last write failed */
};

static void	sched_pump(struct sched *);
static void	sched_record(struct sched *, struct sched_src *, int, long,
		    const char *, int64_t, int, const char *, const char *,
		    const char *);
static void	sched_settle(struct sched *, struct sched_src *);
static int	sched_batch_begin(struct sched *, char **);
static void	sched_batch_abort(struct sched *, const char *);
static void	sched_batch_arm(struct sched *);
static void	sched_batch_add(struct sched *, struct sched_job *);

static double
sched_clock(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* A poll succeeded (stored, 304 or unchanged). */
static void
sched_ok(struct sched *s, enum metrics_result r)
{
	metrics_poll(r);
	s->cycle_ok++;
	s->last_success = (int64_t)time(NULL);
}

/* Whether the database took the last write; /healthz reports it. */
static void
sched_store_error(struct sched *s, const char *cause)
{
	free(s->store_error);
	s->store_error = cause != NULL ? xstrdup(cause) : NULL;
}

static int64_t
sched_now(void)
{
	return ((int64_t)time(NULL));
}

/* A random number of seconds in [0, n). */
static int64_t
sched_random(int64_t n)
{
	if (n <= 1)
		return (0);
	return ((int64_t)(random() % n));
}

/* The host (host:port) of a URL, which the per-host cap counts. */
static struct sched_host *
sched_host(struct sched *s, const char *url)
{
	struct sched_host	*h;
	const char		*p, *e, *at;
	char			*name;
	unsigned		 k = 0;

	if (strncasecmp(url, "file:", 5) == 0)
		return (NULL);
	if ((p = strstr(url, "://")) == NULL)
		p = url;
	else
		p += 3;
	for (e = p; *e != '\0' && *e != '/' && *e != '?' && *e != '#'; e++)
		;
	if ((at = memchr(p, '@', e - p)) != NULL)
		p = at + 1;
	name = xstrndup(p, e - p);
	for (p = name; *p != '\0'; p++)
		k = k * 31 + (u_char)tolower((u_char)*p);
	k %= nitems(s->hosts);
	for (h = s->hosts[k]; h != NULL; h = h->next) {
		if (strcasecmp(h->name, name) == 0) {
			free(name);
			return (h);
		}
	}
	h = xcalloc(1, sizeof *h);
	h->name = name;
	h->next = s->hosts[k];
	s->hosts[k] = h;
	return (h);
}

/* A due source whose host is at its cap waits in the host's queue. */
static void
sched_park(struct sched_host *h, struct sched_src *src)
{
	if (h->nwaiting == h->cwaiting) {
		h->cwaiting = h->cwaiting == 0 ? 16 : h->cwaiting * 2;
		h->waiting = xreallocarray(h->waiting, h->cwaiting,
		    sizeof *h->waiting);
	}
	h->waiting[h->nwaiting++] = src;
	src->parked = 1;
}

static struct sched_src *
sched_unpark(struct sched_host *h)
{
	struct sched_src	*src;

	if (h->nwaiting == 0)
		return (NULL);
	src = h->waiting[0];
	memmove(h->waiting, h->waiting + 1,
	    --h->nwaiting * sizeof *h->waiting);
	src->parked = 0;
	return (src);
}

/* Take a removed source out of its host's queue. */
static void
sched_unpark_src(struct sched_src *src)
{
	struct sched_host	*h = src->host;
	size_t			 i;

	for (i = 0; h != NULL && i < h->nwaiting; i++) {
		if (h->waiting[i] == src) {
			memmove(h->waiting + i, h->waiting + i + 1,
			    (--h->nwaiting - i) * sizeof *h->waiting);
			break;
		}
	}
	src->parked = 0;
}

/* A slot freed on a host with waiters: it is ready to start one. */
static void
sched_ready(struct sched *s, struct sched_host *h)
{
	if (h == NULL || h->ready || h->nwaiting == 0 ||
	    h->inflight >= s->conf->max_host_connections)
		return;
	if (s->nready == s->cready) {
		s->cready = s->cready == 0 ? 16 : s->cready * 2;
		s->ready = xreallocarray(s->ready, s->cready, sizeof *s->ready);
	}
	s->ready[s->nready++] = h;
	h->ready = 1;
}

static void
sched_hosts_free(struct sched *s)
{
	struct sched_host	*h, *next;
	size_t			 i;

	for (i = 0; i < nitems(s->hosts); i++) {
		for (h = s->hosts[i]; h != NULL; h = next) {
			next = h->next;
			free(h->waiting);
			free(h->name);
			free(h);
		}
		s->hosts[i] = NULL;
	}
	free(s->ready);
}

/* Heap ordered by due time. */
static void
sched_heap_swap(struct sched *s, size_t a, size_t b)
{
	struct sched_src	*t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
	s->heap[a]->heap = a;
	s->heap[b]->heap = b;
}

static void
sched_heap_up(struct sched *s, size_t i)
{
	while (i > 0 && s->heap[(i - 1) / 2]->due > s->heap[i]->due) {
		sched_heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
sched_heap_down(struct sched *s, size_t i)
{
	size_t	l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < s->nheap && s->heap[l]->due < s->heap[m]->due)
			m = l;
		if (r < s->nheap && s->heap[r]->due < s->heap[m]->due)
			m = r;
		if (m == i)
			break;
		sched_heap_swap(s, i, m);
		i = m;
	}
}

static void
sched_heap_push(struct sched *s, struct sched_src *src)
{
	s->heap = xreallocarray(s->heap, s->nheap + 1, sizeof *s->heap);
	s->heap[s->nheap] = src;
	src->heap = s->nheap++;
	sched_heap_up(s, src->heap);
}

static void
sched_heap_remove(struct sched *s, struct sched_src *src)
{
	size_t	i = src->heap;

	if (i == SIZE_MAX)
		return;
	s->nheap--;
	if (i != s->nheap) {
		sched_heap_swap(s, i, s->nheap);
		sched_heap_down(s, i);
		sched_heap_up(s, i);
	}
	src->heap = SIZE_MAX;
}

/* Arm the timer for the earliest due source. */
static void
sched_arm(struct sched *s)
{
	struct timeval	tv;
	int64_t		wait;

	evtimer_del(&s->timer);
	if (s->stopping || s->nheap == 0)
		return;
	wait = s->heap[0]->due - sched_now();
	tv.tv_sec = wait > 0 ? wait : 0;
	tv.tv_usec = 0;
	evtimer_add(&s->timer, &tv);
}

static void
sched_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sched_pump(arg);
}

static void
sched_src_free(struct sched_src *src)
{
	free(src->name);
	free(src->url);
	store_source_state_clear(&src->st);
	free(src);
}

static void
sched_start(struct sched *s, struct sched_src *src)
{
	src->xfer = fetch_start(s->fetch, s->conf, src->url, src->st.etag,
	    src->st.last_modified, src->host == NULL, src);
	if (s->inflight++ == 0) {
		s->cycle_start = sched_clock();
		s->cycle_ok = 0;
	}
	if (src->host != NULL)
		src->host->inflight++;
	log_debug("source \"%s\": polling %s", src->name, src->url);
}

/*
 * Start what the caps allow: first sources waiting for a host that has a
 * free slot (they were due earlier), then due sources off the heap, which
 * wait in their host's queue if it is full.  Each step is O(log n).
 */
static void
sched_pump(struct sched *s)
{
	struct sched_host	*h;
	struct sched_src	*src;
	int64_t			 now = sched_now();
	size_t			 max = (size_t)s->conf->max_connections;
	int			 hmax = s->conf->max_host_connections;

	while (!s->stopping && s->inflight < max) {
		if (s->nready > 0) {
			h = s->ready[--s->nready];
			h->ready = 0;
			if (h->inflight < hmax &&
			    (src = sched_unpark(h)) != NULL) {
				sched_start(s, src);
				sched_ready(s, h);
			}
			continue;
		}
		if (s->nheap == 0 || s->heap[0]->due > now)
			break;
		src = s->heap[0];
		sched_heap_remove(s, src);
		if (src->host != NULL && src->host->inflight >= hmax) {
			sched_park(src->host, src);
			continue;
		}
		sched_start(s, src);
	}
	if (s->nheap > 0 && s->heap[0]->due > now)
		sched_arm(s);
	else
		evtimer_del(&s->timer);	/* a finishing poll pumps again */
}

static void
sched_summary(struct sched *s, int force)
{
	struct sched_stats	*st = &s->stats;
	int64_t			 now = sched_now();

	if (!force && now - s->last_summary < SCHED_SUMMARY_EVERY)
		return;
	char			 status[128];
	size_t			 i;

	if (st->polls > 0)
		log_info("%zu polls in %llds: %zu ok (%zu unchanged), %zu "
		    "failed; %zu new items, %llu mentions", st->polls,
		    (long long)(now - s->last_summary), st->ok, st->unchanged,
		    st->failed, st->fresh, (unsigned long long)st->mentions);
	memset(st, 0, sizeof *st);
	s->last_summary = now;
	for (s->failing = 0, i = 0; i < s->nsrcs; i++) {
		if (s->srcs[i]->st.failures > 0)
			s->failing++;
	}
	if (!s->stopping) {
		sched_status(s, status, sizeof status);
		notify_send("STATUS=%s", status);
	}
}

static void
sched_summary_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sched_summary(arg, 0);
}

static char *
sched_duration(int64_t secs)
{
	char	*s;

	if (secs >= 3600 && secs % 3600 == 0)
		xasprintf(&s, "%lldh", (long long)(secs / 3600));
	else if (secs >= 60)
		xasprintf(&s, "%lldm%02llds", (long long)(secs / 60),
		    (long long)(secs % 60));
	else
		xasprintf(&s, "%llds", (long long)secs);
	return (s);
}

/* The next poll after a success: the interval plus up to 5% jitter. */
static int64_t
sched_next_ok(struct sched_src *src, int64_t now)
{
	int64_t	j = src->interval / 20;

	if (j > 300)
		j = 300;
	return (now + src->interval - j + sched_random(2 * j + 1));
}

/* After a failure: exponential backoff, capped, never before Retry-After. */
static int64_t
sched_next_failed(struct sched_src *src, int64_t now, int64_t retry_after)
{
	int64_t	delay = src->interval, cap;
	int	i;

	cap = src->interval > SCHED_BACKOFF_CAP ? src->interval :
	    SCHED_BACKOFF_CAP;
	for (i = 1; i < src->st.failures && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	if (retry_after > SCHED_RETRY_AFTER_CAP)
		retry_after = SCHED_RETRY_AFTER_CAP;
	if (retry_after > delay)
		delay = retry_after;
	return (now + delay);
}

/* A transfer or job is over and nothing waits for a commit. */
static void
sched_finish(struct sched *s, struct sched_src *src)
{
	s->inflight--;
	if (src->job != NULL && src->job->record) {
		sched_batch_arm(s);	/* settled once the record is committed */
		return;
	}
	sched_settle(s, src);
}

/* A poll is over (committed, or nothing to commit): schedule the next. */
static void
sched_settle(struct sched *s, struct sched_src *src)
{
	s->stats.polls++;
	if (s->inflight == 0 && s->nbatch == 0 && s->cycle_ok > 0) {
		s->last_cycle = (int64_t)time(NULL);
		s->last_cycle_seconds = sched_clock() - s->cycle_start;
	}
	if (src->removed) {
		sched_src_free(src);
	} else if (s->once) {
		if (!src->polled) {
			src->polled = 1;
			s->once_left--;
		}
	} else
		sched_heap_push(s, src);
	if (s->once && s->once_left == 0 && s->inflight == 0 &&
	    s->nbatch == 0) {
		sched_summary(s, 1);
		if (s->idle != NULL)
			s->idle(s->idle_arg);
		return;
	}
	sched_pump(s);
}

/* Record a poll that stored nothing: 304, unchanged, or a failure. */
static void
sched_record(struct sched *s, struct sched_src *src, int ok, long status,
    const char *error, int64_t retry_after, int validators,
    const char *etag, const char *lm, const char *hash)
{
	struct store_poll	 p;
	struct sched_job	*job;
	char			*cause, *wait;
	int64_t			 now = sched_now();

	if (ok) {
		src->st.failures = 0;
		src->due = sched_next_ok(src, now);
	} else {
		src->st.failures++;
		src->due = sched_next_failed(src, now, retry_after);
		wait = sched_duration(src->due - now);
		log_warnx("source \"%s\": %s (%s); %d failure%s in a row, next "
		    "try in %s", src->name, error, src->url, src->st.failures,
		    src->st.failures == 1 ? "" : "s", wait);
		free(wait);
	}
	memset(&p, 0, sizeof p);
	p.when = now;
	p.ok = ok;
	p.health = 1;
	p.status = status;
	p.error = error;
	p.failures = src->st.failures;
	p.next_due = src->due;
	p.validators = validators;
	p.etag = etag;
	p.last_modified = lm;
	p.hash = hash;
	cause = NULL;
	if (sched_batch_begin(s, &cause) != 0 ||
	    store_poll_done(s->store, src->id, &p, &cause) != 0) {
		log_warnx("source \"%s\": recording the poll: %s", src->name,
		    cause);
		sched_batch_abort(s, cause);
		free(cause);
		return;
	}
	/*
	 * Like a poll with items, the source waits for the commit, so that a
	 * batch rolled back fails it too; but not a failure recorded for a
	 * batch being failed, which would fail the next batch in turn.
	 */
	if (!s->aborting) {
		job = xcalloc(1, sizeof *job);
		job->s = s;
		job->src = src;
		job->status = status;
		job->record = 1;
		src->job = job;
		sched_batch_add(s, job);
	}
	sched_batch_arm(s);
}

static void
sched_set(char **dst, const char *v)
{
	free(*dst);
	*dst = v != NULL ? xstrdup(v) : NULL;
}

/* On a worker: parse and match the body. */
static void
sched_job_run(void *arg, void *ctx)
{
	struct sched_job	*job = arg;

	if (ingest_prepare(ctx, job->conf, &job->isrc, job->body.data,
	    job->body.len, job->seen, &job->res) != 0)
		job->failed = 1;
	buf_free(&job->body);	/* the items hold what is needed */
}

static void
sched_job_free(struct sched_job *job)
{
	ingest_result_clear(&job->res);
	buf_free(&job->body);
	free(job->etag);
	free(job->last_modified);
	conf_unref(job->conf);
	free(job);
}

/* Back on the loop: commit the items with the source's new state. */
static void
sched_job_done(void *arg, void *warg)
{
	struct sched_job	*job = arg;
	struct sched		*s = warg;
	struct sched_src	*src = job->src;
	struct store_poll	 p;
	char			*cause, *why;
	int64_t			 now = sched_now();
	size_t			 i;

	src->job = NULL;
	if (src->removed) {
		sched_job_free(job);
		sched_finish(s, src);
		return;
	}
	if (job->failed) {
		/* Not recorded: no validators either, so it is refetched. */
		xasprintf(&why, "not a usable feed: %s", job->res.cause != NULL ?
		    job->res.cause : "?");
		sched_record(s, src, 0, job->status, why, 0, 0, NULL, NULL,
		    NULL);
		free(why);
		metrics_poll(METRICS_PARSE_ERROR);
		s->stats.failed++;
		sched_job_free(job);
		sched_finish(s, src);
		return;
	}

	src->st.failures = 0;
	src->due = sched_next_ok(src, now);
	memset(&p, 0, sizeof p);
	p.when = now;
	p.ok = 1;
	p.health = 1;
	p.status = job->status;
	p.next_due = src->due;
	p.validators = 1;
	p.etag = job->etag;
	p.last_modified = job->last_modified;
	p.hash = job->hash;
	/* In the batch, the source stays busy until the commit. */
	src->job = job;
	s->inflight--;
	sched_batch_add(s, job);
	cause = NULL;
	if (sched_batch_begin(s, &cause) != 0 ||
	    ingest_write(s->store, src->id, &job->res, &p, job->seen, &job->is,
	    &cause) != 0) {
		sched_batch_abort(s, cause);
		free(cause);
		return;
	}
	/* The texts are in the transaction now; a batch holds many polls. */
	for (i = 0; i < job->res.nitems; i++)
		buf_free(&job->res.items[i].ztext);
	sched_batch_arm(s);
}

/* A batched poll is committed: the source takes its new state. */
static void
sched_job_stored(struct sched *s, struct sched_job *job)
{
	struct sched_src	*src = job->src;
	struct ingest_stats	*is = &job->is;
	size_t			 i, j;

	src->job = NULL;
	if (src->removed || job->record) {
		sched_job_free(job);
		sched_settle(s, src);
		return;
	}
	sched_ok(s, METRICS_OK);
	metrics_items(is->fresh);
	for (i = 0; i < job->res.nitems; i++) {
		for (j = 0; j < job->res.items[i].nhits; j++)
			metrics_mentions(job->res.items[i].hits[j].rule_id,
			    (uint64_t)job->res.items[i].hits[j].mentions);
	}
	sched_set(&src->st.etag, job->etag);
	sched_set(&src->st.last_modified, job->last_modified);
	sched_set(&src->st.hash, job->hash);
	s->stats.ok++;
	s->stats.fresh += is->fresh;
	s->items += (int64_t)is->fresh;
	s->stats.mentions += is->mentions;
	log_debug("source \"%s\": %zu items, %zu new, %llu mentions",
	    src->name, is->items, is->fresh, (unsigned long long)is->mentions);
	sched_job_free(job);
	sched_settle(s, src);
}

/*
 * A batched poll is not stored after all: the source keeps its old state
 * (validators and hash), so its next poll fetches and parses it again.
 */
static void
sched_job_unstored(struct sched *s, struct sched_job *job, const char *cause)
{
	struct sched_src	*src = job->src;
	char			*why;

	src->job = NULL;
	if (src->removed) {
		sched_job_free(job);
		sched_settle(s, src);
		return;
	}
	xasprintf(&why, "storing the poll failed: %s", cause);
	sched_record(s, src, 0, job->status, why, 0, 0, NULL, NULL, NULL);
	free(why);
	if (!job->record) {	/* a record's poll was counted already */
		metrics_poll(METRICS_STORE_ERROR);
		s->stats.failed++;
	}
	sched_job_free(job);
	sched_settle(s, src);
}

/*
 * Polls are written into one open transaction and committed together,
 * SCHED_BATCH_USEC after the first at the latest: a commit per poll
 * rewrote the same index and rollup pages for every source (2.1 GB
 * written for a 173 MB database, polling 2,000 feeds).  A source stays in
 * flight until its poll is committed and only then takes its new
 * validators, so a batch that fails loses nothing: its sources are
 * fetched and parsed again.  A poll that stored no items (a 304, a
 * failure) waits for the commit too, and fails with its batch.
 */
static int
sched_batch_begin(struct sched *s, char **cause)
{
	if (s->txn)
		return (0);
	if (store_begin(s->store, cause) != 0)
		return (-1);
	s->txn = 1;
	return (0);
}

/* Commit from the loop: at once if nothing else is coming, else soon. */
static void
sched_batch_arm(struct sched *s)
{
	struct timeval	tv = { 0, 0 };

	if (s->inflight > 0 && s->nbatch < SCHED_BATCH_MAX) {
		if (evtimer_pending(&s->commit, NULL))
			return;
		tv.tv_usec = SCHED_BATCH_USEC;
	}
	evtimer_add(&s->commit, &tv);
}

/* A poll written into the open transaction waits for its commit. */
static void
sched_batch_add(struct sched *s, struct sched_job *job)
{
	if (s->nbatch == s->cbatch) {
		s->cbatch = s->cbatch * 2 + 16;
		s->batch = xreallocarray(s->batch, s->cbatch,
		    sizeof *s->batch);
	}
	s->batch[s->nbatch++] = job;
}

/* Take the batch's polls out, leaving an empty batch. */
static struct sched_job **
sched_batch_take(struct sched *s, size_t *n)
{
	struct sched_job	**b = s->batch;

	*n = s->nbatch;
	s->batch = NULL;
	s->nbatch = s->cbatch = 0;
	s->txn = 0;
	evtimer_del(&s->commit);
	return (b);
}

/* A write failed: roll the batch back; each of its polls failed. */
static void
sched_batch_abort(struct sched *s, const char *cause)
{
	struct sched_job	**b;
	size_t			  n, i;

	if (s->txn)
		store_rollback(s->store);
	sched_store_error(s, cause);
	b = sched_batch_take(s, &n);
	s->aborting++;
	for (i = 0; i < n; i++)
		sched_job_unstored(s, b[i], cause);
	s->aborting--;
	free(b);
}

/* Commit the open batch; its polls are then over. */
static void
sched_commit_once(struct sched *s)
{
	struct sched_job	**b;
	char			 *cause;
	size_t			  n, i;

	if (store_commit(s->store, &cause) != 0) {
		s->txn = 0;	/* store_commit rolled it back */
		log_warnx("%s", cause);
		sched_batch_abort(s, cause);
		free(cause);
		return;
	}
	sched_store_error(s, NULL);
	b = sched_batch_take(s, &n);
	for (i = 0; i < n; i++)
		sched_job_stored(s, b[i]);
	free(b);
}

/*
 * Commit the open batch, if any.  A failed commit records its polls'
 * failures in a new transaction: that one is committed too, so no
 * transaction is left open for whoever writes next (a reload, a stop).
 */
void
sched_commit(struct sched *s)
{
	while (s->txn)
		sched_commit_once(s);
	evtimer_del(&s->commit);
}

static void
sched_commit_cb(int fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	sched_commit(arg);
}

/* A job never started (we are stopping): forget it, nothing was stored. */
static void
sched_job_drop(void *arg, void *warg)
{
	struct sched_job	*job = arg;
	struct sched		*s = warg;
	struct sched_src	*src = job->src;

	src->job = NULL;
	sched_job_free(job);
	s->inflight--;
	if (src->removed)
		sched_src_free(src);
}

/* A transfer finished: classify it. */
static void
sched_fetch_done(struct fetch_xfer *x, void *arg)
{
	struct sched		*s = arg;
	struct sched_src	*src = x->arg;
	struct sched_job	*job;
	char			 hash[17], *why;
	long			 status = x->status;

	src->xfer = NULL;
	if (src->host != NULL) {
		src->host->inflight--;
		sched_ready(s, src->host);
	}
	if (src->removed || s->stopping) {
		fetch_xfer_free(x);
		sched_finish(s, src);
		return;
	}
	if (x->error == NULL && src->host == NULL && status == 0)
		status = 200;	/* file:// has no HTTP status */
	metrics_fetch(x->seconds, x->body.len);

	if (x->error == NULL && (x->first_status == 301 ||
	    x->first_status == 308) && !src->moved_logged &&
	    x->final_url != NULL) {
		log_warnx("source \"%s\": %s permanently redirects to %s; "
		    "update its url (%s:%d)", src->name, src->url, x->final_url,
		    src->file, src->line);
		src->moved_logged = 1;
	}

	if (x->error != NULL) {
		sched_record(s, src, 0, status, x->error, 0, 0, NULL, NULL,
		    NULL);
		metrics_poll(METRICS_FETCH_ERROR);
		s->stats.failed++;
	} else if (status == 304) {
		sched_record(s, src, 1, status, NULL, 0, 0, NULL, NULL, NULL);
		sched_ok(s, METRICS_NOT_MODIFIED);
		s->stats.ok++;
		s->stats.unchanged++;
	} else if (status >= 200 && status <= 299) {
		hash64_hex(x->body.data != NULL ? x->body.data : "",
		    x->body.len, hash);
		if (src->st.hash != NULL && strcmp(hash, src->st.hash) == 0) {
			/* Same body, whatever the validators said. */
			sched_record(s, src, 1, status, NULL, 0, 1,
			    x->etag_out, x->lm_out, hash);
			sched_set(&src->st.etag, x->etag_out);
			sched_set(&src->st.last_modified, x->lm_out);
			sched_ok(s, METRICS_UNCHANGED);
			s->stats.ok++;
			s->stats.unchanged++;
		} else {
			job = xcalloc(1, sizeof *job);
			job->s = s;
			job->src = src;
			job->conf = conf_ref(s->conf);
			job->body = x->body;
			buf_init(&x->body);
			job->seen = sched_now();
			job->status = status;
			job->etag = x->etag_out;
			job->last_modified = x->lm_out;
			x->etag_out = x->lm_out = NULL;
			memcpy(job->hash, hash, sizeof job->hash);
			job->isrc.name = src->name;
			job->isrc.id = src->id;
			job->isrc.base = ingest_base(src->url);
			src->job = job;
			fetch_xfer_free(x);
			work_push(s->work, job);
			return;		/* still in flight until committed */
		}
	} else {
		if (x->retry_after > 0)
			xasprintf(&why, "HTTP %ld (Retry-After %llds)", status,
			    (long long)x->retry_after);
		else
			xasprintf(&why, "HTTP %ld", status);
		sched_record(s, src, 0, status, why, x->retry_after, 0, NULL,
		    NULL, NULL);
		free(why);
		metrics_poll(METRICS_HTTP_ERROR);
		s->stats.failed++;
	}
	fetch_xfer_free(x);
	sched_finish(s, src);
}

/* Make the runtime state of a configured source; due set by the caller. */
static struct sched_src *
sched_src_new(struct sched *s, struct source *cs)
{
	struct sched_src	*src;
	char			*cause;

	src = xcalloc(1, sizeof *src);
	src->name = xstrdup(cs->name);
	src->url = xstrdup(cs->url);
	src->host = sched_host(s, cs->url);
	src->file = cs->file;
	src->line = cs->line;
	src->interval = cs->interval;
	src->heap = SIZE_MAX;
	if (store_source_id(s->store, cs->name, cs->url, &src->id,
	    &cause) != 0) {
		log_warnx("source \"%s\": %s", cs->name, cause);
		free(cause);
		sched_src_free(src);
		return (NULL);
	}
	cs->id = src->id;
	store_source_state(s->store, src->id, &src->st);
	return (src);
}

/* When a source is first due after (re)start: soon, but spread out. */
static int64_t
sched_first_due(struct sched *s, struct sched_src *src, int64_t now)
{
	int64_t	spread;

	if (s->once)
		return (now);
	if (src->st.next_due > now)
		return (src->st.next_due);
	spread = src->st.next_due == 0 ? SCHED_START_SPREAD :
	    SCHED_RESUME_SPREAD;
	if (spread > src->interval)
		spread = src->interval;
	return (now + sched_random(spread));
}

static void
sched_add_sources(struct sched *s)
{
	struct sched_src	*src;
	struct source		*cs;
	size_t			 i;
	int64_t			 now = sched_now();

	for (i = 0; i < s->conf->nsources; i++) {
		cs = s->conf->sources[i];
		if (!cs->enabled)
			continue;
		if ((src = sched_src_new(s, cs)) == NULL)
			continue;
		src->due = sched_first_due(s, src, now);
		s->srcs = xreallocarray(s->srcs, s->nsrcs + 1,
		    sizeof *s->srcs);
		s->srcs[s->nsrcs++] = src;
		sched_heap_push(s, src);
	}
	if (s->once)
		s->once_left = s->nsrcs;
}

/* A worker thread's context: its own read-only database connection. */
static void *
sched_ctx_new(void *arg)
{
	struct sched	*s = arg;

	feed_init_thread();
	return (ingest_ctx_new(s->conf, NULL, s->dbpath));
}

static void
sched_ctx_free(void *ctx)
{
	ingest_ctx_free(ctx);
}

/*
 * The scheduler for conf's enabled sources.  once: poll each once, then call
 * idle.  The store must be open for writing; workers open their own
 * read-only connections to the same file.
 */
struct sched *
sched_new(struct event_base *base, struct conf *conf, struct store *store,
    int once, sched_idle_fn idle, void *arg)
{
	struct sched	*s;
	struct timeval	 tv = { SCHED_SUMMARY_EVERY, 0 };
	long		 ncpu;
	int		 nthreads;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->conf = conf_ref(conf);
	s->store = store;
	s->dbpath = xstrdup(conf->database);
	s->once = once;
	s->idle = idle;
	s->idle_arg = arg;
	s->last_summary = sched_now();
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());

	nthreads = conf->workers;
	if (nthreads < 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
	}
	s->work = work_new(base, nthreads, sched_job_run, sched_job_done,
	    sched_ctx_new, sched_ctx_free, s);
	s->fetch = fetch_new(base, sched_fetch_done, s);
	fetch_set_limits(s->fetch, conf);
	evtimer_assign(&s->timer, base, sched_timer_cb, s);
	evtimer_assign(&s->commit, base, sched_commit_cb, s);
	event_assign(&s->summary, base, -1, EV_PERSIST, sched_summary_cb, s);
	evtimer_add(&s->summary, &tv);

	s->items = store_count_items(store);
	sched_add_sources(s);
	log_info("%zu sources, %zu rules, %d worker thread%s", s->nsrcs,
	    conf->nrules, nthreads, nthreads == 1 ? "" : "s");
	if (s->once && s->nsrcs == 0 && idle != NULL)
		idle(arg);
	else
		sched_pump(s);
	return (s);
}

/* Stop a source's transfer in flight, or take it out of its host's queue. */
static void
sched_cancel(struct sched *s, struct sched_src *src)
{
	if (src->parked)
		sched_unpark_src(src);
	if (src->xfer != NULL) {
		fetch_cancel(s->fetch, src->xfer);
		src->xfer = NULL;
		s->inflight--;
		if (src->host != NULL) {
			src->host->inflight--;
			sched_ready(s, src->host);
		}
	}
}

/* Drop a source: cancel its transfer; a job in flight frees it later. */
static void
sched_drop(struct sched *s, struct sched_src *src)
{
	src->removed = 1;
	sched_heap_remove(s, src);
	sched_cancel(s, src);
	if (src->job == NULL)
		sched_src_free(src);
}

/*
 * A new configuration (already loaded and its rules stored): keep the state
 * of sources that stay, cancel removed ones, schedule new ones soon.
 */
void
sched_reload(struct sched *s, struct conf *conf)
{
	struct sched_src	**old = s->srcs, *src;
	struct source		 *cs;
	char			 *cause;
	size_t			  nold = s->nsrcs, i, j, added = 0, kept = 0;
	int64_t			  now = sched_now();

	sched_commit(s);	/* no source is dropped with its poll unstored */
	conf_unref(s->conf);
	s->conf = conf_ref(conf);
	fetch_set_limits(s->fetch, conf);
	s->srcs = NULL;
	s->nsrcs = 0;
	for (i = 0; i < conf->nsources; i++) {
		cs = conf->sources[i];
		if (!cs->enabled)
			continue;
		for (j = 0; j < nold; j++) {
			if (old[j] != NULL && strcmp(old[j]->name,
			    cs->name) == 0)
				break;
		}
		if (j < nold) {
			src = old[j];
			old[j] = NULL;
			src->file = cs->file;
			src->line = cs->line;
			cs->id = src->id;
			if (strcmp(src->url, cs->url) != 0) {
				/* A new URL: the old validators mean nothing. */
				if (src->xfer != NULL || src->parked) {
					sched_cancel(s, src);
					src->due = now;
					sched_heap_push(s, src);
				}
				sched_set(&src->url, cs->url);
				src->host = sched_host(s, cs->url);
				sched_set(&src->st.etag, NULL);
				sched_set(&src->st.last_modified, NULL);
				sched_set(&src->st.hash, NULL);
				src->moved_logged = 0;
				if (store_source_id(s->store, cs->name, cs->url,
				    &src->id, &cause) != 0) {
					log_warnx("source \"%s\": %s", cs->name,
					    cause);
					free(cause);
				}
			}
			if (cs->interval != src->interval) {
				src->interval = cs->interval;
				if (src->heap != SIZE_MAX &&
				    src->due > now + src->interval) {
					sched_heap_remove(s, src);
					src->due = now + sched_random(
					    src->interval);
					sched_heap_push(s, src);
				}
			}
			kept++;
		} else {
			if ((src = sched_src_new(s, cs)) == NULL)
				continue;
			src->due = sched_first_due(s, src, now);
			sched_heap_push(s, src);
			added++;
		}
		s->srcs = xreallocarray(s->srcs, s->nsrcs + 1,
		    sizeof *s->srcs);
		s->srcs[s->nsrcs++] = src;
	}
	for (j = 0; j < nold; j++) {
		if (old[j] != NULL) {
			log_info("source \"%s\": removed", old[j]->name);
			sched_drop(s, old[j]);
		}
	}
	free(old);
	/* max_host_connections may have grown: hosts with waiters get slots. */
	for (i = 0; i < nitems(s->hosts); i++) {
		struct sched_host *h;

		for (h = s->hosts[i]; h != NULL; h = h->next)
			sched_ready(s, h);
	}
	log_info("configuration reloaded: %zu sources (%zu new, %zu kept, "
	    "%zu removed), %zu rules", s->nsrcs, added, kept,
	    nold - kept, conf->nrules);
	sched_pump(s);
}

size_t
sched_sources(struct sched *s)
{
	return (s->nsrcs);
}

/* One line for systemctl status: sources, items, failing sources. */
void
sched_status(struct sched *s, char *buf, size_t len)
{
	snprintf(buf, len, "%zu sources (%zu failing), %zu rules, %lld items",
	    s->nsrcs, s->failing, s->conf->nrules, (long long)s->items);
}

/* What /healthz and /metrics report; failing sources counted now. */
void
sched_health(struct sched *s, struct sched_health *h)
{
	size_t	i;

	memset(h, 0, sizeof *h);
	h->sources = s->nsrcs;
	for (i = 0; i < s->nsrcs; i++) {
		if (s->srcs[i]->st.failures > 0)
			h->failing++;
	}
	h->inflight = s->inflight + s->nbatch;
	h->last_success = s->last_success;
	h->last_cycle = s->last_cycle;
	h->last_cycle_seconds = s->last_cycle_seconds;
	h->store_error = s->store_error;
}

/*
 * Stop: no new polls, transfers cancelled, jobs not started dropped,
 * running jobs finished and committed.  Nothing half-stored remains.
 */
void
sched_free(struct sched *s)
{
	struct sched_src	*src;
	size_t			 i;

	if (s == NULL)
		return;
	s->stopping = 1;
	evtimer_del(&s->timer);
	evtimer_del(&s->summary);
	for (i = 0; i < s->nsrcs; i++) {
		src = s->srcs[i];
		sched_cancel(s, src);
		sched_heap_remove(s, src);
	}
	/* Running jobs commit; their sources stay ours to free below. */
	work_free(s->work, sched_job_drop);
	sched_commit(s);
	fetch_free(s->fetch);
	sched_summary(s, 1);
	for (i = 0; i < s->nsrcs; i++)
		sched_src_free(s->srcs[i]);
	sched_hosts_free(s);
	conf_unref(s->conf);
	free(s->srcs);
	free(s->heap);
	free(s->batch);
	free(s->dbpath);
	free(s->store_error);
	free(s);
}
