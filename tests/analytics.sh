#!/bin/sh
# Narrative analytics on hand-counted fixtures: export formats (wide,
# ratio, json), measures (share), time zones, totals, versions; cooccur,
# spikes, top movers, coverage, plot; re-scoring after a rule edit, and
# test-rules --stored / --diff.  Every expected value below was worked out
# by hand from tests/data/polls (see expected-*.csv for the per-item sums).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

cp "$DATA/rules.conf" "$T/rules.conf"
printf '[mentiond]\ndatabase = a.db\nrules = rules.conf\n' > "$T/m.conf"
cp -R "$DATA/polls" "$T/polls"
touch -d '2025-11-20 10:00:00 UTC' "$T/polls/usweekly/001.xml" \
    "$T/polls/people/001.xml"
touch -d '2025-11-21 10:00:00 UTC' "$T/polls/usweekly/002.xml"
ctl() { "$MENTIONCTL" -c "$T/m.conf" "$@"; }
ctl -q ingest "$T/polls"

# Wide: one column per rule in config order, every bucket, zeros written.
ctl export --format wide --from 2025-11-12 --to 2025-11-16 > "$T/wide.csv"
check "wide: a column per rule in config order, a row per bucket" \
    cmp -s "$T/wide.csv" - <<'CSV'
bucket,lively,baldoni,kiss
2025-11-12T00:00:00Z,0,0,0
2025-11-13T00:00:00Z,3,2,2
2025-11-14T00:00:00Z,3,2,2
2025-11-15T00:00:00Z,0,2,2
CSV

# Share: items matching / items ingested (11-14 ingested 4: us-2, us-3,
# people-1 and people-2, the quiet one).
ctl export --measure share --rule lively > "$T/share.csv"
check "share = items matching / items ingested in the bucket" \
    cmp -s "$T/share.csv" - <<'CSV'
bucket,rule,items,mentions,total,share
2025-11-13T00:00:00Z,lively,1,3,1,1
2025-11-14T00:00:00Z,lively,2,3,4,0.5
CSV
ctl export --format wide --measure share --from 2025-11-12 \
    --to 2025-11-14 > "$T/wshare.csv"
check "a share over no ingested items is empty, not zero" \
    grep -q '^2025-11-12T00:00:00Z,,,$' "$T/wshare.csv"
ctl export --measure share --per-source --rule baldoni > "$T/pshare.csv"
check "per source, the share is of that source's items" \
    grep -q '^2025-11-14T00:00:00Z,people,baldoni,1,1,2,0.5$' "$T/pshare.csv"

# Media Cloud's shape.
ctl export --format ratio --rule kiss > "$T/ratio.csv"
check "ratio: date,count,total_count,ratio for one rule, dense" \
    cmp -s "$T/ratio.csv" - <<'CSV'
date,count,total_count,ratio
2025-11-13,1,1,1
2025-11-14,2,4,0.5
2025-11-15,1,1,1
CSV
check "ratio needs exactly one rule (usage error otherwise)" \
    exits 2 "$MENTIONCTL" -c "$T/m.conf" export --format ratio

# JSON: the long rows as an array of objects.
ctl export --format json --rule baldoni --bucket week > "$T/rows.json"
check "json: an array of row objects" cmp -s "$T/rows.json" - <<'JSON'
[
{"bucket":"2025-11-10T00:00:00Z","rule":"baldoni","items":4,"mentions":6}
]
JSON

# Time zones: New York days (-05:00); us-2 (01:15Z) and people-1 (04:30Z)
# on the 14th UTC are still the 13th there.
ctl export --tz America/New_York > "$T/ny.csv"
check "--tz: local days, labelled with their offset" \
    cmp -s "$T/ny.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-13T00:00:00-05:00,lively,2,5
2025-11-13T00:00:00-05:00,baldoni,3,4
2025-11-13T00:00:00-05:00,kiss,3,4
2025-11-14T00:00:00-05:00,lively,1,1
2025-11-15T00:00:00-05:00,baldoni,1,2
2025-11-15T00:00:00-05:00,kiss,1,2
CSV
ctl export --tz Asia/Kolkata --bucket hour --rule lively \
    --from 2025-11-13T14:00:00Z --to 2025-11-13T15:00:00Z > "$T/ist.csv"
