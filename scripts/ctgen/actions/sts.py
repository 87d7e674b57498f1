"""STS actions: GetCallerIdentity, AssumeRole by AWS services and by people, GetFederationToken."""

from ..basics import hexs, policy_text
from .common import APPS, HUMANISH, by_services, regional_host, sensitive


def _sts_gci(r, w, g, who):
    return dict(src="sts.amazonaws.com", name="GetCallerIdentity", ro=True,
                host="sts.amazonaws.com" if g == "us-east-1" else regional_host("sts", g))


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
                host="sts.amazonaws.com" if g == "us-east-1" else regional_host("sts", g),
                res=[{"accountId": w.acct, "type": "AWS::IAM::Role", "ARN": arn}], exp=3600,
                perm="sts:AssumeRole", target=arn)


def federation_token(r, w, g, who):
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


ACTIONS = [
    (_sts_gci, HUMANISH | APPS, 10, False),
    (by_services(_assume_by_service, "lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"),
     {"svc"}, 8, False),
    (sensitive(_assume_by_human), {"human", "deploy", "ci"}, 1, False),
    (sensitive(federation_token), {"ci", "human"}, 0.3, True),
]
