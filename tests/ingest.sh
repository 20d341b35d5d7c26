#!/bin/sh
# End-to-end ingest and export on committed fixtures (no ../shared needed):
# hand-checked counts, every export option, repeats never counted twice,
# a bad file leaves the others' data intact.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CONF="$DATA/mentiond.conf"
DB="$T/fx.db"
ctl() { "$MENTIONCTL" -q -c "$CONF" --db "$DB" "$@"; }

# Copies with fixed modification times: `--by seen` uses the poll time.
cp -R "$DATA/polls" "$T/polls"
find "$T/polls" -type f -exec touch -d '2025-11-20 10:30:00 UTC' {} +

check "ingest of the fixture polls succeeds" ctl ingest "$T/polls"

for b in day week hour; do
	ctl export --bucket "$b" > "$T/out-$b.csv"
	check "export --bucket $b matches the hand-counted expectation" \
	    cmp -s "$T/out-$b.csv" "$DATA/expected-$b.csv"
done
ctl export --per-source > "$T/out-src.csv"
check "export --per-source matches the hand-counted expectation" \
    cmp -s "$T/out-src.csv" "$DATA/expected-day-by-source.csv"

ctl export --bucket month > "$T/month.csv"
check "month buckets start on the 1st and sum the whole month" \
    cmp -s "$T/month.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-01T00:00:00Z,lively,3,6
2025-11-01T00:00:00Z,baldoni,4,6
2025-11-01T00:00:00Z,kiss,4,6
CSV

ctl export --from 2025-11-14 --to 2025-11-15 > "$T/range.csv"
check "--from/--to select a half-open range" cmp -s "$T/range.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-14T00:00:00Z,lively,2,3
2025-11-14T00:00:00Z,baldoni,2,2
2025-11-14T00:00:00Z,kiss,2,2
CSV

ctl export --from 2025-11-14T04:00:00Z --to 2025-11-14T05:00:00Z \
    --bucket hour > "$T/hour-range.csv"
check "a one-hour range holds exactly that hour" cmp -s "$T/hour-range.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-14T04:00:00Z,lively,1,2
2025-11-14T04:00:00Z,baldoni,1,1
2025-11-14T04:00:00Z,kiss,1,1
CSV

ctl export --rule baldoni,kiss --bucket week > "$T/rules.csv"
check "--rule keeps only the named rules" cmp -s "$T/rules.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-10T00:00:00Z,baldoni,4,6
2025-11-10T00:00:00Z,kiss,4,6
CSV

ctl export --source people > "$T/people.csv"
check "--source sums only the named sources" cmp -s "$T/people.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-14T00:00:00Z,lively,1,2
2025-11-14T00:00:00Z,baldoni,1,1
2025-11-14T00:00:00Z,kiss,1,1
CSV

ctl export --by seen > "$T/seen.csv"
check "--by seen buckets by poll time (file modification time)" \
    cmp -s "$T/seen.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-20T00:00:00Z,lively,3,6
2025-11-20T00:00:00Z,baldoni,4,6
2025-11-20T00:00:00Z,kiss,4,6
CSV

# The same polls again: nothing new, nothing counted twice.
cp "$T/out-src.csv" "$T/before.csv"
"$MENTIONCTL" -c "$CONF" --db "$DB" ingest "$T/polls" 2> "$T/again.err"
check "a second ingest of the same files reports 0 new items" \
    grep -q ' 0 new' "$T/again.err"
ctl export --per-source > "$T/after.csv"
check "a second ingest of the same files changes no count" \
    cmp -s "$T/before.csv" "$T/after.csv"

# A repeat in a later poll with edited text is not recounted, even when
# ingested on its own later (the first version seen counts).
mkdir -p "$T/late/usweekly"
sed 's/EDITED/AGAIN Lively Lively Baldoni/' "$T/polls/usweekly/002.xml" \
    > "$T/late/usweekly/003.xml"
ctl ingest "$T/late"
ctl export --per-source > "$T/after2.csv"
check "an edited repeat in a later poll does not change counts" \
    cmp -s "$T/before.csv" "$T/after2.csv"

