# lib.sh -- helpers shared by the end-to-end scripts: checks, network
# namespaces joined by one bridge, daemons started and stopped by PID, and
# cleanup on every exit.  Source it from a script in tests/e2e:
#	. "$(dirname "$0")/lib.sh"
#
# Every namespace is named "$E2E_ID-SHORT" (E2E_ID is eb<pid>), so several
# runs can share a machine.  The namespaces are joined by veth pairs to a
# bridge that lives in its own namespace and is never connected to an
# interface of the host, so no packet can leave the test network.

B=${BUILD:-build}
E2E_FAIL=0
E2E_ID=eb$$
E2E_TMP=
E2E_NSLIST=
E2E_PIDS=
E2E_WATCHDOG=

# pass WHAT / fail WHAT [DETAIL]: print one result line.
pass() {
	echo "PASS: $1"
}

fail() {
	echo "FAIL: $1"
	[ -z "$2" ] || printf '%s\n' "$2" | sed 's/^/    /'
	E2E_FAIL=1
}

# check WHAT COMMAND...: PASS when the command exits 0.
check() {
	_what=$1
	shift
	if "$@"; then pass "$_what"; else fail "$_what"; fi
}

# skip REASON: this machine cannot run the script (exit status 77).
skip() {
	echo "SKIP: $1"
	exit 77
}

# init_rss PID: the KiB of the init code segment (core/layout.ld) that
# process PID has resident, or "none" when $B/edgebox has no such segment
# (builds without the layout script, or a stripped binary).  A packed
# binary has no symbols; edgebox.elf beside it, the binary as linked, has.
init_rss() {
	_elf=$B/edgebox
	[ -f "$B/edgebox.elf" ] && _elf=$B/edgebox.elf
	_start=$(nm "$_elf" 2>/dev/null | awk '$3 == "edgebox_init_text_start" { print $1 }')
	[ -n "$_start" ] || { echo none; return; }
	_addr=$((0x$_start))
	_in=0
	while read -r _range _rest; do
		case $_range in
		*-*)
			_lo=$((0x${_range%-*}))
			_hi=$((0x${_range#*-}))
			_in=0
			[ "$_addr" -ge "$_lo" ] && [ "$_addr" -lt "$_hi" ] && _in=1
			;;
		Rss:)
			[ "$_in" = 1 ] && { echo "${_rest% kB}" | tr -d ' '; return; }
			;;
		esac
	done <"/proc/$1/smaps"
	echo none
}

# e2e_require_cmd CMD...: skip unless every command is installed.
e2e_require_cmd() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip "$_c is not installed"
	done
}

