"""Fixtures/logs: the story's events in files with background noise around them, the digests, the manifest
and the README."""

import datetime as dt
import hashlib
import json
import os

from .basics import A1, A2, ORG_ID, alnum, at, delivery, dumps, gz, hexs, iso, name_stamp, rng_for
from .demo import DAYS, Scenario
from .demo_story import build_scenario
from .layout import acct_prefix, write
from .noise import stream_for
from .world import World


FIX_REGIONS = ("us-east-1", "eu-west-1", "us-west-2")


TRAILS = {A1: ("management-events", f"example-cloudtrail-{A1}"),
          A2: ("org-trail", f"example-org-cloudtrail-{A2}")}


class LogFile:
    def __init__(self, acct, region, deliver, wstart, wend, records, kind="normal"):
        self.acct, self.region, self.deliver, self.wstart, self.wend = acct, region, deliver, wstart, wend
        self.records, self.kind = records, kind
        self.rel = None
        self.data = None


# explicit noise-only files: (acct, region, window start, window end, delivered, kind)
SPECIAL_FILES = [
    (A1, "us-west-2", at(DAYS[1], "07:05:00"), at(DAYS[1], "07:12:30"), at(DAYS[1], "18:42:00"), "late-by-hours"),
    (A1, "us-west-2", at(DAYS[1], "18:22:00"), at(DAYS[1], "18:29:00"), at(DAYS[1], "18:31:00"), "normal"),
]


def story_clusters(items):
    """Story items of one account/region/day -> runs that go into one file (same lane, within 9 minutes)."""
    clusters = []
    for it in sorted(items, key=lambda x: (x["lane"], x["t"])):
        c = clusters[-1] if clusters else None
        if c and c[0]["lane"] == it["lane"] and (it["t"] - c[0]["t"]).total_seconds() <= 540:
            c.append(it)
        else:
            clusters.append([it])
    return clusters


def story_file(r, acct, region, c):
    first, last = c[0]["t"], c[-1]["t"]
    delay = c[0]["delay"] or r.randint(180, 330)
    deliver = (last + dt.timedelta(seconds=delay)).replace(second=0)
    wstart = first - dt.timedelta(seconds=r.randint(30, 150))
    wend = min(last + dt.timedelta(seconds=r.randint(20, 90)), deliver - dt.timedelta(seconds=30))
    return LogFile(acct, region, deliver, wstart, wend, [x["rec"] for x in c], "late" if c[0]["delay"] else "story")


def fill_files(r, files):
    """Background noise in each file's window, then the file names and bytes."""
    for f in files:
        st = stream_for(f.acct, f.region, quiet=True)
        n_story = len(f.records)
        n = max(3 - n_story, min(40 - n_story, r.choice([2, 3, 4, 5, 6, 8, 9, 11, 13, 16, 19, 24, 30, 36])))
        span = max(1, int((f.wend - f.wstart).total_seconds()))
        noise = [json.loads(s) for s in st.render(r, f.wstart, span, n)]
        recs = f.records + noise
        recs.sort(key=lambda d: d["eventTime"])  # stable: story order kept for equal times
        f.records = recs
    for f in files:
        suffix = alnum(r, 16)
        f.rel = "/".join((acct_prefix(f.acct), "CloudTrail", f.region, f.deliver.strftime("%Y/%m/%d"),
                          f"{f.acct}_CloudTrail_{f.region}_{name_stamp(f.deliver)}_{suffix}.json.gz"))
        f.data = delivery([dumps(x) for x in f.records])


