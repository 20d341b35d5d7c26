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

#include <ctype.h>
#include <limits.h>
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

static int
rule_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
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

/*
 * A rule's normalised definition: what decides its counts (name, match
 * patterns in order, excludes sorted), not its label or kind.  Rule-set
 * versions hash these.
 */
void
rule_definition(struct rule *r, struct buf *b)
{
	char	**ex;
	size_t	  i;

	buf_printf(b, "rule %s\n", r->name);
	for (i = 0; i < r->nmatch; i++)
		buf_printf(b, "match %s\n", r->match[i]);
	if (r->nexclude > 0) {
		ex = xreallocarray(NULL, r->nexclude, sizeof *ex);
		memcpy(ex, r->exclude, r->nexclude * sizeof *ex);
		qsort(ex, r->nexclude, sizeof *ex, rule_strcmp);
		for (i = 0; i < r->nexclude; i++)
			buf_printf(b, "exclude %s\n", ex[i]);
		free(ex);
	}
}

/* Compile one pattern; on error a cause naming file:line, key and offset. */
static pcre2_code *
rule_pcre(struct rule *r, const char *key, const char *pat, int line,
    int later, char **cause)
{
	pcre2_code	*re;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];
	uint32_t	 minlen, backref;
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
	/* In the alternation, a later pattern's groups are renumbered. */
	if (later && pcre2_pattern_info(re, PCRE2_INFO_BACKREFMAX,
	    &backref) == 0 && backref > 0) {
		xasprintf(cause, "%s:%d: %s: numbered back-references only "
		    "work in a rule's first match line; use a named group, "
		    "(?<w>...)\\k<w>", r->file, line, key);
		pcre2_code_free(re);
		return (NULL);
	}
	return (re);
}

/*
 * Compile a rule's patterns: each one alone first, so an error names its
 * line, then the alternation that is matched; jit: JIT-compile it too.
 */
int
rule_compile(struct rule *r, int jit, char **cause)
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
		    i > 0, cause)) == NULL) {
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
		    r->exclude_line[i], 0, cause);
		if (p->ex[i] == NULL) {
			r->priv = p;	/* rule_free frees what compiled */
			return (-1);
		}
	}

	/*
	 * Without JIT (not built for this CPU, or turned off so the service
	 * can deny writable-executable memory) pcre2_match interprets.
	 */
	if (jit) {
		pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE);
		for (i = 0; i < r->nexclude; i++)
			pcre2_jit_compile(p->ex[i], PCRE2_JIT_COMPLETE);
	}
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

/*
 * The literal prefilter.  Most rules do not match most items, yet each
 * regex scan costs a pass over the text.  From each pattern we extract a
 * set of literals of which every match must contain one (conservatively:
 * anything we do not understand means "no literal", and the rule always
 * runs); one Aho-Corasick pass over the text, ASCII case-folded, then
 * tells which rules can match at all, and only those run PCRE2.
 */

#define RULE_LIT_MIN	3	/* shorter literals are everywhere */
#define RULE_LIT_MAX	64

/* A set of alternative literals; n == -1: unknown (no usable literal). */
struct rule_lits {
	int	n;
	char	s[8][RULE_LIT_MAX + 1];
};

static int
rule_lits_min(const struct rule_lits *l)
{
	int	i, m = INT_MAX;

	if (l->n <= 0)
		return (0);
	for (i = 0; i < l->n; i++) {
		if ((int)strlen(l->s[i]) < m)
			m = (int)strlen(l->s[i]);
	}
	return (m);
}

/* Prefer the set whose shortest literal is longest, then the smaller set. */
static void
rule_lits_better(struct rule_lits *best, const struct rule_lits *cand)
{
	int	mb = rule_lits_min(best), mc = rule_lits_min(cand);

	if (cand->n <= 0 || mc < RULE_LIT_MIN)
		return;
	if (best->n <= 0 || mc > mb || (mc == mb && cand->n < best->n))
		*best = *cand;
}

