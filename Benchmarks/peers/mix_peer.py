#!/usr/bin/env python3
"""The Python peer of scripts/bench: what a responder writes by hand with gzip + json, doing the checks of the
bundled rules that the benchmark mixes exercise, and credential lineage (each temporary key traced back to the
long-term key that minted it, through role chaining). Prints one JSON line: files, events, json_bytes, a count per
detection, and how many events lineage attributed to a long-term key.

  mix_peer.py PATH...
"""
import gzip
import json
import sys

# The same walk over the log tree as the reader benchmark's peer (one copy of it).
from cloudtrail_peer import files

ADMIN = {"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMFullAccess"}
CONTAINED = ("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine", "arn:aws:iam::aws:policy/AWSDenyAll")
RECON_CALLS = {"GetCallerIdentity", "GetAccountAuthorizationDetails", "GetAccountSummary", "ListUsers", "ListRoles",
               "DescribeRegions"}
TOOLS = ("trufflehog", "pacu", "cloudfox", "kali", "parrot", "pentoo")
ATTACH = {"AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"}
STS_MINT = {"AssumeRole", "GetSessionToken", "GetFederationToken"}


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
        if s.get("Effect") == "Allow" and "*" in actions:
            return True
    return False


def detect(event, who, name):
    """The detections one event fires (a list of names)."""
    hits = []
    key = who.get("accessKeyId") or ""
    if who.get("type") == "Root" and key.startswith("AKIA") and "invokedBy" not in who:
        hits.append("root-key-used")
    if name in RECON_CALLS and any(t in (event.get("userAgent") or "").lower() for t in TOOLS):
        hits.append("recon-tool")
    if event.get("errorCode"):
        return hits
    params = event.get("requestParameters") or {}
    if name == "GetFederationToken":
        if who.get("type") == "IAMUser":
            hits.append("federation-by-iam-user")
        arns = {p.get("arn") for p in params.get("policyArns", []) if isinstance(p, dict)}
        if arns & ADMIN or allows_all(params.get("policy", "{}")):
            hits.append("federation-admin")
    elif name == "GetSessionToken" and key.startswith("AKIA"):
        hits.append("session-token-long-term")
    elif name == "CreateAccessKey":
        target = params.get("userName") or ((event.get("responseElements") or {}).get("accessKey") or {}).get("userName")
        caller = who.get("userName") if who.get("type") == "IAMUser" else None
        if target and (caller is None or caller.lower() != target.lower()):
            hits.append("key-for-other-user")
    elif name in ATTACH:
        arn = params.get("policyArn", "")
        if arn in ADMIN:
            hits.append("admin-granted")
        if name == "AttachUserPolicy" and arn.startswith(CONTAINED):
            hits.append("user-contained")
    elif name == "ConsoleLogin":
        if (who.get("type") == "IAMUser" and (event.get("additionalEventData") or {}).get("MFAUsed") == "No"
                and (event.get("responseElements") or {}).get("ConsoleLogin") == "Success"):
            hits.append("console-no-mfa")
    return hits


def main():
    counts = {"files": 0, "events": 0, "json_bytes": 0, "attributed": 0}
    minted = {}  # temporary key -> the key that signed its issuance
    used = {}  # temporary key -> events it signed (resolved at the end: files need not come in time order)
    for path in files(sys.argv[1:]):
        with gzip.open(path, "rb") as f:
            data = f.read()
        counts["files"] += 1
        counts["json_bytes"] += len(data)
        for event in json.loads(data).get("Records", []):
            counts["events"] += 1
            who = event.get("userIdentity") or {}
            name = event.get("eventName")
            for hit in detect(event, who, name):
                counts[hit] = counts.get(hit, 0) + 1
            key = who.get("accessKeyId") or ""
            if key.startswith("ASIA"):
                used[key] = used.get(key, 0) + 1
            if name in STS_MINT and not event.get("errorCode"):
                new = (((event.get("responseElements") or {}).get("credentials")) or {}).get("accessKeyId")
                if new and key:
                    minted[new] = key
    for key, n in used.items():
        origin, depth = key, 0
        while origin in minted and depth < 16:
            origin, depth = minted[origin], depth + 1
        if origin.startswith("AKIA"):
            counts["attributed"] += n
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
