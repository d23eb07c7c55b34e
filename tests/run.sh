#!/bin/sh
# Run the unit tests and the end-to-end tests, then print one summary line.
# Usage: tests/run.sh BUILD_DIR    (RUN=qemu-... runs the unit tests under an emulator;
# E2E_ONLY=1 skips the unit tests; UNIT_ONLY=1 skips the end-to-end tests)
#
# Unit tests are cmocka programs; each test case counts once.  An end-to-end
# script prints "PASS: what" or "FAIL: what" for each check and exits 0, or
# 77 when it cannot run here (skipped), or another status on failure.
O=${1:-build}
passed=0
failed=0
skipped=0
failures=""
out=$(mktemp)
summary=$(mktemp)
reports=$(mktemp -d)
trap 'rm -f "$out" "$summary"; rm -rf "$reports"' EXIT

# In a sanitizer build, every report goes to a file in $reports, so a report
# from a daemon whose exit status no test reads still fails the run.  Daemons
# that switched to nobody write there as well.
if [ "$SANITIZE" = 1 ]; then
	chmod 1777 "$reports"
	export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
fi

# collect_reports TEST: count each sanitizer report that TEST left as a
# failure, print its first lines and remove it.
collect_reports() {
	for _r in "$reports"/*; do
		[ -f "$_r" ] || continue
		failed=$((failed + 1))
		echo "$1: sanitizer report $(basename "$_r"):" | tee -a "$summary"
		head -n 20 "$_r" | sed 's/^/    /' | tee -a "$summary"
		rm -f "$_r"
		case " $failures " in
		*" $1 "*) ;;
		*) failures="$failures $1" ;;
		esac
	done
}

if [ -z "$E2E_ONLY" ]; then
	for t in "$O"/tests/test_*; do
		[ -x "$t" ] || continue
		# EDGEBOX_EMULATOR names the emulator to the test (qemu-user does
		# not pass every socket option on, kernel timestamps among them).
		EDGEBOX_EMULATOR="$RUN" CMOCKA_MESSAGE_OUTPUT=stdout $RUN "$t" >"$out" 2>&1
		rc=$?
		cat "$out"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-0}))
		grep -E '^\[  (FAILED|ERROR) +\]' "$out" |
		    sed "s|^|$(basename "$t"): |" >>"$summary"
		if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
			# It crashed or exited before cmocka's summary.
			failed=$((failed + 1))
			failures="$failures $(basename "$t")"
		elif [ -n "$f" ] && [ "$f" -gt 0 ]; then
			failures="$failures $(basename "$t")"
		fi
		collect_reports "$(basename "$t")"
	done
fi

if [ -z "$UNIT_ONLY" ]; then
	for t in tests/e2e/[0-9]*.sh; do
		[ -f "$t" ] || continue
		echo "=== $t"
		BUILD="$O" sh "$t" >"$out" 2>&1
		rc=$?
		cat "$out"
		p=$(grep -c '^PASS: ' "$out")
		f=$(grep -c '^FAIL: ' "$out")
		passed=$((passed + p))
		failed=$((failed + f))
		# Keep each FAIL line and the first lines of its detail, so the
		# end of a long log still shows what failed.
		awk -v t="$t" '/^FAIL: / { print t ": " $0; n = 12; next }
		    n > 0 && /^    / { print; n--; next } { n = 0 }' "$out" >>"$summary"
		if [ "$rc" -eq 77 ]; then
			skipped=$((skipped + 1))
			echo "SKIP: $t"
		elif [ "$rc" -ne 0 ]; then
			[ "$f" -gt 0 ] || failed=$((failed + 1))
			failures="$failures $t"
		fi
		collect_reports "$t"
	done
fi

if [ -s "$summary" ]; then
	echo "=== failed checks"
	cat "$summary"
fi
[ -z "$failures" ] || echo "failed:$failures"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
