/*
 * Re-scoring: rules get edited, and history should follow.  The current
 * rules are re-applied to the stored text of items still inside the
 * retention window; items whose counts change move their rollups from the
 * old counts to the new, and every touched day's rule-set versions are
 * rebuilt, all in one transaction.  The matching happens before the
 * transaction, so the daemon's polls wait only for the writes.  A dry run
 * (test-rules --stored) compares instead, rule by rule, with examples.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mentiond.h"

#define RESCORE_EXAMPLES	3

/* An item to write back: where it counts, and its counts before/after. */
struct rescore_item {
	struct store_stored	 it;		/* hits owned, text not kept */
	struct store_hit	*hits;		/* new, sorted by rule id */
	size_t			 nhits;
};

/* Per rule, for the dry run. */
struct rescore_rule {
	const char	*name;
	int64_t		 id;		/* 0: not in the database yet */
	size_t		 before;	/* items */
	size_t		 after;
	uint64_t	 mbefore;	/* mentions */
	uint64_t	 mafter;
	size_t		 gained;
	size_t		 lost;
	char		*ex_gained[RESCORE_EXAMPLES];
	char		*ex_lost[RESCORE_EXAMPLES];
};

struct rescore {
	struct conf		*conf;
	struct store		*store;
	const struct rescore_opts *o;
	struct rule_scratch	*scratch;
	uint8_t			*maybe;
	struct store_hit	*hits;
	size_t			 nhits;
	struct rescore_item	*items;
	size_t			 nitems;
	size_t			 citems;
	size_t			 seen;
	size_t			 changed;
	size_t			 limited;
	struct rescore_rule	*rules;		/* one per config rule */
	struct store_name	*srcs;
	size_t			 nsrcs;
	int			 tty;
	double			 last;
};

static int
rescore_selected(const struct rescore_opts *o, const char *name)
{
	size_t	i;

	if (o->nrules == 0)
		return (1);
	for (i = 0; i < o->nrules; i++) {
		if (strcmp(o->rules[i], name) == 0)
			return (1);
	}
	return (0);
}

static int
rescore_hit_cmp(const void *a, const void *b)
{
	const struct store_hit	*x = a, *y = b;

	return (x->rule_id < y->rule_id ? -1 : x->rule_id > y->rule_id);
}

static int
rescore_count_of(const struct store_hit *h, size_t n, int64_t id)
{
	size_t	i;

	for (i = 0; id != 0 && i < n; i++) {
		if (h[i].rule_id == id)
			return (h[i].mentions);
	}
	return (0);
}

/*
 * The item's counts under the current rules: recomputed for the selected
 * rules, kept as stored for the others (a rule no longer configured keeps
 * its history).
 */
static void
rescore_hits(struct rescore *rs, const struct store_stored *it)
{
	struct conf	*c = rs->conf;
	struct rule	*r;
	size_t		 i, n = 0;
	int		 v, vetoed, keep;

	rs->hits = xreallocarray(rs->hits, it->nhits + c->nrules + 1,
	    sizeof *rs->hits);
	for (i = 0; i < it->nhits; i++) {
		keep = 1;
		for (size_t k = 0; k < c->nrules; k++) {
			if (c->rules[k]->id == it->hits[i].rule_id &&
			    rescore_selected(rs->o, c->rules[k]->name))
				keep = 0;
		}
		if (keep)
			rs->hits[n++] = it->hits[i];
	}
	rule_set_scan(c->prefilter, it->text, it->textlen, rs->maybe);
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (!rs->maybe[i] || !rescore_selected(rs->o, r->name))
			continue;
		v = rule_count(r, rs->scratch, it->text, it->textlen, &vetoed);
		if (v == RULE_LIMIT) {
			rs->limited++;
			v = rescore_count_of(it->hits, it->nhits, r->id);
		}
		if (v > 0 && r->id != 0) {
			rs->hits[n].rule_id = r->id;
			rs->hits[n++].mentions = v;
		}
	}
	if (n > 1)
		qsort(rs->hits, n, sizeof *rs->hits, rescore_hit_cmp);
	rs->nhits = n;
}

