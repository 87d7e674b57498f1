#!/usr/bin/env python3
"""ctgen: deterministic generator of realistic AWS CloudTrail logs for trailhound.

Standard library only (Python 3.11). Everything is derived from fixed seeds, so the
same command always writes the same bytes.

    python3 scripts/ctgen.py fixtures OUTDIR
        (re)writes OUTDIR/logs, OUTDIR/formats and OUTDIR/malformed (nothing else in OUTDIR
        is touched).
    python3 scripts/ctgen.py corpus OUTDIR --seed 1 --size-mb 500 [--single-file] [--jobs 2]
        writes a large corpus in the S3 layout (or one big file with --single-file).

Record shapes follow the public CloudTrail record-contents documentation; all names, keys,
addresses and ids are made up (documentation IP ranges, EXAMPLE key ids).
"""

from __future__ import annotations

import argparse
import base64
import bisect
import datetime as dt
import hashlib
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
import zlib

# --------------------------------------------------------------------------------------------
# Basics: ids, times, gzip
# --------------------------------------------------------------------------------------------

UTC = dt.timezone.utc
A1 = "111122223333"  # account trail
A2 = "444455556666"  # organization management account, organization trail
A3 = "777788889999"  # corpus only
ORG_ID = "o-exampleorgid"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
COMPACT = (",", ":")


def rng_for(*parts) -> random.Random:
    """A Random seeded from a string (str seeds hash with SHA-512: stable across runs)."""
    return random.Random("/".join(str(p) for p in parts))


def uuid4(r: random.Random) -> str:
    h = "%032x" % r.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


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


# --------------------------------------------------------------------------------------------
# Record envelope and identities
# --------------------------------------------------------------------------------------------

TLS13 = ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
TLS12 = ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")


def ev(*, ui, t, src, name, region, ip, ua, acct, req=None, resp=None, err=None, add=None,
       rid=None, eid, ro, res=None, etype="AwsApiCall", shared=None, sed=None, tls=None,
       host=None, console=False, version="1.11", api_version=None, vpce=None):
    """One CloudTrail record with keys in the order CloudTrail writes them."""
    d = {"eventVersion": version, "userIdentity": ui, "eventTime": t, "eventSource": src,
         "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": ua}
    if err:
        d["errorCode"], d["errorMessage"] = err
    d["requestParameters"] = req
    d["responseElements"] = resp
    if add is not None:
        d["additionalEventData"] = add
    if rid is not None:
        d["requestID"] = rid
    d["eventID"] = eid
    d["readOnly"] = ro
    if res is not None:
        d["resources"] = res
    d["eventType"] = etype
    if api_version:
        d["apiVersion"] = api_version
    d["managementEvent"] = True
    d["recipientAccountId"] = acct
    if shared:
        d["sharedEventID"] = shared
    if vpce:
        d["vpcEndpointId"] = vpce
        d["vpcEndpointAccountId"] = acct
    if sed is not None:
        d["serviceEventDetails"] = sed
    d["eventCategory"] = "Management"
    if tls and host:
        d["tlsDetails"] = {"tlsVersion": tls[0], "cipherSuite": tls[1], "clientProvidedHostHeader": host}
    if console:
        d["sessionCredentialFromConsole"] = "true"
    return d


def ui_user(acct, pid, name, key=None, session=None):
    d = {"type": "IAMUser", "principalId": pid, "arn": f"arn:aws:iam::{acct}:user/{name}", "accountId": acct}
    if key is not None:
        d["accessKeyId"] = key
    d["userName"] = name
    if session is not None:  # (creationDate, mfaAuthenticated) for ASIA sessions of the user
        d["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                               "attributes": {"creationDate": session[0], "mfaAuthenticated": session[1]}}
    return d


def ui_role(acct, role_id, role, path, sess, key, created, mfa="false", invoked_by=None, source_identity=None):
    d = {"type": "AssumedRole", "principalId": f"{role_id}:{sess}",
         "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{sess}", "accountId": acct, "accessKeyId": key,
         "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": role_id,
                                              "arn": f"arn:aws:iam::{acct}:role{path}{role}",
                                              "accountId": acct, "userName": role},
                            "webIdFederationData": {},
                            "attributes": {"creationDate": created, "mfaAuthenticated": mfa}}}
    if source_identity:
        d["sessionContext"]["sourceIdentity"] = source_identity
    if invoked_by:
        d["invokedBy"] = invoked_by
    return d


def ui_federated(acct, fname, key, created, parent_pid, parent_name):
    return {"type": "FederatedUser", "principalId": f"{acct}:{fname}",
            "arn": f"arn:aws:sts::{acct}:federated-user/{fname}", "accountId": acct, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": parent_pid,
                                                 "arn": f"arn:aws:iam::{acct}:user/{parent_name}",
                                                 "accountId": acct, "userName": parent_name},
                               "webIdFederationData": {},
                               "attributes": {"creationDate": created, "mfaAuthenticated": "false"}}}


def ui_root(acct, key=""):
    return {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root", "accountId": acct,
            "accessKeyId": key}


def ui_service(svc):
    return {"type": "AWSService", "invokedBy": svc}


def res_role(acct, arn):
    return [{"ARN": arn, "accountId": acct, "type": "AWS::IAM::Role"}]


# --------------------------------------------------------------------------------------------
# User agents
# --------------------------------------------------------------------------------------------

CLI_NAMES = {"ec2": "ec2", "s3": "s3api", "iam": "iam", "sts": "sts", "kms": "kms", "lambda": "lambda",
             "ssm": "ssm", "logs": "logs", "monitoring": "cloudwatch", "dynamodb": "dynamodb",
             "organizations": "organizations", "signin": "signin"}


def cli_command(src, name):
    svc = src.split(".")[0]
    op = re.sub(r"\d{8}(v\d)?$", "", name)
    if svc == "s3" and op == "ListBuckets":
        return "s3.ls"
    return CLI_NAMES.get(svc, svc) + "." + re.sub(r"(?<!^)(?=[A-Z])", "-", op).lower()


UA = {
    "cli-mac": "aws-cli/2.22.12 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 "
               "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}",
    "cli-linux": "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6 "
                 "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off "
                 "md/command#{cmd}",
    "cli-attacker": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-generic exe/x86_64.kali.2024 prompt/off "
                    "command/{cmd}",
    "boto3": "Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#6.1.115-126.197.amzn2023.x86_64 md/arch#x86_64 "
             "lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76",
    "boto3-lambda": "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 "
                    "lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
                    "Botocore/1.35.36",
    "go": "aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.24.7",
    "terraform": "APN/1.0 HashiCorp/1.0 Terraform/1.10.2 (+https://www.terraform.io) terraform-provider-aws/5.81.0 "
                 "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux "
                 "lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.24.7",
    "java": "aws-sdk-java/2.29.29 md/io#sync md/http#Apache ua/2.1 os/Linux#5.10.228-219.884.amzn2.x86_64 "
            "lang/java#21.0.5 md/OpenJDK_64-Bit_Server_VM#21.0.5+11-LTS md/vendor#Amazon.com_Inc. md/en_US "
            "exec-env/AWS_ECS_FARGATE m/D,N cfg/retry-mode#legacy",
    "ssm-agent": "aws-sdk-go/1.55.5 (go1.22.9; linux; amd64) amazon-ssm-agent/3.3.1230.0",
    "lambda-worker": "awslambda-worker/1.0 rusoto/0.48.0 rust/1.80.1 linux",
    "console": "AWS Internal",
    "python-requests": "python-requests/2.31.0",
    "browser-attacker": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "browser": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/131.0.0.0 Safari/537.36",
    "browser-win": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "s3-console": "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.779 Linux/5.10.228-198.884.amzn2int.x86_64 "
                  "OpenJDK_64-Bit_Server_VM/25.432-b06 java/1.8.0_432 vendor/Oracle_Corporation "
                  "cfg/retry-mode/standard]",
}


def user_agent(kind, src, name):
    s = UA.get(kind, kind)
    if "{" in s:
        s = s.replace("{cmd}", cli_command(src, name)).replace("{svc}", src.split(".")[0])
    return s


# --------------------------------------------------------------------------------------------
# A small synthetic AWS account ("world"): principals and resources
# --------------------------------------------------------------------------------------------

REGIONS_CORPUS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")
GLOBAL_SOURCES = ("iam.amazonaws.com", "organizations.amazonaws.com", "signin.amazonaws.com")


class World:
    """Principals and resources of one account, derived only from the account id."""

    def __init__(self, acct, regions=REGIONS_CORPUS):
        r = rng_for("world", acct)
        self.acct = acct
        self.regions = regions
        self.users = {}
        for name in ("alice", "bob", "build-bot", "ci-deploy", "svc-backup", "auditor"):
            self.users[name] = {"pid": "AIDA" + b32(r, 17), "key": long_key(r)}
        self.roles = {}
        for name, path in (("DeployRole", "/"), ("app-server-role", "/"), ("order-processor-role", "/service-role/"),
                           ("thumbnail-resizer-role", "/service-role/"), ("OrgAuditRole", "/"),
                           ("AWSServiceRoleForConfig", "/aws-service-role/config.amazonaws.com/"),
                           ("AWSServiceRoleForTrustedAdvisor", "/aws-service-role/trustedadvisor.amazonaws.com/"),
                           ("ecs-task-role", "/")):
            self.roles[name] = {"rid": "AROA" + b32(r, 17), "path": path}
        self.sso_admin = f"AWSReservedSSO_AdministratorAccess_{hexs(r, 16)}"
        self.sso_ro = f"AWSReservedSSO_ReadOnlyAccess_{hexs(r, 16)}"
        sso_path = "/aws-reserved/sso.amazonaws.com/eu-west-1/"
        self.roles[self.sso_admin] = {"rid": "AROA" + b32(r, 17), "path": sso_path}
        self.roles[self.sso_ro] = {"rid": "AROA" + b32(r, 17), "path": sso_path}
        self.instances = {g: ["i-0" + hexs(r, 16) for _ in range(4)] for g in regions}
        self.volumes = {g: ["vol-0" + hexs(r, 16) for _ in range(4)] for g in regions}
        self.vpcs = {g: "vpc-0" + hexs(r, 16) for g in regions}
        self.sgs = {g: ["sg-0" + hexs(r, 16) for _ in range(3)] for g in regions}
        self.subnets = {g: ["subnet-0" + hexs(r, 16) for _ in range(3)] for g in regions}
        self.kms = {g: [uuid4(r) for _ in range(2)] for g in regions}
        purposes = ("app-assets", "backups", "data-lake-raw", "build-artifacts", "access-logs", "reports")
        self.buckets = {g: [] for g in regions}
        for i, p in enumerate(purposes):
            g = regions[i % len(regions)]
            self.buckets[g].append(f"example-{p}-{acct}")
        self.functions = {g: ["order-processor", "thumbnail-resizer", "nightly-report", "audit-forwarder"]
                          for g in regions}
        self.tables = {g: ["orders", "sessions", "inventory"] for g in regions}
        self.params = ["/app/prod/db-url", "/app/prod/feature-flags", "/app/prod/api-endpoint",
                       "/platform/ami/latest", "/app/prod/queue-url"]
        self.log_groups = ["/aws/lambda/order-processor", "/aws/lambda/thumbnail-resizer",
                           "/aws/lambda/nightly-report", "/ecs/checkout", "/app/server"]
        self.alarms = ["orders-5xx-high", "checkout-latency-p99", "queue-depth", "cpu-high-app-server"]
        self.secret_suffix = alnum(r, 6)
        self.idc_store = hexs(r, 10)
        self.idc_users = {n: f"{self.idc_store}-{uuid4(r)}" for n in ("carol@example.com", "dave@example.com")}

    def user_arn(self, name):
        return f"arn:aws:iam::{self.acct}:user/{name}"

    def role_arn(self, name):
        return f"arn:aws:iam::{self.acct}:role{self.roles[name]['path']}{name}"

    def kms_arn(self, region, i=0):
        return f"arn:aws:kms:{region}:{self.acct}:key/{self.kms[region][i]}"

    def fn_arn(self, region, fn):
        return f"arn:aws:lambda:{region}:{self.acct}:function:{fn}"

    def table_arn(self, region, t):
        return f"arn:aws:dynamodb:{region}:{self.acct}:table/{t}"

    def all_buckets(self):
        return [b for g in self.regions for b in self.buckets[g]]

    def bucket_region(self, b):
        for g in self.regions:
            if b in self.buckets[g]:
                return g
        return "us-east-1"


class Ident:
    """A principal that makes background calls. cls says which actions it makes."""

    def __init__(self, cls, weight, *, kind, acct, ips, uas, tls=True, console=False, name="", role=None,
                 sess=None, user=None, service=None, mfa="false", span=(300, 3300)):
        self.cls, self.weight, self.kind, self.acct = cls, weight, kind, acct
        self.ips, self.uas, self.tls, self.console = ips, uas, tls, console
        self.name, self.role, self.sess, self.user, self.service, self.mfa = name, role, sess, user, service, mfa
        self.span = span  # session age range (seconds) at the start of a file window

    def temp(self):
        return self.kind in ("role", "console-user")

    def arn(self, w):
        if self.kind == "role":
            return f"arn:aws:sts::{w.acct}:assumed-role/{self.role}/{self.sess}"
        if self.kind in ("user", "console-user"):
            return w.user_arn(self.user)
        return ""

    def ui(self, w, key, created):
        if self.kind == "user":
            u = w.users[self.user]
            return ui_user(w.acct, u["pid"], self.user, u["key"])
        if self.kind == "console-user":
            u = w.users[self.user]
            return ui_user(w.acct, u["pid"], self.user, key, (created, self.mfa))
        if self.kind == "role":
            ro = w.roles[self.role]
            return ui_role(w.acct, ro["rid"], self.role, ro["path"], self.sess, key, created, self.mfa,
                           invoked_by=self.service)
        return ui_service(self.service)


def identities(w: World, region: str) -> list[Ident]:
    a = w.acct
    inst = w.instances[region]
    ids = [
        Ident("human", 5, kind="user", acct=a, user="alice", ips=["198.51.100.23"], uas=["cli-mac"]),
        Ident("human", 4, kind="user", acct=a, user="bob", ips=["192.0.2.44"], uas=["cli-linux", "boto3"]),
        Ident("ci", 5, kind="user", acct=a, user="build-bot", ips=["192.0.2.200", "192.0.2.201"],
              uas=["terraform", "cli-linux"]),
        Ident("console", 6, kind="console-user", acct=a, user="alice", ips=["198.51.100.23"],
              uas=["console", "browser"], console=True),
        Ident("human", 6, kind="role", acct=a, role=w.sso_admin, sess="carol@example.com", ips=["198.51.100.61"],
              uas=["cli-mac"]),
        Ident("console-ro", 5, kind="role", acct=a, role=w.sso_ro, sess="dave@example.com", ips=["198.51.100.62"],
              uas=["console", "browser-win", "s3-console"], console=True),
        Ident("deploy", 4, kind="role", acct=a, role="DeployRole", sess="gha-deploy-4471", ips=["192.0.2.210"],
              uas=["terraform", "go"]),
        Ident("ec2app", 9, kind="role", acct=a, role="app-server-role", sess=inst[0], ips=["192.0.2.101"],
              uas=["boto3", "ssm-agent"], span=(60, 21000)),
        Ident("ec2app", 8, kind="role", acct=a, role="app-server-role", sess=inst[1], ips=["192.0.2.102"],
              uas=["boto3", "ssm-agent"], span=(60, 21000)),
        Ident("lambdaapp", 10, kind="role", acct=a, role="order-processor-role", sess="order-processor",
              ips=["192.0.2.150"], uas=["boto3-lambda"], span=(30, 3000)),
        Ident("ecsapp", 6, kind="role", acct=a, role="ecs-task-role", sess="0b6a9e5c1f3d4e7a8b9c0d1e2f3a4b5c",
              ips=["192.0.2.160"], uas=["java"], span=(60, 3000)),
        Ident("slr", 10, kind="role", acct=a, role="AWSServiceRoleForConfig", sess="AWSConfig-Describe",
              ips=["config.amazonaws.com"], uas=["config.amazonaws.com"], tls=False, service="config.amazonaws.com"),
        Ident("slr", 4, kind="role", acct=a, role="AWSServiceRoleForTrustedAdvisor",
              sess=f"TrustedAdvisor_{a}_5f7c2d9e", ips=["trustedadvisor.amazonaws.com"],
              uas=["trustedadvisor.amazonaws.com"], tls=False, service="trustedadvisor.amazonaws.com"),
    ]
    for svc, wt in (("s3.amazonaws.com", 4), ("lambda.amazonaws.com", 3), ("ec2.amazonaws.com", 2),
                    ("secretsmanager.amazonaws.com", 2), ("cloudtrail.amazonaws.com", 2),
                    ("ecs-tasks.amazonaws.com", 2)):
        ids.append(Ident("svc", wt, kind="service", acct=a, service=svc, ips=[svc], uas=[svc], tls=False))
    return ids


# --------------------------------------------------------------------------------------------
# Action catalogue. Each builder returns the action-specific part of a record.
# Slot markers (@@X@@) are filled per record: T time, R requestID, I eventID, K key, C session
# creation, N new temp key, Q session token, X expiration, Z x-amz-id-2, S sharedEventID.
# --------------------------------------------------------------------------------------------

HUMAN = {"human", "console", "console-ro"}
HUMANISH = HUMAN | {"ci", "deploy"}
APPS = {"ec2app", "lambdaapp", "ecsapp"}


def _host(svc, region):
    return f"{svc}.{region}.amazonaws.com"


def _s3add(r, out=None):
    return {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "@@Z@@",
            "bytesTransferredOut": out if out is not None else r.randint(0, 2200)}


def _ec2(name, req_fn, ro=True, resp_fn=None):
    def build(r, w, g, who):
        return dict(src="ec2.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g),
                    resp=resp_fn(r, w, g) if resp_fn else None, host=_host("ec2", g), perm=f"ec2:{name}")
    return build


def _filters(*pairs):
    return {"items": [{"name": k, "valueSet": {"items": [{"value": v}]}} for k, v in pairs]}


def _s3get(name, sub, errs=()):
    def build(r, w, g, who):
        b = r.choice(w.buckets[g] or w.all_buckets())
        d = dict(src="s3.amazonaws.com", name=name, ro=True,
                 req={"bucketName": b, "Host": f"{b}.s3.{g}.amazonaws.com", sub: ""},
                 add=_s3add(r), host=f"{b}.s3.{g}.amazonaws.com", rid="s3", version="1.10",
                 res=[{"accountId": w.acct, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}],
                 perm=f"s3:{name}", target=f"arn:aws:s3:::{b}")
        if errs and r.random() < 0.5:
            d["err"] = r.choice(errs)
            d["add"]["bytesTransferredOut"] = 0
        return d
    return build


