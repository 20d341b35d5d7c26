/*
 * mentiond: media-narrative monitoring.
 *
 * The one internal header.  It reads as a table of contents: one section per
 * source file, in the order data flows (config -> fetch -> feed -> text ->
 * rule -> store -> export).  Private structures stay in their .c files.
 */
#ifndef MENTIOND_H
#define MENTIOND_H

#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif
#define printflike(a, b) __attribute__((format(printf, a, b)))

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

struct event_base;

/* Exit codes shared by mentiond and mentionctl (SPEC "Programs"). */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/* xmalloc.c: allocators that never return NULL. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 xasprintf(char **, const char *, ...) printflike(2, 3);
int		 xvasprintf(char **, const char *, va_list);

/* log.c: stderr logging, with <N> priority prefixes under journald. */
#define LOG_F_DAEMON	0x1	/* journald prefixes or timestamps */
#define LOG_F_SYSLOG	0x2	/* detached: to syslog(3) */
void		 log_init(const char *, int);
void		 log_setverbose(int);
int		 log_getverbose(void);
void		 log_warn(const char *, ...) printflike(1, 2);
void		 log_warnx(const char *, ...) printflike(1, 2);
void		 log_info(const char *, ...) printflike(1, 2);
void		 log_debug(const char *, ...) printflike(1, 2);
__dead void	 fatal(const char *, ...) printflike(1, 2);
__dead void	 fatalx(const char *, ...) printflike(1, 2);

/* buf.c: growable byte buffers, always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};
void		 buf_init(struct buf *);
void		 buf_free(struct buf *);
void		 buf_reset(struct buf *);
void		 buf_grow(struct buf *, size_t);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_addc(struct buf *, char);
void		 buf_adds(struct buf *, const char *);
void		 buf_printf(struct buf *, const char *, ...) printflike(2, 3);
char		*buf_take(struct buf *);
void		 buf_add_int(struct buf *, int64_t);

/* hash.c: a fast 64-bit hash of response bodies. */
uint64_t	 hash64(const void *, size_t);
void		 hash64_hex(const void *, size_t, char[17]);

/* cell.c: a day's hourly counts as a compact, mergeable blob. */
struct cell {
	int64_t		 key;
	int64_t		 v1;
	int64_t		 v2;
};
size_t		 cell_normalise(struct cell *, size_t);
void		 cell_encode(const struct cell *, size_t, struct buf *);
int		 cell_decode(const void *, size_t, struct cell **, size_t *,
		     size_t *);
int		 cell_merge(const void *, size_t, const void *, size_t,
		     struct buf *);

/* pack.c: zstd compression of item text. */
struct pack;
struct pack	*pack_new(void);
void		 pack_free(struct pack *);
void		 pack_compress(struct pack *, const char *, size_t, struct buf *);
int		 pack_decompress(struct pack *, const void *, size_t,
		     struct buf *);

/* date.c: feed dates to UTC epoch seconds, and bucket arithmetic. */
enum bucket {
	BUCKET_HOUR,
	BUCKET_DAY,
	BUCKET_WEEK,
	BUCKET_MONTH
};
int		 date_parse(const char *, int64_t *);
int		 date_parse_rfc822(const char *, int64_t *);
int		 date_parse_iso8601(const char *, int64_t *);
int64_t		 date_from_civil(int64_t, int, int);
void		 date_to_civil(int64_t, int64_t *, int *, int *);
int64_t		 date_mktime(int64_t, int, int, int, int, int);
void		 date_iso(int64_t, char *, size_t);
int		 date_bucket_name(const char *, enum bucket *);
const char	*date_bucket_str(enum bucket);
int64_t		 date_bucket(int64_t, enum bucket);
int64_t		 date_bucket_next(int64_t, enum bucket);

/* tz.c: IANA time zones from the system's TZif files, for local buckets. */
struct tz;
struct tz	*tz_load(const char *, char **);
void		 tz_free(struct tz *);
int		 tz_is_utc(const struct tz *);
int		 tz_offset(const struct tz *, int64_t);
int64_t		 tz_bucket(const struct tz *, int64_t, enum bucket);
int64_t		 tz_bucket_next(const struct tz *, int64_t, enum bucket);
void		 tz_format(const struct tz *, int64_t, char *, size_t);

