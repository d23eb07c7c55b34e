#!/bin/sh
# The packed binary that core/pack.c writes and core/unpack.c restores at
# run time, against edgebox.elf, the binary as linked.  The checks cover
# its program headers, size and pack table, and the output and exit status
# of commands that need no network, also with an empty or large
# environment and under ulimit -v and -s.  A dnsd on loopback must leave
# the segments of ntpd and hostq unrestored, drop its init code again after
# reloads, even 100 in a row, and resolve the lookups of 200 hostq
# processes at once.  ntpd must run its hooks, which it forks with every
# signal but SIGSEGV and SIGBUS blocked.  Both daemons must die of a
# SIGSEGV sent with kill or sigqueue.  Copies with a damaged stream or
# table, another pack magic or version, or a cut end must stop with a
# message, and the packer must reject bad input.  Builds with PACK=0 or
# SANITIZE=1 have no edgebox.elf and skip.
. "$(dirname "$0")/lib.sh"

[ -f "$B/edgebox.elf" ] || skip "$B/edgebox.elf is missing: PACK=0 and SANITIZE=1 builds are not packed"
e2e_require_cmd readelf strip file python3 timeout awk
[ "$(id -u)" -eq 0 ] || skip "dnsd and chronyd keep their sockets only as root"
e2e_timeout 150 "$@"

e2e_init
T=$E2E_TMP

# Fixed ports stay below the ephemeral range (32768 and up), where any
# client socket may hold them; the other scripts use 10000 and up.
BASE=$((6000 + ($$ % 400) * 10))
P_DNSD=$BASE		# the packed dnsd
P_NTP=$((BASE + 1))	# chronyd upstream of the packed ntpd

# Both binaries are copied, so that a rebuild during the run cannot mix
# two builds.  Each folder has links named after the applets, run as
# ./NAME from inside it, so that argv[0] is the same for both binaries.
mkdir "$T/p" "$T/e"
cp "$B/edgebox" "$T/p/edgebox"
cp "$B/edgebox.elf" "$T/e/edgebox"
for a in dnsd hostq ntpctl ntpd; do
	ln -s edgebox "$T/p/$a"
	ln -s edgebox "$T/e/$a"
done

# packtab.py reads the pack table (core/pack.h) that the program header
# of type 0x65627870 points to.
cat >"$T/packtab.py" <<'EOF'
"""packtab.py list PACKED: one line per entry: index, address, memory
size, kind (x code, w data, r constants) and group ("-" when shared).
packtab.py match PACKED LINKED: compare the entries with the loadable
segments of LINKED behind its first one, checksums included.
packtab.py flip PACKED GROUP KIND: invert the byte in the middle of the
stream of that entry.
packtab.py header PACKED FIELD VALUE, entry PACKED INDEX FIELD VALUE:
write a 32-bit field of the header or of an entry.
packtab.py sigqueue PID ADDRESS: send PID a SIGSEGV whose si_pid reads as
ADDRESS.
packtab.py header PACKED INDEX VALUE: set number INDEX of the header
(0 magic, 1 version, 2 count, 3 size) to VALUE."""
import struct
import sys

PACK_PT_TYPE = 0x65627870
PACK_MAGIC = 0x50584245


def program_headers(data):
    """(type, flags, offset, vaddr, filesz, memsz) of each program header."""
    if data[4] == 2:
        phoff, = struct.unpack_from("<Q", data, 32)
        phentsize, phnum = struct.unpack_from("<HH", data, 54)
        fields = [struct.unpack_from("<IIQQQQQ", data, phoff + i * phentsize)
                  for i in range(phnum)]
        return [(t, f, o, v, fs, ms) for t, f, o, v, _, fs, ms in fields]
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    fields = [struct.unpack_from("<IIIIIII", data, phoff + i * phentsize)
              for i in range(phnum)]
    return [(t, f, o, v, fs, ms) for t, o, v, _, fs, ms, f in fields]


