"""dnsq.py -- build DNS queries and read the A records of replies, for the
end-to-end scripts' Python helpers (import it with tests/e2e on sys.path)."""
import socket
import struct


def wire(name):
    """The wire form of a dotted name."""
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def query(qid, name, qtype=1):
    """A query with RD set, one question of class IN and no EDNS."""
    return (struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire(name) +
            struct.pack("!HH", qtype, 1))


def skip_name(msg, off):
    """The offset after the name at off; a pointer ends a name."""
    while True:
        if msg[off] >= 0xc0:
            return off + 2
        if msg[off] == 0:
            return off + 1
        off += msg[off] + 1


def a_records(msg):
    """The rcode and the addresses of the answer's A records, in order."""
    qd, an = struct.unpack("!HH", msg[4:8])
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    addrs = []
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if rtype == 1 and rdlen == 4:
            addrs.append(socket.inet_ntoa(msg[off:off + 4]))
        off += rdlen
    return msg[3] & 15, addrs
