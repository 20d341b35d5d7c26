/*
 * The dashboard: one HTML page rendered on the server from the same
 * reports as the API (the chart is mentionctl plot's SVG, inline).  It
 * needs no script and fetches nothing: a form picks rules, bucket and
 * range, and submitting it loads the page again with those parameters.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mentiond.h"

#define DASH_RANGE	(30 * 86400)	/* shown when no range is asked */
#define DASH_RULES	6		/* charted when no rule is asked */
#define DASH_SPIKES	15
#define DASH_MOVERS	10

static const char dash_css[] =
"*{box-sizing:border-box}"
"body{margin:0;font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,"
"sans-serif;color:#1b1f24;background:#f4f5f7}"
"header{background:#1b2a41;color:#fff;padding:10px 16px;display:flex;"
"flex-wrap:wrap;align-items:baseline;gap:4px 16px}"
"header h1{font-size:18px;margin:0}header span{opacity:.8;font-size:13px}"
"main{display:grid;grid-template-columns:minmax(0,1fr);gap:12px;"
"padding:12px;max-width:1400px;margin:0 auto}"
"section{background:#fff;border:1px solid #dde1e6;border-radius:6px;"
"padding:10px 12px;min-width:0}"
"h2{font-size:15px;margin:0 0 8px}"
"form{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:flex-end}"
"label{display:flex;flex-direction:column;font-size:12px;color:#555}"
"select,input{font:inherit;padding:3px 4px}"
"fieldset{border:1px solid #dde1e6;border-radius:4px;margin:0;"
"padding:4px 8px;max-height:9.5em;overflow:auto;flex:1 1 100%}"
"fieldset label{flex-direction:row;gap:4px;color:#1b1f24;font-size:14px;"
"display:inline-flex;margin:2px 12px 2px 0;white-space:nowrap}"
"legend{font-size:12px;color:#555}"
"button{font:inherit;padding:4px 14px}"
".chart svg{display:block;width:100%;height:auto}"
".links{font-size:13px;margin-top:6px}"
".scroll{overflow:auto;max-height:28em}"
"table{border-collapse:collapse;width:100%;font-size:13px}"
"th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eceff2;"
"vertical-align:top}"
"th{position:sticky;top:0;background:#fff}"
"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
"tr.failing td{background:#fdecea}"
".up{color:#0a6b2d}.down{color:#a11}.muted{color:#777}"
"@media(min-width:1000px){main{grid-template-columns:minmax(0,3fr) "
"minmax(0,2fr)}.wide{grid-column:1/-1}.chart{grid-row:span 2}}"
"@media(max-width:640px){main{padding:6px;gap:8px}"
"section{padding:8px}}";

/* Text for HTML content or a quoted attribute. */
static void
dash_html(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			fputc(*s, fp);
			break;
		}
	}
}

/* A query value, percent-encoded, then HTML-escaped by construction. */
static void
dash_qs(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~:", c) != NULL)
			fputc(c, fp);
		else
			fprintf(fp, "%%%02X", c);
	}
}

/* The page's own query for links: rules, bucket, range and measure. */
static void
dash_query(FILE *fp, const struct report *r, const char *rule)
{
	static const char	*measures[] = { "", "items", "mentions",
				    "share" };
	char			 when[32];
	size_t			 i;

	fputs("bucket=", fp);
	fputs(date_bucket_str(r->o.bucket), fp);
	date_iso(r->o.from, when, sizeof when);
	fputs("&amp;from=", fp);
	dash_qs(fp, when);
	date_iso(r->o.to, when, sizeof when);
	fputs("&amp;to=", fp);
	dash_qs(fp, when);
	if (r->o.measure > 0 && r->o.measure < 4)
		fprintf(fp, "&amp;measure=%s", measures[r->o.measure]);
	if (r->o.axis == STORE_BY_SEEN)
		fputs("&amp;by=seen", fp);
	if (r->o.tz != NULL) {
		fputs("&amp;tz=", fp);
		dash_qs(fp, r->o.tz);
	}
	if (rule != NULL) {
		fputs("&amp;rule=", fp);
		dash_qs(fp, rule);
		return;
	}
	for (i = 0; i < r->o.nrules; i++) {
		fputs("&amp;rule=", fp);
		dash_qs(fp, r->o.rules[i]);
	}
}

static int
dash_selected(const struct report *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->o.nrules; i++) {
		if (strcmp(r->o.rules[i], name) == 0)
			return (1);
	}
	return (0);
}

