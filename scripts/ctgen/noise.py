"""Background traffic: one action by one identity pre-rendered once as a template, filled per record, and
the stream that picks (identity, action) pairs by weight and renders records for a time window."""

from __future__ import annotations

import datetime as dt
import random
import re

from .actions import ACTIONS, MGMT_ONLY, SENSITIVE, SERVICES
from .actions.sts import federation_token
from .agents import UA, user_agent
from .basics import (A2, UUID_VARIANT, amz_id_2, dumps, iam_time, iso, long_key, rng_for, s3_request_id,
                     session_token, sts_time, temp_key, uuid4)
from .denials import DENY_CODES, deny_message, ec2_encoded_message
from .records import TLS12, TLS13, ev, ui_user
from .world import Ident, World, identities


SLOT_RE = re.compile(r"@@([A-Z])@@")


class Template:
    __slots__ = ("fmt", "slots", "rid", "exp", "newkey", "extra")

    def __init__(self, fmt, slots, rid, exp, newkey):
        self.fmt, self.slots, self.rid, self.exp, self.newkey = fmt, slots, rid, exp, newkey
        self.extra = bool(slots - {"T", "R", "I", "K", "C"})


def build_template(w: World, region: str, who: Ident, action, variant: int, denied: bool) -> Template:
    builder = action[0]
    r = rng_for("tmpl", w.acct, region, who.cls, who.name or who.user or who.role or who.service, who.sess,
                ACTIONS.index(action), variant, denied)
    a = builder(r, w, region, who)
    src, name = a["src"], a["name"]
    ip = r.choice(who.ips)
    ua_kind = r.choice(who.uas)
    if who.kind == "service":
        ua = who.service
    elif a.get("login"):
        ua = UA["browser"]
    elif src == "ssm.amazonaws.com" and name in ("UpdateInstanceInformation", "ListInstanceAssociations"):
        ua = UA["ssm-agent"]
    elif src == "logs.amazonaws.com" and name == "CreateLogStream":
        ua = UA["lambda-worker"]
    elif ua_kind in ("ssm-agent",):
        ua = UA["boto3"]
    elif ua_kind == "s3-console" and src != "s3.amazonaws.com":
        ua = UA["console"]
    else:
        ua = user_agent(ua_kind, src, name)
    if a.get("login"):
        u = w.users[who.user]
        ui = ui_user(w.acct, u["pid"], who.user)
    else:
        ui = who.ui(w, "@@K@@", "@@C@@")
    err = a.get("err")
    req, resp = a.get("req"), a.get("resp")
    add = a.get("add")
    if denied:
        code = DENY_CODES.get(src, "AccessDeniedException")
        msg = deny_message(src, who.arn(w), a.get("perm", src.split(".")[0] + ":" + name), a.get("target"))
        if src == "ec2.amazonaws.com" and not a["ro"]:
            msg += ". " + ec2_encoded_message(r)
        err = (code, msg)
        resp = None
        if src != "ec2.amazonaws.com":
            req = None
        if add and "bytesTransferredOut" in add:
            add["bytesTransferredOut"] = 243
    rid_kind = a.get("rid", "uuid")
    tls = None
    if who.tls and a.get("host"):
        tls = TLS13 if ("cli" in ua_kind or ua_kind in ("boto3", "boto3-lambda", "browser", "browser-win", "console"))\
            else TLS12
    d = ev(ui=ui, t="@@T@@", src=src, name=name, region=a.get("region", region), ip=ip, ua=ua, acct=w.acct,
           req=req, resp=resp, err=err, add=add, rid=None if rid_kind is None else "@@R@@", eid="@@I@@",
           ro=a["ro"], res=a.get("res"), etype=a.get("etype", "AwsApiCall"),
           shared="@@S@@" if a.get("shared") else None, tls=tls, host=a.get("host"),
           console=who.console and not a.get("login"), version=a.get("version", "1.11"))
    if a.get("launch") and not denied:
        d["responseElements"]["instancesSet"]["items"][0]["launchTime"] = "@@L@@"
    s = dumps(d).replace("%", "%%")
    slots = frozenset(SLOT_RE.findall(s))
    fmt = SLOT_RE.sub(lambda m: f"%({m.group(1)})s", s)
    return Template(fmt, slots, rid_kind, a.get("exp", 3600), a.get("newkey", "ASIA"))


