/*
 * mentionctl test-rules: where each rule matches, item by item, with the
 * match shown in context (highlighted on a terminal, >>like this<<
 * otherwise), which exclude vetoed a rule, and per-rule totals.  Input that
 * is not a feed is taken as one plain text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

#define TUNE_CONTEXT	40	/* bytes of context either side */
#define TUNE_SHOW	5	/* matches shown per rule and item */

struct tune_total {
	size_t		items;
	uint64_t	mentions;
	size_t		vetoed;
};

/* Step back or forward to a UTF-8 character boundary. */
static size_t
tune_boundary(const char *s, size_t len, size_t i, int forward)
{
	while (i > 0 && i < len && ((u_char)s[i] & 0xc0) == 0x80)
		i += forward ? 1 : -1;
	return (i);
}

static void
tune_span(FILE *fp, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		putc(s[i] == '\n' ? ' ' : s[i], fp);
}

static void
tune_context(FILE *fp, const char *text, size_t len, size_t ms, size_t me,
    int color)
{
	size_t	a, b;

	a = ms > TUNE_CONTEXT ? tune_boundary(text, len, ms - TUNE_CONTEXT, 0) :
	    0;
	b = me + TUNE_CONTEXT < len ?
	    tune_boundary(text, len, me + TUNE_CONTEXT, 1) : len;
	fputs("      ", fp);
	if (a > 0)
		fputs("...", fp);
	tune_span(fp, text + a, ms - a);
	fputs(color ? "\033[1;7m" : ">>", fp);
	tune_span(fp, text + ms, me - ms);
	fputs(color ? "\033[0m" : "<<", fp);
	tune_span(fp, text + me, b - me);
	if (b < len)
		fputs("...", fp);
	putc('\n', fp);
}

static int
tune_selected(const struct tune_opts *o, struct rule *r)
{
	size_t	i;

	if (o->nrules == 0)
		return (1);
	for (i = 0; i < o->nrules; i++) {
		if (strcmp(o->rules[i], r->name) == 0)
			return (1);
	}
	return (0);
}

/* One item: every selected rule's matches and vetoes. */
static void
tune_item(struct conf *c, const struct tune_opts *o, struct rule_scratch *rs,
    const char *label, const char *text, size_t len, struct tune_total *tot,
    FILE *fp)
{
	struct rule	*r;
	size_t		 i, off, s, e, shown;
	int		 n, vetoed, ex, rc, any = 0;

	fprintf(fp, "%s\n", label);
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (!tune_selected(o, r))
			continue;
		n = rule_count(r, rs, text, len, &vetoed);
		if (n == RULE_LIMIT) {
			fprintf(fp, "  %s: match limit reached; this rule "
			    "would be skipped for this item\n", r->name);
			any = 1;
			continue;
		}
		if (vetoed) {
			ex = rule_vetoed_by(r, rs, text, len);
			fprintf(fp, "  %s: vetoed by exclude \"%s\"\n", r->name,
			    ex >= 0 ? r->exclude[ex] : "?");
			tot[i].vetoed++;
			any = 1;
			continue;
		}
		if (n == 0)
			continue;
		any = 1;
		tot[i].items++;
		tot[i].mentions += (uint64_t)n;
		fprintf(fp, "  %s: %d mention%s\n", r->name, n,
		    n == 1 ? "" : "s");
		off = 0;
		shown = 0;
		while ((rc = rule_first(r, rs, text, len, off, &s, &e)) == 1) {
			if (shown++ < TUNE_SHOW)
				tune_context(fp, text, len, s, e, o->color);
			off = e;
		}
		if (shown > TUNE_SHOW)
			fprintf(fp, "      (%zu more)\n", shown - TUNE_SHOW);
	}
	if (!any)
		fprintf(fp, "  (no rule matches)\n");
}

/* The items of a body: a feed's, else the body as one plain text. */
struct tune_item {
	char	*label;		/* "item N: id" */
	char	*title;
	char	*text;
	size_t	 len;
};

static size_t
tune_items(const struct tune_opts *o, const char *body, size_t len,
    struct tune_item **out)
{
	struct feed	*f;
	struct buf	 text;
	char		*cause = NULL;
	size_t		 i, n;

	buf_init(&text);
	if ((f = feed_parse(body, len, o->base, &cause)) != NULL) {
		n = f->nitems;
		*out = xcalloc(n + 1, sizeof **out);
		for (i = 0; i < n; i++) {
			buf_reset(&text);
			feed_item_text(&f->items[i], &text);
			xasprintf(&(*out)[i].label, "item %zu: %s", i + 1,
			    f->items[i].id);
			(*out)[i].title = xstrdup(f->items[i].title);
			(*out)[i].len = text.len;
			(*out)[i].text = buf_take(&text);
		}
		feed_free(f);
		return (n);
	}
	/* Not a feed: one plain text, reduced like an item body. */
	free(cause);
	*out = xcalloc(2, sizeof **out);
	text_plain(&text, body, len);
	xasprintf(&(*out)[0].label, "%s (plain text)", o->name);
	(*out)[0].title = xstrdup("");
	(*out)[0].len = text.len;
	(*out)[0].text = buf_take(&text);
	return (1);
}

