/*
 * Trend exports (SPEC "Trend CSV" and more) from the hourly rollups.
 * Within a frame (see frame.c), hourly cells are read day by day and
 * folded into buckets; a bucket is written as soon as no later day can add
 * to it, so memory stays small whatever the range.  Cost grows with days
 * and rules in range, never with items.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

/* One (source, rule) count inside an open bucket. */
struct export_cell {
	size_t		 src;
	size_t		 rule;
	int64_t		 items;
	int64_t		 mentions;
};

/*
 * An open bucket's counts: dense (one slot per source and rule, so no
 * sorting) unless that grid would be huge, then a list sorted at the end.
 */
struct export_open {
	int64_t			*items;		/* dense: ns x nr */
	int64_t			*mentions;
	struct export_cell	*v;		/* sparse */
	size_t			 n;
	size_t			 cap;
};

#define EXPORT_DENSE_MAX	(4 * 1024 * 1024)	/* slots */

struct export_state {
	struct frame		*f;
	const struct export_opts *o;
	FILE			*fp;
	struct buf		 line;
	int64_t			*total;		/* nb x (per source ? ns : 1) */
	char			**version;	/* per bucket, or NULL */
	struct export_open	*open;		/* per bucket */
	size_t			 flushed;	/* buckets written so far */
	int			 json_first;
	int			 src_rows;	/* reading per-source rows */
	size_t			 width;		/* sources in a bucket: ns or 1 */
	int			 dense;
	char			**qrule;	/* names, CSV-quoted once */
	char			**qsrc;
	size_t			 label_b;	/* the bucket label cached */
	char			 label[40];
};

void
export_opts_init(struct export_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bucket = BUCKET_DAY;
	o->axis = STORE_BY_PUBLISHED;
	o->from = INT64_MIN;
	o->to = INT64_MAX;
	o->format = EXPORT_LONG;
	o->measure = MEASURE_DEFAULT;
}

struct export_vers {
	struct frame	*f;
	char		**v;
};

static void
export_version_cb(int64_t day, const char *hash, void *arg)
{
	struct export_vers	*ev = arg;
	char			 shortened[13];
	size_t			 b;
	char			*old;

	snprintf(shortened, sizeof shortened, "%s", hash);
	for (b = 0; b < ev->f->nb; b++) {
		if (ev->f->start[b + 1] <= day || ev->f->start[b] >= day + 86400)
			continue;	/* the day and the bucket do not meet */
		old = ev->v[b];
		if (old != NULL && strstr(old, shortened) != NULL)
			continue;
		if (old == NULL)
			ev->v[b] = xstrdup(shortened);
		else {
			xasprintf(&ev->v[b], "%s;%s", old, shortened);
			free(old);
		}
	}
}

/* Per bucket, the rule-set versions that produced its counts. */
static char **
export_versions(struct frame *f, char **cause)
{
	struct export_vers	ev;

	ev.f = f;
	ev.v = xcalloc(f->nb + 1, sizeof *ev.v);
	if (store_versions(f->store, f->axis, f->from, f->to,
	    export_version_cb, &ev, cause) != 0) {
		free(ev.v);
		return (NULL);
	}
	return (ev.v);
}

/* A share as text: empty when nothing was ingested (it is undefined). */
static void
export_share(struct buf *b, int64_t part, int64_t whole, int json)
{
	if (whole == 0)
		buf_adds(b, json ? "null" : "");
	else
		buf_printf(b, "%.6g", (double)part / (double)whole);
}

static int64_t
export_total_of(struct export_state *es, size_t b, size_t s)
{
	if (es->total == NULL)
		return (0);
	return (es->total[b * (es->o->per_source ? es->f->nsrc : 1) +
	    (es->o->per_source ? s : 0)]);
}

