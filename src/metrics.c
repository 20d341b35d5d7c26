/*
 * Counters for /metrics, in the Prometheus text format.  Everything here
 * runs on the daemon's loop thread: the scheduler counts, the API reads.
 * Counters start at zero when the daemon starts, as Prometheus expects.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mentiond.h"

static const char *metrics_results[] = {
	"ok",			/* new body parsed and stored */
	"not_modified",		/* 304 */
	"unchanged",		/* 200 with the same body as before */
	"http_error",		/* another status */
	"fetch_error",		/* DNS, connect, TLS, timeout, too big, ... */
	"parse_error",		/* not a feed */
	"store_error",		/* the commit failed */
};

/* Upper bounds of the fetch duration histogram, in seconds. */
static const double metrics_bounds[] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
};

static struct {
	uint64_t	 polls[nitems(metrics_results)];
	uint64_t	 fetch_le[nitems(metrics_bounds)];
	uint64_t	 fetch_count;
	double		 fetch_sum;
	uint64_t	 bytes;
	uint64_t	 items;
	uint64_t	*mentions;	/* by rule id */
	size_t		 nmentions;
	uint64_t	 http[6];	/* by status class, 1xx..5xx */
	int64_t		 started;
} metrics;

void
metrics_init(void)
{
	free(metrics.mentions);
	memset(&metrics, 0, sizeof metrics);
	metrics.started = (int64_t)time(NULL);
}

void
metrics_free(void)
{
	free(metrics.mentions);
	metrics.mentions = NULL;
	metrics.nmentions = 0;
}

void
metrics_poll(enum metrics_result r)
{
	if ((size_t)r < nitems(metrics_results))
		metrics.polls[r]++;
}

void
metrics_fetch(double seconds, size_t bytes)
{
	size_t	i;

	for (i = 0; i < nitems(metrics_bounds); i++) {
		if (seconds <= metrics_bounds[i])
			metrics.fetch_le[i]++;
	}
	metrics.fetch_count++;
	metrics.fetch_sum += seconds;
	metrics.bytes += bytes;
}

void
metrics_items(uint64_t n)
{
	metrics.items += n;
}

void
metrics_mentions(int64_t rule, uint64_t n)
{
	size_t	want;

	if (rule < 0 || rule > 10000000)
		return;
	if ((size_t)rule >= metrics.nmentions) {
		want = (size_t)rule + 64;
		metrics.mentions = xreallocarray(metrics.mentions, want,
		    sizeof *metrics.mentions);
		memset(metrics.mentions + metrics.nmentions, 0,
		    (want - metrics.nmentions) * sizeof *metrics.mentions);
		metrics.nmentions = want;
	}
	metrics.mentions[rule] += n;
}

void
metrics_http(int status)
{
	if (status >= 100 && status < 600)
		metrics.http[status / 100]++;
}

/* A label value: backslash, double quote and newline escaped. */
static void
metrics_label(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

static void
metrics_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The whole exposition. */
void
metrics_write(struct buf *b, const struct conf *conf,
    const struct sched_health *h, int64_t dbsize)
{
	struct rule	*ru;
	size_t		 i;

	metrics_head(b, "mentiond_build_info", "gauge",
	    "The running version; always 1.");
	buf_printf(b, "mentiond_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metrics_head(b, "mentiond_start_time_seconds", "gauge",
	    "When the daemon started, in seconds since the epoch.");
	buf_printf(b, "mentiond_start_time_seconds %lld\n",
	    (long long)metrics.started);

	metrics_head(b, "mentiond_polls_total", "counter",
	    "Finished polls by result.");
	for (i = 0; i < nitems(metrics_results); i++)
		buf_printf(b, "mentiond_polls_total{result=\"%s\"} %llu\n",
		    metrics_results[i], (unsigned long long)metrics.polls[i]);

	metrics_head(b, "mentiond_fetch_duration_seconds", "histogram",
	    "Time from the start of a transfer to its end.");
	for (i = 0; i < nitems(metrics_bounds); i++)
		buf_printf(b, "mentiond_fetch_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", metrics_bounds[i],
		    (unsigned long long)metrics.fetch_le[i]);
	buf_printf(b, "mentiond_fetch_duration_seconds_bucket{le=\"+Inf\"} "
	    "%llu\n", (unsigned long long)metrics.fetch_count);
	buf_printf(b, "mentiond_fetch_duration_seconds_sum %.6f\n",
	    metrics.fetch_sum);
	buf_printf(b, "mentiond_fetch_duration_seconds_count %llu\n",
	    (unsigned long long)metrics.fetch_count);

	metrics_head(b, "mentiond_fetch_bytes_total", "counter",
	    "Response body bytes received (after decompression).");
	buf_printf(b, "mentiond_fetch_bytes_total %llu\n",
	    (unsigned long long)metrics.bytes);
	metrics_head(b, "mentiond_items_ingested_total", "counter",
	    "New items stored and counted.");
	buf_printf(b, "mentiond_items_ingested_total %llu\n",
	    (unsigned long long)metrics.items);

	metrics_head(b, "mentiond_mentions_total", "counter",
	    "Mentions counted in new items, by rule.");
	for (i = 0; conf != NULL && i < conf->nrules; i++) {
		ru = conf->rules[i];
		buf_adds(b, "mentiond_mentions_total{rule=\"");
		metrics_label(b, ru->name);
		buf_printf(b, "\"} %llu\n", (unsigned long long)(ru->id >= 0 &&
		    (size_t)ru->id < metrics.nmentions ?
		    metrics.mentions[ru->id] : 0));
	}

	metrics_head(b, "mentiond_sources", "gauge",
	    "Enabled sources being polled.");
	buf_printf(b, "mentiond_sources %zu\n", h->sources);
	metrics_head(b, "mentiond_sources_failing", "gauge",
	    "Sources whose latest poll failed.");
	buf_printf(b, "mentiond_sources_failing %zu\n", h->failing);
	metrics_head(b, "mentiond_polls_in_flight", "gauge",
	    "Transfers and parses under way.");
	buf_printf(b, "mentiond_polls_in_flight %zu\n", h->inflight);
	metrics_head(b, "mentiond_last_success_timestamp_seconds", "gauge",
	    "When a poll last succeeded (0: never since start).");
	buf_printf(b, "mentiond_last_success_timestamp_seconds %lld\n",
	    (long long)h->last_success);
	metrics_head(b, "mentiond_last_cycle_timestamp_seconds", "gauge",
	    "When the last cycle of due polls with a success ended "
	    "(0: none since start).");
	buf_printf(b, "mentiond_last_cycle_timestamp_seconds %lld\n",
	    (long long)h->last_cycle);
	metrics_head(b, "mentiond_last_cycle_duration_seconds", "gauge",
	    "How long that cycle took.");
	buf_printf(b, "mentiond_last_cycle_duration_seconds %.3f\n",
	    h->last_cycle_seconds);
	metrics_head(b, "mentiond_database_size_bytes", "gauge",
	    "The database and its write-ahead log on disk.");
	buf_printf(b, "mentiond_database_size_bytes %lld\n",
	    (long long)dbsize);
	metrics_head(b, "mentiond_http_responses_total", "counter",
	    "API responses by status class.");
	for (i = 1; i < nitems(metrics.http); i++)
		buf_printf(b, "mentiond_http_responses_total{code=\"%zuxx\"} "
		    "%llu\n", i, (unsigned long long)metrics.http[i]);
}
