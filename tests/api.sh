#!/bin/sh
# The HTTP API against a running mentiond: status codes and content types,
# CSV byte-equality with mentionctl (one code path), 400s naming the
# parameter, /metrics agreeing with the database, streaming with bounded
# memory and backpressure, the query cap, slow clients not stalling polls,
# and the token on a non-loopback bind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl (Debian package curl) is not installed"

# The committed genfeeds corpus: its history ingested, its first polls
# served again by the fixture server (nothing new: counts stay exact).
tar -xzf "$DATA/corpus.tar.gz" -C "$T"
C="$T/corpus"
WWW="$T/www"
mkdir -p "$WWW"
for d in "$C"/feeds/s*; do cp "$d/000.xml" "$WWW/$(basename "$d").xml"; done
cp "$DATA/polls/people/001.xml" "$WWW/ticker.xml"
start_httpd "$WWW"
URL="http://127.0.0.1:$PORT"
APORT=$(free_port)
API="http://127.0.0.1:$APORT"

cat > "$T/m.conf" <<CONF
[mentiond]
database = $T/m.db
rules = $C/rules.conf
listen = 127.0.0.1:$APORT
interval = 1h
CONF
for d in "$C"/feeds/s*; do
	n=$(basename "$d")
	printf '[source "%s"]\nurl = %s/f/%s.xml\n' "$n" "$URL" "$n" >> "$T/m.conf"
done
printf '[source "broken"]\nurl = %s/status/500\n' "$URL" >> "$T/m.conf"
printf '[source "ticker"]\nurl = %s/f/ticker.xml\ninterval = 1s\n' "$URL" \
    >> "$T/m.conf"
CTL="$MENTIONCTL -q -c $T/m.conf"
$CTL ingest "$C/feeds" || echo "Bail out! ingest failed"
SRCS=$(cd "$C/feeds" && ls | paste -sd, -)

# Under AddressSanitizer (.ci/run) freed memory waits in a quarantine that
# would hide what the streaming check below measures: keep it small.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4" \
    "$MENTIOND" -f -c "$T/m.conf" > "$T/d.log" 2>&1 &
