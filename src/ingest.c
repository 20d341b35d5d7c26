/*
 * One poll of one source, from body to committed counts.  Two halves:
 * ingest_prepare parses the feed, skips items already stored (before any
 * text work), reduces new items to text and counts every rule; it touches
 * the database only to read, so it can run on a worker thread with its own
 * context.  ingest_write then stores items, counts, rollups and the poll's
 * source state in the writer's open transaction (ingest_commit: in one of
 * its own), on the writer's thread.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mentiond.h"

struct ingest_ctx {
	struct store		*store;		/* for lookups only */
	int			 own_store;
	const struct conf	*conf;
	struct rule_scratch	*scratch;
	uint32_t		 match_limit;
	struct pack		*pack;
	struct buf		 text;
	struct store_hit	*hits;
	uint8_t			*maybe;
	size_t			 nrules;
};

/*
 * A context for preparing polls.  With a store, lookups use it (the
 * single-threaded case); without, the context opens its own read-only
 * connection to path (one per worker thread).
 */
struct ingest_ctx *
ingest_ctx_new(const struct conf *conf, struct store *store, const char *path)
{
	struct ingest_ctx	*ctx;
	char			*cause;

	ctx = xcalloc(1, sizeof *ctx);
	ctx->conf = conf;
	if (store != NULL)
		ctx->store = store;
	else {
		if ((ctx->store = store_open(path, STORE_READONLY,
		    &cause)) == NULL)
			fatalx("%s", cause);
		ctx->own_store = 1;
	}
	ctx->scratch = rule_scratch_new(conf->match_limit);
	ctx->match_limit = conf->match_limit;
	ctx->pack = pack_new();
	buf_init(&ctx->text);
	return (ctx);
}

void
ingest_ctx_free(struct ingest_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->own_store)
		store_close(ctx->store);
	rule_scratch_free(ctx->scratch);
	pack_free(ctx->pack);
	buf_free(&ctx->text);
	free(ctx->hits);
	free(ctx->maybe);
	free(ctx);
}

void
ingest_result_clear(struct ingest_result *res)
{
	size_t	i;

	for (i = 0; i < res->nitems; i++) {
		free(res->items[i].uid);
		buf_free(&res->items[i].ztext);
		free(res->items[i].hits);
	}
	free(res->items);
	free(res->cause);
	memset(res, 0, sizeof *res);
}

/* Count every rule in the text; returns the number of rules that hit. */
static size_t
ingest_match(struct ingest_ctx *ctx, const struct conf *conf,
    const char *source, const char *id, struct ingest_result *res)
{
	struct rule	*r;
	size_t		 i, n = 0;
	int		 c, vetoed;

	if (ctx->nrules < conf->nrules) {
		ctx->hits = xreallocarray(ctx->hits, conf->nrules,
		    sizeof *ctx->hits);
		ctx->maybe = xrealloc(ctx->maybe, conf->nrules);
		ctx->nrules = conf->nrules;
	}
	if (conf->nrules == 0)
		return (0);
	rule_set_scan(conf->prefilter, ctx->text.data, ctx->text.len,
	    ctx->maybe);
	for (i = 0; i < conf->nrules; i++) {
		if (!ctx->maybe[i])
			continue;	/* its literals are absent: no match */
		r = conf->rules[i];
		c = rule_count(r, ctx->scratch, ctx->text.data, ctx->text.len,
		    &vetoed);
		if (c == RULE_LIMIT) {
			log_warnx("rule \"%s\": match limit reached on source "
			    "\"%s\" item %s; rule skipped for this item",
			    r->name, source, id);
			res->limited++;
			continue;
		}
		if (c > 0) {
			ctx->hits[n].rule_id = r->id;
			ctx->hits[n].mentions = c;
			n++;
			res->mentions += (uint64_t)c;
		}
	}
	return (n);
}

/*
 * Parse and match one poll's body.  conf's rules must have their store ids.
 * Returns -1 if the body is not a feed (res->cause says why).
 */
