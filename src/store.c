/*
 * The database: SQLite in WAL mode, the only file that speaks SQL.
 *
 * Items are kept once per (source, id); their per-rule mention counts and
 * hourly rollups (per source and rule, on both the published and the seen
 * time axis) are written in the same transaction as the item, so a poll
 * commits whole or not at all.  Exports read only the rollups.  Each item's
 * text is kept zstd-compressed until text_retention passes, so that edited
 * rules can be re-applied later; counts are kept forever.
 *
 * The schema carries its version in PRAGMA user_version; store_open applies
 * every migration above the file's version, in order, each in a transaction.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mentiond.h"

#define STORE_BUSY_MS	5000	/* how long a reader or writer waits */

/* Forward migrations: migrations[i] takes version i to version i + 1. */
static const char *store_migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE source ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL DEFAULT '',"
	"  polls INTEGER NOT NULL DEFAULT 0,"
	"  items INTEGER NOT NULL DEFAULT 0,"
	"  last_poll INTEGER"
	");"
	"CREATE TABLE rule ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL DEFAULT '',"
	"  label TEXT NOT NULL DEFAULT ''"
	");"
	/* A rule-set version: the hash of the rules' normalised definitions. */
	"CREATE TABLE ruleset ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  created INTEGER NOT NULL,"
	"  rules TEXT NOT NULL"
	");"
	"CREATE TABLE item ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id),"
	"  uid TEXT NOT NULL,"
	"  published INTEGER NOT NULL,"	/* from the feed, else seen */
	"  dated INTEGER NOT NULL,"	/* 1 if the feed gave the date */
	"  seen INTEGER NOT NULL,"
	"  added INTEGER NOT NULL,"	/* when stored: text retention */
	"  ruleset INTEGER,"		/* what counted it */
	"  text BLOB,"			/* zstd; NULL past retention */
	"  hits BLOB,"			/* (rule id, mentions) varint pairs */
	"  UNIQUE (source_id, uid)"
	");"
	"CREATE INDEX item_seen ON item(seen);"
	"CREATE INDEX item_published ON item(published);"
	"CREATE INDEX item_added ON item(added);"
	/*
	 * Rollups: one row per axis (0 published, 1 seen), UTC day and owner,
	 * its hourly counts in a cell blob (see cell.c).  Per source: keys are
	 * rule * 32 + hour, values (items, mentions).  Per rule, all sources:
	 * keys are hours.  Totals (items ingested) per source and, with
	 * source 0, all sources.  Co-occurrence (all sources) per rule a <
	 * rule b: keys are b * 32 + hour, value items with both.
	 */
	"CREATE TABLE rollup ("
	"  axis INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  cells BLOB NOT NULL,"
	"  PRIMARY KEY (axis, day, source_id)"
	");"
	"CREATE TABLE rollup_rule ("
	"  axis INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  rule_id INTEGER NOT NULL,"
	"  cells BLOB NOT NULL,"
	"  PRIMARY KEY (axis, day, rule_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE total ("
	"  axis INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  cells BLOB NOT NULL,"
	"  PRIMARY KEY (axis, day, source_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE cooccur ("
	"  axis INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  rule_id INTEGER NOT NULL,"
	"  cells BLOB NOT NULL,"
	"  PRIMARY KEY (axis, day, rule_id)"
	");"
	/* Which rule-set versions produced the counts of each day. */
	"CREATE TABLE version ("
	"  axis INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  ruleset INTEGER NOT NULL,"
	"  PRIMARY KEY (axis, day, ruleset)"
	") WITHOUT ROWID;",

	/* 1 -> 2: the daemon's per-source state and health, and a ledger of
	 * polls per source and hour (a dip is not a dead feed). */
	"ALTER TABLE source ADD COLUMN etag TEXT;"
	"ALTER TABLE source ADD COLUMN last_modified TEXT;"
	"ALTER TABLE source ADD COLUMN body_hash TEXT;"
	"ALTER TABLE source ADD COLUMN last_attempt INTEGER;"
	"ALTER TABLE source ADD COLUMN last_success INTEGER;"
	"ALTER TABLE source ADD COLUMN status INTEGER;"
	"ALTER TABLE source ADD COLUMN error TEXT;"
	"ALTER TABLE source ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE source ADD COLUMN next_due INTEGER;"
	"CREATE TABLE poll ("		/* keys: hours; (polls, polls ok) */
	"  day INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  cells BLOB NOT NULL,"
	"  PRIMARY KEY (day, source_id)"
	") WITHOUT ROWID;",
};

/* Cell tables, in the order their deltas are written. */
static const char *store_cell_table[] = {
	"rollup", "rollup_rule", "total", "cooccur", "poll"
};
static const char *store_cell_owner[] = {
	"source_id", "rule_id", "source_id", "rule_id", "source_id"
};

enum {
	ST_ITEM_EXISTS,
	ST_ITEM_ADD,
	ST_SOURCE_POLL,
	ST_SOURCE_HEALTH,
	ST_SOURCE_VALIDATORS,
	ST_ITEM_TEXT,
	ST_VERSION,
	ST_MERGE_ROLLUP,
	ST_MERGE_ROLLUP_RULE,
	ST_MERGE_TOTAL,
	ST_MERGE_COOCCUR,
	ST_MERGE_POLL,
	ST_COUNT
};

