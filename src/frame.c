/*
 * A frame fixes what an export, a co-occurrence table, spikes or a plot
 * cover: the rules and sources (names resolved, in output order: rules as
 * the config lists them, then any others the database knows), the time
 * axis, and the buckets of the range in a time zone, each a span of UTC
 * hours (local days have 23 or 25 hours around DST changes).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

/* id -> column maps, sized for the largest id. */
static int64_t *
frame_map(const struct store_name *v, size_t n, int64_t *max)
{
	int64_t	*map;
	size_t	 i;

	*max = 0;
	for (i = 0; i < n; i++) {
		if (v[i].id > *max)
			*max = v[i].id;
	}
	map = xcalloc((size_t)*max + 1, sizeof *map);
	for (i = 0; i <= (size_t)*max; i++)
		map[i] = -1;
	return (map);
}

static const struct store_name *
frame_find(const struct store_name *v, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0)
			return (&v[i]);
	}
	return (NULL);
}

static void
frame_add_col(struct frame_col **cols, size_t *n, const struct store_name *sn)
{
	*cols = xreallocarray(*cols, *n + 1, sizeof **cols);
	(*cols)[*n].id = sn->id;
	(*cols)[*n].name = sn->name;
	(*cols)[*n].label = sn->label;
	(*cols)[*n].kind = sn->kind;
	(*n)++;
}

/*
 * Resolve --rule/--source names.  A name the database has not seen is fine
 * if the config defines it (no counts yet); otherwise a usage error.
 */
static int
frame_select(struct frame *f, int rules, char **names, size_t n,
    struct conf *conf, char **cause)
{
	const struct store_name	*v = rules ? f->known_rules : f->known_srcs;
	size_t			 nv = rules ? f->nknown_rules : f->nknown_srcs;
	struct frame_col	**cols = rules ? &f->rule : &f->src;
	size_t			 *ncols = rules ? &f->nrule : &f->nsrc;
	const struct store_name	*sn;
	size_t			 i;
	int			 known;

	for (i = 0; i < n; i++) {
		if ((sn = frame_find(v, nv, names[i])) != NULL) {
			frame_add_col(cols, ncols, sn);
			continue;
		}
		known = conf != NULL && (rules ?
		    conf_rule(conf, names[i]) != NULL :
		    conf_source(conf, names[i]) != NULL);
		if (!known) {
			xasprintf(cause, "unknown %s \"%s\"", rules ? "rule" :
			    "source", names[i]);
			return (-2);
		}
	}
	return (0);
}

/* The buckets covering [from, to) in the frame's zone. */
static void
frame_buckets(struct frame *f, int64_t from, int64_t to)
{
	int64_t	t;
	size_t	cap = 64;

	f->nb = 0;
	f->start = xcalloc(cap + 1, sizeof *f->start);
	if (from >= to)
		return;
	for (t = tz_bucket(f->tz, from, f->bucket); t < to;
	    t = tz_bucket_next(f->tz, t, f->bucket)) {
		if (f->nb == cap) {
			cap *= 2;
			f->start = xreallocarray(f->start, cap + 1,
			    sizeof *f->start);
		}
		f->start[f->nb++] = t;
	}
	f->start[f->nb] = f->nb > 0 ? tz_bucket_next(f->tz,
	    f->start[f->nb - 1], f->bucket) : from;
}

/*
 * Set up a frame for o.  Returns 0, -1 on a runtime failure or -2 on a
 * usage error (unknown rule, source or time zone), with a cause.
 */
int
frame_open(struct frame *f, struct store *st, struct conf *conf,
    const struct export_opts *o, char **cause)
{
	const struct store_name	*sn;
	int64_t			 from, to, max;
	size_t			 i, j;
	int			 rc;

	memset(f, 0, sizeof *f);
	f->store = st;
	f->axis = o->axis;
	f->bucket = o->bucket;
	if ((f->tz = tz_load(o->tz != NULL ? o->tz : "UTC", cause)) == NULL)
		return (-2);
	if (store_names(st, 0, &f->known_rules, &f->nknown_rules, cause) != 0 ||
	    store_names(st, 1, &f->known_srcs, &f->nknown_srcs, cause) != 0)
		return (-1);

	/* Rules: as asked, else the config's order, then any others. */
	if (o->nrules > 0) {
		if ((rc = frame_select(f, 1, o->rules, o->nrules, conf,
		    cause)) != 0)
			return (rc);
	} else {
		for (i = 0; conf != NULL && i < conf->nrules; i++) {
			if ((sn = frame_find(f->known_rules, f->nknown_rules,
			    conf->rules[i]->name)) != NULL)
				frame_add_col(&f->rule, &f->nrule, sn);
		}
		for (i = 0; i < f->nknown_rules; i++) {
			for (j = 0; j < f->nrule; j++) {
				if (f->rule[j].id == f->known_rules[i].id)
					break;
			}
			if (j == f->nrule)
				frame_add_col(&f->rule, &f->nrule,
				    &f->known_rules[i]);
		}
	}
	if (o->nsources > 0) {
		if ((rc = frame_select(f, 0, o->sources, o->nsources, conf,
		    cause)) != 0)
			return (rc);
		f->sources_chosen = 1;
	} else {
		for (i = 0; i < f->nknown_srcs; i++)
			frame_add_col(&f->src, &f->nsrc, &f->known_srcs[i]);
	}
	f->rule_col = frame_map(f->known_rules, f->nknown_rules, &max);
	f->max_rule = max;
	for (i = 0; i < f->nrule; i++)
		f->rule_col[f->rule[i].id] = (int64_t)i;
	f->src_col = frame_map(f->known_srcs, f->nknown_srcs, &max);
	f->max_src = max;
	for (i = 0; i < f->nsrc; i++)
		f->src_col[f->src[i].id] = (int64_t)i;

	/* The range: as asked, in whole hours, else where data is. */
	from = o->from;
	to = o->to;
	if (from == INT64_MIN || to == INT64_MAX) {
		int64_t first, last;

		rc = store_extent(st, o->axis, &first, &last, cause);
		if (rc == -1)
			return (-1);
		if (rc == 1)
			first = last = 0;	/* nothing stored */
		if (from == INT64_MIN)
			from = first;
		if (to == INT64_MAX)
			to = last;
	}
	from = date_bucket(from, BUCKET_HOUR);
	if (date_bucket(to, BUCKET_HOUR) != to)
		to = date_bucket(to, BUCKET_HOUR) + 3600;
	f->from = from;
	f->to = to;
	frame_buckets(f, from, to);
	return (0);
}