def _iam(name, req_fn=None, ro=True):
    def build(r, w, g, who):
        req = req_fn(r, w) if req_fn else None
        tgt = None
        if req and "userName" in req:
            tgt = f"user {req['userName']}"
        elif req and "roleName" in req:
            tgt = w.role_arn(req["roleName"]) if req["roleName"] in w.roles else None
        elif req and "policyArn" in req:
            tgt = req["policyArn"]
        return dict(src="iam.amazonaws.com", name=name, ro=ro, req=req, host="iam.amazonaws.com",
                    perm=f"iam:{name}", target=tgt, region="us-east-1")
    return build


def _pick_user(r, w):
    return r.choice(list(w.users))


def _pick_role(r, w):
    return r.choice([n for n in w.roles if not n.startswith("AWSReservedSSO")])


def _managed(r, w):
    return r.choice(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                     f"arn:aws:iam::{w.acct}:policy/app-server-policy",
                     f"arn:aws:iam::{w.acct}:policy/deploy-boundary"])


def _kms_svc(name):
    def build(r, w, g, who):
        key = w.kms_arn(g, r.randrange(2))
        svc = who.service
        if svc == "s3.amazonaws.com":
            b = r.choice(w.buckets[g] or w.all_buckets())
            ctx = {"aws:s3:arn": f"arn:aws:s3:::{b}"}
        elif svc == "secretsmanager.amazonaws.com":
            ctx = {"SecretARN": f"arn:aws:secretsmanager:{g}:{w.acct}:secret:prod/app/db-{w.secret_suffix}",
                   "SecretVersionId": uuid4(r)}
        elif svc == "cloudtrail.amazonaws.com":
            ctx = {"aws:cloudtrail:arn": f"arn:aws:cloudtrail:us-east-1:{w.acct}:trail/management-events"}
        else:
            fn = r.choice(w.functions[g])
            ctx = {"aws:lambda:FunctionArn": w.fn_arn(g, fn)}
        if name == "GenerateDataKey":
            req = {"keyId": key, "encryptionContext": ctx, "keySpec": "AES_256"}
        else:
            req = {"encryptionContext": ctx, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
        return dict(src="kms.amazonaws.com", name=name, ro=True, req=req, host=None,
                    res=[{"accountId": w.acct, "type": "AWS::KMS::Key", "ARN": key}], shared=True)
    return build


def _kms_app(r, w, g, who):
    key = w.kms_arn(g, 0)
    return dict(src="kms.amazonaws.com", name="Decrypt", ro=True,
                req={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, host=_host("kms", g),
                res=[{"accountId": w.acct, "type": "AWS::KMS::Key", "ARN": key}], perm="kms:Decrypt", target=key)


def _kms_read(name, req_fn):
    def build(r, w, g, who):
        return dict(src="kms.amazonaws.com", name=name, ro=True, req=req_fn(r, w, g), host=_host("kms", g),
                    perm=f"kms:{name}", target=w.kms_arn(g, 0) if name == "DescribeKey" else None)
    return build


def _lambda(name, fn_req=True, ro=True):
    def build(r, w, g, who):
        fn = r.choice(w.functions[g])
        req = {"functionName": fn} if fn_req else None
        return dict(src="lambda.amazonaws.com", name=name, ro=ro, req=req, host=_host("lambda", g),
                    perm="lambda:" + re.sub(r"\d{8}(v\d)?$", "", name),
                    target=w.fn_arn(g, fn) if fn_req else None, version="1.08")
    return build


def lambda_config(w, g, fn, t_iso_ms, r, version="7"):
    return {"functionName": fn, "functionArn": w.fn_arn(g, fn), "runtime": "python3.12",
            "role": w.role_arn("order-processor-role"), "handler": "app.handler", "codeSize": r.randint(4000, 90000),
            "description": "", "timeout": 30, "memorySize": 512, "lastModified": t_iso_ms,
            "codeSha256": base64.b64encode(r.getrandbits(256).to_bytes(32, "big")).decode(), "version": version,
            "environment": {}, "tracingConfig": {"mode": "PassThrough"}, "revisionId": uuid4(r),
            "state": "Active", "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating", "packageType": "Zip", "architectures": ["x86_64"],
            "ephemeralStorage": {"size": 512}, "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
            "runtimeVersionConfig": {"runtimeVersionArn": f"arn:aws:lambda:{g}::runtime:" + hexs(r, 64)},
            "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{fn}"}}


def _lambda_update(r, w, g, who):
    fn = r.choice(w.functions[g])
    req = {"functionName": fn, "s3Bucket": f"example-build-artifacts-{w.acct}",
           "s3Key": f"{fn}/build-{r.randint(1000, 9999)}.zip", "publish": True, "dryRun": False}
    return dict(src="lambda.amazonaws.com", name="UpdateFunctionCode20150331v2", ro=False, req=req,
                resp=lambda_config(w, g, fn, "2026-11-20T00:00:00.000+0000", r, str(r.randint(2, 40))),
                host=_host("lambda", g), perm="lambda:UpdateFunctionCode", target=w.fn_arn(g, fn), version="1.08")


def _ssm(name, req_fn, ro=True, resp_fn=None):
    def build(r, w, g, who):
        return dict(src="ssm.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g, who),
                    resp=resp_fn(r) if resp_fn else None, host=_host("ssm", g), perm=f"ssm:{name}")
    return build


def _ssm_uii(r, w, g, who):
    ip4 = f"10.0.{r.randint(1, 30)}.{r.randint(4, 250)}"
    return {"instanceId": who.sess, "agentVersion": "3.3.1230.0", "agentStatus": "Active", "platformType": "Linux",
            "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": ip4,
            "computerName": f"ip-{ip4.replace('.', '-')}.{g}.compute.internal", "agentName": "amazon-ssm-agent",
            "availabilityZone": f"{g}a", "availabilityZoneId": f"{g[:2]}{g.split('-')[1][0]}{g[-1]}-az1"}


def _logs(name, req_fn, ro=True):
    def build(r, w, g, who):
        return dict(src="logs.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g, who), host=_host("logs", g),
                    perm=f"logs:{name}")
    return build


def _cw(name, req_fn, ro=True):
    def build(r, w, g, who):
        return dict(src="monitoring.amazonaws.com", name=name, ro=ro, req=req_fn(r, w, g),
                    host=_host("monitoring", g), perm=f"cloudwatch:{name}")
    return build


def _ddb(name, ro=True, table=True, extra=None):
    def build(r, w, g, who):
        t = r.choice(w.tables[g])
        req = {"tableName": t} if table else None
        if extra and req is not None:
            req.update(extra)
        d = dict(src="dynamodb.amazonaws.com", name=name, ro=ro, req=req, host=_host("dynamodb", g),
                 perm=f"dynamodb:{name}", target=w.table_arn(g, t) if table else None)
        if table:
            d["res"] = [{"accountId": w.acct, "type": "AWS::DynamoDB::Table", "ARN": w.table_arn(g, t)}]
        return d
    return build


def _org(name, req=None):
    def build(r, w, g, who):
        return dict(src="organizations.amazonaws.com", name=name, ro=True, req=req,
                    host="organizations.us-east-1.amazonaws.com", perm=f"organizations:{name}", region="us-east-1")
    return build


def _sts_gci(r, w, g, who):
    return dict(src="sts.amazonaws.com", name="GetCallerIdentity", ro=True,
                host="sts.amazonaws.com" if g == "us-east-1" else _host("sts", g))


def _assume_by_service(r, w, g, who):
    svc = who.service
    if svc == "lambda.amazonaws.com":
        role, sess, dur = r.choice([("order-processor-role", "order-processor"),
                                    ("thumbnail-resizer-role", "thumbnail-resizer")]) + (43200,)
    elif svc == "ec2.amazonaws.com":
        role, sess, dur = "app-server-role", r.choice(w.instances[g]), 21600
    else:
        role, sess, dur = "ecs-task-role", hexs(r, 32), 21600
    arn = w.role_arn(role)
    req = {"roleArn": arn, "roleSessionName": sess}
    if svc == "ecs-tasks.amazonaws.com":
        req["durationSeconds"] = dur
    resp = {"credentials": {"accessKeyId": "@@N@@", "sessionToken": "@@Q@@", "expiration": "@@X@@"},
            "assumedRoleUser": {"assumedRoleId": f"{w.roles[role]['rid']}:{sess}",
                                "arn": f"arn:aws:sts::{w.acct}:assumed-role/{role}/{sess}"}}
    return dict(src="sts.amazonaws.com", name="AssumeRole", ro=True, req=req, resp=resp, host=None,
                res=[{"accountId": w.acct, "type": "AWS::IAM::Role", "ARN": arn}], shared=True, exp=dur)


def _assume_by_human(r, w, g, who):
    role = "OrgAuditRole" if who.cls != "deploy" else "DeployRole"
    sess = f"{who.user or 'session'}-{r.randint(1000, 9999)}" if who.kind == "user" else f"chain-{r.randint(100, 999)}"
    arn = w.role_arn(role)
    req = {"roleArn": arn, "roleSessionName": sess, "durationSeconds": 3600}
    resp = {"credentials": {"accessKeyId": "@@N@@", "sessionToken": "@@Q@@", "expiration": "@@X@@"},
            "assumedRoleUser": {"assumedRoleId": f"{w.roles[role]['rid']}:{sess}",
                                "arn": f"arn:aws:sts::{w.acct}:assumed-role/{role}/{sess}"}}
    return dict(src="sts.amazonaws.com", name="AssumeRole", ro=True, req=req, resp=resp,
                host="sts.amazonaws.com" if g == "us-east-1" else _host("sts", g),
                res=[{"accountId": w.acct, "type": "AWS::IAM::Role", "ARN": arn}], exp=3600,
                perm="sts:AssumeRole", target=arn)


def _federation(r, w, g, who):
    name = r.choice(["ops-tmp", "report-runner", "support"])
    pol = policy_text([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                        "Resource": ["arn:aws:s3:::example-reports-" + w.acct,
                                     "arn:aws:s3:::example-reports-" + w.acct + "/*"]}], indent="\t")
    resp = {"credentials": {"accessKeyId": "@@N@@", "sessionToken": "@@Q@@", "expiration": "@@X@@"},
            "federatedUser": {"federatedUserId": f"{w.acct}:{name}", "arn": f"arn:aws:sts::{w.acct}:federated-user/{name}"},
            "packedPolicySize": 9}
    return dict(src="sts.amazonaws.com", name="GetFederationToken", ro=True,
                req={"name": name, "policy": pol, "durationSeconds": 3600}, resp=resp, host="sts.amazonaws.com",
                region="us-east-1", exp=3600, perm="sts:GetFederationToken")


def _create_access_key(r, w, g, who):
    u = r.choice(["svc-backup", "build-bot", "ci-deploy"])
    resp = {"accessKey": {"userName": u, "accessKeyId": "@@N@@", "status": "Active", "createDate": "@@D@@"}}
    return dict(src="iam.amazonaws.com", name="CreateAccessKey", ro=False, req={"userName": u}, resp=resp,
                host="iam.amazonaws.com", region="us-east-1", perm="iam:CreateAccessKey", target=f"user {u}",
                newkey="AKIA")


def _put_user_policy(r, w, g, who):
    u = r.choice(["svc-backup", "bob", "ci-deploy"])
    b = r.choice(w.all_buckets())
    doc = policy_text([{"Sid": "AllowBucketAccess", "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                        "Resource": [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"]}])
    return dict(src="iam.amazonaws.com", name="PutUserPolicy", ro=False,
                req={"userName": u, "policyName": f"{b.split('-')[1]}-access", "policyDocument": doc},
                host="iam.amazonaws.com", region="us-east-1", perm="iam:PutUserPolicy", target=f"user {u}")


def _attach_role_policy(r, w, g, who):
    role = _pick_role(r, w)
    return dict(src="iam.amazonaws.com", name="AttachRolePolicy", ro=False,
                req={"roleName": role, "policyArn": _managed(r, w)}, host="iam.amazonaws.com", region="us-east-1",
                perm="iam:AttachRolePolicy", target=w.role_arn(role))


def login_to(r):
    """additionalEventData.LoginTo of a console sign-in."""
    return ("https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true"
            "&state=hashArgsFromTB_us-east-1_" + hexs(r, 16))


def _console_login(r, w, g, who):
    mfa = r.random() < 0.7
    add = {"LoginTo": login_to(r),
           "MobileVersion": "No", "MFAUsed": "Yes" if mfa else "No"}
    if mfa:
        add = {"LoginTo": add["LoginTo"], "MobileVersion": "No",
               "MFAIdentifier": f"arn:aws:iam::{w.acct}:mfa/{who.user}", "MFAUsed": "Yes"}
    return dict(src="signin.amazonaws.com", name="ConsoleLogin", ro=False, resp={"ConsoleLogin": "Success"},
                add=add, host="signin.aws.amazon.com", region="us-east-1", rid=None, etype="AwsConsoleSignIn",
                login=True)


def _put_param(r, w, g, who):
    p = r.choice(w.params)
    return dict(src="ssm.amazonaws.com", name="PutParameter", ro=False,
                req={"name": p, "type": "String", "overwrite": True}, resp={"version": r.randint(2, 60), "tier": "Standard"},
                host=_host("ssm", g), perm="ssm:PutParameter")


def _run_instances(r, w, g, who):
    req = {"instancesSet": {"items": [{"imageId": "ami-0" + hexs(r, 16), "minCount": 1, "maxCount": 1}]},
           "instanceType": r.choice(["t3.micro", "m7i.large", "c7g.xlarge"]), "blockDeviceMapping": {},
           "monitoring": {"enabled": False}, "disableApiTermination": False, "disableApiStop": False,
           "clientToken": "terraform-" + hexs(r, 26),
           "subnetId": r.choice(w.subnets[g]), "groupSet": {"items": [{"groupId": r.choice(w.sgs[g])}]},
           "iamInstanceProfile": {"name": "app-server-profile"},
           "tagSpecificationSet": {"items": [{"resourceType": "instance",
                                              "tags": [{"key": "Name", "value": "app-server"}]}]}}
    iid = "i-0" + hexs(r, 16)
    resp = {"requestId": "@@R@@", "reservationId": "r-0" + hexs(r, 16), "ownerId": w.acct, "groupSet": {},
            "instancesSet": {"items": [{"instanceId": iid, "imageId": req["instancesSet"]["items"][0]["imageId"],
                                        "currentInstanceBootMode": "uefi", "instanceState": {"code": 0, "name": "pending"},
                                        "privateDnsName": f"ip-10-0-{r.randint(1, 30)}-{r.randint(4, 250)}.{g}.compute.internal",
                                        "amiLaunchIndex": 0, "productCodes": {}, "instanceType": req["instanceType"],
                                        "launchTime": 0, "placement": {"availabilityZone": f"{g}a", "tenancy": "default"},
                                        "monitoring": {"state": "disabled"}, "subnetId": req["subnetId"],
                                        "vpcId": w.vpcs[g], "sourceDestCheck": True,
                                        "groupSet": {"items": [{"groupId": req["groupSet"]["items"][0]["groupId"],
                                                                "groupName": "app-server"}]},
                                        "architecture": "x86_64", "rootDeviceType": "ebs",
                                        "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
                                        "virtualizationType": "hvm", "hypervisor": "xen",
                                        "tagSet": {"items": [{"key": "Name", "value": "app-server"}]},
                                        "ebsOptimized": False, "enaSupport": True,
                                        "metadataOptions": {"state": "pending", "httpTokens": "required",
                                                            "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled",
                                                            "httpProtocolIpv4": "ipv4", "httpProtocolIpv6": "disabled",
                                                            "instanceMetadataTags": "disabled"}}]},
            }
    return dict(src="ec2.amazonaws.com", name="RunInstances", ro=False, req=req, resp=resp, host=_host("ec2", g),
                perm="ec2:RunInstances", target=f"arn:aws:ec2:{g}:{w.acct}:instance/*", launch=True)


SENSITIVE = set()  # actions left out of the fixtures' background noise (the story has its own)
MGMT_ONLY = set()  # Organizations reads: only the management account makes them
SERVICES = {}  # builder -> the AWS service principals that make that call


def sensitive(builder):
    SENSITIVE.add(builder)
    return builder


def mgmt_only(builder):
    MGMT_ONLY.add(builder)
    return builder


def by_services(builder, *services):
    SERVICES[builder] = services
    return builder