D=$!
tap_pids="$tap_pids $D"
healthy() { curl -sf "$API/healthz" >/dev/null; }
check "the daemon serves /healthz on its listen address" wait_for 10 healthy
metric() { curl -s "$API/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
polls() {
	curl -s "$API/metrics" | awk '/^mentiond_polls_total/ { n += $2 }
	    END { print n + 0 }'
}
all_polled() {
	[ "$(polls)" -ge 10 ] && [ "$(metric mentiond_sources_failing)" = 1 ]
}
check "every source is polled (the broken one failing)" wait_for 90 all_polled

# fetch PATH: body to $T/body, headers to $T/head; prints the status.
fetch() {
	curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$API$1"
}
header() { tr -d '\r' < "$T/head" | awk -v h="$1:" 'tolower($1) == tolower(h) { $1 = ""; sub(/^ /, ""); print }'; }

check "/healthz: 200 and JSON saying ok" \
    [ "$(fetch /healthz)" = 200 ] && grep -q '"status":"ok"' "$T/body" &&
    [ "$(header Content-Type)" = application/json ]
check "/healthz reports the failing source" grep -q '"failing":1' "$T/body"

# --- Exports: the API's bytes are mentionctl's bytes. ---
same() {	# same QUERY MENTIONCTL-ARGS...
	q=$1
	shift
	[ "$(fetch "/v1/export.csv$q")" = 200 ] || return 1
	$CTL export "$@" > "$T/want" || return 1
	cmp -s "$T/body" "$T/want"
}
check "/v1/export.csv equals mentionctl export" same ""
check "text/csv content type" [ "$(header Content-Type)" = "text/csv; charset=utf-8" ]
check "... with per-source, hour buckets and a range" \
    same "?per-source=1&bucket=hour&from=2025-11-10&to=2025-11-15" \
    --per-source --bucket hour --from 2025-11-10 --to 2025-11-15
check "... with wide format and the share measure" \
    same "?format=wide&measure=share&bucket=week" --format wide \
    --measure share --bucket week
check "... with a time zone and chosen rules (repeated and comma lists)" \
    same "?tz=America/New_York&rule=lively,mean-girl&rule=baldoni" \
    --tz America/New_York --rule lively,mean-girl,baldoni
check "... with totals" same "?totals=yes&source=s001,s002" --totals \
    --source s001,s002
check "... with the ratio format (Media Cloud's shape)" \
    same "?format=ratio&rule=kiss" --format ratio --rule kiss
sorted() { tail -n +2 "$1" | LC_ALL=C sort; }
fetch "/v1/export.csv?bucket=day&source=$SRCS" > /dev/null
check "the served day CSV equals genfeeds' expected/day.csv" \
    [ "$(sorted "$T/body")" = "$(sorted "$C/expected/day.csv")" ]
fetch "/v1/export.csv?per-source=1&source=$SRCS" > /dev/null
check "the served per-source CSV equals expected/day-by-source.csv" \
    [ "$(sorted "$T/body")" = "$(sorted "$C/expected/day-by-source.csv")" ]

json_ok() { "$PYTHON3" -m json.tool "$T/body" > /dev/null 2>&1; }
check "/v1/export.json: 200, application/json, valid JSON" \
    [ "$(fetch "/v1/export.json?bucket=week")" = 200 ] &&
    [ "$(header Content-Type)" = application/json ] && json_ok
$CTL export --format json --bucket week > "$T/want"
check "... equal to mentionctl export --format json" cmp -s "$T/body" "$T/want"

for r in "cooccur.csv:cooccur --bucket week" \
    "coverage.csv:coverage --source s000,s003" \
    "spikes.json:spikes --format json --bucket hour --window 6" \
    "spikes.csv:spikes --format csv --bucket hour --window 6" \
    "top.json:top --format json --to 2025-11-20 --since 7d" \
    "rules.json:rules --format json" \
    "rules.csv:rules --format csv"; do
	path=${r%%:*}
	args=${r#*:}
	# The same options as query parameters.
	q=$(echo "$args" | awk '{ q = ""; for (i = 2; i <= NF; i += 2) {
	    if ($i == "--format") continue;
	    sub(/^--/, "", $i); q = q (q == "" ? "?" : "&") $i "=" $(i + 1) }
	    print q }')
	fetch "/v1/$path$q" > "$T/status"
	$CTL $args > "$T/want"
	check "/v1/$path$q equals mentionctl $args" \
	    [ "$(cat "$T/status")" = 200 ] && cmp -s "$T/body" "$T/want"
done
check "/v1/sources.json lists every source with its health" \
    [ "$(fetch /v1/sources.json)" = 200 ] && json_ok &&
    grep -q '"source":"broken"' "$T/body" &&
    grep '"source":"broken"' "$T/body" | grep -q '"status":500'

check "/plot.svg: an SVG, one series per rule, mentionctl plot's bytes" \
    [ "$(fetch "/plot.svg?rule=lively,kiss&bucket=day")" = 200 ] &&
    [ "$(header Content-Type)" = image/svg+xml ] &&
    [ "$(grep -c '<path class="series"' "$T/body")" = 2 ] &&
    $CTL plot -o "$T/want" --rule lively,kiss --bucket day &&
    cmp -s "$T/body" "$T/want"

check "/: the dashboard, HTML with a no-network content policy" \
    [ "$(fetch "/?rule=lively&rule=mean-girl")" = 200 ] &&
    [ "$(header Content-Type)" = "text/html; charset=utf-8" ] &&
    header Content-Security-Policy | grep -q "default-src 'none'"
check "the dashboard charts one series per chosen rule" \
    [ "$(grep -c '<path class="series"' "$T/body")" = 2 ]
first_row() { sed -n '/id="health"/,/<\/table>/p' "$T/body" | grep -m1 '^<tr'; }
check "the dashboard lists failing sources first" \
    sh -c "echo '$(first_row)' | grep -q '^<tr class=\"failing\"><td>broken<'"
check "the dashboard's form fields may be left empty" \
    [ "$(fetch "/?from=&through=&rule=kiss")" = 200 ]
check "the dashboard names no other host" \
    sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$T/body'"

# --- Errors: a JSON object naming the parameter. ---
bad() {	# bad STATUS PARAM PATH
	[ "$(fetch "$3")" = "$1" ] || return 1
	[ "$(header Content-Type)" = application/json ] || return 1
	[ -z "$2" ] || grep -q "\"parameter\":\"$2\"" "$T/body"
}
check "400 for a bad bucket, naming it" bad 400 bucket "/v1/export.csv?bucket=year"
check "400 for a bad time" bad 400 from "/v1/export.csv?from=yesterday"
check "400 for from after to" bad 400 from \
    "/v1/export.csv?from=2025-12-01&to=2025-11-01"
check "400 for an unknown parameter" bad 400 colour "/v1/export.csv?colour=red"
check "400 for a parameter of another report" bad 400 window \
    "/v1/export.csv?window=3"
check "400 for an unknown rule" bad 400 rule "/v1/export.csv?rule=nosuch"
check "400 for an unknown time zone" bad 400 tz "/v1/export.csv?tz=Mars/Olympus"
check "400 for a bad switch value" bad 400 per-source \
    "/v1/export.csv?per-source=maybe"
check "400 for format=json on the CSV path" bad 400 format \
    "/v1/export.csv?format=json"
check "400 for ratio without exactly one rule" bad 400 format \
    "/v1/export.csv?format=ratio"
check "400 for a spike window out of range" bad 400 window \
    "/v1/spikes.json?window=1"
check "400 for a malformed query string" bad 400 "" "/v1/export.csv?a=%zz&b"
check "404 for an unknown path" bad 404 "" /v2/export.csv
check "POST is refused with 405 and Allow: GET, HEAD (read-only)" \
    [ "$(curl -s -o /dev/null -D "$T/head" -w '%{http_code}' -X POST "$API/v1/export.csv")" = 405 ] &&
    [ "$(header Allow)" = "GET, HEAD" ]
check "DELETE too" [ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$API/v1/export.csv")" = 405 ]
check "HEAD answers with headers and no body" \
    [ "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$API/v1/export.csv")" = "200 0" ]
long=$(head -c 20000 /dev/zero | tr '\0' a)
check "a 20 KB request line is refused" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$API/?$long")" != 200 ]
check "oversized headers are refused" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $long" "$API/healthz")" != 200 ]
check "and the daemon still answers after both" healthy