static void
export_header(struct export_state *es)
{
	const struct export_opts	*o = es->o;
	size_t				 i;

	switch (o->format) {
	case EXPORT_LONG:
		fputs(o->per_source ? "bucket,source,rule,items,mentions" :
		    "bucket,rule,items,mentions", es->fp);
		if (o->measure == MEASURE_SHARE)
			fputs(",total,share", es->fp);
		if (o->with_version)
			fputs(",version", es->fp);
		csv_end(es->fp);
		break;
	case EXPORT_WIDE:
		fputs(o->per_source ? "bucket,source" : "bucket", es->fp);
		for (i = 0; i < es->f->nrule; i++) {
			csv_sep(es->fp);
			csv_cell(es->fp, es->f->rule[i].name);
		}
		if (o->with_version)
			fputs(",version", es->fp);
		csv_end(es->fp);
		break;
	case EXPORT_RATIO:
		fputs("date,count,total_count,ratio", es->fp);
		if (o->with_version)
			fputs(",version", es->fp);
		csv_end(es->fp);
		break;
	case EXPORT_JSON:
		fputc('[', es->fp);
		es->json_first = 1;
		break;
	}
}

/* Bucket labels are asked for row by row: format each once. */
static const char *
export_label(struct export_state *es, size_t b)
{
	if (es->label_b != b + 1) {
		frame_label(es->f, b, es->label, sizeof es->label);
		es->label_b = b + 1;
	}
	return (es->label);
}

static char **
export_quoted(struct frame_col *cols, size_t n)
{
	struct buf	  b;
	char		**q;
	size_t		  i;

	q = xcalloc(n + 1, sizeof *q);
	for (i = 0; i < n; i++) {
		buf_init(&b);
		csv_quote(&b, cols[i].name);
		q[i] = buf_take(&b);
	}
	return (q);
}

static void
export_long_row(struct export_state *es, size_t b, const struct export_cell *c)
{
	const struct export_opts	*o = es->o;
	struct buf			*l = &es->line;
	const char			*when = export_label(es, b);

	buf_reset(l);
	if (o->format == EXPORT_JSON) {
		buf_adds(l, es->json_first ? "\n{\"bucket\":" : ",\n{\"bucket\":");
		es->json_first = 0;
		json_string(l, when);
		if (o->per_source) {
			buf_adds(l, ",\"source\":");
			json_string(l, es->f->src[c->src].name);
		}
		buf_adds(l, ",\"rule\":");
		json_string(l, es->f->rule[c->rule].name);
		buf_printf(l, ",\"items\":%lld,\"mentions\":%lld",
		    (long long)c->items, (long long)c->mentions);
		if (o->measure == MEASURE_SHARE) {
			buf_printf(l, ",\"total\":%lld,\"share\":",
			    (long long)export_total_of(es, b, c->src));
			export_share(l, c->items, export_total_of(es, b, c->src),
			    1);
		}
		if (o->with_version) {
			buf_adds(l, ",\"version\":");
			json_string(l, es->version[b] != NULL ?
			    es->version[b] : "");
		}
		buf_addc(l, '}');
	} else {
		buf_adds(l, when);
		if (o->per_source) {
			buf_addc(l, ',');
			buf_adds(l, es->qsrc[c->src]);
		}
		buf_addc(l, ',');
		buf_adds(l, es->qrule[c->rule]);
		buf_addc(l, ',');
		buf_add_int(l, c->items);
		buf_addc(l, ',');
		buf_add_int(l, c->mentions);
		if (o->measure == MEASURE_SHARE) {
			buf_printf(l, ",%lld,",
			    (long long)export_total_of(es, b, c->src));
			export_share(l, c->items, export_total_of(es, b, c->src),
			    0);
		}
		if (o->with_version) {
			buf_addc(l, ',');
			buf_adds(l, es->version[b] != NULL ? es->version[b] : "");
		}
		buf_addc(l, '\n');
	}
	fwrite(l->data, 1, l->len, es->fp);
}

/* The measured value of one (bucket, source, rule). */
static void
export_measure(struct export_state *es, struct buf *l, size_t b, size_t s,
    const struct export_cell *c)
{
	int64_t	items = c != NULL ? c->items : 0;
	int64_t	mentions = c != NULL ? c->mentions : 0;

	switch (es->o->measure) {
	case MEASURE_ITEMS:
		buf_printf(l, "%lld", (long long)items);
		break;
	case MEASURE_SHARE:
		export_share(l, items, export_total_of(es, b, s), 0);
		break;
	default:
		buf_printf(l, "%lld", (long long)mentions);
		break;
	}
}

static int
export_cell_cmp(const void *a, const void *b)
{
	const struct export_cell	*x = a, *y = b;

	if (x->src != y->src)
		return (x->src < y->src ? -1 : 1);
	return (x->rule < y->rule ? -1 : x->rule > y->rule);
}

