"""A small synthetic AWS account ("world"): its principals and resources, and the identities that make
background calls in it."""

from __future__ import annotations

from .basics import alnum, b32, hexs, long_key, rng_for, uuid4
from .records import ui_role, ui_service, ui_user


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
