#!/bin/sh
# make demo: build edgebox, run dnsd and ntpd with the reference cluster
# configs on high loopback ports, query them with hostq and ntpctl, print
# their replies and stop them.  Nothing is sent beyond 127.0.0.1 and
# no network namespace is needed, so it runs as a normal user too; only
# installing a missing toolchain needs root.
#
# The reference configs point outside this machine, so the demo runs
# rewritten copies in a temporary folder:
#   dnsmasq.conf: listen-address=127.0.0.1 in place of 192.168.6.200, and
#     server=8.8.8.8 becomes a second dnsd on loopback that knows a few
#     "outside" names (www.outside.test).  no-resolv keeps the real
#     resolver of /etc/resolv.conf out, and the hosts file of the cluster
#     comes in through no-hosts plus addn-hosts.
#   chrony-server.conf: pool.ntp.org becomes a second ntpd on loopback
#     that serves its own clock with "local stratum 3".  Both ntpd run
#     with -x, so the clock of this machine never changes.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/tests/data
O=${O:-build}
MAKE=${MAKE:-make}
LIMIT=120	# seconds after which every daemon of the demo exits by itself
T=
PIDS=
failed=0

say() {
	printf '\n== %s\n' "$*"
}

# run COMMAND...: print the command as a shell prompt line, then run it
# with a time limit.  A failure counts, but the demo goes on.
run() {
	printf '$ %s\n' "$*" | sed "s|$ROOT/$O/||g; s|$T/|\$TMP/|g"
	timeout 20 "$@" >"$T/out" 2>&1
	rc=$?
	sed 's/^/  /' "$T/out"
	return "$rc"
}

# need_toolchain: succeed when make, the compiler the Makefile picks (musl-gcc
# on Debian, cc on Alpine) or the kernel headers are missing.
need_toolchain() {
	command -v "$MAKE" >/dev/null 2>&1 || return 0
	if [ -f /etc/alpine-release ]; then
		command -v cc >/dev/null 2>&1 && [ -e /usr/include/linux/types.h ] &&
		    return 1
	else
		# musl-gcc is a wrapper around gcc, which musl-tools does not pull in.
		command -v musl-gcc >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 &&
		    [ -e /usr/include/linux/types.h ] && return 1
	fi
	return 0
}

# install_toolchain: apk on Alpine, apt-get on Debian.  On Debian a
# policy-rc.d that exits 101 keeps the packages from starting services;
# one that was there before stays untouched.
install_toolchain() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "demo: the build needs make, a C compiler and musl; run as root once, or install:" >&2
		echo "  Debian: apt-get install make gcc musl-tools linux-libc-dev" >&2
		echo "  Alpine: apk add build-base linux-headers" >&2
		exit 1
	fi
	if [ -f /etc/alpine-release ]; then
		apk add --no-cache build-base linux-headers || exit 1
	elif command -v apt-get >/dev/null 2>&1; then
		policy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			policy=/usr/sbin/policy-rc.d
			printf '#!/bin/sh\nexit 101\n' >"$policy"
			chmod 755 "$policy"
		fi
		# Only the missing packages: naming an installed one would upgrade it.
		missing=
		for p in make gcc musl-tools linux-libc-dev; do
			dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' ||
			    missing="$missing $p"
		done
		rc=0
		if [ -n "$missing" ]; then
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
			    --no-install-recommends $missing
			rc=$?
		fi
		[ -z "$policy" ] || rm -f "$policy"
		[ "$rc" -eq 0 ] || exit 1
	else
		echo "demo: neither apk nor apt-get found; install make, gcc and musl" >&2
		exit 1
	fi
}

cleanup() {
	trap - EXIT INT TERM HUP
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "$T" ] && [ "$failed" -ne 0 ]; then
		echo "demo: logs kept in $T" >&2
	elif [ -n "$T" ]; then
		rm -rf "$T"
	fi
}

# start LOG COMMAND...: start a daemon in the background; its PID goes to $pid.
start() {
	log=$1
	shift
	"$@" >"$log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
}

# wait_for SECONDS COMMAND...: rerun the command every 0.2 s until it
# succeeds or SECONDS pass.
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# alive PID LOG WHAT: stop the demo with the daemon's log if it has exited.
alive() {
	if ! kill -0 "$1" 2>/dev/null; then
		echo "demo: $3 exited; its log:" >&2
		sed 's/^/  /' "$2" >&2
		failed=1
		exit 1
	fi
}

# synced SOCKET: ntpd at SOCKET reports leap status Normal.
synced() {
	"$B/ntpctl" -h "$1" tracking 2>/dev/null | grep -q '^Leap status *: Normal'
}

# --- build ----------------------------------------------------------------

if need_toolchain; then
	say "installing the build tools"
	install_toolchain
fi
say "building"
(cd "$ROOT" && "$MAKE" -s O="$O") || exit 1
B=$ROOT/$O
"$B/edgebox" --list | sed 's/^/  applet: /'

# --- configs --------------------------------------------------------------

T=$(mktemp -d "${TMPDIR:-/tmp}/edgebox-demo.XXXXXX") || exit 1
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# dnsd may drop privileges after start-up and must still read its files.
chmod 755 "$T"
cp "$DATA/hosts" "$T/hosts"
chmod 644 "$T/hosts"

# Ports from the process ID, so that two demos rarely collide.
base=$((20000 + $$ % 20000))
P_DNS=$base
P_UPDNS=$((base + 1))
P_NTP=$((base + 2))
P_SOURCE=$((base + 3))

cat >"$T/upstream-dns.conf" <<EOF
# Stand-in for 8.8.8.8: answers a few outside names, NXDOMAIN for the rest of .test.
no-resolv
no-hosts
listen-address=127.0.0.1
port=$P_UPDNS
local=/test/
host-record=www.outside.test,192.0.2.80
local-ttl=300
EOF