# e2e_require_netns: skip unless this process may create network namespaces.
e2e_require_netns() {
	[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
	e2e_require_cmd ip timeout
	ip netns add "$E2E_ID-probe" 2>/dev/null || skip "ip netns add failed"
	ip netns del "$E2E_ID-probe"
}

# e2e_timeout SECONDS: send this shell SIGALRM after SECONDS.  The ALRM
# trap that e2e_init installs prints a FAIL line and exits through the
# cleanup.  The shell runs a trap only once its current foreground command
# ends, so every command a script runs in the foreground must be bounded
# itself (timeout N, dig +time, host -W).  Further arguments are ignored.
e2e_timeout() {
	[ -z "$E2E_WATCHDOG" ] || kill "$E2E_WATCHDOG" 2>/dev/null
	(
		trap 'kill "$_sleep" 2>/dev/null; exit 0' TERM
		sleep "$1" >/dev/null 2>&1 </dev/null &
		_sleep=$!
		wait "$_sleep" && kill -ALRM $$
	) &
	E2E_WATCHDOG=$!
	# Until e2e_init replaces it, this trap ends the watchdog on any exit.
	trap 'kill "$E2E_WATCHDOG" 2>/dev/null' EXIT
}

# e2e_init: make the temporary folder $E2E_TMP and install the cleanup trap.
e2e_init() {
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/edgebox-e2e.XXXXXX") || exit 1
	# Daemons that drop privileges after start-up must still read their files.
	chmod 755 "$E2E_TMP"
	# A trap can run while a function's output is redirected to a file, so
	# the traps write to copies of the script's own stdout and stderr.
	exec 8>&2 9>&1
	trap 'e2e_cleanup' EXIT
	trap 'echo "FAIL: interrupted by a signal" >&9; E2E_FAIL=1; exit 1' INT TERM HUP
	trap 'echo "FAIL: time limit reached" >&9; E2E_FAIL=1; exit 1' ALRM
}

# e2e_cleanup: stop the daemons, then remove the namespaces, their
# /etc/netns folders and the temporary folder.  Runs from the EXIT trap.
e2e_cleanup() {
	_rc=$?
	exec 1>&9 2>&8
	trap - EXIT INT TERM HUP ALRM
	[ -z "$E2E_WATCHDOG" ] || kill "$E2E_WATCHDOG" 2>/dev/null
	for _pid in $E2E_PIDS; do
		daemon_stop "$_pid"
	done
	for _ns in $E2E_NSLIST; do
		# A process left in one of our namespaces (a lookup that hangs)
		# is ours as well; end it by PID before the namespace goes.
		for _pid in $(ip netns pids "$_ns" 2>/dev/null); do
			kill -9 "$_pid" 2>/dev/null
		done
		ip netns del "$_ns" 2>/dev/null
		rm -rf "/etc/netns/$_ns"
	done
	rmdir /etc/netns 2>/dev/null
	if [ -n "$E2E_TMP" ]; then
		if [ -n "$E2E_KEEP" ] || [ "$E2E_FAIL" -ne 0 ]; then
			echo "logs kept in $E2E_TMP"
		else
			rm -rf "$E2E_TMP"
		fi
	fi
	exit "$_rc"
}

# ns NAME: print the full namespace name of the short NAME.
ns() {
	echo "$E2E_ID-$1"
}

# ns_add NAME: create namespace NAME with loopback up and an empty
# /etc/netns/NS folder (ns_resolv fills it).
ns_add() {
	_ns=$(ns "$1")
	ip netns add "$_ns" || return 1
	E2E_NSLIST="$E2E_NSLIST $_ns"
	mkdir -p "/etc/netns/$_ns" || return 1
	ip -n "$_ns" link set lo up
}

# ns_resolv NAME LINE...: write the namespace's resolv.conf, one line per
# argument.  ip netns exec bind-mounts it over /etc/resolv.conf, so a
# resolver inside never uses the host's real name server.
ns_resolv() {
	_ns=$(ns "$1")
	shift
	printf '%s\n' "$@" >"/etc/netns/$_ns/resolv.conf"
}

# ns_exec NAME COMMAND...: run a command inside the namespace.
ns_exec() {
	_ns=$(ns "$1")
	shift
	ip netns exec "$_ns" "$@"
}

# switch_add BRIDGE...: create the namespace "sw" holding the bridges.
# Separate bridges are separate networks that may reuse addresses.
switch_add() {
	ns_add sw || return 1
	for _br in "$@"; do
		ip -n "$(ns sw)" link add "$_br" type bridge || return 1
		ip -n "$(ns sw)" link set "$_br" up || return 1
	done
}

# ns_attach NAME BRIDGE ADDR/LEN...: connect NAME's eth0 to the bridge and
# give it the addresses.  The veth pair is created directly inside the two
# namespaces, so it never appears among the host's interfaces.
ns_attach() {
	_ns=$(ns "$1")
	_port="p-$1"
	_br=$2
	shift 2
	ip -n "$(ns sw)" link add "$_port" type veth peer name eth0 netns "$_ns" ||
	    return 1
	ip -n "$(ns sw)" link set "$_port" master "$_br" up || return 1
	for _a in "$@"; do
		ip -n "$_ns" addr add "$_a" dev eth0 || return 1
	done
	ip -n "$_ns" link set eth0 up
}

# daemon_start NAME LOG COMMAND...: start a command in the background in
# namespace NAME, output to LOG; its PID is left in $E2E_PID.  ip netns
# exec replaces itself with the command, so the PID is the daemon's own.
daemon_start() {
	_ns=$(ns "$1")
	_log=$2
	shift 2
	ip netns exec "$_ns" "$@" >"$_log" 2>&1 8>&- 9>&- &
	E2E_PID=$!
	E2E_PIDS="$E2E_PIDS $E2E_PID"
}

# local_start LOG COMMAND...: daemon_start outside any namespace, for
# daemons that only use loopback.
local_start() {
	_log=$1
	shift
	"$@" >"$_log" 2>&1 8>&- 9>&- &
	E2E_PID=$!
	E2E_PIDS="$E2E_PIDS $E2E_PID"
}

# daemon_stop PID: SIGTERM, up to 3 s for the exit, then SIGKILL.
daemon_stop() {
	kill "$1" 2>/dev/null || return 0
	_i=0
	while ! has_exited "$1" && [ "$_i" -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# daemon_alive PID: succeed while the daemon runs.
daemon_alive() {
	! has_exited "$1"
}

# has_exited PID: succeed when the process is gone or a zombie (a child of
# this shell that has exited but was not waited for yet).
has_exited() {
	[ ! -e "/proc/$1/stat" ] || grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null
}

# wait_until SECONDS COMMAND...: rerun the command every 0.2 s until it
# succeeds or SECONDS pass.  Returns the command's last status.
wait_until() {
	_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# is_listening NAME PROTO ADDR:PORT: succeed when a socket in namespace
# NAME receives there (PROTO is udp or tcp): bound to ADDR, or to the
# wildcard address, as dnsmasq and chronyd do by default.
is_listening() {
	case $2 in
	udp) _opt=-Hlun ;;
	*) _opt=-Hltn ;;
	esac
	_port=${3##*:}
	ns_exec "$1" ss "$_opt" "sport = :$_port" |
	    grep -qE " (${3}|0\.0\.0\.0:${_port}|\*:${_port}) "
}

# file_has FILE PATTERN: succeed when a line of FILE matches the basic
# regular expression.
file_has() {
	grep -q -- "$2" "$1" 2>/dev/null
}

# show_diff A B: print how two files differ, indented, for a FAIL detail.
show_diff() {
	diff -u "$1" "$2" | head -n 40 | sed 's/^/    /'
}

# is_placeholder APPLET: succeed when the applet still says "not built yet".
is_placeholder() {
	"$B/edgebox" "$1" --help 2>&1 | grep -q 'not built yet'
}
