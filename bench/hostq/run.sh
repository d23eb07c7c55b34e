#!/bin/sh
# run.sh -- time and peak RSS of one hostq lookup against BIND's host.
#
# Usage: sh bench/hostq/run.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]
#        make bench-hostq [BENCH_OUT=docs/BENCHMARKS.md]
#
# -o FILE replaces the section between the bench-hostq markers of FILE.
#
# Both tools ask the same dnsmasq on 127.0.0.1:BENCH_PORT, once with -t A and
# once with the default lookup (A, AAAA and MX).  Each command runs
# BENCH_RUNS times (200) under hyperfine, or in a timed loop when hyperfine
# is missing, and the report shows the median wall time; peak RSS is the
# largest maximum resident set size of BENCH_RSS_RUNS (20) runs under
# /usr/bin/time.  The lookup tools run on CPU 0 and dnsmasq on CPU 1.
# BENCH_HYPERFINE=0 times with the loop even when hyperfine is installed.
# Before timing, the outputs of hostq and host are compared.

set -u

OUT=""
while getopts o: opt; do
	case $opt in
	o)	OUT=$OPTARG ;;
	*)	echo "usage: sh bench/hostq/run.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
O=${1:-build}
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
NCPU=$(nproc)
HOSTQ=${HOSTQ:-$O/hostq}
PORT=${BENCH_PORT:-15365}
RUNS=${BENCH_RUNS:-200}
RSS_RUNS=${BENCH_RSS_RUNS:-20}
NAME=node1.bench.test
CLIENT_CPU=0
SERVER_CPU=1
BENCH_TAG=bench-hostq
. "$(dirname "$0")/../lib.sh"

need dnsmasq dnsmasq
need host bind9-host
need taskset util-linux
need flock util-linux
need ss iproute2
[ -x /usr/bin/time ] || need /usr/bin/time time
HYPERFINE=${BENCH_HYPERFINE:-1}
if [ "$HYPERFINE" = 1 ] && ! command -v hyperfine >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] && apt-get install -y -q hyperfine >/dev/null 2>&1
	command -v hyperfine >/dev/null 2>&1 || HYPERFINE=0
	[ "$HYPERFINE" = 1 ] ||
	    echo "bench-hostq: hyperfine not found; timing with a shell loop" >&2
fi
[ -x "$HOSTQ" ] || die "$HOSTQ not found; run make first"
# The timing loop and /usr/bin/time run their commands on the client CPU.
taskset -p -c $CLIENT_CPU $$ >/dev/null

# Two runs on the same port would share one dnsmasq's answers and timing,
# so a run waits for the one before it.
LOCK=/tmp/edgebox-bench-hostq.$PORT.lock
exec 9>"$LOCK"
if ! flock -n 9; then
	echo "bench-hostq: waiting for the other run that holds $LOCK" >&2
	flock -w 1800 9 || die "another run still holds $LOCK after 30 minutes"
fi
[ -z "$(ss -Hlun "sport = :$PORT" 2>/dev/null)" ] ||
    die "UDP port $PORT on this machine is in use; set BENCH_PORT to another port"

WORK=$(mktemp -d /tmp/edgebox-bench-hostq.XXXXXX) || die "mktemp failed"
chmod 755 "$WORK"
DNSMASQ_PID=""

