/*
 * Reports: what mentionctl prints and the HTTP API serves, from one
 * parameter parser and one writer per report, so that a CSV fetched with
 * curl is byte for byte the one mentionctl writes.  Parameters are named as
 * mentionctl's long options ("per-source", "kind-a"); the API takes the
 * same names as query parameters.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mentiond.h"

#define K(k)	(1U << (k))
#define K_TREND	(K(REPORT_EXPORT) | K(REPORT_COOCCUR) | K(REPORT_COVERAGE) | \
		 K(REPORT_SPIKES) | K(REPORT_PLOT) | K(REPORT_DASHBOARD))

static const struct report_param report_params_all[] = {
	{ "bucket", 1, K_TREND },
	{ "from", 1, K_TREND },
	{ "to", 1, K_TREND | K(REPORT_TOP) },
	{ "rule", 1, K(REPORT_EXPORT) | K(REPORT_COOCCUR) | K(REPORT_SPIKES) |
	    K(REPORT_TOP) | K(REPORT_PLOT) | K(REPORT_DASHBOARD) },
	{ "source", 1, K(REPORT_EXPORT) | K(REPORT_COVERAGE) },
	{ "by", 1, K(REPORT_EXPORT) | K(REPORT_COOCCUR) | K(REPORT_SPIKES) |
	    K(REPORT_TOP) | K(REPORT_PLOT) | K(REPORT_DASHBOARD) },
	{ "tz", 1, K_TREND },
	{ "measure", 1, K(REPORT_EXPORT) | K(REPORT_SPIKES) | K(REPORT_PLOT) |
	    K(REPORT_DASHBOARD) },
	{ "per-source", 0, K(REPORT_EXPORT) },
	{ "totals", 0, K(REPORT_EXPORT) },
	{ "with-version", 0, K(REPORT_EXPORT) },
	{ "format", 1, K(REPORT_EXPORT) | K(REPORT_SPIKES) | K(REPORT_TOP) |
	    K(REPORT_SOURCES) | K(REPORT_RULES) },
	{ "kind-a", 1, K(REPORT_COOCCUR) },
	{ "kind-b", 1, K(REPORT_COOCCUR) },
	{ "window", 1, K(REPORT_SPIKES) | K(REPORT_DASHBOARD) },
	{ "threshold", 1, K(REPORT_SPIKES) | K(REPORT_DASHBOARD) },
	{ "since", 1, K(REPORT_TOP) | K(REPORT_DASHBOARD) },
	{ "limit", 1, K(REPORT_TOP) },
	{ "title", 1, K(REPORT_PLOT) },
	{ "failing", 0, K(REPORT_SOURCES) },
	{ "through", 1, K(REPORT_DASHBOARD) },
	{ NULL, 0, 0 }
};

static const char *report_export_formats[] = { "long", "wide", "ratio",
    "json", NULL };
static const char *report_outs[] = { "table", "csv", "json", NULL };
static const char *report_measures[] = { "", "items", "mentions", "share",
    NULL };

/* The parameters of a kind of report, in the order --help lists them. */
const struct report_param *
report_params(void)
{
	return (report_params_all);
}

int
report_takes(enum report_kind kind, const struct report_param *p)
{
	return ((p->kinds & K(kind)) != 0);
}

void
report_init(struct report *r, enum report_kind kind)
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
	export_opts_init(&r->o);
	r->out = REPORT_TABLE;
	r->so.window = 14;
	r->so.min_window = 7;
	r->so.threshold = 3.5;
	r->since = 86400;
	r->kind_a = "party";
	r->kind_b = "term";
	if (kind == REPORT_PLOT || kind == REPORT_DASHBOARD ||
	    kind == REPORT_TOP)
		r->o.measure = MEASURE_MENTIONS;
	if (kind == REPORT_DASHBOARD)
		r->since = 7 * 86400;
}

void
report_clear(struct report *r)
{
	size_t	i;

	for (i = 0; i < r->o.nrules; i++)
		free(r->o.rules[i]);
	free(r->o.rules);
	for (i = 0; i < r->o.nsources; i++)
		free(r->o.sources[i]);
	free(r->o.sources);
	free(r->tz);
	free(r->title);
	free(r->kind_a_buf);
	free(r->kind_b_buf);
	memset(r, 0, sizeof *r);
}