static const char *store_sql[ST_COUNT] = {
	"SELECT 1 FROM item WHERE source_id = ? AND uid = ?",
	"INSERT INTO item (source_id, uid, published, dated, seen, added, "
	"ruleset, text, hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"UPDATE source SET polls = polls + 1, items = items + ?, "
	"last_poll = max(coalesce(last_poll, ?), ?) WHERE id = ?",
	"UPDATE source SET last_attempt = ?, status = ?, error = ?, "
	"failures = ?, next_due = coalesce(?, next_due), "
	"last_success = CASE WHEN ? THEN ? ELSE last_success END WHERE id = ?",
	"UPDATE source SET etag = ?, last_modified = ?, body_hash = ? "
	"WHERE id = ?",
	"SELECT text FROM item WHERE source_id = ? AND uid = ?",
	"INSERT OR IGNORE INTO version (axis, day, ruleset) VALUES (?, ?, ?)",
	"INSERT INTO rollup (axis, day, source_id, cells) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (axis, day, source_id) "
	"DO UPDATE SET cells = mentiond_merge(cells, excluded.cells)",
	"INSERT INTO rollup_rule (axis, day, rule_id, cells) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (axis, day, rule_id) "
	"DO UPDATE SET cells = mentiond_merge(cells, excluded.cells)",
	"INSERT INTO total (axis, day, source_id, cells) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (axis, day, source_id) "
	"DO UPDATE SET cells = mentiond_merge(cells, excluded.cells)",
	"INSERT INTO cooccur (axis, day, rule_id, cells) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (axis, day, rule_id) "
	"DO UPDATE SET cells = mentiond_merge(cells, excluded.cells)",
	"INSERT INTO poll (day, source_id, cells) VALUES (?, ?, ?) "
	"ON CONFLICT (day, source_id) "
	"DO UPDATE SET cells = mentiond_merge(cells, excluded.cells)",
};

/*
 * The pending cell deltas of one row (table, axis, day, owner: a source,
 * rule or rule a), written at the end of the transaction.
 */
struct store_group {
	int		 table;		/* STORE_T_* */
	int		 axis;
	int64_t		 day;
	int64_t		 owner;
	struct cell	*c;
	size_t		 n;
	size_t		 cap;
	int		 next;		/* hash chain, -1 */
};

#define STORE_HASH	8192	/* a daemon batch holds a few thousand rows */
#define STORE_CELLS_KEEP 64	/* cells a group keeps between transactions */

/* A day whose rule-set versions changed (a poll, a re-score). */
struct store_version {
	int		 axis;
	int64_t		 day;
	int64_t		 ruleset;
};

struct store {
	sqlite3			*db;
	char			*path;
	int			 readonly;
	sqlite3_stmt		*st[ST_COUNT];
	sqlite3_stmt		*st_rescore;
	struct pack		*pack;		/* for reading text back */
	struct buf		 hits;
	struct buf		 blob;
	struct store_group	*grp;
	size_t			 ngrp;
	size_t			 cgrp;
	int			 hash[STORE_HASH];
	struct store_version	*ver;
	size_t			 nver;
	size_t			 cver;
	struct cell		*cells;		/* decoding scratch */
	size_t			 ccells;
	int			 in_txn;
	int			 lockfd;
};

static void	store_groups_clear(struct store *);
static int	store_flush(struct store *, char **);

static void
store_cause(struct store *s, char **cause, const char *what)
{
	xasprintf(cause, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int
store_exec(struct store *s, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", s->path, err != NULL ? err :
		    sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

int
store_version(struct store *s)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* Bring the schema up to date, one transaction per version step. */
static int
store_migrate(struct store *s, char **cause)
{
	char	 sql[64];
	int	 v, from, latest = (int)nitems(store_migrations);

	if ((v = store_version(s)) < 0) {
		store_cause(s, cause, "reading schema version");
		return (-1);
	}
	if (v > latest) {
		xasprintf(cause, "%s: schema version %d is newer than this "
		    "mentiond understands (%d); upgrade mentiond", s->path, v,
		    latest);
		return (-1);
	}
	if (v < latest && s->readonly) {
		xasprintf(cause, "%s: schema version %d needs upgrading to %d; "
		    "run a command that writes (mentiond, mentionctl ingest) "
		    "first", s->path, v, latest);
		return (-1);
	}
	for (from = v; v < latest; v++) {
		if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0)
			return (-1);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, store_migrations[v], cause) != 0 ||
		    store_exec(s, sql, cause) != 0) {
			store_exec(s, "ROLLBACK", cause);
			return (-1);
		}
		if (store_exec(s, "COMMIT", cause) != 0)
			return (-1);
		if (from > 0)
			log_info("%s: schema upgraded to version %d", s->path,
			    v + 1);
	}
	return (0);
}

/* Create the database's directory if it is missing (a relative default). */
static int
store_mkdir(const char *path, char **cause)
{
	char		*copy, *dir, *p;
	struct stat	 sb;

	copy = xstrdup(path);
	dir = dirname(copy);
	if (stat(dir, &sb) == 0) {
		free(copy);
		return (0);
	}
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
			xasprintf(cause, "%s: cannot create directory: %s",
			    dir, strerror(errno));
			free(copy);
			return (-1);
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return (0);
}

/* SQL mentiond_merge(old, delta): cell blobs summed key by key. */
static void
store_merge_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf	out;

	(void)argc;
	buf_init(&out);
	if (cell_merge(sqlite3_value_blob(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), sqlite3_value_blob(argv[1]),
	    (size_t)sqlite3_value_bytes(argv[1]), &out) != 0) {
		buf_free(&out);
		sqlite3_result_error(ctx, "malformed rollup cells", -1);
		return;
	}
	if (out.data == NULL)
		sqlite3_result_zeroblob(ctx, 0);
	else
		sqlite3_result_blob(ctx, out.data, (int)out.len, free);
}

/*
 * The daemon holds an exclusive lock beside the database: a second daemon
 * on the same file would poll every source twice.  (mentionctl ingest may
 * still write; SQLite serialises the transactions.)
 */