/* A dense bucket as the list of its non-zero cells, in (source, rule) order. */
static void
export_undense(struct export_state *es, struct export_open *op)
{
	size_t	s, r, k, nr = es->f->nrule;

	if (op->items == NULL)
		return;
	for (s = 0; s < es->width; s++) {
		for (r = 0; r < nr; r++) {
			k = s * nr + r;
			if (op->items[k] == 0 && op->mentions[k] == 0)
				continue;
			if (op->n == op->cap) {
				op->cap = op->cap == 0 ? 64 : op->cap * 2;
				op->v = xreallocarray(op->v, op->cap,
				    sizeof *op->v);
			}
			op->v[op->n].src = s;
			op->v[op->n].rule = r;
			op->v[op->n].items = op->items[k];
			op->v[op->n++].mentions = op->mentions[k];
		}
	}
}

/* Write bucket b: its cells sorted by (source, rule), dense if asked. */
static void
export_write_bucket(struct export_state *es, size_t b)
{
	struct export_open		*op = &es->open[b];
	const struct export_opts	*o = es->o;
	struct export_cell		*c;
	struct buf			*l = &es->line;
	char				 when[40];
	size_t				 i, j, k, s, nsrc;

	if (es->dense)
		export_undense(es, op);
	else {
		if (op->n > 1)
			qsort(op->v, op->n, sizeof *op->v, export_cell_cmp);
		for (i = 0, j = 0; i < op->n; i++) {	/* merge duplicates */
			if (j > 0 && op->v[j - 1].src == op->v[i].src &&
			    op->v[j - 1].rule == op->v[i].rule) {
				op->v[j - 1].items += op->v[i].items;
				op->v[j - 1].mentions += op->v[i].mentions;
			} else
				op->v[j++] = op->v[i];
		}
		op->n = j;
	}

	switch (o->format) {
	case EXPORT_LONG:
	case EXPORT_JSON:
		for (i = 0; i < op->n; i++) {
			if (op->v[i].items != 0 || op->v[i].mentions != 0)
				export_long_row(es, b, &op->v[i]);
		}
		break;
	case EXPORT_WIDE:
		frame_label(es->f, b, when, sizeof when);
		nsrc = o->per_source ? es->f->nsrc : 1;
		for (s = 0, k = 0; s < nsrc; s++) {
			buf_reset(l);
			buf_adds(l, when);
			if (o->per_source) {
				buf_addc(l, ',');
				csv_quote(l, es->f->src[s].name);
			}
			for (i = 0; i < es->f->nrule; i++) {
				c = NULL;
				if (k < op->n && op->v[k].src == s &&
				    op->v[k].rule == i)
					c = &op->v[k++];
				buf_addc(l, ',');
				export_measure(es, l, b, s, c);
			}
			if (o->with_version) {
				buf_addc(l, ',');
				buf_adds(l, es->version[b] != NULL ?
				    es->version[b] : "");
			}
			buf_addc(l, '\n');
			fwrite(l->data, 1, l->len, es->fp);
		}
		break;
	case EXPORT_RATIO:
		frame_label(es->f, b, when, sizeof when);
		if (es->f->bucket != BUCKET_HOUR)
			when[10] = '\0';	/* a date, as Media Cloud writes */
		buf_reset(l);
		buf_printf(l, "%s,%lld,%lld,", when,
		    (long long)(op->n > 0 ? op->v[0].items : 0),
		    (long long)export_total_of(es, b, 0));
		export_share(l, op->n > 0 ? op->v[0].items : 0,
		    export_total_of(es, b, 0), 0);
		if (o->with_version) {
			buf_addc(l, ',');
			buf_adds(l, es->version[b] != NULL ? es->version[b] : "");
		}
		buf_addc(l, '\n');
		fwrite(l->data, 1, l->len, es->fp);
		break;
	}
	free(op->v);
	free(op->items);
	free(op->mentions);
	memset(op, 0, sizeof *op);
}

/* Write every bucket that ends at or before t (all of them: INT64_MAX). */
static void
export_flush_until(struct export_state *es, int64_t t)
{
	/* A write error (the API's client hung up) ends the export. */
	while (es->flushed < es->f->nb && es->f->start[es->flushed + 1] <= t &&
	    !ferror(es->fp))
		export_write_bucket(es, es->flushed++);
}