/* Split "a,b,c" onto the end of a list (rule and source lists). */
void
report_split(const char *arg, char ***list, size_t *n)
{
	char	*copy, *tok, *save;

	copy = xstrdup(arg);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '\0')
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = xstrdup(tok);
	}
	free(copy);
}

/* The index of a keyword in list, or -1 with a cause saying what is. */
static int
report_keyword(const char *arg, const char **list, char **cause)
{
	struct buf	b;
	int		i;

	for (i = 0; list[i] != NULL; i++) {
		if (*list[i] != '\0' && strcmp(list[i], arg) == 0)
			return (i);
	}
	buf_init(&b);
	for (i = 0; list[i] != NULL; i++) {
		if (*list[i] == '\0')
			continue;
		buf_printf(&b, "%s%s", b.len > 0 ? (list[i + 1] == NULL ?
		    " or " : ", ") : "", list[i]);
	}
	xasprintf(cause, "\"%s\" is not %s", arg, b.data);
	buf_free(&b);
	return (-1);
}

/* A switch: given bare (NULL) or as 1/0, yes/no, true/false, on/off. */
static int
report_flag(const char *arg, int *v, char **cause)
{
	static const char	*on[] = { "", "1", "yes", "true", "on", NULL };
	static const char	*off[] = { "0", "no", "false", "off", NULL };
	size_t			 i;

	if (arg == NULL) {
		*v = 1;
		return (0);
	}
	for (i = 0; on[i] != NULL; i++) {
		if (strcasecmp(arg, on[i]) == 0) {
			*v = 1;
			return (0);
		}
	}
	for (i = 0; off[i] != NULL; i++) {
		if (strcasecmp(arg, off[i]) == 0) {
			*v = 0;
			return (0);
		}
	}
	xasprintf(cause, "\"%s\" is not 1 or 0 (yes or no)", arg);
	return (-1);
}

static int
report_time(const char *arg, int64_t *t, char **cause)
{
	if (date_parse_iso8601(arg, t) != 0) {
		xasprintf(cause, "\"%s\" is not an ISO 8601 date or time "
		    "(2025-11-13 or 2025-11-13T05:00:00Z)", arg);
		return (-1);
	}
	return (0);
}

/*
 * Take one parameter.  Returns 0, -1 for a bad value (cause says why, not
 * naming the parameter: the caller knows how the user spelled it), or 1 if
 * the report has no such parameter.
 */
