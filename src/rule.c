/*
 * Rules (SPEC "Rule matching").  A rule's patterns compile into one PCRE2
 * alternation (?:m1)|(?:m2)|... with UTF and UCP, so a leading (?i) is scoped
 * to its own pattern; its mentions in a text are the non-overlapping
 * left-to-right matches; any matching exclude vetoes the rule for the text.
 * Match and depth limits turn catastrophic backtracking into an error for
 * that one text instead of a hang.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "mentiond.h"

#define RULE_FLAGS	(PCRE2_UTF | PCRE2_UCP)
#define RULE_HEAP_KB	(64 * 1024)	/* interpreter heap per match */
#define RULE_DEPTH	10000

struct rule_priv {
	pcre2_code		 *re;
	pcre2_code		**ex;
};

/*
 * What matching writes to: one per thread.  Compiled rules are read-only
 * and shared; each thread matches with its own scratch.
 */
struct rule_scratch {
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jit;
};

struct rule_scratch *
rule_scratch_new(uint32_t match_limit)
{
	struct rule_scratch	*rs;

	rs = xcalloc(1, sizeof *rs);
	/* One pair: only the whole match is read, never the groups. */
	if ((rs->md = pcre2_match_data_create(1, NULL)) == NULL ||
	    (rs->mctx = pcre2_match_context_create(NULL)) == NULL)
		fatalx("pcre2: out of memory");
	pcre2_set_match_limit(rs->mctx, match_limit);
	pcre2_set_depth_limit(rs->mctx, RULE_DEPTH);
	pcre2_set_heap_limit(rs->mctx, RULE_HEAP_KB);
	if ((rs->jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024,
	    NULL)) != NULL)
		pcre2_jit_stack_assign(rs->mctx, NULL, rs->jit);
	return (rs);
}

void
rule_scratch_free(struct rule_scratch *rs)
{
	if (rs == NULL)
		return;
	pcre2_match_data_free(rs->md);
	pcre2_match_context_free(rs->mctx);
	pcre2_jit_stack_free(rs->jit);
	free(rs);
}

struct rule *
rule_new(const char *name, const char *file, int line)
{
	struct rule	*r;

	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	r->kind = xstrdup("");
	r->label = xstrdup(name);
	r->file = xstrdup(file);
	r->line = line;
	return (r);
}

void
rule_free(struct rule *r)
{
	struct rule_priv	*p;
	size_t			 i;

	if (r == NULL)
		return;
	if ((p = r->priv) != NULL) {
		pcre2_code_free(p->re);
		for (i = 0; i < r->nexclude; i++)
			pcre2_code_free(p->ex[i]);
		free(p->ex);
		free(p);
	}
	for (i = 0; i < r->nmatch; i++)
		free(r->match[i]);
	free(r->match);
	free(r->match_line);
	for (i = 0; i < r->nexclude; i++)
		free(r->exclude[i]);
	free(r->exclude);
	free(r->exclude_line);
	free(r->name);
	free(r->kind);
	free(r->label);
	free(r->file);
	free(r);
}

/* Compile one pattern; on error a cause naming file:line, key and offset. */
static pcre2_code *
rule_pcre(struct rule *r, const char *key, const char *pat, int line,
    char **cause)
{
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];
	uint32_t	 minlen;
	int		 err;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, RULE_FLAGS,
	    &err, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "%s:%d: %s: %s at offset %zu in \"%s\"",
		    r->file, line, key, (char *)msg, (size_t)off, pat);
		return (NULL);
	}
	if (pcre2_pattern_info(re, PCRE2_INFO_MINLENGTH, &minlen) == 0 &&
	    minlen == 0) {
		xasprintf(cause, "%s:%d: %s: pattern \"%s\" can match an empty "
		    "string, which is never a mention", r->file, line, key,
		    pat);
		pcre2_code_free(re);
		return (NULL);
	}
	return (re);
}

/*
 * Compile a rule's patterns: each one alone first, so an error names its
 * line, then the alternation that is matched.
 */
