#!/bin/sh
# soak.sh -- dnsd (and dnsmasq as the peer) under dnsperf at full rate for
# a long, bounded time, with dnsd's memory sampled along the way.
#
# Usage: sh bench/dns/soak.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]
#
# -o FILE replaces the section between the bench-dns-soak markers of FILE.
#
# Each server runs twice on CPU 1 with dnsperf on CPU 0 (-c 1 -q 100, no
# rate limit): "steady" leaves it alone, "sighup" sends it SIGHUP every
# second.  The config is the one of bench/dns/run.sh (no-resolv, no-hosts,
# addn-hosts= with 1000 names, one dnsmasq upstream), but with
# cache-size=1000 against 5000 forwarded names, so the cache keeps
# evicting and queries keep going upstream.  VmRSS of the server is read
# every SOAK_SAMPLE seconds.  The report gives, per server and variant,
# the queries sent, answered and lost, the QPS, the number of reloads,
# and the RSS minimum, maximum and max/min ratio; then dnsd's numbers
# against dnsmasq's from the same run.
#
# Environment: SOAK_SECONDS (300) per run, SOAK_SAMPLE (5) seconds between
# RSS samples, SOAK_SERVERS ("dnsd dnsmasq"), SOAK_VARIANTS ("steady
# sighup"), SOAK_PORT (15373; the upstream uses the next port), SOAK_KEEP=1
# keeps the work folder, DNSD (BUILD_DIR/dnsd).  Not part of make check:
# the defaults take about 20 minutes.  Every dnsperf run is bounded by -l,
# and only the processes started here are stopped, by their PIDs.

set -u

OUT=""
while getopts o: opt; do
	case $opt in
	o)	OUT=$OPTARG ;;
	*)	echo "usage: sh bench/dns/soak.sh [-o docs/BENCHMARKS.md] [BUILD_DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
O=${1:-build}
DNSD=${DNSD:-$O/dnsd}
SECONDS_RUN=${SOAK_SECONDS:-300}
SAMPLE=${SOAK_SAMPLE:-5}
SERVERS=${SOAK_SERVERS:-dnsd dnsmasq}
VARIANTS=${SOAK_VARIANTS:-steady sighup}
PORT=${SOAK_PORT:-15373}
UPSTREAM_PORT=$((PORT + 1))
SERVER_CPU=1
CLIENT_CPU=0
NHOSTS=1000
NFORWARD=5000
CACHE_SIZE=1000
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)
REV=$(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo unknown)
BENCH_TAG=bench-soak
KEEP=${SOAK_KEEP:-0}
. "$(dirname "$0")/../lib.sh"

for c in dnsperf dnsmasq dig taskset ss; do
	command -v $c >/dev/null 2>&1 || die "$c not found; install the Debian packages dnsperf, dnsmasq, bind9-dnsutils, util-linux and iproute2"
done
[ -x "$DNSD" ] || die "$DNSD not found; run make"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (server on CPU $SERVER_CPU, dnsperf on CPU $CLIENT_CPU)"
case $SECONDS_RUN$SAMPLE in
*[!0-9]*) die "SOAK_SECONDS and SOAK_SAMPLE must be whole numbers of seconds" ;;
esac
[ "$SECONDS_RUN" -ge 10 ] || die "SOAK_SECONDS=$SECONDS_RUN is too short; use 10 or more"
[ "$SAMPLE" -ge 1 ] || die "SOAK_SAMPLE must be 1 or more"

for p in "$PORT" "$UPSTREAM_PORT"; do
	port_free "$p" || die "UDP port $p is in use; set SOAK_PORT to another port (the upstream uses the next one)"
done

WORK=$(mktemp -d /tmp/edgebox-bench-soak.XXXXXX) || die "mktemp failed"
chmod 755 "$WORK"
mkdir "$WORK/run" && chmod 1777 "$WORK/run"
# Started as nobody when run as root, so neither server changes user.
AS_SERVER=""
if [ "$(id -u)" = 0 ]; then
	AS_SERVER="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