# A broken file fails alone: exit 1, the error names it, others commit.
DB2="$T/partial.db"
mkdir -p "$T/mixed/usweekly"
cp "$T/polls/usweekly/001.xml" "$T/mixed/usweekly/001.xml"
printf 'this is not a feed\n' > "$T/mixed/usweekly/002.xml"
"$MENTIONCTL" -c "$CONF" --db "$DB2" ingest "$T/mixed" 2> "$T/mixed.err"
check "ingest exits 1 when a file is not a feed" [ $? -eq 1 ]
check "the error line names the file and the source" \
    grep -q "002.xml: source \"usweekly\": " "$T/mixed.err"
"$MENTIONCTL" -q -c "$CONF" --db "$DB2" export > "$T/mixed.csv"
check "the good file's counts are committed" cmp -s "$T/mixed.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-13T00:00:00Z,lively,1,3
2025-11-13T00:00:00Z,baldoni,1,2
2025-11-13T00:00:00Z,kiss,1,2
2025-11-14T00:00:00Z,lively,1,1
2025-11-14T00:00:00Z,baldoni,1,1
2025-11-14T00:00:00Z,kiss,1,1
CSV

# --source files every path under one source, whatever its folder.
DB3="$T/one.db"
"$MENTIONCTL" -q -c "$CONF" --db "$DB3" ingest --source wire "$T/polls"
"$MENTIONCTL" -q -c "$CONF" --db "$DB3" export --per-source --bucket week \
    > "$T/wire.csv"
check "--source NAME records every file under that source" \
    cmp -s "$T/wire.csv" - <<'CSV'
bucket,source,rule,items,mentions
2025-11-10T00:00:00Z,wire,lively,3,6
2025-11-10T00:00:00Z,wire,baldoni,4,6
2025-11-10T00:00:00Z,wire,kiss,4,6
CSV

# Standard input with --source.
DB4="$T/stdin.db"
"$MENTIONCTL" -q -c "$CONF" --db "$DB4" ingest --source people - \
    < "$DATA/polls/people/001.xml"
"$MENTIONCTL" -q -c "$CONF" --db "$DB4" export > "$T/stdin.csv"
check "ingest - reads one poll from standard input" \
    cmp -s "$T/stdin.csv" "$T/people.csv"

# Without PCRE2's JIT (for MemoryDenyWriteExecute=) counts are the same.
sed 's/^database = .*/&\njit = no/' "$CONF" > "$T/nojit.conf"
cp "$DATA/rules.conf" "$T/rules.conf"
"$MENTIONCTL" -q -c "$T/nojit.conf" --db "$T/nojit.db" ingest "$T/polls"
"$MENTIONCTL" -q -c "$T/nojit.conf" --db "$T/nojit.db" export --per-source \
    > "$T/nojit.csv"
check "jit = no counts exactly as the JIT does" \
    cmp -s "$T/nojit.csv" "$DATA/expected-day-by-source.csv"

# The committed genfeeds corpus: exact counts end to end, clone-only.
tar -xzf "$DATA/corpus.tar.gz" -C "$T"
C="$T/corpus"
"$MENTIONCTL" -q -c "$C/mentiond.conf" ingest "$C/feeds"
check "the committed corpus ingests" [ $? -eq 0 ]
"$MENTIONCTL" -c "$C/mentiond.conf" export > "$T/c-day.csv"
"$MENTIONCTL" -c "$C/mentiond.conf" export --per-source > "$T/c-src.csv"
sorted() { tail -n +2 "$1" | LC_ALL=C sort; }
check "committed corpus: day export equals genfeeds' expected/day.csv" \
    [ "$(sorted "$T/c-day.csv")" = "$(sorted "$C/expected/day.csv")" ]
check "committed corpus: per-source export equals expected/day-by-source.csv" \
    [ "$(sorted "$T/c-src.csv")" = "$(sorted "$C/expected/day-by-source.csv")" ]

done_testing
