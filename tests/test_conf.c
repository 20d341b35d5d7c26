/*
 * conf.c, black-box: small configuration files in a temporary directory,
 * loaded with conf_load (SPEC "Configuration").  Every error must name the
 * file and line it is about, and the key where there is one.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mentiond.h"

/* Per test: a fresh directory; *state is its path. */
static int
setup_dir(void **state)
{
	const char	*tmp = getenv("TMPDIR");
	char		*dir;

	xasprintf(&dir, "%s/test_conf.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return (-1);
	}
	*state = dir;
	return (0);
}

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

static int
teardown_dir(void **state)
{
	char	*dir = *state;

	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	return (0);
}

/* dir/rel, malloc'd. */
static char *
path_of(const char *dir, const char *rel)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, rel);
	return (p);
}

static void
mkdir_in(const char *dir, const char *rel)
{
	char	*p = path_of(dir, rel);

	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
	free(p);
}

static void
write_file(const char *dir, const char *rel, const char *text)
{
	char	*p = path_of(dir, rel);
	FILE	*fp;

	if ((fp = fopen(p, "w")) == NULL)
		fail_msg("fopen %s: %s", p, strerror(errno));
	fputs(text, fp);
	fclose(fp);
	free(p);
}

/* Load dir/rel; the test fails unless it loads. */
static struct conf *
load_ok(const char *dir, const char *rel)
{
	struct conf	*c = NULL;
	char		*p = path_of(dir, rel), *cause = NULL;

	if (conf_load(p, &c, &cause) != 0)
		fail_msg("conf_load %s: %s", p, cause != NULL ? cause : "?");
	assert_non_null(c);
	free(p);
	return (c);
}

/* Load dir/rel; the test fails if it loads.  Returns the cause. */
static char *
load_err(const char *dir, const char *rel)
{
	struct conf	*c = NULL;
	char		*p = path_of(dir, rel), *cause = NULL;

	if (conf_load(p, &c, &cause) == 0)
		fail_msg("conf_load %s succeeded", p);
	if (cause == NULL)
		fail_msg("conf_load %s failed without a cause", p);
	free(p);
	return (cause);
}

static void
contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* The cause names "dir/rel:line:". */
static void
names_line(const char *cause, const char *dir, const char *rel, int line)
{
	char	*want;

	xasprintf(&want, "%s/%s:%d:", dir, rel, line);
	contains(cause, want);
	free(want);
}

/* Write the main file, expect an error at its line, with the key named. */
static void
main_error(const char *dir, const char *text, int line, const char *key)
{
	char	*cause;

	write_file(dir, "mentiond.conf", text);
	cause = load_err(dir, "mentiond.conf");
	names_line(cause, dir, "mentiond.conf", line);
	if (key != NULL)
		contains(cause, key);
	free(cause);
}

/* SPEC's example, with a relative database path and non-default values. */
static const char example[] =
    "# mentiond configuration\n"
    "; both comment styles\n"
    "[mentiond]\n"
    "database = db/mentiond.db\n"
    "rules = rules.d/*.conf          ; path or glob, repeatable\n"
    "sources = sources.d/*.conf      ; path or glob, repeatable\n"
    "user_agent = mentiond/1.0 (+https://example.org/contact)\n"
    "max_connections = 32            ; total concurrent transfers\n"
    "max_host_connections = 2        ; per host\n"
    "timeout = 45s\n"
    "max_body = 512K\n"
    "listen =                        ; HTTP API, empty = off\n"
    "\n"
    "[source \"usweekly\"]\n"
    "url = https://www.usmagazine.com/feed/   ; http, https, or file://\n"
    "interval = 15m\n"
    "tags = entertainment, us\n"
    "\n"
    "[rule \"lively\"]\n"
    "\tkind = party                    ; party | term (free-form labels)\n"
    "    label = Blake Lively\n"
    "  match = \\bBlake\\s+Lively\\b      ; PCRE2, repeatable\n"
    "  match = \\bLively\\b\n"
    "  # an indented comment\n"
    "  exclude = (?i)\\blively\\s+(?:debate|discussion|crowd)\\b   ; "
    "repeatable\n"
    "  exclude = \\bGossip Girl\\b\n";