static int
store_lock(struct store *s, char **cause)
{
	char	*path;
	int	 rc = -1;

	xasprintf(&path, "%s.lock", s->path);
	if ((s->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	else if (flock(s->lockfd, LOCK_EX | LOCK_NB) == -1)
		xasprintf(cause, "%s: another mentiond is using this database",
		    s->path);
	else
		rc = 0;
	free(path);
	return (rc);
}

/*
 * Open (creating and migrating if writable) the database at path.  Readers
 * (STORE_READONLY) never block the writer: WAL lets them read a snapshot.
 */
struct store *
store_open(const char *path, int flags, char **cause)
{
	struct store	*s;
	int		 oflags, i;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->readonly = (flags & STORE_READONLY) != 0;
	s->lockfd = -1;
	memset(s->hash, 0xff, sizeof s->hash);
	if (s->readonly) {
		if (access(path, F_OK) == -1) {
			xasprintf(cause, "%s: %s (nothing has been recorded "
			    "yet?)", path, strerror(errno));
			free(s->path);
			free(s);
			return (NULL);
		}
		oflags = SQLITE_OPEN_READONLY;
	} else {
		if (store_mkdir(path, cause) != 0 || ((flags & STORE_EXCLUSIVE) &&
		    store_lock(s, cause) != 0)) {
			store_close(s);
			return (NULL);
		}
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		store_cause(s, cause, "cannot open");
		store_close(s);
		return (NULL);
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if (!s->readonly &&
	    (store_exec(s, "PRAGMA journal_mode = WAL", cause) != 0 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL", cause) != 0)) {
		store_close(s);
		return (NULL);
	}
	if (!s->readonly && sqlite3_create_function_v2(s->db,
	    "mentiond_merge", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	    store_merge_fn, NULL, NULL, NULL) != SQLITE_OK) {
		store_cause(s, cause, "registering functions");
		store_close(s);
		return (NULL);
	}
	if (store_exec(s, "PRAGMA foreign_keys = OFF", cause) != 0 ||
	    store_migrate(s, cause) != 0) {
		store_close(s);
		return (NULL);
	}
	for (i = 0; i < ST_COUNT; i++) {
		if (s->readonly && i != ST_ITEM_TEXT && i != ST_ITEM_EXISTS)
			continue;
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			store_cause(s, cause, "preparing statements");
			store_close(s);
			return (NULL);
		}
	}
	return (s);
}

/* Stop a running statement from another thread (an API query let go). */
void
store_interrupt(struct store *s)
{
	sqlite3_interrupt(s->db);
}

/* Bytes on disk: the database and its write-ahead log. */
int64_t
store_size(const char *path)
{
	struct stat	 sb;
	char		*wal;
	int64_t		 n = 0;

	if (stat(path, &sb) == 0)
		n += (int64_t)sb.st_size;
	xasprintf(&wal, "%s-wal", path);
	if (stat(wal, &sb) == 0)
		n += (int64_t)sb.st_size;
	free(wal);
	return (n);
}

void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_finalize(s->st_rescore);
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->lockfd != -1)
		close(s->lockfd);
	pack_free(s->pack);
	buf_free(&s->hits);
	buf_free(&s->blob);
	for (size_t g = 0; g < s->cgrp; g++)
		free(s->grp[g].c);
	free(s->grp);
	free(s->ver);
	free(s->cells);
	free(s->path);
	free(s);
}

/* Begin the one write transaction of a poll. */
int
store_begin(struct store *s, char **cause)
{
	if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0)
		return (-1);
	s->in_txn = 1;
	store_groups_clear(s);
	s->nver = 0;
	return (0);
}

/* The queued rollup deltas are written first: one merge per row. */
int
store_commit(struct store *s, char **cause)
{
	if (store_flush(s, cause) != 0 || store_exec(s, "COMMIT", cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	s->in_txn = 0;
	store_groups_clear(s);
	s->nver = 0;
	return (0);
}

void
store_rollback(struct store *s)
{
	char	*cause = NULL;

	if (s->in_txn && store_exec(s, "ROLLBACK", &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	}
	s->in_txn = 0;
	store_groups_clear(s);
	s->nver = 0;
}

static int
store_step(struct store *s, sqlite3_stmt *st, const char *what, char **cause)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		store_cause(s, cause, what);
		return (-1);
	}
	return (0);
}

static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int
store_lookup(struct store *s, const char *sql, const char *name, int64_t *id)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return (rc);
}

static int
store_rule_name_cmp(const void *a, const void *b)
{
	return (strcmp((*(struct rule *const *)a)->name,
	    (*(struct rule *const *)b)->name));
}

/*
 * Record rule names, kinds and labels, setting each rule's id, and the
 * rule-set version: the hash of the rules' normalised definitions.
 */
