#!/bin/sh
# mentiond --once against the fixture HTTP server (tests/httpd): exact
# counts over HTTP, conditional GETs and lying validators, and every fault
# mode yielding one clear log line naming its source, a health row, and no
# effect on the other sources.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

WWW="$T/www"
mkdir -p "$WWW"
cp "$DATA/polls/usweekly/001.xml" "$WWW/usweekly.xml"
cp "$DATA/polls/people/001.xml" "$WWW/people.xml"
# Feeds whose items match no rule: they only add to totals.
quiet_feed() {
	cat > "$WWW/$1.xml" <<XML
<?xml version="1.0"?>
<rss version="2.0"><channel><title>$1</title>
<item><title>Weather for $1</title><guid>$1-1</guid>
<pubDate>Fri, 14 Nov 2025 12:00:00 GMT</pubDate>
<description>Rain, then sun.</description></item>
</channel></rss>
XML
}
for f in chain moved slow lying trunc; do quiet_feed "$f"; done
start_httpd "$WWW"
URL="http://127.0.0.1:$PORT"

cat > "$T/m.conf" <<CONF
[mentiond]
listen =
database = m.db
rules = $DATA/rules.conf
user_agent = mentiond-test/1.0 (+https://example.org/contact)
timeout = 3s
connect_timeout = 2s
max_body = 1M

[source "usweekly"]
url = $URL/f/usweekly.xml
[source "people"]
url = $URL/gzip/people.xml
[source "lying"]
url = $URL/lying/lying.xml
[source "chain"]
url = $URL/redirect/3/chain.xml
[source "moved"]
url = $URL/moved/moved.xml
[source "failing500"]
url = $URL/status/500
[source "retry503"]
url = $URL/status/503?retry_after=3600
[source "loop"]
url = $URL/loop
[source "tofile"]
url = $URL/tofile
[source "big"]
url = $URL/big/3000000
[source "bigchunked"]
url = $URL/big/3000000?chunked=1
[source "bomb"]
url = $URL/gzipbomb/100
[source "huge"]
url = $URL/big/200000000?chunked=1
[source "truncated"]
url = $URL/truncated/trunc.xml
[source "garbage"]
url = $URL/garbage
[source "slow"]
url = $URL/slow/10/slow.xml
[source "refused"]
url = http://127.0.0.1:1/feed.xml
[source "dns"]
url = http://no-such-host.invalid/feed.xml
[source "tls"]
url = https://127.0.0.1:$PORT/f/usweekly.xml
CONF

"$MENTIOND" -c "$T/m.conf" --once 2> "$T/once1.log"
check "--once exits 0 when the cycle ran, even with failing sources" \
    [ $? -eq 0 ]

"$MENTIONCTL" -c "$T/m.conf" export > "$T/day.csv"
check "counts over HTTP equal the hand-counted ones (first poll)" \
    cmp -s "$T/day.csv" - <<'CSV'
bucket,rule,items,mentions
2025-11-13T00:00:00Z,lively,1,3
2025-11-13T00:00:00Z,baldoni,1,2
2025-11-13T00:00:00Z,kiss,1,2
2025-11-14T00:00:00Z,lively,2,3
2025-11-14T00:00:00Z,baldoni,2,2
2025-11-14T00:00:00Z,kiss,2,2
CSV

# One warning line per failing source, naming it and saying what failed.
fails() {
	[ "$(grep -c "source \"$1\": " "$T/once1.log")" -eq 1 ] &&
	    grep "source \"$1\": " "$T/once1.log" | grep -Eq "$2"
}
check "HTTP 500: one line naming the source" fails failing500 "HTTP 500"
check "HTTP 503 with Retry-After: one line" fails retry503 "HTTP 503 \(Retry-After 3600s\)"
check "a redirect loop: one line" fails loop "too many redirects"
check "a redirect to file:// is refused: one line" fails tofile "refused protocol"
check "a body over max_body (Content-Length) is refused: one line" \
    fails big "larger than max_body"
check "a chunked body over max_body is aborted, not truncated: one line" \
    fails bigchunked "larger than max_body"
check "a gzip bomb stops at max_body: one line" fails bomb "larger than max_body"
check "a 200 MB body is aborted at max_body: one line" fails huge "larger than max_body"
check "a truncated body: one line" fails truncated "truncated body"
check "a garbage body is not recorded: one line" fails garbage "not a usable feed"
check "a slow server times out: one line" fails slow "[Tt]imed out"
check "a refused connection: one line" fails refused "(connect|refused)"
check "a DNS failure: one line" fails dns "resolve"
check "a TLS failure: one line" fails tls "(SSL|TLS|ssl|tls)"
check "a permanent redirect is reported with where the url is configured" \
    grep -q "source \"moved\": $URL/moved/moved.xml permanently redirects to $URL/f/moved.xml; update its url ($T/m.conf:" "$T/once1.log"
check "nothing is logged for healthy sources at the default level" \
    sh -c '! grep -Eq "source \"(usweekly|people|lying|chain)\"" "$1"' _ "$T/once1.log"

"$MENTIONCTL" -c "$T/m.conf" sources --csv > "$T/health.csv"
field() {	# field SOURCE COLUMN: a column of the health CSV
	awk -F, -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++)
	    if ($i == c) k = i } $1 == s { print $k }' "$T/health.csv"
}
check "health of a failing source: status, failures, error" \
    [ "$(field failing500 status),$(field failing500 failures),$(field failing500 error)" = "500,1,HTTP 500" ]