void
frame_close(struct frame *f)
{
	tz_free(f->tz);
	free(f->start);
	free(f->rule);
	free(f->src);
	free(f->rule_col);
	free(f->src_col);
	store_names_free(f->known_rules, f->nknown_rules);
	store_names_free(f->known_srcs, f->nknown_srcs);
	memset(f, 0, sizeof *f);
}

/*
 * The bucket holding an hour, or -1 if it is out of range.  Hours mostly
 * come in order, so the last answer (or the next bucket) is tried first.
 */
ssize_t
frame_bucket(struct frame *f, int64_t hour)
{
	size_t	lo = 0, hi = f->nb, mid;

	if (f->nb == 0 || hour < f->start[0] || hour >= f->start[f->nb])
		return (-1);
	if (f->hint < f->nb && hour >= f->start[f->hint]) {
		if (hour < f->start[f->hint + 1])
			return ((ssize_t)f->hint);
		if (f->hint + 1 < f->nb && hour < f->start[f->hint + 2])
			return ((ssize_t)++f->hint);
	}
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (f->start[mid] <= hour)
			lo = mid;
		else
			hi = mid;
	}
	f->hint = lo;
	return ((ssize_t)lo);
}

void
frame_label(const struct frame *f, size_t b, char *buf, size_t len)
{
	tz_format(f->tz, f->start[b], buf, len);
}

/* The column of a rule id, -1 if not selected. */
ssize_t
frame_rule(const struct frame *f, int64_t id)
{
	if (id < 0 || id > f->max_rule)
		return (-1);
	return ((ssize_t)f->rule_col[id]);
}

ssize_t
frame_source(const struct frame *f, int64_t id)
{
	if (id < 0 || id > f->max_src)
		return (-1);
	return ((ssize_t)f->src_col[id]);
}

/* Source ids to ask the store for, or NULL for all. */
int64_t *
frame_source_ids(struct frame *f, size_t *n)
{
	int64_t	*ids;
	size_t	 i;

	*n = 0;
	if (!f->sources_chosen)
		return (NULL);
	ids = xcalloc(f->nsrc + 1, sizeof *ids);
	for (i = 0; i < f->nsrc; i++)
		ids[(*n)++] = f->src[i].id;
	return (ids);
}

/* The selected rules' ids. */
int64_t *
frame_rule_ids(struct frame *f, size_t *n)
{
	int64_t	*ids;
	size_t	 i;

	ids = xcalloc(f->nrule + 1, sizeof *ids);
	for (i = 0; i < f->nrule; i++)
		ids[i] = f->rule[i].id;
	*n = f->nrule;
	return (ids);
}

struct frame_totals_state {
	struct frame	*f;
	int64_t		*total;
	int		 per_source;
};

static int
frame_total_cb(const struct store_cell *c, void *arg)
{
	struct frame_totals_state	*et = arg;
	ssize_t			 b, s = 0;

	if ((b = frame_bucket(et->f, c->hour)) < 0)
		return (0);
	if (et->per_source && (s = frame_source(et->f, c->owner)) < 0)
		return (0);
	et->total[(size_t)b * (et->per_source ? et->f->nsrc : 1) + s] += c->v1;
	return (0);
}

/* Items ingested per bucket (and source): nb x (per_source ? ns : 1). */
int64_t *
frame_totals(struct frame *f, int per_source, char **cause)
{
	struct frame_totals_state	 et;
	int64_t			*ids = NULL, zero = 0;
	size_t			 nids = 0, width;

	width = per_source ? f->nsrc : 1;
	et.f = f;
	et.per_source = per_source;
	et.total = xcalloc(f->nb * width + 1, sizeof *et.total);
	if (per_source)
		ids = frame_source_ids(f, &nids);
	if (store_cells(f->store, STORE_T_TOTAL, f->axis, f->from, f->to,
	    per_source ? ids : &zero, per_source ? nids : 1, frame_total_cb,
	    &et, cause) != 0) {
		free(ids);
		free(et.total);
		return (NULL);
	}
	/* Per source, source 0 (the sum over sources) is not a source. */
	free(ids);
	return (et.total);
}

