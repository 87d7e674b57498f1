"""The demo story's second day (2026-11-21): the leaked build-bot key and what it leads to, a
cross-account audit and an Identity Center session."""

from __future__ import annotations

import base64
import datetime as dt
from typing import NamedTuple

from .agents import UA, user_agent
from .basics import A1, A2, alnum, amz_id_2, at, b32, hexs, iam_time, iso, long_key, temp_key, uuid4
from .demo import ATTACKER, AUDITOR_IP, DAYS, OFFICE_ALICE, SDK_INTERNAL, Scenario, creds
from .denials import ec2_encoded_message
from .records import TLS12, ui_federated, ui_role, ui_user
from .world import World

ua = user_agent  # the story asks for a user agent on almost every line


class Leak(NamedTuple):
    """What later sections use of the leaked build-bot key and the federation session it minted."""
    ui_bot: dict
    bot_arn: str
    ui_fed: dict
    k_fed: str
    t_fed: dt.datetime


def day2_leaked_key(sc: Scenario, W1: World) -> Leak:
    """2026-11-21 early: build-bot's leaked key mints a federation token, used from the CLI."""
    r = sc.r
    d2 = DAYS[1]
    bot = W1.users["build-bot"]

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
    return Leak(ui_bot, bot_arn, ui_fed, k_fed, t_fed)


def day2_console_and_quarantine(sc: Scenario, W1: World, leak: Leak):
    """2026-11-21 (part 1): the federation session turned into a console session, AWS's quarantine of
    build-bot, and alice lifting it."""
    d2 = DAYS[1]
    alice, bot = W1.users["alice"], W1.users["build-bot"]
    ui_bot, bot_arn, ui_fed, k_fed, t_fed = leak

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


def day2_cross_account_and_identity_center(sc: Scenario, W1: World, W2: World):
    """2026-11-21 later: a cross-account AssumeRole, and an Identity Center user's SAML session."""
    r = sc.r
    d2 = DAYS[1]

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