# --- /metrics: the Prometheus text format, agreeing with the database. ---
check "/metrics: 200 in the Prometheus text format" \
    [ "$(fetch /metrics)" = 200 ] &&
    header Content-Type | grep -q '^text/plain; version=0.0.4'
check "every sample line is NAME{LABELS} VALUE, every family typed" \
    awk '/^# TYPE / { typed[$3] = 1; next } /^#/ { next }
	!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$/ { bad = 1 }
	{ n = $1; sub(/\{.*/, "", n); sub(/_(bucket|sum|count)$/, "", n);
	  if (!typed[n] && !typed[$1]) bad = 1 }
	END { exit bad }' "$T/body"
check "the fetch duration histogram is cumulative and ends in +Inf" \
    awk -F' ' '/^mentiond_fetch_duration_seconds_bucket/ { if ($2 < last) bad = 1; last = $2; inf = $1 ~ /Inf/ }
	/^mentiond_fetch_duration_seconds_count/ { c = $2 }
	END { exit (bad || !inf || last != c) }' "$T/body"
for m in mentiond_polls_total mentiond_fetch_bytes_total \
    mentiond_items_ingested_total mentiond_mentions_total \
    mentiond_sources_failing mentiond_last_cycle_timestamp_seconds \
    mentiond_database_size_bytes; do
	check "/metrics has $m" grep -q "^$m" "$T/body"
done
check "polls by result count the broken source's HTTP errors" \
    [ "$(awk '$1 == "mentiond_polls_total{result=\"http_error\"}" { print $2 }' "$T/body")" -ge 1 ]
# The ticker's items were new to the database: their mentions are counted.
$CTL export --source ticker --rule lively > "$T/want"
want=$(awk -F, 'NR > 1 { s += $4 } END { print s + 0 }' "$T/want")
check "mentions_total for a rule equals the stored mentions from new items" \
    [ "$(awk '$1 == "mentiond_mentions_total{rule=\"lively\"}" { print $2 }' "$T/body")" = "$want" ]
check "the database size is its size on disk" \
    [ "$(awk '$1 == "mentiond_database_size_bytes" { print $2 }' "$T/body")" -ge \
    "$(stat -c %s "$T/m.db")" ]

# --- Streaming, backpressure and the query cap. ---
# A dense grid, every source and hour of 26 years: about 100 MB of CSV.
BIG="/v1/export.csv?per-source=1&bucket=hour&format=wide&from=2000-01-01&to=2026-01-01"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$D/status"; }
threads() { awk '/^Threads/ { print $2 }' "/proc/$D/status"; }
threads0=$(threads)
rss0=$(rss)
curl -s "$API$BIG" | wc -c > "$T/bigsize"
size=$(cat "$T/bigsize")
diag "streamed ${size} bytes; daemon RSS ${rss0} kB before"
check "a large export streams in full" [ "$size" -gt 90000000 ]
curl -s --limit-rate 2M "$API$BIG" > /dev/null &
c=$!
sleep 3
rss1=$(rss)
kill "$c"
diag "daemon RSS during a slow 2 MB/s download: ${rss1} kB"
check "a slow client's export is not held in memory (RSS +< 16 MB)" \
    [ "$rss1" -lt $((rss0 + 16384)) ]
slow=
for i in 1 2 3 4; do
	curl -s --limit-rate 20k "$API$BIG" > /dev/null &
	slow="$slow $!"
done
sleep 1
check "a fifth report while four run: 503 with Retry-After" \
    [ "$(fetch "/v1/export.csv")" = 503 ] && [ "$(header Retry-After)" = 1 ]
polls0=$(polls)
sleep 3
polls1=$(polls)
diag "polls while four slow clients were reading: $polls0 -> $polls1"
check "slow clients do not stall polling (the 1s source keeps polling)" \
    [ "$polls1" -gt "$polls0" ]
check "/healthz answers at once while reports run" healthy
for p in $slow; do kill "$p" 2>/dev/null; done
wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$API/v1/rules.json')\" = 200 ]"
check "clients that hang up free their reports" \
    [ "$(fetch /v1/rules.json)" = 200 ]
few_threads() { [ "$(threads)" -le "$threads0" ]; }
check "and their threads end" wait_for 5 few_threads
diag "threads: $threads0 before, $(threads) after"

# --- Reload keeps serving; a stop with a report in flight is prompt. ---
printf '[rule "extra"]\nmatch = \\bextra\\b\n' >> "$T/m.conf"
kill -HUP "$D"
reloaded() { curl -s "$API/v1/rules.json" | grep -q '"rule":"extra"'; }
check "after SIGHUP the API serves the new rules" wait_for 10 reloaded
curl -s --limit-rate 20k "$API$BIG" > /dev/null &
slow=$!
sleep 0.5
kill -TERM "$D"
stopped() { ! kill -0 "$D" 2>/dev/null; }
check "SIGTERM with a report streaming stops the daemon" wait_for 5 stopped
kill "$slow" 2>/dev/null
check "and it stopped cleanly" grep -q stopped "$T/d.log"
grep warning "$T/d.log" | grep -v '"broken"' > "$T/warnings"
check "no warnings were logged but the broken source's" [ ! -s "$T/warnings" ]
while read -r w; do diag "$w"; done < "$T/warnings"

# --- Beyond loopback: a token, or no start at all. ---
sed "s|^listen = .*|listen = 0.0.0.0:$APORT|" "$T/m.conf" > "$T/open.conf"
check "a non-loopback listen without api_token refuses to start (exit 2)" \
    exits 2 "$MENTIOND" -f -c "$T/open.conf"
check "... saying so with file:line" \
    sh -c "'$MENTIOND' -f -c '$T/open.conf' 2>&1 | grep -q 'open.conf:4: listen: 0.0.0.0:$APORT is not a loopback address'"
TOKEN=0123456789abcdef0123456789abcdef
sed "s|^listen = .*|listen = 0.0.0.0:$APORT\napi_token = $TOKEN|" \
    "$T/m.conf" > "$T/tok.conf"
"$MENTIOND" -f -c "$T/tok.conf" > "$T/t.log" 2>&1 &
D=$!
tap_pids="$tap_pids $D"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$API/healthz")" = 401 ]; }
check "with a token the daemon serves on 0.0.0.0" wait_for 10 up
check "401 without the token, with WWW-Authenticate: Bearer" \
    [ "$(fetch /v1/export.csv)" = 401 ] &&
    header WWW-Authenticate | grep -q '^Bearer'
check "401 with a wrong token" [ "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer ${TOKEN}x" "$API/v1/export.csv")" = 401 ]
check "200 with the token, the same CSV" \
    [ "$(curl -s -o "$T/body" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$API/v1/export.csv")" = 200 ] &&
    $CTL export > "$T/want" && cmp -s "$T/body" "$T/want"
kill -TERM "$D"
wait "$D" 2>/dev/null

done_testing