int
store_sync_rules(struct store *s, struct rule **rules, size_t n,
    int64_t *ruleset, char **cause)
{
	sqlite3_stmt	*up = NULL, *get = NULL, *rs = NULL;
	struct rule	**sorted;
	struct buf	 def;
	char		 hash[17];
	size_t		 i;
	int		 rc = -1;

	buf_init(&def);
	sorted = xcalloc(n + 1, sizeof *sorted);
	if (n > 0)
		memcpy(sorted, rules, n * sizeof *sorted);
	if (n > 1)
		qsort(sorted, n, sizeof *sorted, store_rule_name_cmp);
	for (i = 0; i < n; i++)
		rule_definition(sorted[i], &def);
	free(sorted);
	hash64_hex(def.data != NULL ? def.data : "", def.len, hash);

	if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0) {
		buf_free(&def);
		return (-1);
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO rule (name, kind, label) "
	    "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
	    "kind = excluded.kind, label = excluded.label", -1, &up,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT id FROM rule WHERE name = ?",
	    -1, &get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO ruleset (hash, "
	    "created, rules) VALUES (?, strftime('%s', 'now'), ?)", -1, &rs,
	    NULL) != SQLITE_OK) {
		store_cause(s, cause, "recording rules");
		goto out;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(up, 1, rules[i]->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, rules[i]->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, rules[i]->label, -1, SQLITE_STATIC);
		if (sqlite3_step(up) != SQLITE_DONE) {
			store_cause(s, cause, "recording rules");
			goto out;
		}
		sqlite3_reset(up);
		sqlite3_bind_text(get, 1, rules[i]->name, -1, SQLITE_STATIC);
		if (sqlite3_step(get) != SQLITE_ROW) {
			store_cause(s, cause, "recording rules");
			goto out;
		}
		rules[i]->id = sqlite3_column_int64(get, 0);
		sqlite3_reset(get);
	}
	sqlite3_bind_text(rs, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(rs, 2, def.data != NULL ? def.data : "", -1,
	    SQLITE_STATIC);
	if (sqlite3_step(rs) != SQLITE_DONE ||
	    store_lookup(s, "SELECT id FROM ruleset WHERE hash = ?", hash,
	    ruleset) != 0) {
		store_cause(s, cause, "recording the rule-set version");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(up);
	sqlite3_finalize(get);
	sqlite3_finalize(rs);
	buf_free(&def);
	if (rc == 0)
		return (store_exec(s, "COMMIT", cause));
	s->in_txn = 1;
	store_rollback(s);
	return (-1);
}

/* The id of a source, created (with its URL) if new. */
int
store_source_id(struct store *s, const char *name, const char *url,
    int64_t *id, char **cause)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO source (name, url) "
	    "VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET url = "
	    "CASE WHEN excluded.url = '' THEN url ELSE excluded.url END",
	    -1, &st, NULL) != SQLITE_OK) {
		store_cause(s, cause, "recording source");
		return (-1);
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url != NULL ? url : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		store_cause(s, cause, "recording source");
	else if (store_lookup_source(s, name, id) != 0)
		store_cause(s, cause, "recording source");
	else
		rc = 0;
	sqlite3_finalize(st);
	return (rc);
}

int
store_lookup_source(struct store *s, const char *name, int64_t *id)
{
	return (store_lookup(s, "SELECT id FROM source WHERE name = ?", name,
	    id));
}

int
store_lookup_rule(struct store *s, const char *name, int64_t *id)
{
	return (store_lookup(s, "SELECT id FROM rule WHERE name = ?", name,
	    id));
}

/* Is (source, uid) stored already?  1 yes, 0 no, -1 on error. */
int
store_item_exists(struct store *s, int64_t source_id, const char *uid)
{
	sqlite3_stmt	*st = s->st[ST_ITEM_EXISTS];
	int		 rc;

	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return (1);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/*
 * Forget pending deltas (after a commit, or a rollback).  Small cell
 * arrays are kept for reuse; big ones go, or every slot would grow to the
 * largest group it ever held (14 MB after 600 polls, and rising).
 */
static void
store_groups_clear(struct store *s)
{
	struct store_group	*g;
	size_t			 i;

	for (i = 0; i < s->ngrp; i++) {
		g = &s->grp[i];
		if (g->cap > STORE_CELLS_KEEP) {
			free(g->c);
			g->c = NULL;
			g->cap = 0;
		}
		g->n = 0;
	}
	s->ngrp = 0;
	memset(s->hash, 0xff, sizeof s->hash);
}

/* Queue a cell delta; the transaction writes them all at its end. */
static void
store_delta(struct store *s, int table, int axis, int64_t day, int64_t owner,
    int64_t key, int64_t v1, int64_t v2)
{
	struct store_group	*g;
	uint64_t		 h;
	int			 i;

	h = ((uint64_t)day * 31 + (uint64_t)owner) * 8 + table * 2 + axis;
	h = (h * 0x9e3779b97f4a7c15ULL) >> 51;	/* 13 bits */
	for (i = s->hash[h]; i != -1; i = s->grp[i].next) {
		g = &s->grp[i];
		if (g->table == table && g->axis == axis && g->day == day &&
		    g->owner == owner)
			break;
	}
	if (i == -1) {
		if (s->ngrp == s->cgrp) {
			s->grp = xreallocarray(s->grp, s->cgrp * 2 + 64,
			    sizeof *s->grp);
			memset(s->grp + s->cgrp, 0, (s->cgrp + 64) *
			    sizeof *s->grp);
			s->cgrp = s->cgrp * 2 + 64;
		}
		i = (int)s->ngrp++;
		g = &s->grp[i];
		g->table = table;
		g->axis = axis;
		g->day = day;
		g->owner = owner;
		g->n = 0;
		g->next = s->hash[h];
		s->hash[h] = i;
	}
	g = &s->grp[i];
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		g->c = xreallocarray(g->c, g->cap, sizeof *g->c);
	}
	g->c[g->n].key = key;
	g->c[g->n].v1 = v1;
	g->c[g->n++].v2 = v2;
}

static void
store_version_note(struct store *s, int axis, int64_t day, int64_t ruleset)
{
	struct store_version	*v;
	size_t			 i;

	for (i = 0; i < s->nver; i++) {
		v = &s->ver[i];
		if (v->axis == axis && v->day == day && v->ruleset == ruleset)
			return;
	}
	if (s->nver == s->cver) {
		s->cver = s->cver == 0 ? 16 : s->cver * 2;
		s->ver = xreallocarray(s->ver, s->cver, sizeof *s->ver);
	}
	s->ver[s->nver].axis = axis;
	s->ver[s->nver].day = day;
	s->ver[s->nver++].ruleset = ruleset;
}

static int64_t
store_floordiv(int64_t a, int64_t b)
{
	return (a >= 0 ? a / b : -((-a + b - 1) / b));
}

/*
 * What one item adds to the rollups (sign 1) or takes away (sign -1, a
 * re-score): totals, per-source and per-rule counts and rule pairs, on
 * both time axes.  hits must be sorted by rule id.
 */
