#!/bin/sh
# make install into a DESTDIR: every file where a Debian admin looks for it,
# an edited config never overwritten, the installed unit verifies, the man
# pages render without warnings, and uninstall leaves only what was edited.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

D="$T/dest"
MAKE=${MAKE:-make}
"$MAKE" -s -C "$top_builddir" install DESTDIR="$D" > "$T/install.log" 2>&1
check "make install DESTDIR=... succeeds" [ $? -eq 0 ]

# The installed files, by the last parts of their paths.
( cd "$D" && find . -type f | sort ) > "$T/files"
has() { grep -q "$1\$" "$T/files"; }
for f in /sbin/mentiond /bin/mentionctl \
    /mentiond/mentiond.conf /mentiond/rules.d/narrative.conf \
    /mentiond/sources.d/entertainment.conf /mentiond/sources.d/search.conf \
    /systemd/system/mentiond.service /sysusers.d/mentiond.conf \
    /man8/mentiond.8 /man5/mentiond.conf.5 /man1/mentionctl.1 \
    /doc/mentiond/README.md /doc/mentiond/rules-tuning.md \
    /doc/mentiond/operations.md; do
	check "installs ...$f" has "$f"
done
check "installs nothing else" [ "$(wc -l < "$T/files")" -eq 14 ]
diag "$(cat "$T/files")"

CONF=$(cd "$D" && find "$D" -path '*/mentiond/mentiond.conf')
check "the installed configuration passes --check-config" \
    exits 0 "$MENTIOND" --check-config -c "$CONF"
check "the installed configuration names the state directory's database" \
    grep -q '^database = .*/lib/mentiond/mentiond.db$' "$CONF"

# An edited configuration survives a reinstall.
echo "# edited by the administrator" >> "$CONF"
cp "$CONF" "$T/edited"
"$MAKE" -s -C "$top_builddir" install DESTDIR="$D" > "$T/install2.log" 2>&1
check "a reinstall keeps an edited mentiond.conf" cmp -s "$CONF" "$T/edited"
check "and puts the new default beside it as .dist" test -f "$CONF.dist"
check "and says so" grep -q "keeping your .*mentiond.conf" "$T/install2.log"

# The installed unit verifies (paths pointed into the DESTDIR).
UNIT=$(find "$D" -name mentiond.service)
if command -v systemd-analyze >/dev/null 2>&1; then
	SBIN=$(dirname "$(find "$D" -path '*/sbin/mentiond')")
	ETC=$(dirname "$(dirname "$CONF")")
	sed -e "s|[^ =]*/sbin/mentiond|$SBIN/mentiond|g" \
	    -e "s|-c [^ ]*/mentiond/mentiond.conf|-c $CONF|" \
	    "$UNIT" > "$T/mentiond.service"
	MANPATH=$(dirname "$(dirname "$(find "$D" -name mentiond.8)")") \
	    systemd-analyze verify "$T/mentiond.service" > "$T/verify.log" 2>&1
	check "systemd-analyze verify accepts the installed unit" [ $? -eq 0 ]
	diag "$(cat "$T/verify.log")"
else
	skip "systemd-analyze verify accepts the installed unit" \
	    "systemd-analyze not installed"
fi

# Man pages render without a warning.
if command -v groff >/dev/null 2>&1; then
	for m in $(find "$D" -name '*.[158]'); do
		groff -ww -man -Tutf8 -z "$m" > "$T/groff.log" 2>&1
		check "$(basename "$m") renders without groff warnings" \
		    [ ! -s "$T/groff.log" ]
		diag "$(cat "$T/groff.log")"
	done
	check "man -l renders mentiond.8" \
	    sh -c 'man -l "$1" 2>/dev/null | grep -q "mentiond"' _ \
	    "$(find "$D" -name mentiond.8)"
else
	skip "man pages render" "groff not installed"
fi

"$MAKE" -s -C "$top_builddir" uninstall DESTDIR="$D" > /dev/null 2>&1
( cd "$D" && find . -type f | sort ) > "$T/left"
check "uninstall removes everything but the edited configuration" \
    [ "$(cat "$T/left")" = "./$(echo "$CONF" | sed "s|^$D/||")" ]
diag "left: $(cat "$T/left")"

done_testing
