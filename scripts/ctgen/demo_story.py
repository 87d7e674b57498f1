"""The demo tree's story: three days of two accounts, told event by event (what Fixtures/logs/README.md lists)."""

from __future__ import annotations

import base64
import json

from .actions.awslambda import lambda_config
from .actions.signin import login_to
from .agents import UA, user_agent
from .basics import (A1, A2, ORG_ID, alnum, amz_id_2, at, b32, hexs, iam_time, iso, long_key, policy_text,
                     temp_key, uuid4)
from .demo import ATTACKER, AUDITOR_IP, DAYS, OFFICE_ALICE, OFFICE_BOB, SDK_INTERNAL, Scenario, creds
from .denials import ec2_encoded_message
from .records import TLS12, res_role, ui_federated, ui_role, ui_root, ui_service, ui_user
from .world import World


def build_scenario(W1: World, W2: World) -> Scenario:
    sc = Scenario()
    r = sc.r
    d1, d2, d3 = DAYS
    ua = user_agent
    alice, bob, bot = W1.users["alice"], W1.users["bob"], W1.users["build-bot"]

    # ---------------- Day 1, 111122223333 us-east-1: console login without MFA, key for another user
    t = at(d1, "08:52:14")
    sc.call(A1, "us-east-1", t, ui_user(A1, alice["pid"], "alice"), "signin.amazonaws.com", "ConsoleLogin",
            OFFICE_ALICE, UA["browser"], rid=None, host="signin.aws.amazon.com", ro=False, etype="AwsConsoleSignIn",
            resp={"ConsoleLogin": "Success"},
            add={"LoginTo": login_to(r), "MobileVersion": "No", "MFAUsed": "No"})
    k_alice = temp_key(r)
    ui_ac = ui_user(A1, alice["pid"], "alice", k_alice, (iso(t), "false"))
    sc.call(A1, "us-east-1", at(d1, "08:53:40"), ui_ac, "iam.amazonaws.com", "ListUsers", OFFICE_ALICE,
            UA["console"], console=True, req={"maxItems": 1000})
    sc.call(A1, "us-east-1", at(d1, "08:54:05"), ui_ac, "iam.amazonaws.com", "GetUser", OFFICE_ALICE, UA["console"],
            console=True, req={"userName": "svc-backup"})
    t = at(d1, "08:55:31")
    k_backup = long_key(r)
    sc.call(A1, "us-east-1", t, ui_ac, "iam.amazonaws.com", "CreateAccessKey", OFFICE_ALICE, UA["console"],
            console=True, req={"userName": "svc-backup"},
            resp={"accessKey": {"userName": "svc-backup", "accessKeyId": k_backup, "status": "Active",
                                "createDate": iam_time(t)}})
    backup_bucket = W1.buckets["eu-west-1"][0]
    sc.call(A1, "us-east-1", at(d1, "08:57:02"), ui_ac, "iam.amazonaws.com", "PutUserPolicy", OFFICE_ALICE,
            UA["console"], console=True,
            req={"userName": "svc-backup", "policyName": "backup-s3-access",
                 "policyDocument": policy_text([{"Sid": "BackupWrite", "Effect": "Allow",
                                                 "Action": ["s3:PutObject", "s3:GetObject", "s3:ListBucket"],
                                                 "Resource": [f"arn:aws:s3:::{backup_bucket}",
                                                              f"arn:aws:s3:::{backup_bucket}/*"]}])})
    # the new key in use
    ui_bk = ui_user(A1, W1.users["svc-backup"]["pid"], "svc-backup", k_backup)
    sc.call(A1, "us-east-1", at(d1, "09:31:07"), ui_bk, "s3.amazonaws.com", "ListBuckets", "192.0.2.77",
            ua("boto3", "s3.amazonaws.com", "ListBuckets"), rid="s3", host="s3.us-east-1.amazonaws.com",
            version="1.10", req={"Host": "s3.us-east-1.amazonaws.com"}, add={
                "SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                "AuthenticationMethod": "AuthHeader", "x-amz-id-2": amz_id_2(r), "bytesTransferredOut": 1873})
    sc.call(A1, "us-east-1", at(d1, "09:31:09"), ui_bk, "sts.amazonaws.com", "GetCallerIdentity", "192.0.2.77",
            ua("boto3", "sts.amazonaws.com", "GetCallerIdentity"))

    # ---------------- Day 1: bob denied, then GetSessionToken with MFA and calls with it
    bob_arn = W1.user_arn("bob")
    ui_bob = ui_user(A1, bob["pid"], "bob", bob["key"])
    sc.call(A1, "us-east-1", at(d1, "10:14:05"), ui_bob, "iam.amazonaws.com", "UpdateAccessKey", OFFICE_BOB,
            ua("cli-linux", "iam.amazonaws.com", "UpdateAccessKey"), ro=False,
            err=("AccessDenied", f"User: {bob_arn} is not authorized to perform: iam:UpdateAccessKey on resource: "
                                 "user alice because no identity-based policy allows the iam:UpdateAccessKey action"))
    t = at(d1, "10:16:30")
    k_bob = temp_key(r)
    sc.call(A1, "us-east-1", t, ui_bob, "sts.amazonaws.com", "GetSessionToken", OFFICE_BOB,
            ua("cli-linux", "sts.amazonaws.com", "GetSessionToken"),
            req={"durationSeconds": 43200, "serialNumber": f"arn:aws:iam::{A1}:mfa/bob"},
            resp={"credentials": creds(r, t, 43200, k_bob)}, ro=True)
    ui_bobs = ui_user(A1, bob["pid"], "bob", k_bob, (iso(t), "true"))
    sc.call(A1, "us-east-1", at(d1, "10:17:02"), ui_bobs, "sts.amazonaws.com", "GetCallerIdentity", OFFICE_BOB,
            ua("cli-linux", "sts.amazonaws.com", "GetCallerIdentity"))
    sc.call(A1, "us-east-1", at(d1, "10:17:40"), ui_bobs, "iam.amazonaws.com", "ListAccessKeys", OFFICE_BOB,
            ua("cli-linux", "iam.amazonaws.com", "ListAccessKeys"), req={"userName": "bob"})

    # ---------------- Day 1 eu-west-1: CI assumes DeployRole on the regional STS endpoint, deploys Lambda
    ci = W1.users["ci-deploy"]
    t = at(d1, "13:40:10")
    k_dep = temp_key(r)
    dep = W1.roles["DeployRole"]
    sess = "gha-deploy-8812"
    sc.call(A1, "eu-west-1", t, ui_user(A1, ci["pid"], "ci-deploy", ci["key"]), "sts.amazonaws.com", "AssumeRole",
            "192.0.2.210", ua("go", "sts.amazonaws.com", "AssumeRole"), tls=TLS12,
            req={"roleArn": W1.role_arn("DeployRole"), "roleSessionName": sess, "durationSeconds": 3600},
            resp={"credentials": creds(r, t, 3600, k_dep),
                  "assumedRoleUser": {"assumedRoleId": f"{dep['rid']}:{sess}",
                                      "arn": f"arn:aws:sts::{A1}:assumed-role/DeployRole/{sess}"}},
            res=res_role(A1, W1.role_arn("DeployRole")), ro=True)
    ui_dep = ui_role(A1, dep["rid"], "DeployRole", "/", sess, k_dep, iso(t))
    sc.call(A1, "eu-west-1", at(d1, "13:40:25"), ui_dep, "lambda.amazonaws.com", "GetFunction20150331v2",
            "192.0.2.210", ua("go", "lambda.amazonaws.com", ""), tls=TLS12, version="1.08",
            req={"functionName": "order-processor"})
    t = at(d1, "13:41:02")
    sc.call(A1, "eu-west-1", t, ui_dep, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "192.0.2.210",
            ua("go", "lambda.amazonaws.com", ""), tls=TLS12, version="1.08", ro=False,
            req={"functionName": "order-processor", "s3Bucket": f"example-build-artifacts-{A1}",
                 "s3Key": "order-processor/build-8812.zip", "publish": True, "dryRun": False},
            resp=lambda_config(W1, "eu-west-1", "order-processor", t.strftime("%Y-%m-%dT%H:%M:%S.412+0000"), r))
    sc.call(A1, "eu-west-1", at(d1, "13:42:30"), ui_dep, "lambda.amazonaws.com", "AddPermission20150331v2",
            "192.0.2.210", ua("go", "lambda.amazonaws.com", ""), tls=TLS12, version="1.08", ro=False,
            err=("AccessDeniedException",
                 f"User: arn:aws:sts::{A1}:assumed-role/DeployRole/{sess} is not authorized to perform: "
                 f"lambda:AddPermission on resource: {W1.fn_arn('eu-west-1', 'order-processor')} because no "
                 "identity-based policy allows the lambda:AddPermission action"))

    # ---------------- Day 1 us-west-2: Lambda service assumes the function role; S3 decrypts via KMS
    t = at(d1, "16:05:03")
    tr = W1.roles["thumbnail-resizer-role"]
    k_th = temp_key(r)
    sc.call(A1, "us-west-2", t, ui_service("lambda.amazonaws.com"), "sts.amazonaws.com", "AssumeRole",
            "lambda.amazonaws.com", "lambda.amazonaws.com", tls=None,
            req={"roleArn": W1.role_arn("thumbnail-resizer-role"), "roleSessionName": "thumbnail-resizer"},
            resp={"credentials": creds(r, t, 43200, k_th),
                  "assumedRoleUser": {"assumedRoleId": f"{tr['rid']}:thumbnail-resizer",
                                      "arn": f"arn:aws:sts::{A1}:assumed-role/thumbnail-resizer-role/thumbnail-resizer"}},
            res=[{"accountId": A1, "type": "AWS::IAM::Role", "ARN": W1.role_arn("thumbnail-resizer-role")}], ro=True)
    bkt = W1.buckets["us-west-2"][0]
    sc.call(A1, "us-west-2", at(d1, "16:05:04"), ui_service("s3.amazonaws.com"), "kms.amazonaws.com", "Decrypt",
            "s3.amazonaws.com", "s3.amazonaws.com", tls=None,
            req={"encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bkt}"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            res=[{"accountId": A1, "type": "AWS::KMS::Key", "ARN": W1.kms_arn("us-west-2")}], ro=True,
            shared=uuid4(r))
    ui_th = ui_role(A1, tr["rid"], "thumbnail-resizer-role", "/service-role/", "thumbnail-resizer", k_th, iso(t))
    sc.call(A1, "us-west-2", at(d1, "16:05:05"), ui_th, "logs.amazonaws.com", "CreateLogStream", "192.0.2.151",
            UA["lambda-worker"], tls=TLS12, ro=False,
            req={"logGroupName": "/aws/lambda/thumbnail-resizer", "logStreamName": f"2026/11/20/[$LATEST]{hexs(r, 32)}"})
    sc.call(A1, "us-west-2", at(d1, "16:05:07"), ui_th, "ssm.amazonaws.com", "GetParameter", "192.0.2.151",
            UA["boto3-lambda"], req={"name": "/app/prod/feature-flags", "withDecryption": True})

    # ---------------- Day 1 444455556666 eu-west-1: an old-format ("Unknown") Identity Center portal event
    sc.call(A2, "eu-west-1", at(d1, "09:30:12"),
            {"type": "Unknown", "principalId": W2.idc_users["carol@example.com"], "accountId": A2,
             "userName": "carol@example.com"},
            "sso.amazonaws.com", "ListAccounts", "198.51.100.61", UA["browser"], host="portal.sso.eu-west-1.amazonaws.com",
            version="1.08", etype="AwsServiceEvent", ro=True)

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
    return sc