class Stream:
    """Everything needed to render records for one account and region quickly."""

    NVAR = 6

    def __init__(self, w: World, region: str, quiet=False):
        """quiet: no denials and no security-relevant actions (fixture background noise)."""
        self.w, self.region = w, region
        self.deny_p = 0.0 if quiet else 0.02
        self.idents = identities(w, region)
        pairs, weights = [], []
        for ii, who in enumerate(self.idents):
            acts = []
            for ai, act in enumerate(ACTIONS):
                builder, classes, wt, glob = act
                if who.cls not in classes:
                    continue
                if glob and region != "us-east-1":
                    continue
                if builder in MGMT_ONLY and w.acct != A2:
                    continue
                if who.kind == "service" and who.service not in SERVICES.get(builder, ()):
                    continue
                if builder is federation_token and who.kind != "user":
                    continue
                if quiet and builder in SENSITIVE:
                    continue
                acts.append((ai, wt))
            tot = sum(wt for _, wt in acts)
            for ai, wt in acts:
                pairs.append((ii, ai))
                weights.append(who.weight * wt / tot)
        self.pairs = pairs
        self.cum = []
        c = 0.0
        for x in weights:
            c += x
            self.cum.append(c)
        self.cache = {}

    def template(self, pi, variant, denied):
        key = (pi, variant, denied)
        t = self.cache.get(key)
        if t is None:
            ii, ai = self.pairs[pi]
            t = build_template(self.w, self.region, self.idents[ii], ACTIONS[ai], variant, denied)
            self.cache[key] = t
        return t

    def render(self, r: random.Random, start: dt.datetime, span_s: int, n: int) -> list[str]:
        """n records with times in [start, start+span_s), ascending."""
        idents = self.idents
        # per-window session values of temporary-credential identities
        keys, created = {}, {}
        for ii, who in enumerate(idents):
            if who.temp():
                keys[ii] = temp_key(r)
                created[ii] = iso(start - dt.timedelta(seconds=r.randint(*who.span)))
        secs = sorted(r.randrange(span_s) for _ in range(n))
        tcache = {}
        picks = r.choices(range(len(self.pairs)), cum_weights=self.cum, k=n)
        out = []
        getrand = r.getrandbits
        rnd = r.random
        for i in range(n):
            pi = picks[i]
            ii = self.pairs[pi][0]
            denied = self.deny_p > 0 and idents[ii].cls not in ("svc", "slr") and rnd() < self.deny_p
            tm = self.template(pi, getrand(16) % self.NVAR, denied)
            s = secs[i]
            ts = tcache.get(s)
            if ts is None:
                ts = tcache[s] = iso(start + dt.timedelta(seconds=s))
            h = "%032x" % getrand(128)
            vals = {"T": ts, "I": f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:]}",
                    "K": keys.get(ii, ""), "C": created.get(ii, "")}
            if tm.rid == "s3":
                vals["R"] = s3_request_id(r)
            elif tm.rid is not None:
                vals["R"] = uuid4(r)
            sl = tm.slots
            if tm.extra:
                t_ev = start + dt.timedelta(seconds=s)
                if "N" in sl:
                    vals["N"] = (long_key(r) if tm.newkey == "AKIA" else temp_key(r))
                if "Q" in sl:
                    vals["Q"] = session_token(r)
                if "X" in sl:
                    vals["X"] = sts_time(t_ev + dt.timedelta(seconds=tm.exp))
                if "D" in sl:
                    vals["D"] = iam_time(t_ev)
                if "Z" in sl:
                    vals["Z"] = amz_id_2(r)
                if "S" in sl:
                    vals["S"] = uuid4(r)
                if "L" in sl:
                    vals["L"] = str(int(t_ev.timestamp() * 1000))
            out.append(tm.fmt % vals)
        return out


_STREAMS: dict = {}


def stream_for(acct, region, quiet=False) -> Stream:
    """The Stream of one account and region, built once per process (quiet: fixture background noise)."""
    s = _STREAMS.get((acct, region, quiet))
    if s is None:
        s = _STREAMS[(acct, region, quiet)] = Stream(World(acct), region, quiet)
    return s
