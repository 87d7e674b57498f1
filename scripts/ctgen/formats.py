"""Fixtures/formats: the same six events in every input format a reader accepts."""

import json
import os

from .agents import UA, user_agent
from .basics import A1, amz_id_2, at, delivery, dumps, gz, policy_text, temp_key, uuid4
from .demo import DAYS, OFFICE_ALICE, OFFICE_BOB, Scenario
from .actions.signin import login_to
from .layout import write
from .records import ui_federated, ui_role, ui_service, ui_user
from .world import World


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