/* Parse a quantifier at p; returns its length, *optional set if min is 0. */
static size_t
rule_quantifier(const char *p, int *optional)
{
	const char	*q = p;

	*optional = 0;
	if (*q == '?' || *q == '*')
		*optional = 1;
	else if (*q == '+')
		;
	else if (*q == '{') {
		q++;
		if (!isdigit((u_char)*q))
			return (0);
		*optional = atoi(q) == 0;
		while (isdigit((u_char)*q))
			q++;
		if (*q == ',') {
			q++;
			while (isdigit((u_char)*q))
				q++;
		}
		if (*q != '}')
			return (0);
	} else
		return (0);
	q++;
	if (*q == '?' || *q == '+')	/* lazy, possessive */
		q++;
	return (q - p);
}

/* The end of a bracketed class starting at p ('['), or NULL. */
static const char *
rule_class_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '[' && p[1] == ':') {
			const char *e = strstr(p, ":]");

			if (e == NULL)
				return (NULL);
			p = e + 1;
		} else if (*p == ']')
			return (p + 1);
	}
	return (NULL);
}

/* The end of a group starting at p ('('), or NULL. */
static const char *
rule_group_end(const char *p)
{
	int	depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '[') {
			if ((p = rule_class_end(p)) == NULL)
				return (NULL);
			p--;
		} else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return (p + 1);
	}
	return (NULL);
}

static void	rule_extract(const char *, size_t, int, struct rule_lits *);

/* Literals of an alternation a|b|c at top level of [p, p + len). */
static void
rule_extract_alt(const char *p, size_t len, int depth, struct rule_lits *out)
{
	struct rule_lits	 branch;
	const char		*end = p + len, *q, *start = p, *g;
	int			 i;

	out->n = 0;
	for (q = p; q <= end; q++) {
		if (q < end && *q == '\\' && q + 1 < end) {
			q++;
			continue;
		}
		if (q < end && *q == '[') {
			if ((g = rule_class_end(q)) == NULL || g > end) {
				out->n = -1;
				return;
			}
			q = g - 1;
			continue;
		}
		if (q < end && *q == '(') {
			if ((g = rule_group_end(q)) == NULL || g > end) {
				out->n = -1;
				return;
			}
			q = g - 1;
			continue;
		}
		if (q < end && *q != '|')
			continue;
		rule_extract(start, q - start, depth + 1, &branch);
		if (branch.n <= 0 || rule_lits_min(&branch) < RULE_LIT_MIN ||
		    out->n + branch.n > (int)nitems(out->s)) {
			out->n = -1;
			return;
		}
		for (i = 0; i < branch.n; i++)
			memcpy(out->s[out->n++], branch.s[i], sizeof branch.s[i]);
		start = q + 1;
	}
}

/*
 * Literals of which every match of [p, p + len) contains one: the best of
 * the required items of this concatenation (a run of literal characters,
 * or a group whose own set is known).
 */
