#!/bin/sh
# run.sh -- ntpd against chronyd -x and a minimal NTP server, one core each, on loopback.
#
# Usage: sh bench/ntp/run.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]
#        make bench-ntp [BENCH_OUT=docs/BENCHMARKS.md]
#
# -o FILE replaces the section between the bench-ntp markers of FILE.
#
# Each server in turn runs on CPU 1 and serves 127.0.0.1:PORT from a local
# reference at stratum 3 with no sources.  ntpload (bench/ntp/ntpload.c) on
# CPU 0 keeps INFLIGHT mode 3 requests in flight for BENCH_SECONDS.
#   ceiling  bench/ntp/ceiling.c: recvmmsg/sendmmsg, a minimal valid reply
#   chronyd  chronyd -x -d -f CONF: local stratum 3, allow 127.0.0.1, port,
#            cmdport 0, its own socket, pid and drift files in the work folder
#   ntpd     ntpd -x -d with the same directives as arguments
# Neither chronyd nor ntpd rate-limits without a ratelimit line, and neither
# config has one.  For each server it prints replies per second, lost
# requests, the average latency, the server's CPU time (user+sys from
# /proc/PID/stat) per reply, its RSS (VmHWM and VmRSS) after the load, and
# the instructions per reply under callgrind: zeroed before and dumped after
# a run of a fixed number of requests at low concurrency.  Then the ratios
# of ntpd to the ceiling and to chronyd, against their targets.
#
# Environment: BENCH_SECONDS (5) per load run, BENCH_ROUNDS (3) server
# starts each (0 for callgrind only), BENCH_PORT (11123), BENCH_INFLIGHT
# (64), BENCH_SERVERS ("ceiling chronyd ntpd"), BENCH_CG_REQUESTS (20000)
# and BENCH_CG_INFLIGHT (4) for callgrind, BENCH_CALLGRIND=0 to skip
# callgrind, BENCH_KEEP=1 to keep the work folder with the logs and the
# callgrind dumps, and NTPD (BUILD_DIR/ntpd).  Every load run is bounded by
# its duration or request count, and every process started here is stopped
# by its PID on exit.  chronyd needs root to start; it runs with "user root"
# so that it stays reachable for callgrind_control.

set -u

OUT=""
while getopts o: opt; do
	case $opt in
	o)	OUT=$OPTARG ;;
	*)	echo "usage: sh bench/ntp/run.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
O=${1:-build}
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
NCPU=$(nproc)
NTPD=${NTPD:-$O/ntpd}
PORT=${BENCH_PORT:-11123}
DURATION=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
INFLIGHT=${BENCH_INFLIGHT:-64}
SERVERS=${BENCH_SERVERS:-ceiling chronyd ntpd}
CALLGRIND=${BENCH_CALLGRIND:-1}
CG_REQUESTS=${BENCH_CG_REQUESTS:-20000}
CG_INFLIGHT=${BENCH_CG_INFLIGHT:-4}
LOSS_TIMEOUT_MS=1000
CG_TIMEOUT_MS=5000
SERVER_CPU=1
CLIENT_CPU=0
HERE=$(dirname "$0")
BENCH_TAG=bench-ntp
KEEP=${BENCH_KEEP:-0}
. "$HERE/../lib.sh"

need taskset util-linux
need flock util-linux
need ss iproute2
need cc gcc
need chronyd chrony
[ "$CALLGRIND" = 0 ] || need valgrind valgrind
[ "$CALLGRIND" = 0 ] || need callgrind_control valgrind
[ "$NCPU" -ge 2 ] || die "needs 2 CPUs (server on CPU $SERVER_CPU, ntpload on CPU $CLIENT_CPU)"
[ "$(id -u)" = 0 ] || die "run as root: chronyd does not start otherwise"
case $PORT in
*[!0-9]*|"") die "invalid BENCH_PORT \"$PORT\"; expected a port number below 32768" ;;
esac
if [ "$PORT" -lt 1 ] || [ "$PORT" -ge 32768 ]; then
	die "invalid BENCH_PORT \"$PORT\"; expected 1-32767, below the ephemeral ports"
fi

wait_lock /tmp/edgebox-bench-ntp.$PORT.lock

port_free "$PORT" || die "UDP port $PORT on this machine is in use; set BENCH_PORT to another port"

WORK=$(mktemp -d /tmp/edgebox-bench-ntp.XXXXXX) || die "mktemp failed"
mkdir -m 700 "$WORK/run"
PIDS=""

trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$O/bench"
LOADGEN="$O/bench/ntpload"
CEILING="$O/bench/ntp-ceiling"
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$LOADGEN" "$HERE/ntpload.c" ||
    die "cannot build $HERE/ntpload.c"
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$CEILING" "$HERE/ceiling.c" ||
    die "cannot build $HERE/ceiling.c"

cat >"$WORK/chronyd.conf" <<EOF
local stratum 3
allow 127.0.0.1
bindaddress 127.0.0.1
port $PORT
cmdport 0
bindcmdaddress $WORK/run/chronyd.sock
pidfile $WORK/run/chronyd.pid
driftfile $WORK/run/chronyd.drift
user root
EOF

# --- Process helpers -------------------------------------------------------

# Print user+sys CPU time of PID in clock ticks.
# exec_server NAME PREFIX...: replace this shell with server NAME, run
# through PREFIX (taskset, valgrind).  Called in a background subshell, so
# that $! is the server's PID.
exec_server()
{
	name=$1
	shift
	case $name in
	ceiling)
		exec "$@" "$CEILING" 127.0.0.1 "$PORT" ;;
	chronyd)
		exec "$@" chronyd -x -d -f "$WORK/chronyd.conf" ;;
	ntpd)
		exec "$@" "$NTPD" -x -d "local stratum 3" "allow 127.0.0.1" \
		    "bindaddress 127.0.0.1" "port $PORT" \
		    "bindcmdaddress $WORK/run/ntpd.sock" "pidfile $WORK/run/ntpd.pid" ;;
	esac
}

# start NAME LOG TIMEOUT_SECONDS PREFIX...: run server NAME on the server CPU
# and wait until it replies; sets SERVER_PID.
start()
{
	sname=$1 log=$2 timeout=$3
	shift 3
	if ! port_free "$PORT"; then
		echo "bench-ntp: UDP port $PORT is in use, so $sname cannot start" >&2
		return 1
	fi
	exec_server "$sname" taskset -c $SERVER_CPU "$@" >"$log" 2>&1 &
	SERVER_PID=$!
	PIDS="$PIDS $SERVER_PID"
	if ! "$LOADGEN" -w "$timeout" 127.0.0.1 "$PORT" 2>>"$WORK/ntpload.err"; then
		echo "bench-ntp: $sname did not reply on 127.0.0.1:$PORT within $timeout s; its output:" >&2
		sed 's/^/  /' "$log" >&2
		stop "$SERVER_PID"
		return 1
	fi
	return 0
}

