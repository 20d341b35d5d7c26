# tests/lib.sh: TAP output and fixtures for the shell test suites.
# Sourced by tests/*.sh; run them with `make check` or directly from the
# build directory (top_srcdir/top_builddir default sensibly).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$(pwd)}"
MENTIONCTL="$top_builddir/mentionctl"
MENTIOND="$top_builddir/mentiond"
DATA="$top_srcdir/tests/data"
# ../shared beside the clone holds the bench tools and the peer corpus.
: "${MENTIOND_SHARED:=$top_srcdir/../shared}"
SHARED="$MENTIOND_SHARED"
: "${PYTHON3:=$(command -v python3 || true)}"

T=$(mktemp -d "${TMPDIR:-/tmp}/mentiond-test.XXXXXX") || exit 99
# Processes a test started; all are stopped when it exits.
tap_pids=
cleanup() {
	for p in $tap_pids; do kill "$p" 2>/dev/null; done
	for p in $tap_pids; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

# check DESCRIPTION COMMAND...: one test point, passing if COMMAND does.
check() {
	tap_desc=$1
	shift
	if "$@"; then ok "$tap_desc"; else not_ok "$tap_desc"; fi
}

# diag TEXT...: a TAP comment (shown in the test log).
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# start_httpd DOCROOT: the fixture server on 127.0.0.1; sets PORT, HTTPD_PID
# and HTTPLOG (one line per request).
start_httpd() {
	HTTPLOG="$T/http.log"
	rm -f "$T/port"
	"$top_builddir/tests/httpd" -d "$1" -p "$T/port" -l "$HTTPLOG" &
	HTTPD_PID=$!
	tap_pids="$tap_pids $HTTPD_PID"
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$T/port" 2>/dev/null)
	[ -n "$PORT" ] || { echo "Bail out! fixture httpd did not start"; exit 1; }
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on just now.
free_port() {
	if [ -n "$PYTHON3" ]; then
		"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	else
		echo $((20000 + $$ % 30000))
	fi
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds, at most SECONDS.
wait_for() {
	tap_limit=$(( $1 * 10 ))
	shift
	while [ "$tap_limit" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		tap_limit=$((tap_limit - 1))
	done
	return 1
}

have_shared() {
	[ -f "$SHARED/bench/genfeeds.py" ] && [ -n "$PYTHON3" ]
}

# exits CODE COMMAND...: true if COMMAND exits with status CODE.
exits() {
	tap_want=$1
	shift
	"$@" >/dev/null 2>&1
	[ $? -eq "$tap_want" ]
}