/* spike.c: robust spike scores (median and MAD over a trailing window). */
struct spike_opts {
	size_t		 window;	/* trailing buckets in the baseline */
	size_t		 min_window;	/* fewer than this: no score */
	double		 threshold;
};
double		 spike_median(double *, size_t);
void		 spike_scores(const double *, size_t, const struct spike_opts *,
		     double *, double *, int *);

/* plot.c: an SVG line chart of trend series. */
struct plot_series {
	const char	*name;
	const char	*label;
	const double	*values;	/* one per bucket */
};
struct plot {
	const char			 *title;
	const char			 *ylabel;
	const int64_t			 *buckets;	/* start of each */
	const char			**bucket_labels;
	size_t				  n;
	const struct plot_series	 *series;
	size_t				  nseries;
	int				  percent;	/* values are shares */
};
void		 plot_svg(const struct plot *, struct buf *);

/* text.c: HTML and XHTML to item text (SPEC "Item text"). */
struct _xmlNode;
void		 text_html(struct buf *, const char *, size_t);
void		 text_plain(struct buf *, const char *, size_t);
void		 text_xml(struct buf *, struct _xmlNode *);
const char	*text_entity(struct _xmlNode *, char *, size_t);
int		 text_is_block(const char *);
int		 text_is_skipped(const char *);
size_t		 text_space_len(const char *, size_t);
size_t		 text_utf8_len(const char *, size_t);

/* feed.c: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0/0.3 documents to items. */
enum feed_format {
	FEED_UNKNOWN,
	FEED_RSS,
	FEED_RDF,
	FEED_ATOM,
	FEED_ATOM03
};
struct feed_item {
	char		*id;		/* guid/atom:id/rdf:about, link, or hash */
	char		*link;		/* NULL if none */
	char		*title;		/* reduced to text */
	int64_t		 published;
	int		 has_published;
	int64_t		 updated;
	int		 has_updated;
	void		*body;		/* the chosen body element (private) */
	int		 body_kind;	/* private */
};
struct feed {
	enum feed_format	 format;
	int			 recovered;	/* was malformed, was repaired */
	struct feed_item	*items;
	size_t			 nitems;
	void			*doc;		/* private */
};
void		 feed_init(void);
void		 feed_init_thread(void);
struct feed	*feed_parse(const char *, size_t, const char *, char **);
void		 feed_item_text(struct feed_item *, struct buf *);
const char	*feed_format_name(enum feed_format);
void		 feed_free(struct feed *);

/* rule.c: PCRE2 rules; mentions are non-overlapping matches. */
struct rule {
	char		 *name;
	char		 *kind;
	char		 *label;
	char		**match;
	int		 *match_line;
	size_t		  nmatch;
	char		**exclude;
	int		 *exclude_line;
	size_t		  nexclude;
	char		 *file;		/* where the section stands */
	int		  line;
	int64_t		  id;		/* store id, once known */
	void		 *priv;		/* compiled state */
};
#define RULE_LIMIT	-2	/* a match or depth limit was hit */
struct rule_scratch;
struct rule	*rule_new(const char *, const char *, int);
void		 rule_free(struct rule *);
int		 rule_compile(struct rule *, int, char **);
struct rule_scratch *rule_scratch_new(uint32_t);
void		 rule_scratch_free(struct rule_scratch *);
int		 rule_count(struct rule *, struct rule_scratch *, const char *,
		     size_t, int *);
int		 rule_first(struct rule *, struct rule_scratch *, const char *,
		     size_t, size_t, size_t *, size_t *);
int		 rule_vetoed_by(struct rule *, struct rule_scratch *,
		     const char *, size_t);
struct rule_set;
struct rule_set	*rule_set_new(struct rule **, size_t);
void		 rule_set_free(struct rule_set *);
void		 rule_set_scan(const struct rule_set *, const char *, size_t,
		     uint8_t *);
char		*rule_literals(struct rule *);
void		 rule_definition(struct rule *, struct buf *);

