"""The demo tree's calendar and cast (days, addresses), and Scenario, the recorder of its hand-written story
events."""

from __future__ import annotations

import datetime as dt

from .basics import UTC, iso, rng_for, s3_request_id, session_token, sts_time, temp_key, uuid4
from .records import TLS13, ev


DAYS = [dt.datetime(2026, 11, d, tzinfo=UTC) for d in (20, 21, 22)]


OFFICE_ALICE, OFFICE_BOB, ATTACKER, AUDITOR_IP = "198.51.100.23", "192.0.2.44", "203.0.113.77", "192.0.2.90"
SDK_INTERNAL = ("aws-internal/3 aws-sdk-java/1.12.779 Linux/5.10.228-198.884.amzn2int.x86_64 "
                "OpenJDK_64-Bit_Server_VM/25.432-b06 java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard")


class Scenario:
    """Hand-written story events (full records) with the account/region/time they belong to."""

    def __init__(self, seed_name="scenario"):
        self.r = rng_for("fixtures", seed_name)
        # Events added later draw from their own generator (part 1), so the ids and values of the
        # original story (part 0), and the files and noise built around it, stay byte-for-byte the same.
        self.rngs = {0: self.r, 1: rng_for("fixtures", seed_name, "part1")}
        self.items = []  # dicts: acct, region, t, lane, delay, part, rec

    def call(self, acct, region, t, ui, src, name, ip, ua, *, host=None, tls=TLS13, rid="uuid", lane=0,
             delay=None, part=0, **kw):
        r = self.rngs[part]
        if rid == "uuid":
            rid = uuid4(r)
        elif rid == "s3":
            rid = s3_request_id(r)
        if host is None and tls is not None:
            svc = src.split(".")[0]
            if svc == "iam" or (svc == "sts" and region == "us-east-1"):
                host = f"{svc}.amazonaws.com"
            else:
                host = f"{svc}.{region}.amazonaws.com"
        if "ro" not in kw:
            kw["ro"] = name.startswith(("Get", "List", "Describe", "Lookup", "Decrypt", "GenerateDataKey", "AssumeRole"))
        rec = ev(ui=ui, t=iso(t), src=src, name=name, region=region, ip=ip, ua=ua, acct=acct, rid=rid,
                 eid=uuid4(r), tls=tls, host=host, **kw)
        self.items.append({"acct": acct, "region": region, "t": t, "lane": lane, "delay": delay, "part": part,
                           "rec": rec})
        return rec


def creds(r, t, seconds, key=None):
    return {"accessKeyId": key or temp_key(r), "sessionToken": session_token(r),
            "expiration": sts_time(t + dt.timedelta(seconds=seconds))}
