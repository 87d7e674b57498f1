"""The scenario fixtures: twelve small incidents for the stateful rules. Negative scenarios expect no finding."""

import datetime as dt

from .agents import UA
from .basics import A1, A2, alnum, b32, iam_time, iso, long_key, policy_text, temp_key
from .demo import creds
from .records import res_role, ui_federated, ui_role, ui_service, ui_user
from .scenario_story import ATTACKER_IP, RESPONDER_IP, Story, sc_user, ui_of
from .scenarios_detection import scenario_instance_credentials, scenario_secrets_dumped


def scenario_quarantine_gap():
    s = Story("quarantine-gap", "AWS quarantines a leaked key with the V1 policy; the attacker's S3 and Bedrock calls "
              "still succeed (containment gap), IAM calls are denied, and a role session the key assumed earlier "
              "keeps working.")
    bot = sc_user(s, A1, "etl-bot")
    arn = f"arn:aws:iam::{A1}:user/etl-bot"
    responder = sc_user(s, A1, "responder")
    # Before the quarantine: the key works (not evidence).
    s.call(A1, "us-east-1", s.at("06:10:02"), ui_of(bot), "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker")
    t = s.at("06:12:40")
    k_role = temp_key(s.r)
    s.call(A1, "us-east-1", t, ui_of(bot), "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, "cli-attacker",
           req={"roleArn": f"arn:aws:iam::{A1}:role/DataExport", "roleSessionName": "etl", "durationSeconds": 43200},
           resp={"credentials": creds(s.r, t, 43200, k_role),
                 "assumedRoleUser": {"assumedRoleId": "AROA" + b32(s.r, 17) + ":etl",
                                     "arn": f"arn:aws:sts::{A1}:assumed-role/DataExport/etl"}})
    ui_sess = ui_role(A1, "AROAEXAMPLEDATAEXPRT", "DataExport", "/", "etl", k_role, iso(t))
    # AWS attaches the V1 quarantine (the event is by AWS, not the user: never evidence).
    s.call(A1, "us-east-1", s.at("07:02:11"), {"type": "AWSService", "invokedBy": "iam.amazonaws.com"},
           "iam.amazonaws.com", "AttachUserPolicy", "iam.amazonaws.com", "AWS Internal", tls=None, ua="AWS Internal",
           req={"userName": "etl-bot", "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine"},
           opens=("user_activity_after_containment_denied", "user_activity_after_containment_succeeded"))
    # After: IAM is denied (the actor is still trying) ...
    s.call(A1, "us-east-1", s.at("07:15:30"), ui_of(bot), "iam.amazonaws.com", "CreateUser", ATTACKER_IP,
           "cli-attacker", ro=False, req=None,
           err=s.denied(arn, "iam:CreateUser", f"arn:aws:iam::{A1}:user/backup-admin"),
           expect=("user_activity_after_containment_denied",))
    s.call(A1, "eu-west-1", s.at("07:16:05"), ui_of(bot), "ec2.amazonaws.com", "RunInstances", ATTACKER_IP,
           "cli-attacker", ro=False, req=None,
           err=("Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: " + arn +
                " is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:" + A1 +
                ":instance/* with an explicit deny in an identity-based policy"),
           expect=("user_activity_after_containment_denied",))
    # ... while S3 and Bedrock still answer (V1 does not deny them), with the key and with the earlier role session.
    s.call(A1, "us-east-1", s.at("07:18:44"), ui_of(bot), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP,
           "cli-attacker", req={"Host": "s3.us-east-1.amazonaws.com"},
           expect=("user_activity_after_containment_succeeded",))
    s.call(A1, "us-west-2", s.at("07:21:09"), ui_of(bot), "bedrock.amazonaws.com", "InvokeModel", ATTACKER_IP,
           "boto3", req={"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
           expect=("user_activity_after_containment_succeeded",))
    s.call(A1, "us-east-1", s.at("07:25:51"), ui_sess, "s3.amazonaws.com", "GetObject", ATTACKER_IP, "boto3",
           req={"bucketName": f"example-exports-{A1}", "key": "customers.csv"}, late=7,
           expect=("user_activity_after_containment_succeeded",))
    # The responder's own containment calls never count.
    ui_resp = ui_of(responder)
    s.call(A1, "us-east-1", s.at("07:40:00"), ui_resp, "iam.amazonaws.com", "ListAccessKeys", RESPONDER_IP,
           "cli-mac", req={"userName": "etl-bot"})
    s.call(A1, "us-east-1", s.at("07:41:12"), ui_resp, "iam.amazonaws.com", "UpdateAccessKey", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "etl-bot", "accessKeyId": bot["key"], "status": "Inactive"})
    return s