static void
rule_extract(const char *p, size_t len, int depth, struct rule_lits *best)
{
	struct rule_lits	 run, grp;
	const char		*end = p + len, *g, *q;
	size_t			 n, rl = 0;
	int			 optional, c;

	best->n = 0;
	run.n = 0;
	if (depth > 8)
		goto unknown;
	/* A top-level alternation: the union of its branches. */
	for (q = p; q < end; q++) {
		if (*q == '\\' && q + 1 < end)
			q++;
		else if (*q == '[') {
			if ((g = rule_class_end(q)) == NULL)
				goto unknown;
			q = g - 1;
		} else if (*q == '(') {
			if ((g = rule_group_end(q)) == NULL)
				goto unknown;
			q = g - 1;
		} else if (*q == '|') {
			rule_extract_alt(p, len, depth, best);
			return;
		}
	}

#define RUN_END() do {							\
	if (rl > 0) {							\
		run.s[0][rl] = '\0';					\
		run.n = 1;						\
		rule_lits_better(best, &run);				\
	}								\
	rl = 0;								\
} while (0)

	while (p < end) {
		c = (u_char)*p;
		if (c == '\\') {
			if (p + 1 >= end)
				goto unknown;
			c = (u_char)p[1];
			if (strchr("bBAzZG", c) != NULL) {	/* zero width */
				p += 2;
				continue;
			}
			if (strchr("pPxoQEKkgcNu", c) != NULL || isdigit(c))
				goto unknown;
			if (isalnum(c) || c >= 0x80) {	/* \s \w \d \t ... */
				RUN_END();
				p += 2;
				n = rule_quantifier(p, &optional);
				p += n;
				continue;
			}
			p++;	/* an escaped punctuation character: literal */
		} else if (c == '[') {
			if ((g = rule_class_end(p)) == NULL || g > end)
				goto unknown;
			RUN_END();
			p = g;
			p += rule_quantifier(p, &optional);
			continue;
		} else if (c == '(') {
			if ((g = rule_group_end(p)) == NULL || g > end)
				goto unknown;
			if (p[1] == '?' && (p[2] == '#')) {	/* a comment */
				p = g;
				continue;
			}
			if (p[1] == '?' && strchr("=!<(", p[2]) != NULL &&
			    !(p[2] == '<' && p[3] != '=' && p[3] != '!')) {
				/* lookaround, conditional: not required */
				if (p[2] == '(')
					goto unknown;
				RUN_END();
				p = g;
				p += rule_quantifier(p, &optional);
				continue;
			}
			q = p + 1;
			if (*q == '?') {
				/* (?flags) zero width, (?flags:...), (?>...),
				 * (?<name>...), (?P<name>...), (?:...) */
				q++;
				if (*q == 'P')
					q++;
				if (*q == '<' || *q == '\'') {
					while (q < g && *q != '>' && *q != '\'')
						q++;
					q++;
				} else {
					while (q < g && (isalpha((u_char)*q) ||
					    *q == '-' || *q == '^')) {
						if (*q == 'x')
							goto unknown;
						q++;
					}
					if (*q == ')') {	/* (?i) alone */
						p = g;
						continue;
					}
					if (*q == ':' || *q == '>')
						q++;
					else
						goto unknown;
				}
			}
			RUN_END();
			rule_extract(q, (g - 1) - q, depth + 1, &grp);
			if (grp.n < 0)
				grp.n = 0;
			p = g;
			n = rule_quantifier(p, &optional);
			p += n;
			if (!optional)
				rule_lits_better(best, &grp);
			continue;
		} else if (c == '.' ) {
			RUN_END();
			p++;
			p += rule_quantifier(p, &optional);
			continue;
		} else if (c == '^' || c == '$') {
			p++;
			continue;
		} else if (c == '{' || c == '|' || c == ')' || c == '?' ||
		    c == '*' || c == '+')
			goto unknown;
		else if (c >= 0x80) {
			/* Non-ASCII: case folding beyond ASCII; not a literal. */
			RUN_END();
			p++;
			while (p < end && ((u_char)*p & 0xc0) == 0x80)
				p++;
			p += rule_quantifier(p, &optional);
			continue;
		}
		/* A literal character c at p; a quantifier may follow. */
		p++;
		n = rule_quantifier(p, &optional);
		if (n > 0 && optional) {
			RUN_END();
			p += n;
			continue;
		}
		if (rl < RULE_LIT_MAX)
			run.s[0][rl++] = (char)tolower(c);
		if (n > 0) {	/* one or more: the run cannot go on past it */
			RUN_END();
			p += n;
		}
	}
	RUN_END();
	return;
#undef RUN_END
unknown:
	best->n = -1;
}

/* The literal set of one pattern; n <= 0 when there is none to use. */
static void
rule_pattern_lits(const char *pat, struct rule_lits *out)
{
	rule_extract(pat, strlen(pat), 0, out);
	if (out->n > 0 && rule_lits_min(out) < RULE_LIT_MIN)
		out->n = 0;
	if (out->n < 0)
		out->n = 0;
}

/* For tests and `mentionctl -v check`: a rule's literals, or "". */
char *
rule_literals(struct rule *r)
{
	struct rule_lits	  l;
	struct buf		  b;
	char			**seen = NULL;
	size_t			  nseen = 0, i, j;
	int			  k;

	buf_init(&b);
	for (i = 0; i < r->nmatch; i++) {
		rule_pattern_lits(r->match[i], &l);
		if (l.n == 0) {
			b.len = 0;	/* one pattern without: none at all */
			break;
		}
		for (k = 0; k < l.n; k++) {
			for (j = 0; j < nseen; j++) {
				if (strcmp(seen[j], l.s[k]) == 0)
					break;
			}
			if (j < nseen)
				continue;
			seen = xreallocarray(seen, nseen + 1, sizeof *seen);
			seen[nseen++] = xstrdup(l.s[k]);
			buf_printf(&b, "%s%s", b.len > 0 ? " " : "", l.s[k]);
		}
	}
	for (j = 0; j < nseen; j++)
		free(seen[j]);
	free(seen);
	if (b.len == 0) {
		buf_free(&b);
		return (xstrdup(""));
	}
	return (buf_take(&b));
}