/* conf.c: the INI configuration (SPEC "Configuration"). */
struct rule_set;
struct source {
	char		 *name;
	char		 *url;
	int64_t		  interval;	/* seconds */
	char		**tags;
	size_t		  ntags;
	int		  enabled;
	char		 *file;
	int		  line;
	int64_t		  id;		/* store id, once known */
};
struct conf {
	char		 *path;		/* main file */
	char		 *database;
	char		 *user_agent;
	int		  max_connections;
	int		  max_host_connections;
	int64_t		  timeout;
	int64_t		  connect_timeout;
	size_t		  max_body;
	char		 *listen;	/* "": no API */
	char		 *api_token;	/* NULL: none */
	int64_t		  text_retention;
	uint32_t	  match_limit;
	int		  jit;		/* PCRE2 JIT (needs W+X pages) */
	int64_t		  default_interval;
	int		  workers;	/* -1: one per CPU */
	int		  refs;		/* jobs in flight hold references */
	struct rule	**rules;
	size_t		  nrules;
	struct rule_set	 *prefilter;	/* which rules can match a text */
	int64_t		  ruleset;	/* store id of this rule-set version */
	struct source	**sources;
	size_t		  nsources;
};
int		 conf_load(const char *, struct conf **, char **);
void		 conf_free(struct conf *);
struct conf	*conf_ref(struct conf *);
void		 conf_unref(struct conf *);
struct rule	*conf_rule(struct conf *, const char *);
struct source	*conf_source(struct conf *, const char *);
int		 conf_duration(const char *, int64_t *);
int		 conf_size(const char *, size_t *);
int		 conf_valid_name(const char *);
int		 conf_listen(const char *, char **, int *, int *);
char		*conf_resolve(const char *, const char *);
const char	*conf_default_path(void);

/* store.c: the SQLite database; the only file that speaks SQL. */
struct store;
struct store_item {
	const char	*uid;
	int64_t		 published;	/* bucket time on the published axis */
	int		 dated;		/* published came from the feed */
	int64_t		 seen;
	int64_t		 added;		/* when stored (0: now) */
	int64_t		 ruleset;	/* the rule-set version that counted */
	const void	*ztext;		/* packed item text, or NULL */
	size_t		 zlen;
};
struct store_hit {
	int64_t		 rule_id;
	int		 mentions;
};
/* The cell tables (hourly rollups kept as day rows; see cell.c). */
#define STORE_T_ROLLUP		0	/* per source: (rule, hour) */
#define STORE_T_ROLLUP_RULE	1	/* per rule, all sources */
#define STORE_T_TOTAL		2	/* items ingested; source 0: all */
#define STORE_T_COOCCUR		3	/* per rule a: (rule b, hour) */
#define STORE_T_POLL		4	/* per source: (polls, polls ok) */
struct store_cell {
	int64_t		 hour;		/* start, UTC epoch seconds */
	int64_t		 owner;		/* source or rule (a) */
	int64_t		 sub;		/* rule, or rule b; else 0 */
	int64_t		 v1;		/* items, total, polls */
	int64_t		 v2;		/* mentions, polls ok */
};
typedef int (*store_cell_cb)(const struct store_cell *, void *);
/* A rule or source the database knows. */
struct store_name {
	int64_t		 id;
	char		*name;
	char		*kind;		/* rules */
	char		*label;		/* rules */
};
typedef void (*store_version_cb)(int64_t, const char *, void *);
/* A stored item, with its text, for re-scoring. */
struct store_stored {
	int64_t			 id;
	int64_t			 source_id;
	const char		*uid;
	int64_t			 published;
	int64_t			 seen;
	int64_t			 ruleset;
	const char		*text;
	size_t			 textlen;
	struct store_hit	*hits;		/* sorted by rule id */
	size_t			 nhits;
};
typedef int (*store_item_cb)(const struct store_stored *, void *);
/* How a poll ended, written with the poll's items (or alone). */
struct store_poll {
	int64_t		 when;
	int		 ok;		/* 200, 304 or unchanged */
	int64_t		 fresh;		/* new items stored */
	int		 health;	/* write the fields below (the daemon) */
	long		 status;	/* HTTP status, 0 if none */
	const char	*error;		/* NULL on success */
	int		 failures;	/* consecutive, after this poll */
	int64_t		 next_due;	/* 0: leave as is */
	int		 validators;	/* write etag/last_modified/hash */
	const char	*etag;
	const char	*last_modified;
	const char	*hash;
};
struct store_source_state {
	char		*etag;
	char		*last_modified;
	char		*hash;
	int		 failures;
	int64_t		 next_due;
};
struct store_source_row {
	const char	*name;
	const char	*url;
	int64_t		 polls;
	int64_t		 items;
	int64_t		 last_poll;
	int64_t		 last_attempt;
	int64_t		 last_success;
	int		 status;
	const char	*error;
	int		 failures;
	int64_t		 next_due;
};
typedef int (*store_source_cb)(const struct store_source_row *, void *);
#define STORE_BY_PUBLISHED	0
#define STORE_BY_SEEN		1
#define STORE_READONLY		0x1
#define STORE_EXCLUSIVE		0x2	/* the daemon: one per database */
struct store	*store_open(const char *, int, char **);
void		 store_close(struct store *);
void		 store_interrupt(struct store *);
int64_t		 store_size(const char *);
int		 store_version(struct store *);
int		 store_begin(struct store *, char **);
int		 store_commit(struct store *, char **);
void		 store_rollback(struct store *);
int		 store_sync_rules(struct store *, struct rule **, size_t,
		     int64_t *, char **);
