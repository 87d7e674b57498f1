"""The scenario fixtures for the detections of real attack techniques: instance credentials used from the address that
commanded the instance, and secrets dumped in bulk."""

import datetime as dt

from .basics import A1, alnum, b32, iso, temp_key
from .records import ui_role
from .scenario_story import ATTACKER_IP, RESPONDER_IP, Story, sc_user, ui_of


def ui_instance(story, acct, role, instance):
    """The session EC2 delivers to an instance from its instance profile (session name = the instance id)."""
    d = ui_role(acct, "AROA" + b32(story.r, 17), role, "/", instance, temp_key(story.r), iso(story.at("06:00:00")))
    d["sessionContext"]["ec2RoleDelivery"] = "2.0"
    return d


def scenario_instance_credentials():
    s = Story("instance-credentials-exfiltrated", "A leaked key runs a shell command on an instance through SSM and "
              "then uses the instance's credentials from its own address. The instance's own calls, another "
              "instance's credentials from that address (never commanded), and a responder's SSM session to a third "
              "instance (whose credentials stay on it) give nothing.")
    ops = sc_user(s, A1, "ops-deploy")
    responder = sc_user(s, A1, "responder")
    web, batch, db = "i-0f1e2d3c4b5a69788", "i-0a9b8c7d6e5f40312", "i-05d4c3b2a1f0e9d87"
    ui_web = ui_instance(s, A1, "web-instance-role", web)
    ui_batch = ui_instance(s, A1, "batch-instance-role", batch)
    ui_db = ui_instance(s, A1, "db-instance-role", db)
    s.call(A1, "us-east-1", s.at("13:55:00"), ui_web, "s3.amazonaws.com", "ListBuckets", "192.0.2.120", "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("14:00:00"), ui_of(ops), "ssm.amazonaws.com", "SendCommand", ATTACKER_IP,
           "cli-attacker", ro=False, req={"documentName": "AWS-RunShellScript", "instanceIds": [web],
                                          "interactive": False, "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"},
           opens=("ec2_instance_credentials_used_from_commanding_address",))
    s.call(A1, "us-east-1", s.at("14:02:00"), ui_web, "s3.amazonaws.com", "ListBuckets", "192.0.2.120", "boto3",
           req={"Host": "s3.us-east-1.amazonaws.com"})
    s.call(A1, "us-east-1", s.at("14:06:00"), ui_web, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker", expect=("ec2_instance_credentials_used_from_commanding_address",))
    s.call(A1, "us-west-2", s.at("14:07:30"), ui_web, "ec2.amazonaws.com", "DescribeInstances", ATTACKER_IP,
           "cli-attacker", req={"instancesSet": {}, "filterSet": {}},
           expect=("ec2_instance_credentials_used_from_commanding_address",))
    s.call(A1, "us-east-1", s.at("14:09:00"), ui_batch, "sts.amazonaws.com", "GetCallerIdentity", ATTACKER_IP,
           "cli-attacker")
    s.call(A1, "eu-west-1", s.at("15:00:00"), ui_of(responder), "ssm.amazonaws.com", "StartSession", RESPONDER_IP,
           "cli-mac", ro=False, req={"target": db})
    s.call(A1, "eu-west-1", s.at("15:03:00"), ui_db, "kms.amazonaws.com", "ListKeys", "192.0.2.140", "boto3")
    return s


def scenario_secrets_dumped():
    s = Story("secrets-dumped", "A leaked key reads seven secrets and parameters in two minutes; another walks through "
              "eleven SSM parameters one GetParameter at a time. An application role reading three secrets at start-up, "
              "and a user reading four parameters over half an hour, give nothing.")
    leak = sc_user(s, A1, "reporting-svc")
    dev = sc_user(s, A1, "dev-kim")
    legacy = sc_user(s, A1, "legacy-admin")
    app = ui_role(A1, "AROA" + b32(s.r, 17), "orders-app", "/", "orders-app-task", temp_key(s.r),
                  iso(s.at("08:00:00")))
    base = s.at("09:00:00")
    for k in range(5):
        sid = f"arn:aws:secretsmanager:us-east-1:{A1}:secret:prod/service-{k}-{alnum(s.r, 6)}"
        s.call(A1, "us-east-1", base + dt.timedelta(seconds=17 * k), ui_of(leak), "secretsmanager.amazonaws.com",
               "GetSecretValue", ATTACKER_IP, "boto3", req={"secretId": sid},
               expect=("secrets_bulk_retrieval",))
    for k in range(2):
        s.call(A1, "eu-west-1", base + dt.timedelta(seconds=100 + 9 * k), ui_of(leak), "ssm.amazonaws.com",
               "GetParameters", ATTACKER_IP, "boto3", req={"names": [f"/prod/db-{k}/password"], "withDecryption": True},
               expect=("secrets_bulk_retrieval",))
    for k in range(3):
        sid = f"arn:aws:secretsmanager:us-east-1:{A1}:secret:orders/{('db', 'queue', 'api')[k]}-{alnum(s.r, 6)}"
        s.call(A1, "us-east-1", s.at("08:00:05") + dt.timedelta(seconds=k), app, "secretsmanager.amazonaws.com",
               "GetSecretValue", "192.0.2.150", "boto3", req={"secretId": sid})
    for k in range(4):
        s.call(A1, "us-east-1", s.at("10:00:00") + dt.timedelta(minutes=8 * k), ui_of(dev), "ssm.amazonaws.com",
               "GetParameter", "192.0.2.31", "cli-linux", req={"name": f"/dev/feature-{k}", "withDecryption": True})
    for k in range(11):
        s.call(A1, "eu-west-1", s.at("11:00:00") + dt.timedelta(seconds=13 * k), ui_of(legacy), "ssm.amazonaws.com",
               "GetParameter", ATTACKER_IP, "boto3", req={"name": f"/prod/app-{k}/secret", "withDecryption": True},
               expect=("ssm_parameters_decrypted_one_by_one",))
    return s
