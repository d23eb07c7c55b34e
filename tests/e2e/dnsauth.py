#!/usr/bin/env python3
"""dnsauth.py -- a small authoritative DNS server for the hostq -C tests.

Usage: dnsauth.py PORT ZONE NSNAME=NSADDR[,NSNAME=NSADDR...] LISTEN=BEHAVIOUR...

Serves one zone on every LISTEN address (UDP and TCP, the same PORT).  The
zone has an NS record for each NSNAME (relative to ZONE, in the order given)
and an A record for each NSNAME with an IPv4 NSADDR (AAAA for an IPv6 one);
an NSADDR of "none" leaves the name without an address (NXDOMAIN).
BEHAVIOUR sets how the LISTEN address replies:
  a number       authoritative answers, with that SOA serial
  refused        REFUSED to every query
  servfail       SERVFAIL to every query
  cut            the authoritative answer with its last 3 octets cut off
  silent         no reply at all
Names below ZONE that are not listed get NXDOMAIN, names outside it REFUSED.
Each query is logged to stderr as "ADDRESS NAME TYPE rd=0|1".
It stops by itself after 120 seconds.
"""
import socket
import struct
import sys
import threading
import time

TYPE_A, TYPE_NS, TYPE_SOA, TYPE_AAAA = 1, 2, 6, 28
RCODE_SERVFAIL, RCODE_NXDOMAIN, RCODE_REFUSED = 2, 3, 5
TTL = 300


def wire_name(text):
    """Return the uncompressed wire form of a dotted name."""
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def parse_question(msg):
    """Return (qid, flags, lower-case dotted name, qtype, question bytes)."""
    qid, flags = struct.unpack("!HH", msg[:4])
    off, labels = 12, []
    while msg[off] != 0:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace").lower())
        off += 1 + n
    qtype = struct.unpack("!H", msg[off + 1:off + 3])[0]
    return qid, flags, ".".join(labels), qtype, msg[12:off + 5]


class Zone:
    def __init__(self, zone, nslist):
        self.zone = zone.strip(".").lower()
        self.ns = []
        for item in nslist.split(","):
            name, addr = item.split("=", 1)
            self.ns.append((name.lower() + "." + self.zone, addr))

    def rr(self, owner, rtype, rdata):
        return wire_name(owner) + struct.pack("!HHIH", rtype, 1, TTL, len(rdata)) + rdata

    def soa(self, serial):
        rdata = (wire_name(self.ns[0][0]) + wire_name("hostmaster." + self.zone) +
                 struct.pack("!IIIII", serial, 3600, 900, 604800, 300))
        return self.rr(self.zone, TYPE_SOA, rdata)

    def lookup(self, name, qtype, serial):
        """Return (rcode, answers, authority) for one question."""
        if name != self.zone and not name.endswith("." + self.zone):
            return RCODE_REFUSED, [], []
        if name == self.zone:
            if qtype == TYPE_NS:
                return 0, [self.rr(name, TYPE_NS, wire_name(ns)) for ns, _ in self.ns], []
            if qtype == TYPE_SOA:
                return 0, [self.soa(serial)], []
            return 0, [], [self.soa(serial)]
        found = [addr for ns, addr in self.ns if ns == name and addr != "none"]
        if not found:
            return RCODE_NXDOMAIN, [], [self.soa(serial)]
        answers = []
        for addr in found:
            family = socket.AF_INET6 if ":" in addr else socket.AF_INET
            rtype = TYPE_AAAA if family == socket.AF_INET6 else TYPE_A
            if rtype == qtype:
                answers.append(self.rr(name, rtype, socket.inet_pton(family, addr)))
        return 0, answers, [] if answers else [self.soa(serial)]


def reply(zone, behaviour, listen, msg):
    """Return the reply to msg, or None for no reply."""
    if len(msg) < 17:
        return None
    qid, flags, name, qtype, question = parse_question(msg)
    print(f"{listen} {name or '.'} {qtype} rd={flags >> 8 & 1}", file=sys.stderr, flush=True)
    out_flags = 0x8000 | (flags & 0x0100)
    if behaviour == "silent":
        return None
    if behaviour in ("refused", "servfail"):
        rcode = RCODE_REFUSED if behaviour == "refused" else RCODE_SERVFAIL
        return struct.pack("!HHHHHH", qid, out_flags | rcode, 1, 0, 0, 0) + question
    serial = 1 if behaviour == "cut" else int(behaviour)
    rcode, answers, authority = zone.lookup(name, qtype, serial)
    if rcode != RCODE_REFUSED:
        out_flags |= 0x0400
    out = (struct.pack("!HHHHHH", qid, out_flags | rcode, 1, len(answers), len(authority), 0) +
           question + b"".join(answers) + b"".join(authority))
    return out[:-3] if behaviour == "cut" else out


def serve_udp(sock, zone, behaviour, listen):
    while True:
        msg, peer = sock.recvfrom(4096)
        out = reply(zone, behaviour, listen, msg)
        if out is not None:
            sock.sendto(out, peer)


def serve_tcp(sock, zone, behaviour, listen):
    while True:
        conn, _ = sock.accept()
        with conn:
            conn.settimeout(5)
            try:
                size = struct.unpack("!H", conn.recv(2))[0]
                msg = b""
                while len(msg) < size:
                    chunk = conn.recv(size - len(msg))
                    if not chunk:
                        break
                    msg += chunk
                out = reply(zone, behaviour, listen, msg)
                if out is not None:
                    conn.sendall(struct.pack("!H", len(out)) + out)
            except (OSError, struct.error):
                pass


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    zone = Zone(sys.argv[2], sys.argv[3])
    for spec in sys.argv[4:]:
        listen, behaviour = spec.split("=", 1)
        family = socket.AF_INET6 if ":" in listen else socket.AF_INET
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((listen, port))
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((listen, port))
        tcp.listen(8)
        for target, sock in ((serve_udp, udp), (serve_tcp, tcp)):
            threading.Thread(target=target, args=(sock, zone, behaviour, listen),
                             daemon=True).start()
    time.sleep(120)


if __name__ == "__main__":
    main()