int		 store_source_id(struct store *, const char *, const char *,
		     int64_t *, char **);
int		 store_lookup_source(struct store *, const char *, int64_t *);
int		 store_lookup_rule(struct store *, const char *, int64_t *);
int		 store_item_exists(struct store *, int64_t, const char *);
int		 store_item_add(struct store *, int64_t,
		     const struct store_item *, struct store_hit *, size_t,
		     char **);
int		 store_poll_done(struct store *, int64_t,
		     const struct store_poll *, char **);
int		 store_source_state(struct store *, int64_t,
		     struct store_source_state *);
void		 store_source_state_clear(struct store_source_state *);
int		 store_sources(struct store *, store_source_cb, void *,
		     char **);
int64_t		 store_count_items(struct store *);
int		 store_items_since(struct store *, int64_t, store_item_cb,
		     void *, char **);
int		 store_item_rescore(struct store *, const struct store_stored *,
		     struct store_hit *, size_t, int64_t, char **);
int		 store_rescore_done(struct store *, char **);
int		 store_prune_text(struct store *, int64_t, int64_t *, char **);
int		 store_cells(struct store *, int, int, int64_t, int64_t,
		     const int64_t *, size_t, store_cell_cb, void *, char **);
int		 store_versions(struct store *, int, int64_t, int64_t,
		     store_version_cb, void *, char **);
int		 store_extent(struct store *, int, int64_t *, int64_t *,
		     char **);
int		 store_names(struct store *, int, struct store_name **, size_t *,
		     char **);
void		 store_names_free(struct store_name *, size_t);
int		 store_item_text(struct store *, int64_t, const char *,
		     struct buf *);
void		 store_hits_encode(const struct store_hit *, size_t,
		     struct buf *);
int		 store_hits_decode(const void *, size_t, struct store_hit **,
		     size_t *);

/* ingest.c: one poll's body -> items, matches and counts, in one commit. */
struct ingest_source {
	const char	*name;
	int64_t		 id;
	const char	*base;		/* URL for relative links, or NULL */
};
struct ingest_item {
	char			*uid;
	int64_t			 published;
	int			 dated;
	struct buf		 ztext;		/* packed item text */
	struct store_hit	*hits;
	size_t			 nhits;
};
struct ingest_result {
	size_t			 nfeed;		/* items in the feed */
	struct ingest_item	*items;		/* new ones */
	size_t			 nitems;
	uint64_t		 mentions;
	size_t			 limited;
	int64_t			 ruleset;	/* the rules that counted */
	char			*cause;		/* why it is not a feed */
};
struct ingest_stats {
	size_t		 items;		/* items in the feed */
	size_t		 fresh;		/* new (counted) items */
	size_t		 matched;	/* new items with >= 1 mention */
	uint64_t	 mentions;
	size_t		 limited;	/* rule/item pairs skipped at a limit */
};
struct ingest_ctx;
struct ingest_ctx *ingest_ctx_new(const struct conf *, struct store *,
		     const char *);
void		 ingest_ctx_free(struct ingest_ctx *);
int		 ingest_prepare(struct ingest_ctx *, const struct conf *,
		     const struct ingest_source *, const char *, size_t, int64_t,
		     struct ingest_result *);
int		 ingest_write(struct store *, int64_t, struct ingest_result *,
		     struct store_poll *, int64_t, struct ingest_stats *,
		     char **);