def table(data):
    """The file offset of the packed segment, its header and its entries."""
    found = [ph for ph in program_headers(data) if ph[0] == PACK_PT_TYPE]
    if len(found) != 1:
        sys.exit("packtab: %d program headers of type 0x%x" % (len(found), PACK_PT_TYPE))
    start = found[0][2]
    magic, version, count, size, _ = struct.unpack_from("<IIIII", data, start)
    if magic != PACK_MAGIC:
        sys.exit("packtab: magic 0x%x, expected 0x%x" % (magic, PACK_MAGIC))
    entries = []
    for i in range(count):
        fields = struct.unpack_from("<8I8s", data, start + 20 + 40 * i)
        entries.append(fields[:8] + (fields[8].rstrip(b"\0").decode(),))
    return start, (magic, version, count, size), entries


def kind(flags):
    return "x" if flags & 1 else "w" if flags & 2 else "r"


def checksum(data):
    """pack_checksum: FNV-1a steps over little-endian 32-bit words, each
    followed by h ^= h >> 15."""
    h = 2166136261
    padded = bytes(data) + bytes(-len(data) % 4)
    whole = len(data) // 4 * 4
    words = [struct.unpack_from("<I", padded, i)[0] for i in range(0, whole, 4)]
    last = padded[whole:whole + 4] if whole < len(data) else bytes(4)
    for word in words + [struct.unpack("<I", last)[0]]:
        h = ((h ^ word) * 16777619) & 0xFFFFFFFF
        h ^= h >> 15
    return h


def match(packed, linked):
    start, header, entries = table(packed)
    # The packed entries are the linked segments that pack did not keep.
    kept = {ph[3] for ph in program_headers(packed) if ph[0] == 1}
    loads = [ph for ph in program_headers(linked) if ph[0] == 1 and ph[3] not in kept]
    errors = []
    if len(entries) != len(loads):
        errors.append("%d entries for %d segments" % (len(entries), len(loads)))
    for i, (e, ph) in enumerate(zip(entries, loads)):
        _, flags, offset, vaddr, filesz, memsz = ph
        want = (vaddr, memsz, filesz, flags)
        if e[:4] != want:
            errors.append("entry %d: %s, segment %s" % (i, e[:4], want))
        if e[4] + e[5] > header[3]:
            errors.append("entry %d: stream past the end of the segment" % i)
        if e[6] != checksum(linked[offset:offset + filesz]):
            errors.append("entry %d: checksum 0x%x differs" % (i, e[6]))
    return errors


def sigqueue(pid, address):
    """rt_sigqueueinfo(pid, SIGSEGV) with si_code SI_QUEUE and si_pid set to
    address, which a fault's si_addr would overlay."""
    import ctypes
    import os
    nr = {"x86_64": 129, "aarch64": 240}[os.uname().machine]
    info = bytearray(128)
    struct.pack_into("<iii", info, 0, 11, 0, -1)
    struct.pack_into("<II", info, 16, address, 0)
    buf = ctypes.create_string_buffer(bytes(info), 128)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(nr, pid, 11, buf) != 0:
        sys.exit("packtab: rt_sigqueueinfo: errno %d" % ctypes.get_errno())


def main():
    if sys.argv[1] == "sigqueue":
        sigqueue(int(sys.argv[2]), int(sys.argv[3], 0))
        return
    data = bytearray(open(sys.argv[2], "rb").read())
    if sys.argv[1] == "list":
        for i, e in enumerate(table(data)[2]):
            print(i, "0x%x" % e[0], e[1], kind(e[3]), e[8] or "-")
    elif sys.argv[1] == "match":
        errors = match(data, open(sys.argv[3], "rb").read())
        print("\n".join(errors))
        sys.exit(1 if errors else 0)
    elif sys.argv[1] == "flip":
        start, _, entries = table(data)
        hits = [e for e in entries if e[8] == sys.argv[3] and kind(e[3]) == sys.argv[4]]
        if len(hits) != 1:
            sys.exit("packtab: %d entries of group %s" % (len(hits), sys.argv[3]))
        pos = start + hits[0][4] + hits[0][5] // 2
        data[pos] ^= 0xFF
        open(sys.argv[2], "wb").write(data)
    elif sys.argv[1] == "header":
        start = table(data)[0]
        struct.pack_into("<I", data, start + 4 * int(sys.argv[3]), int(sys.argv[4], 0))
        open(sys.argv[2], "wb").write(data)
    elif sys.argv[1] == "entry":
        start = table(data)[0]
        struct.pack_into("<I", data, start + 20 + 40 * int(sys.argv[3]) + 4 * int(sys.argv[4]),
                         int(sys.argv[5], 0))
        open(sys.argv[2], "wb").write(data)


