#!/bin/sh
# run.sh -- dnsd against dnsmasq and a UDP echo server, one core each, on loopback.
#
# Usage: sh bench/dns/run.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]
#        make bench-dns [BENCH_OUT=docs/BENCHMARKS.md]
#
# -o FILE replaces the section between the bench-dns markers of FILE.
#
# Every server gets the same dnsmasq.conf-syntax config: no-resolv, no-hosts,
# addn-hosts= with NHOSTS names, cache-size=1000, and one upstream (another
# dnsmasq on UPSTREAM_PORT) that serves the "outside" names.  The server runs
# on CPU 1 and dnsperf on CPU 0.  Two query sets:
#   hosts      A queries for the names of the hosts file
#   forwarded  A queries for outside names, answered from the cache: one
#              pass over them warms the cache before the measurement
# For each server and set it prints queries per second, average latency,
# the server's CPU time (user+sys from /proc/PID/stat) per answered query,
# its peak RSS (VmHWM), and the instructions per answered query under
# callgrind for a fixed number of queries at a limited rate.  Then the
# ratios of dnsd to the echo server and to dnsmasq, against their targets.
#
# Environment: BENCH_SECONDS (10) per dnsperf run, BENCH_ROUNDS (3) server
# starts each (0 for callgrind only), BENCH_PORT (15353; the upstream uses
# the next port), BENCH_SERVERS ("echo dnsmasq dnsd"), BENCH_CG_QUERIES
# (20000) and BENCH_CG_QPS (2000) for callgrind, BENCH_CALLGRIND=0 to skip
# callgrind, BENCH_KEEP=1 to keep the work folder with the logs, and DNSD
# (BUILD_DIR/dnsd).  Every dnsperf run is bounded by -l, and every process
# started here is stopped by its PID on exit.

set -u

OUT=""
while getopts o: opt; do
	case $opt in
	o)	OUT=$OPTARG ;;
	*)	echo "usage: sh bench/dns/run.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
O=${1:-build}
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
NCPU=$(nproc)
DNSD=${DNSD:-$O/dnsd}
PORT=${BENCH_PORT:-15353}
UPSTREAM_PORT=$((PORT + 1))
DURATION=${BENCH_SECONDS:-10}
SERVERS=${BENCH_SERVERS:-echo dnsmasq dnsd}
CALLGRIND=${BENCH_CALLGRIND:-1}
CG_QUERIES=${BENCH_CG_QUERIES:-20000}
CG_QPS=${BENCH_CG_QPS:-2000}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=1
OUTSTANDING=100
SERVER_CPU=1
CLIENT_CPU=0
NHOSTS=1000
NFORWARD=500
CACHE_SIZE=1000
HERE=$(dirname "$0")
BENCH_TAG=bench-dns
KEEP=${BENCH_KEEP:-0}
. "$HERE/../lib.sh"

need dnsperf dnsperf
need dnsmasq dnsmasq
need dig bind9-dnsutils
need taskset util-linux
need flock util-linux
need ss iproute2
need cc gcc
[ "$CALLGRIND" = 0 ] || need valgrind valgrind
[ "$NCPU" -ge 2 ] || die "needs 2 CPUs (server on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU)"

wait_lock /tmp/edgebox-bench-dns.$PORT.lock

for p in "$PORT" "$UPSTREAM_PORT"; do
	port_free "$p" || die "UDP port $p on this machine is in use; set BENCH_PORT to another port (the upstream uses the next one)"
done

WORK=$(mktemp -d /tmp/edgebox-bench-dns.XXXXXX) || die "mktemp failed"
# Run as root, the servers start as nobody: neither dnsmasq nor dnsd then
# changes user, and callgrind_control (vgdb) reaches a valgrind process only
# as the user that runs it.  nobody reads the data and writes to run/.
AS_SERVER=""
if [ "$(id -u)" = 0 ]; then
	AS_SERVER="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