static void
tune_items_free(struct tune_item *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].label);
		free(v[i].title);
		free(v[i].text);
	}
	free(v);
}

/* A rule's mentions in one item; 0 if there is no such rule. */
static int
tune_count(struct rule *r, struct rule_scratch *rs, const struct tune_item *it)
{
	int	n, vetoed;

	if (r == NULL)
		return (0);
	n = rule_count(r, rs, it->text, it->len, &vetoed);
	return (n == RULE_LIMIT ? 0 : n);
}

/*
 * test-rules --diff: which items each rule gains and loses going from the
 * rules of o->old to the current ones (rules in either config).
 */
static int
tune_diff(struct conf *c, const struct tune_opts *o, struct tune_item *items,
    size_t n, FILE *fp)
{
	struct rule_scratch	*rs;
	struct rule		*now, *was;
	const char		*name;
	size_t			 i, k, nnames, before, after, added, dropped;
	int			 a, b;

	rs = rule_scratch_new(c->match_limit);
	nnames = c->nrules + o->old->nrules;
	fprintf(fp, "%-24s %8s %8s %7s %8s\n", "rule", "before", "after",
	    "added", "dropped");
	for (k = 0; k < nnames; k++) {
		if (k < c->nrules)
			name = c->rules[k]->name;
		else {
			name = o->old->rules[k - c->nrules]->name;
			if (conf_rule(c, name) != NULL)
				continue;	/* listed with the current */
		}
		if (!tune_selected(o, &(struct rule){ .name = (char *)name }))
			continue;
		now = conf_rule(c, name);
		was = conf_rule(o->old, name);
		before = after = added = dropped = 0;
		for (i = 0; i < n; i++) {
			a = tune_count(was, rs, &items[i]);
			b = tune_count(now, rs, &items[i]);
			before += a > 0;
			after += b > 0;
			added += a == 0 && b > 0;
			dropped += a > 0 && b == 0;
		}
		fprintf(fp, "%-24s %8zu %8zu %7zu %8zu%s\n", name, before,
		    after, added, dropped, now == NULL ? "  (removed)" :
		    was == NULL ? "  (new)" : "");
		for (i = 0; i < n && (added > 0 || dropped > 0); i++) {
			a = tune_count(was, rs, &items[i]);
			b = tune_count(now, rs, &items[i]);
			if ((a > 0) == (b > 0))
				continue;
			fprintf(fp, "    %c %s%s%s%s\n", b > 0 ? '+' : '-',
			    items[i].label, *items[i].title != '\0' ? " \"" : "",
			    items[i].title, *items[i].title != '\0' ? "\"" : "");
		}
	}
	rule_scratch_free(rs);
	return (fflush(fp) == 0 ? EXIT_OK : EXIT_RUNTIME);
}

int
tune_run(struct conf *c, const struct tune_opts *o, const char *body,
    size_t len, FILE *fp)
{
	struct tune_item	*items;
	struct rule_scratch	*rs;
	struct tune_total	*tot;
	struct buf		 label;
	size_t			 i, n;
	int			 rc;

	n = tune_items(o, body, len, &items);
	if (o->old != NULL) {
		rc = tune_diff(c, o, items, n, fp);
		tune_items_free(items, n);
		return (rc);
	}
	tot = xcalloc(c->nrules + 1, sizeof *tot);
	rs = rule_scratch_new(c->match_limit);
	buf_init(&label);
	for (i = 0; i < n; i++) {
		buf_reset(&label);
		buf_adds(&label, items[i].label);
		if (*items[i].title != '\0')
			buf_printf(&label, "\n  title: %s", items[i].title);
		tune_item(c, o, rs, label.data, items[i].text, items[i].len,
		    tot, fp);
	}
	fprintf(fp, "\n%zu item%s\n%-24s %8s %9s %7s\n", n, n == 1 ? "" : "s",
	    "rule", "items", "mentions", "vetoed");
	for (i = 0; i < c->nrules; i++) {
		if (!tune_selected(o, c->rules[i]))
			continue;
		fprintf(fp, "%-24s %8zu %9llu %7zu\n", c->rules[i]->name,
		    tot[i].items, (unsigned long long)tot[i].mentions,
		    tot[i].vetoed);
	}
	free(tot);
	rule_scratch_free(rs);
	buf_free(&label);
	tune_items_free(items, n);
	return (fflush(fp) == 0 ? EXIT_OK : EXIT_RUNTIME);
}