main()
EOF

# entry_addr GROUP KIND: the address of that entry of the pack table.
entry_addr() {
	awk -v g="$1" -v k="$2" '$5 == g && $4 == k { print $2 }' "$T/table"
}

# rss_at PID ADDRESS: the KiB that process PID has resident in the mapping
# that contains ADDRESS (0x and hexadecimal digits), or "none".
rss_at() {
	awk -v a="$2" '
	function pad(s) { while (length(s) < 16) s = "0" s; return s }
	BEGIN { a = pad(tolower(substr(a, 3))) }
	$1 ~ /^[0-9a-f]+-[0-9a-f]+$/ {
		split($1, r, "-")
		inside = pad(r[1]) <= a && a < pad(r[2])
		next
	}
	inside && $1 == "Rss:" { print $2; found = 1; exit }
	END { if (!found) print "none" }' "/proc/$1/smaps"
}

# --- the file: program headers, size, pack table ----------------------------

check "edgebox is executable" test -x "$B/edgebox"
readelf -lW "$T/p/edgebox" >"$T/phdrs" 2>&1
# Three: the unpacker, the start-up constants (left uncompressed so that
# they can be released and read back from the file) and the packed segment.
check "packed binary has three LOAD headers" \
    test "$(grep -c '^ *LOAD ' "$T/phdrs")" -eq 3
check "packed binary has one pack header (LOOS+0x5627870)" \
    test "$(grep -c '^ *LOOS+0x5627870 ' "$T/phdrs")" -eq 1
check "packed binary has no section headers" \
    sh -c "readelf -hW '$T/p/edgebox' | grep -q 'Number of section headers: *0\$'"
strip -o "$T/stripped" "$T/e/edgebox"
size_packed=$(wc -c <"$T/p/edgebox")
size_stripped=$(wc -c <"$T/stripped")
if [ "$size_packed" -lt "$size_stripped" ]; then
	pass "packed binary is smaller than edgebox.elf stripped"
else
	fail "packed binary is smaller than edgebox.elf stripped" \
	    "packed $size_packed bytes, stripped $size_stripped bytes"
fi
check "file says statically linked" \
    sh -c "file -L '$T/p/edgebox' | grep -q 'statically linked'"
if python3 "$T/packtab.py" match "$T/p/edgebox" "$T/e/edgebox" >"$T/match" 2>&1; then
	pass "pack table matches the linked segments"
else
	fail "pack table matches the linked segments" "$(cat "$T/match")"
fi
python3 "$T/packtab.py" list "$T/p/edgebox" >"$T/table" 2>&1

if [ -x "$B/pack" ]; then
	fast=$(sed -n 's/^PACK_FAST = //p' "$(dirname "$0")/../../Makefile")
	"$B/pack" -f "$fast" "$T/e/edgebox" "$T/repacked" >"$T/pack.out" 2>&1
	check "pack gives the same file again" cmp -s "$T/repacked" "$T/p/edgebox"
	check "pack output is executable" test -x "$T/repacked"
fi

# --- same output as edgebox.elf ---------------------------------------------

cat >"$T/dnsd.conf" <<EOF
port=$P_DNSD
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
user=root
pid-file=
address=/x.test/127.0.0.9
host-record=h.test,127.0.0.7
EOF
printf 'no-resolv\nno-such-option\nport=70000\n' >"$T/bad.conf"

# run_in DIR ARG...: run ./ARG... inside DIR, output to DIR.out, DIR.err and
# DIR.rc.  When RUN_PREFIX is set, its words (split at blanks) are a command
# that runs ./ARG..., such as env -i.
RUN_PREFIX=
run_in() {
	_dir=$1
	shift
	(cd "$_dir" && exec timeout 10 $RUN_PREFIX ./"$@") >"$_dir.out" 2>"$_dir.err" </dev/null
	echo $? >"$_dir.rc"
}