fi
chmod 755 "$WORK"
mkdir "$WORK/run" && chmod 1777 "$WORK/run"
PIDS=""

trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Data: hosts file, outside names, query files -------------------------

# Names and addresses: nNNNN.hosts.test is 198.18.X.Y and oNNNN.outside.test
# is 198.19.X.Y (the benchmarking range of RFC 2544; nothing is sent there).
host_addr()
{
	echo "$1.$(($2 / 256)).$(($2 % 256))"
}

i=1
while [ $i -le $NHOSTS ]; do
	printf '%s n%04d.hosts.test\n' "$(host_addr 198.18 $i)" $i
	printf 'n%04d.hosts.test A\n' $i >&3
	i=$((i + 1))
done >"$WORK/hosts" 3>"$WORK/hosts.queries"
i=1
while [ $i -le $NFORWARD ]; do
	printf '%s o%04d.outside.test\n' "$(host_addr 198.19 $i)" $i
	printf 'o%04d.outside.test A\n' $i >&3
	i=$((i + 1))
done >"$WORK/outside" 3>"$WORK/forwarded.queries"
chmod 644 "$WORK/hosts" "$WORK/outside"

cat >"$WORK/server.conf" <<EOF
port=$PORT
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
addn-hosts=$WORK/hosts
cache-size=$CACHE_SIZE
server=127.0.0.1#$UPSTREAM_PORT
pid-file=$WORK/run/server.pid
EOF

mkdir -p "$O/bench"
ECHO="$O/bench/echo"
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$ECHO" "$HERE/echo.c" ||
    die "cannot build $HERE/echo.c"

# --- Process helpers -------------------------------------------------------

# start NAME TIMEOUT_SECONDS COMMAND...: run COMMAND on the server CPU and
# wait until it answers a query; sets SERVER_PID.
start()
{
	sname=$1 timeout=$2
	shift 2
	if ! port_free "$PORT"; then
		echo "bench-dns: UDP port $PORT is in use, so $sname cannot start" >&2
		return 1
	fi
	# shellcheck disable=SC2086
	taskset -c $SERVER_CPU $AS_SERVER "$@" >"$WORK/$sname.log" 2>&1 &
	SERVER_PID=$!
	PIDS="$PIDS $SERVER_PID"
	tries=$((timeout * 5))
	while [ $tries -gt 0 ]; do
		if ! alive "$SERVER_PID"; then
			echo "bench-dns: $sname exited at startup; its output:" >&2
			sed 's/^/  /' "$WORK/$sname.log" >&2
			return 1
		fi
		if dig +time=1 +tries=1 -p "$PORT" @127.0.0.1 n0001.hosts.test A \
		    >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
		tries=$((tries - 1))
	done
	echo "bench-dns: $sname did not respond on 127.0.0.1:$PORT within $timeout s; see its output with BENCH_KEEP=1" >&2
	stop "$SERVER_PID"
	return 1
}

# perf OUTPUT DNSPERF_ARGS...: run dnsperf on the client CPU and parse its
# report into P_completed, P_lost, P_qps, P_latency, P_response_size, P_rcodes.
perf()
{
	out=$1
	shift
	taskset -c $CLIENT_CPU dnsperf -s 127.0.0.1 -p "$PORT" -c $CLIENTS \
	    -q $OUTSTANDING "$@" >"$out" 2>&1
	P_completed=$(awk '/Queries completed:/ { print $3 }' "$out")
	P_lost=$(awk '/Queries lost:/ { print $3 }' "$out")
	P_qps=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$out")
	P_latency=$(awk '/Average Latency/ { printf "%.1f", $4 * 1e6 }' "$out")
	P_response_size=$(awk '/Average packet size:/ { print $7 }' "$out")
	P_rcodes=$(sed -n 's/^ *Response codes: *//p' "$out")
	: "${P_completed:=0}" "${P_lost:=0}" "${P_qps:=0}" "${P_latency:=0}"
}