/* The form: rules as checkboxes grouped by kind, bucket, range, measure. */
static void
dash_form(FILE *fp, const struct report *r, const struct store_name *rules,
    size_t nrules)
{
	static const char	*buckets[] = { "hour", "day", "week", "month" };
	static const char	*measures[] = { "mentions", "items", "share" };
	static const int	 mvals[] = { MEASURE_MENTIONS, MEASURE_ITEMS,
				    MEASURE_SHARE };
	char			 when[32];
	size_t			 i;
	int			 m;

	fputs("<section class=\"wide\"><form method=\"get\" action=\"/\">"
	    "<fieldset><legend>Rules</legend>\n", fp);
	for (i = 0; i < nrules; i++) {
		fputs("<label><input type=\"checkbox\" name=\"rule\" value=\"",
		    fp);
		dash_html(fp, rules[i].name);
		fprintf(fp, "\"%s>", dash_selected(r, rules[i].name) ?
		    " checked" : "");
		dash_html(fp, rules[i].name);
		if (rules[i].kind != NULL && *rules[i].kind != '\0') {
			fputs(" <span class=\"muted\">", fp);
			dash_html(fp, rules[i].kind);
			fputs("</span>", fp);
		}
		fputs("</label>\n", fp);
	}
	fputs("</fieldset><label>Bucket<select name=\"bucket\">", fp);
	for (i = 0; i < nitems(buckets); i++)
		fprintf(fp, "<option%s>%s</option>", (size_t)r->o.bucket == i ?
		    " selected" : "", buckets[i]);
	fputs("</select></label><label>Measure<select name=\"measure\">", fp);
	m = r->o.measure == MEASURE_DEFAULT ? MEASURE_MENTIONS : r->o.measure;
	for (i = 0; i < nitems(measures); i++)
		fprintf(fp, "<option%s>%s</option>", m == mvals[i] ?
		    " selected" : "", measures[i]);
	date_iso(r->o.from, when, sizeof when);
	when[10] = '\0';
	fprintf(fp, "</select></label><label>From<input type=\"date\" "
	    "name=\"from\" value=\"%s\"></label>", when);
	date_iso(r->o.to - 1, when, sizeof when);
	when[10] = '\0';
	/* The form's "to" is a whole day, shown as the last one included. */
	fprintf(fp, "<label>Through<input type=\"date\" name=\"through\" "
	    "value=\"%s\"></label><button type=\"submit\">Show</button>"
	    "</form></section>\n", when);
}

/* The chart, and links to the same numbers as SVG and CSV. */
static void
dash_chart(FILE *fp, struct report *r, struct series *se)
{
	struct buf	 svg;
	const char	*p;

	fputs("<section class=\"chart\"><h2>Trend</h2><div class=\"plot\">\n",
	    fp);
	buf_init(&svg);
	report_plot_svg(r, se, &svg);
	p = svg.data;
	if (strncmp(p, "<?xml", 5) == 0 && (p = strchr(p, '\n')) != NULL)
		p++;
	else
		p = svg.data;
	fputs(p, fp);
	buf_free(&svg);
	fputs("</div><div class=\"links\">Download: <a href=\"/v1/export.csv?", fp);
	dash_query(fp, r, NULL);
	fputs("\">CSV</a> · <a href=\"/v1/export.csv?per-source=1&amp;", fp);
	dash_query(fp, r, NULL);
	fputs("\">CSV per source</a> · <a href=\"/plot.svg?", fp);
	dash_query(fp, r, NULL);
	fputs("\">SVG</a></div></section>\n", fp);
}

