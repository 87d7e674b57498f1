"""Benchmark mixes with knobs: how much of the traffic mints STS credentials, how many identities, how dense the
findings, how many records per file, how many accounts and regions.

The traffic is made the way a busy organisation makes it: people and pipelines with long-term keys (AKIA) mint
temporary ones (AssumeRole, GetSessionToken, GetFederationToken), and most later calls are signed with those
temporary keys, so credential lineage holds thousands of live issuances. Planted incidents (an access key made for
another user, an admin grant, a federation token with an admin session policy, a console login without MFA, a
quarantine policy attached, a recon tool's user agent, the root access key used) fire the bundled rules at the
chosen density. Everything is seeded: the same knobs write the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import sys
import time

from .basics import UTC, alnum, b32, delivery, gz, hexs, iso, name_stamp, policy_text, sts_time, uuid4
from .records import TLS12, TLS13, ev, ui_federated, ui_role, ui_root, ui_user

# Named mixes: each one a set of knobs. `dense` has a finding in every ~100 events and many small files.
MIXES = {
    "light": dict(sts_share=0.05, identities=1000, findings_per_10k=2, records_per_file=150, accounts=2, regions=2),
    "typical": dict(sts_share=0.16, identities=4000, findings_per_10k=8, records_per_file=250, accounts=3, regions=3),
    "sts-heavy": dict(sts_share=0.30, identities=8000, findings_per_10k=8, records_per_file=500, accounts=4,
                      regions=2),
    "dense": dict(sts_share=0.16, identities=4000, findings_per_10k=100, records_per_file=80, accounts=6, regions=4),
}

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1", "ap-northeast-1")
UAS = (
    "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython "
    "cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off command/s3.ls",
    "Boto3/1.35.68 md/Botocore#1.35.68 ua/2.0 os/linux#5.10.228-219.884.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.68",
    "aws-sdk-go-v2/1.32.5 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.193.0",
    "Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.78.0 aws-sdk-go-v2/1.32.5",
)
TOOL_UA = "aws-cli/1.18.69 Python/3.8.2 Linux/5.4.0-kali3-amd64 botocore/1.16.19"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
QUARANTINE_ARN = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"
ATTACKS = ("key-for-other-user", "admin-granted", "federation-admin", "console-no-mfa", "quarantined", "recon-tool",
           "root-key-used")


def account_ids(n):
    return [f"{(100000000000 + 111111111 * (k + 1)) % 10**12:012d}" for k in range(n)]


class Account:
    def __init__(self, r, acct, n_identities):
        self.acct = acct
        n_users = max(2, int(n_identities * 0.4))
        n_roles = max(1, n_identities - n_users)
        self.users = [(f"user-{k:05d}", "AIDA" + b32(r, 17), "AKIA" + b32(r, 16)) for k in range(n_users)]
        self.roles = [(f"role-{k:05d}", "AROA" + b32(r, 17), "/" if k % 3 else "/service-role/") for k in range(n_roles)]
        self.sessions = []  # (expiry, ui): live temporary credentials anyone in the account may use next
        self.root_key = "AKIA" + b32(r, 16)

    def user_ui(self, r):
        name, pid, key = r.choice(self.users)
        return ui_user(self.acct, pid, name, key=key), name

    def live_session(self, r, now):
        while self.sessions and len(self.sessions) > 64 and self.sessions[0][0] < now:
            self.sessions.pop(0)
        if not self.sessions:
            return None
        return r.choice(self.sessions[-4096:])[1]


def credentials(r, now, seconds):
    key = "ASIA" + b32(r, 16)
    return key, {"accessKeyId": key, "sessionToken": "IQoJb3JpZ2luX2VjE" + alnum(r, 300),
                 "expiration": sts_time(now + dt.timedelta(seconds=seconds))}


def issuance(r, a: Account, region, now):
    """One STS call that mints a temporary key; the new session joins the account's live ones."""
    t = iso(now)
    pick = r.random()
    if pick < 0.75:  # AssumeRole, by a person's key or by a session already assumed (role chaining)
        caller = a.live_session(r, now) if r.random() < 0.3 else None
        caller = caller or a.user_ui(r)[0]
        role, rid, path = r.choice(a.roles)
        sess = f"{role}-{hexs(r, 8)}"
        key, creds = credentials(r, now, 3600)
        arn = f"arn:aws:iam::{a.acct}:role{path}{role}"
        req = {"roleArn": arn, "roleSessionName": sess, "durationSeconds": 3600}
        resp = {"credentials": creds, "assumedRoleUser": {"assumedRoleId": f"{rid}:{sess}",
                                                          "arn": f"arn:aws:sts::{a.acct}:assumed-role/{role}/{sess}"}}
        new_ui = ui_role(a.acct, rid, role, path, sess, key, t)
        name, res = "AssumeRole", [{"accountId": a.acct, "type": "AWS::IAM::Role", "ARN": arn}]
    elif pick < 0.9:  # GetSessionToken from a long-term key
        caller, user = a.user_ui(r)
        key, creds = credentials(r, now, 43200)
        req, resp = {"durationSeconds": 43200}, {"credentials": creds}
        new_ui = ui_user(a.acct, caller["principalId"], user, key=key, session=(t, "false"))
        name, res = "GetSessionToken", None
    else:  # GetFederationToken with a narrow session policy
        caller, user = a.user_ui(r)
        fname = f"fed-{hexs(r, 6)}"
        key, creds = credentials(r, now, 3600)
        pol = policy_text([{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::reports/*"]}])
        req = {"name": fname, "policy": pol, "durationSeconds": 3600}
        resp = {"credentials": creds, "packedPolicySize": 9,
                "federatedUser": {"federatedUserId": f"{a.acct}:{fname}",
                                  "arn": f"arn:aws:sts::{a.acct}:federated-user/{fname}"}}
        new_ui = ui_federated(a.acct, fname, key, t, caller["principalId"], user)
        name, res = "GetFederationToken", None
    a.sessions.append((now + dt.timedelta(hours=1), new_ui))
    return ev(ui=caller, t=t, src="sts.amazonaws.com", name=name, region=region, ip=ip(r), ua=r.choice(UAS),
              acct=a.acct, req=req, resp=resp, rid=uuid4(r), eid=uuid4(r), ro=True, res=res,
              shared=uuid4(r) if res else None, tls=TLS13, host=f"sts.{region}.amazonaws.com")


def ip(r):
    return f"{r.choice((3, 18, 34, 52, 54))}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def ordinary(r, a: Account, region, now):
    """A routine call, signed most often with a temporary key minted earlier."""
    ui = a.live_session(r, now) if r.random() < 0.8 else None
    ui = ui or a.user_ui(r)[0]
    k = r.randrange(8)
    src, name, req, resp, ro = "ec2.amazonaws.com", "DescribeInstances", None, None, True
    if k == 0:
        req = {"instancesSet": {}, "filterSet": {"items": [{"name": "tag:team", "valueSet": {"items": [
            {"value": "platform"}]}}]}}
    elif k == 1:
        src, name = "s3.amazonaws.com", "ListBuckets"
        req = {"Host": "s3.amazonaws.com"}
    elif k == 2:
        src, name = "sts.amazonaws.com", "GetCallerIdentity"
    elif k == 3:
        src, name = "kms.amazonaws.com", "Decrypt"
        req = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        resp = None
    elif k == 4:
        src, name = "iam.amazonaws.com", "ListRoles"
        req = {"maxItems": 100}
    elif k == 5:
        src, name, ro = "logs.amazonaws.com", "CreateLogStream", False
        req = {"logGroupName": f"/aws/lambda/fn-{hexs(r, 4)}", "logStreamName": f"2026/12/01/[$LATEST]{hexs(r, 32)}"}
    elif k == 6:
        src, name = "ssm.amazonaws.com", "GetParameters"
        req = {"names": [f"/app/{hexs(r, 4)}/db-host"], "withDecryption": False}
    else:
        src, name = "ec2.amazonaws.com", "DescribeSecurityGroups"
        req = {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": "sg-" + hexs(r, 17)}]}}
    err = ("AccessDenied", f"User: {ui['arn']} is not authorized to perform: {src.split('.')[0]}:{name}") \
        if r.random() < 0.02 else None
    return ev(ui=ui, t=iso(now), src=src, name=name, region=region, ip=ip(r), ua=r.choice(UAS), acct=a.acct,
              req=req, resp=resp, err=err, rid=uuid4(r), eid=uuid4(r), ro=ro, tls=TLS12,
              host=f"{src.split('.')[0]}.{region}.amazonaws.com")


def attack(r, a: Account, region, now):
    """A planted incident: one event that one or more bundled rules flag."""
    kind = r.choice(ATTACKS)
    ui, user = a.user_ui(r)
    t, ua, add, err = iso(now), r.choice(UAS), None, None
    src, ro, req, resp = "iam.amazonaws.com", False, None, None
    if kind == "key-for-other-user":
        other = r.choice(a.users)[0]
        name = "CreateAccessKey"
        req = {"userName": other}
        resp = {"accessKey": {"userName": other, "accessKeyId": "AKIA" + b32(r, 16), "status": "Active",
                              "createDate": "Dec 1, 2026 8:00:00 AM"}}
    elif kind == "admin-granted":
        name, req = "AttachUserPolicy", {"userName": r.choice(a.users)[0], "policyArn": ADMIN_ARN}
    elif kind == "quarantined":
        name, req = "AttachUserPolicy", {"userName": r.choice(a.users)[0], "policyArn": QUARANTINE_ARN}
    elif kind == "federation-admin":
        src, name, ro = "sts.amazonaws.com", "GetFederationToken", True
        fname = f"fed-{hexs(r, 6)}"
        key, creds = credentials(r, now, 43200)
        req = {"name": fname, "durationSeconds": 43200, "policyArns": [{"arn": ADMIN_ARN}]}
        resp = {"credentials": creds, "packedPolicySize": 4,
                "federatedUser": {"federatedUserId": f"{a.acct}:{fname}",
                                  "arn": f"arn:aws:sts::{a.acct}:federated-user/{fname}"}}
        a.sessions.append((now + dt.timedelta(hours=12),
                           ui_federated(a.acct, fname, key, t, ui["principalId"], user)))
    elif kind == "console-no-mfa":
        src, name, ro = "signin.amazonaws.com", "ConsoleLogin", False
        ui = dict(ui)
        ui.pop("accessKeyId", None)
        resp = {"ConsoleLogin": "Success"}
        add = {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"}
        ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    elif kind == "recon-tool":
        src, name, ro, ua = "sts.amazonaws.com", "GetCallerIdentity", True, TOOL_UA
    else:  # root-key-used
        ui = ui_root(a.acct, a.root_key)
        src, name, ro = "s3.amazonaws.com", "ListBuckets", True
        req = {"Host": "s3.amazonaws.com"}
    return ev(ui=ui, t=t, src=src, name=name, region=region, ip=ip(r), ua=ua, acct=a.acct, req=req, resp=resp,
              err=err, add=add, rid=uuid4(r), eid=uuid4(r), ro=ro, tls=TLS13, host=f"{src.split('.')[0]}.amazonaws.com")


def write_mix(outdir, *, events, seed=1, sts_share=0.16, identities=4000, findings_per_10k=8, records_per_file=250,
              accounts=3, regions=3):
    """Writes about `events` records in the S3 layout under outdir; returns (files, records, json bytes, gz bytes)."""
    r = random.Random(f"mix/{seed}")
    accts = [Account(r, acct, max(3, identities // accounts)) for acct in account_ids(accounts)]
    regs = REGIONS[:max(1, min(regions, len(REGIONS)))]
    origin = dt.datetime(2026, 12, 1, tzinfo=UTC)
    files = recs = ulen = clen = 0
    step = 0
    p_attack = findings_per_10k / 10000
    while recs < events:
        start = origin + dt.timedelta(minutes=5 * step)
        for a in accts:
            for region in regs:
                # Log-uniform file sizes between a fifth and three times the mean knob.
                n = max(1, round(records_per_file * math.exp(r.uniform(math.log(0.2), math.log(3.0))) / 1.1))
                times = sorted(start + dt.timedelta(seconds=r.uniform(0, 300)) for _ in range(n))
                out = []
                for now in times:
                    x = r.random()
                    if x < p_attack:
                        rec = attack(r, a, region, now)
                    elif x < p_attack + sts_share:
                        rec = issuance(r, a, region, now)
                    else:
                        rec = ordinary(r, a, region, now)
                    out.append(json.dumps(rec, separators=(",", ":")))
                data = delivery(out)
                comp = gz(data)
                name_t = start + dt.timedelta(minutes=5, seconds=r.randint(40, 300))
                rel = os.path.join("AWSLogs", a.acct, "CloudTrail", region, name_t.strftime("%Y/%m/%d"),
                                   f"{a.acct}_CloudTrail_{region}_{name_stamp(name_t)}_{alnum(r, 16)}.json.gz")
                path = os.path.join(outdir, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(comp)
                files, recs, ulen, clen = files + 1, recs + n, ulen + len(data), clen + len(comp)
        step += 1
    return files, recs, ulen, clen


def cmd_mix(outdir, name, events, seed, overrides):
    knobs = dict(MIXES[name])
    knobs.update({k: v for k, v in overrides.items() if v is not None})
    t0 = time.perf_counter()
    files, recs, ulen, clen = write_mix(outdir, events=events, seed=seed, **knobs)
    print(f"mix={name} files={files} records={recs} uncompressed_bytes={ulen} compressed_bytes={clen} "
          + " ".join(f"{k}={v}" for k, v in sorted(knobs.items())))
    print(f"elapsed={time.perf_counter() - t0:.1f}s", file=sys.stderr)