# check_answers NAME: compare a few answers with the data; echo is exempt.
check_answers()
{
	[ "$1" = echo ] && return 0
	bad=0
	for n in 1 500 1000; do
		want=$(host_addr 198.18 $n)
		got=$(dig +short +time=2 +tries=1 -p "$PORT" @127.0.0.1 \
		    "$(printf 'n%04d.hosts.test' $n)" A)
		[ "$got" = "$want" ] || { echo "bench-dns: $1: n$n.hosts.test is \"$got\", expected $want" >&2; bad=1; }
	done
	for n in 1 250 500; do
		want=$(host_addr 198.19 $n)
		got=$(dig +short +time=2 +tries=1 -p "$PORT" @127.0.0.1 \
		    "$(printf 'o%04d.outside.test' $n)" A)
		[ "$got" = "$want" ] || { echo "bench-dns: $1: o$n.outside.test is \"$got\", expected $want" >&2; bad=1; }
	done
	return $bad
}

# Count of queries the upstream has answered, from its SIGUSR1 statistics.
upstream_answered()
{
	kill -USR1 "$UPSTREAM_PID"
	sleep 0.3
	sed -n 's/.*queries answered locally \([0-9]*\).*/\1/p' "$WORK/upstream.log" | tail -n 1
}

# --- Measurements ----------------------------------------------------------

server_command()
{
	case $1 in
	echo)	echo "$ECHO 127.0.0.1 $PORT" ;;
	dnsmasq) echo "dnsmasq -k -C $WORK/server.conf --log-facility=-" ;;
	dnsd)	echo "$DNSD -k -C $WORK/server.conf" ;;
	esac
}

# throughput NAME ROUND: QPS, latency, CPU per query and peak RSS of one
# server start, both query sets; results end in _ROUND.
throughput()
{
	name=$1 round=$2
	# shellcheck disable=SC2046
	start "$name" 10 $(server_command "$name") || return 1
	pid=$SERVER_PID
	check_answers "$name" || set_result "${name}_wrong" 1
	perf "$WORK/$name.warm" -d "$WORK/forwarded.queries" -n 1 -l 30
	for qset in hosts forwarded; do
		key=${name}_${qset}
		before=$(upstream_answered)
		t0=$(cpu_ticks "$pid")
		perf "$WORK/$name.$qset.$round" -d "$WORK/$qset.queries" -l "$DURATION"
		t1=$(cpu_ticks "$pid" 2>/dev/null) || t1=$t0
		after=$(upstream_answered)
		set_result "${key}_qps_$round" "$P_qps"
		set_result "${key}_latency_$round" "$P_latency"
		set_result "${key}_completed_$round" "$P_completed"
		set_result "${key}_lost_$round" "$P_lost"
		set_result "${key}_upstream_$round" $((after - before))
		# microseconds of CPU per answered query
		set_result "${key}_cpu_$round" "$(awk -v t=$((t1 - t0)) -v hz="$HZ" \
		    -v n="$P_completed" 'BEGIN { if (n > 0) printf "%.3f", t / hz * 1e6 / n; else print "-" }')"
		set_result "${key}_size" "$P_response_size"
		set_result "${key}_rcodes" "$P_rcodes"
		case $P_rcodes in
		"NOERROR $P_completed "*) ;;
		*) set_result "${name}_rcode_errors" 1 ;;
		esac
	done
	if alive "$pid"; then
		rss=$(status_kib "$pid" VmHWM)
		[ "$rss" -gt "$(get_result "${name}_rss" 0)" ] && set_result "${name}_rss" "$rss"
		check_answers "$name" || set_result "${name}_wrong" 1
	else
		set_result "${name}_crashed" 1
		echo "bench-dns: $name died under load; its output:" >&2
		tail -n 20 "$WORK/$name.log" >&2
	fi
	stop "$pid"
	return 0
}