static int
export_cell_cb(const struct store_cell *c, void *arg)
{
	struct export_state	*es = arg;
	struct export_open	*op;
	struct export_cell	*x;
	ssize_t			 b, r, s = 0;
	int64_t			 rule = es->o->per_source || es->src_rows ?
				    c->sub : c->owner;

	/* Rows come day by day: earlier buckets are complete. */
	export_flush_until(es, c->hour - c->hour % 86400);
	if (ferror(es->fp))
		return (1);
	if ((b = frame_bucket(es->f, c->hour)) < 0 ||
	    (r = frame_rule(es->f, rule)) < 0)
		return (0);
	if ((es->o->per_source || es->src_rows) &&
	    (s = frame_source(es->f, c->owner)) < 0)
		return (0);
	if (!es->o->per_source)
		s = 0;
	op = &es->open[b];
	if (es->dense) {
		if (op->items == NULL) {
			op->items = xcalloc(es->width * es->f->nrule,
			    sizeof *op->items);
			op->mentions = xcalloc(es->width * es->f->nrule,
			    sizeof *op->mentions);
		}
		op->items[(size_t)s * es->f->nrule + r] += c->v1;
		op->mentions[(size_t)s * es->f->nrule + r] += c->v2;
		return (0);
	}
	if (op->n == op->cap) {
		op->cap = op->cap == 0 ? 32 : op->cap * 2;
		op->v = xreallocarray(op->v, op->cap, sizeof *op->v);
	}
	x = &op->v[op->n++];
	x->src = (size_t)s;
	x->rule = (size_t)r;
	x->items = c->v1;
	x->mentions = c->v2;
	return (0);
}

static int
export_totals_write(struct export_state *es, char **cause)
{
	struct frame	*f = es->f;
	int64_t		*tot;
	char		 when[40];
	size_t		 b, s;

	if ((tot = frame_totals(f, 1, cause)) == NULL)
		return (-1);
	fputs("bucket,source,total\n", es->fp);
	for (b = 0; b < f->nb; b++) {
		frame_label(f, b, when, sizeof when);
		for (s = 0; s < f->nsrc; s++) {
			if (tot[b * f->nsrc + s] == 0)
				continue;
			fprintf(es->fp, "%s,", when);
			csv_cell(es->fp, f->src[s].name);
			fprintf(es->fp, ",%lld\n",
			    (long long)tot[b * f->nsrc + s]);
		}
	}
	free(tot);
	return (0);
}

/*
 * Write the export o asks for to fp.  Returns 0, -1 on a runtime failure
 * or -2 on a usage error (an unknown rule, source or zone), with a cause.
 */
int
export_run(struct store *st, struct conf *conf, const struct export_opts *o,
    FILE *fp, char **cause)
{
	struct frame		 f;
	struct export_state	 es;
	int64_t			*ids = NULL;
	size_t			 nids = 0, b;
	int			 rc;

	if ((rc = frame_open(&f, st, conf, o, cause)) != 0) {
		frame_close(&f);
		return (rc);
	}
	memset(&es, 0, sizeof es);
	es.f = &f;
	es.o = o;
	es.fp = fp;
	buf_init(&es.line);
	rc = -1;
	if (o->totals) {
		rc = export_totals_write(&es, cause);
		goto out;
	}
	if (o->format == EXPORT_RATIO && f.nrule != 1) {
		xasprintf(cause, "format ratio needs exactly one rule");
		rc = -2;
		goto out;
	}
	if ((o->measure == MEASURE_SHARE || o->format == EXPORT_RATIO) &&
	    (es.total = frame_totals(&f, o->per_source, cause)) == NULL)
		goto out;
	if (o->with_version && (es.version = export_versions(&f,
	    cause)) == NULL)
		goto out;
	es.open = xcalloc(f.nb + 1, sizeof *es.open);
	es.width = o->per_source ? f.nsrc : 1;
	es.qrule = export_quoted(f.rule, f.nrule);
	es.qsrc = export_quoted(f.src, f.nsrc);
	es.dense = f.nrule > 0 && es.width * f.nrule <= EXPORT_DENSE_MAX;
	export_header(&es);

	/*
	 * Per source, or summed over chosen sources, the per-source rows are
	 * read; otherwise the per-rule rows, which are far fewer.
	 */
	es.src_rows = o->per_source || f.sources_chosen;
	if (es.src_rows) {
		ids = frame_source_ids(&f, &nids);
		rc = store_cells(st, STORE_T_ROLLUP, o->axis, f.from, f.to,
		    ids, nids, export_cell_cb, &es, cause);
	} else {
		ids = frame_rule_ids(&f, &nids);
		rc = store_cells(st, STORE_T_ROLLUP_RULE, o->axis, f.from,
		    f.to, ids, nids, export_cell_cb, &es, cause);
	}
	if (rc == 0) {
		export_flush_until(&es, INT64_MAX);
		if (o->format == EXPORT_JSON)
			fputs(es.json_first ? "]\n" : "\n]\n", fp);
	}
out:
	free(ids);
	for (b = 0; es.open != NULL && b < f.nb; b++) {
		free(es.open[b].v);
		free(es.open[b].items);
		free(es.open[b].mentions);
	}
	free(es.open);
	for (b = 0; es.version != NULL && b < f.nb; b++)
		free(es.version[b]);
	free(es.version);
	free(es.total);
	for (b = 0; es.qrule != NULL && b < f.nrule; b++)
		free(es.qrule[b]);
	free(es.qrule);
	for (b = 0; es.qsrc != NULL && b < f.nsrc; b++)
		free(es.qsrc[b]);
	free(es.qsrc);
	buf_free(&es.line);
	frame_close(&f);
	return (rc);
}