static void
dash_movers(FILE *fp, struct report *r, struct store *st, struct conf *conf)
{
	struct report_mover	*mv = NULL;
	struct series		 se;
	char			*cause = NULL, pct[32], span[32];
	size_t			 i, n, shown = 0;

	if (r->since % 86400 == 0)
		snprintf(span, sizeof span, "%lldd", (long long)(r->since /
		    86400));
	else
		snprintf(span, sizeof span, "%lldh", (long long)(r->since /
		    3600));
	fprintf(fp, "<section><h2>Top movers: last %s against the %s before"
	    "</h2>\n", span, span);
	if (report_movers(r, st, conf, &se, &mv, &n, &cause) != 0) {
		fputs("<p class=\"muted\">", fp);
		dash_html(fp, cause);
		fputs("</p></section>\n", fp);
		free(cause);
		export_series_free(&se);
		return;
	}
	fputs("<div class=\"scroll\"><table><thead><tr><th>Rule</th>"
	    "<th class=\"n\">Mentions</th><th class=\"n\">Before</th>"
	    "<th class=\"n\">Change</th></tr></thead><tbody>\n", fp);
	for (i = 0; i < n && shown < DASH_MOVERS; i++) {
		if (mv[i].now == 0 && mv[i].before == 0)
			continue;
		shown++;
		report_change(pct, sizeof pct, &mv[i]);
		fputs("<tr><td><a href=\"/?", fp);
		dash_query(fp, r, mv[i].rule);
		fputs("\">", fp);
		dash_html(fp, mv[i].rule);
		fprintf(fp, "</a></td><td class=\"n\">%lld</td><td class=\"n\">"
		    "%lld</td><td class=\"n %s\">%s</td></tr>\n",
		    (long long)mv[i].now, (long long)mv[i].before,
		    mv[i].now >= mv[i].before ? "up" : "down", pct);
	}
	if (shown == 0)
		fputs("<tr><td colspan=\"4\" class=\"muted\">No mentions in "
		    "either period.</td></tr>\n", fp);
	fputs("</tbody></table></div></section>\n", fp);
	free(mv);
	export_series_free(&se);
}

struct dash_spike {
	int64_t		 when;
	size_t		 rule;
	size_t		 bucket;
	double		 value;
	double		 base;
	double		 score;
};

struct dash_spikes {
	struct dash_spike	*v;
	size_t			 n;
};

static void
dash_spike_cb(struct report *r, struct series *se, size_t ri, size_t b,
    double base, double score, void *arg)
{
	struct dash_spikes	*ds = arg;
	struct dash_spike	*sp;

	(void)r;
	ds->v = xreallocarray(ds->v, ds->n + 1, sizeof *ds->v);
	sp = &ds->v[ds->n++];
	sp->when = se->f->start[b];
	sp->rule = ri;
	sp->bucket = b;
	sp->value = se->values[ri * se->nb + b];
	sp->base = base;
	sp->score = score;
}

/* Latest first; the strongest first within a bucket. */
static int
dash_spike_cmp(const void *a, const void *b)
{
	const struct dash_spike	*x = a, *y = b;

	if (x->when != y->when)
		return (x->when > y->when ? -1 : 1);
	if (x->score != y->score)
		return (x->score > y->score ? -1 : 1);
	return (x->rule < y->rule ? -1 : x->rule > y->rule);
}

static void
dash_spikes(FILE *fp, struct report *r, struct series *all)
{
	struct dash_spikes	 ds;
	char			 when[40], n1[32], n2[32];
	size_t			 i;
	int			 share = r->o.measure == MEASURE_SHARE;

	memset(&ds, 0, sizeof ds);
	report_spikes_each(r, all, dash_spike_cb, &ds);
	if (ds.n > 0)
		qsort(ds.v, ds.n, sizeof *ds.v, dash_spike_cmp);
	fprintf(fp, "<section><h2>Spikes: score %.1f or more over a "
	    "%zu-bucket baseline</h2>\n<div class=\"scroll\"><table><thead>"
	    "<tr><th>Bucket</th><th>Rule</th><th class=\"n\">Count</th>"
	    "<th class=\"n\">Baseline</th><th class=\"n\">Score</th></tr>"
	    "</thead><tbody>\n", r->so.threshold, r->so.window);
	for (i = 0; i < ds.n && i < DASH_SPIKES; i++) {
		frame_label(all->f, ds.v[i].bucket, when, sizeof when);
		if (r->o.bucket != BUCKET_HOUR)
			when[10] = '\0';
		report_number(n1, sizeof n1, ds.v[i].value, share);
		report_number(n2, sizeof n2, ds.v[i].base, share);
		fprintf(fp, "<tr><td>%s</td><td><a href=\"/?", when);
		dash_query(fp, r, all->f->rule[ds.v[i].rule].name);
		fputs("\">", fp);
		dash_html(fp, all->f->rule[ds.v[i].rule].name);
		fprintf(fp, "</a></td><td class=\"n\">%s</td><td class=\"n\">"
		    "%s</td><td class=\"n\">%.1f</td></tr>\n", n1, n2,
		    ds.v[i].score);
	}
	if (ds.n == 0)
		fputs("<tr><td colspan=\"5\" class=\"muted\">No spikes in this "
		    "range.</td></tr>\n", fp);
	fputs("</tbody></table></div></section>\n", fp);
	free(ds.v);
}

