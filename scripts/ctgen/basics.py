"""Basics: the accounts, seeded ids and keys, CloudTrail's time formats, gzip and compact JSON."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import zlib


UTC = dt.timezone.utc
A1 = "111122223333"  # account trail
A2 = "444455556666"  # organization management account, organization trail
A3 = "777788889999"  # corpus only
ORG_ID = "o-exampleorgid"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UUID_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
COMPACT = (",", ":")


def rng_for(*parts) -> random.Random:
    """A Random seeded from a string (str seeds hash with SHA-512: stable across runs)."""
    return random.Random("/".join(str(p) for p in parts))


def uuid4(r: random.Random) -> str:
    h = "%032x" % r.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def b32(r: random.Random, n: int) -> str:
    return "".join(r.choices(B32, k=n))


def alnum(r: random.Random, n: int) -> str:
    return "".join(r.choices(ALNUM, k=n))


def hexs(r: random.Random, n: int) -> str:
    return "%0*x" % (n, r.getrandbits(4 * n))


def long_key(r: random.Random) -> str:
    return "AKIAEXAMPLE" + b32(r, 9)


def temp_key(r: random.Random) -> str:
    return "ASIAEXAMPLE" + b32(r, 9)


def s3_request_id(r: random.Random) -> str:
    return base64.b32encode(r.getrandbits(80).to_bytes(10, "big")).decode()


def amz_id_2(r: random.Random) -> str:
    return base64.b64encode(r.getrandbits(456).to_bytes(57, "big")).decode()


def session_token(r: random.Random, n: int = 360) -> str:
    # Shape of a modern STS session token: a fixed binary prefix in base64, then opaque bytes.
    return "IQoJb3JpZ2luX2VjE" + "".join(r.choices(B64, k=n))


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sts_time(t: dt.datetime) -> str:
    """STS expiration as CloudTrail prints it: 'Nov 21, 2026, 3:15:50 PM'."""
    h = t.hour % 12 or 12
    return f"{MONTHS[t.month - 1]} {t.day}, {t.year}, {h}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def iam_time(t: dt.datetime) -> str:
    """IAM createDate as CloudTrail prints it: 'Nov 20, 2026 8:55:31 AM'."""
    h = t.hour % 12 or 12
    return f"{MONTHS[t.month - 1]} {t.day}, {t.year} {h}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def name_stamp(t: dt.datetime) -> str:
    return t.strftime("%Y%m%dT%H%MZ")


def gz(data: bytes) -> bytes:
    """gzip, level 6, mtime 0, no file name: byte-for-byte reproducible."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def dumps(obj) -> str:
    return json.dumps(obj, separators=COMPACT)


def delivery(records_json: list[str]) -> bytes:
    return ('{"Records":[' + ",".join(records_json) + "]}").encode()


def policy_text(statements, indent="  ") -> str:
    """A policy document the way people type it (pretty JSON), to be stored as a string."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=indent)


def at(day, hms):
    h, m, s = (int(x) for x in hms.split(":"))
    return day.replace(hour=h, minute=m, second=s)
