#!/usr/bin/env python3
"""Prints the body of `TopMember.classify` (Sources/TrailReader/Event/TopMember.swift) for the names below.

A perfect hash of a key's last eight bytes and its length picks one candidate; the candidate is then compared as
8-byte words (constants here, so classifying a key is a few loads and compares). Run after changing the list, and
paste the output between the markers in TopMember.swift; `TopMemberTests` checks the result.
"""
import struct

NAMES = ("eventVersion userIdentity eventTime eventSource eventName awsRegion sourceIPAddress userAgent errorCode "
         "errorMessage requestParameters responseElements additionalEventData requestID eventID eventType apiVersion "
         "managementEvent readOnly resources recipientAccountId serviceEventDetails sharedEventID vpcEndpointId "
         "vpcEndpointAccountId eventCategory addendum sessionCredentialFromConsole edgeDeviceDetails tlsDetails "
         "insightDetails").split()
MASK = (1 << 64) - 1
BITS = 7


def word(b, off, size=8):
    return struct.unpack("<Q" if size == 8 else "<I", b[off:off + size])[0]


def key(b):
    n = len(b)
    tail = word(b, n - 8) if n >= 8 else word(b, n - 4, 4)
    return tail ^ n


def search(keys):
    m = 0x9E3779B97F4A7C15
    while True:
        slots = [((k * m) & MASK) >> (64 - BITS) for k in keys]
        if len(set(slots)) == len(slots):
            return m, slots
        m = (m * 0x5851F42D4C957F2D + 0x14057B7EF767814F) & MASK


def main():
    encoded = [n.encode() for n in NAMES]
    assert min(map(len, encoded)) >= 7
    m, slots = search([key(b) for b in encoded])
    print(f"    static let hashMultiplier: UInt64 = 0x{m:016X}")
    print(f"    static let hashBits: UInt64 = {BITS}")
    print()
    for name, b, s in sorted(zip(NAMES, encoded, slots), key=lambda x: x[2]):
        n = len(b)
        if n >= 8:
            offsets = list(range(0, n - 8, 8))
            checks = [f"tail == 0x{word(b, n - 8):016X}"] + [f"word(p, {o}) == 0x{word(b, o):016X}" for o in offsets]
        else:
            checks = [f"tail == 0x{word(b, n - 4, 4):08X}", f"half(p, 0) == 0x{word(b, 0, 4):08X}"]
        print(f"        case {s}:  // {name}")
        print(f"            return n == {n} && " + " && ".join(checks) + f" ? .{name} : nil")


main()
