"""Story, the recorder of one scenario fixture (Fixtures/scenarios/<name>/): a small incident in the S3 layout,
spread over regions and files, with expected.json naming, for every stateful or correlation rule, the
findings it must give (their evidence event ids and the event that opened the state)."""

import datetime as dt
import json
import os

from .agents import user_agent
from .basics import UTC, alnum, at, b32, delivery, dumps, gz, iso, long_key, name_stamp, rng_for, uuid4
from .layout import acct_prefix, write
from .records import TLS13, ev, ui_user


SC_DAY = dt.datetime(2026, 11, 24, tzinfo=UTC)
ATTACKER_IP = "203.0.113.66"
RESPONDER_IP = "198.51.100.40"


class Story:
    def __init__(self, name, description):
        self.name = name
        self.description = description
        self.r = rng_for("scenarios", name)
        self.items = []  # (acct, region, t, rec, late_minutes)
        self.expect = {}  # rule name -> {"evidence": [...], "opened": id}

    def at(self, hms, day=0):
        return at(SC_DAY + dt.timedelta(days=day), hms)

    def call(self, acct, region, t, ui, src, name, ip, ua_kind, *, expect=(), opens=(), late=0, **kw):
        r = self.r
        svc = src.split(".")[0]
        host = f"{svc}.amazonaws.com" if svc in ("iam", "organizations") or (svc == "sts" and region == "us-east-1") \
            else f"{svc}.{region}.amazonaws.com"
        if "ro" not in kw:
            kw["ro"] = name.startswith(("Get", "List", "Describe", "Lookup", "AssumeRole"))
        ua = kw.pop("ua", None) or user_agent(ua_kind, src, name)
        tls = kw.pop("tls", TLS13)
        rec = ev(ui=ui, t=iso(t), src=src, name=name, region=region, ip=ip, ua=ua, acct=acct, rid=uuid4(r),
                 eid=uuid4(r), tls=tls, host=host if tls else None, **kw)
        self.items.append((acct, region, t, rec, late))
        for rule in expect:
            self.expect.setdefault(rule, {"evidence": [], "opened": None})["evidence"].append(rec["eventID"])
        for rule in opens:
            self.expect.setdefault(rule, {"evidence": [], "opened": None})["opened"] = rec["eventID"]
        return rec

    def denied(self, arn, perm, resource, explicit="identity-based policy"):
        on = f" on resource: {resource}" if resource else ""
        if explicit:
            return ("AccessDenied", f"User: {arn} is not authorized to perform: {perm}{on} with an explicit deny in an {explicit}")
        return ("AccessDenied", f"User: {arn} is not authorized to perform: {perm}{on} because no identity-based policy allows the {perm} action")

    def write(self, root):
        base = os.path.join(root, self.name)
        files = {}
        for acct, region, t, rec, late in self.items:
            # Delivered in the file of the 5-minute period after the event (or `late` minutes later still).
            when = t + dt.timedelta(minutes=5 + late)
            when = when.replace(minute=when.minute - when.minute % 5, second=0)
            files.setdefault((acct, region, when), []).append((t, rec))
        r = rng_for("scenarios", self.name, "files")
        for (acct, region, when) in sorted(files):
            recs = sorted(files[(acct, region, when)], key=lambda x: x[0])
            folder = os.path.join(base, acct_prefix(acct), "CloudTrail", region, when.strftime("%Y/%m/%d"))
            name = f"{acct}_CloudTrail_{region}_{name_stamp(when)}_{alnum(r, 16)}.json.gz"
            write(os.path.join(folder, name), gz(delivery([dumps(x[1]) for x in recs])))
        expected = {"scenario": self.name, "description": self.description,
                    "findings": [{"rule": k, "evidence": sorted(v["evidence"]), "opened": v["opened"]}
                                 for k, v in sorted(self.expect.items())]}
        write(os.path.join(base, "expected.json"), (json.dumps(expected, indent=2, sort_keys=True) + "\n").encode())
        return len(files), len(self.items)


def sc_user(story, acct, name):
    return {"pid": "AIDA" + b32(story.r, 17), "key": long_key(story.r), "name": name, "acct": acct}


def ui_of(u, key=None):
    return ui_user(u["acct"], u["pid"], u["name"], key or u["key"])