struct export_series_state {
	struct frame	*f;
	struct series	*s;
};

static int
export_series_cb(const struct store_cell *c, void *arg)
{
	struct export_series_state	*ss = arg;
	ssize_t				 b, r;

	if ((b = frame_bucket(ss->f, c->hour)) < 0 ||
	    (r = frame_rule(ss->f, c->owner)) < 0)
		return (0);
	ss->s->items[(size_t)r * ss->s->nb + b] += c->v1;
	ss->s->mentions[(size_t)r * ss->s->nb + b] += c->v2;
	return (0);
}

/*
 * Dense per-rule series over the buckets of o (summed over sources), for
 * spikes, top movers and plots.  Returns 0, -1 or -2 as export_run.
 */
int
export_series(struct store *st, struct conf *conf, const struct export_opts *o,
    struct series *s, char **cause)
{
	struct export_series_state	 ss;
	struct export_opts		 oo = *o;
	int64_t				*ids, zero = 0;
	size_t				 nids, i;
	int				 rc;

	memset(s, 0, sizeof *s);
	oo.per_source = 0;
	oo.nsources = 0;	/* series are over all sources */
	s->f = xcalloc(1, sizeof *s->f);
	if ((rc = frame_open(s->f, st, conf, &oo, cause)) != 0)
		return (rc);
	s->nb = s->f->nb;
	s->nr = s->f->nrule;
	s->items = xcalloc(s->nb * s->nr + 1, sizeof *s->items);
	s->mentions = xcalloc(s->nb * s->nr + 1, sizeof *s->mentions);
	s->values = xcalloc(s->nb * s->nr + 1, sizeof *s->values);
	ss.f = s->f;
	ss.s = s;
	ids = frame_rule_ids(s->f, &nids);
	rc = store_cells(st, STORE_T_ROLLUP_RULE, o->axis, s->f->from,
	    s->f->to, ids, nids, export_series_cb, &ss, cause);
	free(ids);
	if (rc != 0)
		return (-1);
	if ((s->total = frame_totals(s->f, 0, cause)) == NULL)
		return (-1);
	(void)zero;
	for (i = 0; i < s->nb * s->nr; i++) {
		switch (o->measure) {
		case MEASURE_ITEMS:
			s->values[i] = (double)s->items[i];
			break;
		case MEASURE_SHARE:
			s->values[i] = s->total[i % s->nb] == 0 ? 0 :
			    (double)s->items[i] / (double)s->total[i % s->nb];
			break;
		default:
			s->values[i] = (double)s->mentions[i];
			break;
		}
	}
	return (0);
}

void
export_series_free(struct series *s)
{
	if (s->f != NULL) {
		frame_close(s->f);
		free(s->f);
	}
	free(s->items);
	free(s->mentions);
	free(s->values);
	free(s->total);
	memset(s, 0, sizeof *s);
}