int		 ingest_commit(struct store *, int64_t, struct ingest_result *,
		     struct store_poll *, int64_t, struct ingest_stats *,
		     char **);
void		 ingest_result_clear(struct ingest_result *);
int		 ingest_body(struct ingest_ctx *, struct store *,
		     const struct conf *, const struct ingest_source *,
		     const char *, size_t, int64_t, struct ingest_stats *,
		     char **);
const char	*ingest_base(const char *);

/* fetch.c: HTTP with libcurl; the only file that calls curl_multi_*. */
struct fetch;
struct fetch_body {
	struct buf	*out;
	size_t		 max;
	int		 too_big;
};
struct fetch_xfer {
	struct fetch		*f;
	void			*easy;
	void			*arg;		/* the caller's */
	char			*url;
	struct fetch_xfer	*next;
	void			*headers;
	struct fetch_body	 fb;
	char			 errbuf[256];
	/* Results. */
	struct buf		 body;
	int			 code;		/* CURLcode */
	long			 status;	/* HTTP status of the last response */
	long			 first_status;	/* of the first (redirects) */
	int			 responses;
	char			*moved_to;	/* first response's Location */
	char			*final_url;
	char			*etag_out;
	char			*lm_out;
	int64_t			 retry_after;	/* seconds, 0 if none */
	double			 seconds;
	char			*error;		/* one line, NULL if none */
};
typedef void (*fetch_done_fn)(struct fetch_xfer *, void *);
void		 fetch_global_init(void);
void		 fetch_easy_setup(void *, const struct conf *, const char *,
		     struct fetch_body *, char *);
int		 fetch_get(const struct conf *, const char *, struct buf *,
		     char **);
struct fetch	*fetch_new(struct event_base *, fetch_done_fn, void *);
void		 fetch_free(struct fetch *);
void		 fetch_set_limits(struct fetch *, const struct conf *);
struct fetch_xfer *fetch_start(struct fetch *, const struct conf *,
		     const char *, const char *, const char *, int, void *);
void		 fetch_cancel(struct fetch *, struct fetch_xfer *);
void		 fetch_xfer_free(struct fetch_xfer *);
int		 fetch_running(struct fetch *);

/* tune.c: mentionctl test-rules, item by item. */
struct tune_opts {
	char		**rules;
	size_t		  nrules;
	const char	 *name;
	const char	 *base;
	int		  color;
	struct conf	 *old;		/* --diff: the rules before */
};
int		 tune_run(struct conf *, const struct tune_opts *, const char *,
		     size_t, FILE *);

/* work.c: worker threads for CPU work; results return to the loop. */
struct work;
typedef void	 (*work_run_fn)(void *, void *);
typedef void	 (*work_done_fn)(void *, void *);
typedef void	*(*work_ctx_new_fn)(void *);
typedef void	 (*work_ctx_free_fn)(void *);
struct work	*work_new(struct event_base *, int, work_run_fn, work_done_fn,
		     work_ctx_new_fn, work_ctx_free_fn, void *);
void		 work_push(struct work *, void *);
size_t		 work_pending(struct work *);
void		 work_free(struct work *, void (*)(void *, void *));

/* sched.c: when each source is polled, and what a finished poll does. */
struct sched;
typedef void (*sched_idle_fn)(void *);
struct sched	*sched_new(struct event_base *, struct conf *, struct store *,
		     int, sched_idle_fn, void *);
void		 sched_reload(struct sched *, struct conf *);
void		 sched_commit(struct sched *);
size_t		 sched_sources(struct sched *);
void		 sched_status(struct sched *, char *, size_t);
struct sched_health {
	size_t		 sources;
	size_t		 failing;
	size_t		 inflight;
	int64_t		 last_success;	/* epoch seconds, 0: none yet */
	int64_t		 last_cycle;	/* end of the last cycle with a success */
	double		 last_cycle_seconds;
	const char	*store_error;	/* the last write's failure, or NULL */
};
void		 sched_health(struct sched *, struct sched_health *);
void		 sched_free(struct sched *);

