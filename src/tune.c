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

int
tune_run(struct conf *c, const struct tune_opts *o, const char *body,
    size_t len, FILE *fp)
{
	struct feed		*f;
	struct rule_scratch	*rs;
	struct tune_total	*tot;
	struct buf		 text, label;
	char			*cause = NULL;
	size_t			 i, nitems;

	tot = xcalloc(c->nrules + 1, sizeof *tot);
	rs = rule_scratch_new(c->match_limit);
	buf_init(&text);
	buf_init(&label);
	if ((f = feed_parse(body, len, o->base, &cause)) != NULL) {
		nitems = f->nitems;
		for (i = 0; i < f->nitems; i++) {
			buf_reset(&text);
			feed_item_text(&f->items[i], &text);
			buf_reset(&label);
			buf_printf(&label, "item %zu: %s", i + 1,
			    f->items[i].id);
			if (f->items[i].title[0] != '\0')
				buf_printf(&label, "\n  title: %s",
				    f->items[i].title);
			tune_item(c, o, rs, label.data, text.data, text.len,
			    tot, fp);
		}
		feed_free(f);
	} else {
		/* Not a feed: one plain text, reduced like an item body. */
		free(cause);
		nitems = 1;
		text_plain(&text, body, len);
		buf_printf(&label, "%s (plain text)", o->name);
		tune_item(c, o, rs, label.data, text.data != NULL ? text.data :
		    "", text.len, tot, fp);
	}

	fprintf(fp, "\n%zu item%s\n%-24s %8s %9s %7s\n", nitems,
	    nitems == 1 ? "" : "s", "rule", "items", "mentions", "vetoed");
	for (i = 0; i < c->nrules; i++) {
		if (!tune_selected(o, c->rules[i]))
			continue;
		fprintf(fp, "%-24s %8zu %9llu %7zu\n", c->rules[i]->name,
		    tot[i].items, (unsigned long long)tot[i].mentions,
		    tot[i].vetoed);
	}
	free(tot);
	rule_scratch_free(rs);
	buf_free(&text);
	buf_free(&label);
	return (fflush(fp) == 0 ? EXIT_OK : EXIT_RUNTIME);
}
