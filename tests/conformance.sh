#!/bin/sh
# Feed-parser conformance: mentionctl parse against Universal Feed Parser's
# test suite, read in place from ../shared/corpus/feedparser (never copied
# here).  tests/conformance.py does the work and speaks TAP; accepted
# differences are in tests/known-differences.txt.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CORPUS="$SHARED/corpus/feedparser"

[ -n "$PYTHON3" ] || skip_all "python3 not found (PYTHON3 is empty)"
[ -f "$CORPUS/derived/expectations.jsonl" ] ||
    skip_all "feedparser corpus not found at $CORPUS (set MENTIOND_SHARED)"
if [ ! -x "$MENTIONCTL" ]; then
	echo "Bail out! $MENTIONCTL is not built"
	exit 1
fi

rm -rf "$T"	# exec drops lib.sh's EXIT trap; the runner needs no scratch
exec "$PYTHON3" "$top_srcdir/tests/conformance.py" "$MENTIONCTL" \
    "$CORPUS" "$top_srcdir/tests/known-differences.txt"
