/*
 * The trend CSV (SPEC "Trend CSV"), computed from the hourly rollups: rows
 * arrive in hour order, are folded into the requested bucket, and each
 * bucket is written when the next one starts.  The cost grows with the
 * number of hours and rules in range, never with the number of items.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

struct export_cell {
	int64_t		 source_id;
	int64_t		 rule_id;
	int64_t		 items;
	int64_t		 mentions;
};

/* Names and output order of ids, indexed by id. */
struct export_names {
	char		**name;
	int		 *order;
	int64_t		  max;
};

struct export_state {
	FILE			*fp;
	const struct export_opts *o;
	struct export_names	 rules;
	struct export_names	 sources;
	int64_t			 bucket;
	int			 have_bucket;
	struct export_cell	*cells;
	size_t			 ncells;
	size_t			 ccells;
};

void
export_opts_init(struct export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bucket = BUCKET_DAY;
	o->axis = STORE_BY_PUBLISHED;
	o->from = INT64_MIN;
	o->to = INT64_MAX;
}

/* Only for the comparator, which qsort gives no context. */
static struct export_state *export_sorting;

static int
export_cell_cmp(const void *a, const void *b)
{
	const struct export_cell	*x = a, *y = b;
	struct export_state		*es = export_sorting;
	int				 ox, oy;

	if (x->source_id != y->source_id) {
		ox = es->sources.order[x->source_id];
		oy = es->sources.order[y->source_id];
		if (ox != oy)
			return (ox < oy ? -1 : 1);
	}
	ox = es->rules.order[x->rule_id];
	oy = es->rules.order[y->rule_id];
	if (ox != oy)
		return (ox < oy ? -1 : 1);
	return (0);
}

static void
export_flush(struct export_state *es)
{
	struct export_cell	 m;
	char			 when[32];
	size_t			 i, j;

	if (!es->have_bucket || es->ncells == 0)
		return;
	export_sorting = es;
	qsort(es->cells, es->ncells, sizeof *es->cells, export_cell_cmp);
	export_sorting = NULL;
	date_iso(es->bucket, when, sizeof when);
	for (i = 0; i < es->ncells; i = j) {
		m = es->cells[i];
		for (j = i + 1; j < es->ncells &&
		    es->cells[j].source_id == m.source_id &&
		    es->cells[j].rule_id == m.rule_id; j++) {
			m.items += es->cells[j].items;
			m.mentions += es->cells[j].mentions;
		}
		if (m.items == 0 && m.mentions == 0)
			continue;
		fputs(when, es->fp);
		csv_sep(es->fp);
		if (es->o->per_source) {
			csv_cell(es->fp, es->sources.name[m.source_id]);
			csv_sep(es->fp);
		}
		csv_cell(es->fp, es->rules.name[m.rule_id]);
		csv_sep(es->fp);
		csv_int(es->fp, m.items);
		csv_sep(es->fp);
		csv_int(es->fp, m.mentions);
		csv_end(es->fp);
	}
	es->ncells = 0;
}

static int
export_row_cb(const struct store_row *row, void *arg)
{
	struct export_state	*es = arg;
	struct export_cell	*c;
	int64_t			 b;

	if (row->rule_id < 0 || row->rule_id > es->rules.max ||
	    row->source_id < 0 || row->source_id > es->sources.max ||
	    es->rules.name[row->rule_id] == NULL)
		return (0);	/* a row written after we read the names */
	b = date_bucket(row->hour, es->o->bucket);
	if (!es->have_bucket || b != es->bucket) {
		export_flush(es);
		es->bucket = b;
		es->have_bucket = 1;
	}
	if (es->ncells == es->ccells) {
		es->ccells = es->ccells == 0 ? 256 : es->ccells * 2;
		es->cells = xreallocarray(es->cells, es->ccells,
		    sizeof *es->cells);
	}
	c = &es->cells[es->ncells++];
	/* Without --per-source the chosen sources are summed as one. */
	c->source_id = es->o->per_source ? row->source_id : 0;
	c->rule_id = row->rule_id;
	c->items = row->items;
	c->mentions = row->mentions;
	return (0);
}

/* Load id -> name tables; rules in config order first, then by name. */
static int
export_names(struct store *st, struct conf *conf, int kind,
    struct export_names *n, char **cause)
{
	int64_t		*ids;
	char		**names;
	size_t		 count, i, j;
	int		 next;

