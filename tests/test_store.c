/* store.c: schema versions, dedupe, atomic polls, rollups, text retention. */
#include "config.h"

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "mentiond.h"

static char	tmpdir[] = "/tmp/mentiond-store.XXXXXX";
static int	counter;

static char *
db_path(void)
{
	char	*p;

	xasprintf(&p, "%s/t%d/db/test.db", tmpdir, counter++);
	return (p);
}

static struct store *
open_new(char **pathp)
{
	struct store	*st;
	char		*cause = NULL, *path = db_path();

	st = store_open(path, 0, &cause);
	if (st == NULL)
		fail_msg("store_open: %s", cause);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return (st);
}

struct collect {
	struct store_cell	rows[64];
	size_t			n;
};

static int
collect_cb(const struct store_cell *cell, void *arg)
{
	struct collect	*c = arg;

	if (c->n < 64)
		c->rows[c->n++] = *cell;
	return (0);
}

/* Every cell of a table on an axis, optionally for one owner. */
static void
cells(struct store *st, int table, int axis, int64_t from, int64_t to,
    const int64_t *owner, struct collect *c)
{
	char	*cause = NULL;

	memset(c, 0, sizeof *c);
	if (store_cells(st, table, axis, from, to, owner, owner != NULL,
	    collect_cb, c, &cause) != 0)
		fail_msg("store_cells: %s", cause);
}

/* Add one item with the given hits inside its own poll transaction. */
static void
add_poll(struct store *st, int64_t src, const char *uid, int64_t pub,
    int64_t seen, struct store_hit *hits, size_t nhits)
{
	struct store_item	 it;
	struct pack		*pk = pack_new();
	struct buf		 z;
	char			*cause = NULL;
	const char		*text = "Blake Lively\nbody text";

	buf_init(&z);
	pack_compress(pk, text, strlen(text), &z);
	memset(&it, 0, sizeof it);
	it.uid = uid;
	it.published = pub;
	it.dated = 1;
	it.seen = seen;
	it.added = seen;	/* stored when seen, here */
	it.ztext = z.data;
	it.zlen = z.len;
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_item_exists(st, src, uid), 0);
	assert_int_equal(store_item_add(st, src, &it, hits, nhits, &cause), 0);
	assert_int_equal(store_poll_done(st, src, &(struct store_poll){
	    .when = seen, .ok = 1, .fresh = 1 }, &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
	buf_free(&z);
	pack_free(pk);
}

static void
test_new_database_has_latest_schema_version(void **state)
{
	struct store	*st;
	char		*path;

	(void)state;
	st = open_new(&path);
	assert_true(store_version(st) >= 1);
	store_close(st);
	free(path);
}

static void
test_missing_parent_directory_is_created(void **state)
{
	struct store	*st;
	struct stat	 sb;
	char		*path;

	(void)state;
	st = open_new(&path);
	assert_int_equal(stat(path, &sb), 0);
	store_close(st);
	free(path);
}

static void
test_newer_schema_is_refused_with_a_clear_cause(void **state)
{
	struct store	*st;
	sqlite3		*db;
	char		*path, *cause = NULL;

	(void)state;
	st = open_new(&path);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, 0, &cause);
	assert_null(st);
	assert_non_null(strstr(cause, "schema version 999 is newer"));
	free(cause);
	free(path);
}

static void
test_readonly_open_of_missing_file_fails(void **state)
{
	struct store	*st;
	char		*path, *cause = NULL;

	(void)state;
	path = db_path();
	st = store_open(path, STORE_READONLY, &cause);
	assert_null(st);
	assert_non_null(strstr(cause, path));
	free(cause);
	free(path);
}

static void
test_item_is_deduplicated_by_source_and_id(void **state)
{
	struct store	*st;
	int64_t		 a, b;
	char		*cause = NULL;

	(void)state;
	st = open_new(NULL);
	assert_int_equal(store_source_id(st, "a", "", &a, &cause), 0);
	assert_int_equal(store_source_id(st, "b", "", &b, &cause), 0);
	assert_true(a != b);
	add_poll(st, a, "id-1", 1000, 2000, NULL, 0);
	assert_int_equal(store_item_exists(st, a, "id-1"), 1);
	/* The same id from another source is another item. */
	assert_int_equal(store_item_exists(st, b, "id-1"), 0);
	store_close(st);
}

