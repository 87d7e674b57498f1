#!/usr/bin/env python3
"""Writes N seeded Sigma rules of the shapes SigmaHQ's AWS CloudTrail rules use, to measure how scan cost grows with
the rule count (scripts/bench-reader --extra-rules N). Not rules anyone should deploy.

  generate_sigma_rules.py OUTDIR --count 500 --seed 1
"""
import argparse
import os
import random
import uuid

APIS = {
    "ec2.amazonaws.com": ["RunInstances", "StartInstances", "StopInstances", "TerminateInstances", "CreateKeyPair",
                          "ImportKeyPair", "AuthorizeSecurityGroupIngress", "CreateSnapshot", "ModifySnapshotAttribute",
                          "CreateVpc", "DeleteFlowLogs", "CreateRoute", "ModifyInstanceAttribute", "GetPasswordData"],
    "iam.amazonaws.com": ["CreateUser", "DeleteUser", "CreateRole", "AttachRolePolicy", "PutUserPolicy", "CreateLoginProfile",
                          "UpdateAssumeRolePolicy", "CreatePolicyVersion", "AddUserToGroup", "DeactivateMFADevice",
                          "CreateVirtualMFADevice", "UploadSSHPublicKey", "CreateServiceSpecificCredential"],
    "s3.amazonaws.com": ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "PutBucketPublicAccessBlock",
                         "PutBucketLogging", "DeleteBucket", "PutBucketReplication", "PutLifecycleConfiguration"],
    "kms.amazonaws.com": ["ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy", "CreateGrant", "ImportKeyMaterial"],
    "lambda.amazonaws.com": ["CreateFunction20150331", "UpdateFunctionCode20150331v2", "AddPermission20150331v2",
                             "CreateFunctionUrlConfig20211031", "PublishLayerVersion20181031"],
    "cloudtrail.amazonaws.com": ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"],
    "guardduty.amazonaws.com": ["DeleteDetector", "UpdateDetector", "CreateIPSet", "DisassociateFromMasterAccount"],
    "organizations.amazonaws.com": ["LeaveOrganization", "CreateAccount", "InviteAccountToOrganization"],
    "secretsmanager.amazonaws.com": ["GetSecretValue", "BatchGetSecretValue", "PutResourcePolicy"],
    "ssm.amazonaws.com": ["SendCommand", "StartSession", "GetParameter", "GetParameters"],
    "rds.amazonaws.com": ["ModifyDBInstance", "RestoreDBInstanceFromDBSnapshot", "ModifyDBSnapshotAttribute"],
    "sts.amazonaws.com": ["AssumeRole", "GetFederationToken", "GetSessionToken"],
}


# Calls a busy account makes all the time (the benchmark corpus has them by the thousand); rules on them match a lot.
BUSY = {"AssumeRole", "GetParameter", "GetParameters", "GetSecretValue", "RunInstances", "StartInstances",
        "StopInstances", "PutBucketPolicy", "CreateGrant", "SendCommand", "ModifyDBInstance"}


def rule(rnd, n, quiet):
    source = rnd.choice(sorted(APIS))
    pool = [x for x in APIS[source] if not (quiet and x in BUSY)] or APIS[source]
    names = rnd.sample(pool, k=min(len(pool), rnd.choice([1, 1, 2, 3])))
    shape = rnd.choice(["plain", "filter_type", "contains", "startswith", "one_of", "error"])
    det = ["detection:", "    selection:", f"        eventSource: {source}", "        eventName:"]
    det += [f"            - {x}" for x in names]
    condition = "selection"
    if shape == "filter_type":
        det += ["    filter_main_service:", "        userIdentity.type: AWSService"]
        condition = "selection and not filter_main_service"
    elif shape == "contains":
        det += ["    selection_param:", f"        requestParameters.userName|contains: 'svc-{rnd.randint(0, 999)}'"]
        condition = "selection and selection_param"
    elif shape == "startswith":
        det += ["    filter_main_arn:", f"        userIdentity.arn|startswith: 'arn:aws:iam::{rnd.randint(10**11, 10**12 - 1)}:role/'"]
        condition = "selection and not 1 of filter_main_*"
    elif shape == "one_of":
        det += ["    selection_status_success:", "        errorCode: null", "    selection_status_denied:",
                "        errorCode: AccessDenied"]
        condition = "selection and 1 of selection_status_*"
    elif shape == "error":
        det += ["    filter_error:", "        errorCode|exists: true"]
        condition = "selection and not filter_error"
    det.append(f"    condition: {condition}")
    return "\n".join([
        f"title: Generated AWS rule {n}",
        f"id: {uuid.UUID(int=rnd.getrandbits(128), version=4)}",
        "status: experimental",
        f"description: Generated to measure rule-count scaling ({shape}).",
        "author: trailhound benchmark",
        "date: 2026-11-29",
        "tags:",
        "    - attack.persistence",
        "logsource:",
        "    product: aws",
        "    service: cloudtrail",
        *det,
        "falsepositives:",
        "    - Benchmark only",
        f"level: {rnd.choice(['low', 'medium', 'high'])}",
        "",
    ])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true",
                    help="only calls that are rare in busy accounts, as most SigmaHQ rules watch (default: any call)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    for n in range(args.count):
        with open(os.path.join(args.outdir, f"generated_{n:04d}.yml"), "w") as f:
            f.write(rule(rnd, n, args.quiet))


if __name__ == "__main__":
    main()
