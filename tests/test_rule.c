/*
 * rule.c: PCRE2 rules (SPEC "Rule matching").  A rule's patterns are one
 * alternation with UTF and UCP; mentions are non-overlapping matches left
 * to right; a matching exclude makes the rule count 0 for the text.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mentiond.h"

#define LIMIT		1000000
#define FIRST_LINE	10	/* match i stands on line FIRST_LINE + i */
#define EXCLUDE_LINE	20	/* exclude i on line EXCLUDE_LINE + i */

static void
add_pattern(char ***list, int **lines, size_t *n, const char *pat, int line)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
	(*list)[*n] = xstrdup(pat);
	(*lines)[*n] = line;
	(*n)++;
}

/* A rule "r" from rules.conf:5 with NULL-terminated pattern lists. */
static struct rule *
mkrule(const char *const *match, const char *const *exclude)
{
	struct rule	*r;
	size_t		 i;

	r = rule_new("r", "rules.conf", 5);
	for (i = 0; match != NULL && match[i] != NULL; i++)
		add_pattern(&r->match, &r->match_line, &r->nmatch, match[i],
		    FIRST_LINE + (int)i);
	for (i = 0; exclude != NULL && exclude[i] != NULL; i++)
		add_pattern(&r->exclude, &r->exclude_line, &r->nexclude,
		    exclude[i], EXCLUDE_LINE + (int)i);
	return (r);
}

/* Match scratch with the limit the test asked for (tests run in order). */
static struct rule_scratch	*rs;

/* Build and compile; the test fails if compiling fails. */
static struct rule *
compiled(const char *const *match, const char *const *exclude,
    uint32_t limit)
{
	struct rule	*r;
	char		*cause = NULL;

	rule_scratch_free(rs);
	rs = rule_scratch_new(limit);
	r = mkrule(match, exclude);
	if (rule_compile(r, 1, &cause) != 0)
		fail_msg("rule_compile: %s", cause != NULL ? cause : "?");
	return (r);
}

/* Build, expect compiling to fail, and return the cause. */
static char *
compile_error(const char *const *match, const char *const *exclude)
{
	struct rule	*r;
	char		*cause = NULL;

	r = mkrule(match, exclude);
	if (rule_compile(r, 1, &cause) == 0)
		fail_msg("rule_compile accepted the rule");
	assert_non_null(cause);
	rule_free(r);
	return (cause);
}

static void
contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static int
count(struct rule *r, const char *text, int *vetoed)
{
	return (rule_count(r, rs, text, strlen(text), vetoed));
}

static void
count_is(struct rule *r, const char *text, int want)
{
	int	vetoed = -1, n;

	n = count(r, text, &vetoed);
	if (n != want)
		fail_msg("\"%s\": %d mentions, want %d", text, n, want);
	if (want > 0 && vetoed != 0)
		fail_msg("\"%s\": vetoed flag %d with mentions", text, vetoed);
}