# 14:00Z is 19:30 in Kolkata: the hour counts in the local hour it starts in.
check "--tz with a half-hour offset labels local hours" \
    grep -q '^2025-11-13T19:00:00+05:30,lively,1,3$' "$T/ist.csv"
check "an unknown time zone is a usage error" \
    exits 2 "$MENTIONCTL" -c "$T/m.conf" export --tz Mars/Olympus
check "a path is not a time zone" \
    exits 2 "$MENTIONCTL" -c "$T/m.conf" export --tz ../../etc/passwd

ctl export --totals > "$T/totals.csv"
check "--totals: items ingested per bucket and source" \
    cmp -s "$T/totals.csv" - <<'CSV'
bucket,source,total
2025-11-13T00:00:00Z,usweekly,1
2025-11-14T00:00:00Z,people,2
2025-11-14T00:00:00Z,usweekly,2
2025-11-15T00:00:00Z,usweekly,1
CSV

ctl export --with-version > "$T/v1.csv"
v1=$(sed -n 2p "$T/v1.csv" | cut -d, -f5)
check "--with-version names the rule-set version of each bucket" \
    sh -c 'echo "$1" | grep -Eq "^[0-9a-f]{12}$"' _ "$v1"

# Co-occurrence: party x term by default.
ctl cooccur > "$T/co.csv"
check "cooccur: items in which a party and a term both matched" \
    cmp -s "$T/co.csv" - <<'CSV'
bucket,a,b,items
2025-11-13T00:00:00Z,lively,kiss,1
2025-11-13T00:00:00Z,baldoni,kiss,1
2025-11-14T00:00:00Z,lively,kiss,1
2025-11-14T00:00:00Z,baldoni,kiss,2
2025-11-15T00:00:00Z,baldoni,kiss,1
CSV
ctl cooccur --kind-a party --kind-b party --bucket week > "$T/pp.csv"
check "cooccur of two kinds alike lists each pair once" \
    cmp -s "$T/pp.csv" - <<'CSV'
bucket,a,b,items
2025-11-10T00:00:00Z,lively,baldoni,2
CSV

# Coverage: polls are the saved files (seen at their mtimes).
ctl coverage > "$T/cov.csv"
check "coverage: polls, successes and new items per source and bucket" \
    cmp -s "$T/cov.csv" - <<'CSV'
bucket,source,polls,polls_ok,items,gap
2025-11-20T00:00:00Z,people,1,1,2,
2025-11-20T00:00:00Z,usweekly,1,1,3,
2025-11-21T00:00:00Z,usweekly,1,1,1,
CSV

# Plot: a well-formed SVG, one line per rule.
ctl plot -o "$T/trend.svg" --rule lively,kiss --bucket day
check "plot writes an SVG with one series path per rule" \
    [ "$(grep -c 'class="series"' "$T/trend.svg")" -eq 2 ]
if command -v xmllint >/dev/null 2>&1; then
	check "the SVG is well-formed XML" xmllint --noout "$T/trend.svg"
elif [ -n "$PYTHON3" ]; then
	check "the SVG is well-formed XML" "$PYTHON3" -c \
	    'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
	    "$T/trend.svg"
else
	skip "the SVG is well-formed XML" "neither xmllint nor python3"
fi

# Spikes: a quiet rule (one item a day) then ten items on one day.
mkdir -p "$T/spike/wire"
{
	echo '<rss version="2.0"><channel><title>w</title>'
	for d in $(seq 1 20); do
		printf '<item><guid>q%s</guid><pubDate>%s Nov 2025 12:00:00 GMT</pubDate><title>Lively %s</title></item>\n' "$d" "$d" "$d"
	done
	for k in $(seq 1 10); do
		printf '<item><guid>s%s</guid><pubDate>21 Nov 2025 12:00:00 GMT</pubDate><title>Lively surge %s</title></item>\n' "$k" "$k"
	done
	echo '</channel></rss>'
} > "$T/spike/wire/001.xml"
"$MENTIONCTL" -q -c "$T/m.conf" --db "$T/spike.db" ingest "$T/spike"
"$MENTIONCTL" -c "$T/m.conf" --db "$T/spike.db" spikes --rule lively \
    --csv > "$T/spikes.csv"
check "spikes: the surge day scores (10 - 1) / 1 over a flat baseline" \
    cmp -s "$T/spikes.csv" - <<'CSV'
