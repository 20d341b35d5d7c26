#!/bin/sh
# The long-running daemon: SIGHUP reloads atomically (new rules count, a bad
# config keeps the old one, removed sources' transfers are cancelled),
# SIGTERM stops promptly with data intact, kill -9 mid-cycle loses and
# double-counts nothing, an idle daemon uses no CPU, the schedule survives
# a restart, and failures back off exponentially then recover.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

WWW="$T/www"
mkdir -p "$WWW"
start_httpd "$WWW"
URL="http://127.0.0.1:$PORT"

# An RSS feed with one item per argument (id:text).
feed() {
	out=$1
	shift
	{
		echo '<rss version="2.0"><channel><title>t</title>'
		for it in "$@"; do
			printf '<item><guid>%s</guid><pubDate>Fri, 14 Nov 2025 12:00:00 GMT</pubDate><title>%s</title></item>\n' \
			    "${it%%:*}" "${it#*:}"
		done
		echo '</channel></rss>'
	} > "$out.tmp" && mv "$out.tmp" "$out"
}

rules_lively='[rule "lively"]
match = \bLively\b'
rules_both="$rules_lively
[rule \"baldoni\"]
match = \\bBaldoni\\b"

feed "$WWW/a.xml" "a1:Lively and Baldoni"
cat > "$T/m.conf" <<CONF
[mentiond]
listen =
database = m.db
$rules_lively
[source "a"]
url = $URL/f/a.xml
interval = 1s
CONF

"$MENTIOND" -f -c "$T/m.conf" 2> "$T/d.log" &
D=$!
tap_pids="$tap_pids $D"
# The checks read the database alone: the config is made broken below.
ctl() { "$MENTIONCTL" --db "$T/m.db" "$@" 2>/dev/null; }
has_row() { ctl export --rule "$1" | grep -q "$2"; }
check "the daemon polls and records" wait_for 15 has_row lively ",lively,1,1$"

# Reload with a new rule and a new source; new items get the new rule.
cat > "$T/m.conf" <<CONF
[mentiond]
listen =
database = m.db
$rules_both
[source "a"]
url = $URL/f/a.xml
interval = 1s
[source "b"]
url = $URL/f/b.xml
interval = 1s
CONF
feed "$WWW/b.xml" "b1:Baldoni speaks"
feed "$WWW/a.xml" "a1:Lively and Baldoni" "a2:Baldoni again"
kill -HUP "$D"
check "SIGHUP reloads (the log says so)" \
    wait_for 15 grep -q "configuration reloaded: 2 sources (1 new, 1 kept, 0 removed), 2 rules" "$T/d.log"
check "a new rule counts new items after a reload" \
    wait_for 15 has_row baldoni ",baldoni,2,2$"
check "items already stored are not re-counted by the reload" \
    [ "$(ctl export --rule lively | tail -n 1)" = "2025-11-14T00:00:00Z,lively,1,1" ]

# A broken config: reported, and the old one keeps running.
cp "$T/m.conf" "$T/good.conf"
printf '[rule "x"]\nmatch = (broken\n' >> "$T/m.conf"
kill -HUP "$D"
check "a config that fails to load is reported with file:line" \
    wait_for 15 grep -q "reload failed, still running the previous configuration: $T/m.conf:.*: match:" "$T/d.log"
feed "$WWW/b.xml" "b1:Baldoni speaks" "b2:Baldoni, Baldoni"
check "the old configuration keeps polling after a failed reload" \
    wait_for 15 has_row baldoni ",baldoni,3,4$"
check "the daemon is still running" kill -0 "$D"

# A removed source's transfer in flight is cancelled.
cp "$T/good.conf" "$T/m.conf"
printf '[source "stuck"]\nurl = %s/stall\ninterval = 1s\n' "$URL" >> "$T/m.conf"
kill -HUP "$D"
check "a source that hangs is being polled" wait_for 15 grep -q "GET /stall" "$HTTPLOG"
cp "$T/good.conf" "$T/m.conf"
kill -HUP "$D"
check "removing it cancels its transfer" \
    wait_for 15 grep -q 'source "stuck": removed' "$T/d.log"
check "and the daemon carries on" wait_for 15 grep -q "configuration reloaded: 2 sources (0 new, 2 kept, 1 removed)" "$T/d.log"

# SIGTERM with a transfer in flight stops promptly and cleanly.
printf '[source "stuck"]\nurl = %s/stall\ninterval = 1s\n' "$URL" >> "$T/m.conf"
kill -HUP "$D"
lines=$(grep -c "GET /stall" "$HTTPLOG")
wait_for 15 sh -c '[ $(grep -c "GET /stall" "$1") -gt "$2" ]' _ "$HTTPLOG" "$lines"
kill -TERM "$D"
stopped() { ! kill -0 "$D" 2>/dev/null; }
check "SIGTERM stops the daemon with a transfer in flight" wait_for 5 stopped
wait "$D"
check "it exits 0" [ $? -eq 0 ]
check "and logs that it stopped" grep -q "stopped" "$T/d.log"
check "the database is intact after the stop" \
    [ "$(ctl export --rule baldoni | tail -n 1)" = "2025-11-14T00:00:00Z,baldoni,3,4" ]

# kill -9 in the middle of a cycle, restart: counts exactly as a clean run.
mkdir -p "$WWW/k"
for i in $(seq 1 24); do
	feed "$WWW/k/s$i.xml" "k$i-1:Lively $i" "k$i-2:Lively and Lively" \
	    "k$i-3:Baldoni $i"
done
mkconf() {	# mkconf DB: 24 sources, half of them slow
	printf '[mentiond]\nlisten =\ndatabase = %s\nmax_host_connections = 4\n%s\n' \
	    "$1" "$rules_both"
	for i in $(seq 1 24); do
		if [ $((i % 2)) -eq 0 ]; then p="slow/0.4/k"; else p="f/k"; fi
		printf '[source "s%s"]\nurl = %s/%s/s%s.xml\ninterval = 1h\n' \
		    "$i" "$URL" "$p" "$i"
	done
}
mkconf "$T/clean.db" > "$T/clean.conf"
mkconf "$T/killed.db" > "$T/killed.conf"
"$MENTIOND" -c "$T/clean.conf" --once 2>/dev/null
"$MENTIOND" -f -c "$T/killed.conf" 2>/dev/null &
K=$!
some_done() {
	n=$("$MENTIONCTL" -c "$T/killed.conf" sources --csv 2>/dev/null |
	    grep -c ',200,0,')
	[ "${n:-0}" -ge 3 ]
}
wait_for 15 some_done
kill -KILL "$K"
wait "$K" 2>/dev/null
partial=$("$MENTIONCTL" -c "$T/killed.conf" sources --csv | grep -c ',200,0,')
diag "kill -9 after $partial of 24 sources were committed"
check "the kill landed mid-cycle" [ "$partial" -gt 0 ] && [ "$partial" -lt 24 ]
"$MENTIOND" -c "$T/killed.conf" --once 2>/dev/null
"$MENTIONCTL" -c "$T/clean.conf" export --per-source > "$T/clean.csv"
"$MENTIONCTL" -c "$T/killed.conf" export --per-source > "$T/killed.csv"
check "after kill -9 and a restart, counts equal an uninterrupted run" \
    cmp -s "$T/clean.csv" "$T/killed.csv"
check "and they are the counts the feeds hold (24 sources x 3 items)" \
    grep -q "^2025-11-14T00:00:00Z,s7,lively,2,3$" "$T/killed.csv"

# The schedule survives a restart; an idle daemon uses no CPU.
: > "$HTTPLOG"
"$MENTIOND" -f -c "$T/clean.conf" 2> "$T/idle.log" &
I=$!
tap_pids="$tap_pids $I"
sleep 2
check "a restart does not re-poll sources that are not due" \
    [ "$(grep -c GET "$HTTPLOG")" -eq 0 ]
ticks() { awk '{ print $14 + $15 }' "/proc/$I/stat"; }
t0=$(ticks)
sleep 3
t1=$(ticks)
diag "idle daemon: $((t1 - t0)) CPU ticks in 3 s"
check "an idle daemon uses (almost) no CPU" [ $((t1 - t0)) -le 3 ]
kill -TERM "$I"

# Failures back off exponentially, then recover at the normal interval.
cat > "$T/b.conf" <<CONF
[mentiond]
listen =
database = b.db
$rules_lively
[source "flaky"]
url = $URL/f/flaky.xml
interval = 1s
CONF
"$MENTIOND" -f -c "$T/b.conf" 2> "$T/b.log" &
B=$!
tap_pids="$tap_pids $B"
health() { "$MENTIONCTL" -c "$T/b.conf" sources --csv 2>/dev/null | grep '^flaky,'; }
failures() { health | awk -F, -v n="$1" '$8 >= n' | grep -q .; }
check "a missing feed fails and is retried" wait_for 20 failures 3
gap=$(health | awk -F, '{ print $5 " " $9 }' | while read -r a d; do
	echo $(( $(date -u -d "$d" +%s) - $(date -u -d "$a" +%s) ))
done)
fails=$(health | cut -d, -f8)
check "after $fails failures the wait has doubled each time (2^(n-1) intervals)" \
    [ "$gap" -eq $((1 << (fails - 1))) ]
feed "$WWW/flaky.xml" "f1:Lively"
recovered() { health | grep -q ',200,0,'; }
check "a success resets the failure count" wait_for 30 recovered
gap=$(health | awk -F, '{ print $5 " " $9 }' | while read -r a d; do
	echo $(( $(date -u -d "$d" +%s) - $(date -u -d "$a" +%s) ))
done)
check "and the source is back on its interval" [ "$gap" -le 2 ]
kill -TERM "$B"

done_testing