static void
store_item_deltas(struct store *s, int64_t source_id, int64_t published,
    int64_t seen, const struct store_hit *hits, size_t nhits, int sign)
{
	int64_t	t, day, hour;
	size_t	i, j;
	int	axis;

	for (axis = 0; axis < 2; axis++) {
		t = axis == STORE_BY_PUBLISHED ? published : seen;
		day = store_floordiv(t, 86400);
		hour = (t - day * 86400) / 3600;
		store_delta(s, STORE_T_TOTAL, axis, day, source_id, hour, sign,
		    0);
		store_delta(s, STORE_T_TOTAL, axis, day, 0, hour, sign, 0);
		for (i = 0; i < nhits; i++) {
			store_delta(s, STORE_T_ROLLUP, axis, day, source_id,
			    hits[i].rule_id * 32 + hour, sign,
			    sign * hits[i].mentions);
			store_delta(s, STORE_T_ROLLUP_RULE, axis, day,
			    hits[i].rule_id, hour, sign,
			    sign * hits[i].mentions);
			for (j = i + 1; j < nhits; j++)
				store_delta(s, STORE_T_COOCCUR, axis, day,
				    hits[i].rule_id, hits[j].rule_id * 32 + hour,
				    sign, 0);
		}
	}
}

/* Write the queued deltas: one merge per row. */
static int
store_flush(struct store *s, char **cause)
{
	struct store_group	*g;
	sqlite3_stmt		*st;
	size_t			 i, n;
	int			 col;

	for (i = 0; i < s->ngrp; i++) {
		g = &s->grp[i];
		if ((n = cell_normalise(g->c, g->n)) == 0)
			continue;
		cell_encode(g->c, n, &s->blob);
		st = s->st[ST_MERGE_ROLLUP + g->table];
		col = 1;
		if (g->table != STORE_T_POLL)
			sqlite3_bind_int(st, col++, g->axis);
		sqlite3_bind_int64(st, col++, g->day);
		sqlite3_bind_int64(st, col++, g->owner);
		sqlite3_bind_blob(st, col, s->blob.data, (int)s->blob.len,
		    SQLITE_STATIC);
		if (store_step(s, st, "updating rollups", cause) != 0)
			return (-1);
	}
	store_groups_clear(s);
	for (i = 0; i < s->nver; i++) {
		st = s->st[ST_VERSION];
		sqlite3_bind_int(st, 1, s->ver[i].axis);
		sqlite3_bind_int64(st, 2, s->ver[i].day);
		sqlite3_bind_int64(st, 3, s->ver[i].ruleset);
		if (store_step(s, st, "recording versions", cause) != 0)
			return (-1);
	}
	s->nver = 0;
	return (0);
}

/* Hits as (rule id, mentions) pairs of LEB128 varints. */
static void
store_varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		buf_addc(b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_addc(b, (char)v);
}

void
store_hits_encode(const struct store_hit *hits, size_t n, struct buf *out)
{
	size_t	i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		store_varint(out, (uint64_t)hits[i].rule_id);
		store_varint(out, (uint64_t)hits[i].mentions);
	}
}

/* Decode hits; -1 on a malformed blob.  *hits is malloc'd. */
int
store_hits_decode(const void *blob, size_t len, struct store_hit **hits,
    size_t *n)
{
	const u_char	*p = blob, *end = p + len;
	uint64_t	 v[2];
	size_t		 cap = 0;
	int		 k, shift;

	*hits = NULL;
	*n = 0;
	while (p < end) {
		for (k = 0; k < 2; k++) {
			v[k] = 0;
			for (shift = 0; ; shift += 7) {
				if (p >= end || shift > 56) {
					free(*hits);
					*hits = NULL;
					*n = 0;
					return (-1);
				}
				v[k] |= (uint64_t)(*p & 0x7f) << shift;
				if ((*p++ & 0x80) == 0)
					break;
			}
		}
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*hits = xreallocarray(*hits, cap, sizeof **hits);
		}
		(*hits)[*n].rule_id = (int64_t)v[0];
		(*hits)[(*n)++].mentions = (int)v[1];
	}
	return (0);
}

static int
store_hit_cmp(const void *a, const void *b)
{
	const struct store_hit	*x = a, *y = b;

	return (x->rule_id < y->rule_id ? -1 : x->rule_id > y->rule_id);
}

/*
 * Add a new item with its rule hits (which it sorts by rule id).  Its
 * rollup deltas are queued and written by store_poll_done, inside the
 * same transaction.
 */
int
store_item_add(struct store *s, int64_t source_id, const struct store_item *it,
    struct store_hit *hits, size_t nhits, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_ITEM_ADD];

	if (nhits > 1)
		qsort(hits, nhits, sizeof *hits, store_hit_cmp);
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, it->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, it->published);
	sqlite3_bind_int(st, 4, it->dated);
	sqlite3_bind_int64(st, 5, it->seen);
	sqlite3_bind_int64(st, 6, it->added != 0 ? it->added :
	    (int64_t)time(NULL));
	sqlite3_bind_int64(st, 7, it->ruleset);
	if (it->ztext != NULL)
		sqlite3_bind_blob(st, 8, it->ztext, (int)it->zlen,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	if (nhits > 0) {
		store_hits_encode(hits, nhits, &s->hits);
		sqlite3_bind_blob(st, 9, s->hits.data, (int)s->hits.len,
		    SQLITE_STATIC);
	} else
		sqlite3_bind_null(st, 9);
	if (store_step(s, st, "adding item", cause) != 0)
		return (-1);
	store_item_deltas(s, source_id, it->published, it->seen, hits, nhits,
	    1);
	store_version_note(s, STORE_BY_PUBLISHED,
	    store_floordiv(it->published, 86400), it->ruleset);
	store_version_note(s, STORE_BY_SEEN, store_floordiv(it->seen, 86400),
	    it->ruleset);
	return (0);
}