# load_field OUTPUT KEY: print the value of KEY= in ntpload's OUTPUT (0 when missing).
load_field()
{
	v=$(sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" "$1")
	echo "${v:-0}"
}

# load OUTPUT NTPLOAD_ARGS...: run ntpload on the client CPU and parse its
# line into L_sent, L_replies, L_lost, L_invalid, L_rate and L_latency.
load()
{
	out=$1
	shift
	taskset -c $CLIENT_CPU "$LOADGEN" "$@" 127.0.0.1 "$PORT" >"$out" 2>&1
	L_sent=$(load_field "$out" sent)
	L_replies=$(load_field "$out" replies)
	L_lost=$(load_field "$out" lost)
	L_invalid=$(load_field "$out" invalid)
	L_rate=$(load_field "$out" replies_per_s)
	L_latency=$(load_field "$out" avg_latency_us)
	if [ "$L_sent" = 0 ]; then
		echo "bench-ntp: ntpload failed: $(cat "$out")" >&2
		return 1
	fi
	return 0
}

# max_result NAME VALUE: keep the larger of VALUE and the stored one.
max_result()
{
	[ -n "$2" ] && [ "$2" -gt "$(get_result "$1" 0)" ] && set_result "$1" "$2"
	return 0
}

# --- Measurements ----------------------------------------------------------

# throughput NAME ROUND: replies per second, loss, CPU per reply and RSS of
# one server start; results end in _ROUND.
throughput()
{
	name=$1 round=$2
	start "$name" "$WORK/$name.log" 10 || return 1
	pid=$SERVER_PID
	t0=$(cpu_ticks "$pid")
	load "$WORK/$name.load.$round" -c "$INFLIGHT" -t "$DURATION" -T "$LOSS_TIMEOUT_MS" || {
		stop "$pid"
		return 1
	}
	t1=$(cpu_ticks "$pid" 2>/dev/null) || t1=$t0
	set_result "${name}_rate_$round" "$L_rate"
	set_result "${name}_latency_$round" "$L_latency"
	set_result "${name}_replies_$round" "$L_replies"
	set_result "${name}_lost_$round" "$L_lost"
	[ "$L_invalid" = 0 ] || set_result "${name}_invalid" "$L_invalid"
	# microseconds of CPU per reply
	set_result "${name}_cpu_$round" "$(awk -v t=$((t1 - t0)) -v hz="$HZ" \
	    -v n="$L_replies" 'BEGIN { if (n > 0) printf "%.3f", t / hz * 1e6 / n; else print "-" }')"
	if alive "$pid"; then
		max_result "${name}_hwm" "$(status_kib "$pid" VmHWM)"
		max_result "${name}_rss" "$(status_kib "$pid" VmRSS)"
	else
		set_result "${name}_crashed" 1
		echo "bench-ntp: $name died under load; its output:" >&2
		tail -n 20 "$WORK/$name.log" >&2
	fi
	stop "$pid"
	return 0
}

# instructions NAME: instructions per reply under callgrind, counted between
# a zero and a dump around a run of CG_REQUESTS requests.
instructions()
{
	name=$1
	start "$name" "$WORK/$name.cg.log" 60 valgrind -q --tool=callgrind \
	    --compress-strings=no --callgrind-out-file="$WORK/run/callgrind.$name.%p" || return 1
	pid=$SERVER_PID
	# The first requests of a client take paths that later ones do not.
	load "$WORK/$name.cg.warm" -c "$CG_INFLIGHT" -n 100 -t 120 -T "$CG_TIMEOUT_MS"
	timeout 30 callgrind_control -z "$pid" >/dev/null 2>&1
	load "$WORK/$name.cg.load" -c "$CG_INFLIGHT" -n "$CG_REQUESTS" -t 600 -T "$CG_TIMEOUT_MS"
	timeout 30 callgrind_control -d "$pid" >/dev/null 2>&1
	total=$(callgrind_total "$WORK/run/callgrind.$name.$pid.1")
	set_result "${name}_cg_replies" "$L_replies"
	set_result "${name}_cg_lost" "$L_lost"
	set_result "${name}_ir" "$(awk -v t="$total" -v n="$L_replies" \
	    'BEGIN { if (n > 0 && t > 0) printf "%.0f", t / n; else print "-" }')"
	[ "$name" = ntpd ] && NTPD_DUMP="$WORK/run/callgrind.$name.$pid.1"
	stop "$pid"
}

HZ=$(getconf CLK_TCK)
NTPD_DUMP=""

ACTIVE=""
for s in $SERVERS; do
	case $s in
	ceiling|chronyd|ntpd) ;;
	*) die "unknown server \"$s\" in BENCH_SERVERS; expected ceiling, chronyd or ntpd" ;;
	esac
	if [ "$s" = ntpd ] && [ ! -x "$NTPD" ]; then
		echo "bench-ntp: $NTPD not found; run make first" >&2
		continue
	fi
	ACTIVE="$ACTIVE $s"
done

# add_measured SERVER: list SERVER in the report, once.
add_measured()
{
	case " $MEASURED " in
	*" $1 "*) ;;
	*) MEASURED="$MEASURED $1" ;;
	esac
}

# Rounds take turns between the servers, so that load from other programs
# on this machine spreads over all of them; the report shows medians.
MEASURED=""
round=1
while [ $round -le "$ROUNDS" ]; do
	for s in $ACTIVE; do
		echo "bench-ntp: round $round of $ROUNDS: $s, $DURATION s" >&2
		throughput "$s" $round && add_measured "$s"
	done
	round=$((round + 1))
done
if [ "$CALLGRIND" != 0 ]; then
	for s in $ACTIVE; do
		echo "bench-ntp: counting instructions of $s under callgrind, $CG_REQUESTS requests" >&2
		instructions "$s" && add_measured "$s"
	done
fi

# --- Report ----------------------------------------------------------------