static void
test_rolled_back_poll_leaves_nothing(void **state)
{
	struct store		*st;
	struct store_item	 it;
	struct collect		 c;
	struct rule		*r;
	struct store_hit	 hit;
	int64_t			 src, rs;
	char			*cause = NULL;

	(void)state;
	st = open_new(NULL);
	r = rule_new("lively", "x.conf", 1);
	assert_int_equal(store_sync_rules(st, &r, 1, &rs, &cause), 0);
	assert_int_equal(store_source_id(st, "s", "", &src, &cause), 0);
	memset(&it, 0, sizeof it);
	it.uid = "gone";
	it.published = 7200;
	it.seen = 7200;
	hit.rule_id = r->id;
	hit.mentions = 3;
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_item_add(st, src, &it, &hit, 1, &cause), 0);
	assert_int_equal(store_poll_done(st, src, &(struct store_poll){
	    .when = 7200, .ok = 1, .fresh = 1 }, &cause), 0);
	store_rollback(st);
	assert_int_equal(store_item_exists(st, src, "gone"), 0);
	cells(st, STORE_T_ROLLUP, STORE_BY_PUBLISHED, INT64_MIN, INT64_MAX,
	    NULL, &c);
	assert_int_equal(c.n, 0);
	cells(st, STORE_T_TOTAL, STORE_BY_PUBLISHED, INT64_MIN, INT64_MAX,
	    NULL, &c);
	assert_int_equal(c.n, 0);
	rule_free(r);
	store_close(st);
}

static void
test_rollups_sum_items_and_mentions_per_hour(void **state)
{
	struct store		*st;
	struct collect		 c;
	struct rule		*r[2];
	struct store_hit	 h[2];
	int64_t			 s1, s2, rs, zero = 0;
	char			*cause = NULL;

	(void)state;
	st = open_new(NULL);
	r[0] = rule_new("lively", "x.conf", 1);
	r[1] = rule_new("kiss", "x.conf", 5);
	assert_int_equal(store_sync_rules(st, r, 2, &rs, &cause), 0);
	assert_int_equal(store_source_id(st, "s1", "", &s1, &cause), 0);
	assert_int_equal(store_source_id(st, "s2", "", &s2, &cause), 0);

	/* Two items in hour 10:00 (one per source), one in 11:00. */
	h[0].rule_id = r[0]->id;
	h[0].mentions = 2;
	h[1].rule_id = r[1]->id;
	h[1].mentions = 1;
	add_poll(st, s1, "x", 36000 + 5, 90000, h, 2);
	h[0].rule_id = r[0]->id;
	h[0].mentions = 4;
	add_poll(st, s2, "y", 36000 + 3599, 90000, h, 1);
	h[0].mentions = 1;
	add_poll(st, s1, "z", 39600, 90000, h, 1);

	/* Per rule, all sources: lively 10:00 (2, 6), 11:00 (1, 1); kiss. */
	cells(st, STORE_T_ROLLUP_RULE, STORE_BY_PUBLISHED, INT64_MIN,
	    INT64_MAX, NULL, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.rows[0].owner, r[0]->id);
	assert_int_equal(c.rows[0].hour, 36000);
	assert_int_equal(c.rows[0].v1, 2);
	assert_int_equal(c.rows[0].v2, 6);
	assert_int_equal(c.rows[1].hour, 39600);
	assert_int_equal(c.rows[1].v2, 1);
	assert_int_equal(c.rows[2].owner, r[1]->id);
	assert_int_equal(c.rows[2].v1, 1);

	/* Per source: s2 alone has one lively item with 4 mentions. */
	cells(st, STORE_T_ROLLUP, STORE_BY_PUBLISHED, INT64_MIN, INT64_MAX,
	    &s2, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rows[0].owner, s2);
	assert_int_equal(c.rows[0].sub, r[0]->id);
	assert_int_equal(c.rows[0].v2, 4);

	/* Totals over all sources: two items at 10:00, one at 11:00. */
	cells(st, STORE_T_TOTAL, STORE_BY_PUBLISHED, INT64_MIN, INT64_MAX,
	    &zero, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.rows[0].v1, 2);
	assert_int_equal(c.rows[1].v1, 1);

	/* Co-occurrence: item x had both rules, at 10:00. */
	cells(st, STORE_T_COOCCUR, STORE_BY_PUBLISHED, INT64_MIN, INT64_MAX,
	    NULL, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rows[0].owner, r[0]->id < r[1]->id ? r[0]->id :
	    r[1]->id);
	assert_int_equal(c.rows[0].sub, r[0]->id < r[1]->id ? r[1]->id :
	    r[0]->id);
	assert_int_equal(c.rows[0].hour, 36000);
	assert_int_equal(c.rows[0].v1, 1);

	/* The seen axis puts all three items in the 25:00 hour. */
	cells(st, STORE_T_ROLLUP_RULE, STORE_BY_SEEN, INT64_MIN, INT64_MAX,
	    NULL, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.rows[0].hour, 90000);
	assert_int_equal(c.rows[0].v1, 3);
	assert_int_equal(c.rows[0].v2, 7);

	/* A half-open hour range. */
	cells(st, STORE_T_ROLLUP_RULE, STORE_BY_PUBLISHED, 39600, 43200, NULL,
	    &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rows[0].hour, 39600);

	rule_free(r[0]);
	rule_free(r[1]);
	store_close(st);
}