def build_log_files(sc: Scenario):
    r = rng_for("fixtures", "files")
    files = []
    groups = {}
    for it in sc.items:
        if it["part"] == 0:
            groups.setdefault((it["acct"], it["region"], it["t"].date()), []).append(it)
    for acct in (A1, A2):
        for region in FIX_REGIONS:
            for day in DAYS:
                day_files = [story_file(r, acct, region, c)
                             for c in story_clusters(groups.get((acct, region, day.date()), []))]
                for (sa, sr, ws, we, dl, kind) in SPECIAL_FILES:
                    if sa == acct and sr == region and ws.date() == day.date():
                        day_files.append(LogFile(acct, region, dl, ws, we, [], kind))
                want = r.randint(2, 4)
                tries = 0
                while len(day_files) < want and tries < 100:
                    tries += 1
                    ws = day.replace(hour=r.randint(0, 22), minute=r.randint(0, 59), second=r.randint(0, 59))
                    we = ws + dt.timedelta(seconds=r.randint(240, 420))
                    dl = (we + dt.timedelta(seconds=r.randint(60, 300))).replace(second=0)
                    if dl.date() != day.date():
                        continue
                    if any(abs((f.wstart - ws).total_seconds()) < 3600 for f in day_files):
                        continue
                    day_files.append(LogFile(acct, region, dl, ws, we, []))
                files.extend(day_files)
    fill_files(r, files)
    # Story events added later (part 1) go into files of their own, built with their own generator, so every
    # file above keeps its bytes.
    r1 = rng_for("fixtures", "files", "part1")
    groups1 = {}
    for it in sc.items:
        if it["part"] == 1:
            groups1.setdefault((it["acct"], it["region"], it["t"].date()), []).append(it)
    added = [story_file(r1, acct, region, c) for (acct, region, _), its in sorted(groups1.items())
             for c in story_clusters(its)]
    fill_files(r1, added)
    for f in added:
        same = [g for g in files if g.acct == f.acct and g.region == f.region]
        assert not any(g.wstart < f.wend and f.wstart < g.wend for g in same), f"{f.rel} overlaps another file"
        assert not any(name_stamp(g.deliver) == name_stamp(f.deliver) for g in same), f"{f.rel} same minute"
    return files + added


def reader_order(files):
    return sorted(files, key=lambda f: (f.rel.rsplit("_", 2)[1], f.rel.encode()))


def build_digests(files):
    r = rng_for("fixtures", "digests")
    out = []
    for acct, region, end in ((A1, "us-east-1", at(DAYS[0], "09:40:17")),
                              (A2, "us-east-1", at(DAYS[2], "10:52:44"))):
        trail, bucket = TRAILS[acct]
        start = end - dt.timedelta(hours=1)
        inc = [f for f in files if f.acct == acct and f.region == region and start <= f.deliver < end]
        inc.sort(key=lambda f: f.deliver)

        def obj(e):
            return "/".join((acct_prefix(acct), "CloudTrail-Digest", region, e.strftime("%Y/%m/%d"),
                             f"{acct}_CloudTrail-Digest_{region}_{trail}_{region}_{e.strftime('%Y%m%dT%H%M%SZ')}.json.gz"))
        times = [x["eventTime"] for f in inc for x in f.records]
        d = {"awsAccountId": acct, "digestStartTime": iso(start), "digestEndTime": iso(end), "digestS3Bucket": bucket,
             "digestS3Object": obj(end), "digestPublicKeyFingerprint": hexs(r, 32),
             "digestSignatureAlgorithm": "SHA256withRSA"}
        if times:
            d["newestEventTime"], d["oldestEventTime"] = max(times), min(times)
        d.update({"previousDigestS3Bucket": bucket, "previousDigestS3Object": obj(start),
                  "previousDigestHashValue": hexs(r, 64), "previousDigestHashAlgorithm": "SHA-256",
                  "previousDigestSignature": hexs(r, 512),
                  "logFiles": [{"s3Bucket": bucket, "s3Object": f.rel, "hashValue": hashlib.sha256(f.data).hexdigest(),
                                "hashAlgorithm": "SHA-256",
                                "newestEventTime": max(x["eventTime"] for x in f.records),
                                "oldestEventTime": min(x["eventTime"] for x in f.records)} for f in inc]})
        out.append((obj(end), dumps(d).encode()))
    return out


def write_logs(root):
    W1, W2 = World(A1), World(A2)
    sc = build_scenario(W1, W2)
    files = build_log_files(sc)
    for f in files:
        write(os.path.join(root, f.rel), gz(f.data))
    digests = build_digests(files)
    for rel, data in digests:
        write(os.path.join(root, rel), gz(data))
    lines = ["path\trecord_index\teventID\teventTime"]
    for f in reader_order(files):
        for i, x in enumerate(f.records):
            lines.append(f"{f.rel}\t{i}\t{x['eventID']}\t{x['eventTime']}")
    write(os.path.join(root, "manifest.tsv"), ("\n".join(lines) + "\n").encode())
    write(os.path.join(root, "digests.txt"), ("\n".join(rel for rel, _ in digests) + "\n").encode())
    write(os.path.join(root, "README.md"), logs_readme(files, sc).encode())
    return files, digests