/* metrics.c: counters for /metrics (Prometheus text format). */
enum metrics_result {
	METRICS_OK,
	METRICS_NOT_MODIFIED,
	METRICS_UNCHANGED,
	METRICS_HTTP_ERROR,
	METRICS_FETCH_ERROR,
	METRICS_PARSE_ERROR,
	METRICS_STORE_ERROR
};
void		 metrics_init(void);
void		 metrics_free(void);
void		 metrics_poll(enum metrics_result);
void		 metrics_fetch(double, size_t);
void		 metrics_items(uint64_t);
void		 metrics_mentions(int64_t, uint64_t);
void		 metrics_http(int);
void		 metrics_write(struct buf *, const struct conf *,
		     const struct sched_health *, int64_t);

/* notify.c: sd_notify(3) for systemd, a no-op elsewhere. */
void		 notify_send(const char *, ...) printflike(1, 2);
void		 notify_reloading(void);
void		 notify_watchdog_start(struct event_base *);
void		 notify_watchdog_stop(void);

/* cooccur.c: items in which two rules both matched. */
struct export_opts;
int		 cooccur_run(struct store *, struct conf *,
		     const struct export_opts *, const char *, const char *,
		     FILE *, char **);

/* coverage.c: polls, successes and items per source: dips vs dead feeds. */
int		 coverage_run(struct store *, struct conf *,
		     const struct export_opts *, FILE *, char **);

/* rescore.c: re-apply edited rules to stored item text. */
struct rescore_opts {
	int64_t		 since;		/* items stored since */
	char		**rules;	/* NULL: every configured rule */
	size_t		 nrules;
};
struct rescore_stats {
	size_t		 items;
	size_t		 changed;
	size_t		 limited;
};
int		 rescore_run(struct conf *, struct store *,
		     const struct rescore_opts *, struct rescore_stats *,
		     char **);
int		 rescore_dry_run(struct conf *, struct store *,
		     const struct rescore_opts *, FILE *, char **);

/* csv.c: RFC 4180 cells with the spreadsheet formula guard. */
void		 csv_cell(FILE *, const char *);
void		 csv_int(FILE *, int64_t);
void		 csv_sep(FILE *);
void		 csv_end(FILE *);
void		 csv_quote(struct buf *, const char *);

/* json.c: JSON string output. */
void		 json_string(struct buf *, const char *);

/* export.c and frame.c: trend exports from the hourly rollups. */
#define EXPORT_LONG	0	/* bucket,rule,items,mentions */
#define EXPORT_WIDE	1	/* one column per rule, dense */
#define EXPORT_RATIO	2	/* Media Cloud's date,count,total_count,ratio */
#define EXPORT_JSON	3	/* the long rows as an array of objects */
#define MEASURE_DEFAULT	0
#define MEASURE_ITEMS	1
#define MEASURE_MENTIONS 2
#define MEASURE_SHARE	3	/* items matching / items ingested */
struct export_opts {
	enum bucket	 bucket;
	int		 axis;
	int		 per_source;
	int64_t		 from;
	int64_t		 to;
	char		**rules;
	size_t		 nrules;
	char		**sources;
	size_t		 nsources;
	int		 format;
	int		 measure;
	const char	*tz;		/* IANA name, NULL: UTC */
	int		 totals;	/* bucket,source,total */
	int		 with_version;
};
/* What an export covers: rules, sources and buckets, in output order. */
struct frame_col {
	int64_t		 id;
	const char	*name;
	const char	*label;
	const char	*kind;
};
struct frame {
	struct store		*store;
	int			 axis;
	enum bucket		 bucket;
	struct tz		*tz;
	int64_t			 from;		/* whole hours */
	int64_t			 to;
	int64_t			*start;		/* nb + 1 bucket starts */
	size_t			 nb;
	struct frame_col	*rule;
	size_t			 nrule;
	struct frame_col	*src;
	size_t			 nsrc;
	int			 sources_chosen;
	int64_t			*rule_col;	/* id -> column, -1 */
	int64_t			 max_rule;
	int64_t			*src_col;
	int64_t			 max_src;
	size_t			 hint;		/* the last bucket found */
	struct store_name	*known_rules;
	size_t			 nknown_rules;
	struct store_name	*known_srcs;
	size_t			 nknown_srcs;
};
/* Dense per-rule series (summed over sources): rule r, bucket b at r*nb+b. */
struct series {
	struct frame	*f;
	size_t		 nb;
	size_t		 nr;
	int64_t		*items;
	int64_t		*mentions;
	int64_t		*total;		/* per bucket */
	double		*values;	/* the measure asked for */
};
void		 export_opts_init(struct export_opts *);
int		 export_run(struct store *, struct conf *,
		     const struct export_opts *, FILE *, char **);