# same_as_linked WHAT ARG...: the packed binary and edgebox.elf, run as
# ./ARG..., print the same and exit with the same status, and that status
# is neither a signal's nor timeout's 124.
same_as_linked() {
	_what=$1
	shift
	run_in "$T/p" "$@"
	run_in "$T/e" "$@"
	if cmp -s "$T/p.out" "$T/e.out" && cmp -s "$T/p.err" "$T/e.err" &&
	    cmp -s "$T/p.rc" "$T/e.rc" && [ "$(cat "$T/p.rc")" -ne 124 ] &&
	    [ "$(cat "$T/p.rc")" -lt 128 ]; then
		pass "$_what: same as edgebox.elf"
	else
		fail "$_what: same as edgebox.elf" "status $(cat "$T/p.rc"), edgebox.elf $(cat "$T/e.rc")
$(show_diff "$T/p.out" "$T/e.out")
$(show_diff "$T/p.err" "$T/e.err")"
	fi
}

same_as_linked "edgebox --list" edgebox --list
same_as_linked "edgebox --version" edgebox --version
same_as_linked "edgebox --help" edgebox --help
same_as_linked "unknown applet" edgebox no-such-applet
same_as_linked "hostq usage error" hostq
same_as_linked "hostq -V" hostq -V
same_as_linked "ntpd -h" ntpd -h
same_as_linked "ntpd -p with directives" ntpd -p "server 127.0.0.1 iburst" \
    "hookdir $T/hooks" "port 0"
same_as_linked "ntpd -p config error" ntpd -p "server" "no-such-directive 1"
same_as_linked "ntpctl --help" ntpctl --help
same_as_linked "ntpctl -h without socket" ntpctl -h
same_as_linked "ntpctl without ntpd" ntpctl -h "$T/none.sock" tracking
same_as_linked "dnsd --help" dnsd --help
same_as_linked "dnsd --test" dnsd --test -C "$T/dnsd.conf"
same_as_linked "dnsd --test config errors" dnsd --test -C "$T/bad.conf"
same_as_linked "dnsd --explain address=" dnsd -C "$T/dnsd.conf" --explain a.x.test
same_as_linked "dnsd --explain host-record AAAA" dnsd -C "$T/dnsd.conf" --explain h.test AAAA

# The unpacker finds the program headers behind the environment, and its
# fault handler runs on the applet's stack, so the environment, long
# arguments and limits on memory and stack must not change the outcome.

# limit OPTION KIB COMMAND...: run the command under ulimit OPTION KIB.
cat >"$T/limit" <<'EOF'
#!/bin/sh
ulimit "$1" "$2" || exit 99
shift 2
exec "$@"
EOF
chmod 755 "$T/limit"
long_name=$(printf '%0100000d' 0 | tr 0 a)
many_vars=$(awk 'BEGIN { for (i = 0; i < 20000; i++) printf "V%d=%030d ", i, 0 }')
for prefix in "env -i" "env $many_vars" "$T/limit -v 8192" "$T/limit -s 64"; do
	RUN_PREFIX=$prefix
	case $prefix in
	"env V"*) what="20000 variables" ;;
	"$T/limit "*) what="ulimit ${prefix#"$T/limit "}" ;;
	*) what=$prefix ;;
	esac
	same_as_linked "$what, edgebox --version" edgebox --version
	same_as_linked "$what, hostq usage error" hostq
	same_as_linked "$what, hostq refused lookup" hostq -W 1 -p 1 a.test 127.0.0.1
	same_as_linked "$what, ntpd -p" ntpd -p "server 127.0.0.1 iburst" "port 0"
	same_as_linked "$what, dnsd --test" dnsd --test -C "$T/dnsd.conf"
done
RUN_PREFIX=
same_as_linked "hostq with a 100000-byte name" hostq -W 1 -p 1 "$long_name" 127.0.0.1

# --- a running dnsd ----------------------------------------------------------