cleanup()
{
	if [ -n "$DNSMASQ_PID" ]; then
		kill "$DNSMASQ_PID" 2>/dev/null
		wait "$DNSMASQ_PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 198.18.0.0/15 and 2001:db8::/32 are benchmark and documentation ranges;
# nothing is sent to them.
cat >"$WORK/hosts" <<EOF
198.18.0.1 $NAME
2001:db8::1 $NAME
EOF
chmod 644 "$WORK/hosts"

taskset -c $SERVER_CPU dnsmasq -k -C /dev/null --port="$PORT" \
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --addn-hosts="$WORK/hosts" --mx-host="$NAME,$NAME,10" \
    --pid-file="$WORK/dnsmasq.pid" --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
tries=25
until host -W 1 -p "$PORT" -t A "$NAME" 127.0.0.1 >/dev/null 2>&1; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || die "dnsmasq on 127.0.0.1:$PORT does not respond: $(cat "$WORK/dnsmasq.log")"
	sleep 0.2
done

# median_ms FILE: the median of the numbers in FILE (nanoseconds), in ms.
median_ms()
{
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f", m / 1e6 }'
}

# loop_ns OUTPUT COMMAND...: the wall time of RUNS runs of COMMAND, in ns,
# one a line.  The caller pins the shell to the client CPU.
loop_ns()
{
	out=$1
	shift
	i=0
	: >"$out"
	while [ $i -lt "$RUNS" ]; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $((t1 - t0)) >>"$out"
		i=$((i + 1))
	done
}

# wall_ms LABEL COMMAND...: median wall time of COMMAND in milliseconds.
# Without hyperfine, the median of a loop around `true` (the cost of the
# date calls) is taken off, so the result is an estimate.
wall_ms()
{
	label=$1
	shift
	if [ "$HYPERFINE" = 1 ]; then
		taskset -c $CLIENT_CPU hyperfine -N -w 10 -r "$RUNS" \
		    --export-json "$WORK/$label.json" "$*" >/dev/null 2>"$WORK/$label.err" ||
		    { echo "-"; return; }
		# hyperfine's JSON "times" lists every run in seconds.
		tr -d ' \n' <"$WORK/$label.json" | sed 's/.*"times":\[\([^]]*\)\].*/\1/' |
		    tr ',' '\n' | awk '{ printf "%.0f\n", $1 * 1e9 }' >"$WORK/$label.ns"
		median_ms "$WORK/$label.ns"
		return
	fi
	[ -f "$WORK/baseline.ns" ] || loop_ns "$WORK/baseline.ns" true
	loop_ns "$WORK/$label.ns" "$@"
	awk -v m="$(median_ms "$WORK/$label.ns")" -v b="$(median_ms "$WORK/baseline.ns")" \
	    'BEGIN { printf "%.3f", m - b }'
}

# peak_kib COMMAND...: the largest maximum RSS of RSS_RUNS runs, in KiB.
peak_kib()
{
	i=0
	: >"$WORK/rss"
	while [ $i -lt "$RSS_RUNS" ]; do
		taskset -c $CLIENT_CPU /usr/bin/time -f %M -a -o "$WORK/rss" "$@" >/dev/null 2>&1
		i=$((i + 1))
	done
	grep -E '^[0-9]+$' "$WORK/rss" | sort -n | tail -n 1
}

report()
{
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $NCPU CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "- load average (1, 5, 15 min) from other work on the machine: $LOAD_START at the start"
	echo "- edgebox: $(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo unknown), $HOSTQ"
	echo "- peers: host $(host -V 2>&1 | sed 's/^host //'), $(dnsmasq --version | head -n 1 | cut -d' ' -f1-3) on 127.0.0.1:$PORT"
	echo "- command: \`sh bench/hostq/run.sh $O\`; median wall time of $RUNS runs" \
	    "($([ "$HYPERFINE" = 1 ] && hyperfine --version || echo "a date +%s%N loop")), peak RSS" \
	    "from /usr/bin/time -f %M over $RSS_RUNS runs; lookups on CPU $CLIENT_CPU, dnsmasq on CPU $SERVER_CPU"
	echo
	echo "| lookup | hostq median (ms) | host median (ms) | host / hostq | hostq peak RSS (KiB) | host peak RSS (KiB) | same output |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"

	: >"$WORK/targets"
	for lookup in A default; do
		if [ $lookup = A ]; then
			args="-p $PORT -t A $NAME 127.0.0.1"
		else
			args="-p $PORT $NAME 127.0.0.1"
		fi
		# shellcheck disable=SC2086
		"$HOSTQ" $args >"$WORK/hostq.out" 2>&1
		# shellcheck disable=SC2086
		host $args >"$WORK/host.out" 2>&1
		if cmp -s "$WORK/hostq.out" "$WORK/host.out"; then
			same=yes
		else
			same=no
			echo "bench-hostq: hostq $args differs from host:" >&2
			diff "$WORK/host.out" "$WORK/hostq.out" >&2
		fi
		# shellcheck disable=SC2086
		hostq_ms=$(wall_ms hostq-$lookup "$HOSTQ" $args)
		# shellcheck disable=SC2086
		host_ms=$(wall_ms host-$lookup host $args)
		# shellcheck disable=SC2086
		hostq_kib=$(peak_kib "$HOSTQ" $args)
		# shellcheck disable=SC2086
		host_kib=$(peak_kib host $args)
		speedup=$(ratio "$host_ms" "$hostq_ms" 1)
		echo "| \`hostq $args\` | $hostq_ms | $host_ms | $speedup | $hostq_kib | $host_kib | $same |"
		{
			echo "| hostq median wall time (ms) | $lookup | $hostq_ms | <= 1 | $(verdict "$hostq_ms" '<=' 1) |"
			echo "| host median / hostq median | $lookup | $speedup | >= 20 | $(verdict "$speedup" '>=' 20) |"
			echo "| hostq peak RSS (KiB) | $lookup | $hostq_kib | <= 1024 | $(verdict "$hostq_kib" '<=' 1024) |"
		} >>"$WORK/targets"
	done
	echo
	echo "| target | lookup | value | target | result |"
	echo "| --- | --- | ---: | --- | --- |"
	cat "$WORK/targets"
}

report >"$WORK/report"
printf '## %s\n\n' "Lookup tool: hostq against host"
cat "$WORK/report"
if [ -n "$OUT" ]; then
	record "$OUT" '<!-- bench-hostq:begin -->' '<!-- bench-hostq:end -->' "Lookup tool: hostq against host" "$WORK/report"
	echo "bench-hostq: recorded in $OUT" >&2
fi
