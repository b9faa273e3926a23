#!/bin/bash
# Run the whole test suite: configure (warnings are errors), build, `meson test`, then
# the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with one line "N passed, N failed, N skipped"; exits non-zero on any failure.
#   tests/run-all.sh            both builds (build/ and build-asan/)
#   tests/run-all.sh --quick    the plain build only
set -u
cd "$(dirname "$0")/.."
builds=(build)
[ "${1:-}" = "--quick" ] || builds+=(build-asan)
logs=()
status=0
for b in "${builds[@]}"; do
	# tests=enabled: a missing Check is a configure error, not a silently smaller suite;
	# an existing build dir is reconfigured, so one set up before Check was installed
	# (the README's first command) gets the whole suite too.
	opts=(-Dwerror=true -Dtests=enabled)
	[ "$b" = build-asan ] && opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
	setup=(meson setup)
	[ -f "$b/build.ninja" ] && setup+=(--reconfigure)
	if ! "${setup[@]}" "$b" "${opts[@]}"; then
		echo "tests/run-all.sh: configuring $b failed: are the packages of .ci/packages" \
		     "installed (Check above all)?"
		echo "0 passed, 1 failed"
		exit 1
	fi
	if ! meson compile -C "$b"; then
		echo "build failed in $b"
		echo "0 passed, 1 failed"
		exit 1
	fi
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$b" --print-errorlogs --num-processes 2 || status=1
	logs+=("$b/meson-logs/testlog.json")
done
/usr/bin/python3 tests/scripts/summarize.py "${logs[@]}" || status=1
exit $status