static void
test_spec_example_loads_with_expected_values(void **state)
{
	const char	*dir = *state;
	struct conf	*c;
	struct source	*s;
	struct rule	*r;
	char		*want;
	struct rule_scratch	*rs;
	int		 vetoed;

	mkdir_in(dir, "rules.d");
	mkdir_in(dir, "sources.d");
	write_file(dir, "mentiond.conf", example);
	c = load_ok(dir, "mentiond.conf");

	want = path_of(dir, "db/mentiond.db");
	assert_string_equal(c->database, want);
	free(want);
	assert_string_equal(c->user_agent,
	    "mentiond/1.0 (+https://example.org/contact)");
	assert_int_equal(c->max_connections, 32);
	assert_int_equal(c->max_host_connections, 2);
	assert_int_equal(c->timeout, 45);
	assert_int_equal(c->max_body, 512 * 1024);
	assert_string_equal(c->listen, "");

	assert_int_equal(c->nsources, 1);
	s = conf_source(c, "usweekly");
	assert_non_null(s);
	assert_string_equal(s->url, "https://www.usmagazine.com/feed/");
	assert_int_equal(s->interval, 15 * 60);
	assert_int_equal(s->ntags, 2);
	assert_string_equal(s->tags[0], "entertainment");
	assert_string_equal(s->tags[1], "us");
	assert_int_equal(s->line, 14);

	assert_int_equal(c->nrules, 1);
	r = conf_rule(c, "lively");
	assert_non_null(r);
	assert_string_equal(r->kind, "party");
	assert_string_equal(r->label, "Blake Lively");
	assert_int_equal(r->line, 19);
	assert_int_equal(r->nmatch, 2);
	assert_string_equal(r->match[0], "\\bBlake\\s+Lively\\b");
	assert_string_equal(r->match[1], "\\bLively\\b");
	assert_int_equal(r->match_line[0], 22);
	assert_int_equal(r->match_line[1], 23);
	assert_int_equal(r->nexclude, 2);
	assert_string_equal(r->exclude[0],
	    "(?i)\\blively\\s+(?:debate|discussion|crowd)\\b");
	assert_string_equal(r->exclude[1], "\\bGossip Girl\\b");
	assert_int_equal(r->exclude_line[0], 25);
	assert_int_equal(r->exclude_line[1], 26);

	/* the rules come compiled */
	rs = rule_scratch_new(c->match_limit);
	assert_int_equal(rule_count(r, rs, "Blake Lively met Lively", 23,
	    &vetoed), 2);
	assert_int_equal(rule_count(r, rs, "Lively: a lively crowd", 22,
	    &vetoed), 0);
	assert_int_equal(vetoed, 1);
	rule_scratch_free(rs);
	conf_free(c);
}

/* Unset keys keep documented defaults; a source's interval is inherited. */
static void
test_minimal_config_takes_defaults(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	write_file(dir, "mentiond.conf",
	    "[mentiond]\n"
	    "interval = 5m\n"
	    "[source \"a\"]\n"
	    "url = http://example.org/a.xml\n");
	c = load_ok(dir, "mentiond.conf");
	assert_int_equal(c->timeout, 30);
	assert_int_equal(c->max_connections, 64);
	assert_int_equal(c->max_host_connections, 4);
	assert_int_equal(c->max_body, 8 * 1024 * 1024);
	assert_int_equal(c->nrules, 0);
	assert_int_equal(c->sources[0]->interval, 300);
	assert_int_equal(c->sources[0]->enabled, 1);
	conf_free(c);
}

/* An absolute database path is used as written. */
static void
test_absolute_database_path_is_kept(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	write_file(dir, "mentiond.conf",
	    "[mentiond]\ndatabase = /var/lib/mentiond/m.db\n");
	c = load_ok(dir, "mentiond.conf");
	assert_string_equal(c->database, "/var/lib/mentiond/m.db");
	conf_free(c);
}

/* Sections load from every file a glob names; paths there are relative to
 * that file. */