struct dash_src {
	char		*name;
	char		*error;
	int		 status;
	int		 failures;
	int64_t		 items;
	int64_t		 last_success;
	int64_t		 last_attempt;
};

struct dash_srcs {
	struct dash_src	*v;
	size_t		 n;
};

static int
dash_src_cb(const struct store_source_row *s, void *arg)
{
	struct dash_srcs	*ds = arg;
	struct dash_src		*d;

	ds->v = xreallocarray(ds->v, ds->n + 1, sizeof *ds->v);
	d = &ds->v[ds->n++];
	d->name = xstrdup(s->name);
	d->error = s->error != NULL ? xstrdup(s->error) : NULL;
	d->status = s->status;
	d->failures = s->failures;
	d->items = s->items;
	d->last_success = s->last_success;
	d->last_attempt = s->last_attempt;
	return (0);
}

/* Failing sources first, the longest failing first; then by name. */
static int
dash_src_cmp(const void *a, const void *b)
{
	const struct dash_src	*x = a, *y = b;

	if ((x->failures > 0) != (y->failures > 0))
		return (x->failures > 0 ? -1 : 1);
	if (x->failures != y->failures)
		return (x->failures > y->failures ? -1 : 1);
	return (strcmp(x->name, y->name));
}

static void
dash_health(FILE *fp, struct store *st)
{
	struct dash_srcs	 ds;
	char			*cause = NULL, ok[32], status[16];
	size_t			 i, failing = 0;
	int64_t			 now = (int64_t)time(NULL);

	memset(&ds, 0, sizeof ds);
	if (store_sources(st, dash_src_cb, &ds, &cause) != 0) {
		fputs("<section class=\"wide\"><h2>Sources</h2><p>", fp);
		dash_html(fp, cause);
		fputs("</p></section>\n", fp);
		free(cause);
	}
	if (ds.n > 0)
		qsort(ds.v, ds.n, sizeof *ds.v, dash_src_cmp);
	for (i = 0; i < ds.n; i++)
		failing += ds.v[i].failures > 0;
	if (cause == NULL) {
		fprintf(fp, "<section class=\"wide\"><h2>Sources: %zu, %zu "
		    "failing</h2>\n<div class=\"scroll\"><table id=\"health\">"
		    "<thead><tr><th>Source</th><th class=\"n\">Status</th>"
		    "<th>Last success</th><th class=\"n\">Failures</th>"
		    "<th class=\"n\">Items</th><th>Error</th></tr></thead>"
		    "<tbody>\n", ds.n, failing);
		for (i = 0; i < ds.n; i++) {
			struct dash_src	*d = &ds.v[i];

			report_age(ok, sizeof ok, d->last_success, now);
			if (d->status != 0)
				snprintf(status, sizeof status, "%d",
				    d->status);
			else
				snprintf(status, sizeof status, "-");
			fprintf(fp, "<tr%s><td>", d->failures > 0 ?
			    " class=\"failing\"" : "");
			dash_html(fp, d->name);
			fprintf(fp, "</td><td class=\"n\">%s</td><td>%s</td>"
			    "<td class=\"n\">%d</td><td class=\"n\">%lld</td>"
			    "<td>", status, ok, d->failures,
			    (long long)d->items);
			if (d->failures > 0)
				dash_html(fp, d->error);
			fputs("</td></tr>\n", fp);
		}
		if (ds.n == 0)
			fputs("<tr><td colspan=\"6\" class=\"muted\">No source "
			    "has been polled yet.</td></tr>\n", fp);
		fputs("</tbody></table></div></section>\n", fp);
	}
	for (i = 0; i < ds.n; i++) {
		free(ds.v[i].name);
		free(ds.v[i].error);
	}
	free(ds.v);
}

/* Sum over buckets per rule, for the default choice of rules. */
struct dash_total {
	const char	*name;
	double		 sum;
};

static int
dash_total_cmp(const void *a, const void *b)
{
	const struct dash_total	*x = a, *y = b;

	if (x->sum != y->sum)
		return (x->sum > y->sum ? -1 : 1);
	return (strcmp(x->name, y->name));
}

/* Unless asked, chart the rules with the most in the range. */
static void
dash_default_rules(struct report *r, struct series *all)
{
	struct dash_total	*t;
	size_t			 i, b;

	t = xcalloc(all->nr + 1, sizeof *t);
	for (i = 0; i < all->nr; i++) {
		t[i].name = all->f->rule[i].name;
		for (b = 0; b < all->nb; b++)
			t[i].sum += all->values[i * all->nb + b];
	}
	qsort(t, all->nr, sizeof *t, dash_total_cmp);
	for (i = 0; i < all->nr && i < DASH_RULES && t[i].sum > 0; i++) {
		r->o.rules = xreallocarray(r->o.rules, r->o.nrules + 1,
		    sizeof *r->o.rules);
		r->o.rules[r->o.nrules++] = xstrdup(t[i].name);
	}
	free(t);
}