fi
PIDS=""

trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Data --------------------------------------------------------------------

# nNNNN.hosts.test is 198.18.X.Y and oNNNN.outside.test 198.19.X.Y (the
# benchmarking range of RFC 2544; nothing is sent there).
i=1
while [ $i -le $NHOSTS ]; do
	printf '198.18.%d.%d n%04d.hosts.test\n' $((i / 256)) $((i % 256)) $i
	i=$((i + 1))
done >"$WORK/hosts"
i=1
while [ $i -le $NFORWARD ]; do
	printf '198.19.%d.%d o%04d.outside.test\n' $((i / 256)) $((i % 256)) $i
	i=$((i + 1))
done >"$WORK/outside"
# One hosts query for every forwarded one, interleaved.
awk 'NR == FNR { h[FNR] = $2; n = FNR; next }
    { print h[(FNR - 1) % n + 1] " A"; print $2 " A" }' "$WORK/hosts" "$WORK/outside" \
    >"$WORK/queries"
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
pid-file=
EOF
cat >"$WORK/upstream.conf" <<EOF
port=$UPSTREAM_PORT
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
addn-hosts=$WORK/outside
local=/outside.test/
cache-size=0
local-ttl=60
pid-file=
EOF

# start NAME CPU PROBE_PORT PROBE_NAME COMMAND...: run COMMAND on CPU and
# wait until it answers an A query for PROBE_NAME; sets STARTED_PID.
start()
{
	sname=$1 cpu=$2 probe_port=$3 probe_name=$4
	shift 4
	# shellcheck disable=SC2086
	taskset -c "$cpu" $AS_SERVER "$@" >"$WORK/$sname.log" 2>&1 &
	STARTED_PID=$!
	PIDS="$PIDS $STARTED_PID"
	tries=50
	while [ $tries -gt 0 ]; do
		if ! alive "$STARTED_PID"; then
			sed 's/^/  /' "$WORK/$sname.log" >&2
			die "$sname exited at start-up"
		fi
		dig +time=1 +tries=1 -p "$probe_port" @127.0.0.1 "$probe_name" A >/dev/null 2>&1 &&
		    return 0
		sleep 0.2
		tries=$((tries - 1))
	done
	die "$sname did not answer on port $probe_port within 10 s"
}

server_command()
{
	case $1 in
	dnsmasq) echo "dnsmasq -k -C $WORK/server.conf --log-facility=-" ;;
	dnsd)	echo "$DNSD -k -C $WORK/server.conf" ;;
	*)	die "unknown server $1 in SOAK_SERVERS (dnsd, dnsmasq)" ;;
	esac
}

# --- One run -----------------------------------------------------------------

