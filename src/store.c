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
	"CREATE TABLE item ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id),"
	"  uid TEXT NOT NULL,"
	"  published INTEGER NOT NULL,"	/* from the feed, else seen */
	"  dated INTEGER NOT NULL,"	/* 1 if the feed gave the date */
	"  seen INTEGER NOT NULL,"
	"  text BLOB,"			/* zstd; NULL past retention */
	"  hits BLOB,"			/* (rule id, mentions) varint pairs */
	"  UNIQUE (source_id, uid)"
	");"
	"CREATE INDEX item_seen ON item(seen);"
	"CREATE TABLE rollup ("
	"  axis INTEGER NOT NULL,"	/* 0 published, 1 seen */
	"  hour INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  rule_id INTEGER NOT NULL,"
	"  items INTEGER NOT NULL,"
	"  mentions INTEGER NOT NULL,"
	"  PRIMARY KEY (axis, hour, source_id, rule_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE total ("
	"  axis INTEGER NOT NULL,"
	"  hour INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  items INTEGER NOT NULL,"
	"  PRIMARY KEY (axis, hour, source_id)"
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
	"CREATE TABLE poll ("
	"  hour INTEGER NOT NULL,"
	"  source_id INTEGER NOT NULL,"
	"  polls INTEGER NOT NULL,"
	"  polls_ok INTEGER NOT NULL,"
	"  PRIMARY KEY (hour, source_id)"
	") WITHOUT ROWID;",
};

enum {
	ST_ITEM_EXISTS,
	ST_ITEM_ADD,
	ST_ROLLUP,
	ST_TOTAL,
	ST_SOURCE_POLL,
	ST_SOURCE_HEALTH,
	ST_SOURCE_VALIDATORS,
	ST_POLL_LEDGER,
	ST_ITEM_TEXT,
	ST_COUNT
};

static const char *store_sql[ST_COUNT] = {
	"SELECT 1 FROM item WHERE source_id = ? AND uid = ?",
	"INSERT INTO item (source_id, uid, published, dated, seen, text, hits) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO rollup (axis, hour, source_id, rule_id, items, mentions) "
	"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (axis, hour, source_id, rule_id) "
	"DO UPDATE SET items = items + excluded.items, "
	"mentions = mentions + excluded.mentions",
	"INSERT INTO total (axis, hour, source_id, items) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (axis, hour, source_id) "
	"DO UPDATE SET items = items + excluded.items",
	"UPDATE source SET polls = polls + 1, items = items + ?, "
	"last_poll = max(coalesce(last_poll, ?), ?) WHERE id = ?",
	"UPDATE source SET last_attempt = ?, status = ?, error = ?, "
	"failures = ?, next_due = coalesce(?, next_due), "
	"last_success = CASE WHEN ? THEN ? ELSE last_success END WHERE id = ?",
	"UPDATE source SET etag = ?, last_modified = ?, body_hash = ? "
	"WHERE id = ?",
	"INSERT INTO poll (hour, source_id, polls, polls_ok) VALUES (?, ?, 1, ?) "
	"ON CONFLICT (hour, source_id) DO UPDATE SET polls = polls + 1, "
	"polls_ok = polls_ok + excluded.polls_ok",
	"SELECT text FROM item WHERE source_id = ? AND uid = ?",
};

/* One pending rollup increment: rule_id 0 is the items-ingested total. */
struct store_acc {
	int		 axis;
	int64_t		 hour;
	int64_t		 rule_id;
	int64_t		 items;
	int64_t		 mentions;
};

struct store {
	sqlite3			*db;
	char			*path;
	int			 readonly;
	sqlite3_stmt		*st[ST_COUNT];
	struct pack		*pack;		/* for reading text back */
	struct buf		 hits;
	struct store_acc	*acc;
	size_t			 nacc;
	size_t			 cacc;
	int64_t			 acc_source;
	int			 in_txn;
	int			 lockfd;
};

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

void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->lockfd != -1)
		close(s->lockfd);
	pack_free(s->pack);
	buf_free(&s->hits);
	free(s->acc);
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
	s->nacc = 0;
	s->acc_source = 0;
	return (0);
}

