# lib.sh -- sourced by the benchmarks: messages, processes, results and the
# report writer they share.  Set BENCH_TAG (the prefix of messages) first.
# cleanup stops the PIDS a script started and removes WORK unless KEEP=1.

die()
{
	echo "$BENCH_TAG: $*" >&2
	exit 1
}

# need COMMAND PACKAGE: install a missing Debian package when running as
# root, else stop.
need()
{
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "$BENCH_TAG: installing $2 for $1" >&2
		apt-get install -y -q "$2" >/dev/null 2>&1
	fi
	command -v "$1" >/dev/null 2>&1 || die "$1 not found; install the Debian package $2"
}

# port_free PORT: true when nothing listens on UDP PORT.
port_free()
{
	[ -z "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]
}

# wait_lock FILE: take the lock FILE on descriptor 9, waiting up to 30
# minutes for a run that has it, because two runs on the same ports would
# receive each other's replies.
wait_lock()
{
	exec 9>"$1"
	if ! flock -n 9; then
		echo "$BENCH_TAG: waiting for the lock $1 of another run" >&2
		flock -w 1800 9 || die "timed out after 30 minutes waiting for the lock $1; stop the other run or remove the file"
	fi
}

cleanup()
{
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	[ -n "${WORK:-}" ] || return 0
	if [ "${KEEP:-0}" = 1 ]; then
		echo "$BENCH_TAG: logs kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}

# cpu_ticks PID: user+sys CPU time of PID in clock ticks.
cpu_ticks()
{
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# status_kib PID FIELD: FIELD (VmHWM, VmRSS) of PID in KiB.
status_kib()
{
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# alive PID: true while PID runs (an exited child stays a zombie until waited for).
alive()
{
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# stop PID: SIGTERM, then SIGKILL after 5 seconds; PID leaves PIDS.
stop()
{
	kill "$1" 2>/dev/null
	tries=25
	while alive "$1" && [ $tries -gt 0 ]; do
		sleep 0.2
		tries=$((tries - 1))
	done
	alive "$1" && kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# set_result NAME VALUE: store a result (as the variable R_NAME).
set_result()
{
	eval "R_$1=\$2"
}

# get_result NAME [DEFAULT]
get_result()
{
	eval "echo \"\${R_$1:-\${2:-}}\""
}

# median NAME: the median of NAME_1 .. NAME_ROUNDS ("-" when none is set).
median()
{
	r=1
	while [ $r -le "$ROUNDS" ]; do
		get_result "$1_$r"
		r=$((r + 1))
	done | grep -v '^-*$' | sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-"
		else if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# callgrind_total FILE: wait up to 20 s for the callgrind dump FILE and
# print its total instruction count (0 when it does not come).
callgrind_total()
{
	tries=100
	while [ $tries -gt 0 ]; do
		if [ -f "$1" ] && grep -q '^totals:' "$1"; then
			awk '/^totals:/ { print $2 }' "$1"
			return 0
		fi
		sleep 0.2
		tries=$((tries - 1))
	done
	echo 0
}

# ratio A B [DECIMALS]: A / B with DECIMALS (2) digits, "-" when either is
# missing.
ratio()
{
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.*f", d, a / b
		else print "-" }'
}

# verdict VALUE OP LIMIT: "met" or "missed" ("not measured" without a value).
verdict()
{
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v == "" || v == "-") { print "not measured"; exit }
		ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0)
		print ok ? "met" : "missed"
	}'
}

# record FILE BEGIN END TITLE REPORT: replace the lines between the markers
# BEGIN and END of FILE with REPORT, adding a section TITLE when missing.
record()
{
	[ -f "$1" ] || printf '# Benchmarks\n' >"$1"
	if ! grep -qx "$2" "$1"; then
		printf '\n## %s\n\n%s\n%s\n' "$4" "$2" "$3" >>"$1"
	fi
	awk -v begin="$2" -v end="$3" -v report="$5" '
		$0 == begin { print; while ((getline line < report) > 0) print line; skip = 1; next }
		$0 == end { skip = 0 }
		!skip { print }' "$1" >"$1.new" && mv "$1.new" "$1"
}