# instructions NAME: instructions per answered query under callgrind, both
# sets, counted between a zero and a dump around a fixed-count dnsperf run.
instructions()
{
	name=$1
	# shellcheck disable=SC2046
	start "$name-callgrind" 60 valgrind -q --tool=callgrind --compress-strings=no \
	    --callgrind-out-file="$WORK/run/callgrind.%p" $(server_command "$name") || return 1
	pid=$SERVER_PID
	perf "$WORK/$name.cg.warm" -d "$WORK/forwarded.queries" -n 1 -l 30 -Q "$CG_QPS"
	dump=0
	for qset in hosts forwarded; do
		lines=$(wc -l <"$WORK/$qset.queries")
		# shellcheck disable=SC2086
		timeout 30 $AS_SERVER callgrind_control -z "$pid" >/dev/null 2>&1
		perf "$WORK/$name.cg.$qset" -d "$WORK/$qset.queries" \
		    -n $((CG_QUERIES / lines)) -l 120 -Q "$CG_QPS"
		# shellcheck disable=SC2086
		timeout 30 $AS_SERVER callgrind_control -d "$pid" >/dev/null 2>&1
		dump=$((dump + 1))
		total=$(callgrind_total "$WORK/run/callgrind.$pid.$dump")
		set_result "${name}_${qset}_cg_completed" "$P_completed"
		set_result "${name}_${qset}_ir" "$(awk -v t="$total" -v n="$P_completed" \
		    'BEGIN { if (n > 0 && t > 0) printf "%.0f", t / n; else print "-" }')"
	done
	stop "$pid"
}

HZ=$(getconf CLK_TCK)

taskset -c $CLIENT_CPU dnsmasq -k -C /dev/null --port="$UPSTREAM_PORT" \
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --addn-hosts="$WORK/outside" --local-ttl=3600 --cache-size=0 \
    --pid-file="$WORK/upstream.pid" --log-facility=- >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
PIDS="$PIDS $UPSTREAM_PID"
sleep 0.5
alive "$UPSTREAM_PID" || die "the upstream dnsmasq exited: $(cat "$WORK/upstream.log")"
dig +short +time=2 +tries=1 -p "$UPSTREAM_PORT" @127.0.0.1 o0001.outside.test A |
    grep -qx 198.19.0.1 || die "the upstream dnsmasq on 127.0.0.1:$UPSTREAM_PORT does not respond; is the port in use? Set BENCH_PORT to move both ports"

ACTIVE=""
for s in $SERVERS; do
	case $s in
	echo|dnsmasq|dnsd) ;;
	*) die "unknown server \"$s\" in BENCH_SERVERS; expected echo, dnsmasq or dnsd" ;;
	esac
	if [ "$s" = dnsd ] && [ ! -x "$DNSD" ]; then
		echo "bench-dns: $DNSD not found; run make first" >&2
		continue
	fi
	ACTIVE="$ACTIVE $s"
done

# Rounds take turns between the servers, so that load from other programs
# on this machine spreads over all of them; the report shows medians.
MEASURED=""
round=1
while [ $round -le "$ROUNDS" ]; do
	for s in $ACTIVE; do
		echo "bench-dns: round $round of $ROUNDS: $s, $DURATION s per query set" >&2
		throughput "$s" $round || continue
		case " $MEASURED " in
		*" $s "*) ;;
		*) MEASURED="$MEASURED $s" ;;
		esac
	done
	round=$((round + 1))
done
if [ "$CALLGRIND" != 0 ]; then
	for s in $ACTIVE; do
		echo "bench-dns: counting instructions of $s under callgrind" >&2
		instructions "$s" || continue
		case " $MEASURED " in
		*" $s "*) ;;
		*) MEASURED="$MEASURED $s" ;;
		esac
	done
fi

# --- Report ----------------------------------------------------------------