/*
 * The range when none is asked: the last 30 days that have data, so a
 * page over a quiet or archived database still shows something.
 */
static int
dash_range(struct report *r, struct store *st, char **cause)
{
	int64_t	first, last, now, end;

	if (r->o.from != INT64_MIN && r->o.to != INT64_MAX)
		return (0);
	if (store_extent(st, r->o.axis, &first, &last, cause) != 0)
		return (-1);
	now = date_bucket((int64_t)time(NULL), BUCKET_HOUR) + 3600;
	if (r->o.to == INT64_MAX) {
		end = last != 0 && last + 3600 < now ? last + 3600 : now;
		r->o.to = date_bucket(end + 86399, BUCKET_DAY);
	}
	if (r->o.from == INT64_MIN)
		r->o.from = r->o.to - DASH_RANGE;
	if (r->o.from >= r->o.to)
		r->o.from = r->o.to - DASH_RANGE;
	return (0);
}

/* The whole page. */
int
dash_run(struct report *r, struct store *st, struct conf *conf, FILE *fp,
    char **cause)
{
	struct series		 all, se;
	struct report		 a;
	struct store_name	*known = NULL;
	struct rule		**rules;
	char			 from[32], to[32];
	size_t			 i, nknown = 0, n;
	int			 rc;

	if (r->o.measure == MEASURE_DEFAULT)
		r->o.measure = MEASURE_MENTIONS;
	if (dash_range(r, st, cause) != 0)
		return (-1);

	/* Every rule over the range: for spikes and the default choice. */
	a = *r;
	a.o.rules = NULL;
	a.o.nrules = 0;
	if ((rc = export_series(st, conf, &a.o, &all, cause)) != 0) {
		export_series_free(&all);
		return (rc);
	}
	if (r->o.nrules == 0)
		dash_default_rules(r, &all);
	if ((rc = export_series(st, conf, &r->o, &se, cause)) != 0) {
		export_series_free(&all);
		export_series_free(&se);
		return (rc);
	}

	/* The picker lists configured rules, then retired ones with data. */
	if (store_names(st, 0, &known, &nknown, cause) != 0) {
		export_series_free(&all);
		export_series_free(&se);
		return (-1);
	}
	n = conf != NULL ? conf->nrules : 0;
	rules = conf != NULL ? conf->rules : NULL;
	{
		struct store_name	*pick;
		size_t			 np = 0;

		pick = xcalloc(n + nknown + 1, sizeof *pick);
		for (i = 0; i < n; i++) {
			pick[np].name = rules[i]->name;
			pick[np++].kind = rules[i]->kind;
		}
		for (i = 0; i < nknown; i++) {
			if (conf == NULL || conf_rule(conf, known[i].name) ==
			    NULL)
				pick[np++] = known[i];
		}
		date_iso(r->o.from, from, sizeof from);
		date_iso(r->o.to - 1, to, sizeof to);
		from[10] = to[10] = '\0';
		fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
		    "content=\"width=device-width,initial-scale=1\">"
		    "<title>mentiond</title><style>%s</style></head><body>\n"
		    "<header><h1>mentiond</h1><span>%s to %s, by %s, %s"
		    "</span></header>\n<main>\n", dash_css, from, to,
		    date_bucket_str(r->o.bucket),
		    r->o.axis == STORE_BY_SEEN ? "when seen" :
		    "when published");
		dash_form(fp, r, pick, np);
		free(pick);
	}
	dash_chart(fp, r, &se);
	dash_movers(fp, r, st, conf);
	dash_spikes(fp, r, &all);
	dash_health(fp, st);
	fprintf(fp, "</main><footer style=\"padding:8px 16px;font-size:12px;"
	    "color:#777\">mentiond %s · <a href=\"/metrics\">metrics</a> · "
	    "<a href=\"/v1/rules.json\">rules</a> · <a href=\"/v1/sources.json"
	    "\">sources</a></footer></body></html>\n", PACKAGE_VERSION);
	store_names_free(known, nknown);
	export_series_free(&all);
	export_series_free(&se);
	return (0);
}
