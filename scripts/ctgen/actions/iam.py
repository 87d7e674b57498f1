"""IAM actions (global: us-east-1 only): reads, and the sensitive writes left out of fixture noise."""

from ..basics import policy_text
from .common import HUMANISH, sensitive


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


ACTIONS = [
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
]
