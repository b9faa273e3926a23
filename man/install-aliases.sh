#!/bin/sh
# Install a one-line page per function (".so man3/PAGE.3") so that `man FUNCTION` finds
# the page that documents it: every netshare_* name in a section 3 page's SYNOPSIS.
#   install-aliases.sh MAN_SOURCE_DIR MANDIR   (run by meson install; honours DESTDIR)
set -eu
src=$1 dest=${DESTDIR:-}$2/man3
mkdir -p "$dest"
for page in "$src"/*.3; do
	base=$(basename "$page" .3)
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$page" | grep -o 'netshare_[a-z0-9_]*(' |
		tr -d '(' | sort -u | while read -r fn; do
		[ "$fn" = "$base" ] && continue
		printf '.so man3/%s.3\n' "$base" >"$dest/$fn.3"
	done
done