int
store_commit(struct store *s, char **cause)
{
	if (store_exec(s, "COMMIT", cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	s->in_txn = 0;
	s->nacc = 0;
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
	s->nacc = 0;
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

/* Record rule names, kinds and labels; sets each rule's id. */
int
store_sync_rules(struct store *s, struct rule **rules, size_t n, char **cause)
{
	sqlite3_stmt	*up = NULL, *get = NULL;
	size_t		 i;
	int		 rc = -1;

	if (store_exec(s, "BEGIN IMMEDIATE", cause) != 0)
		return (-1);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO rule (name, kind, label) "
	    "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
	    "kind = excluded.kind, label = excluded.label", -1, &up,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT id FROM rule WHERE name = ?",
	    -1, &get, NULL) != SQLITE_OK) {
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
	rc = 0;
out:
	sqlite3_finalize(up);
	sqlite3_finalize(get);
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

static void
store_accumulate(struct store *s, int axis, int64_t hour, int64_t rule_id,
    int64_t items, int64_t mentions)
{
	struct store_acc	*a;

	if (s->nacc == s->cacc) {
		s->cacc = s->cacc == 0 ? 256 : s->cacc * 2;
		s->acc = xreallocarray(s->acc, s->cacc, sizeof *s->acc);
	}
	a = &s->acc[s->nacc++];
	a->axis = axis;
	a->hour = hour;
	a->rule_id = rule_id;
	a->items = items;
	a->mentions = mentions;
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

/*
 * Add a new item with its rule hits.  Rollups are accumulated here and
 * written by store_poll_done, inside the same transaction.
 */
int
store_item_add(struct store *s, int64_t source_id, const struct store_item *it,
    const struct store_hit *hits, size_t nhits, char **cause)
{
	sqlite3_stmt	*st = s->st[ST_ITEM_ADD];
	int64_t		 hp, hs;
	size_t		 i;

	if (s->acc_source != 0 && s->acc_source != source_id)
		fatalx("store_item_add: one source per poll");
	s->acc_source = source_id;

	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, it->uid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, it->published);
	sqlite3_bind_int(st, 4, it->dated);
	sqlite3_bind_int64(st, 5, it->seen);
	if (it->ztext != NULL)
		sqlite3_bind_blob(st, 6, it->ztext, (int)it->zlen,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	if (nhits > 0) {
		store_hits_encode(hits, nhits, &s->hits);
		sqlite3_bind_blob(st, 7, s->hits.data, (int)s->hits.len,
		    SQLITE_STATIC);
	} else
		sqlite3_bind_null(st, 7);
	if (store_step(s, st, "adding item", cause) != 0)
		return (-1);

	hp = date_bucket(it->published, BUCKET_HOUR);
	hs = date_bucket(it->seen, BUCKET_HOUR);
	store_accumulate(s, STORE_BY_PUBLISHED, hp, 0, 1, 0);
	store_accumulate(s, STORE_BY_SEEN, hs, 0, 1, 0);
	for (i = 0; i < nhits; i++) {
		store_accumulate(s, STORE_BY_PUBLISHED, hp, hits[i].rule_id, 1,
		    hits[i].mentions);
		store_accumulate(s, STORE_BY_SEEN, hs, hits[i].rule_id, 1,
		    hits[i].mentions);
	}
	return (0);
}

static int
store_acc_cmp(const void *a, const void *b)
{
	const struct store_acc	*x = a, *y = b;

	if (x->axis != y->axis)
		return (x->axis < y->axis ? -1 : 1);
	if (x->hour != y->hour)
		return (x->hour < y->hour ? -1 : 1);
	if (x->rule_id != y->rule_id)
		return (x->rule_id < y->rule_id ? -1 : 1);
	return (0);
}

/* Write the accumulated rollups of this poll's new items. */
static int
store_flush_rollups(struct store *s, int64_t source_id, char **cause)
{
	struct store_acc	 m;
	sqlite3_stmt		*st;
	size_t			 i, j;

	qsort(s->acc, s->nacc, sizeof *s->acc, store_acc_cmp);
	for (i = 0; i < s->nacc; i = j) {
		m = s->acc[i];
		for (j = i + 1; j < s->nacc &&
		    store_acc_cmp(&s->acc[j], &m) == 0; j++) {
			m.items += s->acc[j].items;
			m.mentions += s->acc[j].mentions;
		}
		if (m.rule_id == 0) {
			st = s->st[ST_TOTAL];
			sqlite3_bind_int(st, 1, m.axis);
			sqlite3_bind_int64(st, 2, m.hour);
			sqlite3_bind_int64(st, 3, source_id);
			sqlite3_bind_int64(st, 4, m.items);
		} else {
			st = s->st[ST_ROLLUP];
			sqlite3_bind_int(st, 1, m.axis);
			sqlite3_bind_int64(st, 2, m.hour);
			sqlite3_bind_int64(st, 3, source_id);
			sqlite3_bind_int64(st, 4, m.rule_id);
			sqlite3_bind_int64(st, 5, m.items);
			sqlite3_bind_int64(st, 6, m.mentions);
		}
		if (store_step(s, st, "updating rollups", cause) != 0)
			return (-1);
	}
	s->nacc = 0;
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

	if (store_flush_rollups(s, source_id, cause) != 0)
		return (-1);

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

	st = s->st[ST_POLL_LEDGER];
	sqlite3_bind_int64(st, 1, date_bucket(p->when, BUCKET_HOUR));
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int(st, 3, p->ok);
	return (store_step(s, st, "updating the poll ledger", cause));
}

/* A poll that stored no items (304, unchanged, failed): its own commit. */
int
store_poll_only(struct store *s, int64_t source_id, const struct store_poll *p,
    char **cause)
{
	if (store_begin(s, cause) != 0)
		return (-1);
	if (store_poll_done(s, source_id, p, cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	return (store_commit(s, cause));
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

/* Drop the text of items seen before cutoff; counts stay. */
int
store_prune_text(struct store *s, int64_t cutoff, int64_t *n, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE item SET text = NULL "
	    "WHERE seen < ? AND text IS NOT NULL", -1, &st, NULL) != SQLITE_OK) {
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

static void
store_in_list(struct buf *sql, const char *col, size_t n)
{
	size_t	i;

	buf_printf(sql, " AND %s IN (", col);
	for (i = 0; i < n; i++)
		buf_adds(sql, i == 0 ? "?" : ",?");
	buf_adds(sql, ")");
}

/*
 * Rollup rows in hour order, per source or summed over sources, filtered by
 * axis, hour range and rule/source ids; cb returning non-zero stops.
 */
int
store_rows(struct store *s, const struct store_filter *f, store_row_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_row	 row;
	struct buf		 sql;
	size_t			 i;
	int			 rc, k = 1;

	buf_init(&sql);
	if (f->per_source)
		buf_adds(&sql, "SELECT hour, source_id, rule_id, items, "
		    "mentions FROM rollup WHERE axis = ? AND hour >= ? AND "
		    "hour < ?");
	else
		buf_adds(&sql, "SELECT hour, 0, rule_id, sum(items), "
		    "sum(mentions) FROM rollup WHERE axis = ? AND hour >= ? "
		    "AND hour < ?");
	if (f->rules != NULL)
		store_in_list(&sql, "rule_id", f->nrules);
	if (f->sources != NULL)
		store_in_list(&sql, "source_id", f->nsources);
	if (f->per_source)
		buf_adds(&sql, " ORDER BY hour");
	else
		buf_adds(&sql, " GROUP BY hour, rule_id ORDER BY hour");

	if (sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading rollups");
		buf_free(&sql);
		return (-1);
	}
	buf_free(&sql);
	sqlite3_bind_int(st, k++, f->axis);
	sqlite3_bind_int64(st, k++, f->from);
	sqlite3_bind_int64(st, k++, f->to);
	for (i = 0; f->rules != NULL && i < f->nrules; i++)
		sqlite3_bind_int64(st, k++, f->rules[i]);
	for (i = 0; f->sources != NULL && i < f->nsources; i++)
		sqlite3_bind_int64(st, k++, f->sources[i]);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.hour = sqlite3_column_int64(st, 0);
		row.source_id = sqlite3_column_int64(st, 1);
		row.rule_id = sqlite3_column_int64(st, 2);
		row.items = sqlite3_column_int64(st, 3);
		row.mentions = sqlite3_column_int64(st, 4);
		if (cb(&row, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		store_cause(s, cause, "reading rollups");
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	return (0);
}

/* Every rule (kind 0) or source (kind 1) the database knows: ids and names. */
int
store_names(struct store *s, int kind, int64_t **ids, char ***names,
    size_t *n, char **cause)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*ids = NULL;
	*names = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, kind == 0 ?
	    "SELECT id, name FROM rule ORDER BY name" :
	    "SELECT id, name FROM source ORDER BY name", -1, &st,
	    NULL) != SQLITE_OK) {
		store_cause(s, cause, "reading names");
		return (-1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
			*names = xreallocarray(*names, cap, sizeof **names);
		}
		(*ids)[*n] = sqlite3_column_int64(st, 0);
		(*names)[*n] = xstrdup((const char *)sqlite3_column_text(st, 1));
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_cause(s, cause, "reading names");
		return (-1);
	}
	return (0);
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