def scenario_federation_outlives_key():
    s = Story("federation-outlives-key", "A leaked key mints a 36-hour federation token; the responder deletes the "
              "key, but the federated session keeps working until a deny-all on the parent user stops it.")
    ci = sc_user(s, A1, "ci-runner")
    responder = sc_user(s, A1, "responder")
    t = s.at("09:00:15")
    k_fed = temp_key(s.r)
    s.call(A1, "us-east-1", t, ui_of(ci), "sts.amazonaws.com", "GetFederationToken", ATTACKER_IP, "cli-attacker",
           req={"name": "ops", "durationSeconds": 129600,
                "policyArns": [{"arn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
           resp={"credentials": creds(s.r, t, 129600, k_fed),
                 "federatedUser": {"federatedUserId": f"{A1}:ops", "arn": f"arn:aws:sts::{A1}:federated-user/ops"},
                 "packedPolicySize": 9})
    ui_fed = ui_federated(A1, "ops", k_fed, iso(t), ci["pid"], "ci-runner")
    s.call(A1, "us-east-1", s.at("09:05:00"), ui_fed, "s3.amazonaws.com", "ListBuckets", ATTACKER_IP, "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("10:30:00"), ui_of(responder), "iam.amazonaws.com", "DeleteAccessKey", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "ci-runner", "accessKeyId": ci["key"]},
           opens=("federated_session_after_parent_contained",))
    fed_arn = f"arn:aws:sts::{A1}:federated-user/ops"
    s.call(A1, "eu-west-1", s.at("10:45:10"), ui_fed, "secretsmanager.amazonaws.com", "GetSecretValue", ATTACKER_IP,
           "boto3", req={"secretId": "prod/db"}, expect=("federated_session_after_parent_contained",))
    s.call(A1, "us-east-1", s.at("10:47:30"), ui_fed, "iam.amazonaws.com", "CreateUser", ATTACKER_IP, "cli-attacker",
           ro=False, req={"userName": "svc-metrics"},
           resp={"user": {"path": "/", "userName": "svc-metrics", "userId": "AIDA" + b32(s.r, 17),
                          "arn": f"arn:aws:iam::{A1}:user/svc-metrics", "createDate": iam_time(s.at("10:47:30"))}},
           expect=("federated_session_after_parent_contained",))
    s.call(A1, "us-east-1", s.at("11:20:00"), ui_of(responder), "iam.amazonaws.com", "PutUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "ci-runner", "policyName": "IR-DenyAll", "policyDocument": policy_text(
               [{"Sid": "IRDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])})
    s.call(A1, "us-west-2", s.at("11:31:40"), ui_fed, "ec2.amazonaws.com", "DescribeInstances", ATTACKER_IP, "boto3",
           req={"maxResults": 1000}, err=("Client.UnauthorizedOperation",
                                          "You are not authorized to perform this operation. User: " + fed_arn +
                                          " is not authorized to perform: ec2:DescribeInstances with an explicit "
                                          "deny in an identity-based policy"),
           expect=("federated_session_after_parent_contained",))
    return s


def scenario_role_revoked_reassumed():
    s = Story("role-revoked-reassumed", "A leaked key assumes AppAdmin; the responder revokes older sessions; the old "
              "session is denied, and the same key assumes the role again.")
    mal = sc_user(s, A1, "deploy-legacy")
    responder = sc_user(s, A1, "responder")
    role_arn = f"arn:aws:iam::{A1}:role/AppAdmin"

    def assume(t, sess, expect=()):
        k = temp_key(s.r)
        s.call(A1, "us-east-1", t, ui_of(mal), "sts.amazonaws.com", "AssumeRole", ATTACKER_IP, "cli-attacker",
               req={"roleArn": role_arn, "roleSessionName": sess},
               resp={"credentials": creds(s.r, t, 3600, k),
                     "assumedRoleUser": {"assumedRoleId": f"AROAEXAMPLEAPPADMIN1:{sess}",
                                         "arn": f"arn:aws:sts::{A1}:assumed-role/AppAdmin/{sess}"}},
               res=res_role(A1, role_arn), expect=expect)
        return ui_role(A1, "AROAEXAMPLEAPPADMIN1", "AppAdmin", "/", sess, k, iso(t))

    old = assume(s.at("13:00:05"), "s-1")
    s.call(A1, "eu-west-1", s.at("13:10:00"), old, "s3.amazonaws.com", "ListBuckets", ATTACKER_IP, "boto3",
           req={"Host": "s3.eu-west-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("13:30:00"), ui_of(responder), "iam.amazonaws.com", "PutRolePolicy", RESPONDER_IP,
           "console", ro=False, req={"roleName": "AppAdmin", "policyName": "AWSRevokeOlderSessions",
                                     "policyDocument": policy_text([{"Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                                                                     "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-11-24T13:29:50.000Z"}}}])},
           opens=("role_session_denied_after_revocation", "role_reassumed_after_revocation"))
    old_arn = f"arn:aws:sts::{A1}:assumed-role/AppAdmin/s-1"
    s.call(A1, "eu-west-1", s.at("13:34:12"), old, "s3.amazonaws.com", "GetObject", ATTACKER_IP, "boto3",
           req={"bucketName": f"example-app-{A1}", "key": "config.json"},
           err=s.denied(old_arn, "s3:GetObject", f"arn:aws:s3:::example-app-{A1}/config.json"),
           expect=("role_session_denied_after_revocation",))
    new = assume(s.at("13:36:40"), "s-2", expect=("role_reassumed_after_revocation",))
    s.call(A1, "eu-west-1", s.at("13:37:00"), new, "s3.amazonaws.com", "GetObject", ATTACKER_IP, "boto3",
           req={"bucketName": f"example-app-{A1}", "key": "config.json"})
    return s


def scenario_identity_center():
    s = Story("identity-center-access-removed", "An Identity Center user is denied by an SCP on identitystore:userId "
              "and another loses its account assignment; both keep acting through the portal and permission-set "
              "sessions.")
    store = "d-9067abcdef"
    u1 = "9067abcdef-1a2b3c4d-0000-4000-8000-00000000aa01"
    u2 = "9067abcdef-1a2b3c4d-0000-4000-8000-00000000bb02"
    admin = sc_user(s, A2, "org-admin")

    def portal(uid):
        return {"type": "IdentityCenterUser", "accountId": A2,
                "onBehalfOf": {"userId": uid, "identityStoreArn": f"arn:aws:identitystore::{A2}:identitystore/{store}"},
                "credentialId": alnum(s.r, 24)}

    def member_session(uid, name, key):
        d = ui_role(A1, "AROAEXAMPLESSOADMIN1", "AWSReservedSSO_AdministratorAccess_0123456789abcdef",
                    "/aws-reserved/sso.amazonaws.com/", name, key, iso(s.at("14:00:00")))
        d["onBehalfOf"] = {"userId": uid, "identityStoreArn": f"arn:aws:identitystore::{A2}:identitystore/{store}"}
        return d

    scp = policy_text([{"Sid": "DenyCompromisedUser", "Effect": "Deny", "Action": "*", "Resource": "*",
                        "Condition": {"StringEquals": {"identitystore:userId": [u1]}}}])
    s.call(A2, "us-east-1", s.at("14:20:00"), ui_of(admin), "organizations.amazonaws.com", "CreatePolicy",
           RESPONDER_IP, "cli-mac", ro=False,
           req={"content": scp, "description": "IR deny", "name": "IR-DenyIdentityCenterUser",
                "type": "SERVICE_CONTROL_POLICY"},
           resp={"policy": {"policySummary": {"id": "p-ir0example1", "arn": f"arn:aws:organizations::{A2}:policy/o-exampleorgid/service_control_policy/p-ir0example1",
                                              "name": "IR-DenyIdentityCenterUser", "type": "SERVICE_CONTROL_POLICY", "awsManaged": False},
                            "content": scp}},
           opens=("identity_center_user_active_after_access_removed",))
    s.call(A2, "us-east-1", s.at("14:20:40"), ui_of(admin), "organizations.amazonaws.com", "AttachPolicy",
           RESPONDER_IP, "cli-mac", ro=False, req={"policyId": "p-ir0example1", "targetId": "r-ex01"})
    s.call(A2, "us-east-1", s.at("14:21:30"), ui_of(admin), "sso.amazonaws.com", "DeleteAccountAssignment",
           RESPONDER_IP, "cli-mac", ro=False,
           req={"instanceArn": "arn:aws:sso:::instance/ssoins-72230000example", "targetId": A1, "targetType": "AWS_ACCOUNT",
                "permissionSetArn": "arn:aws:sso:::permissionSet/ssoins-72230000example/ps-0123456789abcdef",
                "principalType": "USER", "principalId": u2})
    k1, k2 = temp_key(s.r), temp_key(s.r)
    s.call(A1, "eu-west-1", s.at("14:25:02"), member_session(u1, "dana@example.com", k1), "s3.amazonaws.com",
           "ListBuckets", ATTACKER_IP, "boto3", req={"Host": "s3.eu-west-1.amazonaws.com"},
           err=("AccessDenied", "User: arn:aws:sts::" + A1 + ":assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/dana@example.com is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy"),
           expect=("identity_center_user_active_after_access_removed",))
    s.call(A2, "us-east-1", s.at("14:26:10"), portal(u1), "sso.amazonaws.com", "GetRoleCredentials", ATTACKER_IP,
           "boto3", req={"roleName": "AdministratorAccess", "accountId": A1}, resp=None,
           expect=("identity_center_user_active_after_access_removed",))
    s.call(A1, "us-east-1", s.at("14:40:44"), member_session(u2, "lee@example.com", k2), "iam.amazonaws.com",
           "ListUsers", "192.0.2.150", "boto3", req={"maxItems": 100})
    s.expect.setdefault("identity_center_user_active_after_access_removed#2", {"evidence": [], "opened": None})
    e = s.expect.pop("identity_center_user_active_after_access_removed#2")
    e["evidence"].append(s.items[-1][3]["eventID"])
    e["opened"] = s.items[2][3]["eventID"]
    s.expect["identity_center_user_active_after_access_removed#2"] = e
    return s


def scenario_permissions_removed():
    s = Story("permissions-removed-keys-active", "A responder detaches AdministratorAccess from a leaked user but "
              "never disables its key, which keeps working; for a second user the key is deactivated in time.")
    old = sc_user(s, A1, "old-admin")
    other = sc_user(s, A1, "reports")
    responder = sc_user(s, A1, "responder")
    s.call(A1, "us-east-1", s.at("15:00:00"), ui_of(old), "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker")
    s.call(A1, "us-east-1", s.at("15:10:00"), ui_of(responder), "iam.amazonaws.com", "DetachUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "old-admin", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
           expect=("iam_user_permissions_removed_keys_active",), opens=("iam_user_permissions_removed_keys_active",))
    s.call(A1, "us-east-1", s.at("15:12:00"), ui_of(responder), "iam.amazonaws.com", "RemoveUserFromGroup",
           RESPONDER_IP, "cli-mac", ro=False, req={"userName": "reports", "groupName": "analysts"})
    s.call(A1, "us-east-1", s.at("15:40:00"), ui_of(responder), "iam.amazonaws.com", "UpdateAccessKey", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "reports", "accessKeyId": other["key"], "status": "Inactive"})
    s.call(A1, "eu-west-1", s.at("17:02:30"), ui_of(old), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP,
           "cli-attacker", req={"Host": "s3.eu-west-1.amazonaws.com"})
    return s


def scenario_backdoors():
    s = Story("backdoor-credentials-used", "A leaked key creates an access key and a console password for two other "
              "users; both are then used.")
    intr = sc_user(s, A1, "build-svc")
    s.call(A1, "us-east-1", s.at("16:00:00"), ui_of(intr), "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker", expect=("recon_then_persistence",))
    t = s.at("16:02:10")
    k_new = long_key(s.r)
    s.call(A1, "us-east-1", t, ui_of(intr), "iam.amazonaws.com", "CreateAccessKey", ATTACKER_IP, "cli-attacker",
           ro=False, req={"userName": "support-ops"},
           resp={"accessKey": {"userName": "support-ops", "accessKeyId": k_new, "status": "Active",
                               "createDate": iam_time(t)}},
           opens=("backdoor_access_key_used",), expect=("recon_then_persistence",))
    s.call(A1, "us-east-1", s.at("16:03:00"), ui_of(intr), "iam.amazonaws.com", "CreateLoginProfile", ATTACKER_IP,
           "cli-attacker", ro=False, req={"userName": "legacy-ops", "passwordResetRequired": False},
           resp={"loginProfile": {"userName": "legacy-ops", "createDate": iam_time(s.at("16:03:00")),
                                  "passwordResetRequired": False}},
           opens=("backdoor_login_profile_used",), expect=("recon_then_persistence",))
    sup = {"pid": "AIDA" + b32(s.r, 17), "name": "support-ops", "acct": A1, "key": k_new}
    s.call(A1, "us-west-2", s.at("16:20:00"), ui_of(sup), "s3.amazonaws.com", "ListBuckets", ATTACKER_IP, "boto3",
           req={"Host": "s3.us-west-2.amazonaws.com"}, expect=("backdoor_access_key_used",))
    s.call(A1, "us-east-1", s.at("16:21:00"), ui_of(sup), "iam.amazonaws.com", "ListUsers", ATTACKER_IP, "boto3",
           req={"maxItems": 100}, expect=("backdoor_access_key_used",))
    lo = {"pid": "AIDA" + b32(s.r, 17), "name": "legacy-ops", "acct": A1}
    s.call(A1, "us-east-1", s.at("16:30:00"), ui_user(A1, lo["pid"], "legacy-ops"), "signin.amazonaws.com",
           "ConsoleLogin", ATTACKER_IP, "browser", ua=UA["browser"], ro=False, etype="AwsConsoleSignIn",
           resp={"ConsoleLogin": "Success"}, add={"LoginTo": "https://console.aws.amazon.com/console/home",
                                                   "MobileVersion": "No", "MFAUsed": "No"},
           expect=("backdoor_login_profile_used",))
    return s


def scenario_denied_burst():
    s = Story("access-denied-burst", "A leaked key enumerates its permissions: twelve denied calls across services in "
              "four minutes. Another key's four denials stay below the threshold.")
    leak = sc_user(s, A1, "analytics-ro")
    dev = sc_user(s, A1, "dev-kim")
    arn = f"arn:aws:iam::{A1}:user/analytics-ro"
    calls = [("iam.amazonaws.com", "ListUsers", "iam:ListUsers"), ("iam.amazonaws.com", "ListRoles", "iam:ListRoles"),
             ("ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances"),
             ("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"),
             ("secretsmanager.amazonaws.com", "ListSecrets", "secretsmanager:ListSecrets"),
             ("kms.amazonaws.com", "ListKeys", "kms:ListKeys"), ("dynamodb.amazonaws.com", "ListTables", "dynamodb:ListTables"),
             ("ssm.amazonaws.com", "DescribeParameters", "ssm:DescribeParameters"),
             ("organizations.amazonaws.com", "DescribeOrganization", "organizations:DescribeOrganization"),
             ("iam.amazonaws.com", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"),
             ("rds.amazonaws.com", "DescribeDBInstances", "rds:DescribeDBInstances"),
             ("logs.amazonaws.com", "DescribeLogGroups", "logs:DescribeLogGroups")]
    base = s.at("18:00:00")
    for k, (src, name, perm) in enumerate(calls):
        region = ("us-east-1", "eu-west-1")[k % 2] if src not in ("iam.amazonaws.com", "organizations.amazonaws.com") else "us-east-1"
        code = "Client.UnauthorizedOperation" if src == "ec2.amazonaws.com" else (
            "AccessDeniedException" if src not in ("iam.amazonaws.com", "rds.amazonaws.com") else "AccessDenied")
        s.call(A1, region, base + dt.timedelta(seconds=20 * k + 3), ui_of(leak), src, name, ATTACKER_IP, "boto3",
               err=(code, s.denied(arn, perm, None, explicit=None)[1]), expect=("credential_access_denied_burst",))
    darn = f"arn:aws:iam::{A1}:user/dev-kim"
    for k in range(4):
        s.call(A1, "us-east-1", base + dt.timedelta(minutes=1, seconds=30 * k), ui_of(dev), "iam.amazonaws.com",
               "ListRoles", "192.0.2.31", "cli-linux", err=s.denied(darn, "iam:ListRoles", None, explicit=None))
    return s


def scenario_negative_responder():
    s = Story("negative-responder-calls", "A responder quarantines a user and works on it; the user makes no call "
              "afterwards. Nothing stateful may fire.")
    u = sc_user(s, A1, "batch-jobs")
    responder = sc_user(s, A1, "responder")
    s.call(A1, "us-east-1", s.at("10:00:00"), ui_of(u), "s3.amazonaws.com", "ListBuckets", "192.0.2.15", "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    ui_resp = ui_of(responder)
    s.call(A1, "us-east-1", s.at("10:05:00"), ui_resp, "iam.amazonaws.com", "AttachUserPolicy", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"})
    s.call(A1, "us-east-1", s.at("10:06:00"), ui_resp, "iam.amazonaws.com", "PutUserPolicy", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "policyName": "IR-DenyAll", "policyDocument": policy_text(
               [{"Sid": "IRDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])})
    s.call(A1, "us-east-1", s.at("10:07:00"), ui_resp, "iam.amazonaws.com", "ListAccessKeys", RESPONDER_IP, "cli-mac",
           req={"userName": "batch-jobs"})
    s.call(A1, "us-east-1", s.at("10:08:00"), ui_resp, "iam.amazonaws.com", "UpdateAccessKey", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "accessKeyId": u["key"], "status": "Inactive"})
    s.call(A1, "us-east-1", s.at("10:09:00"), ui_resp, "iam.amazonaws.com", "DeleteAccessKey", RESPONDER_IP, "cli-mac",
           ro=False, req={"userName": "batch-jobs", "accessKeyId": u["key"]})
    return s


def scenario_negative_lifted():
    s = Story("negative-quarantine-lifted", "A deny-all on a user is removed after the investigation; the user's later "
              "calls are ordinary. Nothing stateful may fire.")
    u = sc_user(s, A1, "report-gen")
    responder = sc_user(s, A1, "responder")
    doc = policy_text([{"Sid": "IRDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}])
    s.call(A1, "us-east-1", s.at("08:00:00"), ui_of(responder), "iam.amazonaws.com", "PutUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "report-gen", "policyName": "IR-DenyAll", "policyDocument": doc})
    s.call(A1, "us-east-1", s.at("12:00:00"), ui_of(responder), "iam.amazonaws.com", "DeleteUserPolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"userName": "report-gen", "policyName": "IR-DenyAll"})
    s.call(A1, "eu-west-1", s.at("12:30:00"), ui_of(u), "s3.amazonaws.com", "PutObject", "192.0.2.16", "boto3",
           req={"bucketName": f"example-reports-{A1}", "key": "daily.csv"})
    s.call(A1, "us-east-1", s.at("12:31:00"), ui_of(u), "iam.amazonaws.com", "GetUser", "192.0.2.16", "boto3",
           req={"userName": "report-gen"})
    return s


def scenario_negative_service_reassume():
    s = Story("negative-service-reassume", "After a role's older sessions are revoked, EC2 and Lambda assume the role "
              "again for their workloads. Nothing stateful may fire.")
    responder = sc_user(s, A1, "responder")
    role_arn = f"arn:aws:iam::{A1}:role/WorkerRole"
    s.call(A1, "us-east-1", s.at("09:00:00"), ui_of(responder), "iam.amazonaws.com", "PutRolePolicy", RESPONDER_IP,
           "cli-mac", ro=False, req={"roleName": "WorkerRole", "policyName": "AWSRevokeOlderSessions",
                                     "policyDocument": policy_text([{"Effect": "Deny", "Action": ["*"], "Resource": ["*"],
                                                                     "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-11-24T08:59:00.000Z"}}}])})
    for k, (svc, sess) in enumerate((("ec2.amazonaws.com", "i-0a1b2c3d4e5f60718"), ("lambda.amazonaws.com", "worker-fn"))):
        t = s.at(f"09:1{k}:00")
        s.call(A1, "us-east-1", t, ui_service(svc), "sts.amazonaws.com", "AssumeRole", svc, svc, tls=None, ua=svc,
               req={"roleArn": role_arn, "roleSessionName": sess},
               resp={"credentials": creds(s.r, t, 3600),
                     "assumedRoleUser": {"assumedRoleId": f"AROAEXAMPLEWORKER001:{sess}",
                                         "arn": f"arn:aws:sts::{A1}:assumed-role/WorkerRole/{sess}"}},
               res=res_role(A1, role_arn))
    return s


SCENARIOS = (scenario_quarantine_gap, scenario_federation_outlives_key, scenario_role_revoked_reassumed,
             scenario_identity_center, scenario_permissions_removed, scenario_backdoors, scenario_denied_burst,
             scenario_negative_responder, scenario_negative_lifted, scenario_negative_service_reassume,
             scenario_instance_credentials, scenario_secrets_dumped)


def write_scenarios(root):
    total = 0
    for make in SCENARIOS:
        story = make()
        files, events = story.write(root)
        total += events
    return len(SCENARIOS), total