int
rule_compile(struct rule *r, char **cause)
{
	struct rule_priv	*p;
	pcre2_code		*re;
	struct buf		 alt;
	PCRE2_SIZE		 off;
	PCRE2_UCHAR		 msg[256];
	size_t			 i;
	int			 err;

	if (r->nmatch == 0) {
		xasprintf(cause, "%s:%d: rule \"%s\" has no match pattern",
		    r->file, r->line, r->name);
		return (-1);
	}
	buf_init(&alt);
	for (i = 0; i < r->nmatch; i++) {
		if ((re = rule_pcre(r, "match", r->match[i], r->match_line[i],
		    cause)) == NULL) {
			buf_free(&alt);
			return (-1);
		}
		pcre2_code_free(re);
		buf_printf(&alt, "%s(?:%s)", i == 0 ? "" : "|", r->match[i]);
	}

	p = xcalloc(1, sizeof *p);
	p->re = pcre2_compile((PCRE2_SPTR)alt.data, alt.len, RULE_FLAGS, &err,
	    &off, NULL);
	buf_free(&alt);
	if (p->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof msg);
		xasprintf(cause, "%s:%d: rule \"%s\": its patterns do not "
		    "combine into one alternation: %s", r->file, r->line,
		    r->name, (char *)msg);
		free(p);
		return (-1);
	}
	p->ex = xcalloc(r->nexclude + 1, sizeof *p->ex);
	for (i = 0; i < r->nexclude; i++) {
		p->ex[i] = rule_pcre(r, "exclude", r->exclude[i],
		    r->exclude_line[i], cause);
		if (p->ex[i] == NULL) {
			r->priv = p;	/* rule_free frees what compiled */
			return (-1);
		}
	}

	/* Without JIT (not built for this CPU) pcre2_match interprets. */
	pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
	for (i = 0; i < r->nexclude; i++)
		pcre2_jit_compile(p->ex[i], PCRE2_JIT_COMPLETE);
	r->priv = p;
	return (0);
}

/* One search from off: 1 found, 0 not, RULE_LIMIT on any matching error. */
static int
rule_search(struct rule_scratch *rs, pcre2_code *re, const char *text,
    size_t len, size_t off)
{
	int	rc;

	rc = pcre2_match(re, (PCRE2_SPTR)text, len, off, PCRE2_NO_UTF_CHECK,
	    rs->md, rs->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return (0);
	if (rc < 0)
		return (RULE_LIMIT);
	return (1);
}

/* Index of the first exclude that matches text, -1 if none, or RULE_LIMIT. */
int
rule_vetoed_by(struct rule *r, struct rule_scratch *rs, const char *text,
    size_t len)
{
	struct rule_priv	*p = r->priv;
	size_t			 i;
	int			 rc;

	for (i = 0; i < r->nexclude; i++) {
		if ((rc = rule_search(rs, p->ex[i], text, len, 0)) == RULE_LIMIT)
			return (RULE_LIMIT);
		if (rc == 1)
			return ((int)i);
	}
	return (-1);
}

/*
 * The next non-empty match at or after off: 1 with its bounds, 0 if none,
 * RULE_LIMIT if a limit was hit.  text must be valid UTF-8.
 */
int
rule_first(struct rule *r, struct rule_scratch *rs, const char *text,
    size_t len, size_t off, size_t *start, size_t *end)
{
	struct rule_priv	*p = r->priv;
	PCRE2_SIZE		*ov;
	int			 rc;

	while (off <= len) {
		if ((rc = rule_search(rs, p->re, text, len, off)) != 1)
			return (rc);
		ov = pcre2_get_ovector_pointer(rs->md);
		if (ov[1] > ov[0]) {
			*start = ov[0];
			*end = ov[1];
			return (1);
		}
		/* An empty match is no mention: step one character on. */
		off = ov[0] + 1;
		while (off < len && ((u_char)text[off] & 0xc0) == 0x80)
			off++;
	}
	return (0);
}

/*
 * A rule's mentions in a text (valid UTF-8): the number of non-overlapping
 * matches, 0 if an exclude vetoes it (*vetoed set), or RULE_LIMIT.
 */
int
rule_count(struct rule *r, struct rule_scratch *rs, const char *text,
    size_t len, int *vetoed)
{
	size_t	off, s, e;
	int	n, rc;

	*vetoed = 0;
	/* Most texts do not match at all: look for a match before excludes. */
	if ((rc = rule_first(r, rs, text, len, 0, &s, &e)) != 1)
		return (rc);
	if (r->nexclude != 0) {
		if ((rc = rule_vetoed_by(r, rs, text, len)) == RULE_LIMIT)
			return (RULE_LIMIT);
		if (rc >= 0) {
			*vetoed = 1;
			return (0);
		}
	}
	n = 1;
	off = e;
	while ((rc = rule_first(r, rs, text, len, off, &s, &e)) == 1) {
		n++;
		off = e;
	}
	return (rc == RULE_LIMIT ? RULE_LIMIT : n);
}
