"""Lambda actions: function reads, and code updates by the deploy role."""

import base64
import re

from ..basics import hexs, uuid4
from .common import HUMANISH, regional_host


def _lambda(name, fn_req=True, ro=True):
    def build(r, w, g, who):
        fn = r.choice(w.functions[g])
        req = {"functionName": fn} if fn_req else None
        return dict(src="lambda.amazonaws.com", name=name, ro=ro, req=req, host=regional_host("lambda", g),
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
                host=regional_host("lambda", g), perm="lambda:UpdateFunctionCode", target=w.fn_arn(g, fn), version="1.08")


ACTIONS = [
    (_lambda("ListFunctions20150331", fn_req=False), HUMANISH | {"slr"}, 4, False),
    (_lambda("GetFunction20150331v2"), HUMANISH, 4, False),
    (_lambda("GetFunctionConfiguration20150331v2"), HUMANISH | {"slr"}, 2, False),
    (_lambda("ListEventSourceMappings20150331"), HUMANISH, 1, False),
    (_lambda("GetPolicy20150331v2"), HUMANISH | {"slr"}, 1, False),
    (_lambda_update, {"deploy"}, 0.8, False),
]