int
report_option(struct report *r, const char *name, const char *arg,
    char **cause)
{
	const struct report_param	*p;
	struct export_opts		*o = &r->o;
	char				*end;
	int				 v;

	for (p = report_params_all; p->name != NULL; p++) {
		if (strcmp(p->name, name) == 0)
			break;
	}
	if (p->name == NULL || !report_takes(r->kind, p))
		return (1);
	if (p->arg && arg == NULL) {
		xasprintf(cause, "needs a value");
		return (-1);
	}
	if (strcmp(name, "bucket") == 0) {
		if (date_bucket_name(arg, &o->bucket) != 0) {
			xasprintf(cause, "\"%s\" is not hour, day, week or "
			    "month", arg);
			return (-1);
		}
	} else if (strcmp(name, "from") == 0)
		return (report_time(arg, &o->from, cause));
	else if (strcmp(name, "to") == 0)
		return (report_time(arg, &o->to, cause));
	else if (strcmp(name, "through") == 0) {
		/* A form's last day, included. */
		if (report_time(arg, &o->to, cause) != 0)
			return (-1);
		o->to = date_bucket(o->to, BUCKET_DAY) + 86400;
	}
	else if (strcmp(name, "rule") == 0)
		report_split(arg, &o->rules, &o->nrules);
	else if (strcmp(name, "source") == 0)
		report_split(arg, &o->sources, &o->nsources);
	else if (strcmp(name, "by") == 0) {
		if (strcmp(arg, "published") == 0)
			o->axis = STORE_BY_PUBLISHED;
		else if (strcmp(arg, "seen") == 0)
			o->axis = STORE_BY_SEEN;
		else {
			xasprintf(cause, "\"%s\" is not published or seen",
			    arg);
			return (-1);
		}
	} else if (strcmp(name, "tz") == 0) {
		free(r->tz);
		r->tz = xstrdup(arg);
		o->tz = r->tz;
	} else if (strcmp(name, "measure") == 0) {
		if ((v = report_keyword(arg, report_measures, cause)) < 0)
			return (-1);
		o->measure = v;
	} else if (strcmp(name, "per-source") == 0)
		return (report_flag(arg, &o->per_source, cause));
	else if (strcmp(name, "totals") == 0)
		return (report_flag(arg, &o->totals, cause));
	else if (strcmp(name, "with-version") == 0)
		return (report_flag(arg, &o->with_version, cause));
	else if (strcmp(name, "failing") == 0)
		return (report_flag(arg, &r->failing, cause));
	else if (strcmp(name, "format") == 0) {
		if (r->kind == REPORT_EXPORT) {
			if ((v = report_keyword(arg, report_export_formats,
			    cause)) < 0)
				return (-1);
			o->format = v;
		} else {
			if ((v = report_keyword(arg, report_outs, cause)) < 0)
				return (-1);
			r->out = v;
		}
	} else if (strcmp(name, "kind-a") == 0) {
		free(r->kind_a_buf);
		r->kind_a = r->kind_a_buf = xstrdup(arg);
	} else if (strcmp(name, "kind-b") == 0) {
		free(r->kind_b_buf);
		r->kind_b = r->kind_b_buf = xstrdup(arg);
	} else if (strcmp(name, "window") == 0) {
		errno = 0;
		r->so.window = strtoul(arg, &end, 10);
		if (*arg == '-' || *end != '\0' || end == arg ||
		    r->so.window < 2 || r->so.window > 10000) {
			xasprintf(cause, "\"%s\" is not a number of buckets "
			    "from 2 to 10000", arg);
			return (-1);
		}
	} else if (strcmp(name, "threshold") == 0) {
		r->so.threshold = strtod(arg, &end);
		if (*end != '\0' || end == arg || !(r->so.threshold > 0) ||
		    r->so.threshold > 1e9) {
			xasprintf(cause, "\"%s\" is not a positive number", arg);
			return (-1);
		}
	} else if (strcmp(name, "since") == 0) {
		if (conf_duration(arg, &r->since) != 0 || r->since < 3600 ||
		    r->since > 3660 * 86400) {
			xasprintf(cause, "\"%s\" is not a duration from an hour "
			    "to ten years (24h, 7d)", arg);
			return (-1);
		}
	} else if (strcmp(name, "limit") == 0) {
		r->limit = strtoul(arg, &end, 10);
		if (*arg == '-' || *end != '\0' || end == arg ||
		    r->limit > 1000000) {
			xasprintf(cause, "\"%s\" is not a number from 0 to "
			    "1000000", arg);
			return (-1);
		}
	} else if (strcmp(name, "title") == 0) {
		free(r->title);
		r->title = xstrdup(arg);
	}
	return (0);
}

/* What the parameters cannot say one at a time; *param names the culprit. */
int
report_check(struct report *r, const char **param, char **cause)
{
	if (r->o.from != INT64_MIN && r->o.to != INT64_MAX &&
	    r->o.from >= r->o.to) {
		*param = "from";
		xasprintf(cause, "from must be before to");
		return (-1);
	}
	if (r->so.min_window > r->so.window)
		r->so.min_window = r->so.window;
	return (0);
}

/*
 * Which parameter a usage error from a report's run is about, for the
 * API's JSON errors (the run only has the message).
 */
const char *
report_cause_param(const char *cause)
{
	if (strncmp(cause, "unknown rule", 12) == 0)
		return ("rule");
	if (strncmp(cause, "unknown source", 14) == 0)
		return ("source");
	if (strncmp(cause, "unknown time zone", 17) == 0)
		return ("tz");
	if (strstr(cause, "ratio") != NULL)
		return ("format");
	return (NULL);
}