/*
 * End a poll of a source: write the accumulated rollups, the source's poll
 * count, and (for the daemon) its health, validators and next due time,
 * all inside the poll's transaction.  The caller commits.
 */
int
store_poll_done(struct store *s, int64_t source_id, const struct store_poll *p,
    char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 day;

	if (p->when != 0) {	/* the ledger: a dip is not a dead feed */
		day = store_floordiv(p->when, 86400);
		store_delta(s, STORE_T_POLL, 0, day, source_id,
		    (p->when - day * 86400) / 3600, 1, p->ok);
	}
	if (p->ok) {
		st = s->st[ST_SOURCE_POLL];
		sqlite3_bind_int64(st, 1, p->fresh);
		sqlite3_bind_int64(st, 2, p->when);
		sqlite3_bind_int64(st, 3, p->when);
		sqlite3_bind_int64(st, 4, source_id);
		if (store_step(s, st, "updating source", cause) != 0)
			return (-1);
	}
	if (!p->health)
		return (0);

	st = s->st[ST_SOURCE_HEALTH];
	sqlite3_bind_int64(st, 1, p->when);
	sqlite3_bind_int64(st, 2, p->status);
	store_bind_text(st, 3, p->error);
	sqlite3_bind_int(st, 4, p->failures);
	if (p->next_due != 0)
		sqlite3_bind_int64(st, 5, p->next_due);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, p->ok);
	sqlite3_bind_int64(st, 7, p->when);
	sqlite3_bind_int64(st, 8, source_id);
	if (store_step(s, st, "updating source health", cause) != 0)
		return (-1);

	if (p->validators) {
		st = s->st[ST_SOURCE_VALIDATORS];
		store_bind_text(st, 1, p->etag);
		store_bind_text(st, 2, p->last_modified);
		store_bind_text(st, 3, p->hash);
		sqlite3_bind_int64(st, 4, source_id);
		if (store_step(s, st, "updating source validators", cause) != 0)
			return (-1);
	}
	return (0);
}

/* What the daemon keeps per source across restarts. */
int
store_source_state(struct store *s, int64_t source_id,
    struct store_source_state *ss)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(ss, 0, sizeof *ss);
	if (sqlite3_prepare_v2(s->db, "SELECT etag, last_modified, body_hash, "
	    "failures, next_due FROM source WHERE id = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(st, 1, source_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			ss->etag = xstrdup((const char *)
			    sqlite3_column_text(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			ss->last_modified = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			ss->hash = xstrdup((const char *)
			    sqlite3_column_text(st, 2));
		ss->failures = sqlite3_column_int(st, 3);
		ss->next_due = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

void
store_source_state_clear(struct store_source_state *ss)
{
	free(ss->etag);
	free(ss->last_modified);
	free(ss->hash);
	memset(ss, 0, sizeof *ss);
}

/* Every source's health row, by name, for mentionctl sources. */
int
store_sources(struct store *s, store_source_cb cb, void *arg, char **cause)
{
	struct store_source_row	 row;
	sqlite3_stmt		*st;
	int			 rc;

	if (sqlite3_prepare_v2(s->db, "SELECT name, url, polls, items, "
	    "last_poll, last_attempt, last_success, status, error, failures, "
	    "next_due FROM source ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading sources");
		return (-1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		row.name = (const char *)sqlite3_column_text(st, 0);
		row.url = (const char *)sqlite3_column_text(st, 1);
		row.polls = sqlite3_column_int64(st, 2);
		row.items = sqlite3_column_int64(st, 3);
		row.last_poll = sqlite3_column_int64(st, 4);
		row.last_attempt = sqlite3_column_int64(st, 5);
		row.last_success = sqlite3_column_int64(st, 6);
		row.status = sqlite3_column_int(st, 7);
		row.error = (const char *)sqlite3_column_text(st, 8);
		row.failures = sqlite3_column_int(st, 9);
		row.next_due = sqlite3_column_int64(st, 10);
		if (cb(&row, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_cause(s, cause, "reading sources");
		return (-1);
	}
	return (0);
}

/* Drop the text of items stored before cutoff; counts stay. */
int
store_prune_text(struct store *s, int64_t cutoff, int64_t *n, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE item SET text = NULL "
	    "WHERE added < ? AND text IS NOT NULL", -1, &st, NULL) != SQLITE_OK) {
		store_cause(s, cause, "pruning text");
		return (-1);
	}
	sqlite3_bind_int64(st, 1, cutoff);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_cause(s, cause, "pruning text");
		return (-1);
	}
	*n = sqlite3_changes(s->db);
	return (0);
}

/*
 * Hourly cells of a cell table in [from, to) (hour starts, UTC), day rows
 * in order, optionally only for some owners (sources or rules); cb
 * returning non-zero stops.  Per-source rollups and co-occurrence keep a
 * rule in the key: it comes back as cell.sub.
 */
int
store_cells(struct store *s, int table, int axis, int64_t from, int64_t to,
    const int64_t *owners, size_t nowners, store_cell_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt		*st;
	struct buf		 sql;
	struct store_cell	 sc;
	struct cell		*c = NULL;
	size_t			 i, n, cap = 0;
	int64_t			 dfrom, dto;
	int			 rc, k = 1, split;

	split = table == STORE_T_ROLLUP || table == STORE_T_COOCCUR;
	dfrom = store_floordiv(from == INT64_MIN ? INT64_MIN / 2 : from, 86400);
	dto = store_floordiv(to == INT64_MAX ? INT64_MAX / 2 : to - 1, 86400);
	buf_init(&sql);
	buf_printf(&sql, "SELECT day, %s, cells FROM %s WHERE ",
	    store_cell_owner[table], store_cell_table[table]);
	if (table != STORE_T_POLL)
		buf_adds(&sql, "axis = ? AND ");
	buf_adds(&sql, "day BETWEEN ? AND ?");
	if (owners != NULL) {
		buf_printf(&sql, " AND %s IN (", store_cell_owner[table]);
		for (i = 0; i < nowners; i++)
			buf_adds(&sql, i == 0 ? "?" : ",?");
		buf_adds(&sql, ")");
	}
	buf_printf(&sql, " ORDER BY day, %s", store_cell_owner[table]);
	if (sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading rollups");
		buf_free(&sql);
		return (-1);
	}
	buf_free(&sql);
	if (table != STORE_T_POLL)
		sqlite3_bind_int(st, k++, axis);
	sqlite3_bind_int64(st, k++, dfrom);
	sqlite3_bind_int64(st, k++, dto);
	for (i = 0; owners != NULL && i < nowners; i++)
		sqlite3_bind_int64(st, k++, owners[i]);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sc.owner = sqlite3_column_int64(st, 1);
		n = 0;
		if (cell_decode(sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), &c, &n, &cap) != 0) {
			xasprintf(cause, "%s: malformed rollup cells in %s",
			    s->path, store_cell_table[table]);
			rc = SQLITE_ERROR;
			break;
		}
		for (i = 0; i < n; i++) {
			sc.sub = split ? c[i].key >> 5 : 0;
			sc.hour = sqlite3_column_int64(st, 0) * 86400 +
			    (split ? c[i].key & 31 : c[i].key) * 3600;
			if (sc.hour < from || sc.hour >= to)
				continue;
			sc.v1 = c[i].v1;
			sc.v2 = c[i].v2;
			if (cb(&sc, arg) != 0) {
				rc = SQLITE_DONE;
				goto done;
			}
		}
	}
done:
	free(c);
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_ERROR)
			store_cause(s, cause, "reading rollups");
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	return (0);
}