check "health of a healthy source: 200, no failures, last success set" \
    [ "$(field usweekly status),$(field usweekly failures)" = "200,0" ] &&
    [ -n "$(field usweekly last_success)" ]
due=$(field retry503 next_due)
due_s=$(date -u -d "$due" +%s 2>/dev/null || echo 0)
check "Retry-After: 3600 puts the next poll an hour away" \
    [ $((due_s - $(date +%s))) -gt 3000 ]
check "the daemon's User-Agent is the configured one" \
    grep -q "user-agent=mentiond-test/1.0 (+https://example.org/contact) " "$HTTPLOG"
check "Accept-Encoding offers gzip" \
    grep -q "GET /f/usweekly.xml .*accept-encoding=[^=]*gzip" "$HTTPLOG"
check "the first poll is unconditional" \
    grep -q "GET /f/usweekly.xml if-none-match=- " "$HTTPLOG"

# Second cycle: nothing changed.
: > "$HTTPLOG"
"$MENTIOND" -c "$T/m.conf" --once 2> "$T/once2.log"
check "second --once exits 0" [ $? -eq 0 ]
check "the second poll sends the stored ETag" \
    grep -q 'GET /f/usweekly.xml if-none-match="[0-9a-f]*"' "$HTTPLOG"
"$MENTIONCTL" -c "$T/m.conf" sources --csv > "$T/health.csv"
check "an unchanged feed is a 304 recorded as healthy" \
    [ "$(field usweekly status),$(field usweekly failures)" = "304,0" ]
check "a lying server's unchanged body counts as unchanged (no parse)" \
    grep -q "5 ok (5 unchanged)" "$T/once2.log"
"$MENTIONCTL" -c "$T/m.conf" export > "$T/day2.csv"
check "an unchanged second cycle changes no count" cmp -s "$T/day.csv" "$T/day2.csv"
check "consecutive failures are counted" \
    [ "$(field failing500 failures)" = "2" ]

# New items arrive: only they are counted.
cp "$DATA/polls/usweekly/002.xml" "$WWW/usweekly.xml"
"$MENTIOND" -c "$T/m.conf" --once 2>/dev/null
"$MENTIONCTL" -c "$T/m.conf" export --rule lively,baldoni,kiss > "$T/day3.csv"
check "a changed feed adds only its new items (edited repeats ignored)" \
    cmp -s "$T/day3.csv" "$DATA/expected-day.csv"
check "a failing source's failure leaves others' data intact" \
    grep -q "^2025-11-15T00:00:00Z,baldoni,1,2$" "$T/day3.csv"

# Caps: six slow sources on one host, two at a time at most.
rm -f "$T/caps.db"
{
	printf '[mentiond]\nlisten =\ndatabase = %s/caps.db\nrules = %s/rules.conf\n' \
	    "$T" "$DATA"
	printf 'max_host_connections = 2\n'
	for i in 1 2 3 4 5 6; do
		quiet_feed "cap$i"
		printf '[source "cap%s"]\nurl = %s/slow/0.3/cap%s.xml\n' \
		    "$i" "$URL" "$i"
	done
} > "$T/caps.conf"
: > "$HTTPLOG"
"$MENTIOND" -c "$T/caps.conf" --once 2>/dev/null
maxin=$(sed -n 's/.*inflight=\([0-9]*\)$/\1/p' "$HTTPLOG" | sort -n | tail -n 1)
check "max_host_connections = 2 keeps at most 2 transfers on one host" \
    [ "${maxin:-0}" -le 2 ]
check "six sources were each fetched exactly once" \
    [ "$(grep -c 'GET /slow/0.3/cap' "$HTTPLOG")" -eq 6 ]
sed -i 's/max_host_connections = 2/max_connections = 1/' "$T/caps.conf"
rm -f "$T/caps.db"
: > "$HTTPLOG"
"$MENTIOND" -c "$T/caps.conf" --once 2>/dev/null
maxin=$(sed -n 's/.*inflight=\([0-9]*\)$/\1/p' "$HTTPLOG" | sort -n | tail -n 1)
check "max_connections = 1 means one transfer at a time" [ "${maxin:-0}" -eq 1 ]

# file:// works only where configured; --once with no database dir makes it.
mkdir -p "$T/files"
cp "$DATA/polls/people/001.xml" "$T/files/p.xml"
printf '[mentiond]\nlisten =\ndatabase = sub/dir/f.db\nrules = %s/rules.conf\n[source "p"]\nurl = file:files/p.xml\n' \
    "$DATA" > "$T/file.conf"
"$MENTIOND" -c "$T/file.conf" --once 2>/dev/null
"$MENTIONCTL" -c "$T/file.conf" export > "$T/file.csv"
check "a file: source is polled (relative to the config file)" \
    grep -q "^2025-11-14T00:00:00Z,lively,1,2$" "$T/file.csv"

# A second daemon on the same database is refused.
"$MENTIOND" -c "$T/m.conf" -f 2> "$T/first.log" &
first=$!
tap_pids="$tap_pids $first"
wait_for 10 grep -q "sources, 3 rules" "$T/first.log"
"$MENTIOND" -c "$T/m.conf" --once 2> "$T/second.log"
check "a second mentiond on the same database exits 1" [ $? -eq 1 ]
check "and says why" grep -q "another mentiond is using this database" "$T/second.log"
kill "$first"

done_testing
