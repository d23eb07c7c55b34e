#!/usr/bin/env python3
"""dnsburst.py -- send many UDP queries at once and count the replies.

Usage: dnsburst.py PORT COUNT NAME [WAIT]

Sends COUNT A queries for NAME ("%d" in it becomes the query number)
from one socket, with EDNS(0) and a 3 ms pause after every 32 (so the
kernel's receive buffers, about 256 datagrams, never overflow), then collects replies
for up to WAIT seconds (default 4).  Prints one line:
"sent N answered N noerror N servfail N refused N other N right N", where right
counts NOERROR replies whose first answer is 10.1.0.0.
"""
import socket
import struct
import sys
import time

port, count, pattern = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
wait = float(sys.argv[4]) if len(sys.argv) > 4 else 4.0


def query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode("ascii")
    q += b"\x00" + struct.pack("!HH", 1, 1)
    return q + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)


def first_a(msg):
    off = 12
    while msg[off] != 0:
        off += 1 + msg[off]
    off += 5
    if struct.unpack("!H", msg[6:8])[0] == 0:
        return None
    off += 2 if msg[off] & 0xc0 == 0xc0 else 0
    rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
    return msg[off + 10:off + 14] if rtype == 1 and rdlen == 4 else None


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
s.connect(("127.0.0.1", port))
for i in range(count):
    name = pattern.replace("%d", str(i)) if "%d" in pattern else pattern
    s.send(query(i, name))
    if i % 32 == 31:
        time.sleep(0.003)
seen, counts = set(), {"noerror": 0, "servfail": 0, "refused": 0, "other": 0, "right": 0}
end = time.time() + wait
while len(seen) < count and time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        msg = s.recv(4096)
    except socket.timeout:
        break
    qid = struct.unpack("!H", msg[:2])[0]
    if qid in seen or qid >= count:
        continue
    seen.add(qid)
    rcode = msg[3] & 0xf
    key = {0: "noerror", 2: "servfail", 5: "refused"}.get(rcode, "other")
    counts[key] += 1
    if rcode == 0 and first_a(msg) == bytes([10, 1, 0, 0]):
        counts["right"] += 1
print("sent %d answered %d noerror %d servfail %d refused %d other %d right %d" % (
    count, len(seen), counts["noerror"], counts["servfail"], counts["refused"],
    counts["other"], counts["right"]))
