"""The demo story's third day (2026-11-22): containment of build-bot, and the management account's
root sign-in and guardrails."""

from __future__ import annotations

import json

from .actions.signin import login_to
from .agents import UA, user_agent
from .basics import A1, A2, ORG_ID, alnum, at, iso, policy_text, temp_key
from .demo import ATTACKER, DAYS, OFFICE_ALICE, Scenario
from .demo_day2 import Leak
from .records import TLS12, ui_role, ui_root, ui_user
from .world import World

ua = user_agent  # the story asks for a user agent on almost every line


def day3(sc: Scenario, W1: World, W2: World, leak: Leak):
    """2026-11-22: build-bot contained, a KMS denial, root signs in and an SCP is created."""
    r = sc.r
    d3 = DAYS[2]
    alice, bot = W1.users["alice"], W1.users["build-bot"]
    ui_bot, bot_arn, ui_fed = leak.ui_bot, leak.bot_arn, leak.ui_fed

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