int
ingest_prepare(struct ingest_ctx *ctx, const struct conf *conf,
    const struct ingest_source *src, const char *body, size_t len,
    int64_t seen, struct ingest_result *res)
{
	struct feed		*f;
	struct feed_item	*it;
	struct ingest_item	*ni;
	size_t			 i, nhits, cap = 0;
	int			 rc;

	memset(res, 0, sizeof *res);
	res->ruleset = conf->ruleset;
	if (ctx->match_limit != conf->match_limit) {	/* a reload changed it */
		rule_scratch_free(ctx->scratch);
		ctx->scratch = rule_scratch_new(conf->match_limit);
		ctx->match_limit = conf->match_limit;
	}
	if ((f = feed_parse(body, len, src->base, &res->cause)) == NULL)
		return (-1);
	res->nfeed = f->nitems;
	for (i = 0; i < f->nitems; i++) {
		it = &f->items[i];
		rc = store_item_exists(ctx->store, src->id, it->id);
		if (rc == 1)
			continue;
		if (rc == -1) {
			xasprintf(&res->cause, "database lookup failed");
			feed_free(f);
			return (-1);
		}
		buf_reset(&ctx->text);
		feed_item_text(it, &ctx->text);
		nhits = ingest_match(ctx, conf, src->name, it->id, res);

		if (res->nitems == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			res->items = xreallocarray(res->items, cap,
			    sizeof *res->items);
		}
		ni = &res->items[res->nitems++];
		memset(ni, 0, sizeof *ni);
		ni->uid = it->id;
		it->id = NULL;		/* ownership moves to the result */
		ni->dated = 1;
		if (it->has_published)
			ni->published = it->published;
		else if (it->has_updated)
			ni->published = it->updated;
		else {
			ni->published = seen;
			ni->dated = 0;
		}
		buf_init(&ni->ztext);
		pack_compress(ctx->pack, ctx->text.data != NULL ?
		    ctx->text.data : "", ctx->text.len, &ni->ztext);
		if (nhits > 0) {
			ni->hits = xreallocarray(NULL, nhits, sizeof *ni->hits);
			memcpy(ni->hits, ctx->hits, nhits * sizeof *ni->hits);
			ni->nhits = nhits;
		}
	}
	feed_free(f);
	return (0);
}

/*
 * Write a prepared poll and its end state (poll) into the open transaction.
 * An item stored meanwhile (the same id twice in one feed, or in a poll
 * earlier in the same transaction) is skipped here.
 */
int
ingest_write(struct store *st, int64_t source_id, struct ingest_result *res,
    struct store_poll *poll, int64_t seen, struct ingest_stats *stats,
    char **cause)
{
	struct store_item	 si;
	struct ingest_item	*ni;
	size_t			 i;
	int			 rc;

	memset(stats, 0, sizeof *stats);
	stats->items = res->nfeed;
	stats->limited = res->limited;
	for (i = 0; i < res->nitems; i++) {
		ni = &res->items[i];
		if ((rc = store_item_exists(st, source_id, ni->uid)) == 1)
			continue;
		if (rc == -1) {
			xasprintf(cause, "database lookup failed");
			return (-1);
		}
		memset(&si, 0, sizeof si);
		si.uid = ni->uid;
		si.published = ni->published;
		si.dated = ni->dated;
		si.seen = seen;
		si.ruleset = res->ruleset;
		si.ztext = ni->ztext.data;
		si.zlen = ni->ztext.len;
		if (store_item_add(st, source_id, &si, ni->hits, ni->nhits,
		    cause) != 0)
			return (-1);
		stats->fresh++;
		if (ni->nhits > 0)
			stats->matched++;
		for (size_t h = 0; h < ni->nhits; h++)
			stats->mentions += (uint64_t)ni->hits[h].mentions;
	}
	poll->fresh = (int64_t)stats->fresh;
	return (store_poll_done(st, source_id, poll, cause));
}

/* A prepared poll in a transaction of its own. */
int
ingest_commit(struct store *st, int64_t source_id, struct ingest_result *res,
    struct store_poll *poll, int64_t seen, struct ingest_stats *stats,
    char **cause)
{
	if (store_begin(st, cause) != 0)
		return (-1);
	if (ingest_write(st, source_id, res, poll, seen, stats, cause) != 0 ||
	    store_commit(st, cause) != 0) {
		store_rollback(st);
		return (-1);
	}
	return (0);
}

/* Both halves in a row, for mentionctl ingest: one saved file, one poll. */
int
ingest_body(struct ingest_ctx *ctx, struct store *st, const struct conf *conf,
    const struct ingest_source *src, const char *body, size_t len,
    int64_t seen, struct ingest_stats *stats, char **cause)
{
	struct ingest_result	 res;
	struct store_poll	 poll;
	int			 rc;

	memset(stats, 0, sizeof *stats);
	if (ingest_prepare(ctx, conf, src, body, len, seen, &res) != 0) {
		*cause = res.cause;
		res.cause = NULL;
		ingest_result_clear(&res);
		return (-1);
	}
	memset(&poll, 0, sizeof poll);
	poll.when = seen;
	poll.ok = 1;
	rc = ingest_commit(st, src->id, &res, &poll, seen, stats, cause);
	ingest_result_clear(&res);
	return (rc);
}

/* The base URL relative links in a source's feed resolve against. */
const char *
ingest_base(const char *url)
{
	if (url != NULL && (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0))
		return (url);
	return (NULL);
}
