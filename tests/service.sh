#!/bin/sh
# mentiond as a systemd service: sd_notify messages in order (READY,
# WATCHDOG, RELOADING/READY around SIGHUP, STOPPING) on a test-owned
# NOTIFY_SOCKET; journal priority prefixes; the shipped configurations
# check; the unit's security exposure.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# A small offline source, polled every second.
mkdir -p "$T/feeds"
cp "$DATA/polls/people/001.xml" "$T/feeds/p.xml"
cat > "$T/m.conf" <<CONF
[mentiond]
listen =
database = m.db
rules = $DATA/rules.conf
[source "p"]
url = file:feeds/p.xml
interval = 1s
CONF

if grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h"; then
	"$top_builddir/tests/sdnotify" "$T/notify.sock" "$T/notify.log" &
	tap_pids="$tap_pids $!"
	wait_for 5 test -S "$T/notify.sock"
	NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 \
	    "$MENTIOND" -f -c "$T/m.conf" 2> "$T/d.log" &
	D=$!
	tap_pids="$tap_pids $D"
	check "READY=1 is sent once the daemon is up" \
	    wait_for 10 grep -q '^READY=1|STATUS=1 sources' "$T/notify.log"
	check "STATUS counts sources, rules and items" \
	    grep -q '^READY=1|STATUS=1 sources (0 failing), 3 rules, [0-9]* items$' "$T/notify.log"
	check "the watchdog is fed from the loop (WATCHDOG_USEC)" \
	    wait_for 10 grep -q '^WATCHDOG=1$' "$T/notify.log"
	kill -HUP "$D"
	check "SIGHUP sends RELOADING=1 with MONOTONIC_USEC" \
	    wait_for 10 grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*$' "$T/notify.log"
	sleep 0.5
	kill -TERM "$D"
	wait "$D"
	# The order: READY, RELOADING, READY, STOPPING (watchdogs anywhere).
	order=$(grep -v '^WATCHDOG=1$' "$T/notify.log" | grep -v '^STATUS=' |
	    sed 's/[|=].*//' | tr '\n' ' ')
	check "messages come in order: READY RELOADING READY STOPPING" \
	    [ "$order" = "READY RELOADING READY STOPPING " ]
	diag "notify: $order"
	check "STOPPING=1 is the last message" \
	    [ "$(tail -n 1 "$T/notify.log")" = "STOPPING=1" ]
else
	skip "sd_notify messages" "built without libsystemd"
fi

# Under the journal (JOURNAL_STREAM names stderr): <N> priority prefixes.
: > "$T/journal.log"
js=$(stat -c '%d:%i' "$T/journal.log")
printf '[mentiond]\nlisten =\ndatabase = j.db\n[source "gone"]\nurl = file:feeds/none.xml\n' \
    > "$T/j.conf"
JOURNAL_STREAM=$js "$MENTIOND" -c "$T/j.conf" --once 2>> "$T/journal.log"
check "under the journal, warnings carry <4>" \
    grep -q '^<4>source "gone": ' "$T/journal.log"
check "under the journal, information carries <6>" \
    grep -q '^<6>1 sources, 0 rules' "$T/journal.log"
check "under the journal, no timestamps (journald adds them)" \
    sh -c '! grep -q "^[0-9][0-9][0-9][0-9]-" "$1"' _ "$T/journal.log"
"$MENTIOND" -c "$T/j.conf" --once 2> "$T/tty.log"
check "elsewhere in the foreground, lines are timestamped" \
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} mentiond\[[0-9]+\]: warning: source "gone": ' "$T/tty.log"

# Every shipped configuration checks.
check "the shipped mentiond.conf passes --check-config" \
    exits 0 "$MENTIOND" --check-config -c "$top_builddir/conf/mentiond.conf"
check "the offline demo configuration passes --check-config" \
    exits 0 "$MENTIOND" --check-config -c "$top_srcdir/conf/demo/mentiond.conf"
check "mentionctl check agrees on the shipped configuration" \
    exits 0 "$MENTIONCTL" -c "$top_builddir/conf/mentiond.conf" check

# The unit's exposure, as systemd rates it.
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze security --offline=yes \
	    "$top_builddir/systemd/mentiond.service" > "$T/sec.txt" 2>&1
	score=$(sed -n 's/.*Overall exposure level for mentiond.service: \([0-9.]*\).*/\1/p' "$T/sec.txt")
	diag "systemd-analyze security: ${score:-?}"
	check "systemd-analyze security --offline rates the unit <= 2.0" \
	    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
else
	skip "systemd-analyze security" "systemd-analyze not installed"
fi

done_testing