def logs_readme(files, sc):
    order = reader_order(files)
    by_id = {}
    for f in order:
        for i, x in enumerate(f.records):
            by_id[x["eventID"]] = (f, i)
    rows = []
    for it in sc.items:
        x = it["rec"]
        f, i = by_id[x["eventID"]]
        ui = x["userIdentity"]
        what = x["eventName"] + (f" ({x['errorCode']})" if "errorCode" in x else "")
        rows.append(f"| {x['eventTime']} | {x['recipientAccountId']} | {x['awsRegion']} | {ui['type']} | {what} | "
                    f"`{f.rel.rsplit('/', 1)[1]}` #{i} |")
    late = [f for f in order if f.kind in ("late", "late-by-hours")]
    n = sum(len(f.records) for f in files)
    return "\n".join([
        "# Demo CloudTrail tree",
        "",
        "Generated by `scripts/ctgen.py fixtures Fixtures` (deterministic; do not edit by hand).",
        "",
        f"{len(files)} log files, {n} records, 2 digest files. Accounts: `{A1}` (account trail, "
        f"`AWSLogs/{A1}/...`) and `{A2}` (organization trail, `AWSLogs/{ORG_ID}/{A2}/...`); regions "
        "us-east-1, eu-west-1, us-west-2; 2026-11-20..22. Every other record is background noise "
        "(service-linked roles, instance and Lambda roles, AWS services, people at work). The noise has no access "
        "denials, no IAM writes, no console logins, no federation or session tokens and no AssumeRole by people "
        "(only by AWS services); its only errors are benign `NoSuchBucketPolicy`/`NoSuchTagSet`. Every "
        "security-relevant event is a story event listed below.",
        "",
        "- `manifest.tsv`: every record (digests excluded) in reader order: files sorted by the `YYYYMMDDTHHMMZ` "
        "in the name, ties by the relative path (bytewise), records in file order; `record_index` is 0-based.",
        "- `digests.txt`: the `CloudTrail-Digest` files (integrity data, not events). Their `hashValue`s are "
        "SHA-256 of the uncompressed log files they list, so they can be checked; signatures are fake.",
        "",
        "Late delivery: " + "; ".join(
            f"`{f.rel.rsplit('/', 1)[1]}` holds events from {min(x['eventTime'] for x in f.records)} to "
            f"{max(x['eventTime'] for x in f.records)}" for f in late) + ".",
        "",
        "## Story events",
        "",
        "| eventTime | account | region | identity type | event | file #index |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "### The quarantine thread (2026-11-21, `111122223333`, us-east-1)",
        "",
        "The leaked key is build-bot's. Its own `CreateUser` is refused at 03:14:20 (the story assumes build-bot "
        "carries a guardrail that denies IAM writes signed with its long-term key), so the attacker mints the "
        "federation token `maint` and, since CLI calls with federation credentials cannot reach IAM, turns it into "
        "a console session: `GetSigninToken` (03:25:30) and `ConsoleLogin` (03:25:58) as "
        f"`arn:aws:sts::{A1}:federated-user/maint`, then `ListUsers`, `CreateUser` `support-admin` and "
        "`CreateAccessKey` for `support-admin` from the console (`sessionCredentialFromConsole`).",
        "",
        "At 03:38:52 AWS attaches `arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3` to build-bot. Which "
        "principal AWS uses for that call is not documented: the record's identity (`AWSService`, `invokedBy`, "
        "`sourceIPAddress` and `userAgent` all `AWS Internal`) is our stand-in, not a captured record. After it, "
        "build-bot's key is refused a second federation token (`GetFederationToken`, explicit deny: V2 and V3 deny "
        "`sts:GetFederationToken`) but still reads a secret (`GetSecretValue`: Secrets Manager is in no quarantine "
        "version; a management event, unlike `s3:PutObject`). At 08:31:16 alice detaches the quarantine policy "
        "again with her access key, and build-bot is not contained until 2026-11-22 09:12:30. The `GetSigninToken` "
        "record's `responseElements`/`additionalEventData`, and the console session calling with an `ASIA` key id "
        "other than the token's, are our best guess (no captured record at hand), not a documented shape.",
        "",
        "These events (and the three files that hold them) come from a generator of their own "
        "(`part=1` in `scripts/ctgen.py`), so every file and eventID of the rest of the tree is unchanged.",
        "",
    ])