static void
test_glob_includes_files(void **state)
{
	const char	*dir = *state;
	struct conf	*c;
	struct rule	*r;
	char		*want;

	mkdir_in(dir, "rules.d");
	mkdir_in(dir, "sources.d");
	write_file(dir, "mentiond.conf",
	    "[mentiond]\n"
	    "rules = rules.d/*.conf\n"
	    "sources = sources.d/*.conf\n");
	write_file(dir, "rules.d/a.conf",
	    "[rule \"a\"]\nmatch = \\bA\\b\n");
	write_file(dir, "rules.d/b.conf",
	    "; b\n[rule \"b\"]\nkind = term\nmatch = \\bB\\b\n"
	    "[source \"in-rules\"]\nurl = http://example.org/x\n");
	write_file(dir, "rules.d/skipped.txt", "[rule \"c\"]\nmatch = c\n");
	write_file(dir, "sources.d/s.conf",
	    "[source \"s\"]\nurl = file:feeds/s.xml\n");
	c = load_ok(dir, "mentiond.conf");
	assert_int_equal(c->nrules, 2);
	assert_null(conf_rule(c, "c"));
	r = conf_rule(c, "b");
	assert_non_null(r);
	assert_string_equal(r->kind, "term");
	want = path_of(dir, "rules.d/b.conf");
	assert_string_equal(r->file, want);
	free(want);
	assert_int_equal(r->line, 2);
	assert_non_null(conf_rule(c, "a"));
	assert_int_equal(c->nsources, 2);
	assert_non_null(conf_source(c, "in-rules"));
	xasprintf(&want, "file://%s/sources.d/feeds/s.xml", dir);
	assert_string_equal(conf_source(c, "s")->url, want);
	free(want);
	conf_free(c);
}

/* A literal (non-glob) include path is read too. */
static void
test_literal_include_path_is_read(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	write_file(dir, "mentiond.conf",
	    "[mentiond]\nrules = more.conf\nrules = more.conf\n");
	write_file(dir, "more.conf", "[rule \"x\"]\nmatch = x\n");
	c = load_ok(dir, "mentiond.conf");
	assert_int_equal(c->nrules, 1);
	assert_non_null(conf_rule(c, "x"));
	conf_free(c);
}

static void
test_empty_glob_is_fine(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	mkdir_in(dir, "rules.d");
	write_file(dir, "mentiond.conf",
	    "[mentiond]\nrules = rules.d/*.conf\n");
	c = load_ok(dir, "mentiond.conf");
	assert_int_equal(c->nrules, 0);
	conf_free(c);
}

/*
 * A path that names no file is a config error; like every config error it
 * names the file, line and key it is about (SPEC "Programs").
 */
static void
test_missing_literal_include_is_an_error(void **state)
{
	const char	*dir = *state;
	char		*cause;

	write_file(dir, "mentiond.conf",
	    "[mentiond]\ntimeout = 30s\nrules = nothere.conf\n");
	cause = load_err(dir, "mentiond.conf");
	contains(cause, "nothere.conf");
	names_line(cause, dir, "mentiond.conf", 3);
	contains(cause, "rules");
	free(cause);
}

/*
 * A glob whose directory does not exist matches nothing, like a glob over
 * an empty directory (the shell, glob(3) without GLOB_ERR).
 */
static void
test_glob_in_missing_directory_matches_nothing(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	mkdir_in(dir, "rules.d");
	write_file(dir, "rules.d/a.conf", "[rule \"a\"]\nmatch = a\n");
	write_file(dir, "mentiond.conf",
	    "[mentiond]\nrules = rules.d/*.conf\n"
	    "sources = sources.d/*.conf\n");
	c = load_ok(dir, "mentiond.conf");
	assert_int_equal(c->nrules, 1);
	assert_int_equal(c->nsources, 0);
	conf_free(c);
}

/*
 * Values are raw text to the end of the line: only " ;" starts an inline
 * comment, so '#' (hashtags) and a ';' inside a word stay in a pattern.
 */