# Print the functions with the largest self cost in ntpd's callgrind dump.
ntpd_profile()
{
	[ -n "$NTPD_DUMP" ] && [ -f "$NTPD_DUMP" ] || return 0
	command -v callgrind_annotate >/dev/null 2>&1 || return 0
	echo
	echo "ntpd's instructions by function (callgrind self cost, the 10 largest):"
	echo
	echo "| share | instructions per reply | function |"
	echo "| ---: | ---: | --- |"
	# Functions on the stack at the zeroing show the whole total as their
	# own cost, so rows at the total are skipped.
	callgrind_annotate --inclusive=no --threshold=100 "$NTPD_DUMP" 2>/dev/null |
	    awk -v n="$(get_result ntpd_cg_replies 0)" '
		/PROGRAM TOTALS/ { total = $1; next }
		$1 ~ /^[0-9,]+$/ && $1 != total && match($0, /\( *[0-9.]+%\)/) {
			share = substr($0, RSTART + 1, RLENGTH - 2); sub(/^ */, "", share)
			ir = $1; gsub(",", "", ir)
			fn = substr($0, RSTART + RLENGTH); sub(/^ */, "", fn)
			sub(/ \[.*$/, "", fn); sub(/^.*:/, "", fn)
			if (n > 0 && rows < 10) {
				printf "| %s | %.0f | `%s` |\n", share, ir / n, fn
				rows++
			}
		}'
}

report()
{
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $NCPU CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "- load average (1, 5, 15 min) from other work on the machine: $LOAD_START at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end"
	echo "- edgebox: $(git -C "$(dirname "$NTPD")" describe --always --dirty 2>/dev/null || echo unknown), $NTPD"
	echo "- peers: $(chronyd --version | cut -d' ' -f1-4)$([ "$CALLGRIND" = 0 ] || echo ", $(valgrind --version)")"
	echo "- command: \`$([ "$NTPD" = "$O/ntpd" ] || echo "NTPD=$NTPD ")sh bench/ntp/run.sh $O\`; server on CPU $SERVER_CPU, ntpload on CPU $CLIENT_CPU" \
	    "(-c $INFLIGHT -t $DURATION -T $LOSS_TIMEOUT_MS), medians of $ROUNDS server starts;" \
	    "callgrind: $CG_REQUESTS requests, $CG_INFLIGHT in flight"
	echo
	echo "| server | replies/s | avg latency (us) | CPU per reply (us) | replies | lost | peak RSS (KiB) | RSS after the load (KiB) | instructions per reply |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for s in $MEASURED; do
		echo "| $s | $(median ${s}_rate) | $(median ${s}_latency) | $(median ${s}_cpu) |" \
		    "$(median ${s}_replies) | $(median ${s}_lost) | $(get_result ${s}_hwm -) |" \
		    "$(get_result ${s}_rss -) | $(get_result ${s}_ir -) |"
	done
	echo
	for s in $MEASURED; do
		[ -n "$(get_result ${s}_crashed)" ] && echo "- $s died under load."
		[ -n "$(get_result ${s}_invalid)" ] && echo "- $s sent $(get_result ${s}_invalid) replies that are not a valid server reply in one round."
		lost=$(get_result ${s}_cg_lost 0)
		[ "$lost" != 0 ] && echo "- $lost requests to $s were lost under callgrind."
	done

	case " $MEASURED " in
	*" ntpd "*) ;;
	*)
		echo "ntpd was not measured, so there are no ratios."
		return 0
		;;
	esac

	echo "| ratio | value | target | result |"
	echo "| --- | ---: | --- | --- |"
	r=$(ratio "$(median ntpd_rate)" "$(median ceiling_rate)")
	echo "| ntpd replies/s / ceiling's | $r | >= 0.9 | $(verdict "$r" '>=' 0.9) |"
	r=$(ratio "$(median ntpd_cpu)" "$(median ceiling_cpu)")
	echo "| ntpd CPU per reply / ceiling's | $r | <= 1.15 | $(verdict "$r" '<=' 1.15) |"
	r=$(ratio "$(get_result ntpd_ir)" "$(get_result chronyd_ir)")
	echo "| ntpd instructions per reply / chronyd's | $r | <= 0.33 | $(verdict "$r" '<=' 0.3334) |"
	hwm=$(get_result ntpd_hwm)
	echo "| ntpd peak RSS (KiB) | ${hwm:--} | <= 512 | $(verdict "$hwm" '<=' 512) |"
	ntpd_profile
}

report >"$WORK/report"
TITLE="NTP server: ntpd against chronyd -x and a minimal NTP server"
printf '## %s\n\n' "$TITLE"
cat "$WORK/report"
if [ -n "$OUT" ]; then
	record "$OUT" '<!-- bench-ntp:begin -->' '<!-- bench-ntp:end -->' "$TITLE" "$WORK/report"
	echo "bench-ntp: recorded in $OUT" >&2
fi
