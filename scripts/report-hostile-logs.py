#!/usr/bin/env python3
"""Writes CloudTrail logs (S3 layout, gzip) whose attacker-chosen values are hostile markup, for the report's tests.

    python3 scripts/report-hostile-logs.py OUTDIR

The events are realistic in shape (as the public record-contents documentation and the demo logs have them) and fire
bundled rules: a federation token with an admin policy, an access key created for another user with it, a console
sign-in without MFA, a role session; every value an attacker chooses (user names, session names, user agent, source
address, error message, event id, request id, the folder the logs sit in) carries markup, script, a javascript: URL,
a closing tag, U+202E or a 5,000-character value. Standard library only; deterministic.
"""

import gzip
import json
import os
import sys

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(2)>',
    "js": "javascript:alert(3)",
    "textarea": "</textarea><svg onload=alert(4)>",
    "rlo": "invoice\u202egnp.exe",
    "long": "L" * 5000,
    "iframe": "'><iframe src=//evil.example/x>",
    "title": "</title></style><script>alert(5)</script>",
}
# The folder the logs are in: a file name is attacker-influenced too (an S3 key).
FOLDER = '<img src=x onerror=alert(6)>'
ACCOUNT = "111122223333"


def identity_user(name, key):
    return {"type": "IAMUser", "principalId": "AIDAEXAMPLEHOSTILE01", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": key, "userName": name}


def event(n, time, source, name, identity, request, response, extra=None):
    e = {"eventVersion": "1.11", "userIdentity": identity, "eventTime": time, "eventSource": source,
         "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": HOSTILE["img"],
         "userAgent": HOSTILE["script"] + " " + HOSTILE["long"], "requestParameters": request,
         "responseElements": response, "requestID": HOSTILE["textarea"],
         "eventID": f"{HOSTILE['js']}-{n}", "readOnly": False, "eventType": "AwsApiCall",
         "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
    e.update(extra or {})
    return e


def main():
    out = sys.argv[1]
    user = "mallory" + HOSTILE["img"]
    fed = HOSTILE["rlo"]
    other = HOSTILE["title"]
    key = "AKIAEXAMPLEHOSTILE01"
    fed_key = "ASIAEXAMPLEHOSTILE02"
    role_key = "ASIAEXAMPLEHOSTILE03"
    fed_identity = {"type": "FederatedUser", "principalId": f"{ACCOUNT}:{fed}",
                    "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/{fed}", "accountId": ACCOUNT,
                    "accessKeyId": fed_key,
                    "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": "AIDAEXAMPLEHOSTILE01",
                                                         "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
                                                         "accountId": ACCOUNT, "userName": user},
                                       "attributes": {"creationDate": "2026-11-21T03:15:50Z",
                                                      "mfaAuthenticated": "false"}}}
    records = [
        event(1, "2026-11-21T03:15:50Z", "sts.amazonaws.com", "GetFederationToken", identity_user(user, key),
              {"name": fed, "policy": json.dumps({"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "*", "Resource": "*"}]}), "durationSeconds": 129600},
              {"credentials": {"accessKeyId": fed_key, "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                               "expiration": "Nov 22, 2026, 3:15:50 PM"},
               "federatedUser": {"federatedUserId": f"{ACCOUNT}:{fed}",
                                 "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/{fed}"},
               "packedPolicySize": 4}),
        event(2, "2026-11-21T03:29:05Z", "iam.amazonaws.com", "CreateAccessKey", fed_identity,
              {"userName": other},
              {"accessKey": {"userName": other, "accessKeyId": "AKIAEXAMPLEHOSTILE04", "status": "Active",
                             "createDate": "Nov 21, 2026 3:29:05 AM"}}),
        event(3, "2026-11-21T04:00:00Z", "signin.amazonaws.com", "ConsoleLogin",
              identity_user(user, ""), None, {"ConsoleLogin": "Success"},
              {"additionalEventData": {"LoginTo": HOSTILE["js"], "MobileVersion": "No", "MFAUsed": "No"},
               "eventType": "AwsConsoleSignIn"}),
        event(4, "2026-11-21T04:10:00Z", "sts.amazonaws.com", "AssumeRole", identity_user(user, key),
              {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/admin", "roleSessionName": HOSTILE["iframe"]},
              {"credentials": {"accessKeyId": role_key, "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE2",
                               "expiration": "Nov 21, 2026, 5:10:00 AM"},
               "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLEHOSTILE:x",
                                   "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/{HOSTILE['iframe']}"}}),
        event(5, "2026-11-21T04:20:00Z", "iam.amazonaws.com", "DeleteUser", identity_user(user, key),
              {"userName": HOSTILE["long"]}, None,
              {"errorCode": "AccessDenied", "errorMessage": HOSTILE["textarea"] + HOSTILE["script"]}),
    ]
    folder = os.path.join(out, FOLDER, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1", "2026", "11", "21")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{ACCOUNT}_CloudTrail_us-east-1_20261121T0300Z_hostile00000001.json.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(json.dumps({"Records": records}).encode())
    print(path)


if __name__ == "__main__":
    main()
