#!/bin/sh
# hotpath.sh -- list the shared functions that typical hostq lookups and a
# serving dnsd run, as the linker script lines of core/layout.hostq.ld.
#
# Usage: sh bench/hostq/hotpath.sh [BUILD_DIR] > core/layout.hostq.ld
#
# In a packed binary (core/pack.h) a lookup decompresses every code
# segment it touches, and hostq runs once per lookup, so the shared code
# it runs sits in one small segment of its own (.text.hot in
# core/layout.ld), beside hostq's own segments.  The shared code that dnsd
# runs once started joins it, so that dnsd can release the rest after
# start (layout_drop_init).
# This script runs hostq under callgrind against a dnsmasq on loopback
# (A, AAAA, MX, TXT, CNAME, PTR, NXDOMAIN and a refused server).  It finds
# the input section of each function that ran in BUILD_DIR/edgebox.map and
# prints one rule per section.  A function missing from the list only
# costs time: hostq then restores the segment that contains it.  Run it
# after changes to hostq's code paths.
set -u
B=${1:-build}
ELF=$B/edgebox
[ -f "$B/edgebox.elf" ] && ELF=$B/edgebox.elf
MAP=$B/edgebox.map
PORT=${BENCH_PORT:-15375}
NAME=node1.bench.test
BENCH_TAG=hotpath
PIDS=
. "$(dirname "$0")/../lib.sh"

need valgrind valgrind
need dnsmasq dnsmasq
[ -f "$MAP" ] || die "$MAP not found: run make first"

WORK=$(mktemp -d)
trap cleanup EXIT

cat >"$WORK/hosts" <<EOF
198.18.0.1 $NAME
2001:db8::1 $NAME
EOF
# dnsmasq reads the hosts file as nobody.
chmod 755 "$WORK"
chmod 644 "$WORK/hosts"
dnsmasq -k -C /dev/null --port="$PORT" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --addn-hosts="$WORK/hosts" --mx-host="$NAME,$NAME,10" \
    --txt-record="$NAME,hello" --cname="alias.bench.test,$NAME" \
    --pid-file="$WORK/dnsmasq.pid" --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
PIDS="$PIDS $!"
tries=50
until host -W 1 -p "$PORT" -t A "$NAME" 127.0.0.1 >/dev/null 2>&1; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || die "dnsmasq on 127.0.0.1:$PORT does not respond: $(cat "$WORK/dnsmasq.log")"
	sleep 0.1
done

ln -s "$(cd "$(dirname "$ELF")" && pwd)/$(basename "$ELF")" "$WORK/hostq"
n=0
for args in "$NAME" "-t A $NAME" "-t AAAA $NAME" "-t MX $NAME" "-t TXT $NAME" \
    "alias.bench.test" "-t PTR 198.18.0.1" "missing.bench.test" "-v $NAME" "-a $NAME"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$n" \
	    "$WORK/hostq" -W 2 -p "$PORT" $args 127.0.0.1 >/dev/null 2>&1
done
valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.refused" \
    "$WORK/hostq" -W 1 -p 1 "$NAME" 127.0.0.1 >/dev/null 2>&1

# dnsd's event loop, and what it calls, while it resolves local names,
# forwards to the dnsmasq above and reloads: the shared code it runs after
# start.  It stays root (user=root) so that callgrind can write its output.
DNSD_PORT=$((PORT + 1))
cat >"$WORK/dnsd.conf" <<EOF
no-resolv
no-hosts
port=$DNSD_PORT
listen-address=127.0.0.1
bind-interfaces
user=root
address=/x.test/127.0.0.9
host-record=h.test,10.0.0.1
cache-size=100
server=127.0.0.1#$PORT
EOF
ln -s "$(cd "$(dirname "$ELF")" && pwd)/$(basename "$ELF")" "$WORK/dnsd"
valgrind --tool=callgrind --toggle-collect=loop_run --callgrind-out-file="$WORK/cg.dnsd" \
    "$WORK/dnsd" -d -C "$WORK/dnsd.conf" >"$WORK/dnsd.log" 2>&1 &
DNSD_PID=$!
PIDS="$PIDS $DNSD_PID"
tries=100
until host -W 1 -p "$DNSD_PORT" -t A a.x.test 127.0.0.1 >/dev/null 2>&1; do
	tries=$((tries - 1))
	[ $tries -gt 0 ] || die "dnsd under callgrind does not respond: $(cat "$WORK/dnsd.log")"
	sleep 0.1
done
for name in a.x.test h.test "$NAME" "$NAME" missing.bench.test; do
	host -W 3 -p "$DNSD_PORT" "$name" 127.0.0.1 >/dev/null 2>&1
	host -W 3 -T -p "$DNSD_PORT" -t A "$name" 127.0.0.1 >/dev/null 2>&1
done
kill -HUP "$DNSD_PID"
sleep 1
host -W 3 -p "$DNSD_PORT" -t A a.x.test 127.0.0.1 >/dev/null 2>&1
stop "$DNSD_PID"

# Function names from callgrind's fn= and cfn= lines: with name compression
# a name appears once, as "(id) name", at its first use as caller or callee.
sed -n 's/^c\{0,1\}fn=([0-9]*) \(.*\)/\1/p' "$WORK"/cg.* | sort -u >"$WORK/functions"
nm "$ELF" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' | sort >"$WORK/symbols"

python3 - "$WORK/functions" "$WORK/symbols" "$MAP" <<'EOF'
"""Print a linker script rule for the input section of each function."""
import re
import sys

functions = set(open(sys.argv[1]).read().split())
addresses = set()
for line in open(sys.argv[2]):
    address, name = line.split()
    if name in functions:
        addresses.add(int(address, 16))

# Input sections of the map: ".text.NAME ADDRESS SIZE OBJECT", where a long
# name puts the numbers on the next line.
sections = []
pending = None
output = None
for line in open(sys.argv[3]):
    m = re.match(r"^(\.\S+)", line)
    if m:
        output = m.group(1)
    # The unpacker's own code stays where it is: it runs before any restore.
    if output == ".text.boot":
        continue
    m = re.match(r"^ (\.text\S*)\s*$", line)
    if m:
        pending = m.group(1)
        continue
    m = re.match(r"^ (\.text\S*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", line)
    if m and (m.group(1) or pending):
        sections.append((m.group(1) or pending, int(m.group(2), 16),
                         int(m.group(3), 16), m.group(4)))
    pending = None

# Objects that layout.ld already places in hostq's own segments: gathering
# their functions too would make the daemons, which restore the hot segment
# for the shared functions in it, hold hostq's code as well.
OWN = ("applets/", "core/lookup.o", "core/dnswire_text.o")

rules = set()
for name, start, size, obj in sections:
    if not any(start <= a < start + size for a in addresses):
        continue
    if any(own in obj for own in OWN):
        continue
    if "libc.a(" in obj:
        member = obj[obj.index("(") + 1:-1]
        rules.add("*libc.a:%s(%s)" % (member, name))
    elif obj.endswith(".o") and "/obj/" in obj:
        rules.add("*%s(%s)" % (obj[obj.index("/obj/") + 5:], name))
print("/* Generated by bench/hostq/hotpath.sh: the code that hostq lookups run. */")
for rule in sorted(rules):
    print(rule)
EOF
