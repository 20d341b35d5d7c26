#!/bin/sh
# A database write that fails loses nothing.  Another process holds the
# database's write lock for longer than the busy timeout, so the first
# poll to be written is refused: one line names its source, its health row
# records the failure, no validator or hash is kept for it, and the next
# run stores its items exactly once.  A poll written after the lock is
# gone is stored as usual.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ -n "$PYTHON3" ] || skip_all "python3 is needed to hold the database lock"

WWW="$T/www"
mkdir -p "$WWW"
cp "$DATA/polls/usweekly/001.xml" "$WWW/usweekly.xml"
cp "$DATA/polls/people/001.xml" "$WWW/people.xml"
start_httpd "$WWW"
URL="http://127.0.0.1:$PORT"

# The bodies arrive after 2 s: by then the lock is held.
cat > "$T/m.conf" <<CONF
[mentiond]
listen =
database = m.db
rules = $DATA/rules.conf

[source "usweekly"]
url = $URL/slow/2/usweekly.xml
[source "people"]
url = $URL/slow/2/people.xml
CONF

"$MENTIOND" -c "$T/m.conf" --once 2> "$T/once1.log" &
DPID=$!
tap_pids="$tap_pids $DPID"
wait_for 10 grep -q "2 sources" "$T/once1.log"
# BEGIN EXCLUSIVE: no other writer until it ends 9 s later: more than the
# 5 s busy timeout after the bodies arrive, less than twice that.
"$PYTHON3" - "$T/m.db" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[1] + ".held", "w").close()
time.sleep(9)
db.execute("ROLLBACK")
PY
LPID=$!
tap_pids="$tap_pids $LPID"
wait_for 10 test -e "$T/m.db.held"
wait "$DPID"
rc=$?
diag "$(cat "$T/once1.log")"
wait "$LPID"

check "--once ends although a write was refused" \
    [ "$rc" -eq 0 -o "$rc" -eq 1 ]
check "one poll's write was refused: one line naming its source" \
    [ "$(grep -c 'source ".*": storing the poll failed: .*database is locked' "$T/once1.log")" -eq 1 ]
failed=$(sed -n 's/.*source "\([a-z]*\)": storing the poll failed.*/\1/p' "$T/once1.log")
"$MENTIONCTL" -c "$T/m.conf" export --per-source > "$T/day1.csv"
check "nothing of the refused poll was stored" \
    [ -n "$failed" -a "$(grep -c ",$failed," "$T/day1.csv")" -eq 0 ]
check "the other source's poll, written after the lock, was stored" \
    [ "$(wc -l < "$T/day1.csv")" -gt 1 ]
"$MENTIONCTL" -c "$T/m.conf" sources --csv > "$T/sources1.csv"
check "the health row records the failure" \
    grep -q "^$failed,.*storing the poll failed" "$T/sources1.csv"

# The lock is gone: the same bodies are fetched and parsed again, not
# taken for unchanged (no hash or validator was kept for them).
"$MENTIOND" -c "$T/m.conf" --once 2> "$T/once2.log"
check "the next run exits 0" [ $? -eq 0 ]
cat > "$T/want.csv" <<'CSV'
bucket,rule,items,mentions
2025-11-13T00:00:00Z,lively,1,3
2025-11-13T00:00:00Z,baldoni,1,2
2025-11-13T00:00:00Z,kiss,1,2
2025-11-14T00:00:00Z,lively,2,3
2025-11-14T00:00:00Z,baldoni,2,2
2025-11-14T00:00:00Z,kiss,2,2
CSV
"$MENTIONCTL" -c "$T/m.conf" export > "$T/day2.csv"
check "it stores every item once: counts equal the hand-counted ones" \
    cmp -s "$T/day2.csv" "$T/want.csv"
"$MENTIONCTL" -c "$T/m.conf" sources --csv > "$T/sources2.csv"
check "and both sources are healthy again" \
    [ "$(grep -c 'storing the poll failed' "$T/sources2.csv")" -eq 0 ]
# A third run: unchanged bodies, nothing counted twice.
"$MENTIOND" -c "$T/m.conf" --once 2> "$T/once3.log"
"$MENTIONCTL" -c "$T/m.conf" export > "$T/day3.csv"
check "a third run changes no count" cmp -s "$T/day3.csv" "$T/want.csv"
done_testing
