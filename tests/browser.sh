#!/bin/sh
# The dashboard in a real browser: Debian's chromium, headless, loads the
# page from a running mentiond; the rendered DOM has one chart series per
# chosen rule and failing sources first; screenshots at 1280x800 and at a
# phone's width are kept in tests/artifacts/ for a person to look at.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	diag "installing chromium (Debian package) for the browser test"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	    > "$T/apt.log" 2>&1 || true
	CHROMIUM=$(command -v chromium || true)
fi
[ -n "$CHROMIUM" ] ||
    skip_all "chromium (Debian package chromium) is not installed and could not be"

ART="$top_builddir/tests/artifacts"
mkdir -p "$ART"

tar -xzf "$DATA/corpus.tar.gz" -C "$T"
C="$T/corpus"
start_httpd "$T"
APORT=$(free_port)
API="http://127.0.0.1:$APORT"
cat > "$T/m.conf" <<CONF
[mentiond]
database = $T/m.db
rules = $C/rules.conf
listen = 127.0.0.1:$APORT
[source "broken"]
url = http://127.0.0.1:$PORT/status/503
CONF
for d in "$C"/feeds/s*; do
	printf '[source "%s"]\nurl = file://%s/000.xml\ninterval = 1h\n' \
	    "$(basename "$d")" "$d" >> "$T/m.conf"
done
"$MENTIONCTL" -q -c "$T/m.conf" ingest "$C/feeds" || echo "Bail out! ingest"
"$MENTIOND" -f -c "$T/m.conf" > "$T/d.log" 2>&1 &
D=$!
tap_pids="$tap_pids $D"
failing() { curl -s "$API/healthz" | grep -q '"failing":1'; }
check "the daemon is up, its broken source failing" wait_for 60 failing

n=0
# browse WIDTH,HEIGHT URL ARGS...: chromium as the issue prescribes, with a
# fresh profile each time.
browse() {
	n=$((n + 1))
	size=$1
	url=$2
	shift 2
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile$n" --window-size="$size" \
	    --hide-scrollbars "$@" "$url" 2>> "$T/chromium.log"
}

URL3="$API/?rule=lively&rule=mean-girl&rule=baldoni&bucket=day"
browse 1280,800 "$URL3" --virtual-time-budget=5000 --dump-dom > "$T/dom.html"
series() { grep -o '<path class="series"[^>]*data-rule="[^"]*"' "$1" |
    sed 's/.*data-rule="//; s/"$//' | paste -sd, -; }
check "chromium renders the dashboard" grep -q '<h1>mentiond</h1>' "$T/dom.html"
check "the chart has one series per selected rule, in order" \
    [ "$(series "$T/dom.html")" = "lively,mean-girl,baldoni" ]
check "the picker shows those three rules checked" \
    [ "$(grep -o 'value="[^"]*" checked' "$T/dom.html" | wc -l)" = 3 ]
check "top movers and spikes are on the page" \
    sh -c "grep -q 'Top movers' '$T/dom.html' && grep -q 'Spikes' '$T/dom.html'"
first=$(sed -n '/id="health"/,/<\/table>/p' "$T/dom.html" | grep -o '<tr[^>]*><td>[^<]*' | sed -n 1p)
check "the source-health table puts the failing source first" \
    [ "$first" = '<tr class="failing"><td>broken' ]

browse 1280,800 "$API/" --virtual-time-budget=5000 --dump-dom > "$T/dom0.html"
k=$(series "$T/dom0.html" | tr ',' '\n' | grep -c .)
check "with no rule chosen it charts the busiest ones (1 to 6), checked" \
    [ "$k" -ge 1 ] && [ "$k" -le 6 ] &&
    [ "$(grep -o 'value="[^"]*" checked' "$T/dom0.html" | wc -l)" = "$k" ]

# A form submission is the same page: the browser's own GET.
browse 1280,800 "$API/?rule=kiss&bucket=week&measure=share&from=2025-11-01&through=2025-11-30" \
    --virtual-time-budget=5000 --dump-dom > "$T/dom1.html"
check "a submitted form (week, share, a range) renders one series" \
    [ "$(series "$T/dom1.html")" = kiss ] &&
    grep -q '2025-11-01 to 2025-11-30, by week' "$T/dom1.html"

# PNG width and height, from the IHDR chunk.
png_size() { od -An -tu1 -j16 -N8 "$1" |
    awk '{ printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
rm -f "$ART"/dashboard-*.png
browse 1280,800 "$URL3" --screenshot="$ART/dashboard-1280x800.png" > /dev/null
check "a 1280x800 screenshot is saved" \
    [ "$(png_size "$ART/dashboard-1280x800.png")" = 1280x800 ]
browse 390,844 "$URL3" --screenshot="$ART/dashboard-phone-390x844.png" > /dev/null
check "a phone-width (390x844) screenshot is saved" \
    [ "$(png_size "$ART/dashboard-phone-390x844.png")" = 390x844 ]
diag "screenshots: $ART/dashboard-1280x800.png $ART/dashboard-phone-390x844.png"
kill -TERM "$D"
wait "$D" 2>/dev/null
done_testing
