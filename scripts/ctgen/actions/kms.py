"""KMS actions: Decrypt and GenerateDataKey by AWS services and apps, key reads by people."""

from ..basics import uuid4
from .common import APPS, HUMANISH, by_services, regional_host


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
                req={"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, host=regional_host("kms", g),
                res=[{"accountId": w.acct, "type": "AWS::KMS::Key", "ARN": key}], perm="kms:Decrypt", target=key)


def _kms_read(name, req_fn):
    def build(r, w, g, who):
        return dict(src="kms.amazonaws.com", name=name, ro=True, req=req_fn(r, w, g), host=regional_host("kms", g),
                    perm=f"kms:{name}", target=w.kms_arn(g, 0) if name == "DescribeKey" else None)
    return build


ACTIONS = [
    (by_services(_kms_svc("Decrypt"), "s3.amazonaws.com", "secretsmanager.amazonaws.com", "cloudtrail.amazonaws.com", "lambda.amazonaws.com"), {"svc"}, 8, False),
    (by_services(_kms_svc("GenerateDataKey"), "s3.amazonaws.com", "secretsmanager.amazonaws.com", "cloudtrail.amazonaws.com", "lambda.amazonaws.com"), {"svc"}, 4,
     False),
    (_kms_app, APPS, 5, False),
    (_kms_read("DescribeKey", lambda r, w, g: {"keyId": r.choice(["alias/app-data", w.kms[g][0]])}),
     HUMANISH | {"slr"}, 2, False),
    (_kms_read("ListAliases", lambda r, w, g: None), HUMANISH, 1, False),
    (_kms_read("ListKeys", lambda r, w, g: None), HUMANISH | {"slr"}, 1, False),
]
