#!/usr/bin/env python3
"""dnsslow.py -- a slow upstream DNS server on loopback for dnsd's forwarding tests.

Usage: dnsslow.py PORT DELAY LOG

Answers every UDP query DELAY seconds after it arrives with one A record,
TTL 60: 10.1.0.1 when the query had the DO bit (RFC 3225), else 10.1.0.0.
A name whose first label is "sig" also gets an RRSIG record when DO was
set, and a query with an OPT record gets an OPT with DO copied.  Each
query is logged to LOG as "NAME DO CD" (lower-case name, 0 or 1) when it
arrives.  It stops by itself after 170 seconds.
"""
import heapq
import socket
import struct
import sys
import time

port, delay, logname = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]


def parse(msg):
    """Return (name, qtype, end of question, DO) of a query."""
    off, labels = 12, []
    while msg[off] != 0:
        labels.append(msg[off + 1:off + 1 + msg[off]].decode("ascii", "replace").lower())
        off += 1 + msg[off]
    qtype = struct.unpack("!H", msg[off + 1:off + 3])[0]
    end = off + 5
    do = False
    arcount = struct.unpack("!H", msg[10:12])[0]
    if arcount and len(msg) >= end + 11 and msg[end] == 0:
        ttl = struct.unpack("!I", msg[end + 5:end + 9])[0]
        do = bool(ttl & 0x8000)
    return ".".join(labels), qtype, end, do, arcount > 0


def reply(msg):
    name, qtype, end, do, edns = parse(msg)
    qid, flags = struct.unpack("!HH", msg[:4])
    cd = flags & 0x0010
    rrs = [b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([10, 1, 0, 1 if do else 0])]
    if do and name.split(".")[0] == "sig":
        sig = struct.pack("!HBBIIIH", 1, 13, 2, 60, 2000000000, 1700000000, 4242)
        sig += b"\x04slow\x04test\x00" + b"\x01" * 64
        rrs.append(b"\xc0\x0c" + struct.pack("!HHIH", 46, 1, 60, len(sig)) + sig)
    add = []
    if edns:
        add.append(b"\x00" + struct.pack("!HHIH", 41, 1232, 0x8000 if do else 0, 0))
    hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | cd, 1, len(rrs), 0, len(add))
    return name, do, cd, hdr + msg[12:end] + b"".join(rrs) + b"".join(add)


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    s.bind(("127.0.0.1", port))
    log = open(logname, "a", buffering=1)
    queue, seq = [], 0
    stop = time.time() + 170
    while time.time() < stop:
        now = time.time()
        while queue and queue[0][0] <= now:
            _, _, data, peer = heapq.heappop(queue)
            s.sendto(data, peer)
        s.settimeout(max(0.001, queue[0][0] - now) if queue else 0.5)
        try:
            msg, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        try:
            name, do, cd, data = reply(msg)
        except (IndexError, struct.error):
            continue
        log.write("%s %d %d\n" % (name, do, 1 if cd else 0))
        seq += 1
        heapq.heappush(queue, (time.time() + delay, seq, data, peer))


main()