/* In the transition table: the target state has outputs. */
#define RULE_OUT	0x80000000U

struct rule_set {
	size_t		  nrules;
	uint8_t		 *always;	/* rules without literals */
	uint8_t		  cls[256];	/* byte -> symbol class */
	int		  nclass;
	uint32_t	 *delta;	/* offset + class -> offset | RULE_OUT */
	uint32_t	 *out;		/* state -> index in outs, or 0 */
	uint32_t	 *outs;		/* rule, rule, ..., UINT32_MAX */
	size_t		  nstates;
	int		  any;		/* some rule has literals */
};

/* Rules whose literal ends at each trie state (fail chains merged in). */
struct rule_outs {
	uint32_t	*v;
	size_t		 n;
};

static void
rule_outs_add(struct rule_outs *o, uint32_t rule)
{
	size_t	i;

	for (i = 0; i < o->n; i++) {
		if (o->v[i] == rule)
			return;
	}
	o->v = xreallocarray(o->v, o->n + 1, sizeof *o->v);
	o->v[o->n++] = rule;
}

/* Build the prefilter for a rule list (compiled or not). */
struct rule_set *
rule_set_new(struct rule **rules, size_t nrules)
{
	struct rule_set		*rs;
	struct rule_lits	 l;
	struct rule_outs	*outs = NULL;
	char			**lit = NULL;
	uint32_t		*litrule = NULL, *next = NULL, *fail, *order;
	uint32_t		 st, nx;
	size_t			 nlit = 0, nst, cap, i, j, k, head, tail, n;
	int			 c, nc, used[256];
	const char		*p;

	rs = xcalloc(1, sizeof *rs);
	rs->nrules = nrules;
	rs->always = xcalloc(nrules + 1, 1);

	/* A rule's literals: the union over its patterns, or it always runs. */
	for (i = 0; i < nrules; i++) {
		size_t first = nlit;

		for (j = 0; j < rules[i]->nmatch; j++) {
			rule_pattern_lits(rules[i]->match[j], &l);
			if (l.n == 0)
				break;
			for (k = 0; k < (size_t)l.n; k++) {
				lit = xreallocarray(lit, nlit + 1, sizeof *lit);
				litrule = xreallocarray(litrule, nlit + 1,
				    sizeof *litrule);
				lit[nlit] = xstrdup(l.s[k]);
				litrule[nlit++] = (uint32_t)i;
			}
		}
		if (rules[i]->nmatch == 0 || j < rules[i]->nmatch) {
			while (nlit > first)
				free(lit[--nlit]);
			rs->always[i] = 1;
		} else
			rs->any = 1;
	}

	/*
	 * Caseless k and s also match U+212A and U+017F (the only such ASCII
	 * letters under UCP): where those appear, every rule runs.  They are
	 * found in the same pass, as literals of a pseudo-rule past the end.
	 */
	if (rs->any) {
		static const char *fold[] = { "\xe2\x84\xaa", "\xc5\xbf" };

		for (k = 0; k < nitems(fold); k++) {
			lit = xreallocarray(lit, nlit + 1, sizeof *lit);
			litrule = xreallocarray(litrule, nlit + 1,
			    sizeof *litrule);
			lit[nlit] = xstrdup(fold[k]);
			litrule[nlit++] = (uint32_t)nrules;
		}
	}

	/* Symbol classes: each (case-folded) literal byte gets its own. */
	memset(used, 0, sizeof used);
	for (i = 0; i < nlit; i++) {
		for (p = lit[i]; *p != '\0'; p++)
			used[(u_char)*p] = 1;
	}
	rs->nclass = nc = 1;
	for (c = 0; c < 256; c++) {
		if (used[c])
			rs->cls[c] = (uint8_t)rs->nclass++;
	}
	nc = rs->nclass;
	for (c = 'A'; c <= 'Z'; c++)
		rs->cls[c] = rs->cls[tolower(c)];

	/* The trie. */
	cap = 64;
	next = xcalloc(cap * nc, sizeof *next);
	outs = xcalloc(cap, sizeof *outs);
	nst = 1;
	for (i = 0; i < nlit; i++) {
		st = 0;
		for (p = lit[i]; *p != '\0'; p++) {
			c = rs->cls[(u_char)*p];
			if ((nx = next[st * nc + c]) == 0) {
				if (nst == cap) {
					next = xreallocarray(next, cap * 2 * nc,
					    sizeof *next);
					memset(next + cap * nc, 0,
					    cap * nc * sizeof *next);
					outs = xreallocarray(outs, cap * 2,
					    sizeof *outs);
					memset(outs + cap, 0, cap * sizeof *outs);
					cap *= 2;
				}
				nx = (uint32_t)nst++;
				next[st * nc + c] = nx;
			}
			st = nx;
		}
		rule_outs_add(&outs[st], litrule[i]);
	}

	/* Breadth first: failure links, outputs, the full transition table. */
	rs->nstates = nst;
	rs->delta = xcalloc(nst * nc, sizeof *rs->delta);
	fail = xcalloc(nst, sizeof *fail);
	order = xcalloc(nst, sizeof *order);
	head = 0;
	tail = 1;	/* order[0] is the root */
	while (head < tail) {
		st = order[head++];
		if (st != 0) {
			for (k = 0; k < outs[fail[st]].n; k++)
				rule_outs_add(&outs[st], outs[fail[st]].v[k]);
		}
		for (c = 1; c < nc; c++) {
			nx = next[st * nc + c];
			if (nx != 0) {
				fail[nx] = st == 0 ? 0 :
				    rs->delta[fail[st] * nc + c];
				rs->delta[st * nc + c] = nx;
				order[tail++] = nx;
			} else
				rs->delta[st * nc + c] = st == 0 ? 0 :
				    rs->delta[fail[st] * nc + c];
		}
	}

	/*
	 * Targets become row offsets (no multiply in the scan loop), flagged
	 * when the target state completes a literal.
	 */
	for (k = 0; k < nst * nc; k++) {
		nx = rs->delta[k];
		rs->delta[k] = nx * nc | (outs[nx].n > 0 ? RULE_OUT : 0);
	}

	rs->out = xcalloc(nst, sizeof *rs->out);
	for (st = 0, n = 1; st < nst; st++)
		n += outs[st].n > 0 ? outs[st].n + 1 : 0;
	rs->outs = xcalloc(n, sizeof *rs->outs);
	for (st = 0, n = 1; st < nst; st++) {
		if (outs[st].n == 0)
			continue;
		rs->out[st] = (uint32_t)n;
		for (k = 0; k < outs[st].n; k++)
			rs->outs[n++] = outs[st].v[k];
		rs->outs[n++] = UINT32_MAX;
		free(outs[st].v);
	}

	for (i = 0; i < nlit; i++)
		free(lit[i]);
	free(lit);
	free(litrule);
	free(next);
	free(outs);
	free(fail);
	free(order);
	return (rs);
}

