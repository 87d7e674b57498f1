"""The demo story's first day (2026-11-20): a console session makes a key for another user; MFA sessions,
a deploy and service calls around it."""

from __future__ import annotations

from .actions.awslambda import lambda_config
from .actions.signin import login_to
from .agents import UA, user_agent
from .basics import A1, A2, amz_id_2, at, hexs, iam_time, iso, long_key, policy_text, temp_key, uuid4
from .demo import DAYS, OFFICE_ALICE, OFFICE_BOB, Scenario, creds
from .records import TLS12, res_role, ui_role, ui_service, ui_user
from .world import World

ua = user_agent  # the story asks for a user agent on almost every line


def day1(sc: Scenario, W1: World, W2: World):
    """2026-11-20: console sign-in without MFA and a key for another user, bob's MFA session, a CI deploy,
    Lambda and S3 service calls, an old-format Identity Center event."""
    r = sc.r
    d1 = DAYS[0]
    alice, bob = W1.users["alice"], W1.users["bob"]

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
