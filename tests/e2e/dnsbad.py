#!/usr/bin/env python3
"""dnsbad.py -- a misbehaving DNS server on loopback for the hostq tests.

Usage: dnsbad.py PORT [ADDRESS]

Listens on ADDRESS (default 127.0.0.1) and PORT over UDP and TCP and answers by the first label
of the query name:
  servfail, refused, notimp, formerr, yxdomain   that rcode, no records
  timeout        no reply over UDP or TCP
  tc             UDP: TC set and no records; TCP: one A record 10.9.9.9
  tconly         like tc, but TCP closes without a reply
  badid          a reply with the wrong ID (the client keeps waiting)
  garbage        5 bytes that are no DNS message
  wrongq         a reply to another question (other.x)
  noqr           the A record, with the QR bit clear
  edns           the A record and an OPT record (payload 1232, DO set)
  badvers        an OPT record carrying extended rcode BADVERS
  cut            the A record cut off in the middle of its RDATA
  trailing       the A record followed by 3 bytes no count covers
  loop           an answer whose owner name is a compression loop
  aonly          the A record; no reply to other types
  anything else  NOERROR with one A record 10.8.8.8
It stops by itself after 120 seconds.
"""
import socket
import struct
import sys
import threading
import time

RCODES = {b"servfail": 2, b"refused": 5, b"notimp": 4, b"formerr": 1,
          b"yxdomain": 6}


def question_end(msg):
    """Return the offset after the question's name, type and class."""
    off = 12
    while msg[off] != 0:
        off += 1 + msg[off]
    return off + 5


def first_label(msg):
    n = msg[12]
    return msg[13:13 + n].lower()


def header(qid, flags, ancount, arcount):
    return struct.pack("!HHHHHH", qid, flags, 1, ancount, 0, arcount)


def a_record(owner, addr):
    """An A record with TTL 60; owner is a compression pointer."""
    return owner + struct.pack("!HHIH", 1, 1, 60, 4) + bytes(addr)


def records(label, tcp, qid, flags, question, qtype):
    """Header, question and records for the behaviour label names."""
    opt = struct.pack("!BHHIH", 0, 41, 1232, 0x8000, 0)
    if label == b"badvers":
        opt = struct.pack("!BHHIH", 0, 41, 1232, 0x01000000, 0)
        return header(qid, flags, 0, 1) + question + opt
    if label == b"loop":
        return header(qid, flags, 1, 0) + question + a_record(b"\xc0\x1d", [10, 7, 7, 7])
    if label in RCODES:
        return header(qid, flags | RCODES[label], 0, 0) + question
    if label in (b"tc", b"tconly") and not tcp:
        return header(qid, flags | 0x0200, 0, 0) + question
    if qtype != 1:
        return header(qid, flags, 0, 0) + question

    addr = [10, 9, 9, 9] if label in (b"tc", b"tconly") else [10, 8, 8, 8]
    answer = a_record(b"\xc0\x0c", addr)
    if label == b"edns":
        return header(qid, flags, 1, 1) + question + answer + opt
    out = header(qid, flags, 1, 0) + question + answer
    if label == b"cut":
        return out[:-2]
    if label == b"trailing":
        return out + b"\x01\x02\x03"
    return out


def reply(msg, tcp):
    """Build the reply to msg, or return None for no reply."""
    if len(msg) < 17:
        return None
    label = first_label(msg)
    qend = question_end(msg)
    qtype = struct.unpack("!H", msg[qend - 4:qend - 2])[0]
    if label == b"timeout" or (label == b"tconly" and tcp):
        return None
    if label == b"aonly" and qtype != 1:
        return None
    if label == b"garbage":
        return b"\x00\x01\x02\x03\x04"

    qid = struct.unpack("!H", msg[:2])[0]
    if label == b"badid":
        qid ^= 0x5a5a
    flags = 0x8000 | ((msg[2] & 0x01) << 8) | 0x0080
    if label == b"noqr":
        flags &= ~0x8000
    question = msg[12:qend]
    if label == b"wrongq":
        question = b"\x05other\x01x\x00" + msg[qend - 4:qend]
    return records(label, tcp, qid, flags, question, qtype)


def serve_udp(sock):
    while True:
        msg, peer = sock.recvfrom(4096)
        try:
            out = reply(msg, False)
        except IndexError:
            continue
        if out is not None:
            sock.sendto(out, peer)


def serve_tcp_client(conn):
    with conn:
        try:
            head = conn.recv(2)
            if len(head) < 2:
                return
            n = struct.unpack("!H", head)[0]
            msg = b""
            while len(msg) < n:
                part = conn.recv(n - len(msg))
                if not part:
                    return
                msg += part
            out = reply(msg, True)
            if out is None:
                if first_label(msg) == b"timeout":
                    time.sleep(30)
                return
            conn.sendall(struct.pack("!H", len(out)) + out)
        except (OSError, IndexError):
            return


def serve_tcp(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=serve_tcp_client, args=(conn,), daemon=True).start()


def main():
    port = int(sys.argv[1])
    addr = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(16)
    threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
    print("ready", flush=True)
    time.sleep(120)


if __name__ == "__main__":
    main()