# lookup NAME: the A record of NAME from the packed dnsd, asked with dig,
# or with edgebox.elf's hostq where dig is missing.
lookup() {
	if command -v dig >/dev/null 2>&1; then
		dig @127.0.0.1 -p "$P_DNSD" +time=1 +tries=1 +short "$1" A 2>&1
	else
		"$T/e/hostq" -W 1 -p "$P_DNSD" "$1" 127.0.0.1 2>&1 | sed -n 's/.* has address //p'
	fi
}

# resolves_to NAME ADDRESS: succeed when the packed dnsd returns ADDRESS for NAME.
resolves_to() {
	[ "$(lookup "$1")" = "$2" ]
}

# not_resident PID GROUP KIND WHO: a check that PID has nothing resident
# of that entry of the pack table.
not_resident() {
	_addr=$(entry_addr "$2" "$3")
	_rss=$(rss_at "$1" "${_addr:-0x0}")
	if [ -n "$_addr" ] && [ "$_rss" = 0 ]; then
		pass "$4 leaves $2 $3 segment unrestored"
	else
		fail "$4 leaves $2 $3 segment unrestored" "address '$_addr', Rss '$_rss' kB"
	fi
}

# released PID GROUP KIND: succeed when PID has nothing resident of that
# entry of the pack table.
released() {
	[ "$(rss_at "$1" "$(entry_addr "$2" "$3")")" = 0 ]
}

# count_lines FILE PATTERN: the number of lines of FILE that match.
count_lines() {
	grep -c -- "$2" "$1" 2>/dev/null
}

# more_lines FILE PATTERN N: succeed when more than N lines of FILE match.
more_lines() {
	[ "$(count_lines "$1" "$2")" -gt "$3" ]
}

# ends_on_segv PID WHO: a check that kill -SEGV ends PID with signal 11
# (status 139) within 5 s.  The unpacker's SIGSEGV handler receives the
# signal first and must pass on one that kill(2) sent.
ends_on_segv() {
	kill -SEGV "$1"
	if wait_until 5 has_exited "$1"; then
		wait "$1"
		_rc=$?
	else
		_rc="still running"
		daemon_stop "$1"
	fi
	if [ "$_rc" = 139 ]; then
		pass "kill -SEGV ends $2 with signal 11"
	else
		fail "kill -SEGV ends $2 with signal 11" "status $_rc"
	fi
}

local_start "$T/dnsd.log" "$T/p/dnsd" -d -C "$T/dnsd.conf"
D=$E2E_PID
if wait_until 5 resolves_to a.x.test 127.0.0.9; then
	pass "packed dnsd resolves x.test"
else
	fail "packed dnsd resolves x.test" "$(lookup a.x.test; cat "$T/dnsd.log")"
fi
for g in ntp hostq; do
	not_resident "$D" "$g" x dnsd
	not_resident "$D" "$g" r dnsd
done
not_resident "$D" init x "started dnsd"
# The start-up constants stay uncompressed in the file, and layout_drop_init
# releases them as in an unpacked binary.
init_r=0x$(nm "$T/e/edgebox" | awk '$3 == "edgebox_init_rodata_start" { print $1 }')
check "started dnsd holds no start-up constants" test "$(rss_at "$D" "$init_r")" = 0

echo "address=/y.test/127.0.0.10" >>"$T/dnsd.conf"
kill -HUP "$D"
if wait_until 5 file_has "$T/dnsd.log" 'reloaded' && resolves_to y.test 127.0.0.10 &&
    resolves_to a.x.test 127.0.0.9; then
	pass "packed dnsd resolves after SIGHUP"
else
	fail "packed dnsd resolves after SIGHUP" "$(lookup y.test; cat "$T/dnsd.log")"
fi
not_resident "$D" init x "reloaded dnsd"
check "packed dnsd runs after SIGHUP" daemon_alive "$D"

# A reload storm: each SIGHUP runs the init code, which faults in again,
# and the lookup right after it must get its address.  Then 50 more SIGHUPs
# at once, which the kernel may merge.
reloads=$(count_lines "$T/dnsd.log" 'reloading on SIGHUP')
i=0
while [ "$i" -lt 50 ]; do
	kill -HUP "$D"
	resolves_to a.x.test 127.0.0.9 || break
	i=$((i + 1))
done
if [ "$i" -eq 50 ]; then
	pass "packed dnsd answers between 50 SIGHUPs"