# (builder, classes, weight, global)
ACTIONS = [
    # --- EC2 reads
    (_ec2("DescribeInstances", lambda r, w, g: r.choice([
        {"instancesSet": {}, "filterSet": {}},
        {"instancesSet": {"items": [{"instanceId": r.choice(w.instances[g])}]}, "filterSet": {}},
        {"maxResults": 1000, "instancesSet": {}, "filterSet": {}},
        {"instancesSet": {}, "filterSet": _filters(("instance-state-name", "running"), ("tag:Environment", "prod"))}])),
     HUMANISH | {"slr", "ecsapp"}, 14, False),
    (_ec2("DescribeInstanceStatus", lambda r, w, g: {"instancesSet": {}, "filterSet": {}, "includeAllInstances": True}),
     HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeSecurityGroups", lambda r, w, g: r.choice([
        {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
        {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": r.choice(w.sgs[g])}]}, "filterSet": {}},
        {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": _filters(("vpc-id", w.vpcs[g]))}])),
     HUMANISH | {"slr"}, 8, False),
    (_ec2("DescribeVolumes", lambda r, w, g: r.choice([{"volumeSet": {}, "filterSet": {}},
                                                      {"volumeSet": {"items": [{"volumeId": r.choice(w.volumes[g])}]},
                                                       "filterSet": {}}])), HUMANISH | {"slr"}, 5, False),
    (_ec2("DescribeSubnets", lambda r, w, g: {"subnetSet": {}, "filterSet": _filters(("vpc-id", w.vpcs[g]))}),
     HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeVpcs", lambda r, w, g: {"vpcSet": {}, "filterSet": {}}), HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeNetworkInterfaces", lambda r, w, g: {"networkInterfaceIdSet": {},
                                                        "filterSet": _filters(("vpc-id", w.vpcs[g]))}),
     HUMANISH | {"slr"}, 4, False),
    (_ec2("DescribeSnapshots", lambda r, w, g: {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]},
                                                "sharedUsersSet": {}, "filterSet": {}}), HUMANISH | {"slr"}, 3, False),
    (_ec2("DescribeRegions", lambda r, w, g: {"regionSet": {}}), HUMANISH, 2, False),
    (_ec2("DescribeAvailabilityZones", lambda r, w, g: {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}}),
     HUMANISH | {"ecsapp"}, 2, False),
    (_ec2("DescribeImages", lambda r, w, g: {"executableBySet": {}, "imagesSet": {},
                                             "ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}}),
     HUMANISH, 2, False),
    (_ec2("DescribeAddresses", lambda r, w, g: {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}}),
     HUMANISH | {"slr"}, 2, False),
    # --- EC2 writes
    (_ec2("CreateTags", lambda r, w, g: {"resourcesSet": {"items": [{"resourceId": r.choice(w.instances[g])}]},
                                         "tagSet": {"items": [{"key": r.choice(["Owner", "CostCenter", "Patch"]),
                                                               "value": r.choice(["platform", "4410", "2026-11"])}]}},
          ro=False, resp_fn=lambda r, w, g: {"requestId": "@@R@@", "_return": True}), {"deploy", "console", "ci"}, 2, False),
    (sensitive(_ec2("AuthorizeSecurityGroupIngress", lambda r, w, g: {
        "groupId": r.choice(w.sgs[g]), "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                                     "groups": {}, "ipRanges": {"items": [{"cidrIp": "198.51.100.0/24"}]},
                                                                     "ipv6Ranges": {}, "prefixListIds": {}}]}},
          ro=False, resp_fn=lambda r, w, g: {"requestId": "@@R@@", "_return": True, "securityGroupRuleSet": {"items": [{
              "groupOwnerId": w.acct, "groupId": w.sgs[g][0], "securityGroupRuleId": "sgr-0" + hexs(r, 16),
              "isEgress": False, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "198.51.100.0/24"}]}})),
     {"deploy", "console"}, 1, False),
    (sensitive(_ec2("StopInstances", lambda r, w, g: {"instancesSet": {"items": [{"instanceId": w.instances[g][2]}]}, "force": False},
          ro=False, resp_fn=lambda r, w, g: {"requestId": "@@R@@", "instancesSet": {"items": [{
              "instanceId": w.instances[g][2], "currentState": {"code": 64, "name": "stopping"},
              "previousState": {"code": 16, "name": "running"}}]}})), {"console", "human"}, 0.5, False),
    (sensitive(_run_instances), {"deploy", "ci"}, 0.4, False),
    # --- S3 bucket-level management events
    (lambda r, w, g, who: dict(src="s3.amazonaws.com", name="ListBuckets", ro=True,
                               req={"Host": f"s3.{g}.amazonaws.com"}, add=_s3add(r, r.randint(900, 2400)),
                               host=f"s3.{g}.amazonaws.com", rid="s3", version="1.10", perm="s3:ListAllMyBuckets"),
     HUMANISH | {"slr"}, 5, False),
    (_s3get("GetBucketLocation", "location"), HUMANISH | {"slr", "ecsapp", "ec2app"}, 5, False),
    (_s3get("GetBucketAcl", "acl"), HUMANISH | {"slr"}, 4, False),
    (_s3get("GetBucketPolicy", "policy", (("NoSuchBucketPolicy", "The bucket policy does not exist"),)),
     HUMANISH | {"slr"}, 4, False),
    (_s3get("GetBucketEncryption", "encryption"), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketVersioning", "versioning"), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketPublicAccessBlock", "publicAccessBlock"), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketTagging", "tagging", (("NoSuchTagSet", "The TagSet does not exist"),)), HUMANISH | {"slr"}, 3, False),
    (_s3get("GetBucketLogging", "logging"), HUMANISH | {"slr"}, 2, False),
    (_s3get("GetBucketOwnershipControls", "ownershipControls"), HUMANISH | {"slr"}, 2, False),
    # --- IAM (global: us-east-1 only)
    (_iam("GetUser", lambda r, w: {"userName": _pick_user(r, w)}), HUMANISH | {"slr"}, 4, True),
    (_iam("ListUsers"), HUMANISH | {"slr"}, 3, True),
    (_iam("ListRoles"), HUMANISH | {"slr"}, 4, True),
    (_iam("GetRole", lambda r, w: {"roleName": _pick_role(r, w)}), HUMANISH | {"slr"}, 5, True),
    (_iam("ListAttachedRolePolicies", lambda r, w: {"roleName": _pick_role(r, w)}), HUMANISH | {"slr"}, 4, True),
    (_iam("ListRolePolicies", lambda r, w: {"roleName": _pick_role(r, w)}), HUMANISH | {"slr"}, 3, True),
    (_iam("GetPolicy", lambda r, w: {"policyArn": _managed(r, w)}), HUMANISH | {"slr"}, 3, True),
    (_iam("GetPolicyVersion", lambda r, w: {"policyArn": _managed(r, w), "versionId": f"v{r.randint(1, 6)}"}),
     HUMANISH | {"slr"}, 3, True),
    (_iam("ListAccessKeys", lambda r, w: {"userName": _pick_user(r, w)}), HUMANISH | {"slr"}, 3, True),
    (_iam("ListMFADevices", lambda r, w: {"userName": _pick_user(r, w)}), HUMANISH | {"slr"}, 2, True),
    (_iam("GetAccountSummary"), HUMANISH | {"slr"}, 1, True),
    (_iam("GetAccountPasswordPolicy"), HUMANISH | {"slr"}, 1, True),
    (_iam("ListGroupsForUser", lambda r, w: {"userName": _pick_user(r, w)}), HUMANISH, 1, True),
    (_iam("ListInstanceProfilesForRole", lambda r, w: {"roleName": _pick_role(r, w)}), HUMANISH | {"slr"}, 1, True),
    (sensitive(_create_access_key), {"console"}, 0.5, True),
    (sensitive(_put_user_policy), {"console"}, 0.5, True),
    (sensitive(_attach_role_policy), {"console", "deploy"}, 0.2, True),
    (sensitive(_console_login), {"console"}, 2, True),
    # --- STS
    (_sts_gci, HUMANISH | APPS, 10, False),
    (by_services(_assume_by_service, "lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"),
     {"svc"}, 8, False),
    (sensitive(_assume_by_human), {"human", "deploy", "ci"}, 1, False),
    (sensitive(_federation), {"ci", "human"}, 0.3, True),
    # --- KMS
    (by_services(_kms_svc("Decrypt"), "s3.amazonaws.com", "secretsmanager.amazonaws.com", "cloudtrail.amazonaws.com", "lambda.amazonaws.com"), {"svc"}, 8, False),
    (by_services(_kms_svc("GenerateDataKey"), "s3.amazonaws.com", "secretsmanager.amazonaws.com", "cloudtrail.amazonaws.com", "lambda.amazonaws.com"), {"svc"}, 4,
     False),
    (_kms_app, APPS, 5, False),
    (_kms_read("DescribeKey", lambda r, w, g: {"keyId": r.choice(["alias/app-data", w.kms[g][0]])}),
     HUMANISH | {"slr"}, 2, False),
    (_kms_read("ListAliases", lambda r, w, g: None), HUMANISH, 1, False),
    (_kms_read("ListKeys", lambda r, w, g: None), HUMANISH | {"slr"}, 1, False),
    # --- Lambda
    (_lambda("ListFunctions20150331", fn_req=False), HUMANISH | {"slr"}, 4, False),
    (_lambda("GetFunction20150331v2"), HUMANISH, 4, False),
    (_lambda("GetFunctionConfiguration20150331v2"), HUMANISH | {"slr"}, 2, False),
    (_lambda("ListEventSourceMappings20150331"), HUMANISH, 1, False),
    (_lambda("GetPolicy20150331v2"), HUMANISH | {"slr"}, 1, False),
    (_lambda_update, {"deploy"}, 0.8, False),
    # --- SSM
    (_ssm("GetParameter", lambda r, w, g, who: {"name": r.choice(w.params), "withDecryption": True}),
     APPS | HUMANISH, 8, False),
    (_ssm("GetParameters", lambda r, w, g, who: {"names": r.sample(w.params, 2), "withDecryption": True}),
     APPS | {"deploy"}, 4, False),
    (_ssm("GetParametersByPath", lambda r, w, g, who: {"path": "/app/prod/", "recursive": True,
                                                       "withDecryption": True}), APPS, 3, False),
    (_ssm("DescribeParameters", lambda r, w, g, who: {"maxResults": 50}), HUMANISH, 1, False),
    (_ssm("UpdateInstanceInformation", _ssm_uii, ro=False), {"ec2app"}, 10, False),
    (_ssm("ListInstanceAssociations", lambda r, w, g, who: {"instanceId": who.sess or w.instances[g][0],
                                                            "maxResults": 20}), {"ec2app"}, 5, False),
    (_ssm("DescribeInstanceInformation", lambda r, w, g, who: {"maxResults": 50}), HUMANISH | {"slr"}, 2, False),
    (_put_param, {"deploy"}, 0.6, False),
    # --- CloudWatch Logs
    (_logs("DescribeLogGroups", lambda r, w, g, who: r.choice([{"logGroupNamePrefix": "/aws/lambda/"}, {"limit": 50},
                                                               {"includeLinkedAccounts": False}])),
     HUMANISH | {"slr"}, 4, False),
    (_logs("DescribeLogStreams", lambda r, w, g, who: {"logGroupName": r.choice(w.log_groups), "orderBy": "LastEventTime",
                                                       "descending": True, "limit": 50}), HUMANISH, 2, False),
    (_logs("CreateLogStream", lambda r, w, g, who: {"logGroupName": "/aws/lambda/order-processor",
                                                    "logStreamName": f"2026/11/20/[$LATEST]{hexs(r, 32)}"}, ro=False),
     {"lambdaapp"}, 4, False),
    (_logs("DescribeSubscriptionFilters", lambda r, w, g, who: {"logGroupName": r.choice(w.log_groups)}),
     HUMANISH | {"slr"}, 1, False),
    # --- CloudWatch
    (_cw("DescribeAlarms", lambda r, w, g: r.choice([{"maxRecords": 100}, {"alarmNames": [r.choice(w.alarms)]}])),
     HUMANISH | {"slr"}, 4, False),
    (_cw("ListMetrics", lambda r, w, g: {"namespace": r.choice(["AWS/EC2", "AWS/Lambda", "AWS/DynamoDB"])}),
     HUMANISH | APPS, 2, False),
    (_cw("DescribeAlarmHistory", lambda r, w, g: {"alarmName": r.choice(w.alarms), "historyItemType": "StateUpdate",
                                                  "maxRecords": 10}), HUMANISH, 1, False),
    (_cw("PutMetricAlarm", lambda r, w, g: {"alarmName": r.choice(w.alarms), "metricName": "Errors",
                                            "namespace": "AWS/Lambda", "statistic": "Sum", "period": 300,
                                            "evaluationPeriods": 1, "threshold": 5.0,
                                            "comparisonOperator": "GreaterThanThreshold",
                                            "treatMissingData": "notBreaching"}, ro=False), {"deploy"}, 0.5, False),
    # --- DynamoDB
    (_ddb("DescribeTable"), APPS | HUMANISH | {"slr"}, 6, False),
    (_ddb("ListTables", table=False), HUMANISH | {"slr"}, 2, False),
    (_ddb("DescribeContinuousBackups"), HUMANISH | {"slr"}, 2, False),
    (_ddb("DescribeTimeToLive"), HUMANISH | {"slr", "ecsapp"}, 2, False),
    (_ddb("UpdateTimeToLive", ro=False, extra={"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}}),
     {"deploy"}, 0.3, False),
    # --- Organizations (management account only; filtered below)
    (mgmt_only(_org("DescribeOrganization")), HUMAN | {"slr"}, 1, True),
    (mgmt_only(_org("ListAccounts")), HUMAN, 1, True),
    (mgmt_only(_org("ListPolicies", {"filter": "SERVICE_CONTROL_POLICY"})), HUMAN, 0.5, True),
]

DENY_CODES = {"iam.amazonaws.com": "AccessDenied", "sts.amazonaws.com": "AccessDenied",
              "organizations.amazonaws.com": "AccessDenied", "s3.amazonaws.com": "AccessDenied",
              "ec2.amazonaws.com": "Client.UnauthorizedOperation"}


def deny_message(src, arn, perm, target):
    if src == "s3.amazonaws.com":
        return "Access Denied"
    on = f" on resource: {target}" if target else ""
    core = f"User: {arn} is not authorized to perform: {perm}{on} because no identity-based policy allows the {perm} action"
    if src == "ec2.amazonaws.com":
        return "You are not authorized to perform this operation. " + core
    return core


def ec2_encoded_message(r):
    return "Encoded authorization failure message: " + "".join(r.choices(ALNUM + "-_", k=420))


# --------------------------------------------------------------------------------------------
# Templates: one action by one identity, pre-rendered once, filled per record with %-formatting
# --------------------------------------------------------------------------------------------

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
                if builder is _federation and who.kind != "user":
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
            vals = {"T": ts, "I": f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}",
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



# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------

CORPUS_ACCTS = (A1, A2, A3)
AVG_RECORD = 1365  # bytes, measured; turns a target file size into a record count
_STREAMS: dict = {}


def stream_for(acct, region, quiet=False) -> Stream:
    s = _STREAMS.get((acct, region, quiet))
    if s is None:
        s = _STREAMS[(acct, region, quiet)] = Stream(World(acct), region, quiet)
    return s


def sample_file_size(r: random.Random) -> float:
    """Uncompressed size: log-uniform on 5 KB..200 KB or 200 KB..3 MB with equal odds (median 200 KB)."""
    lo, hi = (5e3, 2e5) if r.random() < 0.5 else (2e5, 3e6)
    return math.exp(math.log(lo) + r.random() * (math.log(hi) - math.log(lo)))


def corpus_plan(seed):
    """Endless list of files in delivery order: a 5-minute cadence per account and region."""
    r = rng_for("corpus-plan", seed)
    origin = dt.datetime(2026, 11, 20, tzinfo=UTC)
    k = 0
    while True:
        for acct in CORPUS_ACCTS:
            for region in REGIONS_CORPUS:
                wstart = origin + dt.timedelta(minutes=5 * k)
                name_t = wstart + dt.timedelta(minutes=5, seconds=r.randint(40, 300))
                yield (acct, region, wstart, name_t, sample_file_size(r), alnum(r, 16), r.getrandbits(64))
        k += 1


def render_corpus_file(spec):
    acct, region, wstart, name_t, size, suffix, fseed = spec
    n = max(1, round(size / AVG_RECORD))
    recs = stream_for(acct, region).render(random.Random(fseed), wstart, 300, n)
    data = delivery(recs)
    rel = "/".join(("AWSLogs", acct, "CloudTrail", region, name_t.strftime("%Y/%m/%d"),
                    f"{acct}_CloudTrail_{region}_{name_stamp(name_t)}_{suffix}.json.gz"))
    return rel, gz(data), n, len(data)


def cmd_corpus(outdir, seed, size_mb, single, jobs):
    limit = int(size_mb * 1_000_000)
    t0 = time.perf_counter()
    if single:
        files, recs, ulen, clen = 1, *write_single(outdir, seed, limit)
    else:
        files = recs = ulen = clen = 0
        plan = corpus_plan(seed)
        pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
        try:
            while ulen < limit:
                batch = [next(plan) for _ in range(8 * jobs)]
                results = pool.imap(render_corpus_file, batch) if pool else map(render_corpus_file, batch)
                for rel, comp, n, u in results:
                    if ulen >= limit:
                        continue  # surplus of the last batch: discarded, output stays deterministic
                    path = os.path.join(outdir, rel)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(comp)
                    files, recs, ulen, clen = files + 1, recs + n, ulen + u, clen + len(comp)
        finally:
            if pool:
                pool.close()
                pool.join()
    el = time.perf_counter() - t0
    print(f"files={files} records={recs} uncompressed_bytes={ulen} compressed_bytes={clen}")
    print(f"elapsed={el:.2f}s rate={ulen / 1e6 / el:.1f}MB/s avg_record={ulen / max(recs, 1):.0f}B "
          f"avg_file={ulen / max(files, 1):.0f}B", file=sys.stderr)


def write_single(outdir, seed, limit):
    """One delivery object of `limit` uncompressed bytes, events spread over 2026-11-19."""
    st = stream_for(A1, "us-east-1")
    r = rng_for("corpus-single", seed)
    per_seg = 2000
    nseg = max(1, math.ceil(limit / AVG_RECORD / per_seg * 1.1))  # margin: times must never wrap
    span = max(1, 86400 // nseg)
    origin = dt.datetime(2026, 11, 19, tzinfo=UTC)
    path = os.path.join(outdir, "single", f"{A1}_CloudTrail_us-east-1_20261120T0000Z_singlefile000000.json.gz")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    ulen = clen = recs = 0
    with open(path, "wb") as f:
        head = b'{"Records":['
        f.write(c.compress(head))
        ulen += len(head)
        seg = 0
        while ulen < limit:
            start = origin + dt.timedelta(seconds=seg * span)
            chunk = st.render(r, start, span, per_seg)
            parts = []
            for s in chunk:
                if ulen >= limit:
                    break
                b = ("," if recs else "") + s
                parts.append(b)
                ulen += len(b)
                recs += 1
            data = "".join(parts).encode()
            f.write(c.compress(data))
            seg += 1
        tail = b"]}"
        ulen += len(tail)
        f.write(c.compress(tail))
        f.write(c.flush())
        clen = f.tell()
    return recs, ulen, clen


# --------------------------------------------------------------------------------------------
# Fixtures: the demo log tree
# --------------------------------------------------------------------------------------------

FIX_REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
DAYS = [dt.datetime(2026, 11, d, tzinfo=UTC) for d in (20, 21, 22)]
TRAILS = {A1: ("management-events", f"example-cloudtrail-{A1}"),
          A2: ("org-trail", f"example-org-cloudtrail-{A2}")}
OFFICE_ALICE, OFFICE_BOB, ATTACKER, AUDITOR_IP = "198.51.100.23", "192.0.2.44", "203.0.113.77", "192.0.2.90"
SDK_INTERNAL = ("aws-internal/3 aws-sdk-java/1.12.779 Linux/5.10.228-198.884.amzn2int.x86_64 "
                "OpenJDK_64-Bit_Server_VM/25.432-b06 java/1.8.0_432 vendor/Oracle_Corporation cfg/retry-mode/standard")


def at(day, hms):
    h, m, s = (int(x) for x in hms.split(":"))
    return day.replace(hour=h, minute=m, second=s)


def acct_prefix(acct):
    return f"AWSLogs/{ORG_ID}/{acct}" if acct == A2 else f"AWSLogs/{acct}"


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


def build_scenario(W1: World, W2: World) -> Scenario:
    sc = Scenario()
    r = sc.r
    d1, d2, d3 = DAYS
    ua = user_agent
    alice, bob, bot = W1.users["alice"], W1.users["bob"], W1.users["build-bot"]

    # ---------------- Day 1, 111122223333 us-east-1: console login without MFA, key for another user
    t = at(d1, "08:52:14")
    sc.call(A1, "us-east-1", t, ui_user(A1, alice["pid"], "alice"), "signin.amazonaws.com", "ConsoleLogin",
            OFFICE_ALICE, UA["browser"], rid=None, host="signin.aws.amazon.com", ro=False, etype="AwsConsoleSignIn",
            resp={"ConsoleLogin": "Success"},
            add={"LoginTo": login_to(r), "MobileVersion": "No", "MFAUsed": "No"})
    k_alice = temp_key(r)
    ui_ac = ui_user(A1, alice["pid"], "alice", k_alice, (iso(t), "false"))
    sc.call(A1, "us-east-1", at(d1, "08:53:40"), ui_ac, "iam.amazonaws.com", "ListUsers", OFFICE_ALICE,
            UA["console"], console=True, req={"maxItems": 1000})
    sc.call(A1, "us-east-1", at(d1, "08:54:05"), ui_ac, "iam.amazonaws.com", "GetUser", OFFICE_ALICE, UA["console"],
            console=True, req={"userName": "svc-backup"})
    t = at(d1, "08:55:31")
    k_backup = long_key(r)
    sc.call(A1, "us-east-1", t, ui_ac, "iam.amazonaws.com", "CreateAccessKey", OFFICE_ALICE, UA["console"],
            console=True, req={"userName": "svc-backup"},
            resp={"accessKey": {"userName": "svc-backup", "accessKeyId": k_backup, "status": "Active",
                                "createDate": iam_time(t)}})
    backup_bucket = W1.buckets["eu-west-1"][0]
    sc.call(A1, "us-east-1", at(d1, "08:57:02"), ui_ac, "iam.amazonaws.com", "PutUserPolicy", OFFICE_ALICE,
            UA["console"], console=True,
            req={"userName": "svc-backup", "policyName": "backup-s3-access",
                 "policyDocument": policy_text([{"Sid": "BackupWrite", "Effect": "Allow",
                                                 "Action": ["s3:PutObject", "s3:GetObject", "s3:ListBucket"],
                                                 "Resource": [f"arn:aws:s3:::{backup_bucket}",
                                                              f"arn:aws:s3:::{backup_bucket}/*"]}])})
    # the new key in use
    ui_bk = ui_user(A1, W1.users["svc-backup"]["pid"], "svc-backup", k_backup)
    sc.call(A1, "us-east-1", at(d1, "09:31:07"), ui_bk, "s3.amazonaws.com", "ListBuckets", "192.0.2.77",
            ua("boto3", "s3.amazonaws.com", "ListBuckets"), rid="s3", host="s3.us-east-1.amazonaws.com",
            version="1.10", req={"Host": "s3.us-east-1.amazonaws.com"}, add={
                "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                "AuthenticationMethod": "AuthHeader", "x-amz-id-2": amz_id_2(r), "bytesTransferredOut": 1873})
    sc.call(A1, "us-east-1", at(d1, "09:31:09"), ui_bk, "sts.amazonaws.com", "GetCallerIdentity", "192.0.2.77",
            ua("boto3", "sts.amazonaws.com", "GetCallerIdentity"))

    # ---------------- Day 1: bob denied, then GetSessionToken with MFA and calls with it
    bob_arn = W1.user_arn("bob")
    ui_bob = ui_user(A1, bob["pid"], "bob", bob["key"])
    sc.call(A1, "us-east-1", at(d1, "10:14:05"), ui_bob, "iam.amazonaws.com", "UpdateAccessKey", OFFICE_BOB,
            ua("cli-linux", "iam.amazonaws.com", "UpdateAccessKey"), ro=False,
            err=("AccessDenied", f"User: {bob_arn} is not authorized to perform: iam:UpdateAccessKey on resource: "
                                 "user alice because no identity-based policy allows the iam:UpdateAccessKey action"))
    t = at(d1, "10:16:30")
    k_bob = temp_key(r)
    sc.call(A1, "us-east-1", t, ui_bob, "sts.amazonaws.com", "GetSessionToken", OFFICE_BOB,
            ua("cli-linux", "sts.amazonaws.com", "GetSessionToken"),
            req={"durationSeconds": 43200, "serialNumber": f"arn:aws:iam::{A1}:mfa/bob"},
            resp={"credentials": creds(r, t, 43200, k_bob)}, ro=True)
    ui_bobs = ui_user(A1, bob["pid"], "bob", k_bob, (iso(t), "true"))
    sc.call(A1, "us-east-1", at(d1, "10:17:02"), ui_bobs, "sts.amazonaws.com", "GetCallerIdentity", OFFICE_BOB,
            ua("cli-linux", "sts.amazonaws.com", "GetCallerIdentity"))
    sc.call(A1, "us-east-1", at(d1, "10:17:40"), ui_bobs, "iam.amazonaws.com", "ListAccessKeys", OFFICE_BOB,
            ua("cli-linux", "iam.amazonaws.com", "ListAccessKeys"), req={"userName": "bob"})

    # ---------------- Day 1 eu-west-1: CI assumes DeployRole on the regional STS endpoint, deploys Lambda
    ci = W1.users["ci-deploy"]
    t = at(d1, "13:40:10")
    k_dep = temp_key(r)
    dep = W1.roles["DeployRole"]
    sess = "gha-deploy-8812"
    sc.call(A1, "eu-west-1", t, ui_user(A1, ci["pid"], "ci-deploy", ci["key"]), "sts.amazonaws.com", "AssumeRole",
            "192.0.2.210", ua("go", "sts.amazonaws.com", "AssumeRole"), tls=TLS12,
            req={"roleArn": W1.role_arn("DeployRole"), "roleSessionName": sess, "durationSeconds": 3600},
            resp={"credentials": creds(r, t, 3600, k_dep),
                  "assumedRoleUser": {"assumedRoleId": f"{dep['rid']}:{sess}",
                                      "arn": f"arn:aws:sts::{A1}:assumed-role/DeployRole/{sess}"}},
            res=res_role(A1, W1.role_arn("DeployRole")), ro=True)
    ui_dep = ui_role(A1, dep["rid"], "DeployRole", "/", sess, k_dep, iso(t))
    sc.call(A1, "eu-west-1", at(d1, "13:40:25"), ui_dep, "lambda.amazonaws.com", "GetFunction20150331v2",
            "192.0.2.210", ua("go", "lambda.amazonaws.com", ""), tls=TLS12, version="1.08",
            req={"functionName": "order-processor"})
    t = at(d1, "13:41:02")
    sc.call(A1, "eu-west-1", t, ui_dep, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "192.0.2.210",
            ua("go", "lambda.amazonaws.com", ""), tls=TLS12, version="1.08", ro=False,
            req={"functionName": "order-processor", "s3Bucket": f"example-build-artifacts-{A1}",
                 "s3Key": "order-processor/build-8812.zip", "publish": True, "dryRun": False},
            resp=lambda_config(W1, "eu-west-1", "order-processor", t.strftime("%Y-%m-%dT%H:%M:%S.412+0000"), r))
    sc.call(A1, "eu-west-1", at(d1, "13:42:30"), ui_dep, "lambda.amazonaws.com", "AddPermission20150331v2",
            "192.0.2.210", ua("go", "lambda.amazonaws.com", ""), tls=TLS12, version="1.08", ro=False,
            err=("AccessDeniedException",
                 f"User: arn:aws:sts::{A1}:assumed-role/DeployRole/{sess} is not authorized to perform: "
                 f"lambda:AddPermission on resource: {W1.fn_arn('eu-west-1', 'order-processor')} because no "
                 "identity-based policy allows the lambda:AddPermission action"))

    # ---------------- Day 1 us-west-2: Lambda service assumes the function role; S3 decrypts via KMS
    t = at(d1, "16:05:03")
    tr = W1.roles["thumbnail-resizer-role"]
    k_th = temp_key(r)
    sc.call(A1, "us-west-2", t, ui_service("lambda.amazonaws.com"), "sts.amazonaws.com", "AssumeRole",
            "lambda.amazonaws.com", "lambda.amazonaws.com", tls=None,
            req={"roleArn": W1.role_arn("thumbnail-resizer-role"), "roleSessionName": "thumbnail-resizer"},
            resp={"credentials": creds(r, t, 43200, k_th),
                  "assumedRoleUser": {"assumedRoleId": f"{tr['rid']}:thumbnail-resizer",
                                      "arn": f"arn:aws:sts::{A1}:assumed-role/thumbnail-resizer-role/thumbnail-resizer"}},
            res=[{"accountId": A1, "type": "AWS::IAM::Role", "ARN": W1.role_arn("thumbnail-resizer-role")}], ro=True)
    bkt = W1.buckets["us-west-2"][0]
    sc.call(A1, "us-west-2", at(d1, "16:05:04"), ui_service("s3.amazonaws.com"), "kms.amazonaws.com", "Decrypt",
            "s3.amazonaws.com", "s3.amazonaws.com", tls=None,
            req={"encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bkt}"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            res=[{"accountId": A1, "type": "AWS::KMS::Key", "ARN": W1.kms_arn("us-west-2")}], ro=True,
            shared=uuid4(r))
    ui_th = ui_role(A1, tr["rid"], "thumbnail-resizer-role", "/service-role/", "thumbnail-resizer", k_th, iso(t))
    sc.call(A1, "us-west-2", at(d1, "16:05:05"), ui_th, "logs.amazonaws.com", "CreateLogStream", "192.0.2.151",
            UA["lambda-worker"], tls=TLS12, ro=False,
            req={"logGroupName": "/aws/lambda/thumbnail-resizer", "logStreamName": f"2026/11/20/[$LATEST]{hexs(r, 32)}"})
    sc.call(A1, "us-west-2", at(d1, "16:05:07"), ui_th, "ssm.amazonaws.com", "GetParameter", "192.0.2.151",
            UA["boto3-lambda"], req={"name": "/app/prod/feature-flags", "withDecryption": True})

    # ---------------- Day 1 444455556666 eu-west-1: an old-format ("Unknown") Identity Center portal event
    sc.call(A2, "eu-west-1", at(d1, "09:30:12"),
            {"type": "Unknown", "principalId": W2.idc_users["carol@example.com"], "accountId": A2,
             "userName": "carol@example.com"},
            "sso.amazonaws.com", "ListAccounts", "198.51.100.61", UA["browser"], host="portal.sso.eu-west-1.amazonaws.com",
            version="1.08", etype="AwsServiceEvent", ro=True)

    # ---------------- Day 2 us-east-1: leaked build-bot key, federation token, calls as the federated user
    ui_bot = ui_user(A1, bot["pid"], "build-bot", bot["key"])
    bot_arn = W1.user_arn("build-bot")
    sc.call(A1, "us-east-1", at(d2, "03:12:40"), ui_bot, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER,
            ua("cli-attacker", "sts.amazonaws.com", "GetCallerIdentity"), tls=TLS12, lane=1, delay=16 * 60)
    sc.call(A1, "us-east-1", at(d2, "03:13:05"), ui_bot, "iam.amazonaws.com", "ListAttachedUserPolicies", ATTACKER,
            ua("cli-attacker", "iam.amazonaws.com", "ListAttachedUserPolicies"), tls=TLS12, lane=1, delay=16 * 60,
            req={"userName": "build-bot"})
    sc.call(A1, "us-east-1", at(d2, "03:14:20"), ui_bot, "iam.amazonaws.com", "CreateUser", ATTACKER,
            ua("cli-attacker", "iam.amazonaws.com", "CreateUser"), tls=TLS12, ro=False,
            err=("AccessDenied", f"User: {bot_arn} is not authorized to perform: iam:CreateUser on resource: "
                                 f"arn:aws:iam::{A1}:user/support-admin with an explicit deny in an identity-based policy"))
    t_fed = at(d2, "03:15:50")
    k_fed = temp_key(r)
    fed_pol = "{\n\t\t\"Version\": \"2012-10-17\",\n\t\t\"Statement\": [{\"Effect\": \"Allow\",\"Action\": \"*\",\"Resource\": \"*\"}]}"
    sc.call(A1, "us-east-1", t_fed, ui_bot, "sts.amazonaws.com", "GetFederationToken", ATTACKER,
            ua("cli-attacker", "sts.amazonaws.com", "GetFederationToken"), tls=TLS12, ro=True,
            req={"name": "maint", "policy": fed_pol, "durationSeconds": 129600},
            resp={"credentials": creds(r, t_fed, 129600, k_fed),
                  "federatedUser": {"federatedUserId": f"{A1}:maint", "arn": f"arn:aws:sts::{A1}:federated-user/maint"},
                  "packedPolicySize": 4})
    ui_fed = ui_federated(A1, "maint", k_fed, iso(t_fed), bot["pid"], "build-bot")
    sc.call(A1, "us-east-1", at(d2, "03:17:10"), ui_fed, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER,
            ua("cli-attacker", "sts.amazonaws.com", "GetCallerIdentity"), tls=TLS12)
    sc.call(A1, "us-east-1", at(d2, "03:17:45"), ui_fed, "s3.amazonaws.com", "ListBuckets", ATTACKER,
            ua("cli-attacker", "s3.amazonaws.com", "ListBuckets"), rid="s3", host="s3.us-east-1.amazonaws.com",
            tls=TLS12, version="1.10", req={"Host": "s3.us-east-1.amazonaws.com"},
            add={"SignatureVersion": "SigV4", "CipherSuite": "ECDHE-RSA-AES128-GCM-SHA256", "bytesTransferredIn": 0,
                 "AuthenticationMethod": "AuthHeader", "x-amz-id-2": amz_id_2(r), "bytesTransferredOut": 2311})
    sc.call(A1, "us-east-1", at(d2, "03:19:02"), ui_fed, "ec2.amazonaws.com", "DescribeRegions", ATTACKER,
            ua("cli-attacker", "ec2.amazonaws.com", "DescribeRegions"), tls=TLS12, req={"regionSet": {}})
    sc.call(A1, "us-west-2", at(d2, "03:22:15"), ui_fed, "ec2.amazonaws.com", "DescribeInstances", ATTACKER,
            ua("cli-attacker", "ec2.amazonaws.com", "DescribeInstances"), tls=TLS12,
            req={"instancesSet": {}, "filterSet": {}})
    run_req = {"instancesSet": {"items": [{"imageId": "ami-0" + hexs(r, 16), "minCount": 1, "maxCount": 20}]},
               "instanceType": "g5.12xlarge", "blockDeviceMapping": {}, "monitoring": {"enabled": False},
               "disableApiTermination": False, "disableApiStop": False, "clientToken": uuid4(r)}
    sc.call(A1, "us-west-2", at(d2, "03:23:40"), ui_fed, "ec2.amazonaws.com", "RunInstances", ATTACKER,
            ua("cli-attacker", "ec2.amazonaws.com", "RunInstances"), tls=TLS12, ro=False, req=run_req,
            err=("Client.UnauthorizedOperation",
                 f"You are not authorized to perform this operation. User: arn:aws:sts::{A1}:federated-user/maint is "
                 f"not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-west-2:{A1}:instance/* "
                 "because no identity-based policy allows the ec2:RunInstances action. " + ec2_encoded_message(r)))

    # ---------------- Day 2 us-east-1 (part 1): the federation token turned into a console session. CLI calls
    # with GetFederationToken credentials cannot reach IAM, console sessions can; build-bot's own key was refused
    # iam:CreateUser at 03:14:20, the console session creates the user and a key for it.
    r1 = sc.rngs[1]
    sc.call(A1, "us-east-1", at(d2, "03:25:30"), ui_fed, "signin.amazonaws.com", "GetSigninToken", ATTACKER,
            UA["python-requests"], rid=None, host="signin.aws.amazon.com", tls=TLS12, ro=False,
            etype="AwsConsoleSignIn", part=1,
            resp={"credentials": {"accessKeyId": k_fed}, "GetSigninToken": "Success"}, add={"MobileVersion": "No"})
    ui_fed_signin = {k: v for k, v in ui_fed.items() if k != "accessKeyId"}
    sc.call(A1, "us-east-1", at(d2, "03:25:58"), ui_fed_signin, "signin.amazonaws.com", "ConsoleLogin", ATTACKER,
            UA["browser-attacker"], rid=None, host="signin.aws.amazon.com", ro=False, etype="AwsConsoleSignIn",
            part=1, resp={"ConsoleLogin": "Success"},
            add={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"})
    ui_fedc = ui_federated(A1, "maint", temp_key(r1), iso(t_fed), bot["pid"], "build-bot")
    sc.call(A1, "us-east-1", at(d2, "03:27:12"), ui_fedc, "iam.amazonaws.com", "ListUsers", ATTACKER, UA["console"],
            console=True, part=1, req={"maxItems": 1000})
    t = at(d2, "03:28:40")
    sc.call(A1, "us-east-1", t, ui_fedc, "iam.amazonaws.com", "CreateUser", ATTACKER, UA["console"], console=True,
            part=1, req={"userName": "support-admin"},
            resp={"user": {"path": "/", "userName": "support-admin", "userId": "AIDA" + b32(r1, 17),
                           "arn": W1.user_arn("support-admin"), "createDate": iam_time(t)}})
    t = at(d2, "03:29:05")
    sc.call(A1, "us-east-1", t, ui_fedc, "iam.amazonaws.com", "CreateAccessKey", ATTACKER, UA["console"],
            console=True, part=1, req={"userName": "support-admin"},
            resp={"accessKey": {"userName": "support-admin", "accessKeyId": long_key(r1), "status": "Active",
                                "createDate": iam_time(t)}})

    # ---------------- Day 2 us-east-1 (part 1): AWS quarantines build-bot (the exposed key's user). Who AWS
    # calls as is not documented: an AWSService identity "AWS Internal" is our stand-in. The quarantine (V3)
    # now refuses a second federation token, but Secrets Manager is not in V3's deny list.
    q_arn = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"
    sc.call(A1, "us-east-1", at(d2, "03:38:52"), {"type": "AWSService", "invokedBy": "AWS Internal"},
            "iam.amazonaws.com", "AttachUserPolicy", "AWS Internal", "AWS Internal", tls=None, ro=False, part=1,
            req={"policyArn": q_arn, "userName": "build-bot"})
    sc.call(A1, "us-east-1", at(d2, "03:44:10"), ui_bot, "sts.amazonaws.com", "GetFederationToken", ATTACKER,
            ua("cli-attacker", "sts.amazonaws.com", "GetFederationToken"), tls=TLS12, ro=True, part=1,
            err=("AccessDenied", f"User: {bot_arn} is not authorized to perform: sts:GetFederationToken on resource: "
                                 f"arn:aws:sts::{A1}:federated-user/maint2 with an explicit deny in an identity-based "
                                 "policy"))
    sc.call(A1, "us-east-1", at(d2, "03:46:31"), ui_bot, "secretsmanager.amazonaws.com", "GetSecretValue", ATTACKER,
            ua("cli-attacker", "secretsmanager.amazonaws.com", "GetSecretValue"), tls=TLS12, part=1,
            req={"secretId": "prod/app/db"})

    # ---------------- Day 2 us-east-1 (part 1): alice takes the quarantine off build-bot again (containment undone)
    ui_alice = ui_user(A1, alice["pid"], "alice", alice["key"])
    sc.call(A1, "us-east-1", at(d2, "08:29:47"), ui_alice, "iam.amazonaws.com", "ListAttachedUserPolicies",
            OFFICE_ALICE, ua("cli-mac", "iam.amazonaws.com", "ListAttachedUserPolicies"), part=1,
            req={"userName": "build-bot"})
    sc.call(A1, "us-east-1", at(d2, "08:31:16"), ui_alice, "iam.amazonaws.com", "DetachUserPolicy", OFFICE_ALICE,
            ua("cli-mac", "iam.amazonaws.com", "DetachUserPolicy"), ro=False, part=1,
            req={"policyArn": q_arn, "userName": "build-bot"})

    # ---------------- Day 2: cross-account AssumeRole (both copies) and calls with the session
    t = at(d2, "11:02:33")
    aud = W2.users["auditor"]
    role_arn = W1.role_arn("OrgAuditRole")
    oa = W1.roles["OrgAuditRole"]
    sess = "audit-20261121"
    k_aud = temp_key(r)
    shared, reqid = uuid4(r), uuid4(r)
    common = dict(req={"roleArn": role_arn, "roleSessionName": sess, "durationSeconds": 3600},
                  resp={"credentials": creds(r, t, 3600, k_aud),
                        "assumedRoleUser": {"assumedRoleId": f"{oa['rid']}:{sess}",
                                            "arn": f"arn:aws:sts::{A1}:assumed-role/OrgAuditRole/{sess}"}},
                  res=[{"ARN": role_arn, "accountId": A1, "type": "AWS::IAM::Role"}], shared=shared, rid=reqid, ro=True)
    sc.call(A2, "us-east-1", t, ui_user(A2, aud["pid"], "auditor", aud["key"]), "sts.amazonaws.com", "AssumeRole",
            AUDITOR_IP, ua("boto3", "sts.amazonaws.com", "AssumeRole"), **common)
    sc.call(A1, "us-east-1", t, {"type": "AWSAccount", "principalId": aud["pid"], "accountId": A2},
            "sts.amazonaws.com", "AssumeRole", AUDITOR_IP, ua("boto3", "sts.amazonaws.com", "AssumeRole"), **common)
    ui_aud = ui_role(A1, oa["rid"], "OrgAuditRole", "/", sess, k_aud, iso(t))
    sc.call(A1, "us-east-1", at(d2, "11:03:10"), ui_aud, "iam.amazonaws.com", "ListUsers", AUDITOR_IP,
            UA["boto3"])
    sc.call(A1, "us-east-1", at(d2, "11:03:12"), ui_aud, "iam.amazonaws.com", "ListRoles", AUDITOR_IP, UA["boto3"])
    sc.call(A1, "eu-west-1", at(d2, "11:04:20"), ui_aud, "ec2.amazonaws.com", "DescribeSecurityGroups", AUDITOR_IP,
            UA["boto3"], req={"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}})

    # ---------------- Day 2: Identity Center user gets role credentials -> SAML session in the member account
    t = at(d2, "14:20:05")
    carol = W2.idc_users["carol@example.com"]
    sc.call(A2, "eu-west-1", t, {"type": "IdentityCenterUser", "accountId": A2,
                                 "onBehalfOf": {"userId": carol,
                                                "identityStoreArn": f"arn:aws:identitystore::{A2}:identitystore/d-{W2.idc_store}"},
                                 "credentialId": alnum(r, 40) + "EXAMPLE" + alnum(r, 24)},
            "sso.amazonaws.com", "GetRoleCredentials", "198.51.100.61", ua("cli-mac", "sso.amazonaws.com",
                                                                           "GetRoleCredentials"),
            host="portal.sso.eu-west-1.amazonaws.com", etype="AwsServiceEvent", ro=True,
            sed={"role_name": "AdministratorAccess", "account_id": A1})
    t = at(d2, "14:20:06")
    sso = W1.roles[W1.sso_admin]
    nq = base64.b64encode(r.getrandbits(160).to_bytes(20, "big")).decode()
    saml_provider = f"arn:aws:iam::{A1}:saml-provider/AWSSSO_{hexs(r, 16)}_DO_NOT_DELETE"
    k_sso = temp_key(r)
    sso_arn = W1.role_arn(W1.sso_admin)
    sc.call(A1, "us-east-1", t, {"type": "SAMLUser", "principalId": f"{nq}:carol@example.com",
                                 "userName": "carol@example.com", "identityProvider": nq},
            "sts.amazonaws.com", "AssumeRoleWithSAML", "198.51.100.61", SDK_INTERNAL, tls=TLS12, ro=True,
            req={"sAMLAssertionID": "_" + uuid4(r), "roleSessionName": "carol@example.com", "roleArn": sso_arn,
                 "principalArn": saml_provider, "durationSeconds": 3600},
            resp={"credentials": creds(r, t, 3600, k_sso),
                  "assumedRoleUser": {"assumedRoleId": f"{sso['rid']}:carol@example.com",
                                      "arn": f"arn:aws:sts::{A1}:assumed-role/{W1.sso_admin}/carol@example.com"},
                  "subject": "carol@example.com", "subjectType": "persistent",
                  "issuer": f"https://portal.sso.eu-west-1.amazonaws.com/saml/assertion/{alnum(r, 32)}",
                  "audience": "https://signin.aws.amazon.com/saml", "nameQualifier": nq},
            res=[{"ARN": sso_arn, "accountId": A1, "type": "AWS::IAM::Role"},
                 {"ARN": saml_provider, "accountId": A1, "type": "AWS::IAM::SAMLProvider"}])
    ui_sso = ui_role(A1, sso["rid"], W1.sso_admin, W1.roles[W1.sso_admin]["path"], "carol@example.com", k_sso, iso(t))
    sc.call(A1, "us-east-1", at(d2, "14:21:30"), ui_sso, "s3.amazonaws.com", "ListBuckets", "198.51.100.61",
            ua("cli-mac", "s3.amazonaws.com", "ListBuckets"), rid="s3", host="s3.us-east-1.amazonaws.com",
            version="1.10", req={"Host": "s3.us-east-1.amazonaws.com"},
            add={"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                 "AuthenticationMethod": "AuthHeader", "x-amz-id-2": amz_id_2(r), "bytesTransferredOut": 1873})
    sc.call(A1, "us-east-1", at(d2, "14:21:52"), ui_sso, "sts.amazonaws.com", "GetCallerIdentity", "198.51.100.61",
            ua("cli-mac", "sts.amazonaws.com", "GetCallerIdentity"))

    # ---------------- Day 3 us-east-1: containment of build-bot; the live federation session is cut off
    t = at(d3, "09:05:12")
    sc.call(A1, "us-east-1", t, ui_user(A1, alice["pid"], "alice"), "signin.amazonaws.com", "ConsoleLogin",
            OFFICE_ALICE, UA["browser"], rid=None, host="signin.aws.amazon.com", ro=False, etype="AwsConsoleSignIn",
            resp={"ConsoleLogin": "Success"},
            add={"LoginTo": login_to(r), "MobileVersion": "No",
                 "MFAIdentifier": f"arn:aws:iam::{A1}:mfa/alice", "MFAUsed": "Yes"})
    k_alice3 = temp_key(r)
    ui_ac3 = ui_user(A1, alice["pid"], "alice", k_alice3, (iso(t), "true"))
    sc.call(A1, "us-east-1", at(d3, "09:12:30"), ui_ac3, "iam.amazonaws.com", "PutUserPolicy", OFFICE_ALICE,
            UA["console"], console=True,
            req={"userName": "build-bot", "policyName": "DenyAll-incident-2026-11-22",
                 "policyDocument": policy_text([{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])})
    sc.call(A1, "us-east-1", at(d3, "09:20:41"), ui_bot, "iam.amazonaws.com", "CreateAccessKey", ATTACKER,
            ua("cli-attacker", "iam.amazonaws.com", "CreateAccessKey"), tls=TLS12, ro=False,
            err=("AccessDenied", f"User: {bot_arn} is not authorized to perform: iam:CreateAccessKey on resource: "
                                 "user build-bot with an explicit deny in an identity-based policy"))
    sc.call(A1, "us-east-1", at(d3, "09:25:03"), ui_ac3, "iam.amazonaws.com", "UpdateAccessKey", OFFICE_ALICE,
            UA["console"], console=True, ro=False,
            req={"userName": "build-bot", "accessKeyId": bot["key"], "status": "Inactive"})
    sc.call(A1, "us-west-2", at(d3, "09:40:17"), ui_fed, "ec2.amazonaws.com", "DescribeInstances", ATTACKER,
            ua("cli-attacker", "ec2.amazonaws.com", "DescribeInstances"), tls=TLS12,
            req={"instancesSet": {}, "filterSet": {}},
            err=("Client.UnauthorizedOperation",
                 f"You are not authorized to perform this operation. User: arn:aws:sts::{A1}:federated-user/maint is "
                 "not authorized to perform: ec2:DescribeInstances with an explicit deny in an identity-based policy"))

    # ---------------- Day 3 eu-west-1: KMS denial for an instance role
    app = W1.roles["app-server-role"]
    inst = W1.instances["eu-west-1"][0]
    ui_app = ui_role(A1, app["rid"], "app-server-role", "/", inst, temp_key(r), iso(at(d3, "10:48:02")))
    key_arn = W1.kms_arn("eu-west-1", 1)
    sc.call(A1, "eu-west-1", at(d3, "11:10:44"), ui_app, "kms.amazonaws.com", "Decrypt", "192.0.2.101", UA["boto3"],
            err=("AccessDeniedException", f"User: arn:aws:sts::{A1}:assumed-role/app-server-role/{inst} is not "
                                          f"authorized to perform: kms:Decrypt on resource: {key_arn} because no "
                                          "resource-based policy allows the kms:Decrypt action"),
            res=[{"accountId": A1, "type": "AWS::KMS::Key", "ARN": key_arn}], ro=True)

    # ---------------- Day 3 444455556666 us-east-1: root console login, SCP created from the console
    sc.call(A2, "us-east-1", at(d3, "07:48:10"), ui_root(A2), "signin.amazonaws.com", "ConsoleLogin", "198.51.100.200",
            UA["browser-win"], rid=None, host="signin.aws.amazon.com", ro=False, etype="AwsConsoleSignIn",
            resp={"ConsoleLogin": "Success"},
            add={"LoginTo": login_to(r), "MobileVersion": "No",
                 "MFAIdentifier": f"arn:aws:iam::{A2}:mfa/root-account-mfa-device", "MFAUsed": "Yes"})
    t = at(d3, "10:31:00")
    adm = W2.roles[W2.sso_admin]
    ui_dave = ui_role(A2, adm["rid"], W2.sso_admin, adm["path"], "dave@example.com", temp_key(r),
                      iso(at(d3, "10:02:41")))
    scp = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyLeaveOrg", "Effect": "Deny", "Action": ["organizations:LeaveOrganization"], "Resource": "*"},
        {"Sid": "DenyCloudTrailChanges", "Effect": "Deny",
         "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"], "Resource": "*"}]},
        indent=2)
    pid = "p-" + alnum(r, 8).lower()
    sc.call(A2, "us-east-1", t, ui_dave, "organizations.amazonaws.com", "CreatePolicy", "198.51.100.62",
            UA["console"], console=True, host="organizations.us-east-1.amazonaws.com", ro=False,
            req={"content": scp, "description": "Baseline guardrails", "name": "baseline-guardrails",
                 "type": "SERVICE_CONTROL_POLICY", "tags": []},
            resp={"policy": {"policySummary": {
                "id": pid, "arn": f"arn:aws:organizations::{A2}:policy/{ORG_ID}/service_control_policy/{pid}",
                "name": "baseline-guardrails", "description": "Baseline guardrails", "type": "SERVICE_CONTROL_POLICY",
                "awsManaged": False}, "content": scp}})
    sc.call(A2, "us-east-1", at(d3, "10:33:15"), ui_dave, "organizations.amazonaws.com", "AttachPolicy",
            "198.51.100.62", UA["console"], console=True, host="organizations.us-east-1.amazonaws.com", ro=False,
            req={"policyId": pid, "targetId": "ou-exmp-" + alnum(r, 8).lower()})
    return sc


class LogFile:
    def __init__(self, acct, region, deliver, wstart, wend, records, kind="normal"):
        self.acct, self.region, self.deliver, self.wstart, self.wend = acct, region, deliver, wstart, wend
        self.records, self.kind = records, kind
        self.rel = None
        self.data = None


# explicit noise-only files: (acct, region, window start, window end, delivered, kind)
SPECIAL_FILES = [
    (A1, "us-west-2", at(DAYS[1], "07:05:00"), at(DAYS[1], "07:12:30"), at(DAYS[1], "18:42:00"), "late-by-hours"),
    (A1, "us-west-2", at(DAYS[1], "18:22:00"), at(DAYS[1], "18:29:00"), at(DAYS[1], "18:31:00"), "normal"),
]


def story_clusters(items):
    """Story items of one account/region/day -> runs that go into one file (same lane, within 9 minutes)."""
    clusters = []
    for it in sorted(items, key=lambda x: (x["lane"], x["t"])):
        c = clusters[-1] if clusters else None
        if c and c[0]["lane"] == it["lane"] and (it["t"] - c[0]["t"]).total_seconds() <= 540:
            c.append(it)
        else:
            clusters.append([it])
    return clusters


def story_file(r, acct, region, c):
    first, last = c[0]["t"], c[-1]["t"]
    delay = c[0]["delay"] or r.randint(180, 330)
    deliver = (last + dt.timedelta(seconds=delay)).replace(second=0)
    wstart = first - dt.timedelta(seconds=r.randint(30, 150))
    wend = min(last + dt.timedelta(seconds=r.randint(20, 90)), deliver - dt.timedelta(seconds=30))
    return LogFile(acct, region, deliver, wstart, wend, [x["rec"] for x in c], "late" if c[0]["delay"] else "story")


def fill_files(r, files):
    """Background noise in each file's window, then the file names and bytes."""
    for f in files:
        st = stream_for(f.acct, f.region, quiet=True)
        n_story = len(f.records)
        n = max(3 - n_story, min(40 - n_story, r.choice([2, 3, 4, 5, 6, 8, 9, 11, 13, 16, 19, 24, 30, 36])))
        span = max(1, int((f.wend - f.wstart).total_seconds()))
        noise = [json.loads(s) for s in st.render(r, f.wstart, span, n)]
        recs = f.records + noise
        recs.sort(key=lambda d: d["eventTime"])  # stable: story order kept for equal times
        f.records = recs
    for f in files:
        suffix = alnum(r, 16)
        f.rel = "/".join((acct_prefix(f.acct), "CloudTrail", f.region, f.deliver.strftime("%Y/%m/%d"),
                          f"{f.acct}_CloudTrail_{f.region}_{name_stamp(f.deliver)}_{suffix}.json.gz"))
        f.data = delivery([dumps(x) for x in f.records])


def build_log_files(sc: Scenario):
    r = rng_for("fixtures", "files")
    files = []
    groups = {}
    for it in sc.items:
        if it["part"] == 0:
            groups.setdefault((it["acct"], it["region"], it["t"].date()), []).append(it)
    for acct in (A1, A2):
        for region in FIX_REGIONS:
            for day in DAYS:
                day_files = [story_file(r, acct, region, c)
                             for c in story_clusters(groups.get((acct, region, day.date()), []))]
                for (sa, sr, ws, we, dl, kind) in SPECIAL_FILES:
                    if sa == acct and sr == region and ws.date() == day.date():
                        day_files.append(LogFile(acct, region, dl, ws, we, [], kind))
                want = r.randint(2, 4)
                tries = 0
                while len(day_files) < want and tries < 100:
                    tries += 1
                    ws = day.replace(hour=r.randint(0, 22), minute=r.randint(0, 59), second=r.randint(0, 59))
                    we = ws + dt.timedelta(seconds=r.randint(240, 420))
                    dl = (we + dt.timedelta(seconds=r.randint(60, 300))).replace(second=0)
                    if dl.date() != day.date():
                        continue
                    if any(abs((f.wstart - ws).total_seconds()) < 3600 for f in day_files):
                        continue
                    day_files.append(LogFile(acct, region, dl, ws, we, []))
                files.extend(day_files)
    fill_files(r, files)
    # Story events added later (part 1) go into files of their own, built with their own generator, so every
    # file above keeps its bytes.
    r1 = rng_for("fixtures", "files", "part1")
    groups1 = {}
    for it in sc.items:
        if it["part"] == 1:
            groups1.setdefault((it["acct"], it["region"], it["t"].date()), []).append(it)
    added = [story_file(r1, acct, region, c) for (acct, region, _), its in sorted(groups1.items())
             for c in story_clusters(its)]
    fill_files(r1, added)
    for f in added:
        same = [g for g in files if g.acct == f.acct and g.region == f.region]
        assert not any(g.wstart < f.wend and f.wstart < g.wend for g in same), f"{f.rel} overlaps another file"
        assert not any(name_stamp(g.deliver) == name_stamp(f.deliver) for g in same), f"{f.rel} same minute"
    return files + added


def reader_order(files):
    return sorted(files, key=lambda f: (f.rel.rsplit("_", 2)[1], f.rel.encode()))


def build_digests(files):
    r = rng_for("fixtures", "digests")
    out = []
    for acct, region, end in ((A1, "us-east-1", at(DAYS[0], "09:40:17")),
                              (A2, "us-east-1", at(DAYS[2], "10:52:44"))):
        trail, bucket = TRAILS[acct]
        start = end - dt.timedelta(hours=1)
        inc = [f for f in files if f.acct == acct and f.region == region and start <= f.deliver < end]
        inc.sort(key=lambda f: f.deliver)

        def obj(e):
            return "/".join((acct_prefix(acct), "CloudTrail-Digest", region, e.strftime("%Y/%m/%d"),
                             f"{acct}_CloudTrail-Digest_{region}_{trail}_{region}_{e.strftime('%Y%m%dT%H%M%SZ')}.json.gz"))
        times = [x["eventTime"] for f in inc for x in f.records]
        d = {"awsAccountId": acct, "digestStartTime": iso(start), "digestEndTime": iso(end), "digestS3Bucket": bucket,
             "digestS3Object": obj(end), "digestPublicKeyFingerprint": hexs(r, 32),
             "digestSignatureAlgorithm": "SHA256withRSA"}
        if times:
            d["newestEventTime"], d["oldestEventTime"] = max(times), min(times)
        d.update({"previousDigestS3Bucket": bucket, "previousDigestS3Object": obj(start),
                  "previousDigestHashValue": hexs(r, 64), "previousDigestHashAlgorithm": "SHA-256",
                  "previousDigestSignature": hexs(r, 512),
                  "logFiles": [{"s3Bucket": bucket, "s3Object": f.rel, "hashValue": hashlib.sha256(f.data).hexdigest(),
                                "hashAlgorithm": "SHA-256",
                                "newestEventTime": max(x["eventTime"] for x in f.records),
                                "oldestEventTime": min(x["eventTime"] for x in f.records)} for f in inc]})
        out.append((obj(end), dumps(d).encode()))
    return out


def write(path, data: bytes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_logs(root):
    W1, W2 = World(A1), World(A2)
    sc = build_scenario(W1, W2)
    files = build_log_files(sc)
    for f in files:
        write(os.path.join(root, f.rel), gz(f.data))
    digests = build_digests(files)
    for rel, data in digests:
        write(os.path.join(root, rel), gz(data))
    lines = ["path\trecord_index\teventID\teventTime"]
    for f in reader_order(files):
        for i, x in enumerate(f.records):
            lines.append(f"{f.rel}\t{i}\t{x['eventID']}\t{x['eventTime']}")
    write(os.path.join(root, "manifest.tsv"), ("\n".join(lines) + "\n").encode())
    write(os.path.join(root, "digests.txt"), ("\n".join(rel for rel, _ in digests) + "\n").encode())
    write(os.path.join(root, "README.md"), logs_readme(files, sc).encode())
    return files, digests


def logs_readme(files, sc):
    order = reader_order(files)
    by_id = {}
    for f in order:
        for i, x in enumerate(f.records):
            by_id[x["eventID"]] = (f, i)
    rows = []
    for it in sc.items:
        x = it["rec"]
        f, i = by_id[x["eventID"]]
        ui = x["userIdentity"]
        what = x["eventName"] + (f" ({x['errorCode']})" if "errorCode" in x else "")
        rows.append(f"| {x['eventTime']} | {x['recipientAccountId']} | {x['awsRegion']} | {ui['type']} | {what} | "
                    f"`{f.rel.rsplit('/', 1)[1]}` #{i} |")
    late = [f for f in order if f.kind in ("late", "late-by-hours")]
    n = sum(len(f.records) for f in files)
    return "\n".join([
        "# Demo CloudTrail tree",
        "",
        "Generated by `scripts/ctgen.py fixtures Fixtures` (deterministic; do not edit by hand).",
        "",
        f"{len(files)} log files, {n} records, 2 digest files. Accounts: `{A1}` (account trail, "
        f"`AWSLogs/{A1}/...`) and `{A2}` (organization trail, `AWSLogs/{ORG_ID}/{A2}/...`); regions "
        "us-east-1, eu-west-1, us-west-2; 2026-11-20..22. Every other record is background noise "
        "(service-linked roles, instance and Lambda roles, AWS services, people at work). The noise has no access "
        "denials, no IAM writes, no console logins, no federation or session tokens and no AssumeRole by people "
        "(only by AWS services); its only errors are benign `NoSuchBucketPolicy`/`NoSuchTagSet`. Every "
        "security-relevant event is a story event listed below.",
        "",
        "- `manifest.tsv`: every record (digests excluded) in reader order: files sorted by the `YYYYMMDDTHHMMZ` "
        "in the name, ties by the relative path (bytewise), records in file order; `record_index` is 0-based.",
        "- `digests.txt`: the `CloudTrail-Digest` files (integrity data, not events). Their `hashValue`s are "
        "SHA-256 of the uncompressed log files they list, so they can be checked; signatures are fake.",
        "",
        "Late delivery: " + "; ".join(
            f"`{f.rel.rsplit('/', 1)[1]}` holds events from {min(x['eventTime'] for x in f.records)} to "
            f"{max(x['eventTime'] for x in f.records)}" for f in late) + ".",
        "",
        "## Story events",
        "",
        "| eventTime | account | region | identity type | event | file #index |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "### The quarantine thread (2026-11-21, `111122223333`, us-east-1)",
        "",
        "The leaked key is build-bot's. Its own `CreateUser` is refused at 03:14:20 (the story assumes build-bot "
        "carries a guardrail that denies IAM writes signed with its long-term key), so the attacker mints the "
        "federation token `maint` and, since CLI calls with federation credentials cannot reach IAM, turns it into "
        "a console session: `GetSigninToken` (03:25:30) and `ConsoleLogin` (03:25:58) as "
        f"`arn:aws:sts::{A1}:federated-user/maint`, then `ListUsers`, `CreateUser` `support-admin` and "
        "`CreateAccessKey` for `support-admin` from the console (`sessionCredentialFromConsole`).",
        "",
        "At 03:38:52 AWS attaches `arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3` to build-bot. Which "
        "principal AWS uses for that call is not documented: the record's identity (`AWSService`, `invokedBy`, "
        "`sourceIPAddress` and `userAgent` all `AWS Internal`) is our stand-in, not a captured record. After it, "
        "build-bot's key is refused a second federation token (`GetFederationToken`, explicit deny: V2 and V3 deny "
        "`sts:GetFederationToken`) but still reads a secret (`GetSecretValue`: Secrets Manager is in no quarantine "
        "version; a management event, unlike `s3:PutObject`). At 08:31:16 alice detaches the quarantine policy "
        "again with her access key, and build-bot is not contained until 2026-11-22 09:12:30. The `GetSigninToken` "
        "record's `responseElements`/`additionalEventData`, and the console session calling with an `ASIA` key id "
        "other than the token's, are our best guess (no captured record at hand), not a documented shape.",
        "",
        "These events (and the three files that hold them) come from a generator of their own "
        "(`part=1` in `scripts/ctgen.py`), so every file and eventID of the rest of the tree is unchanged.",
        "",
    ])


# --------------------------------------------------------------------------------------------
# Fixtures: formats
# --------------------------------------------------------------------------------------------

def format_events():
    W1 = World(A1)
    sc = Scenario("formats")
    r = sc.r
    d = DAYS[0]
    alice, bob = W1.users["alice"], W1.users["bob"]
    e = []
    e.append(sc.call(A1, "us-east-1", at(d, "10:00:00"), ui_user(A1, alice["pid"], "alice", alice["key"]),
                     "iam.amazonaws.com", "PutUserPolicy", OFFICE_ALICE, user_agent("cli-mac", "iam.amazonaws.com",
                                                                                    "PutUserPolicy"), ro=False,
                     req={"userName": "svc-backup", "policyName": "read-reports",
                          "policyDocument": policy_text([{"Effect": "Allow", "Action": "s3:GetObject",
                                                          "Resource": f"arn:aws:s3:::example-reports-{A1}/*"}])}))
    k = temp_key(r)
    e.append(sc.call(A1, "us-east-1", at(d, "10:01:12"),
                     ui_federated(A1, "report-runner", k, "2026-11-20T09:58:40Z", bob["pid"], "bob"),
                     "sts.amazonaws.com", "GetCallerIdentity", OFFICE_BOB,
                     user_agent("cli-linux", "sts.amazonaws.com", "GetCallerIdentity")))
    ro = W1.roles[W1.sso_ro]
    b = W1.buckets["us-east-1"][0]
    e.append(sc.call(A1, "us-east-1", at(d, "10:02:30"),
                     ui_role(A1, ro["rid"], W1.sso_ro, ro["path"], "dave@example.com", temp_key(r), "2026-11-20T09:41:07Z"),
                     "s3.amazonaws.com", "GetBucketPolicy", "198.51.100.62", UA["s3-console"], rid="s3",
                     host=f"{b}.s3.us-east-1.amazonaws.com", console=True, version="1.10",
                     err=("NoSuchBucketPolicy", "The bucket policy does not exist"),
                     req={"bucketName": b, "Host": f"{b}.s3.us-east-1.amazonaws.com", "policy": ""},
                     add={"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                          "AuthenticationMethod": "AuthHeader", "x-amz-id-2": amz_id_2(r), "bytesTransferredOut": 0},
                     res=[{"accountId": A1, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}]))
    e.append(sc.call(A1, "us-east-1", at(d, "10:03:05"), ui_user(A1, bob["pid"], "bob"), "signin.amazonaws.com",
                     "ConsoleLogin", OFFICE_BOB, UA["browser-win"], rid=None, host="signin.aws.amazon.com", ro=False,
                     etype="AwsConsoleSignIn", resp={"ConsoleLogin": "Success"},
                     add={"LoginTo": login_to(r), "MobileVersion": "No",
                          "MFAIdentifier": f"arn:aws:iam::{A1}:mfa/bob", "MFAUsed": "Yes"}))
    cfg = W1.roles["AWSServiceRoleForConfig"]
    e.append(sc.call(A1, "us-east-1", at(d, "10:04:18"),
                     ui_role(A1, cfg["rid"], "AWSServiceRoleForConfig", cfg["path"], "AWSConfig-Describe", temp_key(r),
                             "2026-11-20T09:50:01Z", invoked_by="config.amazonaws.com"),
                     "ec2.amazonaws.com", "DescribeInstances", "config.amazonaws.com", "config.amazonaws.com", tls=None,
                     req={"instancesSet": {"items": [{"instanceId": W1.instances["us-east-1"][0]}]}, "filterSet": {}}))
    e.append(sc.call(A1, "us-east-1", at(d, "10:05:40"), ui_service("s3.amazonaws.com"), "kms.amazonaws.com",
                     "Decrypt", "s3.amazonaws.com", "s3.amazonaws.com", tls=None, shared=uuid4(r),
                     req={"encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{b}"},
                          "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                     res=[{"accountId": A1, "type": "AWS::KMS::Key", "ARN": W1.kms_arn("us-east-1")}]))
    return e


def lookup_entry(x):
    ui = x["userIdentity"]
    ent = {"EventId": x["eventID"], "EventName": x["eventName"], "ReadOnly": "true" if x["readOnly"] else "false"}
    if ui.get("accessKeyId"):
        ent["AccessKeyId"] = ui["accessKeyId"]
    ent["EventTime"] = x["eventTime"].replace("Z", "+00:00")
    ent["EventSource"] = x["eventSource"]
    user = {"IAMUser": ui.get("userName"), "Root": "root"}.get(ui["type"])
    if ui["type"] in ("AssumedRole", "FederatedUser"):
        user = ui["arn"].rsplit("/", 1)[1]
    if user:
        ent["Username"] = user
    resources = []
    rp = x.get("requestParameters") or {}
    if "policyName" in rp:
        resources.append({"ResourceType": "AWS::IAM::Policy", "ResourceName": rp["policyName"]})
    if "userName" in rp:
        resources.append({"ResourceType": "AWS::IAM::User", "ResourceName": rp["userName"]})
    for res in x.get("resources") or []:
        name = res["ARN"].split(":::", 1)[1] if res["type"] == "AWS::S3::Bucket" else res["ARN"]
        resources.append({"ResourceType": res["type"], "ResourceName": name})
    ent["Resources"] = resources
    ent["CloudTrailEvent"] = dumps(x)
    return ent


def write_formats(root):
    evs = format_events()
    js = [dumps(x) for x in evs]
    ids = [x["eventID"] for x in evs]
    plain = delivery(js)
    pretty = (json.dumps({"Records": evs}, indent=2) + "\n").encode()
    write(os.path.join(root, "delivery.json.gz"), gz(plain))
    write(os.path.join(root, "delivery.json"), plain)
    write(os.path.join(root, "delivery-pretty.json"), pretty)
    write(os.path.join(root, "events.jsonl"), ("\n".join(js) + "\n").encode())
    newest_first = sorted(evs, key=lambda x: x["eventTime"], reverse=True)
    lookup = {"Events": [lookup_entry(x) for x in newest_first]}
    write(os.path.join(root, "lookup-events.json"), (json.dumps(lookup, indent=4) + "\n").encode())
    write(os.path.join(root, "array.json"), ("[" + ",".join(js) + "]").encode())
    write(os.path.join(root, "single.json"), js[0].encode())
    m1 = gz(('{"Records":[' + ",".join(js[:3])).encode())
    m2 = gz(("," + ",".join(js[3:]) + "]}").encode())
    write(os.path.join(root, "concatenated.json.gz"), m1 + m2)
    write(os.path.join(root, "plain-named.json.gz"), plain)
    order = [("delivery.json.gz", ids), ("delivery.json", ids), ("delivery-pretty.json", ids), ("events.jsonl", ids),
             ("lookup-events.json", [x["eventID"] for x in newest_first]), ("array.json", ids),
             ("single.json", ids[:1]), ("concatenated.json.gz", ids), ("plain-named.json.gz", ids)]
    lines = ["file\teventID"] + [f"{f}\t{i}" for f, l in order for i in l]
    write(os.path.join(root, "expected.tsv"), ("\n".join(lines) + "\n").encode())
    write(os.path.join(root, "README.md"), FORMATS_README.format(
        names=", ".join(f"{x['eventName']} ({x['userIdentity']['type']})" for x in evs),
        m1=len(m1), m2=len(m2)).encode())
    return evs


FORMATS_README = """# The same six events in every input format

Generated by `scripts/ctgen.py fixtures Fixtures`. Events, in eventTime order: {names}.

| file | format | yields |
|---|---|---|
| `delivery.json.gz` | S3 delivery object `{{"Records":[...]}}`, compact, gzip | 6, oldest first |
| `delivery.json` | the same, not compressed | 6, oldest first |
| `delivery-pretty.json` | the same, `indent=2` | 6, oldest first |
| `events.jsonl` | JSON Lines, one compact event per line, trailing newline (CloudWatch Logs / CloudTrail Lake export) | 6, oldest first |
| `lookup-events.json` | `aws cloudtrail lookup-events` output, `indent=4`; each event is a JSON *string* in `CloudTrailEvent` | 6, **newest first** (the API and the CLI return the most recent event first) |
| `array.json` | bare JSON array of events | 6, oldest first |
| `single.json` | one event object | 1 (the first) |
| `concatenated.json.gz` | two gzip members ({m1} + {m2} bytes): `{{"Records":[` + events 1-3, then `,` + events 4-6 + `]}}`; only the concatenation is valid JSON | 6, oldest first |
| `plain-named.json.gz` | the plain delivery JSON under a `.gz` name (sniff content, not extension) | 6, oldest first |

`expected.tsv` lists, per file, the eventIDs in the order the file yields them.
"""


# --------------------------------------------------------------------------------------------
# Fixtures: malformed inputs
# --------------------------------------------------------------------------------------------

def good_records(tag, n):
    st = stream_for(A1, "us-east-1", quiet=True)
    return st.render(rng_for("fixtures", "malformed", tag), at(DAYS[0], "12:00:00"), 300, n)


def inflate_prefix(comp: bytes):
    """Feed a gzip stream byte by byte; return (output, error text or None)."""
    d = zlib.decompressobj(31)
    out = bytearray()
    for i in range(len(comp)):
        try:
            out += d.decompress(comp[i:i + 1])
        except zlib.error as e:
            return bytes(out), str(e), i
        if d.eof:
            break
    return bytes(out), None, None


def complete_before(recs: list[str], upto: int) -> int:
    """How many records lie completely inside the first `upto` bytes of '{"Records":[' + ','.join(recs)."""
    pos, n = len('{"Records":['), 0
    for i, s in enumerate(recs):
        end = pos + len(s.encode())
        if end > upto:
            break
        n += 1
        pos = end + 1
    return n


def write_malformed(root):
    rows = []

    def row(name, wrong, before, offset):
        rows.append(f"| `{name}` | {wrong} | {before} | {offset} |")

    # truncated
    recs = good_records("truncated", 10)
    plain = delivery(recs)
    comp = gz(plain)
    cut = comp[: int(len(comp) * 0.6)]
    write(os.path.join(root, "truncated.json.gz"), cut)
    out, err, _ = inflate_prefix(cut)
    row("truncated.json.gz", f"valid 10-record delivery ({len(comp)} compressed bytes) cut after {len(cut)} bytes "
        f"(60 %); the stream just ends (no error from inflate, no trailer)", complete_before(recs, len(out)),
        f"{len(out)} (end of the inflatable data; full text is {len(plain)} bytes)")

    # corrupt deflate data
    recs = good_records("corrupt", 10)
    plain = delivery(recs)
    comp = gz(plain)
    chosen = None
    for pos in range(len(comp) // 2, len(comp) - 16):
        bad = bytearray(comp)
        bad[pos:pos + 4] = b"\xff\xff\xff\xff"
        out, err, at_byte = inflate_prefix(bytes(bad))
        if err and "invalid" in err:
            chosen = (pos, bytes(bad), out, err, at_byte)
            break
    pos, bad, out, err, at_byte = chosen
    write(os.path.join(root, "corrupt.json.gz"), bad)
    first_diff = next((i for i, (a, b) in enumerate(zip(out, plain)) if a != b), len(out))
    row("corrupt.json.gz", f"valid 10-record gzip with compressed bytes {pos}..{pos + 3} overwritten with 0xFF; "
        f"zlib reports `{err}` at compressed byte {at_byte}", complete_before(recs, first_diff),
        f"{first_diff} (first uncompressed byte that differs from the original; {len(out)} bytes come out "
        "before the error)")

    # bad CRC
    recs = good_records("badcrc", 10)
    plain = delivery(recs)
    comp = bytearray(gz(plain))
    comp[-8] ^= 0xFF
    write(os.path.join(root, "bad-crc.json.gz"), bytes(comp))
    row("bad-crc.json.gz", "valid deflate data, but the CRC32 in the gzip trailer is wrong (first byte flipped): "
        "the error appears only at the end of the member", 10, f"{len(plain)} (end of stream)")

    # invalid JSON in the 4th record
    recs = good_records("invalid", 6)
    assert '"readOnly":true,' in recs[3] or '"readOnly":false,' in recs[3]
    recs[3] = recs[3].replace('"readOnly":true,', '"readOnly":tru,').replace('"readOnly":false,', '"readOnly":tru,')
    plain = delivery(recs)
    off = plain.index(b'"readOnly":tru,') + len('"readOnly":')
    write(os.path.join(root, "invalid-json.json"), plain)
    write(os.path.join(root, "invalid-json.json.gz"), gz(plain))
    row("invalid-json.json", "plain delivery JSON, 6 records; the 4th has `\"readOnly\":tru,`", 3, off)
    row("invalid-json.json.gz", "the same bytes, gzipped", 3, off)

    # not CloudTrail
    write(os.path.join(root, "not-cloudtrail.json"), b'{"hello":"world","items":[1,2,3]}')
    row("not-cloudtrail.json", "valid JSON, not CloudTrail: `{\"hello\":\"world\",\"items\":[1,2,3]}`", 0, "n/a")

    # Records holding non-events
    recs = good_records("notevents", 2)
    txt = ('{"Records":[' + recs[0] + ',42,{"foo":"bar"},' + recs[1] + "]}").encode()
    write(os.path.join(root, "records-not-events.json"), txt)
    o42 = len('{"Records":[' + recs[0] + ",")
    row("records-not-events.json", "`Records` holds a good event, `42`, `{\"foo\":\"bar\"}`, a good event: "
        "2 good records in all, the 2 bad elements must be counted and skipped", 1,
        f"{o42} (`42`), {o42 + 3} (`{{\"foo\":\"bar\"}}`)")

    # empties
    write(os.path.join(root, "empty.json.gz"), b"")
    row("empty.json.gz", "zero bytes", 0, "0")
    write(os.path.join(root, "empty-member.json.gz"), gz(b""))
    row("empty-member.json.gz", "a valid gzip member whose payload is empty", 0, "0")
    write(os.path.join(root, "whitespace.json"), b"  \n\n\t \r\n   \n")
    row("whitespace.json", "only whitespace and newlines", 0, "n/a (no value at all)")

    # decompression bomb
    rec = good_records("bomb", 1)[0]
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = ('{"Records":[' + rec + ",").encode()
    parts = [c.compress(head)]
    block = b" " * (1 << 20)
    for _ in range(64):
        parts.append(c.compress(block))
    parts.append(c.compress(b"]}"))
    parts.append(c.flush())
    bomb = b"".join(parts)
    write(os.path.join(root, "bomb.json.gz"), bomb)
    total = len(head) + (64 << 20) + 2
    row("bomb.json.gz", f"{len(bomb)} bytes of gzip inflating to {total} bytes: `{{\"Records\":[` + one good record "
        "+ `,` + 64 MiB of spaces + `]}`. A reader should stop at its inflate cap. (Past the spaces the text "
        "has a trailing comma before `]`, so a reader with no cap reaches a syntax error there.)", 1,
        f"{len(head)} (start of the spaces); `]` at {total - 2}")

    # trailing garbage
    recs = good_records("trailing", 5)
    plain = delivery(recs)
    member = gz(plain)
    junk = bytes(rng_for("fixtures", "junk").getrandbits(8) for _ in range(20))
    junk = b"JUNK" + junk[4:] if junk[:2] == b"\x1f\x8b" else junk
    write(os.path.join(root, "trailing-garbage.json.gz"), member + junk)
    row("trailing-garbage.json.gz", f"a valid 5-record gzip member ({len(member)} bytes) followed by 20 bytes of "
        "non-gzip junk", 5, f"{len(plain)} (end of the member's output; junk starts at compressed byte {len(member)})")

    # unterminated
    recs = good_records("unterminated", 3)
    full = '{"Records":[' + ",".join(recs) + "]}"
    cut_at = len('{"Records":[' + recs[0] + "," + recs[1] + ",") + len(recs[2]) // 2
    write(os.path.join(root, "unterminated.json"), full[:cut_at].encode())
    row("unterminated.json", "delivery JSON whose text ends in the middle of the 3rd record", 2,
        f"{cut_at} (end of file)")

    # deep nesting
    rec = good_records("deep", 1)[0]
    prefix = '{"Records":[' + rec + ',{"eventVersion":"1.11","requestParameters":'
    write(os.path.join(root, "deep.json"), (prefix + "[" * 100000).encode())
    row("deep.json", "one good record, then a record whose `requestParameters` opens 100000 nested `[` "
        "(never closed; nesting depth reaches 100003 counting the object, `Records` and the record)", 1,
        f"{len(prefix)} (first of the `[`; a depth limit of D trips near {len(prefix)} + D - 4; the file ends at "
        f"{len(prefix) + 100000})")

    # binary
    rb = rng_for("fixtures", "binary")
    data = bytes(rb.getrandbits(8) for _ in range(4096))
    write(os.path.join(root, "binary.json"), data)
    row("binary.json", f"4096 random bytes (seeded; first bytes `{data[:4].hex()}`)", 0, "0")

    write(os.path.join(root, "README.md"), "\n".join([
        "# Malformed inputs",
        "",
        "Generated by `scripts/ctgen.py fixtures Fixtures`. Each file is built from valid records. "
        "\"Complete records before the fault\" are the records a reader must still deliver; offsets are "
        "0-based byte offsets in the *uncompressed* stream.",
        "",
        "| file | what is wrong | complete records before the fault | fault offset (uncompressed) |",
        "|---|---|---|---|",
        *rows,
        "",
    ]).encode())


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# Scenario fixtures for the stateful rules (Fixtures/scenarios/<name>/): small incidents in the S3 layout, spread over
# regions and files, each with expected.json naming, for every stateful or correlation rule, the findings it must give
# (their evidence event ids and the event that opened the state). Negative scenarios expect none.
# --------------------------------------------------------------------------------------------

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


def scenario_quarantine_gap():
    s = Story("quarantine-gap", "AWS quarantines a leaked key with the V1 policy; the attacker's S3 and Bedrock calls "
              "still succeed (containment gap), IAM calls are denied, and a role session the key assumed earlier "
              "keeps working.")
    bot = sc_user(s, A1, "etl-bot")
    arn = f"arn:aws:iam::{A1}:user/etl-bot"
    responder = sc_user(s, A1, "responder")
    # Before the quarantine: the key works (not evidence).
    s.call(A1, "us-east-1", s.at("06:10:02"), ui_of(bot), "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker")
    t = s.at("06:12:40")
    k_role = temp_key(s.r)
    s.call(A1, "us-east-1", t, ui_of(bot), "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, "cli-attacker",
           req={"roleArn": f"arn:aws:iam::{A1}:role/DataExport", "roleSessionName": "etl", "durationSeconds": 43200},
           resp={"credentials": creds(s.r, t, 43200, k_role),
                 "assumedRoleUser": {"assumedRoleId": "AROA" + b32(s.r, 17) + ":etl",
                                     "arn": f"arn:aws:sts::{A1}:assumed-role/DataExport/etl"}})
    ui_sess = ui_role(A1, "AROAEXAMPLEDATAEXPRT", "DataExport", "/", "etl", k_role, iso(t))
    # AWS attaches the V1 quarantine (the event is by AWS, not the user: never evidence).
    s.call(A1, "us-east-1", s.at("07:02:11"), {"type": "AWSService", "invokedBy": "iam.amazonaws.com"},
           "iam.amazonaws.com", "AttachUserPolicy", "iam.amazonaws.com", "AWS Internal", tls=None, ua="AWS Internal",
           req={"userName": "etl-bot", "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine"},
           opens=("user_activity_after_containment_denied", "user_activity_after_containment_succeeded"))
    # After: IAM is denied (the actor is still trying) ...
    s.call(A1, "us-east-1", s.at("07:15:30"), ui_of(bot), "iam.amazonaws.com", "CreateUser", ATTACKER_IP,
           "cli-attacker", ro=False, req=None,
           err=s.denied(arn, "iam:CreateUser", f"arn:aws:iam::{A1}:user/backup-admin"),
           expect=("user_activity_after_containment_denied",))
    s.call(A1, "eu-west-1", s.at("07:16:05"), ui_of(bot), "ec2.amazonaws.com", "RunInstances", ATTACKER_IP,
           "cli-attacker", ro=False, req=None,
           err=("Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: " + arn +
                " is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:" + A1 +
                ":instance/* with an explicit deny in an identity-based policy"),
           expect=("user_activity_after_containment_denied",))
    # ... while S3 and Bedrock still answer (V1 does not deny them), with the key and with the earlier role session.
    s.call(A1, "us-east-1", s.at("07:18:44"), ui_of(bot), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP,
           "cli-attacker", req={"Host": "s3.us-east-1.amazonaws.com"},
           expect=("user_activity_after_containment_succeeded",))
    s.call(A1, "us-west-2", s.at("07:21:09"), ui_of(bot), "bedrock.amazonaws.com", "InvokeModel", ATTACKER_IP,
           "boto3", req={"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
           expect=("user_activity_after_containment_succeeded",))
    s.call(A1, "us-east-1", s.at("07:25:51"), ui_sess, "s3.amazonaws.com", "GetObject", ATTACKER_IP, "boto3",
           req={"bucketName": f"example-exports-{A1}", "key": "customers.csv"}, late=7,
           expect=("user_activity_after_containment_succeeded",))
    # The responder's own containment calls never count.
    ui_resp = ui_of(responder)
    s.call(A1, "us-east-1", s.at("07:40:00"), ui_resp, "iam.amazonaws.com", "ListAccessKeys", RESPONDER_IP,
           "cli-mac", req={"userName": "etl-bot"})
    s.call(A1, "us-east-1", s.at("07:41:12"), ui_resp, "iam.amazonaws.com", "UpdateAccessKey", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "etl-bot", "accessKeyId": bot["key"], "status": "Inactive"})
    return s


def scenario_federation_outlives_key():
    s = Story("federation-outlives-key", "A leaked key mints a 36-hour federation token; the responder deletes the "
              "key, but the federated session keeps working until a deny-all on the parent user stops it.")
    ci = sc_user(s, A1, "ci-runner")
    responder = sc_user(s, A1, "responder")
    t = s.at("09:00:15")
    k_fed = temp_key(s.r)
    s.call(A1, "us-east-1", t, ui_of(ci), "sts.amazonaws.com", "GetFederationToken", ATTACKER_IP, "cli-attacker",
           req={"name": "ops", "durationSeconds": 129600,
                "policyArns": [{"arn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
           resp={"credentials": creds(s.r, t, 129600, k_fed),
                 "federatedUser": {"federatedUserId": f"{A1}:ops", "arn": f"arn:aws:sts::{A1}:federated-user/ops"},
                 "packedPolicySize": 9})
    ui_fed = ui_federated(A1, "ops", k_fed, iso(t), ci["pid"], "ci-runner")
    s.call(A1, "us-east-1", s.at("09:05:00"), ui_fed, "s3.amazonaws.com", "ListBuckets", ATTACKER_IP, "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("10:30:00"), ui_of(responder), "iam.amazonaws.com", "DeleteAccessKey", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "ci-runner", "accessKeyId": ci["key"]},
           opens=("federated_session_after_parent_contained",))
    fed_arn = f"arn:aws:sts::{A1}:federated-user/ops"
    s.call(A1, "eu-west-1", s.at("10:45:10"), ui_fed, "secretsmanager.amazonaws.com", "GetSecretValue", ATTACKER_IP,
           "boto3", req={"secretId": "prod/db"}, expect=("federated_session_after_parent_contained",))
    s.call(A1, "us-east-1", s.at("10:47:30"), ui_fed, "iam.amazonaws.com", "CreateUser", ATTACKER_IP, "cli-attacker",
           ro=False, req={"userName": "svc-metrics"},
           resp={"user": {"path": "/", "userName": "svc-metrics", "userId": "AIDA" + b32(s.r, 17),
                          "arn": f"arn:aws:iam::{A1}:user/svc-metrics", "createDate": iam_time(s.at("10:47:30"))}},
           expect=("federated_session_after_parent_contained",))
    s.call(A1, "us-east-1", s.at("11:20:00"), ui_of(responder), "iam.amazonaws.com", "PutUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "ci-runner", "policyName": "IR-DenyAll", "policyDocument": policy_text(
               [{"Sid": "IRDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])})
    s.call(A1, "us-west-2", s.at("11:31:40"), ui_fed, "ec2.amazonaws.com", "DescribeInstances", ATTACKER_IP, "boto3",
           req={"maxResults": 1000}, err=("Client.UnauthorizedOperation",
                                          "You are not authorized to perform this operation. User: " + fed_arn +
                                          " is not authorized to perform: ec2:DescribeInstances with an explicit "
                                          "deny in an identity-based policy"),
           expect=("federated_session_after_parent_contained",))
    return s


def scenario_role_revoked_reassumed():
    s = Story("role-revoked-reassumed", "A leaked key assumes AppAdmin; the responder revokes older sessions; the old "
              "session is denied, and the same key assumes the role again.")
    mal = sc_user(s, A1, "deploy-legacy")
    responder = sc_user(s, A1, "responder")
    role_arn = f"arn:aws:iam::{A1}:role/AppAdmin"

    def assume(t, sess, expect=()):
        k = temp_key(s.r)
        s.call(A1, "us-east-1", t, ui_of(mal), "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, "cli-attacker",
               req={"roleArn": role_arn, "roleSessionName": sess},
               resp={"credentials": creds(s.r, t, 3600, k),
                     "assumedRoleUser": {"assumedRoleId": f"AROAEXAMPLEAPPADMIN1:{sess}",
                                         "arn": f"arn:aws:sts::{A1}:assumed-role/AppAdmin/{sess}"}},
               res=res_role(A1, role_arn), expect=expect)
        return ui_role(A1, "AROAEXAMPLEAPPADMIN1", "AppAdmin", "/", sess, k, iso(t))

    old = assume(s.at("13:00:05"), "s-1")
    s.call(A1, "eu-west-1", s.at("13:10:00"), old, "s3.amazonaws.com", "ListBuckets", ATTACKER_IP, "boto3",
           req={"Host": "s3.eu-west-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("13:30:00"), ui_of(responder), "iam.amazonaws.com", "PutRolePolicy", RESPONDER_IP,
           "console", ro=False, req={"roleName": "AppAdmin", "policyName": "AWSRevokeOlderSessions",
                                     "policyDocument": policy_text([{"Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                                                                     "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-11-24T13:29:50.000Z"}}}])},
           opens=("role_session_denied_after_revocation", "role_reassumed_after_revocation"))
    old_arn = f"arn:aws:sts::{A1}:assumed-role/AppAdmin/s-1"
    s.call(A1, "eu-west-1", s.at("13:34:12"), old, "s3.amazonaws.com", "GetObject", ATTACKER_IP, "boto3",
           req={"bucketName": f"example-app-{A1}", "key": "config.json"},
           err=s.denied(old_arn, "s3:GetObject", f"arn:aws:s3:::example-app-{A1}/config.json"),
           expect=("role_session_denied_after_revocation",))
    new = assume(s.at("13:36:40"), "s-2", expect=("role_reassumed_after_revocation",))
    s.call(A1, "eu-west-1", s.at("13:37:00"), new, "s3.amazonaws.com", "GetObject", ATTACKER_IP, "boto3",
           req={"bucketName": f"example-app-{A1}", "key": "config.json"})
    return s


def scenario_identity_center():
    s = Story("identity-center-access-removed", "An Identity Center user is denied by an SCP on identitystore:userId "
              "and another loses its account assignment; both keep acting through the portal and permission-set "
              "sessions.")
    store = "d-9067abcdef"
    u1 = "9067abcdef-1a2b3c4d-0000-4000-8000-00000000aa01"
    u2 = "9067abcdef-1a2b3c4d-0000-4000-8000-00000000bb02"
    admin = sc_user(s, A2, "org-admin")

    def portal(uid):
        return {"type": "IdentityCenterUser", "accountId": A2,
                "onBehalfOf": {"userId": uid, "identityStoreArn": f"arn:aws:identitystore::{A2}:identitystore/{store}"},
                "credentialId": alnum(s.r, 24)}

    def member_session(uid, name, key):
        d = ui_role(A1, "AROAEXAMPLESSOADMIN1", "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
                    "/aws-reserved/sso.amazonaws.com/", name, key, iso(s.at("14:00:00")))
        d["onBehalfOf"] = {"userId": uid, "identityStoreArn": f"arn:aws:identitystore::{A2}:identitystore/{store}"}
        return d

    scp = policy_text([{"Sid": "DenyCompromisedUser", "Effect": "Deny", "Action": "*", "Resource": "*",
                        "Condition": {"StringEquals": {"identitystore:userId": [u1]}}}])
    s.call(A2, "us-east-1", s.at("14:20:00"), ui_of(admin), "organizations.amazonaws.com", "CreatePolicy",
           RESPONDER_IP, "cli-mac", ro=False,
           req={"content": scp, "description": "IR deny", "name": "IR-DenyIdentityCenterUser",
                "type": "SERVICE_CONTROL_POLICY"},
           resp={"policy": {"policySummary": {"id": "p-ir0example1", "arn": f"arn:aws:organizations::{A2}:policy/o-exampleorgid/service_control_policy/p-ir0example1",
                                              "name": "IR-DenyIdentityCenterUser", "type": "SERVICE_CONTROL_POLICY", "awsManaged": False},
                            "content": scp}},
           opens=("identity_center_user_active_after_access_removed",))
    s.call(A2, "us-east-1", s.at("14:20:40"), ui_of(admin), "organizations.amazonaws.com", "AttachPolicy",
           RESPONDER_IP, "cli-mac", ro=False, req={"policyId": "p-ir0example1", "targetId": "r-ex01"})
    s.call(A2, "us-east-1", s.at("14:21:30"), ui_of(admin), "sso.amazonaws.com", "DeleteAccountAssignment",
           RESPONDER_IP, "cli-mac", ro=False,
           req={"instanceArn": "arn:aws:sso:::instance/ssoins-72230000example", "targetId": A1, "targetType": "AWS_ACCOUNT",
                "permissionSetArn": "arn:aws:sso:::permissionSet/ssoins-72230000example/ps-0123456789abcdef",
                "principalType": "USER", "principalId": u2})
    k1, k2 = temp_key(s.r), temp_key(s.r)
    s.call(A1, "eu-west-1", s.at("14:25:02"), member_session(u1, "dana@example.com", k1), "s3.amazonaws.com",
           "ListBuckets", ATTACKER_IP, "boto3", req={"Host": "s3.eu-west-1.amazonaws.com"},
           err=("AccessDenied", "User: arn:aws:sts::" + A1 + ":assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/dana@example.com is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy"),
           expect=("identity_center_user_active_after_access_removed",))
    s.call(A2, "us-east-1", s.at("14:26:10"), portal(u1), "sso.amazonaws.com", "GetRoleCredentials", ATTACKER_IP,
           "boto3", req={"roleName": "AdministratorAccess", "accountId": A1}, resp=None,
           expect=("identity_center_user_active_after_access_removed",))
    s.call(A1, "us-east-1", s.at("14:40:44"), member_session(u2, "lee@example.com", k2), "iam.amazonaws.com",
           "ListUsers", "192.0.2.150", "boto3", req={"maxItems": 100})
    s.expect.setdefault("identity_center_user_active_after_access_removed#2", {"evidence": [], "opened": None})
    e = s.expect.pop("identity_center_user_active_after_access_removed#2")
    e["evidence"].append(s.items[-1][3]["eventID"])
    e["opened"] = s.items[2][3]["eventID"]
    s.expect["identity_center_user_active_after_access_removed#2"] = e
    return s


def scenario_permissions_removed():
    s = Story("permissions-removed-keys-active", "A responder detaches AdministratorAccess from a leaked user but "
              "never disables its key, which keeps working; for a second user the key is deactivated in time.")
    old = sc_user(s, A1, "old-admin")
    other = sc_user(s, A1, "reports")
    responder = sc_user(s, A1, "responder")
    s.call(A1, "us-east-1", s.at("15:00:00"), ui_of(old), "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker")
    s.call(A1, "us-east-1", s.at("15:10:00"), ui_of(responder), "iam.amazonaws.com", "DetachUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "old-admin", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
           expect=("iam_user_permissions_removed_keys_active",), opens=("iam_user_permissions_removed_keys_active",))
    s.call(A1, "us-east-1", s.at("15:12:00"), ui_of(responder), "iam.amazonaws.com", "RemoveUserFromGroup",
           RESPONDER_IP, "cli-mac", ro=False, req={"userName": "reports", "groupName": "analysts"})
    s.call(A1, "us-east-1", s.at("15:40:00"), ui_of(responder), "iam.amazonaws.com", "UpdateAccessKey", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "reports", "accessKeyId": other["key"], "status": "Inactive"})
    s.call(A1, "eu-west-1", s.at("17:02:30"), ui_of(old), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP,
           "cli-attacker", req={"Host": "s3.eu-west-1.amazonaws.com"})
    return s


def scenario_backdoors():
    s = Story("backdoor-credentials-used", "A leaked key creates an access key and a console password for two other "
              "users; both are then used.")
    intr = sc_user(s, A1, "build-svc")
    s.call(A1, "us-east-1", s.at("16:00:00"), ui_of(intr), "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker", expect=("recon_then_persistence",))
    t = s.at("16:02:10")
    k_new = long_key(s.r)
    s.call(A1, "us-east-1", t, ui_of(intr), "iam.amazonaws.com", "CreateAccessKey", ATTACKER_IP, "cli-attacker",
           ro=False, req={"userName": "support-ops"},
           resp={"accessKey": {"userName": "support-ops", "accessKeyId": k_new, "status": "Active",
                               "createDate": iam_time(t)}},
           opens=("backdoor_access_key_used",), expect=("recon_then_persistence",))
    s.call(A1, "us-east-1", s.at("16:03:00"), ui_of(intr), "iam.amazonaws.com", "CreateLoginProfile", ATTACKER_IP,
           "cli-attacker", ro=False, req={"userName": "legacy-ops", "passwordResetRequired": False},
           resp={"loginProfile": {"userName": "legacy-ops", "createDate": iam_time(s.at("16:03:00")),
                                  "passwordResetRequired": False}},
           opens=("backdoor_login_profile_used",), expect=("recon_then_persistence",))
    sup = {"pid": "AIDA" + b32(s.r, 17), "name": "support-ops", "acct": A1, "key": k_new}
    s.call(A1, "us-west-2", s.at("16:20:00"), ui_of(sup), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP, "boto3",
           req={"Host": "s3.us-west-2.amazonaws.com"}, expect=("backdoor_access_key_used",))
    s.call(A1, "us-east-1", s.at("16:21:00"), ui_of(sup), "iam.amazonaws.com", "ListUsers", ATTACKER_IP, "boto3",
           req={"maxItems": 100}, expect=("backdoor_access_key_used",))
    lo = {"pid": "AIDA" + b32(s.r, 17), "name": "legacy-ops", "acct": A1}
    s.call(A1, "us-east-1", s.at("16:30:00"), ui_user(A1, lo["pid"], "legacy-ops"), "signin.amazonaws.com",
           "ConsoleLogin", ATTACKER_IP, "browser", ua=UA["browser"], ro=False, etype="AwsConsoleSignIn",
           resp={"ConsoleLogin": "Success"}, add={"LoginTo": "https://console.aws.amazon.com/console/home",
                                                   "MobileVersion": "No", "MFAUsed": "No"},
           expect=("backdoor_login_profile_used",))
    return s


def scenario_denied_burst():
    s = Story("access-denied-burst", "A leaked key enumerates its permissions: twelve denied calls across services in "
              "four minutes. Another key's four denials stay below the threshold.")
    leak = sc_user(s, A1, "analytics-ro")
    dev = sc_user(s, A1, "dev-kim")
    arn = f"arn:aws:iam::{A1}:user/analytics-ro"
    calls = [("iam.amazonaws.com", "ListUsers", "iam:ListUsers"), ("iam.amazonaws.com", "ListRoles", "iam:ListRoles"),
             ("ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances"),
             ("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"),
             ("secretsmanager.amazonaws.com", "ListSecrets", "secretsmanager:ListSecrets"),
             ("kms.amazonaws.com", "ListKeys", "kms:ListKeys"), ("dynamodb.amazonaws.com", "ListTables", "dynamodb:ListTables"),
             ("ssm.amazonaws.com", "DescribeParameters", "ssm:DescribeParameters"),
             ("organizations.amazonaws.com", "DescribeOrganization", "organizations:DescribeOrganization"),
             ("iam.amazonaws.com", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"),
             ("rds.amazonaws.com", "DescribeDBInstances", "rds:DescribeDBInstances"),
             ("logs.amazonaws.com", "DescribeLogGroups", "logs:DescribeLogGroups")]
    base = s.at("18:00:00")
    for k, (src, name, perm) in enumerate(calls):
        region = ("us-east-1", "eu-west-1")[k % 2] if src not in ("iam.amazonaws.com", "organizations.amazonaws.com") else "us-east-1"
        code = "Client.UnauthorizedOperation" if src == "ec2.amazonaws.com" else (
            "AccessDeniedException" if src not in ("iam.amazonaws.com", "rds.amazonaws.com") else "AccessDenied")
        s.call(A1, region, base + dt.timedelta(seconds=20 * k + 3), ui_of(leak), src, name, ATTACKER_IP, "boto3",
               err=(code, s.denied(arn, perm, None, explicit=None)[1]), expect=("credential_access_denied_burst",))
    darn = f"arn:aws:iam::{A1}:user/dev-kim"
    for k in range(4):
        s.call(A1, "us-east-1", base + dt.timedelta(minutes=1, seconds=30 * k), ui_of(dev), "iam.amazonaws.com",
               "ListRoles", "192.0.2.31", "cli-linux", err=s.denied(darn, "iam:ListRoles", None, explicit=None))
    return s


def scenario_negative_responder():
    s = Story("negative-responder-calls", "A responder quarantines a user and works on it; the user makes no call "
              "afterwards. Nothing stateful may fire.")
    u = sc_user(s, A1, "batch-jobs")
    responder = sc_user(s, A1, "responder")
    s.call(A1, "us-east-1", s.at("10:00:00"), ui_of(u), "s3.amazonaws.com", "ListBuckets", "192.0.2.15", "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    ui_resp = ui_of(responder)
    s.call(A1, "us-east-1", s.at("10:05:00"), ui_resp, "iam.amazonaws.com", "AttachUserPolicy", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"})
    s.call(A1, "us-east-1", s.at("10:06:00"), ui_resp, "iam.amazonaws.com", "PutUserPolicy", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "policyName": "IR-DenyAll", "policyDocument": policy_text(
               [{"Sid": "IRDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])})
    s.call(A1, "us-east-1", s.at("10:07:00"), ui_resp, "iam.amazonaws.com", "ListAccessKeys", RESPONDER_IP, "cli-mac",
           req={"userName": "batch-jobs"})
    s.call(A1, "us-east-1", s.at("10:08:00"), ui_resp, "iam.amazonaws.com", "UpdateAccessKey", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "accessKeyId": u["key"], "status": "Inactive"})
    s.call(A1, "us-east-1", s.at("10:09:00"), ui_resp, "iam.amazonaws.com", "DeleteAccessKey", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "accessKeyId": u["key"]})
    return s


def scenario_negative_lifted():
    s = Story("negative-quarantine-lifted", "A deny-all on a user is removed after the investigation; the user's later "
              "calls are ordinary. Nothing stateful may fire.")
    u = sc_user(s, A1, "report-gen")
    responder = sc_user(s, A1, "responder")
    doc = policy_text([{"Sid": "IRDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])
    s.call(A1, "us-east-1", s.at("08:00:00"), ui_of(responder), "iam.amazonaws.com", "PutUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "report-gen", "policyName": "IR-DenyAll", "policyDocument": doc})
    s.call(A1, "us-east-1", s.at("12:00:00"), ui_of(responder), "iam.amazonaws.com", "DeleteUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "report-gen", "policyName": "IR-DenyAll"})
    s.call(A1, "eu-west-1", s.at("12:30:00"), ui_of(u), "s3.amazonaws.com", "PutObject", "192.0.2.16", "boto3",
           req={"bucketName": f"example-reports-{A1}", "key": "daily.csv"})
    s.call(A1, "us-east-1", s.at("12:31:00"), ui_of(u), "iam.amazonaws.com", "GetUser", "192.0.2.16", "boto3",
           req={"userName": "report-gen"})
    return s


def scenario_negative_service_reassume():
    s = Story("negative-service-reassume", "After a role's older sessions are revoked, EC2 and Lambda assume the role "
              "again for their workloads. Nothing stateful may fire.")
    responder = sc_user(s, A1, "responder")
    role_arn = f"arn:aws:iam::{A1}:role/WorkerRole"
    s.call(A1, "us-east-1", s.at("09:00:00"), ui_of(responder), "iam.amazonaws.com", "PutRolePolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"roleName": "WorkerRole", "policyName": "AWSRevokeOlderSessions",
                                     "policyDocument": policy_text([{"Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                                                                     "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-11-24T08:59:00.000Z"}}}])})
    for k, (svc, sess) in enumerate((("ec2.amazonaws.com", "i-0a1b2c3d4e5f60718"), ("lambda.amazonaws.com", "worker-fn"))):
        t = s.at(f"09:1{k}:00")
        s.call(A1, "us-east-1", t, ui_service(svc), "sts.amazonaws.com", "AssumeRole", svc, svc, tls=None, ua=svc,
               req={"roleArn": role_arn, "roleSessionName": sess},
               resp={"credentials": creds(s.r, t, 3600),
                     "assumedRoleUser": {"assumedRoleId": f"AROAEXAMPLEWORKER001:{sess}",
                                         "arn": f"arn:aws:sts::{A1}:assumed-role/WorkerRole/{sess}"}},
               res=res_role(A1, role_arn))
    return s


def ui_instance(story, acct, role, instance):
    """The session EC2 delivers to an instance from its instance profile (session name = the instance id)."""
    d = ui_role(acct, "AROA" + b32(story.r, 17), role, "/", instance, temp_key(story.r), iso(story.at("06:00:00")))
    d["sessionContext"]["ec2RoleDelivery"] = "2.0"
    return d


def scenario_instance_credentials():
    s = Story("instance-credentials-exfiltrated", "A leaked key runs a shell command on an instance through SSM and "
              "then uses the instance's credentials from its own address. The instance's own calls, another "
              "instance's credentials from that address (never commanded), and a responder's SSM session to a third "
              "instance (whose credentials stay on it) give nothing.")
    ops = sc_user(s, A1, "ops-deploy")
    responder = sc_user(s, A1, "responder")
    web, batch, db = "i-0f1e2d3c4b5a69788", "i-0a9b8c7d6e5f40312", "i-05d4c3b2a1f0e9d87"
    ui_web = ui_instance(s, A1, "web-instance-role", web)
    ui_batch = ui_instance(s, A1, "batch-instance-role", batch)
    ui_db = ui_instance(s, A1, "db-instance-role", db)
    s.call(A1, "us-east-1", s.at("13:55:00"), ui_web, "s3.amazonaws.com", "ListBuckets", "192.0.2.120", "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("14:00:00"), ui_of(ops), "ssm.amazonaws.com", "SendCommand", ATTACKER_IP,
           "cli-attacker", ro=False, req={"documentName": "AWS-RunShellScript", "instanceIds": [web],
                                          "interactive": False, "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"},
           opens=("ec2_instance_credentials_used_from_commanding_address",))
    s.call(A1, "us-east-1", s.at("14:02:00"), ui_web, "s3.amazonaws.com", "ListBuckets", "192.0.2.120", "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("14:06:00"), ui_web, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker", expect=("ec2_instance_credentials_used_from_commanding_address",))
    s.call(A1, "us-west-2", s.at("14:07:30"), ui_web, "ec2.amazonaws.com", "DescribeInstances", ATTACKER_IP,
           "cli-attacker", req={"instancesSet": {}, "filterSet": {}},
           expect=("ec2_instance_credentials_used_from_commanding_address",))
    s.call(A1, "us-east-1", s.at("14:09:00"), ui_batch, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker")
    s.call(A1, "eu-west-1", s.at("15:00:00"), ui_of(responder), "ssm.amazonaws.com", "StartSession", RESPONDER_IP,
           "cli-mac", ro=False, req={"target": db})
    s.call(A1, "eu-west-1", s.at("15:03:00"), ui_db, "kms.amazonaws.com", "ListKeys", "192.0.2.140", "boto3")
    return s


def scenario_secrets_dumped():
    s = Story("secrets-dumped", "A leaked key reads seven secrets and parameters in two minutes; another walks through "
              "eleven SSM parameters one GetParameter at a time. An application role reading three secrets at start-up, "
              "and a user reading four parameters over half an hour, give nothing.")
    leak = sc_user(s, A1, "reporting-svc")
    dev = sc_user(s, A1, "dev-kim")
    legacy = sc_user(s, A1, "legacy-admin")
    app = ui_role(A1, "AROA" + b32(s.r, 17), "orders-app", "/", "orders-app-task", temp_key(s.r),
                  iso(s.at("08:00:00")))
    base = s.at("09:00:00")
    for k in range(5):
        sid = f"arn:aws:secretsmanager:us-east-1:{A1}:secret:prod/service-{k}-{alnum(s.r, 6)}"
        s.call(A1, "us-east-1", base + dt.timedelta(seconds=17 * k), ui_of(leak), "secretsmanager.amazonaws.com",
               "GetSecretValue", ATTACKER_IP, "boto3", req={"secretId": sid},
               expect=("secrets_bulk_retrieval",))
    for k in range(2):
        s.call(A1, "eu-west-1", base + dt.timedelta(seconds=100 + 9 * k), ui_of(leak), "ssm.amazonaws.com",
               "GetParameters", ATTACKER_IP, "boto3", req={"names": [f"/prod/db-{k}/password"], "withDecryption": True},
               expect=("secrets_bulk_retrieval",))
    for k in range(3):
        sid = f"arn:aws:secretsmanager:us-east-1:{A1}:secret:orders/{('db', 'queue', 'api')[k]}-{alnum(s.r, 6)}"
        s.call(A1, "us-east-1", s.at("08:00:05") + dt.timedelta(seconds=k), app, "secretsmanager.amazonaws.com",
               "GetSecretValue", "192.0.2.150", "boto3", req={"secretId": sid})
    for k in range(4):
        s.call(A1, "us-east-1", s.at("10:00:00") + dt.timedelta(minutes=8 * k), ui_of(dev), "ssm.amazonaws.com",
               "GetParameter", "192.0.2.31", "cli-linux", req={"name": f"/dev/feature-{k}", "withDecryption": True})
    for k in range(11):
        s.call(A1, "eu-west-1", s.at("11:00:00") + dt.timedelta(seconds=13 * k), ui_of(legacy), "ssm.amazonaws.com",
               "GetParameter", ATTACKER_IP, "boto3", req={"name": f"/prod/app-{k}/secret", "withDecryption": True},
               expect=("ssm_parameters_decrypted_one_by_one",))
    return s


SCENARIOS = (scenario_quarantine_gap, scenario_federation_outlives_key, scenario_role_revoked_reassumed,
             scenario_identity_center, scenario_permissions_removed, scenario_backdoors, scenario_denied_burst,
             scenario_negative_responder, scenario_negative_lifted, scenario_negative_service_reassume,
             scenario_instance_credentials, scenario_secrets_dumped)


def write_scenarios(root):
    total = 0
    for make in SCENARIOS:
        story = make()
        files, events = story.write(root)
        total += events
    return len(SCENARIOS), total


def cmd_fixtures(outdir):
    for sub in ("logs", "formats", "malformed", "scenarios"):
        p = os.path.join(outdir, sub)
        if os.path.isdir(p):
            shutil.rmtree(p)
    files, digests = write_logs(os.path.join(outdir, "logs"))
    write_formats(os.path.join(outdir, "formats"))
    write_malformed(os.path.join(outdir, "malformed"))
    scenarios, scenario_events = write_scenarios(os.path.join(outdir, "scenarios"))
    n = sum(len(f.records) for f in files)
    print(f"logs: {len(files)} files, {n} records, {len(digests)} digests; formats: 6 events; malformed: done; "
          f"scenarios: {scenarios} with {scenario_events} events")


def main(argv=None):
    p = argparse.ArgumentParser(prog="ctgen.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fixtures", help="write the committed test fixtures under OUTDIR")
    f.add_argument("outdir")
    c = sub.add_parser("corpus", help="write a large corpus in the S3 layout")
    c.add_argument("outdir")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--size-mb", type=float, default=500, help="uncompressed size in MB (10^6 bytes)")
    c.add_argument("--single-file", action="store_true", help="write one file of --size-mb instead")
    c.add_argument("--jobs", type=int, default=2, help="worker processes (output does not depend on it)")
    a = p.parse_args(argv)
    if a.cmd == "fixtures":
        cmd_fixtures(a.outdir)
    else:
        cmd_corpus(a.outdir, a.seed, a.size_mb, a.single_file, max(1, a.jobs))


if __name__ == "__main__":
    main()