int		 export_series(struct store *, struct conf *,
		     const struct export_opts *, struct series *, char **);
void		 export_series_free(struct series *);
int		 frame_open(struct frame *, struct store *, struct conf *,
		     const struct export_opts *, char **);
void		 frame_close(struct frame *);
ssize_t		 frame_bucket(struct frame *, int64_t);
ssize_t		 frame_rule(const struct frame *, int64_t);
ssize_t		 frame_source(const struct frame *, int64_t);
void		 frame_label(const struct frame *, size_t, char *, size_t);
int64_t		*frame_totals(struct frame *, int, char **);
int64_t		*frame_source_ids(struct frame *, size_t *);
int64_t		*frame_rule_ids(struct frame *, size_t *);

/* report.c: what mentionctl prints and the API serves, from one parser. */
enum report_kind {
	REPORT_EXPORT,
	REPORT_COOCCUR,
	REPORT_COVERAGE,
	REPORT_SPIKES,
	REPORT_TOP,
	REPORT_PLOT,
	REPORT_SOURCES,
	REPORT_RULES,
	REPORT_DASHBOARD
};
#define REPORT_TABLE	0	/* the out formats of spikes, top, ... */
#define REPORT_CSV	1
#define REPORT_JSON	2
struct report_param {
	const char	*name;		/* as a long option and query key */
	int		 arg;		/* takes a value */
	unsigned	 kinds;		/* bit per report_kind */
};
struct report {
	enum report_kind	 kind;
	struct export_opts	 o;
	int			 out;
	struct spike_opts	 so;
	int64_t			 since;		/* top movers' period */
	size_t			 limit;
	const char		*kind_a;
	const char		*kind_b;
	char			*kind_a_buf;
	char			*kind_b_buf;
	char			*tz;
	char			*title;
	int			 failing;
};
struct report_mover {
	const char	*rule;
	const char	*label;
	int64_t		 now;
	int64_t		 before;
};
const struct report_param *report_params(void);
int		 report_takes(enum report_kind, const struct report_param *);
void		 report_init(struct report *, enum report_kind);
void		 report_clear(struct report *);
void		 report_split(const char *, char ***, size_t *);
int		 report_option(struct report *, const char *, const char *,
		     char **);
int		 report_check(struct report *, const char **, char **);
const char	*report_cause_param(const char *);
const char	*report_content_type(const struct report *);
int		 report_run(struct report *, struct store *, struct conf *,
		     FILE *, char **);
void		 report_number(char *, size_t, double, int);
void		 report_age(char *, size_t, int64_t, int64_t);
void		 report_change(char *, size_t, const struct report_mover *);
int		 report_spikes_each(struct report *, struct series *,
		     void (*)(struct report *, struct series *, size_t, size_t,
		     double, double, void *), void *);
int		 report_movers(struct report *, struct store *, struct conf *,
		     struct series *, struct report_mover **, size_t *,
		     char **);
void		 report_plot_svg(struct report *, struct series *,
		     struct buf *);
int		 report_sources_write(struct report *, struct store *,
		     struct conf *, FILE *, char **);

/* query.c: reports on threads of their own, streamed back to the loop. */
struct query;
typedef void	 (*query_data_fn)(struct query *, void *, const void *, size_t);
typedef void	 (*query_done_fn)(struct query *, void *, int, char *);
struct query	*query_start(struct event_base *, const char *, struct conf *,
		     struct report *, query_data_fn, query_done_fn, void *,
		     char **);
void		 query_pause(struct query *);
void		 query_resume(struct query *);
void		 query_free(struct query *);
int		 query_drain(int);

/* api.c: the HTTP API and dashboard on the daemon's loop (evhttp). */
struct api;
int		 api_listen(const struct conf *, char **);
struct api	*api_new(struct event_base *, int, struct conf *,
		     struct sched *);
void		 api_reload(struct api *, struct conf *);
void		 api_free(struct api *);

/* dash.c: the dashboard page, rendered from the reports. */
int		 dash_run(struct report *, struct store *, struct conf *,
		     FILE *, char **);

#endif /* MENTIOND_H */