/*
 * The span of hours with items on an axis: [*first, *last) in epoch
 * seconds.  0 when there is something, 1 when nothing is stored, -1 on
 * error.
 */
int
store_extent(struct store *s, int axis, int64_t *first, int64_t *last,
    char **cause)
{
	static const char	*sql[2] = {
		"SELECT day, cells FROM total WHERE axis = ? AND source_id = 0 "
		"ORDER BY day ASC LIMIT 1",
		"SELECT day, cells FROM total WHERE axis = ? AND source_id = 0 "
		"ORDER BY day DESC LIMIT 1",
	};
	sqlite3_stmt	*st;
	struct cell	*c = NULL;
	size_t		 n, cap = 0;
	int		 k, rc = 0;

	for (k = 0; k < 2 && rc == 0; k++) {
		if (sqlite3_prepare_v2(s->db, sql[k], -1, &st,
		    NULL) != SQLITE_OK) {
			store_cause(s, cause, "reading rollups");
			free(c);
			return (-1);
		}
		sqlite3_bind_int(st, 1, axis);
		n = 0;
		if (sqlite3_step(st) != SQLITE_ROW)
			rc = 1;
		else if (cell_decode(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), &c, &n, &cap) != 0 ||
		    n == 0)
			rc = 1;
		else if (k == 0)
			*first = sqlite3_column_int64(st, 0) * 86400 +
			    c[0].key * 3600;
		else	/* cells are sorted by key */
			*last = sqlite3_column_int64(st, 0) * 86400 +
			    c[n - 1].key * 3600 + 3600;
		sqlite3_finalize(st);
	}
	free(c);
	return (rc);
}

/* The rule-set versions that produced the counts of days in [from, to). */
int
store_versions(struct store *s, int axis, int64_t from, int64_t to,
    store_version_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "SELECT v.day, r.hash FROM version v "
	    "JOIN ruleset r ON r.id = v.ruleset WHERE v.axis = ? AND "
	    "v.day BETWEEN ? AND ? ORDER BY v.day, r.id", -1, &st,
	    NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading versions");
		return (-1);
	}
	sqlite3_bind_int(st, 1, axis);
	sqlite3_bind_int64(st, 2, store_floordiv(from == INT64_MIN ?
	    INT64_MIN / 2 : from, 86400));
	sqlite3_bind_int64(st, 3, store_floordiv(to == INT64_MAX ?
	    INT64_MAX / 2 : to - 1, 86400));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb(sqlite3_column_int64(st, 0) * 86400,
		    (const char *)sqlite3_column_text(st, 1), arg);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_cause(s, cause, "reading versions");
		return (-1);
	}
	return (0);
}

/*
 * Items stored since `since` whose text is still kept, oldest first: what
 * a re-score can re-apply rules to.  cb returning non-zero stops.
 */
int
store_items_since(struct store *s, int64_t since, store_item_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_stored	 it;
	struct buf		 text;
	int			 rc;

	if (sqlite3_prepare_v2(s->db, "SELECT id, source_id, uid, published, "
	    "seen, coalesce(ruleset, 0), text, hits FROM item WHERE added >= ? "
	    "AND text IS NOT NULL ORDER BY added, id", -1, &st,
	    NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading items");
		return (-1);
	}
	sqlite3_bind_int64(st, 1, since);
	if (s->pack == NULL)
		s->pack = pack_new();
	buf_init(&text);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&it, 0, sizeof it);
		it.id = sqlite3_column_int64(st, 0);
		it.source_id = sqlite3_column_int64(st, 1);
		it.uid = (const char *)sqlite3_column_text(st, 2);
		it.published = sqlite3_column_int64(st, 3);
		it.seen = sqlite3_column_int64(st, 4);
		it.ruleset = sqlite3_column_int64(st, 5);
		if (pack_decompress(s->pack, sqlite3_column_blob(st, 6),
		    (size_t)sqlite3_column_bytes(st, 6), &text) != 0 ||
		    store_hits_decode(sqlite3_column_blob(st, 7),
		    (size_t)sqlite3_column_bytes(st, 7), &it.hits,
		    &it.nhits) != 0) {
			xasprintf(cause, "%s: item %lld: malformed stored "
			    "text or counts", s->path, (long long)it.id);
			rc = SQLITE_ERROR;
			break;
		}
		it.text = text.data != NULL ? text.data : "";
		it.textlen = text.len;
		rc = cb(&it, arg);
		free(it.hits);
		if (rc != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	buf_free(&text);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_ERROR)
			store_cause(s, cause, "reading items");
		return (-1);
	}
	return (0);
}