static void
test_item_text_is_kept_compressed_and_pruned_by_retention(void **state)
{
	struct store	*st;
	struct buf	 b;
	int64_t		 src, n;
	char		*cause = NULL;

	(void)state;
	st = open_new(NULL);
	assert_int_equal(store_source_id(st, "s", "", &src, &cause), 0);
	add_poll(st, src, "old", 100, 1000, NULL, 0);
	add_poll(st, src, "new", 100, 5000, NULL, 0);
	buf_init(&b);
	assert_int_equal(store_item_text(st, src, "old", &b), 1);
	assert_string_equal(b.data, "Blake Lively\nbody text");

	assert_int_equal(store_prune_text(st, 2000, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_item_text(st, src, "old", &b), 0);
	assert_int_equal(store_item_text(st, src, "new", &b), 1);
	/* The item itself stays: it is still a repeat. */
	assert_int_equal(store_item_exists(st, src, "old"), 1);
	buf_free(&b);
	store_close(st);
}

static void
add_pattern_to(struct rule *r, const char *pat)
{
	r->match = xreallocarray(r->match, r->nmatch + 1, sizeof *r->match);
	r->match_line = xreallocarray(r->match_line, r->nmatch + 1,
	    sizeof *r->match_line);
	r->match[r->nmatch] = xstrdup(pat);
	r->match_line[r->nmatch++] = 1;
}

/* Rule ids survive re-syncs; rule-set versions follow definitions only. */
static void
test_rule_ids_are_stable_across_syncs(void **state)
{
	struct store	*st;
	struct rule	*r;
	int64_t		 id, found, v1, v2;
	char		*cause = NULL;

	(void)state;
	st = open_new(NULL);
	r = rule_new("smear", "x.conf", 1);
	assert_int_equal(store_sync_rules(st, &r, 1, &v1, &cause), 0);
	id = r->id;
	r->id = 0;
	free(r->label);
	r->label = xstrdup("smear campaign");
	assert_int_equal(store_sync_rules(st, &r, 1, &v2, &cause), 0);
	assert_int_equal(r->id, id);
	/* A label is not part of the definition: the same version. */
	assert_int_equal(v1, v2);
	add_pattern_to(r, "\\bsmear\\b");
	assert_int_equal(store_sync_rules(st, &r, 1, &v2, &cause), 0);
	assert_true(v1 != v2);
	assert_int_equal(store_lookup_rule(st, "smear", &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(store_lookup_rule(st, "nosuch", &found), -1);
	rule_free(r);
	store_close(st);
}

/* The first schema, as version 1 wrote it, with one item and its counts. */
static const char v1_schema[] =
	"CREATE TABLE source (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" url TEXT NOT NULL DEFAULT '', polls INTEGER NOT NULL DEFAULT 0,"
	" items INTEGER NOT NULL DEFAULT 0, last_poll INTEGER);"
	"CREATE TABLE rule (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL DEFAULT '', label TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE ruleset (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
	" created INTEGER NOT NULL, rules TEXT NOT NULL);"
	"CREATE TABLE item (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,"
	" uid TEXT NOT NULL, published INTEGER NOT NULL, dated INTEGER NOT NULL,"
	" seen INTEGER NOT NULL, added INTEGER NOT NULL, ruleset INTEGER,"
	" text BLOB, hits BLOB,"
	" UNIQUE (source_id, uid));"
	"CREATE INDEX item_seen ON item(seen);"
	"CREATE INDEX item_published ON item(published);"
	"CREATE INDEX item_added ON item(added);"
	"CREATE TABLE rollup (axis INTEGER NOT NULL, day INTEGER NOT NULL,"
	" source_id INTEGER NOT NULL, cells BLOB NOT NULL,"
	" PRIMARY KEY (axis, day, source_id));"
	"CREATE TABLE rollup_rule (axis INTEGER NOT NULL, day INTEGER NOT NULL,"
	" rule_id INTEGER NOT NULL, cells BLOB NOT NULL,"
	" PRIMARY KEY (axis, day, rule_id)) WITHOUT ROWID;"
	"CREATE TABLE total (axis INTEGER NOT NULL, day INTEGER NOT NULL,"
	" source_id INTEGER NOT NULL, cells BLOB NOT NULL,"
	" PRIMARY KEY (axis, day, source_id)) WITHOUT ROWID;"
	"CREATE TABLE cooccur (axis INTEGER NOT NULL, day INTEGER NOT NULL,"
	" rule_id INTEGER NOT NULL, cells BLOB NOT NULL,"
	" PRIMARY KEY (axis, day, rule_id));"
	"CREATE TABLE version (axis INTEGER NOT NULL, day INTEGER NOT NULL,"
	" ruleset INTEGER NOT NULL, PRIMARY KEY (axis, day, ruleset))"
	" WITHOUT ROWID;"
	"INSERT INTO source (id, name) VALUES (1, 'old');"
	"INSERT INTO rule (id, name) VALUES (1, 'lively');"
	"INSERT INTO item VALUES (1, 1, 'kept', 3600, 1, 3600, 3600, NULL,"
	" NULL, x'0105');"
	/* hour 1: zigzag varints key 1, items 1, mentions 5 */
	"INSERT INTO rollup_rule VALUES (0, 0, 1, x'02020a');"
	"PRAGMA user_version = 1;";

/* A version 1 database moves forward with its data intact. */
static void
test_v1_database_is_migrated_with_data_intact(void **state)
{
	struct store		*st;
	struct collect		 c;
	struct store_source_state ss;
	sqlite3			*db;
	char			*path, *cause = NULL;

	(void)state;
	path = db_path();
	st = store_open(path, 0, &cause);	/* only to make the folder */
	store_close(st);
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_schema, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	/* Readers cannot migrate: they say what to do. */
	assert_null(store_open(path, STORE_READONLY, &cause));
	assert_non_null(strstr(cause, "needs upgrading"));
	free(cause);
	cause = NULL;

	st = store_open(path, 0, &cause);
	assert_non_null(st);
	assert_true(store_version(st) >= 2);
	assert_int_equal(store_item_exists(st, 1, "kept"), 1);
	cells(st, STORE_T_ROLLUP_RULE, STORE_BY_PUBLISHED, INT64_MIN,
	    INT64_MAX, NULL, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rows[0].hour, 3600);
	assert_int_equal(c.rows[0].v2, 5);
	/* The new columns exist and start empty. */
	assert_int_equal(store_source_state(st, 1, &ss), 0);
	assert_null(ss.etag);
	assert_int_equal(ss.failures, 0);
	store_source_state_clear(&ss);
	store_close(st);
	free(path);
}

static int
health_cb(const struct store_source_row *r, void *arg)
{
	struct store_source_row	*out = arg;

	if (strcmp(r->name, "h") == 0) {
		*out = *r;
		out->name = NULL;
		out->url = NULL;
		out->error = r->error != NULL ? xstrdup(r->error) : NULL;
	}
	return (0);
}

/* A failed poll records health; a later success clears the error. */
/* A poll that stored no items, in a transaction of its own. */
static int
poll_only(struct store *st, int64_t src, const struct store_poll *p,
    char **cause)
{
	if (store_begin(st, cause) != 0)
		return (-1);
	if (store_poll_done(st, src, p, cause) != 0) {
		store_rollback(st);
		return (-1);
	}
	return (store_commit(st, cause));
}

static void
test_poll_health_and_validators_are_recorded(void **state)
{
	struct store			*st;
	struct store_source_state	 ss;
	struct store_source_row		 row;
	int64_t				 src;
	char				*cause = NULL;

	(void)state;
	st = open_new(NULL);
	assert_int_equal(store_source_id(st, "h", "http://x/", &src, &cause),
	    0);
	assert_int_equal(poll_only(st, src, &(struct store_poll){
	    .when = 1000, .ok = 0, .health = 1, .status = 503,
	    .error = "HTTP 503", .failures = 1, .next_due = 5000 }, &cause), 0);
	memset(&row, 0, sizeof row);
	assert_int_equal(store_sources(st, health_cb, &row, &cause), 0);
	assert_int_equal(row.status, 503);
	assert_string_equal(row.error, "HTTP 503");
	assert_int_equal(row.failures, 1);
	assert_int_equal(row.last_attempt, 1000);
	assert_int_equal(row.last_success, 0);
	assert_int_equal(row.next_due, 5000);
	free((char *)row.error);

	assert_int_equal(poll_only(st, src, &(struct store_poll){
	    .when = 2000, .ok = 1, .health = 1, .status = 200,
	    .next_due = 9000, .validators = 1, .etag = "\"v1\"",
	    .last_modified = "Thu, 13 Nov 2025 10:00:00 GMT",
	    .hash = "0123456789abcdef" }, &cause), 0);
	memset(&row, 0, sizeof row);
	assert_int_equal(store_sources(st, health_cb, &row, &cause), 0);
	assert_null(row.error);
	assert_int_equal(row.failures, 0);
	assert_int_equal(row.last_success, 2000);
	assert_int_equal(store_source_state(st, src, &ss), 0);
	assert_string_equal(ss.etag, "\"v1\"");
	assert_string_equal(ss.hash, "0123456789abcdef");
	assert_int_equal(ss.next_due, 9000);
	store_source_state_clear(&ss);
	store_close(st);
}

/* Hits round-trip through their varint blob, large values included. */
static void
test_hits_blob_round_trips(void **state)
{
	struct store_hit	 in[3] = { { 1, 5 }, { 300, 1 }, { 70000, 200 } };
	struct store_hit	*out;
	struct buf		 b;
	size_t			 n;

	(void)state;
	buf_init(&b);
	store_hits_encode(in, 3, &b);
	assert_int_equal(b.len, 2 + 3 + 5);
	assert_int_equal(store_hits_decode(b.data, b.len, &out, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[2].rule_id, 70000);
	assert_int_equal(out[2].mentions, 200);
	free(out);
	/* A truncated varint is refused. */
	assert_int_equal(store_hits_decode(b.data, b.len - 1, &out, &n), -1);
	buf_free(&b);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{
	char	*cmd;

	(void)state;
	xasprintf(&cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return (-1);
	free(cmd);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_database_has_latest_schema_version),
		cmocka_unit_test(test_missing_parent_directory_is_created),
		cmocka_unit_test(test_newer_schema_is_refused_with_a_clear_cause),
		cmocka_unit_test(test_readonly_open_of_missing_file_fails),
		cmocka_unit_test(test_item_is_deduplicated_by_source_and_id),
		cmocka_unit_test(test_rolled_back_poll_leaves_nothing),
		cmocka_unit_test(test_rollups_sum_items_and_mentions_per_hour),
		cmocka_unit_test(
		    test_item_text_is_kept_compressed_and_pruned_by_retention),
		cmocka_unit_test(test_rule_ids_are_stable_across_syncs),
		cmocka_unit_test(test_v1_database_is_migrated_with_data_intact),
		cmocka_unit_test(test_poll_health_and_validators_are_recorded),
		cmocka_unit_test(test_hits_blob_round_trips),
	};

	log_init("test_store", 0);
	log_setverbose(-1);
	return (cmocka_run_group_tests_name("store", tests, setup, teardown));
}