void
rule_set_free(struct rule_set *rs)
{
	if (rs == NULL)
		return;
	free(rs->always);
	free(rs->delta);
	free(rs->out);
	free(rs->outs);
	free(rs);
}

/*
 * Which rules can match text: maybe[i] is set for each rule that must be
 * run.  Exact in the only direction that matters: a rule left unset has
 * no match in the text.
 */
void
rule_set_scan(const struct rule_set *rs, const char *text, size_t len,
    uint8_t *maybe)
{
	const u_char	*p = (const u_char *)text, *end = p + len;
	const uint32_t	*o;
	uint32_t	 st = 0;
	int		 nclass = rs->nclass;

	if (!rs->any) {
		memset(maybe, 1, rs->nrules);
		return;
	}
	memcpy(maybe, rs->always, rs->nrules);
	for (; p < end; p++) {
		st = rs->delta[(st & ~RULE_OUT) + rs->cls[*p]];
		if (st & RULE_OUT) {
			o = &rs->outs[rs->out[(st & ~RULE_OUT) / nclass]];
			for (; *o != UINT32_MAX; o++) {
				if (*o == rs->nrules) {	/* U+212A, U+017F */
					memset(maybe, 1, rs->nrules);
					return;
				}
				maybe[*o] = 1;
			}
		}
	}
}