else
	fail "packed dnsd answers between 50 SIGHUPs" "lookup $((i + 1)) was not answered
$(tail -n 5 "$T/dnsd.log")"
fi
i=0
while [ "$i" -lt 50 ]; do
	kill -HUP "$D"
	i=$((i + 1))
done
check "packed dnsd reloads during the storm" \
    wait_until 5 more_lines "$T/dnsd.log" 'reloading on SIGHUP' "$((reloads + 1))"
check "packed dnsd resolves after the storm" wait_until 5 resolves_to a.x.test 127.0.0.9
check "packed dnsd drops its init code after the storm" wait_until 5 released "$D" init x
check "packed dnsd runs after the storm" daemon_alive "$D"

# 200 packed hostq processes at once, each restoring its own segments.
mkdir "$T/many"
pids=
i=0
while [ "$i" -lt 200 ]; do
	(cd "$T/p" && exec timeout 20 ./hostq -W 5 -p "$P_DNSD" "a$i.x.test" 127.0.0.1) \
	    >"$T/many/$i.out" 2>&1 </dev/null 8>&- 9>&- &
	pids="$pids $!"
	i=$((i + 1))
done
failed=0
for pid in $pids; do
	wait "$pid" || failed=$((failed + 1))
done
answered=$(grep -l 'has address 127\.0\.0\.9$' "$T/many/"*.out | wc -l)
if [ "$failed" -eq 0 ] && [ "$answered" -eq 200 ]; then
	pass "200 parallel hostq get answers"
else
	fail "200 parallel hostq get answers" "$failed failed, $answered answered"
fi

ends_on_segv "$D" "packed dnsd"

# A queued SIGSEGV whose si_pid reads as an address in an unrestored code
# segment is no fault: it must end dnsd, not restore that segment.
local_start "$T/dnsd-q.log" "$T/p/dnsd" -d -C "$T/dnsd.conf"
D=$E2E_PID
if wait_until 5 resolves_to a.x.test 127.0.0.9 &&
    python3 "$T/packtab.py" sigqueue "$D" "$(entry_addr ntp x)" 2>"$T/sigqueue.err"; then
	if wait_until 5 has_exited "$D"; then
		wait "$D"
		rc=$?
	else
		rc="still running"
		daemon_stop "$D"
	fi
	check "a queued SIGSEGV ends packed dnsd with signal 11 ($rc)" test "$rc" = 139
else
	echo "SKIP: queued SIGSEGV: $(cat "$T/sigqueue.err")"
	daemon_stop "$D"
fi

# --- ntpd hooks ---------------------------------------------------------------
# ntpd -x polls a chronyd -x on loopback every 0.25 s; the hook writes its
# argument.  Neither daemon may change the clock.  After the sync hook,
# SIGHUP makes ntpd run its init code and drop it again, and stopping
# chronyd makes ntpd lose the source and run the hook for unsync.

if command -v chronyd >/dev/null 2>&1; then
	mkdir -m 700 "$T/chrony"
	mkdir "$T/hooks"
	printf '#!/bin/sh\necho "$1" >>"%s"\n' "$T/hook.out" >"$T/hooks/50-record"
	chmod 755 "$T/hooks/50-record"
	cat >"$T/chrony.conf" <<EOF