sed -e 's/^listen-address=.*/listen-address=127.0.0.1/' \
    -e "s/^server=8\\.8\\.8\\.8\$/server=127.0.0.1#$P_UPDNS/" \
    "$DATA/dnsmasq.conf" >"$T/dnsd.conf"
cat >>"$T/dnsd.conf" <<EOF
# Added by the demo: loopback only, the cluster's hosts file, private paths.
no-resolv
no-hosts
addn-hosts=$T/hosts
port=$P_DNS
pid-file=$T/dnsd.pid
EOF

cat >"$T/source.conf" <<EOF
# Stand-in for pool.ntp.org: serves this machine's clock as stratum 3.
local stratum 3
allow 127.0.0.1
bindaddress 127.0.0.1
port $P_SOURCE
cmdport 0
bindcmdaddress $T/source.sock
pidfile $T/source.pid
driftfile $T/source.drift
EOF

sed -e "s/^pool pool\\.ntp\\.org/pool 127.0.0.1 port $P_SOURCE/" \
    -e 's/pool\.ntp\.org/127.0.0.1/g' \
    -e "s|^driftfile .*|driftfile $T/ntpd.drift|" \
    "$DATA/chrony-server.conf" >"$T/ntpd.conf"
cat >>"$T/ntpd.conf" <<EOF
# Added by the demo: serve on loopback only, private paths.
allow 127.0.0.1
bindaddress 127.0.0.1
port $P_NTP
bindcmdaddress $T/ntpd.sock
pidfile $T/ntpd.pid
EOF

say "configs (rewritten copies of tests/data)"
for f in dnsd.conf ntpd.conf; do
	echo "-- \$TMP/$f"
	grep -v '^#' "$T/$f" | grep -v '^$' | sed "s|$T/|\$TMP/|g; s/^/  /"
done

# --- daemons --------------------------------------------------------------

say "starting dnsd and ntpd on 127.0.0.1"
start "$T/upstream-dns.log" "$B/dnsd" -d -C "$T/upstream-dns.conf"
UPDNS=$pid
start "$T/dnsd.log" "$B/dnsd" -d -C "$T/dnsd.conf"
DNSD=$pid
start "$T/source.log" "$B/ntpd" -x -d -t "$LIMIT" -f "$T/source.conf"
SOURCE=$pid
start "$T/ntpd.log" "$B/ntpd" -x -d -t "$LIMIT" -f "$T/ntpd.conf"
NTPD=$pid
echo "  dnsd      port $P_DNS (pid $DNSD), forwarding to a dnsd on port $P_UPDNS (pid $UPDNS)"
echo "  ntpd      port $P_NTP (pid $NTPD), socket \$TMP/ntpd.sock, polling port $P_SOURCE"
echo "  ntpd      port $P_SOURCE (pid $SOURCE), local stratum 3"

wait_for 5 "$B/hostq" -W 1 -p "$P_DNS" x-k3s-m-1 127.0.0.1
alive "$UPDNS" "$T/upstream-dns.log" "the upstream dnsd"
alive "$DNSD" "$T/dnsd.log" "dnsd"
alive "$SOURCE" "$T/source.log" "the source ntpd"
alive "$NTPD" "$T/ntpd.log" "ntpd"

# --- DNS ------------------------------------------------------------------

say "DNS: names from the cluster's hosts file"
run "$B/hostq" -p "$P_DNS" x-k3s-m-1 127.0.0.1 || failed=1
run "$B/hostq" -p "$P_DNS" etcd 127.0.0.1 || failed=1
run "$B/hostq" -p "$P_DNS" x-k3s-n-1.edge.example.org 127.0.0.1 || failed=1
say "DNS: reverse lookup"
run "$B/hostq" -p "$P_DNS" 192.168.7.21 127.0.0.1 || failed=1
say "DNS: a name in edge.example.org that does not exist (local=, never forwarded)"
run "$B/hostq" -p "$P_DNS" nosuch.edge.example.org 127.0.0.1
say "DNS: an outside name, forwarded once and then answered from the cache"
run "$B/hostq" -p "$P_DNS" www.outside.test 127.0.0.1 || failed=1
echo "  the answer's TTL, asked twice a second apart (the cache counts it down):"
for i in 1 2; do
	"$B/hostq" -v -t A -W 2 -p "$P_DNS" www.outside.test 127.0.0.1 2>&1 |
	    grep -E '^www\.outside\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A' |
	    sed 's/^/    /'
	[ "$i" -eq 2 ] || sleep 1
done
kill -USR1 "$DNSD"
sleep 0.3
echo "  dnsd's counters (SIGUSR1):"
grep -E 'queries [0-9]+|cache size' "$T/dnsd.log" | tail -n 2 | sed 's/^/    /'

# --- NTP ------------------------------------------------------------------

say "NTP: waiting up to 30 s for ntpd to synchronise"
if wait_for 30 synced "$T/ntpd.sock"; then
	echo "  synchronised"
else
	echo "  not synchronised after 30 s"
	failed=1
fi
run "$B/ntpctl" -h "$T/ntpd.sock" tracking || failed=1
run "$B/ntpctl" -h "$T/ntpd.sock" sources || failed=1

# --- stop -----------------------------------------------------------------

say "stopping the daemons"
for pid in $NTPD $SOURCE $DNSD $UPDNS; do
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "  stopped pid $pid"
done
PIDS=
if [ "$failed" -ne 0 ]; then
	echo "demo: some queries failed" >&2
	exit 1
fi
echo
echo "demo finished"