# soak NAME VARIANT: one server start under dnsperf for SECONDS_RUN; prints
# one Markdown table row.
soak()
{
	name=$1 variant=$2 tag=$1-$2
	port_free "$PORT" || die "UDP port $PORT is in use, so $name cannot start"
	# shellcheck disable=SC2046
	start "$name" $SERVER_CPU "$PORT" n0001.hosts.test $(server_command "$name")
	pid=$STARTED_PID
	: >"$WORK/$tag.rss"
	taskset -c $CLIENT_CPU dnsperf -s 127.0.0.1 -p "$PORT" -c 1 -q 100 -t 5 \
	    -d "$WORK/queries" -l "$SECONDS_RUN" >"$WORK/$tag.perf" 2>&1 &
	perf=$!
	PIDS="$PIDS $perf"
	n=0 hups=0
	# dnsperf ends by itself after SECONDS_RUN; the loop also stops 30 s later.
	while alive "$perf" && [ $n -lt $((SECONDS_RUN + 30)) ]; do
		sleep 1
		n=$((n + 1))
		if [ "$variant" = sighup ] && [ $n -lt "$SECONDS_RUN" ]; then
			kill -HUP "$pid" 2>/dev/null && hups=$((hups + 1))
		fi
		[ $((n % SAMPLE)) -eq 0 ] && status_kib "$pid" VmRSS >>"$WORK/$tag.rss"
	done
	alive "$perf" && stop "$perf"
	wait "$perf" 2>/dev/null
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$perf" | tr '\n' ' ')
	if alive "$pid"; then
		state=ran
		stop "$pid"
	else
		state=died
		tail -n 20 "$WORK/$name.log" >&2
	fi
	sent=$(awk '/Queries sent:/ { print $3 }' "$WORK/$tag.perf")
	completed=$(awk '/Queries completed:/ { print $3 }' "$WORK/$tag.perf")
	lost=$(awk '/Queries lost:/ { print $3 }' "$WORK/$tag.perf")
	qps=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$WORK/$tag.perf")
	rcodes=$(sed -n 's/^ *Response codes: *//p' "$WORK/$tag.perf")
	rss=$(sort -n "$WORK/$tag.rss" | awk 'NR == 1 { min = $1 } { max = $1; n++ }
	    END { if (n) printf "%d %d %.3f %d", min, max, max / min, n; else print "- - - 0" }')
	set -- $rss
	echo "| $name | $variant | ${sent:--} | ${completed:--} | ${lost:--} | ${qps:--} | $hups | $1 | $2 | $3 | $4 | $state | ${rcodes:--} |"
	eval "R_${name}_${variant}=\"\${lost:--} \${qps:--} \$3\""
}

# --- Main --------------------------------------------------------------------

start upstream $CLIENT_CPU "$UPSTREAM_PORT" o0001.outside.test \
    dnsmasq -k -C "$WORK/upstream.conf" --log-facility=-
UPSTREAM_PID=$STARTED_PID

{
	echo "| server | variant | sent | answered | lost | QPS | SIGHUPs | RSS min (KiB) | RSS max (KiB) | max/min | samples | end | response codes |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
	for name in $SERVERS; do
		for variant in $VARIANTS; do
			soak "$name" "$variant"
		done
	done
} >"$WORK/rows"
stop "$UPSTREAM_PID"

report()
{
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "- load average (1, 5, 15 min) from other work on the machine: $LOAD_START at the start, $(cut -d" " -f1-3 /proc/loadavg) at the end"
	echo "- edgebox: tree at $REV when the run started, $DNSD"
	echo "- peers: $(dnsmasq --version | head -n 1 | sed 's/  Copyright.*//'), $(dnsperf -h 2>&1 | sed -n 's/^Version /dnsperf /p')"
	echo "- command: \`SOAK_SECONDS=$SECONDS_RUN sh bench/dns/soak.sh $O\`; server on CPU 1, dnsperf on CPU 0 (-c 1 -q 100 -t 5 -l $SECONDS_RUN, no rate limit), $NHOSTS hosts names and $NFORWARD forwarded names interleaved, cache-size=$CACHE_SIZE, VmRSS every $SAMPLE s"
	echo
	cat "$WORK/rows"
	header="| ratio | variant | value |"
	for variant in $VARIANTS; do
		eval "d=\${R_dnsd_$variant:-}; m=\${R_dnsmasq_$variant:-}"
		[ -n "$d" ] && [ -n "$m" ] || continue
		if [ -n "$header" ]; then
			printf '\n%s\n| --- | --- | ---: |\n' "$header"
			header=""
		fi
		set -- $d
		dq=$2 dr=$3
		set -- $m
		echo "| dnsd QPS / dnsmasq QPS | $variant | $(ratio "$dq" "$2") |"
		echo "| dnsd RSS max/min / dnsmasq RSS max/min | $variant | $(ratio "$dr" "$3") |"
	done
}

report >"$WORK/report"
TITLE="DNS soak: dnsd under load for a long time"
printf '## %s\n\n' "$TITLE"
cat "$WORK/report"

if [ -n "$OUT" ]; then
	record "$OUT" '<!-- bench-dns-soak:begin -->' '<!-- bench-dns-soak:end -->' "$TITLE" "$WORK/report"
	echo "bench-soak: recorded in $OUT" >&2
fi