local stratum 3
allow 127.0.0.1
port $P_NTP
cmdport 0
bindcmdaddress $T/chrony/chronyd.sock
pidfile $T/chrony/chronyd.pid
driftfile $T/chrony/chronyd.drift
user root
EOF
	local_start "$T/chronyd.log" chronyd -x -d -f "$T/chrony.conf"
	C=$E2E_PID
	local_start "$T/ntpd.log" "$T/p/ntpd" -x -d -t 60 \
	    "server 127.0.0.1 port $P_NTP minpoll -2 maxpoll -2" "hookdir $T/hooks" \
	    "bindcmdaddress $T/ntpd.sock" "port 0"
	N=$E2E_PID
	if wait_until 10 file_has "$T/hook.out" '^sync$'; then
		pass "packed ntpd runs the sync hook"
	else
		fail "packed ntpd runs the sync hook" "$(cat "$T/ntpd.log" "$T/chronyd.log")"
	fi
	check "packed ntpd runs after the sync hook" daemon_alive "$N"
	not_resident "$N" init x "started ntpd"
	not_resident "$N" dns x "ntpd"

	kill -HUP "$N"
	if wait_until 5 file_has "$T/ntpd.log" 'config read again'; then
		pass "packed ntpd reloads on SIGHUP"
	else
		fail "packed ntpd reloads on SIGHUP" "$(cat "$T/ntpd.log")"
	fi
	not_resident "$N" init x "reloaded ntpd"
	daemon_stop "$C"
	if wait_until 10 file_has "$T/hook.out" '^unsync$' && daemon_alive "$N"; then
		pass "packed ntpd runs the unsync hook and goes on"
	else
		fail "packed ntpd runs the unsync hook and goes on" \
		    "$(cat "$T/hook.out" "$T/ntpd.log" 2>/dev/null)"
	fi
	check "ntpd log has no hook error" sh -c "! grep -q 'hook' '$T/ntpd.log'"

	# 20 SIGHUPs, 0.05 s apart, after the source is gone, so that no
	# hook runs on the way.
	reloads=$(count_lines "$T/ntpd.log" 'config read again')
	i=0
	while [ "$i" -lt 20 ]; do
		kill -HUP "$N"
		sleep 0.05
		i=$((i + 1))
	done
	check "packed ntpd reloads during the storm" \
	    wait_until 5 more_lines "$T/ntpd.log" 'config read again' "$reloads"
	check "packed ntpd drops its init code after the storm" wait_until 5 released "$N" init x
	timeout 5 "$T/e/ntpctl" -h "$T/ntpd.sock" tracking >"$T/tracking" 2>&1
	check "ntpctl gets an answer after the storm" test "$?" -eq 0
	ends_on_segv "$N" "packed ntpd"
else
	echo "SKIP: ntpd hooks: chronyd is not installed"
fi

# --- damaged copies ------------------------------------------------------------

# copy_of NAME: a copy of the packed binary in $T/NAME, with a link hostq.
copy_of() {
	mkdir "$T/$1"
	cp "$T/p/edgebox" "$T/$1/edgebox"
	ln -s edgebox "$T/$1/hostq"
}

# damaged NAME GROUP KIND: copy_of NAME, whose stream of that entry has
# one byte inverted.
damaged() {
	copy_of "$1"
	python3 "$T/packtab.py" flip "$T/$1/edgebox" "$2" "$3"
}

# stops_corrupt NAME WHAT [MESSAGE]: hostq of copy NAME exits with status
# 127, not a signal's, and prints MESSAGE, a basic regular expression that
# defaults to the unpacker's message for a damaged segment.  hostq is given
# a server and port 1, so that it sends nothing off loopback if it runs on.
stops_corrupt() {
	run_in "$T/$1" hostq -p 1 -W 1 a.test 127.0.0.1
	if [ "$(cat "$T/$1.rc")" -eq 127 ] &&
	    file_has "$T/$1.err" "${3:-a packed segment is corrupt}"; then
		pass "hostq with $2 exits 127"
	else
		fail "hostq with $2 exits 127" "status $(cat "$T/$1.rc")
$(cat "$T/$1.out" "$T/$1.err")"
	fi
}

damaged badconst hostq r
stops_corrupt badconst "damaged constants"
run_in "$T/badconst" edgebox --version
check "damaged hostq constants leave --version working" \
    sh -c "[ \"\$(cat '$T/badconst.rc')\" -eq 0 ] && grep -q '^edgebox ' '$T/badconst.out'"
# The code that hostq runs lies in the hot segment (core/layout.ld).
damaged badcode hot x
stops_corrupt badcode "damaged code"

