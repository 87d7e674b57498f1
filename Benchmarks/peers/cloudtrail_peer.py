#!/usr/bin/env python3
"""The peer we measure trailhound against: what a responder writes by hand with gzip + json.

Reads CloudTrail .json.gz files (paths or folders) and counts the headline detections trailhound's bundled rules
make: GetFederationToken with an admin session policy, an access key created for another user, and a quarantine or
deny-all policy attached to a user. Prints one JSON line: files, events, json_bytes, detections.

  cloudtrail_peer.py PATH...
"""
import gzip
import json
import os
import sys

ADMIN = {"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMFullAccess"}
CONTAINMENT_PREFIX = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine"


def allows_all(document):
    try:
        policy = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    for s in statements:
        actions = s.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = s.get("Resource", "*")
        resources = [resources] if isinstance(resources, str) else resources
        if s.get("Effect") == "Allow" and "*" in actions and "*" in resources:
            return True
    return False


def detect(event):
    name = event.get("eventName")
    params = event.get("requestParameters") or {}
    if event.get("errorCode"):
        return None
    if name == "GetFederationToken":
        arns = {p.get("arn") for p in params.get("policyArns", []) if isinstance(p, dict)}
        if arns & ADMIN or allows_all(params.get("policy", "{}")):
            return "federation-token-admin"
    elif name == "CreateAccessKey":
        identity = event.get("userIdentity") or {}
        target = params.get("userName") or ((event.get("responseElements") or {}).get("accessKey") or {}).get("userName")
        caller = identity.get("userName") if identity.get("type") == "IAMUser" else None
        if target and (caller is None or caller.lower() != target.lower()):
            return "access-key-for-other-user"
    elif name == "AttachUserPolicy":
        arn = params.get("policyArn", "")
        if arn.startswith(CONTAINMENT_PREFIX) or arn == "arn:aws:iam::aws:policy/AWSDenyAll":
            return "user-contained"
    return None


def files(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in os.walk(path):
                for n in sorted(names):
                    if n.endswith(".json.gz") and "CloudTrail-Digest" not in n:
                        yield os.path.join(folder, n)
        else:
            yield path


def main():
    counts = {"files": 0, "events": 0, "json_bytes": 0, "detections": 0}
    for path in files(sys.argv[1:]):
        with gzip.open(path, "rb") as f:
            data = f.read()
        counts["files"] += 1
        counts["json_bytes"] += len(data)
        for event in json.loads(data).get("Records", []):
            counts["events"] += 1
            if detect(event):
                counts["detections"] += 1
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