/* Blake Lively is one mention; the Lively inside it is not another. */
static void
test_alternation_counts_non_overlapping_matches(void **state)
{
	static const char	*m[] = { "\\bBlake\\s+Lively\\b",
	    "\\bLively\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "Blake Lively met Lively", 2);
	count_is(r, "Blake   Lively", 1);
	count_is(r, "Lively, Lively and Lively", 3);
	count_is(r, "Blake Livelyish", 0);
	count_is(r, "", 0);
	rule_free(r);
}

/* Leftmost match wins whatever the order of the patterns. */
static void
test_pattern_order_does_not_change_the_count(void **state)
{
	static const char	*m[] = { "\\bLively\\b",
	    "\\bBlake\\s+Lively\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "Blake Lively met Lively", 2);
	count_is(r, "Lively Lively", 2);
	rule_free(r);
}

static void
test_leading_case_flag_is_scoped_to_its_own_pattern(void **state)
{
	static const char	*m[] = { "(?i)\\bfoo\\b", "\\bBar\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "FOO bar", 1);
	count_is(r, "FOO Bar", 2);
	count_is(r, "foo Foo fOO BAR bar", 3);
	rule_free(r);
}

static void
test_matching_is_case_sensitive_by_default(void **state)
{
	static const char	*m[] = { "\\bLively\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "a lively LIVELY crowd", 0);
	count_is(r, "Lively", 1);
	rule_free(r);
}

/* Where two patterns match at one place the match is counted once. */
static void
test_overlapping_patterns_count_once(void **state)
{
	static const char	*m[] = { "\\bab", "\\babc", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "abc abc", 2);
	rule_free(r);
}

/* Matches never overlap each other: "aaaa" holds two "aa", not three. */
static void
test_matches_do_not_overlap(void **state)
{
	static const char	*m[] = { "aa", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "aaaa", 2);
	count_is(r, "aaaaa", 2);
	rule_free(r);
}

static void
test_exclude_vetoes_the_whole_item(void **state)
{
	static const char	*m[] = { "\\bBlake\\s+Lively\\b",
	    "\\bLively\\b", NULL };
	static const char	*x[] = {
	    "(?i)\\blively\\s+(?:debate|discussion|crowd)\\b",
	    "\\bGossip Girl\\b", NULL };
	static const char	*t1 = "Blake Lively, Lively: a lively debate";
	static const char	*t2 = "Blake Lively left Gossip Girl";
	struct rule		*r;
	int			 vetoed = 0;

	(void)state;
	r = compiled(m, x, LIMIT);
	assert_int_equal(count(r, t1, &vetoed), 0);
	assert_int_equal(vetoed, 1);
	assert_int_equal(rule_vetoed_by(r, rs, t1, strlen(t1)), 0);

	vetoed = 0;
	assert_int_equal(count(r, t2, &vetoed), 0);
	assert_int_equal(vetoed, 1);
	assert_int_equal(rule_vetoed_by(r, rs, t2, strlen(t2)), 1);
	rule_free(r);
}

/* An exclude anywhere in the text vetoes, before or after the matches. */
static void
test_exclude_vetoes_wherever_it_stands(void **state)
{
	static const char	*m[] = { "\\bLively\\b", NULL };
	static const char	*x[] = { "\\bdebate\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, x, LIMIT);
	count_is(r, "debate first, then Lively", 0);
	count_is(r, "Lively first, then debate", 0);
	rule_free(r);
}

static void
test_exclude_applies_only_when_it_matches(void **state)
{
	static const char	*m[] = { "\\bLively\\b", NULL };
	static const char	*x[] = {
	    "(?i)\\blively\\s+(?:debate|discussion|crowd)\\b", NULL };
	static const char	*t = "Blake Lively arrived; Lively smiled";
	struct rule		*r;
	int			 vetoed = -1;

	(void)state;
	r = compiled(m, x, LIMIT);
	assert_int_equal(count(r, t, &vetoed), 2);
	assert_int_equal(vetoed, 0);
	assert_int_equal(rule_vetoed_by(r, rs, t, strlen(t)), -1);
	/* "debates" is not the word "debate" */
	count_is(r, "Lively debates", 1);
	rule_free(r);
}

/* UCP: \b and \w know non-ASCII letters, so é is part of a word. */
static void
test_word_boundaries_know_non_ascii_letters(void **state)
{
	static const char	*m[] = { "\\bcaf\xc3\xa9\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "un caf\xc3\xa9 noir", 1);
	count_is(r, "caf\xc3\xa9", 1);
	count_is(r, "caf\xc3\xa9s", 0);
	rule_free(r);
}

/* U+2019 is punctuation: "Lively’s" holds the word Lively; "Livelyé" not. */
static void
test_word_boundary_before_curly_apostrophe(void **state)
{
	static const char	*m[] = { "\\bLively\\b", NULL };
	struct rule		*r;

	(void)state;
	r = compiled(m, NULL, LIMIT);
	count_is(r, "Lively\xe2\x80\x99s new film", 1);
	count_is(r, "\xe2\x80\x9cLively\xe2\x80\x9d", 1);
	count_is(r, "Lively\xc3\xa9", 0);
	count_is(r, "\xc3\xa9Lively", 0);
	rule_free(r);
}

/* UTF: a dot is one character, and offsets are in bytes. */
static void
test_match_bounds_are_byte_offsets(void **state)
{
	static const char	*m[] = { "\\bBlake\\s+Lively\\b",
	    "\\bLively\\b", "caf.\\b", NULL };
	static const char	*t = "Blake Lively met Lively at a caf\xc3\xa9";
	struct rule		*r;
	size_t			 s, e, len = strlen(t);

	(void)state;
	r = compiled(m, NULL, LIMIT);
	assert_int_equal(rule_first(r, rs, t, len, 0, &s, &e), 1);
	assert_int_equal(s, 0);
	assert_int_equal(e, 12);
	assert_int_equal(rule_first(r, rs, t, len, e, &s, &e), 1);
	assert_int_equal(s, 17);
	assert_int_equal(e, 23);
	assert_int_equal(rule_first(r, rs, t, len, e, &s, &e), 1);
	assert_int_equal(s, 29);
	assert_int_equal(e, 34);
	assert_int_equal(rule_first(r, rs, t, len, e, &s, &e), 0);
	rule_free(r);
}

static void
test_compile_error_names_file_line_key_and_offset(void **state)
{
	static const char	*m[] = { "\\bok\\b", "\\bBlake(\\s+Lively",
	    NULL };
	static const char	*ok[] = { "\\bok\\b", NULL };
	static const char	*x[] = { "\\bfine\\b", "[unclosed", NULL };
	char			*cause;

	(void)state;
	cause = compile_error(m, NULL);
	contains(cause, "rules.conf:11");	/* the second match line */
	contains(cause, "match");
	contains(cause, "offset");
	free(cause);

	cause = compile_error(ok, x);
	contains(cause, "rules.conf:21");	/* the second exclude line */
	contains(cause, "exclude");
	contains(cause, "offset");
	free(cause);
}

/* An empty match is never a mention: such a pattern is a config error. */
static void
test_pattern_matching_the_empty_string_is_rejected(void **state)
{
	static const char	*m1[] = { "\\bLively\\b", "a*", NULL };
	static const char	*m2[] = { "(?:Lively)?", NULL };
	static const char	*m3[] = { "\\b", NULL };
	static const char	*ok[] = { "\\bLively\\b", NULL };
	static const char	*x[] = { "x|", NULL };
	char			*cause;

	(void)state;
	cause = compile_error(m1, NULL);
	contains(cause, "rules.conf:11");
	contains(cause, "match");
	free(cause);
	free(compile_error(m2, NULL));
	free(compile_error(m3, NULL));
	cause = compile_error(ok, x);
	contains(cause, "rules.conf:20");
	contains(cause, "exclude");
	free(cause);
}

static void
test_rule_without_match_patterns_is_rejected(void **state)
{
	static const char	*x[] = { "\\bdebate\\b", NULL };
	char			*cause;

	(void)state;
	cause = compile_error(NULL, NULL);
	contains(cause, "rules.conf:5");
	free(cause);
	cause = compile_error(NULL, x);
	contains(cause, "rules.conf:5");
	free(cause);
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
}

/* 30 a's then b: 2^30 ways to fail; the match limit stops it at once. */
static void
test_catastrophic_backtracking_hits_the_limit(void **state)
{
	static const char	*m[] = { "(a+)+$", NULL };
	struct rule		*r;
	struct timespec		 t0;
	char			 text[64];
	int			 vetoed = 0;

	(void)state;
	memset(text, 'a', 30);
	strcpy(text + 30, "b");
	r = compiled(m, NULL, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(count(r, text, &vetoed), RULE_LIMIT);
	if (elapsed(&t0) > 2.0)
		fail_msg("hitting the limit took %.1fs", elapsed(&t0));
	/* the same rule still counts in an ordinary text */
	count_is(r, "aaa", 1);
	rule_free(r);
}

/* An exclude that backtracks catastrophically is a limit, not a veto. */
static void
test_catastrophic_exclude_hits_the_limit(void **state)
{
	static const char	*m[] = { "\\ba", NULL };
	static const char	*x[] = { "(a+)+$", NULL };
	struct rule		*r;
	struct timespec		 t0;
	char			 text[64];
	int			 vetoed = 0;

	(void)state;
	memset(text, 'a', 30);
	strcpy(text + 30, "b");
	r = compiled(m, x, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rule_vetoed_by(r, rs, text, strlen(text)), RULE_LIMIT);
	assert_int_equal(count(r, text, &vetoed), RULE_LIMIT);
	if (elapsed(&t0) > 2.0)
		fail_msg("hitting the limit took %.1fs", elapsed(&t0));
	rule_free(r);
}

/* The literals the prefilter extracts: conservative, never wrong. */
static void
test_prefilter_extracts_required_literals(void **state)
{
	static const struct {
		const char	*pattern;
		const char	*literals;
	} cases[] = {
		{ "\\bBlake\\s+Lively\\b", "lively" },
		{ "(?i)\\b(?:boost|suppress)(?:ing|ed|es)?\\b", "boost suppress" },
		{ "(?i)\\b(?:lawsuits?|sued|suing)\\b", "lawsuit sued suing" },
		{ "\\b(?:Justin\\s+)?Baldoni\\b", "baldoni" },
		{ "(?i)\\bamplif(?:y|ying|ied|ies|ication)\\b", "amplif" },
		{ "colou?r", "colo" },
		{ "[Ll]ively", "ively" },
		{ "caf\xc3\xa9s", "caf" },
		{ "Mr\\. Baldoni", "mr. baldoni" },
		{ "(?<who>Freedman)", "freedman" },
		{ "ab+c", "" },			/* nothing of length 3 */
		{ "foo|ba", "" },		/* one branch too short */
		{ "(?x) foo bar", "" },		/* extended: not understood */
		{ "\\Qfoo\\E", "" },
		{ "(?=Lively)\\w+", "" },	/* a lookahead is not required */
		{ "(?:Lively)?x", "" },		/* optional */
		{ "\\x{e9}tude", "" },
	};
	struct rule	*r;
	char		*l;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		const char	*m[] = { cases[i].pattern, NULL };

		r = mkrule(m, NULL);
		l = rule_literals(r);
		if (strcmp(l, cases[i].literals) != 0)
			fail_msg("%s: literals \"%s\", want \"%s\"",
			    cases[i].pattern, l, cases[i].literals);
		free(l);
		rule_free(r);
	}
}

/* Caseless k matches KELVIN SIGN under UCP: the prefilter must not skip. */
static void
test_prefilter_steps_aside_for_kelvin_and_long_s(void **state)
{
	static const char	*m[] = { "(?i)\\bkiss\\b", NULL };
	static const char	*m2[] = { "(?i)\\bsmear\\b", NULL };
	struct rule		*r[2];
	struct rule_set		*set;
	uint8_t			 maybe[2];
	int			 vetoed;

	(void)state;
	r[0] = compiled(m, NULL, LIMIT);
	r[1] = mkrule(m2, NULL);
	set = rule_set_new(r, 2);
	count_is(r[0], "a \xe2\x84\xaaiss", 1);
	rule_set_scan(set, "a \xe2\x84\xaaiss", 6, maybe);
	assert_int_equal(maybe[0], 1);
	rule_set_scan(set, "\xc5\xbfmear", 6, maybe);
	assert_int_equal(maybe[1], 1);
	rule_set_scan(set, "nothing here", 12, maybe);
	assert_int_equal(maybe[0], 0);
	assert_int_equal(maybe[1], 0);
	(void)vetoed;
	rule_set_free(set);
	rule_free(r[0]);
	rule_free(r[1]);
}

/*
 * The prefilter's one promise: a rule it skips has no match.  Random texts
 * built from pieces of the patterns, in random case, against many rules.
 */
static void
test_prefilter_never_skips_a_rule_that_matches(void **state)
{
	static const char	*pats[] = {
		"\\bBlake\\s+Lively\\b", "\\bLively\\b",
		"(?i)\\b(?:boost|suppress)(?:ing|ed|es)?\\b",
		"(?i)\\bmean[\\s-]girls?\\b", "(?i)\\bkiss(?:es|ed)?\\b",
		"(?i)\\b(?:lawsuits?|sued|suing)\\b", "colou?r",
		"(?i)sexual\\s+harassment", "\\bMr\\. Baldoni\\b",
		"(?i)smear(?:\\s+campaign)?", "[Ww]ayfarer", "ab+c",
	};
	static const char	*pieces[] = {
		"Blake", "Lively", "lively", "boost", "SUPPRESSED", "mean",
		"girl", "-", " ", "  ", "kiss", "KISSES", "lawsuit", "sued",
		"suing", "colour", "color", "sexual", "harassment", "Mr.",
		"Baldoni", "smear", "campaign", "wayfarer", "Wayfarer", "abbbc",
		"x", "\xe2\x84\xaa", "\xc5\xbf", "\xc3\xa9", "\n", ".",
	};
	struct rule	*r[nitems(pats)];
	struct rule_set	*set;
	uint8_t		 maybe[nitems(pats)];
	char		 text[512];
	unsigned	 seed = 12345;
	size_t		 i, k, len;
	int		 vetoed, n, iter, skipped = 0;

	(void)state;
	for (i = 0; i < nitems(pats); i++) {
		const char	*m[] = { pats[i], NULL };

		r[i] = compiled(m, NULL, LIMIT);
	}
	set = rule_set_new(r, nitems(pats));
	for (iter = 0; iter < 20000; iter++) {
		len = 0;
		text[0] = '\0';
		for (k = 0; k < 1 + (size_t)(rand_r(&seed) % 12); k++) {
			const char *p = pieces[rand_r(&seed) % nitems(pieces)];

			if (len + strlen(p) + 1 >= sizeof text)
				break;
			for (; *p != '\0'; p++) {
				int c = (u_char)*p;

				if (c < 0x80 && rand_r(&seed) % 4 == 0)
					c = isupper(c) ? tolower(c) : toupper(c);
				text[len++] = (char)c;
			}
			if (rand_r(&seed) % 2)
				text[len++] = ' ';
			text[len] = '\0';
		}
		rule_set_scan(set, text, len, maybe);
		for (i = 0; i < nitems(pats); i++) {
			if (maybe[i])
				continue;
			skipped++;
			n = rule_count(r[i], rs, text, len, &vetoed);
			if (n != 0)
				fail_msg("prefilter skipped rule %zu (%s) that "
				    "matches \"%s\"", i, pats[i], text);
		}
	}
	/* And it does skip, or it would be no filter. */
	assert_true(skipped > 20000);
	rule_set_free(set);
	for (i = 0; i < nitems(pats); i++)
		rule_free(r[i]);
}

static void
test_rule_new_defaults_label_to_name(void **state)
{
	struct rule	*r;

	(void)state;
	r = rule_new("lively", "x.conf", 7);
	assert_string_equal(r->name, "lively");
	assert_string_equal(r->label, "lively");
	assert_string_equal(r->file, "x.conf");
	assert_int_equal(r->line, 7);
	assert_int_equal(r->nmatch, 0);
	assert_int_equal(r->nexclude, 0);
	rule_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alternation_counts_non_overlapping_matches),
		cmocka_unit_test(test_pattern_order_does_not_change_the_count),
		cmocka_unit_test(
		    test_leading_case_flag_is_scoped_to_its_own_pattern),
		cmocka_unit_test(test_matching_is_case_sensitive_by_default),
		cmocka_unit_test(test_overlapping_patterns_count_once),
		cmocka_unit_test(test_matches_do_not_overlap),
		cmocka_unit_test(test_exclude_vetoes_the_whole_item),
		cmocka_unit_test(test_exclude_vetoes_wherever_it_stands),
		cmocka_unit_test(test_exclude_applies_only_when_it_matches),
		cmocka_unit_test(test_word_boundaries_know_non_ascii_letters),
		cmocka_unit_test(test_word_boundary_before_curly_apostrophe),
		cmocka_unit_test(test_match_bounds_are_byte_offsets),
		cmocka_unit_test(
		    test_compile_error_names_file_line_key_and_offset),
		cmocka_unit_test(
		    test_pattern_matching_the_empty_string_is_rejected),
		cmocka_unit_test(test_rule_without_match_patterns_is_rejected),
		cmocka_unit_test(test_catastrophic_backtracking_hits_the_limit),
		cmocka_unit_test(test_catastrophic_exclude_hits_the_limit),
		cmocka_unit_test(test_rule_new_defaults_label_to_name),
		cmocka_unit_test(test_prefilter_extracts_required_literals),
		cmocka_unit_test(
		    test_prefilter_steps_aside_for_kelvin_and_long_s),
		cmocka_unit_test(
		    test_prefilter_never_skips_a_rule_that_matches),
	};

	return (cmocka_run_group_tests_name("rule", tests, NULL, NULL));
}