copy_of badmagic
python3 "$T/packtab.py" header "$T/badmagic/edgebox" 0 0x50584246
stops_corrupt badmagic "another pack magic" 'packed segments are truncated, corrupt or of another version'
copy_of badversion
python3 "$T/packtab.py" header "$T/badversion/edgebox" 1 2
stops_corrupt badversion "another pack version" 'packed segments are truncated, corrupt or of another version'
# The unpacker checks the table (a checksum of the entries, counts,
# sizes and addresses) before it trusts it.
for damage in "header 2 0:a count of 0" "header 2 12:a count of 12" \
    "entry 12 2 0x7fffffff:a huge filesz" "entry 3 0 0x400000:an address in the first segment" \
    "entry 12 3 5:data flags made executable"; do
	spec=${damage%%:*}
	name=$(echo "$spec" | tr ' ' '_')
	copy_of "$name"
	# shellcheck disable=SC2086
	python3 "$T/packtab.py" "${spec%% *}" "$T/$name/edgebox" ${spec#* }
	stops_corrupt "$name" "${damage#*:}" 'packed segments are truncated, corrupt or of another version'
done

# A copy that lost the end of its file: the unpacker compares the file's
# size with the packed segment's end before it reads the segment.
size=$(wc -c <"$T/p/edgebox")
tail_bytes=$((size % $(getconf PAGESIZE)))
if [ "$tail_bytes" -ge 2 ]; then
	copy_of cut
	head -c "$((size - tail_bytes / 2))" "$T/p/edgebox" >"$T/cut/edgebox"
	stops_corrupt cut "the end of the file cut off" \
	    'packed segments are truncated, corrupt or of another version'
else
	echo "SKIP: truncated copy: the file ends $tail_bytes bytes into a page"
fi
# Cut further, a read of the packed segment would raise SIGBUS.
for cut in 2000 $((size / 2)); do
	copy_of "cut$cut"
	head -c "$((size - cut))" "$T/p/edgebox" >"$T/cut$cut/edgebox"
	stops_corrupt "cut$cut" "the last $cut bytes cut off" \
	    'packed segments are truncated, corrupt or of another version'
done

# --- the packer's errors -------------------------------------------------------

if [ -x "$B/pack" ]; then
	echo "not an ELF file" >"$T/text"
	"$B/pack" "$T/text" "$T/out.text" >"$T/pack.text" 2>&1
	rc=$?
	check "pack rejects a text file with status 1" test "$rc" -eq 1
	check "pack message names the text file" file_has "$T/pack.text" "$T/text: not an ELF file"
	check "pack leaves no output for a text file" test ! -e "$T/out.text"
	if file -L /bin/true | grep -q 'pie executable'; then
		"$B/pack" /bin/true "$T/out.pie" >"$T/pack.pie" 2>&1
		rc=$?
		check "pack rejects a PIE with status 1" test "$rc" -eq 1
		check "pack message says the PIE is not ET_EXEC" \
		    file_has "$T/pack.pie" '/bin/true: not a position-dependent executable'
		check "pack leaves no output for a PIE" test ! -e "$T/out.pie"
	fi
	"$B/pack" "$T/p/edgebox" "$T/out.twice" >"$T/pack.twice" 2>&1
	rc=$?
	check "pack rejects a packed binary with status 1" test "$rc" -eq 1
	check "pack leaves no output for a packed binary" test ! -e "$T/out.twice"

	"$B/pack" "$T/e/edgebox" "$T/nodir/out" >"$T/pack.nodir" 2>&1
	rc=$?
	check "pack fails with status 1 on a missing folder" test "$rc" -eq 1
	check "pack message names the output path" file_has "$T/pack.nodir" "$T/nodir/out"

	# A 16 KiB tmpfs in a mount namespace of its own is too small for
	# the output, so the write fails part way.
	mkdir "$T/full"
	if unshare -m true 2>/dev/null; then
		unshare -m sh -c 'mount -t tmpfs -o size=16k none "$1" || exit 99
		    "$2" "$3" "$1/out"
		    rc=$?
		    ls -A "$1" >"$4"
		    exit $rc' sh "$T/full" "$B/pack" "$T/e/edgebox" "$T/full.list" \
		    >"$T/pack.full" 2>&1
		rc=$?
		check "pack fails with status 1 on a full disk" test "$rc" -eq 1
		check "pack leaves no file behind on a full disk" test ! -s "$T/full.list"
	else
		echo "SKIP: pack on a full disk: unshare -m failed"
	fi
fi
exit "$E2E_FAIL"
