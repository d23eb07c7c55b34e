#!/usr/bin/env python3
# mkcorpus.py -- writes the seed corpora of the fuzz harnesses into
# tests/fuzz/corpus/NAME/ from tests/data and hand-built messages.
# Run from the top of the tree: python3 tests/fuzz/mkcorpus.py
import os
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(TOP, "tests", "fuzz", "corpus")


def put(name, seed, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


def wname(text):
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(ident, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


def question(name, qtype, qclass=1):
    return wname(name) + struct.pack("!HH", qtype, qclass)


def rr(owner, rtype, rdata, ttl=300, rclass=1):
    if isinstance(owner, str):
        owner = wname(owner)
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def opt(size=1232, options=b"", flags=0):
    return b"\0" + struct.pack("!HHIH", 41, size, flags, len(options)) + options


def query(ident, name, qtype, edns=None, flags=0x0100, qclass=1, options=b""):
    ar = 1 if edns else 0
    msg = header(ident, flags, 1, 0, 0, ar) + question(name, qtype, qclass)
    if edns:
        msg += opt(edns, options)
    return msg


def dns_queries():
    qs = {
        "a-local": query(0x1000, "x-k3s-m-1.edge.example.org", 1),
        "a-short": query(0x1002, "etcd", 1, edns=1232),
        "aaaa": query(0x1004, "x-k3s-m-1", 28),
        "ptr": query(0x1006, "11.7.168.192.in-addr.arpa", 12),
        "ptr6": query(0x1008, ".".join(reversed("fd000000000000000000000000070011")) +
                      ".ip6.arpa", 12),
        "mx": query(0x100a, "mx.test", 15, edns=4096),
        "srv": query(0x100c, "_ldap._tcp.test", 33),
        "txt": query(0x100e, "txt.test", 16),
        "cname": query(0x1010, "alias.test", 1),
        "cname-loop": query(0x1012, "loop.test", 1),
        "any": query(0x1014, "h.test", 255),
        "axfr": query(0x1017, "edge.example.org", 252),
        "nx-local": query(0x1018, "nope.edge.example.org", 1),
        "forward": query(0x101a, "www.example.com", 1, edns=512),
        "corp": query(0x101c, "db.corp.test", 1),
        "address": query(0x101e, "tracker.ads.test", 28),
        "block": query(0x1020, "x.block.test", 1),
        "chaos": query(0x1022, "version.bind", 16, qclass=3),
        "cookie": query(0x1024, "etcd.edge.example.org", 1, edns=1232,
                        options=struct.pack("!HH", 10, 8) + b"\x01" * 8),
        "notify": header(0x1026, 0x2000) + question("edge.example.org", 6),
        "response": header(0x1028, 0x8180) + question("etcd", 1),
        "two-questions": header(0x102a, 0x0100, 2) + question("etcd", 1) +
        b"\xc0\x0c" + struct.pack("!HH", 28, 1),
        "no-question": header(0x102c, 0x0100, 0),
        "upper": query(0x102e, "ETCD.Edge.Example.ORG", 1),
        "badvers": header(0x1030, 0x0100, 1, 0, 0, 1) + question("etcd", 1) +
        b"\0" + struct.pack("!HHIH", 41, 1232, 0x00010000, 0),
    }
    for k, v in qs.items():
        put("dnsquery", k, v)


def dns_replies():
    def reply(ident, name, qtype, answers, auth=(), add=(), flags=0x8180):
        msg = header(ident, flags, 1, len(answers), len(auth), len(add))
        msg += question(name, qtype)
        for r in list(answers) + list(auth) + list(add):
            msg += r
        return msg

    q = b"\xc0\x0c"     # the question's name
    soa = wname("ns1.example.com") + wname("hostmaster.example.com") + \
        struct.pack("!IIIII", 2024010101, 7200, 3600, 1209600, 300)
    rs = {
        "a": reply(1, "www.example.com", 1, [rr(q, 1, bytes([192, 0, 2, 1])),
                                             rr(q, 1, bytes([192, 0, 2, 2]))]),
        "aaaa": reply(2, "www.example.com", 28, [rr(q, 28, bytes(15) + b"\1")]),
        "cname": reply(3, "w.example.com", 1, [rr(q, 5, b"\3www\xc0\x0e"),
                                               rr(b"\xc0\x2b", 1, bytes([192, 0, 2, 3]))]),
        "mx": reply(4, "example.com", 15, [rr(q, 15, b"\0\x0a\4mail\xc0\x0c")]),
        "srv": reply(5, "_sip._udp.example.com", 33,
                     [rr(q, 33, struct.pack("!HHH", 10, 60, 5060) + wname("sip.example.com"))]),
        "txt": reply(6, "example.com", 16, [rr(q, 16, b"\x0bv=spf1 -all\0\x05a\"b\\c")]),
        "nxdomain": reply(7, "nope.example.com", 1, [], auth=[rr(b"\xc0\x11", 6, soa)],
                          flags=0x8183),
        "ptr": reply(8, "1.2.0.192.in-addr.arpa", 12, [rr(q, 12, wname("www.example.com"))]),
        "ns": reply(9, "example.com", 2, [rr(q, 2, wname("a.iana-servers.net")),
                                          rr(q, 2, wname("b.iana-servers.net"))],
                    add=[opt(1232, struct.pack("!HH", 10, 8) + b"\2" * 8)]),
        "soa": reply(10, "example.com", 6, [rr(q, 6, soa)], flags=0x8580),
        "dnskey": reply(11, "example.com", 48,
                        [rr(q, 48, struct.pack("!HBB", 257, 3, 13) + bytes(range(64)))]),
        "ds": reply(12, "example.com", 43,
                    [rr(q, 43, struct.pack("!HBB", 370, 13, 2) + bytes(range(32)))]),
        "rrsig": reply(13, "example.com", 46,
                       [rr(q, 46, struct.pack("!HBBIIIH", 1, 13, 2, 300, 1700000000,
                                              1690000000, 370) +
                           wname("example.com") + bytes(range(64)))]),
        "loc": reply(14, "example.com", 29,
                     [rr(q, 29, struct.pack("!BBBBIII", 0, 0x12, 0x16, 0x13,
                                            0x8b3d6e48, 0x7fc2b7b8, 0x00989680))]),
        "https": reply(15, "example.com", 65,
                       [rr(q, 65, b"\0\1\0" + struct.pack("!HH", 1, 3) + b"\2h2" +
                           struct.pack("!HH", 4, 4) + bytes([192, 0, 2, 1]))]),
        "caa": reply(16, "example.com", 257, [rr(q, 257, b"\0\5issueletsencrypt.org")]),
        "naptr": reply(17, "example.com", 35,
                       [rr(q, 35, struct.pack("!HH", 100, 10) + b"\1U\7E2U+sip" +
                           b"\x15!^.*$!sip:a@b.example!" + b"\0")]),
        "sshfp": reply(18, "example.com", 44, [rr(q, 44, b"\1\2" + bytes(range(32)))]),
        "nsec": reply(19, "example.com", 47,
                      [rr(q, 47, wname("a.example.com") + b"\0\6\x40\1\0\0\0\3")]),
        "unknown": reply(20, "example.com", 65280, [rr(q, 65280, b"\xde\xad\xbe\xef")]),
        "tc": reply(21, "example.com", 1, [], flags=0x8380),
        "servfail": reply(22, "example.com", 1, [], flags=0x8182),
        "hinfo": reply(23, "example.com", 13, [rr(q, 13, b"\3x86\5Linux")]),
        "tlsa": reply(24, "_443._tcp.example.com", 52, [rr(q, 52, b"\3\1\1" + bytes(32))]),
    }
    for k, v in rs.items():
        put("dnsreply", k, v)


def ntp_packets():
    def pkt(li, vn, mode, stratum, poll, prec, refid, ts):
        first = (li << 6) | (vn << 3) | mode
        return struct.pack("!BBbbII4s", first, stratum, poll, prec, 0x00000100,
                           0x00000200, refid) + b"".join(struct.pack("!Q", t) for t in ts)
    t = 0xe9a1b2c3 << 32
    ps = {
        "client": pkt(0, 4, 3, 0, 6, -20, b"\0\0\0\0", [0, 0, 0, t]),
        "client-v3": pkt(0, 3, 3, 0, 10, -6, b"\0\0\0\0", [0, 0, 0, t + 5]),
        "server": pkt(0, 4, 4, 2, 6, -24, b"\xc0\xa8\x07\x0b",
                      [t - (64 << 32), t, t + 1000, t + 2000]),
        "kod-rate": pkt(3, 4, 4, 0, 6, -20, b"RATE", [0, t, 0, 0]),
        "kod-deny": pkt(3, 4, 4, 0, 6, -20, b"DENY", [0, t, 0, 0]),
        "unsync": pkt(3, 4, 4, 16, 6, -20, b"\0\0\0\0", [0, t, t, t]),
        "ext": pkt(0, 4, 3, 0, 6, -20, b"\0\0\0\0", [0, 0, 0, t]) + bytes(20),
        "symactive": pkt(0, 4, 1, 3, 4, -18, b"LOCL", [t, t, t, t]),
    }
    for k, v in ps.items():
        put("ntp", k, v)


def ctl_request(magic, version, typ, seq, index=0, threshold=0.0, limit=0, has_args=0,
                good=0, most=0, target=b""):
    """Pack a struct ctl_request (core/ctl.h): 112 bytes."""
    return struct.pack("=IHHIIdiiii64s8s", magic, version, typ, seq, index, threshold, limit,
                       has_args, good, most, target, bytes(8))


def ctl_messages():
    magic, version = 0x4542434c, 2
    for typ in (1, 2, 3, 4, 5, 6, 9, 10):
        put("ctl", "request-%d" % typ, ctl_request(magic, version, typ, 100 + typ))
    put("ctl", "request-makestep-args", ctl_request(magic, version, 6, 120, threshold=0.1,
                                                    limit=1, has_args=1))
    put("ctl", "request-burst", ctl_request(magic, version, 7, 121, good=2, most=4,
                                            target=b"127.0.0.0/8"))
    put("ctl", "request-online-mask", ctl_request(magic, version, 8, 122,
                                                  target=b"255.0.0.0/127.0.0.0"))
    put("ctl", "request-offline-name", ctl_request(magic, version, 9, 123,
                                                   target=b"pool.ntp.org"))
    body = bytes(512)
    rep = struct.pack("=IHHIiII", magic, version, 2, 7, 0, 1, 3) + body
    put("ctl", "reply", rep)
    put("ctl", "short", struct.pack("=IHH", magic, version, 1))
    put("ctl", "badmagic", ctl_request(0x1234, version, 1, 1))


def configs():
    data = os.path.join(TOP, "tests", "data")
    with open(os.path.join(data, "dnsmasq.conf")) as f:
        put("dnsconf", "reference", f.read())
    put("dnsconf", "records",
        "domain=lab.test,192.168.7.0/24\nexpand-hosts\nlocal=/lab.test/\n"
        "server=/corp.test/127.0.0.2#5353\nserver=//127.0.0.3\nserver=/x.test/#\n"
        "address=/ads.test/0.0.0.0\naddress=/nx.test/\naddress=/any.test/#\n"
        "host-record=h.lab.test,h,192.0.2.5,2001:db8::5,60\n"
        "cname=alias.test,other.test,h.lab.test,30\nmx-host=lab.test,mail.lab.test,5\n"
        "mx-host=bare.test\nsrv-host=_ldap._tcp.lab.test,h.lab.test,389,1,2\n"
        "txt-record=txt.test,\"v=1\",plain\nptr-record=5.2.0.192.in-addr.arpa,h.lab.test\n"
        "cache-size=0\nneg-ttl=60\nlocal-ttl=5\nmax-ttl=600\nmin-cache-ttl=30\n"
        "max-cache-ttl=3600\nedns-packet-max=1232\n")
    put("dnsconf", "options",
        "port=5353\nlisten-address=127.0.0.1,::1\ninterface=lo\nbind-interfaces\n"
        "no-hosts\naddn-hosts=/nonexistent\nno-resolv\nresolv-file=/nonexistent\n"
        "strict-order\nall-servers\ndomain-needed\nbogus-priv\nno-negcache\n"
        "log-queries=extra\nuser=nobody\ngroup=nogroup\npid-file=\n"
        "dhcp-range=192.168.7.50,192.168.7.150,12h\nconf-file=/nonexistent\n"
        "  # comment\nbad line here\n\"quoted\"\n")
    for name in ("chrony-client.conf", "chrony-server.conf"):
        with open(os.path.join(data, name)) as f:
            put("ntpconf", name.replace(".conf", ""), f.read())
    put("ntpconf", "options",
        "server 127.0.0.1 iburst minpoll 4 maxpoll 6 prefer port 11123\n"
        "pool 127.0.0.2 maxsources 3 burst\nserver ::1 noselect offline minstratum 2\n"
        "makestep 1.0 3\nallow\ndeny 10.0.0.0/8\nallow ::1/128\nlocal stratum 10 orphan\n"
        "bindaddress 127.0.0.1\nbindcmdaddress /run/edgebox/ntpd.sock\nport 11123\n"
        "maxdistance 3\nminsources 2\nmaxslewrate 500\npidfile /run/x.pid\nuser ntp\n"
        "! comment\n% comment\nkeyfile /etc/chrony.keys\n")
    with open(os.path.join(data, "hosts")) as f:
        put("hosts", "reference", "".join(f.readlines()[:20]))
    put("hosts", "odd",
        "# comment\n192.0.2.1 a b c # trailing\n  ::1   localhost6\n"
        "fe80::1%eth0 linklocal\n300.1.1.1 bad\n192.0.2.2\n192.0.2.3 -bad- ok_name\n"
        "192.0.2.4 dot.ted. UPPER\n")
    put("resolvconf", "plain",
        "# generated\nnameserver 127.0.0.1\nnameserver ::1\nsearch a.test b.test\n"
        "options ndots:2 timeout:1 attempts:3\n")
    put("resolvconf", "odd",
        "domain lab.test\nnameserver fe80::1%lo\nnameserver 127.0.0.53 # x\n"
        "nameserver 10.0.0.1\nnameserver 10.0.0.2\n;comment\nsearch " +
        " ".join("d%d.test" % i for i in range(10)) + "\noptions rotate edns0 ndots:x\n")


if __name__ == "__main__":
    dns_queries()
    dns_replies()
    ntp_packets()
    ctl_messages()
    configs()
