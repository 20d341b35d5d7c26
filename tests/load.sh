#!/bin/sh
# Load: wrk (Debian package wrk) on /v1/export.csv while mentiond ingests a
# genfeeds corpus over HTTP.  Prints the ingest throughput without and with
# the load, and wrk's latency percentiles; asserts only what must hold
# (every request answered, counts exact under load), never a time: these
# machines are shared.  RUNS=N repeats each measurement and prints medians;
# COPIES=N serves each generated feed as N sources (10: ~45 MB).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

have_shared || skip_all "needs ../shared/bench/genfeeds.py and python3"
command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	diag "installing wrk (Debian package) for the load test"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk \
	    > "$T/apt.log" 2>&1 || true
fi
command -v wrk >/dev/null 2>&1 ||
    skip_all "wrk (Debian package wrk) is not installed and could not be"
RUNS=${RUNS:-1}
COPIES=${COPIES:-10}	# each generated feed is served as this many sources

# 20 generated feeds of ~225 KB, each under 10 source names: 200 sources,
# ~46 MB, and exact expected counts (ten times genfeeds' own).
"$PYTHON3" "$SHARED/bench/genfeeds.py" --sources 20 --polls 1 --items 30 \
    --seed 6 "$T/g" > /dev/null || echo "Bail out! genfeeds failed"
WWW="$T/www"
mkdir -p "$WWW"
for d in "$T"/g/feeds/s*; do cp "$d/000.xml" "$WWW/$(basename "$d").xml"; done
start_httpd "$WWW"
URL="http://127.0.0.1:$PORT"
APORT=$(free_port)
API="http://127.0.0.1:$APORT"
BYTES=$(( $(cat "$WWW"/*.xml | wc -c) * COPIES ))
ITEMS=$(( $(awk '$1 == "items_unique" { print $2 }' "$T/g/expected/summary.txt") * COPIES ))
NSRC=$(( $(ls "$WWW" | wc -l) * COPIES ))

{
	printf '[mentiond]\nlisten = 127.0.0.1:%s\nrules = %s\n' "$APORT" \
	    "$T/g/rules.conf"
	for f in "$WWW"/*.xml; do
		n=$(basename "$f" .xml)
		for c in $(seq "$COPIES"); do
			printf '[source "%s-%s"]\nurl = %s/f/%s.xml\ninterval = 1s\n' \
			    "$n" "$c" "$URL" "$n"
		done
	done
} > "$T/sources.conf"

now() { date +%s.%N; }
items() {
	curl -s "$API/metrics" |
	    awk '$1 == "mentiond_items_ingested_total" { print $2 }'
}
ingested() { [ "$(items)" = "$ITEMS" ]; }

# run NAME LOAD: a fresh database, the daemon started, and the seconds
# until every item is stored appended to $T/NAME.times; with LOAD, wrk
# runs from the moment the API answers.
run() {
	rm -f "$T"/m.db*
	sed "s|^\[mentiond\]|[mentiond]\ndatabase = $T/m.db|" "$T/sources.conf" \
	    > "$T/m.conf"
	t0=$(now)
	"$MENTIOND" -f -c "$T/m.conf" > "$T/$1.log" 2>&1 &
	D=$!
	tap_pids="$tap_pids $D"
	wait_for 10 curl -sf "$API/healthz" || return 1
	if [ "$2" = load ]; then
		wrk -t2 -c4 -d8s --latency "$API/v1/export.csv?bucket=hour" \
		    > "$T/wrk.out" 2>&1 &
		W=$!
	fi
	wait_for 120 ingested || return 1
	t1=$(now)
	awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }' \
	    >> "$T/$1.times"
	if [ "$2" = load ]; then
		wait "$W"
		cat "$T/wrk.out" >> "$T/wrk.all"
		awk '/^ +99%/ { print $2 }' "$T/wrk.out" >> "$T/p99"
		awk '/^ +50%/ { print $2 }' "$T/wrk.out" >> "$T/p50"
		awk '/^Requests\/sec/ { print $2 }' "$T/wrk.out" >> "$T/rps"
	fi
	kill -TERM "$D"
	wait "$D"
}

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# wrk prints 12.34ms, 1.20s or 900.00us: to milliseconds.
ms() {
	sort -n "$1" | sed 's/us$/ 0.001/; s/ms$/ 1/; s/s$/ 1000/' |
	    awk '{ printf "%.1f\n", $1 * $2 }' | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ok_runs=0
for i in $(seq "$RUNS"); do
	run quiet none && run loaded load && ok_runs=$((ok_runs + 1))
done
check "every run ingested the whole corpus, with and without load" \
    [ "$ok_runs" = "$RUNS" ]

# Counts exact under load: ten copies of genfeeds' expected day.csv.
"$MENTIONCTL" -q -c "$T/m.conf" export > "$T/day.csv"
awk -F, -v k="$COPIES" 'NR > 1 { $3 *= k; $4 *= k } NR > 1 { print $1 "," $2 "," $3 "," $4 }' \
    "$T/g/expected/day.csv" | LC_ALL=C sort > "$T/want"
tail -n +2 "$T/day.csv" | LC_ALL=C sort > "$T/got"
check "counts under load are exact (10 x genfeeds' expected/day.csv)" \
    cmp -s "$T/got" "$T/want"
check "wrk got answers to every request (no errors, no non-2xx)" \
    sh -c "! grep -Eq 'Non-2xx|Socket errors' '$T/wrk.all' &&
	grep -q '^Requests/sec' '$T/wrk.all'"

q=$(median "$T/quiet.times")
l=$(median "$T/loaded.times")
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
mb=$(div "$BYTES" 1000000)
diag "corpus: $NSRC sources, $mb MB, $ITEMS items, over HTTP from tests/httpd" \
    "ingest without load: $q s = $(div "$mb" "$q") MB/s (median of $RUNS)" \
    "ingest under load:   $l s = $(div "$mb" "$l") MB/s (median of $RUNS)" \
    "wrk -t2 -c4 on /v1/export.csv?bucket=hour during ingest: p50 $(ms "$T/p50") ms, p99 $(ms "$T/p99") ms, $(median "$T/rps") requests/s"

done_testing