static void
test_hash_and_inner_semicolon_are_literal_in_values(void **state)
{
	const char	*dir = *state;
	struct conf	*c;
	struct rule	*r;

	write_file(dir, "mentiond.conf",
	    "[rule \"r\"]\n"
	    "match = #BlakeLively\n"
	    "match = \\bC#\\B\n"
	    "match = a;b   ; a comment\n"
	    "label = Lively # the actress\n");
	c = load_ok(dir, "mentiond.conf");
	r = conf_rule(c, "r");
	assert_non_null(r);
	assert_int_equal(r->nmatch, 3);
	assert_string_equal(r->match[0], "#BlakeLively");
	assert_string_equal(r->match[1], "\\bC#\\B");
	assert_string_equal(r->match[2], "a;b");
	assert_string_equal(r->label, "Lively # the actress");
	conf_free(c);
}

static void
test_missing_main_file_is_an_error(void **state)
{
	const char	*dir = *state;
	char		*cause;

	cause = load_err(dir, "absent.conf");
	contains(cause, "absent.conf");
	free(cause);
}

static void
test_unknown_key_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\ntimeout = 30s\nbogus = 1\n", 3, "bogus");
	main_error(dir, "[source \"s\"]\nurl = http://x/\nbogus = 1\n", 3,
	    "bogus");
	main_error(dir, "[rule \"r\"]\nmatch = x\nbogus = 1\n", 3, "bogus");
}

static void
test_bad_duration_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\n\ntimeout = 30x\n", 3, "timeout");
	main_error(dir, "[source \"s\"]\nurl = http://x/\ninterval = soon\n",
	    3, "interval");
}

static void
test_bad_size_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\nmax_body = 8Q\n", 2, "max_body");
	main_error(dir, "[mentiond]\nmax_body = big\n", 2, "max_body");
}

static void
test_bad_number_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\nmax_connections = many\n", 2,
	    "max_connections");
	main_error(dir, "[mentiond]\nmax_connections = 12x\n", 2,
	    "max_connections");
	main_error(dir, "[mentiond]\nmax_host_connections = 0\n", 2,
	    "max_host_connections");
}

/* The second definition is the error; it says where the first one is. */
static void
test_duplicate_rule_is_an_error(void **state)
{
	const char	*dir = *state;
	char		*cause, *first;

	main_error(dir,
	    "[rule \"a\"]\nmatch = a\n\n[rule \"a\"]\nmatch = b\n", 4, NULL);
	write_file(dir, "mentiond.conf",
	    "[rule \"a\"]\nmatch = a\n\n[rule \"a\"]\nmatch = b\n");
	cause = load_err(dir, "mentiond.conf");
	contains(cause, "\"a\"");
	xasprintf(&first, "%s/mentiond.conf:1", dir);
	contains(cause, first);
	contains(cause, "first");
	free(first);
	free(cause);
}

/* Across files: the included file's line, and the main file's first one. */
static void
test_duplicate_rule_across_files_is_an_error(void **state)
{
	const char	*dir = *state;
	char		*cause, *first;

	write_file(dir, "mentiond.conf",
	    "[mentiond]\nrules = r.conf\n[rule \"a\"]\nmatch = a\n");
	write_file(dir, "r.conf", "# r\n\n[rule \"a\"]\nmatch = b\n");
	cause = load_err(dir, "mentiond.conf");
	names_line(cause, dir, "r.conf", 3);
	xasprintf(&first, "%s/mentiond.conf:3", dir);
	contains(cause, first);
	free(first);
	free(cause);
}

static void
test_duplicate_source_is_an_error(void **state)
{
	const char	*dir = *state;
	char		*cause;

	write_file(dir, "mentiond.conf",
	    "[source \"s\"]\nurl = http://x/\n[source \"s\"]\n"
	    "url = http://y/\n");
	cause = load_err(dir, "mentiond.conf");
	names_line(cause, dir, "mentiond.conf", 3);
	contains(cause, "\"s\"");
	free(cause);
}

/* A rule and a source may share a name: names are unique per kind. */
static void
test_rule_and_source_may_share_a_name(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	write_file(dir, "mentiond.conf",
	    "[source \"x\"]\nurl = http://x/\n[rule \"x\"]\nmatch = x\n");
	c = load_ok(dir, "mentiond.conf");
	assert_non_null(conf_rule(c, "x"));
	assert_non_null(conf_source(c, "x"));
	conf_free(c);
}

