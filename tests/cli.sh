#!/bin/sh
# mentionctl's contract (SPEC "Programs"): exit codes 0/1/2, one-line
# errors naming file:line and key, parse's JSON Lines, check, test-rules,
# and CSV details (header, formula guard).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CONF="$DATA/mentiond.conf"

check "--help exits 0 and lists the commands" \
    sh -c '"$1" --help | grep -q "test-rules"' _ "$MENTIONCTL"
check "--version prints the version" \
    sh -c '"$1" --version | grep -q "^mentionctl [0-9]"' _ "$MENTIONCTL"
check "no command is a usage error (2)" exits 2 "$MENTIONCTL"
check "an unknown command is a usage error (2)" exits 2 "$MENTIONCTL" frobnicate
check "an unknown option is a usage error (2)" exits 2 "$MENTIONCTL" export --nope

"$MENTIONCTL" -c "$CONF" check > "$T/check.out"
check "check on a good config exits 0" [ $? -eq 0 ]
check "check reports the rules it compiled" grep -q "3 rules" "$T/check.out"

# A config error: exit 2, one line, file:line: key.
cat > "$T/bad.conf" <<'CONF'
[mentiond]
database = x.db

[rule "broken"]
kind = term
match = \bfine\b
match = (unclosed
CONF
"$MENTIONCTL" -c "$T/bad.conf" check 2> "$T/bad.err"
check "check exits 2 on a bad pattern" [ $? -eq 2 ]
check "the error names file:line and key, with the PCRE2 offset" \
    grep -q "bad.conf:7: match: .*offset 9" "$T/bad.err"
check "the error is one line" [ "$(wc -l < "$T/bad.err")" -eq 1 ]

# A UTF-8 byte-order mark before the first section is not an error.
printf '\357\273\277[mentiond]\ndatabase = x.db\n' > "$T/bom.conf"
check "a config file starting with a byte-order mark loads" \
    exits 0 "$MENTIONCTL" -c "$T/bom.conf" check

# Numbered back-references break once patterns are combined: refused.
printf '[rule "r"]\nmatch = (a)\\1\nmatch = (b)\\1\n' > "$T/bref.conf"
"$MENTIONCTL" -c "$T/bref.conf" check 2> "$T/bref.err"
check "a numbered back-reference after the first match line is refused" \
    [ $? -eq 2 ]
check "and the error names its line and suggests a named group" \
    grep -q 'bref.conf:3: match: numbered back-references.*named group' "$T/bref.err"

check "a command's --help prints its usage and exits 0" \
    sh -c '"$1" export --help | grep -q "usage: mentionctl export"' _ "$MENTIONCTL"
"$MENTIONCTL" -v -c "$CONF" check > "$T/lits.out"
check "check -v shows the literals each rule is prefiltered on" \
    grep -Eq '^  rule baldoni +baldoni$' "$T/lits.out"

printf '[mentiond]\ntimeout = soon\n' > "$T/dur.conf"
"$MENTIONCTL" -c "$T/dur.conf" check 2> "$T/dur.err"
check "a bad duration is a config error naming file:line: key" \
    grep -q "dur.conf:2: timeout: \"soon\" is not a duration" "$T/dur.err"

printf '[mentiond]\nrules = %s\n' "$T/missing.conf" > "$T/inc.conf"
check "a missing rules file is a config error (2)" \
    exits 2 "$MENTIONCTL" -c "$T/inc.conf" check
check "a missing config file is a config error (2)" \
    exits 2 "$MENTIONCTL" -c "$T/nonexistent.conf" check

# parse: JSON Lines, needs no config or database.
(cd "$T" && "$MENTIONCTL" -c /nonexistent parse \
    "$DATA/polls/people/001.xml") > "$T/people.jsonl"
check "parse needs no config and prints one JSON object per item" \
    cmp -s "$T/people.jsonl" "$DATA/expected-people.jsonl"
"$MENTIONCTL" parse - < "$DATA/polls/people/001.xml" > "$T/stdin.jsonl"
check "parse - reads standard input" \
    cmp -s "$T/stdin.jsonl" "$DATA/expected-people.jsonl"
check "parse of a missing file exits 1" exits 1 "$MENTIONCTL" parse "$T/none.xml"
printf '<html><body>hi</body></html>' > "$T/page.html"
"$MENTIONCTL" parse "$T/page.html" 2> "$T/page.err"
check "parse of a non-feed exits 1" [ $? -eq 1 ]
check "the error names the file and the root element" \
    grep -q "page.html: not an RSS or Atom feed (root element <html>)" "$T/page.err"
check "parse without an argument is a usage error (2)" exits 2 "$MENTIONCTL" parse

# export: usage errors are exit 2 with the option named.
DB="$T/x.db"
"$MENTIONCTL" -q -c "$CONF" --db "$DB" ingest "$DATA/polls"
check "export --bucket year is a usage error (2)" \
    exits 2 "$MENTIONCTL" -c "$CONF" --db "$DB" export --bucket year
"$MENTIONCTL" -c "$CONF" --db "$DB" export --from 13/11/2025 2> "$T/from.err"
check "export --from with a bad date is a usage error (2)" [ $? -eq 2 ]
check "the error names --from" grep -q -- "--from: \"13/11/2025\"" "$T/from.err"
check "export --by nothing is a usage error (2)" \
    exits 2 "$MENTIONCTL" -c "$CONF" --db "$DB" export --by nothing
"$MENTIONCTL" -c "$CONF" --db "$DB" export --rule nosuch 2> "$T/rule.err"
check "export of an unknown rule is a usage error (2)" [ $? -eq 2 ]
check "the error names the rule" grep -q 'unknown rule "nosuch"' "$T/rule.err"
check "export from a missing database is a runtime failure (1)" \
    exits 1 "$MENTIONCTL" -c "$CONF" --db "$T/none.db" export
"$MENTIONCTL" --db "$DB" export > "$T/nocfg.csv" 2>&1
check "export with --db needs no config" [ $? -eq 0 ]
check "export prints the long header first" \
    [ "$(head -n 1 "$T/nocfg.csv")" = "bucket,rule,items,mentions" ]

# The formula guard: a source named "-x" (a legal name) is quoted away.
"$MENTIONCTL" -q -c "$CONF" --db "$DB" ingest --source=-wire \
    "$DATA/polls/people/001.xml"
"$MENTIONCTL" -c "$CONF" --db "$DB" export --per-source --source=-wire \
    > "$T/guard.csv"
check "a cell starting with - is prefixed with ' (formula guard)" \
    grep -q "^2025-11-14T00:00:00Z,'-wire,lively,1,2$" "$T/guard.csv"

# test-rules: where rules match, which exclude vetoed, totals.
"$MENTIONCTL" -c "$CONF" test-rules "$DATA/polls/usweekly/001.xml" \
    > "$T/tune.out"
check "test-rules exits 0 on a feed" [ $? -eq 0 ]
check "test-rules marks a match >>in context<< when not on a terminal" \
    grep -q ">>Blake Lively<< improvised" "$T/tune.out"
check "test-rules names the exclude that vetoed a rule" \
    grep -q 'lively: vetoed by exclude "(?i)\\blively' "$T/tune.out"
check "test-rules prints per-rule totals" \
    grep -Eq '^lively +2 +4 +1$' "$T/tune.out"
printf 'Blake Lively met Justin Baldoni.\n' |
    "$MENTIONCTL" -c "$CONF" test-rules --rule baldoni > "$T/plain.out"
check "test-rules takes plain text on standard input" \
    grep -Eq '^baldoni +1 +1 +0$' "$T/plain.out"
check "test-rules --rule shows only that rule" \
    sh -c '! grep -q "^lively" "$1"' _ "$T/plain.out"
check "test-rules with an unknown --rule is a usage error (2)" \
    exits 2 "$MENTIONCTL" -c "$CONF" test-rules --rule nosuch "$T/page.html"

done_testing