const char *
report_content_type(const struct report *r)
{
	switch (r->kind) {
	case REPORT_EXPORT:
		return (r->o.format == EXPORT_JSON ? "application/json" :
		    "text/csv; charset=utf-8");
	case REPORT_COOCCUR:
	case REPORT_COVERAGE:
		return ("text/csv; charset=utf-8");
	case REPORT_PLOT:
		return ("image/svg+xml");
	case REPORT_DASHBOARD:
		return ("text/html; charset=utf-8");
	default:
		break;
	}
	return (r->out == REPORT_JSON ? "application/json" : r->out ==
	    REPORT_CSV ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8");
}

/* A count or score for a table: integers plainly, others to 1 place. */
void
report_number(char *buf, size_t len, double v, int share)
{
	if (share)
		snprintf(buf, len, "%.4f", v);
	else if (v == (double)(int64_t)v)
		snprintf(buf, len, "%lld", (long long)v);
	else
		snprintf(buf, len, "%.1f", v);
}

/* A JSON string, or null. */
static void
report_json_str(FILE *fp, const char *s)
{
	struct buf	b;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	buf_init(&b);
	json_string(&b, s);
	fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}

/* An ISO time as a JSON string, or null for never. */
static void
report_json_time(FILE *fp, int64_t t)
{
	char	when[32];

	if (t == 0) {
		fputs("null", fp);
		return;
	}
	date_iso(t, when, sizeof when);
	fprintf(fp, "\"%s\"", when);
}

/* A row separator for JSON arrays: "[" first, "," after. */
static void
report_json_row(FILE *fp, size_t *n)
{
	fputs(*n == 0 ? "[\n" : ",\n", fp);
	(*n)++;
}

static void
report_json_end(FILE *fp, size_t n)
{
	fputs(n == 0 ? "[]\n" : "\n]\n", fp);
}

/* Spike scores for every rule of the series; calls fn for each spike. */
int
report_spikes_each(struct report *r, struct series *se,
    void (*fn)(struct report *, struct series *, size_t, size_t, double,
    double, void *), void *arg)
{
	double	*base, *score;
	int	*valid;
	size_t	 ri, b, found = 0;

	base = xcalloc(se->nb + 1, sizeof *base);
	score = xcalloc(se->nb + 1, sizeof *score);
	valid = xcalloc(se->nb + 1, sizeof *valid);
	for (ri = 0; ri < se->nr; ri++) {
		spike_scores(&se->values[ri * se->nb], se->nb, &r->so, base,
		    score, valid);
		for (b = 0; b < se->nb; b++) {
			if (!valid[b] || score[b] < r->so.threshold)
				continue;
			found++;
			fn(r, se, ri, b, base[b], score[b], arg);
		}
	}
	free(base);
	free(score);
	free(valid);
	return ((int)found);
}

struct report_out {
	FILE	*fp;
	size_t	 n;
};

static void
report_spike_cb(struct report *r, struct series *se, size_t ri, size_t b,
    double base, double score, void *arg)
{
	struct report_out	*ro = arg;
	FILE			*fp = ro->fp;
	char			 when[40], n1[32], n2[32];
	int			 share = r->o.measure == MEASURE_SHARE;

	frame_label(se->f, b, when, sizeof when);
	report_number(n1, sizeof n1, se->values[ri * se->nb + b], share);
	report_number(n2, sizeof n2, base, share);
	switch (r->out) {
	case REPORT_CSV:
		fprintf(fp, "%s,", when);
		csv_cell(fp, se->f->rule[ri].name);
		fprintf(fp, ",%s,%s,%.2f\n", n1, n2, score);
		break;
	case REPORT_JSON:
		report_json_row(fp, &ro->n);
		fprintf(fp, "{\"bucket\":\"%s\",\"rule\":", when);
		report_json_str(fp, se->f->rule[ri].name);
		fprintf(fp, ",\"count\":%s,\"baseline\":%s,\"score\":%.2f}",
		    n1, n2, score);
		break;
	default:
		fprintf(fp, "%-25s %-20s %10s %10s %7.2f\n", when,
		    se->f->rule[ri].name, n1, n2, score);
		break;
	}
}

static int
report_spikes(struct report *r, struct store *st, struct conf *conf,
    FILE *fp, char **cause)
{
	struct report_out	ro;
	struct series		se;
	int			rc, found;

	if ((rc = export_series(st, conf, &r->o, &se, cause)) != 0) {
		export_series_free(&se);
		return (rc);
	}
	memset(&ro, 0, sizeof ro);
	ro.fp = fp;
	if (r->out == REPORT_CSV)
		fputs("bucket,rule,count,baseline,score\n", fp);
	else if (r->out == REPORT_TABLE)
		fprintf(fp, "%-25s %-20s %10s %10s %7s\n", "BUCKET", "RULE",
		    "COUNT", "BASELINE", "SCORE");
	found = report_spikes_each(r, &se, report_spike_cb, &ro);
	if (r->out == REPORT_JSON)
		report_json_end(fp, ro.n);
	else if (r->out == REPORT_TABLE && found == 0)
		fprintf(fp, "(no bucket scored %.2f or more over a %zu-bucket "
		    "window)\n", r->so.threshold, r->so.window);
	export_series_free(&se);
	return (0);
}

static int
report_mover_cmp(const void *a, const void *b)
{
	const struct report_mover	*x = a, *y = b;
	int64_t				 dx = x->now - x->before;
	int64_t				 dy = y->now - y->before;

	if (dx != dy)
		return (dx > dy ? -1 : 1);
	if (x->now != y->now)
		return (x->now > y->now ? -1 : 1);
	return (strcmp(x->rule, y->rule));
}

/*
 * Mentions per rule in the period `since` ending with the hour of `to` (or
 * the current hour), against the period before, biggest rise first.  The
 * movers point into se, which the caller frees.
 */
int
report_movers(struct report *r, struct store *st, struct conf *conf,
    struct series *se, struct report_mover **out, size_t *nout, char **cause)
{
	struct report_mover	*mv;
	struct export_opts	 o = r->o;
	int64_t			 since, end, split;
	size_t			 ri, b;
	int			 rc;

	since = (r->since + 3599) / 3600 * 3600;	/* whole hours */
	end = r->o.to != INT64_MAX ? date_bucket(r->o.to - 1, BUCKET_HOUR) :
	    date_bucket((int64_t)time(NULL), BUCKET_HOUR);
	end += 3600;
	split = end - since;
	o.bucket = BUCKET_HOUR;
	o.tz = NULL;
	o.from = end - 2 * since;
	o.to = end;
	o.measure = MEASURE_MENTIONS;
	o.nsources = 0;
	if ((rc = export_series(st, conf, &o, se, cause)) != 0)
		return (rc);
	mv = xcalloc(se->nr + 1, sizeof *mv);
	for (ri = 0; ri < se->nr; ri++) {
		mv[ri].rule = se->f->rule[ri].name;
		mv[ri].label = se->f->rule[ri].label;
		for (b = 0; b < se->nb; b++) {
			if (se->f->start[b] >= split)
				mv[ri].now += se->mentions[ri * se->nb + b];
			else
				mv[ri].before += se->mentions[ri * se->nb + b];
		}
	}
	qsort(mv, se->nr, sizeof *mv, report_mover_cmp);
	*out = mv;
	*nout = se->nr;
	return (0);
}

/* "+40%", or "new" when there was nothing before. */
void
report_change(char *buf, size_t len, const struct report_mover *m)
{
	if (m->before == 0)
		snprintf(buf, len, "new");
	else
		snprintf(buf, len, "%+.0f%%", 100.0 * (double)(m->now -
		    m->before) / (double)m->before);
}

static int
report_top(struct report *r, struct store *st, struct conf *conf, FILE *fp,
    char **cause)
{
	struct report_mover	*mv = NULL;
	struct series		 se;
	char			 pct[32];
	size_t			 i, n, shown = 0, rows = 0;
	int			 rc;

	if ((rc = report_movers(r, st, conf, &se, &mv, &n, cause)) != 0) {
		export_series_free(&se);
		return (rc);
	}
	if (r->out == REPORT_CSV)
		fputs("rule,count,previous,change\n", fp);
	else if (r->out == REPORT_TABLE)
		fprintf(fp, "%-24s %9s %9s %9s %8s\n", "RULE", "COUNT",
		    "PREVIOUS", "CHANGE", "");
	for (i = 0; i < n; i++) {
		if (mv[i].now == 0 && mv[i].before == 0)
			continue;
		if (r->limit > 0 && shown++ >= r->limit)
			break;
		switch (r->out) {
		case REPORT_CSV:
			csv_cell(fp, mv[i].rule);
			fprintf(fp, ",%lld,%lld,%lld\n", (long long)mv[i].now,
			    (long long)mv[i].before,
			    (long long)(mv[i].now - mv[i].before));
			break;
		case REPORT_JSON:
			report_json_row(fp, &rows);
			fputs("{\"rule\":", fp);
			report_json_str(fp, mv[i].rule);
			fprintf(fp, ",\"count\":%lld,\"previous\":%lld,"
			    "\"change\":%lld}", (long long)mv[i].now,
			    (long long)mv[i].before,
			    (long long)(mv[i].now - mv[i].before));
			break;
		default:
			report_change(pct, sizeof pct, &mv[i]);
			fprintf(fp, "%-24s %9lld %9lld %+9lld %8s\n",
			    mv[i].rule, (long long)mv[i].now,
			    (long long)mv[i].before,
			    (long long)(mv[i].now - mv[i].before), pct);
			break;
		}
	}
	if (r->out == REPORT_JSON)
		report_json_end(fp, rows);
	free(mv);
	export_series_free(&se);
	return (0);
}

/* The chart of a series: the same SVG for mentionctl plot and the API. */
void
report_plot_svg(struct report *r, struct series *se, struct buf *svg)
{
	struct plot		 p;
	struct plot_series	*ps;
	char			**labels, when[40];
	size_t			 ri, b;

	labels = xcalloc(se->nb + 1, sizeof *labels);
	for (b = 0; b < se->nb; b++) {
		frame_label(se->f, b, when, sizeof when);
		if (r->o.bucket != BUCKET_HOUR)
			when[10] = '\0';	/* dates read better */
		labels[b] = xstrdup(when);
	}
	ps = xcalloc(se->nr + 1, sizeof *ps);
	for (ri = 0; ri < se->nr; ri++) {
		ps[ri].name = se->f->rule[ri].name;
		ps[ri].label = se->f->rule[ri].label;
		ps[ri].values = &se->values[ri * se->nb];
	}
	memset(&p, 0, sizeof p);
	p.title = r->title != NULL ? r->title : r->o.measure == MEASURE_SHARE ?
	    "Share of items" : r->o.measure == MEASURE_ITEMS ?
	    "Items mentioning" : "Mentions";
	p.ylabel = r->o.measure == MEASURE_SHARE ? "share" :
	    r->o.measure == MEASURE_ITEMS ? "items" : "mentions";
	p.buckets = se->f->start;
	p.bucket_labels = (const char **)labels;
	p.n = se->nb;
	p.series = ps;
	p.nseries = se->nr;
	p.percent = r->o.measure == MEASURE_SHARE;
	plot_svg(&p, svg);
	for (b = 0; b < se->nb; b++)
		free(labels[b]);
	free(labels);
	free(ps);
}

static int
report_plot(struct report *r, struct store *st, struct conf *conf, FILE *fp,
    char **cause)
{
	struct series	se;
	struct buf	svg;
	int		rc;

	if ((rc = export_series(st, conf, &r->o, &se, cause)) != 0) {
		export_series_free(&se);
		return (rc);
	}
	buf_init(&svg);
	report_plot_svg(r, &se, &svg);
	fwrite(svg.data, 1, svg.len, fp);
	buf_free(&svg);
	export_series_free(&se);
	return (0);
}

/* "3m ago", "in 2h": ages that read at a glance; "-" for never. */
void
report_age(char *buf, size_t len, int64_t t, int64_t now)
{
	int64_t		 d = now - t;
	const char	*unit = "s";
	int		 future = d < 0;

	if (t == 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (future)
		d = -d;
	if (d >= 2 * 86400) {
		d /= 86400;
		unit = "d";
	} else if (d >= 2 * 3600) {
		d /= 3600;
		unit = "h";
	} else if (d >= 120) {
		d /= 60;
		unit = "m";
	}
	snprintf(buf, len, future ? "in %lld%s" : "%lld%s ago", (long long)d,
	    unit);
}

static void
report_csv_time(FILE *fp, int64_t t)
{
	char	when[32];

	if (t != 0) {
		date_iso(t, when, sizeof when);
		fputs(when, fp);
	}
}

struct report_sources {
	struct report	*r;
	struct conf	*conf;
	FILE		*fp;
	int64_t		 now;
	size_t		 rows;
};

/* One source's health row in the report's format. */
static void
report_source_row(struct report_sources *rs, const struct store_source_row *s,
    int configured)
{
	FILE		*fp = rs->fp;
	char		 last[32], ok[32], due[32], status[16];
	const char	*state;

	switch (rs->r->out) {
	case REPORT_CSV:
		csv_cell(fp, s->name);
		csv_sep(fp);
		csv_cell(fp, s->url != NULL ? s->url : "");
		fprintf(fp, ",%lld,%lld,", (long long)s->polls,
		    (long long)s->items);
		report_csv_time(fp, s->last_attempt);
		csv_sep(fp);
		report_csv_time(fp, s->last_success);
		csv_sep(fp);
		if (s->status != 0)
			csv_int(fp, s->status);
		csv_sep(fp);
		csv_int(fp, s->failures);
		csv_sep(fp);
		report_csv_time(fp, s->next_due);
		csv_sep(fp);
		csv_cell(fp, s->error != NULL ? s->error : "");
		csv_end(fp);
		break;
	case REPORT_JSON:
		report_json_row(fp, &rs->rows);
		fputs("{\"source\":", fp);
		report_json_str(fp, s->name);
		fputs(",\"url\":", fp);
		report_json_str(fp, s->url);
		fprintf(fp, ",\"configured\":%s,\"polls\":%lld,\"items\":%lld,"
		    "\"last_attempt\":", configured ? "true" : "false",
		    (long long)s->polls, (long long)s->items);
		report_json_time(fp, s->last_attempt);
		fputs(",\"last_success\":", fp);
		report_json_time(fp, s->last_success);
		fputs(",\"status\":", fp);
		if (s->status != 0)
			fprintf(fp, "%d", s->status);
		else
			fputs("null", fp);
		fprintf(fp, ",\"failures\":%d,\"next_due\":", s->failures);
		report_json_time(fp, s->next_due);
		fputs(",\"error\":", fp);
		report_json_str(fp, s->error);
		fputs("}", fp);
		break;
	default:
		report_age(last, sizeof last, s->last_attempt != 0 ?
		    s->last_attempt : s->last_poll, rs->now);
		report_age(ok, sizeof ok, s->last_success, rs->now);
		report_age(due, sizeof due, s->next_due, rs->now);
		if (s->status != 0)
			snprintf(status, sizeof status, "%d", s->status);
		else
			snprintf(status, sizeof status, "-");
		if (!configured)
			state = "(not in config)";
		else if (s->polls == 0 && s->last_attempt == 0)
			state = "never polled";
		else if (s->failures > 0)
			state = s->error != NULL ? s->error : "failing";
		else
			state = "";
		fprintf(fp, "%-20s %6s %10s %10s %4d %8lld %10s  %s\n",
		    s->name, status, last, ok, s->failures,
		    (long long)s->items, due, state);
		break;
	}
}

static int
report_source_cb(const struct store_source_row *s, void *arg)
{
	struct report_sources	*rs = arg;

	if (rs->r->failing && s->failures == 0)
		return (0);
	report_source_row(rs, s, rs->conf == NULL ||
	    conf_source(rs->conf, s->name) != NULL);
	return (0);
}

/* Each source's health; sources configured but never polled come last. */
int
report_sources_write(struct report *r, struct store *st, struct conf *conf,
    FILE *fp, char **cause)
{
	struct report_sources	 rs;
	struct store_source_row	 row;
	int64_t			 id;
	size_t			 i;

	memset(&rs, 0, sizeof rs);
	rs.r = r;
	rs.conf = conf;
	rs.fp = fp;
	rs.now = (int64_t)time(NULL);
	if (r->out == REPORT_CSV)
		fputs("source,url,polls,items,last_attempt,last_success,"
		    "status,failures,next_due,error\n", fp);
	else if (r->out == REPORT_TABLE)
		fprintf(fp, "%-20s %6s %10s %10s %4s %8s %10s  %s\n", "SOURCE",
		    "STATUS", "LAST POLL", "LAST OK", "FAIL", "ITEMS", "NEXT",
		    "ERROR");
	if (store_sources(st, report_source_cb, &rs, cause) != 0)
		return (-1);
	for (i = 0; !r->failing && conf != NULL && i < conf->nsources; i++) {
		if (store_lookup_source(st, conf->sources[i]->name, &id) == 0)
			continue;
		memset(&row, 0, sizeof row);
		row.name = conf->sources[i]->name;
		row.url = conf->sources[i]->url;
		report_source_row(&rs, &row, 1);
	}
	if (r->out == REPORT_JSON)
		report_json_end(fp, rs.rows);
	return (0);
}

/* The rules: the configured ones, then any only the database remembers. */
static int
report_rules(struct report *r, struct store *st, struct conf *conf, FILE *fp,
    char **cause)
{
	struct store_name	*known = NULL;
	struct rule		*ru;
	size_t			 nknown = 0, i, j, rows = 0;
	int			 rc = 0;

	if (st != NULL && store_names(st, 0, &known, &nknown, cause) != 0)
		return (-1);
	if (r->out == REPORT_CSV)
		fputs("rule,kind,label,configured\n", fp);
	else if (r->out == REPORT_TABLE)
		fprintf(fp, "%-24s %-10s %-11s %s\n", "RULE", "KIND",
		    "CONFIGURED", "LABEL");
	for (i = 0; conf != NULL && i < conf->nrules; i++) {
		ru = conf->rules[i];
		switch (r->out) {
		case REPORT_CSV:
			csv_cell(fp, ru->name);
			csv_sep(fp);
			csv_cell(fp, ru->kind != NULL ? ru->kind : "");
			csv_sep(fp);
			csv_cell(fp, ru->label != NULL ? ru->label : "");
			fputs(",yes\n", fp);
			break;
		case REPORT_JSON:
			report_json_row(fp, &rows);
			fputs("{\"rule\":", fp);
			report_json_str(fp, ru->name);
			fputs(",\"kind\":", fp);
			report_json_str(fp, ru->kind);
			fputs(",\"label\":", fp);
			report_json_str(fp, ru->label);
			fputs(",\"configured\":true,\"match\":[", fp);
			for (j = 0; j < ru->nmatch; j++) {
				if (j > 0)
					fputc(',', fp);
				report_json_str(fp, ru->match[j]);
			}
			fputs("],\"exclude\":[", fp);
			for (j = 0; j < ru->nexclude; j++) {
				if (j > 0)
					fputc(',', fp);
				report_json_str(fp, ru->exclude[j]);
			}
			fputs("]}", fp);
			break;
		default:
			fprintf(fp, "%-24s %-10s %-11s %s\n", ru->name,
			    ru->kind != NULL ? ru->kind : "-", "yes",
			    ru->label != NULL ? ru->label : "");
			break;
		}
	}
	for (i = 0; i < nknown; i++) {
		if (conf != NULL && conf_rule(conf, known[i].name) != NULL)
			continue;
		switch (r->out) {
		case REPORT_CSV:
			csv_cell(fp, known[i].name);
			csv_sep(fp);
			csv_cell(fp, known[i].kind != NULL ? known[i].kind : "");
			csv_sep(fp);
			csv_cell(fp, known[i].label != NULL ? known[i].label :
			    "");
			fputs(",no\n", fp);
			break;
		case REPORT_JSON:
			report_json_row(fp, &rows);
			fputs("{\"rule\":", fp);
			report_json_str(fp, known[i].name);
			fputs(",\"kind\":", fp);
			report_json_str(fp, known[i].kind);
			fputs(",\"label\":", fp);
			report_json_str(fp, known[i].label);
			fputs(",\"configured\":false,\"match\":[],"
			    "\"exclude\":[]}", fp);
			break;
		default:
			fprintf(fp, "%-24s %-10s %-11s %s\n", known[i].name,
			    known[i].kind != NULL ? known[i].kind : "-", "no",
			    known[i].label != NULL ? known[i].label : "");
			break;
		}
	}
	if (r->out == REPORT_JSON)
		report_json_end(fp, rows);
	store_names_free(known, nknown);
	return (rc);
}

/*
 * Write report r to fp.  Returns 0, -1 on a runtime failure or -2 on a
 * usage error found only against the data (an unknown rule), with a cause.
 * A write error on fp is a runtime failure.
 */
int
report_run(struct report *r, struct store *st, struct conf *conf, FILE *fp,
    char **cause)
{
	int	rc;

	switch (r->kind) {
	case REPORT_EXPORT:
		rc = export_run(st, conf, &r->o, fp, cause);
		break;
	case REPORT_COOCCUR:
		rc = cooccur_run(st, conf, &r->o, r->kind_a, r->kind_b, fp,
		    cause);
		break;
	case REPORT_COVERAGE:
		rc = coverage_run(st, conf, &r->o, fp, cause);
		break;
	case REPORT_SPIKES:
		rc = report_spikes(r, st, conf, fp, cause);
		break;
	case REPORT_TOP:
		rc = report_top(r, st, conf, fp, cause);
		break;
	case REPORT_PLOT:
		rc = report_plot(r, st, conf, fp, cause);
		break;
	case REPORT_SOURCES:
		rc = report_sources_write(r, st, conf, fp, cause);
		break;
	case REPORT_RULES:
		rc = report_rules(r, st, conf, fp, cause);
		break;
	case REPORT_DASHBOARD:
		rc = dash_run(r, st, conf, fp, cause);
		break;
	default:
		fatalx("report_run: kind %d", r->kind);
	}
	if (rc == 0 && (fflush(fp) != 0 || ferror(fp))) {
		xasprintf(cause, "writing: %s", strerror(errno != 0 ? errno :
		    EIO));
		rc = -1;
	}
	return (rc);
}
