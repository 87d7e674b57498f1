"""A multi-account incident whose pieces land in different Spark partitions (account, region, delivery day), for
the scale-out test: `ctgen.py spark OUTDIR` writes it beside a little corpus noise, a digest and a corrupt file.

- a cross-account role chain: a leaked key of account A1 assumes a role in A2 (the organisation's account, its
  own trail), that session assumes a second role there, and the second session is used a day later;
- a quarantine put on the leaked user on day 0 (us-east-1) and the user's denied and succeeding calls on days 1 and
  2 in other regions (other day folders and regions: other partitions);
- a federation token minted on day 0 and used on day 2 after its parent key was deleted on day 1;
- a burst of denied calls that crosses a 5-minute delivery boundary and two regions (the correlation's matches are
  in several files), and a second, late-delivered file of the burst (`late`).
"""

import datetime as dt
import os

from .basics import A1, A2, b32, iam_time, iso, temp_key
from .corpus import cmd_corpus
from .demo import creds
from .layout import write
from .records import ui_federated, ui_role
from .scenario_story import ATTACKER_IP, RESPONDER_IP, Story, sc_user, ui_of


def spark_story():
    s = Story("spark-cross-partition", "Cross-account role chain, quarantine and later denials, federation token "
              "outliving its key, and a burst of denials split over files, spread over accounts, regions and days.")
    leak = sc_user(s, A1, "build-agent")
    responder = sc_user(s, A1, "responder")
    arn = f"arn:aws:iam::{A1}:user/build-agent"

    # Day 0: the leaked key assumes a role in A2, and that session assumes another role there.
    t = s.at("05:10:00")
    k1 = temp_key(s.r)
    xrole = f"arn:aws:iam::{A2}:role/OrgDeployer"
    s.call(A2, "us-east-1", t, ui_of(leak), "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, "cli-attacker",
           req={"roleArn": xrole, "roleSessionName": "deploy", "durationSeconds": 43200},
           resp={"credentials": creds(s.r, t, 43200, k1),
                 "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLEORGDEPLOY:deploy",
                                     "arn": f"arn:aws:sts::{A2}:assumed-role/OrgDeployer/deploy"}})
    ui1 = ui_role(A2, "AROAEXAMPLEORGDEPLOY", "OrgDeployer", "/", "deploy", k1, iso(t))
    t2 = s.at("05:20:00")
    k2 = temp_key(s.r)
    s.call(A2, "eu-west-1", t2, ui1, "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, "cli-attacker",
           req={"roleArn": f"arn:aws:iam::{A2}:role/BillingAdmin", "roleSessionName": "hop"},
           resp={"credentials": creds(s.r, t2, 3600, k2),
                 "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLEBILLADMIN:hop",
                                     "arn": f"arn:aws:sts::{A2}:assumed-role/BillingAdmin/hop"}})
    ui2 = ui_role(A2, "AROAEXAMPLEBILLADMIN", "BillingAdmin", "/", "hop", k2, iso(t2))
    # A federation token from the leaked key.
    t3 = s.at("05:40:00")
    k_fed = temp_key(s.r)
    s.call(A1, "us-east-1", t3, ui_of(leak), "sts.amazonaws.com", "GetFederationToken", ATTACKER_IP, "cli-attacker",
           req={"name": "ops", "durationSeconds": 129600,
                "policyArns": [{"arn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
           resp={"credentials": creds(s.r, t3, 129600, k_fed),
                 "federatedUser": {"federatedUserId": f"{A1}:ops", "arn": f"arn:aws:sts::{A1}:federated-user/ops"},
                 "packedPolicySize": 9})
    ui_fed = ui_federated(A1, "ops", k_fed, iso(t3), leak["pid"], "build-agent")
    # The quarantine on day 0.
    s.call(A1, "us-east-1", s.at("06:00:00"), ui_of(responder), "iam.amazonaws.com", "AttachUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "build-agent",
                                     "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"})
    # The first session used later that day in another region; the second (role chaining: one hour) creates a user.
    s.call(A2, "us-west-2", s.at("16:30:00"), ui1, "ec2.amazonaws.com", "RunInstances", ATTACKER_IP,
           "boto3", ro=False, req={"instanceType": "p4d.24xlarge", "minCount": 1, "maxCount": 1})
    s.call(A2, "us-east-1", s.at("05:55:00"), ui2, "iam.amazonaws.com", "CreateUser", ATTACKER_IP,
           "cli-attacker", ro=False, req={"userName": "svc-billing-sync"},
           resp={"user": {"path": "/", "userName": "svc-billing-sync", "userId": "AIDA" + b32(s.r, 17),
                          "arn": f"arn:aws:iam::{A2}:user/svc-billing-sync", "createDate": iam_time(s.at("05:55:00"))}})
    # Day 1: the key is deleted; the user's denied and succeeding calls in eu-west-1.
    s.call(A1, "us-east-1", s.at("09:00:00", day=1), ui_of(responder), "iam.amazonaws.com", "DeleteAccessKey",
           RESPONDER_IP, "cli-mac", ro=False, req={"userName": "build-agent", "accessKeyId": leak["key"]})
    s.call(A1, "eu-west-1", s.at("08:15:00", day=1), ui_of(leak), "iam.amazonaws.com", "CreateAccessKey",
           ATTACKER_IP, "cli-attacker", ro=False, req={"userName": "build-agent"},
           err=s.denied(arn, "iam:CreateAccessKey", f"arn:aws:iam::{A1}:user/build-agent"))
    s.call(A1, "eu-west-1", s.at("08:16:00", day=1), ui_of(leak), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP,
           "cli-attacker", req={"Host": "s3.eu-west-1.amazonaws.com"})
    # Day 2: the federation token still works after its parent key was deleted.
    s.call(A1, "us-west-2", s.at("03:00:00", day=2), ui_fed, "secretsmanager.amazonaws.com", "GetSecretValue",
           ATTACKER_IP, "boto3", req={"secretId": "prod/payments"})
    s.call(A1, "eu-west-1", s.at("03:05:00", day=2), ui_of(leak), "ec2.amazonaws.com", "DescribeInstances",
           ATTACKER_IP, "boto3", req={"maxResults": 1000}, err=("Client.UnauthorizedOperation",
                                                                  "You are not authorized to perform this operation."))
    # Day 2: a burst of denials across a 5-minute boundary and two regions; part of it delivered late.
    burst = [("iam.amazonaws.com", "ListUsers", "iam:ListUsers"), ("iam.amazonaws.com", "ListRoles", "iam:ListRoles"),
             ("ec2.amazonaws.com", "DescribeVpcs", "ec2:DescribeVpcs"),
             ("kms.amazonaws.com", "ListKeys", "kms:ListKeys"), ("dynamodb.amazonaws.com", "ListTables", "dynamodb:ListTables"),
             ("ssm.amazonaws.com", "DescribeParameters", "ssm:DescribeParameters"),
             ("secretsmanager.amazonaws.com", "ListSecrets", "secretsmanager:ListSecrets"),
             ("logs.amazonaws.com", "DescribeLogGroups", "logs:DescribeLogGroups"),
             ("rds.amazonaws.com", "DescribeDBInstances", "rds:DescribeDBInstances"),
             ("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"),
             ("iam.amazonaws.com", "ListPolicies", "iam:ListPolicies"),
             ("iam.amazonaws.com", "GetAccountSummary", "iam:GetAccountSummary")]
    other = sc_user(s, A1, "qa-runner")
    oarn = f"arn:aws:iam::{A1}:user/qa-runner"
    base = s.at("11:03:00", day=2)
    for k, (src, name, perm) in enumerate(burst):
        region = "us-east-1" if src.startswith("iam.") or k % 2 == 0 else "ap-southeast-2"
        code = "Client.UnauthorizedOperation" if src.startswith("ec2.") else (
            "AccessDenied" if src.startswith(("iam.", "rds.")) else "AccessDeniedException")
        s.call(A1, region, base + dt.timedelta(seconds=25 * k), ui_of(other), src, name, ATTACKER_IP, "boto3",
               err=(code, s.denied(oarn, perm, None, explicit=None)[1]), late=(30 if k % 3 == 0 else 0))
    return s


def cmd_spark(outdir, noise_mb=3.0):
    """The story, a little corpus noise (three accounts, several regions), a digest and a corrupt log file."""
    story = spark_story()
    files, events = story.write(outdir)
    cmd_corpus(os.path.join(outdir, "noise"), 7, noise_mb, False, 1)
    day = story.at("00:00:00", day=1).strftime("%Y/%m/%d")
    folder = os.path.join(outdir, "broken", "AWSLogs", A1, "CloudTrail", "us-east-1", day)
    write(os.path.join(folder, f"{A1}_CloudTrail_us-east-1_20261125T0105Z_{b32(story.r, 16)}.json.gz"),
          b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not gzip data at all")
    digest = os.path.join(outdir, "broken", "AWSLogs", A1, "CloudTrail-Digest", "us-east-1", day)
    write(os.path.join(digest, f"{A1}_CloudTrail-Digest_us-east-1_Trail_us-east-1_20261125T0100Z.json.gz"), b"{}")
    print(f"spark: {files} incident files with {events} events, noise of {noise_mb} MB, one corrupt file, one digest")