	if (store_names(st, kind, &ids, &names, &count, cause) != 0)
		return (-1);
	n->max = 0;
	for (i = 0; i < count; i++) {
		if (ids[i] > n->max)
			n->max = ids[i];
	}
	n->name = xcalloc(n->max + 1, sizeof *n->name);
	n->order = xcalloc(n->max + 1, sizeof *n->order);
	next = 0;
	if (kind == 0 && conf != NULL) {
		for (j = 0; j < conf->nrules; j++) {
			for (i = 0; i < count; i++) {
				if (strcmp(names[i], conf->rules[j]->name) == 0)
					n->order[ids[i]] = ++next;
			}
		}
	}
	for (i = 0; i < count; i++) {
		n->name[ids[i]] = names[i];
		if (n->order[ids[i]] == 0)
			n->order[ids[i]] = ++next;
	}
	free(names);
	free(ids);
	return (0);
}

static void
export_names_free(struct export_names *n)
{
	int64_t	i;

	if (n->name != NULL) {
		for (i = 0; i <= n->max; i++)
			free(n->name[i]);
	}
	free(n->name);
	free(n->order);
}

/*
 * Names to ids for --rule/--source.  A name the database has not seen is
 * fine if the config defines it (it simply has no counts yet); otherwise
 * it is a usage error (returns -2).
 */
static int
export_ids(struct export_names *n, char **names, size_t count,
    struct conf *conf, int kind, int64_t **ids, size_t *nids, char **cause)
{
	size_t	i;
	int64_t	id;
	int	known;

	*ids = xcalloc(count + 1, sizeof **ids);
	*nids = 0;
	for (i = 0; i < count; i++) {
		for (id = 1; id <= n->max; id++) {
			if (n->name[id] != NULL &&
			    strcmp(n->name[id], names[i]) == 0)
				break;
		}
		if (id <= n->max) {
			(*ids)[(*nids)++] = id;
			continue;
		}
		known = conf != NULL && (kind == 0 ?
		    conf_rule(conf, names[i]) != NULL :
		    conf_source(conf, names[i]) != NULL);
		if (!known) {
			xasprintf(cause, "unknown %s \"%s\"", kind == 0 ?
			    "rule" : "source", names[i]);
			return (-2);
		}
	}
	return (0);
}

/*
 * Write the trend CSV for o to fp.  Returns 0, -1 on a runtime failure or
 * -2 on a usage error (an unknown rule or source), with a cause.
 */
int
export_csv(struct store *st, struct conf *conf, const struct export_opts *o,
    FILE *fp, char **cause)
{
	struct export_state	 es;
	struct store_filter	 f;
	int64_t			*rids = NULL, *sids = NULL;
	size_t			 nr = 0, ns = 0;
	int			 rc = -1;

	memset(&es, 0, sizeof es);
	es.fp = fp;
	es.o = o;
	if (export_names(st, conf, 0, &es.rules, cause) != 0 ||
	    export_names(st, conf, 1, &es.sources, cause) != 0)
		goto out;

	memset(&f, 0, sizeof f);
	f.axis = o->axis;
	f.per_source = o->per_source || o->nsources > 0;
	/* Whole hours: an hour is in range if it overlaps [from, to). */
	f.from = o->from == INT64_MIN ? INT64_MIN :
	    date_bucket(o->from, BUCKET_HOUR);
	f.to = o->to;
	if (o->to != INT64_MAX && date_bucket(o->to, BUCKET_HOUR) != o->to)
		f.to = date_bucket(o->to, BUCKET_HOUR) + 3600;
	if (o->nrules > 0) {
		if ((rc = export_ids(&es.rules, o->rules, o->nrules, conf, 0,
		    &rids, &nr, cause)) != 0)
			goto out;
		rc = -1;
		f.rules = rids;
		f.nrules = nr;
	}
	if (o->nsources > 0) {
		if ((rc = export_ids(&es.sources, o->sources, o->nsources,
		    conf, 1, &sids, &ns, cause)) != 0)
			goto out;
		rc = -1;
		f.sources = sids;
		f.nsources = ns;
	}

	if (o->per_source)
		fputs("bucket,source,rule,items,mentions\n", fp);
	else
		fputs("bucket,rule,items,mentions\n", fp);
	/* Names known only to the config have no rows: nothing to read. */
	if ((o->nrules > 0 && nr == 0) || (o->nsources > 0 && ns == 0)) {
		rc = 0;
		goto out;
	}
	if (store_rows(st, &f, export_row_cb, &es, cause) != 0)
		goto out;
	export_flush(&es);
	rc = 0;
out:
	free(rids);
	free(sids);
	free(es.cells);
	export_names_free(&es.rules);
	export_names_free(&es.sources);
	return (rc);
}