bucket,rule,count,baseline,score
2025-11-21T00:00:00Z,lively,10,1,9.00
CSV
"$MENTIONCTL" -c "$T/m.conf" --db "$T/spike.db" spikes --rule lively \
    --threshold 10 --csv > "$T/nospike.csv"
check "spikes below the threshold are not listed" \
    [ "$(wc -l < "$T/nospike.csv")" -eq 1 ]

# Top movers: this day against the day before.
now=$(date -u +%s)
rfc() { date -u -d "@$1" '+%a, %d %b %Y %H:%M:%S GMT'; }
mkdir -p "$T/top/wire"
{
	echo '<rss version="2.0"><channel><title>w</title>'
	for k in 1 2 3; do
		printf '<item><guid>n%s</guid><pubDate>%s</pubDate><title>Baldoni %s</title></item>\n' \
		    "$k" "$(rfc $((now - 3600 * k)))" "$k"
	done
	printf '<item><guid>o1</guid><pubDate>%s</pubDate><title>Baldoni old</title></item>\n' "$(rfc $((now - 30 * 3600)))"
	for k in 1 2; do
		printf '<item><guid>l%s</guid><pubDate>%s</pubDate><title>Lively old %s</title></item>\n' \
		    "$k" "$(rfc $((now - 30 * 3600 - k)))" "$k"
	done
	echo '</channel></rss>'
} > "$T/top/wire/001.xml"
"$MENTIONCTL" -q -c "$T/m.conf" --db "$T/top.db" ingest "$T/top"
"$MENTIONCTL" -c "$T/m.conf" --db "$T/top.db" top --since 24h --csv \
    > "$T/top.csv"
check "top ranks rules by the change against the previous period" \
    cmp -s "$T/top.csv" - <<'CSV'
rule,count,previous,change
baldoni,3,1,2
lively,0,2,-2
CSV

# Editing a rule: test-rules --stored previews, rescore rewrites history.
sed 's/^match = (?i)\\bkiss(?:es|ed|ing)?\\b$/match = (?i)\\bkissed\\b/' \
    "$DATA/rules.conf" > "$T/rules.conf"
check "the rule edit took" grep -q 'kissed' "$T/rules.conf"
ctl test-rules --stored --since 3650d --rule kiss > "$T/preview.txt"
check "test-rules --stored shows items a rule would lose, with examples" \
    grep -Eq '^kiss +1 +4 +0 +3 ' "$T/preview.txt"
check "the examples name the source and item" \
    grep -q '^    - usweekly us-1: Baldoni' "$T/preview.txt"
ctl export --rule kiss > "$T/before.csv"
check "test-rules --stored changes nothing" cmp -s "$T/before.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-13T00:00:00Z,kiss,1,2
2025-11-14T00:00:00Z,kiss,2,2
2025-11-15T00:00:00Z,kiss,1,2
CSV
ctl test-rules --diff "$DATA/mentiond.conf" "$T/polls/usweekly/001.xml" \
    > "$T/diff.txt"
check "test-rules --diff OLD.conf shows what a rule change drops" \
    grep -Eq '^kiss +2 +0 +0 +2$' "$T/diff.txt"
check "and which items" grep -q '^    - item 2: us-2 "A lively debate on set"' \
    "$T/diff.txt"
ctl -q rescore --since 3650d
ctl export --rule kiss > "$T/after.csv"
check "rescore rebuilds the rollups with the edited rule" \
    cmp -s "$T/after.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-15T00:00:00Z,kiss,1,1
CSV
ctl cooccur > "$T/co2.csv"
check "rescore rebuilds co-occurrence too" cmp -s "$T/co2.csv" - <<'CSV'
bucket,a,b,items
2025-11-15T00:00:00Z,baldoni,kiss,1
CSV
ctl export --rule lively > "$T/lively.csv"
check "rules that did not change keep their counts" \
    grep -q '^2025-11-14T00:00:00Z,lively,2,3$' "$T/lively.csv"
ctl export --with-version > "$T/v2.csv"
v2=$(sed -n 2p "$T/v2.csv" | cut -d, -f5)
check "after the rescore, buckets carry the new rule-set version" \
    [ -n "$v2" ] && [ "$v2" != "$v1" ]
ctl -q rescore --since 3650d
ctl export --per-source > "$T/again.csv"
ctl -q rescore --since 3650d
ctl export --per-source > "$T/again2.csv"
check "rescoring twice with the same rules changes nothing" \
    cmp -s "$T/again.csv" "$T/again2.csv"

done_testing