/*
 * Inside a transaction: an item's counts become `hits` (sorted by rule
 * id), counted by `ruleset`; the rollups move from `old` to `hits`.
 */
int
store_item_rescore(struct store *s, const struct store_stored *it,
    struct store_hit *hits, size_t nhits, int64_t ruleset, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 changed, axis;

	changed = nhits != it->nhits;
	for (i = 0; !changed && i < nhits; i++)
		changed = hits[i].rule_id != it->hits[i].rule_id ||
		    hits[i].mentions != it->hits[i].mentions;
	if (s->st_rescore == NULL && sqlite3_prepare_v3(s->db,
	    "UPDATE item SET hits = ?, ruleset = ? WHERE id = ?", -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st_rescore, NULL) != SQLITE_OK) {
		store_cause(s, cause, "re-scoring");
		return (-1);
	}
	st = s->st_rescore;
	if (nhits > 0) {
		store_hits_encode(hits, nhits, &s->hits);
		sqlite3_bind_blob(st, 1, s->hits.data, (int)s->hits.len,
		    SQLITE_STATIC);
	} else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, ruleset);
	sqlite3_bind_int64(st, 3, it->id);
	if (store_step(s, st, "re-scoring", cause) != 0)
		return (-1);
	if (changed) {
		store_item_deltas(s, it->source_id, it->published, it->seen,
		    it->hits, it->nhits, -1);
		store_item_deltas(s, it->source_id, it->published, it->seen,
		    hits, nhits, 1);
	}
	/* The days' versions are rebuilt from their items at the end. */
	for (axis = 0; axis < 2; axis++)
		store_version_note(s, axis, store_floordiv(axis == 0 ?
		    it->published : it->seen, 86400), -1);
	return (0);
}

/*
 * End a re-score: write the rollup deltas, and rebuild the version rows
 * of every day it touched from the items of those days.
 */
int
store_rescore_done(struct store *s, char **cause)
{
	static const char	*sql[2] = {
		"INSERT OR IGNORE INTO version (axis, day, ruleset) "
		"SELECT 0, ?, ruleset FROM item WHERE published >= ? AND "
		"published < ? AND ruleset IS NOT NULL",
		"INSERT OR IGNORE INTO version (axis, day, ruleset) "
		"SELECT 1, ?, ruleset FROM item WHERE seen >= ? AND "
		"seen < ? AND ruleset IS NOT NULL",
	};
	sqlite3_stmt		*del = NULL, *ins[2] = { NULL, NULL };
	struct store_version	*days;
	size_t			 ndays, i;
	int			 rc = -1;

	/* store_flush would record the -1 markers: take them first. */
	days = s->ver;
	ndays = s->nver;
	s->ver = NULL;
	s->nver = s->cver = 0;
	if (store_flush(s, cause) != 0)
		goto out;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM version WHERE axis = ? "
	    "AND day = ?", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, sql[0], -1, &ins[0], NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, sql[1], -1, &ins[1], NULL) != SQLITE_OK) {
		store_cause(s, cause, "rebuilding versions");
		goto out;
	}
	for (i = 0; i < ndays; i++) {
		sqlite3_bind_int(del, 1, days[i].axis);
		sqlite3_bind_int64(del, 2, days[i].day);
		if (store_step(s, del, "rebuilding versions", cause) != 0)
			goto out;
		sqlite3_bind_int64(ins[days[i].axis], 1, days[i].day);
		sqlite3_bind_int64(ins[days[i].axis], 2, days[i].day * 86400);
		sqlite3_bind_int64(ins[days[i].axis], 3,
		    days[i].day * 86400 + 86400);
		if (store_step(s, ins[days[i].axis], "rebuilding versions",
		    cause) != 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	free(days);
	return (rc);
}

/* How many items are stored (for the service's status line). */
int64_t
store_count_items(struct store *s)
{
	sqlite3_stmt	*st;
	int64_t		 n = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM item", -1, &st,
	    NULL) != SQLITE_OK)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (n);
}

/* Every rule (which 0) or source (which 1) the database knows, by name. */
int
store_names(struct store *s, int which, struct store_name **out, size_t *n,
    char **cause)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, which == 0 ?
	    "SELECT id, name, kind, label FROM rule ORDER BY name" :
	    "SELECT id, name, '', '' FROM source ORDER BY name", -1, &st,
	    NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading names");
		return (-1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		(*out)[*n].id = sqlite3_column_int64(st, 0);
		(*out)[*n].name = xstrdup((const char *)
		    sqlite3_column_text(st, 1));
		(*out)[*n].kind = xstrdup((const char *)
		    sqlite3_column_text(st, 2));
		(*out)[*n].label = xstrdup((const char *)
		    sqlite3_column_text(st, 3));
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_cause(s, cause, "reading names");
		store_names_free(*out, *n);
		*out = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

void
store_names_free(struct store_name *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].kind);
		free(v[i].label);
	}
	free(v);
}

/* The stored text of an item, decompressed: 1 found, 0 none, -1 error. */
int
store_item_text(struct store *s, int64_t source_id, const char *uid,
    struct buf *out)
{
	sqlite3_stmt	*st = s->st[ST_ITEM_TEXT];
	int		 rc, found = 0;

	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
		if (s->pack == NULL)
			s->pack = pack_new();
		found = pack_decompress(s->pack, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), out) == 0 ? 1 : -1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		found = -1;
	sqlite3_reset(st);
	return (found);
}