static void
test_bad_section_name_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\ntimeout = 30s\n[rule \"bad name\"]\n"
	    "match = x\n", 3, "bad name");
	main_error(dir, "[source \"caf\xc3\xa9\"]\nurl = http://x/\n", 1,
	    NULL);
	main_error(dir, "[rule \"a/b\"]\nmatch = x\n", 1, "a/b");
	main_error(dir, "[rule \"\"]\nmatch = x\n", 1, NULL);
}

static void
test_unknown_section_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\ntimeout = 30s\n[feed \"x\"]\nurl = "
	    "http://x/\n", 3, "feed");
	main_error(dir, "[bogus]\nkey = 1\n", 1, "bogus");
}

static void
test_key_outside_a_section_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "# top\ntimeout = 30s\n[mentiond]\n", 2, "timeout");
}

/* A missing url is reported at the source's section header. */
static void
test_source_without_url_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\ntimeout = 30s\n[source \"s\"]\n"
	    "interval = 15m\n", 3, "url");
}

static void
test_rule_without_match_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[mentiond]\ntimeout = 30s\n[rule \"r\"]\n"
	    "kind = party\nexclude = x\n", 3, "match");
}

static void
test_bad_url_scheme_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[source \"s\"]\ninterval = 15m\nurl = "
	    "ftp://example.org/feed\n", 3, "url");
	main_error(dir, "[source \"s\"]\nurl = example.org/feed\n", 2, "url");
	main_error(dir, "[source \"s\"]\nurl = http://\n", 2, "url");
}

/* The cause names the file, the line of that match key, and the offset. */
static void
test_pcre2_syntax_error_names_line_and_offset(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[rule \"r\"]\nkind = party\nmatch = \\bok\\b\n"
	    "match = \\bBlake(\\s+Lively\n", 4, "match");
	main_error(dir, "[rule \"r\"]\nmatch = \\bok\\b\n"
	    "match = \\bBlake(\\s+Lively\n", 3, "offset");
	main_error(dir, "[rule \"r\"]\nmatch = ok\n\nexclude = [x\n", 4,
	    "exclude");
}

static void
test_overlong_line_is_an_error(void **state)
{
	const char	*dir = *state;
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_adds(&b, "[rule \"r\"]\nkind = term\nmatch = ");
	for (i = 0; i < 2000; i++)
		buf_adds(&b, "abcde|");
	buf_adds(&b, "x\nlabel = L\n");
	main_error(dir, b.data, 3, NULL);
	buf_free(&b);
}

/* [mentiond] belongs to the main file only. */
static void
test_mentiond_section_in_included_file_is_an_error(void **state)
{
	const char	*dir = *state;
	char		*cause;

	write_file(dir, "mentiond.conf", "[mentiond]\nrules = r.conf\n");
	write_file(dir, "r.conf",
	    "[rule \"a\"]\nmatch = a\n[mentiond]\ntimeout = 1h\n");
	cause = load_err(dir, "mentiond.conf");
	names_line(cause, dir, "r.conf", 3);
	free(cause);
}

static void
test_scalar_key_twice_in_a_section_is_an_error(void **state)
{
	const char	*dir = *state;

	main_error(dir, "[rule \"r\"]\nkind = a\nmatch = x\nkind = b\n", 4,
	    "kind");
	main_error(dir, "[mentiond]\ntimeout = 1m\ntimeout = 2m\n", 3,
	    "timeout");
	main_error(dir, "[source \"s\"]\nurl = http://x/\nurl = http://y/\n",
	    3, "url");
}

/* The same scalar key in two sections of one kind is fine. */
static void
test_scalar_key_once_per_section_is_fine(void **state)
{
	const char	*dir = *state;
	struct conf	*c;

	write_file(dir, "mentiond.conf",
	    "[rule \"a\"]\nkind = party\nmatch = a\n"
	    "[rule \"b\"]\nkind = term\nmatch = b\n");
	c = load_ok(dir, "mentiond.conf");
	assert_string_equal(conf_rule(c, "a")->kind, "party");
	assert_string_equal(conf_rule(c, "b")->kind, "term");
	conf_free(c);
}