report()
{
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $NCPU CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "- load average (1, 5, 15 min) from other work on the machine: $LOAD_START at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end"
	echo "- edgebox: $(git -C "$HERE" describe --always --dirty 2>/dev/null || echo unknown), $DNSD"
	echo "- peers: $(dnsmasq --version | head -n 1 | cut -d' ' -f1-3), $(dnsperf -h 2>&1 | sed -n 's/^Version /dnsperf /p')$([ "$CALLGRIND" = 0 ] || echo ", $(valgrind --version)")"
	echo "- command: \`sh bench/dns/run.sh $O\`; server on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU" \
	    "(-c $CLIENTS -q $OUTSTANDING -l $DURATION), medians of $ROUNDS server starts, $NHOSTS hosts names, $NFORWARD forwarded names," \
	    "cache-size=$CACHE_SIZE; callgrind: $CG_QUERIES queries at $CG_QPS per second"
	echo
	echo "| server | set | QPS | avg latency (us) | CPU per query (us) | answered | lost | response bytes | upstream queries | instructions per query |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for s in $MEASURED; do
		for qset in hosts forwarded; do
			echo "| $s | $qset | $(median ${s}_${qset}_qps) | $(median ${s}_${qset}_latency) |" \
			    "$(median ${s}_${qset}_cpu) | $(median ${s}_${qset}_completed) |" \
			    "$(median ${s}_${qset}_lost) | $(get_result ${s}_${qset}_size) |" \
			    "$(median ${s}_${qset}_upstream) | $(get_result ${s}_${qset}_ir) |"
		done
	done
	echo
	echo "| server | peak RSS (KiB) | response codes of the last round (hosts; forwarded) |"
	echo "| --- | ---: | --- |"
	for s in $MEASURED; do
		echo "| $s | $(get_result ${s}_rss) | $(get_result ${s}_hosts_rcodes); $(get_result ${s}_forwarded_rcodes) |"
	done
	echo

	for s in $MEASURED; do
		[ -n "$(get_result ${s}_crashed)" ] && echo "- $s died under load."
		[ -n "$(get_result ${s}_wrong)" ] && echo "- $s returned wrong answers (see the messages above)."
		[ -n "$(get_result ${s}_rcode_errors)" ] && echo "- $s answered some queries with an error (response codes above)."
	done

	case " $MEASURED " in
	*" dnsd "*) ;;
	*)
		echo "dnsd was not measured, so there are no ratios."
		return 0
		;;
	esac

	echo "| ratio | set | value | target | result |"
	echo "| --- | --- | ---: | --- | --- |"
	for qset in hosts forwarded; do
		r=$(ratio "$(median dnsd_${qset}_qps)" "$(median echo_${qset}_qps)")
		echo "| dnsd QPS / echo QPS | $qset | $r | >= 0.95 | $(verdict "$r" '>=' 0.95) |"
		r=$(ratio "$(median dnsd_${qset}_cpu)" "$(median echo_${qset}_cpu)")
		echo "| dnsd CPU per query / echo CPU per query | $qset | $r | <= 1.15 | $(verdict "$r" '<=' 1.15) |"
		r=$(ratio "$(get_result dnsmasq_${qset}_ir)" "$(get_result dnsd_${qset}_ir)")
		echo "| dnsmasq instructions per query / dnsd's | $qset | $r | >= 6 | $(verdict "$r" '>=' 6) |"
	done
	rss=$(get_result dnsd_rss)
	echo "| dnsd peak RSS (KiB) | both | ${rss:--} | <= 512 | $(verdict "$rss" '<=' 512) |"
}

report >"$WORK/report"
printf '## %s\n\n' "DNS server: dnsd against dnsmasq and a UDP echo server"
cat "$WORK/report"
if [ -n "$OUT" ]; then
	record "$OUT" '<!-- bench-dns:begin -->' '<!-- bench-dns:end -->' "DNS server: dnsd against dnsmasq and a UDP echo server" "$WORK/report"
	echo "bench-dns: recorded in $OUT" >&2
fi