static void
rescore_progress(struct rescore *rs, int done)
{
	struct timespec	ts;
	double		now;

	if (!rs->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec + ts.tv_nsec / 1e9;
	if (!done && now - rs->last < 0.1)
		return;
	rs->last = now;
	if (done)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\r\033[Krescore: %zu items, %zu changed",
		    rs->seen, rs->changed);
}

static int
rescore_item_cb(const struct store_stored *it, void *arg)
{
	struct rescore		*rs = arg;
	struct rescore_item	*ri;
	size_t			 i;
	int			 changed;

	rs->seen++;
	rescore_hits(rs, it);
	changed = rs->nhits != it->nhits;
	for (i = 0; !changed && i < rs->nhits; i++)
		changed = rs->hits[i].rule_id != it->hits[i].rule_id ||
		    rs->hits[i].mentions != it->hits[i].mentions;
	if (changed)
		rs->changed++;
	/* Every item is written: its counts now come from these rules. */
	if (rs->nitems == rs->citems) {
		rs->citems = rs->citems == 0 ? 1024 : rs->citems * 2;
		rs->items = xreallocarray(rs->items, rs->citems,
		    sizeof *rs->items);
	}
	ri = &rs->items[rs->nitems++];
	ri->it = *it;
	ri->it.uid = NULL;
	ri->it.text = NULL;
	ri->it.hits = xreallocarray(NULL, it->nhits + 1, sizeof *it->hits);
	if (it->nhits > 0)
		memcpy(ri->it.hits, it->hits, it->nhits * sizeof *it->hits);
	ri->hits = xreallocarray(NULL, rs->nhits + 1, sizeof *rs->hits);
	if (rs->nhits > 0)
		memcpy(ri->hits, rs->hits, rs->nhits * sizeof *rs->hits);
	ri->nhits = rs->nhits;
	rescore_progress(rs, 0);
	return (0);
}

static void
rescore_init(struct rescore *rs, struct conf *c, struct store *st,
    const struct rescore_opts *o)
{
	memset(rs, 0, sizeof *rs);
	rs->conf = c;
	rs->store = st;
	rs->o = o;
	rs->scratch = rule_scratch_new(c->match_limit);
	rs->maybe = xcalloc(c->nrules + 1, 1);
	rs->tty = isatty(STDERR_FILENO) && log_getverbose() >= 0;
}

static void
rescore_clear(struct rescore *rs)
{
	size_t	i, k;

	for (i = 0; i < rs->nitems; i++) {
		free(rs->items[i].it.hits);
		free(rs->items[i].hits);
	}
	free(rs->items);
	for (i = 0; rs->rules != NULL && i < rs->conf->nrules; i++) {
		for (k = 0; k < RESCORE_EXAMPLES; k++) {
			free(rs->rules[i].ex_gained[k]);
			free(rs->rules[i].ex_lost[k]);
		}
	}
	free(rs->rules);
	store_names_free(rs->srcs, rs->nsrcs);
	rule_scratch_free(rs->scratch);
	free(rs->maybe);
	free(rs->hits);
}

/*
 * Re-apply the current rules to items stored since o->since, writing
 * the new counts, rollups and versions in one transaction.  The rules must
 * be synced (ids and conf->ruleset set).
 */
int
rescore_run(struct conf *c, struct store *st, const struct rescore_opts *o,
    struct rescore_stats *out, char **cause)
{
	struct rescore	 rs;
	size_t		 i;
	int		 rc = -1;

	rescore_init(&rs, c, st, o);
	if (store_items_since(st, o->since, rescore_item_cb, &rs, cause) != 0)
		goto out;
	rescore_progress(&rs, 1);
	if (store_begin(st, cause) != 0)
		goto out;
	for (i = 0; i < rs.nitems; i++) {
		if (store_item_rescore(st, &rs.items[i].it, rs.items[i].hits,
		    rs.items[i].nhits, c->ruleset, cause) != 0) {
			store_rollback(st);
			goto out;
		}
	}
	if (store_rescore_done(st, cause) != 0 ||
	    store_commit(st, cause) != 0) {
		store_rollback(st);
		goto out;
	}
	out->items = rs.seen;
	out->changed = rs.changed;
	out->limited = rs.limited;
	rc = 0;
out:
	rescore_clear(&rs);
	return (rc);
}

/* "source uid: title" for an example line. */
static char *
rescore_example(struct rescore *rs, const struct store_stored *it)
{
	const char	*src = "?", *nl;
	char		*s;
	size_t		 i, n;

	for (i = 0; i < rs->nsrcs; i++) {
		if (rs->srcs[i].id == it->source_id)
			src = rs->srcs[i].name;
	}
	nl = memchr(it->text, '\n', it->textlen);
	n = nl != NULL ? (size_t)(nl - it->text) : it->textlen;
	if (n > 72)
		n = 72;
	while (n > 0 && n < it->textlen &&
	    ((u_char)it->text[n] & 0xc0) == 0x80)
		n--;	/* cut on a character boundary */
	xasprintf(&s, "%s %s: %.*s", src, it->uid, (int)n, it->text);
	return (s);
}

static void
rescore_example_add(char **ex, char *s)
{
	size_t	k;

	for (k = 0; k < RESCORE_EXAMPLES; k++) {
		if (ex[k] == NULL) {
			ex[k] = s;
			return;
		}
	}
	free(s);
}

static int
rescore_dry_cb(const struct store_stored *it, void *arg)
{
	struct rescore		*rs = arg;
	struct rescore_rule	*rr;
	struct rule		*r;
	size_t			 i;
	int			 before, after, vetoed;

	rs->seen++;
	rule_set_scan(rs->conf->prefilter, it->text, it->textlen, rs->maybe);
	for (i = 0; i < rs->conf->nrules; i++) {
		r = rs->conf->rules[i];
		rr = &rs->rules[i];
		if (!rescore_selected(rs->o, r->name))
			continue;
		before = rescore_count_of(it->hits, it->nhits, rr->id);
		after = rs->maybe[i] ? rule_count(r, rs->scratch, it->text,
		    it->textlen, &vetoed) : 0;
		if (after == RULE_LIMIT) {
			rs->limited++;
			after = before;
		}
		rr->before += before > 0;
		rr->after += after > 0;
		rr->mbefore += (uint64_t)before;
		rr->mafter += (uint64_t)after;
		if (after > 0 && before == 0) {
			rr->gained++;
			if (rr->gained <= RESCORE_EXAMPLES)
				rescore_example_add(rr->ex_gained,
				    rescore_example(rs, it));
		} else if (before > 0 && after == 0) {
			rr->lost++;
			if (rr->lost <= RESCORE_EXAMPLES)
				rescore_example_add(rr->ex_lost,
				    rescore_example(rs, it));
		}
	}
	rescore_progress(rs, 0);
	return (0);
}

/*
 * test-rules --stored: what the current rules would change on items stored
 * since o->since, rule by rule with examples; nothing is written.
 */
int
rescore_dry_run(struct conf *c, struct store *st, const struct rescore_opts *o,
    FILE *fp, char **cause)
{
	struct rescore		 rs;
	struct rescore_rule	*rr;
	char			 since[32];
	size_t			 i, k;
	int			 rc = -1;

	rescore_init(&rs, c, st, o);
	rs.rules = xcalloc(c->nrules + 1, sizeof *rs.rules);
	for (i = 0; i < c->nrules; i++) {
		rs.rules[i].name = c->rules[i]->name;
		if (store_lookup_rule(st, c->rules[i]->name,
		    &rs.rules[i].id) != 0)
			rs.rules[i].id = 0;
	}
	if (store_names(st, 1, &rs.srcs, &rs.nsrcs, cause) != 0 ||
	    store_items_since(st, o->since, rescore_dry_cb, &rs, cause) != 0)
		goto out;
	rescore_progress(&rs, 1);
	date_iso(o->since, since, sizeof since);
	fprintf(fp, "%zu items stored since %s (with their text)\n\n",
	    rs.seen, since);
	fprintf(fp, "%-20s %9s %9s %7s %7s %10s %10s\n", "rule", "items now",
	    "before", "gained", "lost", "mentions", "before");
	for (i = 0; i < c->nrules; i++) {
		rr = &rs.rules[i];
		if (!rescore_selected(o, rr->name))
			continue;
		fprintf(fp, "%-20s %9zu %9zu %7zu %7zu %10llu %10llu\n",
		    rr->name, rr->after, rr->before, rr->gained, rr->lost,
		    (unsigned long long)rr->mafter,
		    (unsigned long long)rr->mbefore);
		for (k = 0; k < RESCORE_EXAMPLES && rr->ex_gained[k] != NULL;
		    k++)
			fprintf(fp, "    + %s\n", rr->ex_gained[k]);
		for (k = 0; k < RESCORE_EXAMPLES && rr->ex_lost[k] != NULL; k++)
			fprintf(fp, "    - %s\n", rr->ex_lost[k]);
	}
	if (rs.limited > 0)
		fprintf(fp, "\n%zu rule/item pairs hit the match limit (kept "
		    "as stored)\n", rs.limited);
	rc = fflush(fp) == 0 ? 0 : -1;
	if (rc != 0)
		xasprintf(cause, "writing output");
out:
	rescore_clear(&rs);
	return (rc);
}