static void
test_conf_duration_units(void **state)
{
	int64_t	v;

	(void)state;
	assert_int_equal(conf_duration("30s", &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(conf_duration("15m", &v), 0);
	assert_int_equal(v, 900);
	assert_int_equal(conf_duration("2h", &v), 0);
	assert_int_equal(v, 7200);
	assert_int_equal(conf_duration("1d", &v), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(conf_duration("0s", &v), 0);
	assert_int_equal(v, 0);
}

static void
test_conf_duration_rejects_bad_values(void **state)
{
	static const char	*bad[] = { "", "s", "30x", "15mm", "-5m",
	    "-1", "1.5h", "15 m", " 15m", "m15", "2h30m", "abc",
	    "99999999999999999999s", "999999999999999d" };
	int64_t			 v;
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		v = -7;
		if (conf_duration(bad[i], &v) == 0)
			fail_msg("conf_duration(\"%s\") accepted as %lld",
			    bad[i], (long long)v);
	}
}

static void
test_conf_size_units(void **state)
{
	size_t	v;

	(void)state;
	assert_int_equal(conf_size("512K", &v), 0);
	assert_int_equal(v, 524288);
	assert_int_equal(conf_size("8M", &v), 0);
	assert_int_equal(v, 8388608);
	assert_int_equal(conf_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(conf_size("0", &v), 0);
	assert_int_equal(v, 0);
}

static void
test_conf_size_rejects_garbage(void **state)
{
	static const char	*bad[] = { "", "K", "8Q", "big", "-1", "-1K",
	    "1.5M", "8 M", " 8M", "8MM", "0x10",
	    "99999999999999999999999" };
	size_t			 v, i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		v = 7;
		if (conf_size(bad[i], &v) == 0)
			fail_msg("conf_size(\"%s\") accepted as %zu", bad[i],
			    v);
	}
}

static void
test_valid_names(void **state)
{
	(void)state;
	assert_true(conf_valid_name("us-weekly_2.0"));
	assert_true(conf_valid_name("A"));
	assert_false(conf_valid_name(""));
	assert_false(conf_valid_name("a b"));
	assert_false(conf_valid_name("a/b"));
	assert_false(conf_valid_name("a\"b"));
	assert_false(conf_valid_name("caf\xc3\xa9"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_spec_example_loads_with_expected_values),
		T(test_minimal_config_takes_defaults),
		T(test_absolute_database_path_is_kept),
		T(test_glob_includes_files),
		T(test_literal_include_path_is_read),
		T(test_empty_glob_is_fine),
		T(test_missing_literal_include_is_an_error),
		T(test_glob_in_missing_directory_matches_nothing),
		T(test_hash_and_inner_semicolon_are_literal_in_values),
		T(test_missing_main_file_is_an_error),
		T(test_unknown_key_is_an_error),
		T(test_bad_duration_is_an_error),
		T(test_bad_size_is_an_error),
		T(test_bad_number_is_an_error),
		T(test_duplicate_rule_is_an_error),
		T(test_duplicate_rule_across_files_is_an_error),
		T(test_duplicate_source_is_an_error),
		T(test_rule_and_source_may_share_a_name),
		T(test_bad_section_name_is_an_error),
		T(test_unknown_section_is_an_error),
		T(test_key_outside_a_section_is_an_error),
		T(test_source_without_url_is_an_error),
		T(test_rule_without_match_is_an_error),
		T(test_bad_url_scheme_is_an_error),
		T(test_pcre2_syntax_error_names_line_and_offset),
		T(test_overlong_line_is_an_error),
		T(test_mentiond_section_in_included_file_is_an_error),
		T(test_scalar_key_twice_in_a_section_is_an_error),
		T(test_scalar_key_once_per_section_is_fine),
		cmocka_unit_test(test_conf_duration_units),
		cmocka_unit_test(test_conf_duration_rejects_bad_values),
		cmocka_unit_test(test_conf_size_units),
		cmocka_unit_test(test_conf_size_rejects_garbage),
		cmocka_unit_test(test_valid_names),
	};

	return (cmocka_run_group_tests_name("conf", tests, NULL, NULL));
}
