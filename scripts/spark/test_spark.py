#!/usr/bin/env python3
"""The scale-out test: the Spark job gives exactly the findings of one `trailhound scan` over the same files.

    python3 scripts/spark/test_spark.py [--binary PATH] [--quick]

Inputs: a generated multi-account corpus (`ctgen.py spark`: a cross-account role chain, a quarantine and its later
denials in other day folders and regions, a federation token used after its key was deleted, a burst of denials
split over files and delivered late, noise, a corrupt file and a digest) together with the demo logs and the
scenario fixtures; and the Invictus capture in ../shared/corpus. For each: the single-machine findings (JSON Lines),
then the Spark job with 1, 2 and 7 map partitions, with the file order shuffled, with several reduce partitions,
with a task failed on its first attempt in each stage, and with a map and a second-pass task killed mid-stage
(SIGKILL of their own Python worker after staging their copies); every run must give the same findings (whole
finding objects: ids, counts, evidence, containment) and the same reading summary. A trailhound that fails must
fail the job with its stderr. Once the application has ended, no staged copy and no task folder may remain. Staged
names of hostile object keys stay in their task folder. Needs pyspark (3.5.3) and Java 17.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import trailhound_job  # noqa: E402

FAILURES = []


def check(cond, message):
    print(("ok   " if cond else "FAIL ") + message, flush=True)
    if not cond:
        FAILURES.append(message)


def single(binary, roots):
    """Findings (as lines) and the reading summary of one `trailhound scan`."""
    done = subprocess.run([binary, "scan", *roots, "--format", "jsonl"], capture_output=True)
    if done.returncode not in (0, 2):
        raise SystemExit(f"trailhound scan failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    err = done.stderr.decode()
    files = re.search(r"files: (\d+) seen = (\d+) read \+ (\d+) partly read \+ (\d+) failed \+ (\d+) set aside", err)
    records = re.search(r"records: (\d+) found = (\d+) delivered \+ (\d+) filtered out \+ (\d+) rejected", err)
    summary = {"read": int(files[2]), "partial": int(files[3]), "failed": int(files[4]), "setAside": int(files[5]),
               "delivered": int(records[2]), "rejected": int(records[4])}
    return [line for line in done.stdout.decode().split("\n") if line], summary, err


def spark_findings(out):
    folder = os.path.join(out, "findings")
    lines = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("part-"):
            with open(os.path.join(folder, name)) as f:
                lines += [line for line in f.read().split("\n") if line]
    return lines


def compare(label, expected, summary_expected, out, total, ordered):
    got = spark_findings(out)
    if ordered:
        check(got == expected, f"{label}: {len(got)} findings, byte-identical to one machine's ({len(expected)})")
    else:
        a = {json.loads(x)["id"]: json.loads(x) for x in expected}
        b = {json.loads(x)["id"]: json.loads(x) for x in got}
        check(a == b and len(got) == len(expected),
              f"{label}: {len(got)} findings equal one machine's {len(expected)} (whole objects, by id)")
    if not (got == expected or ordered):
        pass
    if got != expected and ordered:
        ids_a = [json.loads(x)["id"] for x in expected]
        ids_b = [json.loads(x)["id"] for x in got]
        print(f"     missing {sorted(set(ids_a) - set(ids_b))[:5]} extra {sorted(set(ids_b) - set(ids_a))[:5]}")
        for x, y in zip(expected, got):
            if x != y:
                print("     first difference:\n       one machine: " + x[:600] + "\n       spark:       " + y[:600])
                break
    s = {"read": total["read"], "partial": total["partial"], "failed": total["failed"],
         "setAside": sum(total["setAside"].values()), "delivered": total["delivered"], "rejected": total["rejected"]}
    check(s == summary_expected, f"{label}: reading summary {s} equals one machine's")
    check(total["findings"] == len(expected), f"{label}: summary counts {total['findings']} findings")


def task_results(sc):
    """{(stage, attempt, task): bytes of its result sent to the driver} of every task Spark's status store still
    holds (a task's result: a value it returns to an action, a shuffle map status, its metrics)."""
    store = sc._jsc.sc().statusStore()
    stages = store.stageList(None, *(getattr(store, f"stageList$default${k}")() for k in range(2, 6)))
    out = {}
    for i in range(stages.size()):
        stage = stages.apply(i)
        tasks = store.taskList(stage.stageId(), stage.attemptId(), 1 << 20)
        for k in range(tasks.size()):
            metrics = tasks.apply(k).taskMetrics()
            if metrics.isDefined():
                out[(stage.stageId(), stage.attemptId(), tasks.apply(k).taskId())] = metrics.get().resultSize()
    return out


def files_discovered(sc):
    """Files listed by Spark's file indexes in this JVM so far (Spark's own counter)."""
    return sc._jvm.org.apache.spark.metrics.source.HiveCatalogMetrics.METRIC_FILES_DISCOVERED().getCount()


def scratch_roots(sc):
    """The block manager's local folders of this (local-mode) application: its tasks run in the driver's executor,
    whose Python workers get them as SPARK_LOCAL_DIRS. Spark deletes them when the application ends."""
    dirs = sc._jvm.org.apache.spark.SparkEnv.get().blockManager().diskBlockManager().localDirs()
    return [str(dirs[i].getPath()) for i in range(len(dirs))]


# Where tasks staged their copies before they staged them in the application's scratch folder.
OLD_STAGING = "/tmp/trailhound-spark"
TASK_FOLDER = re.compile(r"trailhound-(map|correlate|context|second|reduce)-")


def leftovers(sc=None):
    """Files a task left behind: staged copies under the old fixed folder, task folders in the temp folder (where
    tasks kept their work files before), and with `sc`, anything under the application's trailhound folders."""
    old = [os.path.join(d, f) for d, _, fs in os.walk(OLD_STAGING) for f in fs]
    tmp = sorted(os.path.join(tempfile.gettempdir(), n) for n in os.listdir(tempfile.gettempdir()) if TASK_FOLDER.match(n))
    ours = [os.path.join(d, f) for r in (scratch_roots(sc) if sc else [])
            for d, _, fs in os.walk(os.path.join(r, trailhound_job.SCRATCH)) for f in fs]
    return sorted(old + ours), tmp


def check_listing(sc, roots):
    """Spark's file index lists what the driver's walk lists (no file content read), and the packing is
    deterministic and keeps the cap (a task exceeds it by at most its last file)."""
    from pyspark.sql import SparkSession
    spark = SparkSession(sc)
    uris = trailhound_job.check_roots(sc, roots)
    driver = trailhound_job.list_files(sc, uris)
    listed = sorted((r[0], r[1]) for r in trailhound_job.listing(spark, uris, "spark").select("path", "length").collect())
    check(listed == driver, f"Spark's parallel listing gives the driver's listing ({len(listed)} files)")
    cap = 65536
    a, slots = trailhound_job.assign(trailhound_job.listing(spark, uris, "spark"), cap)
    b, again = trailhound_job.assign(trailhound_job.listing(spark, uris, "spark"), cap)
    same = sorted(map(tuple, a.select("path", "slot").collect())) == sorted(map(tuple, b.select("path", "slot").collect()))
    check(same and slots == again, f"packing by bytes is deterministic ({len(slots)} tasks of at most {cap} bytes + a file)")
    biggest = max(size for _, size in driver)
    check(len(slots) > 1 and all(size <= cap + biggest for _, _, size in slots) and sum(n for _, n, _ in slots) == len(driver),
          "every file is in one task, no task holds more than the cap and one file")
    a.unpersist()
    b.unpersist()
    # No content is read while listing and packing: a 3 GB (sparse) file, which Spark could not read into one
    # binaryFile row (more than 2 GB), lists and packs.
    big = tempfile.mkdtemp(prefix="trailhound-spark-big-")
    try:
        name = os.path.join(big, "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24",
                            "111122223333_CloudTrail_us-east-1_20261124T0100Z_big.json.gz")
        os.makedirs(os.path.dirname(name))
        with open(name, "wb") as f:
            f.truncate(3 << 30)
        try:
            a, slots = trailhound_job.assign(trailhound_job.listing(spark, [trailhound_job.uri_of(big)], "spark"), cap)
            a.unpersist()
            check(slots == [(0, 1, 3 << 30)], f"a 3 GB file is listed and packed without reading it ({slots})")
        except Exception as e:  # noqa: BLE001
            check(False, f"a 3 GB file is listed and packed without reading it ({str(e)[:300]})")
    finally:
        shutil.rmtree(big, ignore_errors=True)


def check_staged_names():
    """Staged names come from object keys (attacker-influenced): each stays inside the task folder whatever its
    segments, is one line of the task's file list, distinct URIs get distinct names, and every name is named back as
    its URI (as a whole JSON string only). The old `/tmp/trailhound-spark/s3a/` + key put `s3a://b/../../../../x` at
    /x, and a key with a line feed named another file in the list."""
    uris = ["s3a://org-trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/24/a.json.gz",
            "s3a://org-trail/AWSLogs/../../../../../../../etc/cron.d/x.json.gz", "s3a://org-trail/%2E%2E/x.json.gz",
            "s3a://org-trail/./a//b/%/y.json.gz", "s3a:///etc/passwd", "s3a://org-trail/..", "s3a://b/a%2Fb",
            "s3a://org-trail/AWSLogs/x.json.gz\n/etc/shadow", "s3a://org-trail/AWSLogs/%0A",
            "hdfs://namenode:8020/logs/z.json.gz", "file:///var/log/../../etc/shadow", "file:/srv/logs/w.json.gz"]
    outer = tempfile.mkdtemp(prefix="trailhound-spark-names-")
    try:
        work = os.path.join(outer, "task")
        os.mkdir(work)
        names = [trailhound_job.staged_name(u) for u in uris]
        back = [trailhound_job.local_path(u) if u.startswith("file:") else u for u in uris]
        inside = all(not n.startswith("/") and os.path.normpath(os.path.join(work, n)).startswith(
            os.path.join(work, trailhound_job.STAGED_DIR) + os.sep) for n in names)
        check(inside and len(set(names)) == len(uris),
              f"staged names stay in the task folder and are distinct ({len(set(names))} for {len(uris)} URIs)")
        plain = [trailhound_job.unstage(n, quoted=False) for n in names]
        quoted = [json.loads(trailhound_job.unstage(json.dumps({"file": n})))["file"] for n in names]
        embedded = json.dumps({"title": "a " + names[0]})
        check(plain == back and quoted == back and trailhound_job.unstage(embedded) == embedded,
              "staged names are named back as their URIs (a plain path, a whole JSON string; not inside a string)")
        entries = [(u, u.encode()) for u in uris]
        files, staged = trailhound_job.staged_files(entries, work)
        written = sorted(os.path.join(d, f) for d, _, fs in os.walk(outer) for f in fs)
        with open(files) as f:
            listed = f.read().split("\n")[:-1]
        check(staged == len(entries) and len(written) == staged + 1 and all(w.startswith(work + os.sep) for w in written)
              and listed == names
              and all(open(os.path.join(work, trailhound_job.staged_name(u)), "rb").read() == c for u, c in entries),
              f"hostile object keys are staged inside the task folder ({staged} files, each with its own content)")
    finally:
        shutil.rmtree(outer, ignore_errors=True)


def job_args(binary, out, roots, *extra):
    return trailhound_job.parse_args(["--binary", binary, "--output", out, *extra, *roots])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=os.environ.get("TRAILHOUND_BIN", os.path.join(ROOT, ".build/debug/trailhound")))
    p.add_argument("--quick", action="store_true", help="only the generated corpus with 2 partitions")
    a = p.parse_args()
    binary = os.path.abspath(a.binary)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import SparkConf, SparkContext

    _, tmp_before = leftovers()
    check_staged_names()
    work = tempfile.mkdtemp(prefix="trailhound-spark-test-")
    corpus = os.path.join(work, "corpus")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts/ctgen.py"), "spark", corpus], check=True,
                   stdout=subprocess.DEVNULL)
    generated = [corpus, os.path.join(ROOT, "Fixtures/logs"), os.path.join(ROOT, "Fixtures/scenarios")]
    # Real paths: evidence names files by the path walked, and Spark lists them resolved.
    invictus = os.path.realpath(os.path.join(ROOT, "..", "shared", "corpus", "invictus-ir-aws_dataset"))
    generated = [os.path.realpath(p) for p in generated]

    os.environ["TRAILHOUND_FAULT_LOG"] = os.path.join(work, "faults.log")
    # local[2, 2]: two executor threads, a failed task retried once (as a cluster would).
    # A parallel-listing threshold of 2: every folder with more than two sub-folders is listed by a Spark job on the
    # executors, as an organisation trail's AWSLogs/ (hundreds of accounts) is with the default 32.
    sc = SparkContext(conf=SparkConf().setMaster("local[2,2]").setAppName("trailhound-test")
                      .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                      .set("spark.sql.sources.parallelPartitionDiscovery.threshold", "2"))
    sc.setLogLevel("ERROR")
    started = time.time()
    killed, scratch = [], scratch_roots(sc)
    try:
        expected, summary, err = single(binary, generated)
        rules = {json.loads(x)["rule"]["file"].split("/")[-1].removesuffix(".yml") for x in expected}
        # The corpus must exercise what crosses partitions, or equality proves little.
        for rule in ("user_activity_after_containment_denied", "credential_access_denied_burst",
                     "federated_session_after_parent_contained"):
            check(rule in rules, f"one machine finds {rule} on the generated corpus")
        burst = [f for f in map(json.loads, expected) if f["rule"]["file"].endswith("/credential_access_denied_burst.yml")]
        check(any(len({e["file"] for e in f["evidence"]}) > 2 for f in burst),
              "a denied burst's evidence is spread over more than two files")
        check(any(f.get("actor", {}).get("originAccount") for f in map(json.loads, expected)),
              "a finding's actor comes from another account through a role chain")
        check(summary["failed"] + summary["partial"] >= 1 and summary["setAside"] >= 1,
              "the corpus has a corrupt file and a set-aside file")
        check_listing(sc, generated)
        runs = [("generated, 2 partitions", ["--partitions", "2"], True)]
        # A task Spark kills runs no cleanup: two tasks (a map, a second pass) SIGKILL their Python worker on their
        # first attempt after staging their copies; the retries give the same findings, and once the application
        # has ended no copy and no task folder remains (checked after sc.stop() below).
        killed_run = ("generated, 2 partitions, read through Spark, a map and a second task killed once mid-stage",
                      ["--partitions", "2", "--read-through-spark", "--kill-once", "map:1,second:0"], True)
        if not a.quick:
            runs += [
                ("generated, 1 partition", ["--partitions", "1"], True),
                ("generated, 7 partitions", ["--partitions", "7"], True),
                ("generated, 7 partitions, files shuffled", ["--partitions", "7", "--shuffle-seed", "11"], True),
                ("generated, packed by 64 KB, shuffled, 3 reduce partitions",
                 ["--max-task-bytes", "65536", "--shuffle-seed", "5", "--reduce-partitions", "3"], False),
            ]
            runs += [
                ("generated, 4 partitions, 1 correlate partition, driver listing",
                 ["--partitions", "4", "--correlate-partitions", "1", "--listing", "driver"], True),
                ("generated, file:// URIs, packed by 256 KB, 5 correlate partitions",
                 ["--max-task-bytes", "262144", "--correlate-partitions", "5"], True),
                ("generated, 3 partitions, read through Spark and staged as s3a/hdfs files are",
                 ["--partitions", "3", "--read-through-spark"], True),
            ]
            runs.append(("generated, 3 partitions, a map, a correlate, the context, a second and a reduce task each "
                         "fail once", ["--partitions", "3", "--fail-once", "map:1,correlate:1,context:0,second:2,reduce:0"],
                         True))
        runs.append(killed_run)
        for label, extra, ordered in runs:
            out = os.path.join(work, "out-" + re.sub(r"\W+", "-", label))
            roots = ["file://" + r for r in generated] if "file://" in label else generated
            results, discovered = task_results(sc), files_discovered(sc)
            began = time.time()
            total = trailhound_job.run(sc, job_args(binary, out, roots, *extra))
            print(f"     {label}: the job took {time.time() - began:.1f} s")
            compare(label, expected, summary, out, total, ordered)
            if label == "generated, 2 partitions":
                # The global parts (issuances, trigger events) and the outcomes go from the map and correlate tasks
                # to the context task and from there to the second and reduce tasks, never through the driver:
                # no task sends the driver a result as big as an average map task's global part (the old job,
                # which collected them for a `stage context` on the driver, received one per map task).
                new = {k: v for k, v in task_results(sc).items() if k not in results}
                part = total["globalBytes"] // total["tasks"]
                check(part > 32768 and new and max(new.values()) < part,
                      f"{label}: the driver gets no global part: the biggest of {len(new)} task results is "
                      f"{max(new.values(), default=0)} bytes, a map task's global part {part} bytes on average")
            if "read through" in label:
                check(total["bad"] and all(b["path"] in err for b in total["bad"]),
                      f"{label}: the summary names bad files by their own paths, not the staged copies")
                listed = files_discovered(sc) - discovered
                check(listed == total["listed"], f"{label}: the roots are listed once ({listed} files listed for "
                      f"{total['listed']} files), the content read from the same file index")
            if "read through" in label and "killed" not in label:
                left, _ = leftovers(sc)
                check(not left, f"{label}: the tasks removed their staged copies and work files at stage end "
                      f"({len(left)} left: {left[:2]})")
            if "killed" in label:
                with open(os.environ["TRAILHOUND_FAULT_LOG"]) as f:
                    killed = [line.split(" ", 3)[1:] for line in f.read().split("\n") if line.startswith("killed ")]
                check(sorted(k[0] for k in killed) == ["map:1", "second:0"],
                      f"{label}: the Python workers of map:1 and second:0 were killed ({[k[0] for k in killed]})")
                # The kills are real: each attempt left its folder with its staged copies (no finally ran), and
                # they are all that is left (every other task removed its folder at stage end).
                copies = [sum(len(fs) for _, _, fs in os.walk(os.path.join(w, trailhound_job.STAGED_DIR)))
                          for *_, w in killed]
                staged = [int(n) for _, n, _ in killed]
                left, _ = leftovers(sc)
                inside = all(any(p.startswith(w + os.sep) for *_, w in killed) for p in left)
                check(copies == staged and min(staged, default=0) > 0 and inside,
                      f"{label}: the killed attempts left their folders behind while the application runs, with "
                      f"their staged copies ({copies} of {staged}), and nothing else is left ({len(left)} files)")
            if "fail once" in label:
                with open(os.environ["TRAILHOUND_FAULT_LOG"]) as f:
                    injected = sorted(x for x in f.read().split("\n") if x and not x.startswith("killed "))
                check(injected == ["context:0", "correlate:1", "map:1", "reduce:0", "second:2"],
                      f"{label}: the faults were injected ({injected}) and the retries changed nothing")
        if not a.quick:
            # OCSF on request: the same Detection Findings as one machine's --format ocsf.
            ocsf = subprocess.run([binary, "scan", *generated, "--format", "ocsf"], capture_output=True).stdout.decode()
            out = os.path.join(work, "out-ocsf")
            trailhound_job.run(sc, job_args(binary, out, generated, "--partitions", "3", "--format", "ocsf"))
            check(spark_findings(out) == [x for x in ocsf.split("\n") if x],
                  "generated, 3 partitions, --format ocsf: byte-identical to one machine's OCSF")
        for b in total["bad"]:
            check(b["path"] in err, f"bad file {os.path.basename(b['path'])} is named by one machine too")

        if os.path.isdir(invictus) and not a.quick:
            expected_i, summary_i, _ = single(binary, [invictus])
            for label, extra in (("invictus, 2 partitions", ["--partitions", "2"]),
                                 ("invictus, 7 partitions, shuffled", ["--partitions", "7", "--shuffle-seed", "3"])):
                out = os.path.join(work, "out-" + re.sub(r"\W+", "-", label))
                total = trailhound_job.run(sc, job_args(binary, out, [invictus], *extra))
                compare(label, expected_i, summary_i, out, total, True)

        if not a.quick:
            # The local entry point (spark-submit, local[2] run as local[2,4]): DIR/findings.jsonl and the summary.
            out = os.path.join(work, "out-spark-scan")
            env = dict(os.environ, TRAILHOUND_BIN=binary)
            done = subprocess.run([os.path.join(ROOT, "scripts/spark-scan"), "--master", "local[2]", "--output", out,
                                   "--partitions", "4", *generated], capture_output=True, env=env)
            with open(os.path.join(out, "findings.jsonl")) if done.returncode == 0 else open(os.devnull) as f:
                got = [x for x in f.read().split("\n") if x]
            check(done.returncode == 0 and got == expected,
                  f"scripts/spark-scan writes DIR/findings.jsonl, byte-identical to one machine's ({len(got)} findings)")
            err_text = done.stdout.decode() + done.stderr.decode()  # spark-submit gives the driver's stderr to stdout
            check("trailhound-spark: files:" in err_text and "trailhound-spark: records:" in err_text,
                  "scripts/spark-scan prints the summary")
            if done.returncode != 0:
                print(err_text[-3000:])

        # A trailhound that fails fails the job, with its stderr in the error (never an empty result). Two tasks:
        # the failing one removes its folder; the job's abort may kill the other while it stages or runs, which
        # then leaves its folder, with its staged copies, to the end of the application (checked below).
        fake = os.path.join(work, "broken-trailhound")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'trailhound: stage: disk on fire' >&2\nexit 3\n")
        os.chmod(fake, 0o755)
        try:
            trailhound_job.run(sc, job_args(fake, os.path.join(work, "out-broken"), generated, "--partitions", "2",
                                            "--read-through-spark"))
            check(False, "a failing trailhound fails the job")
        except Exception as e:  # noqa: BLE001 (Py4JJavaError or our own)
            text = str(e)
            check("disk on fire" in text and "status 3" in text, "a failing trailhound fails the job with its stderr")
        left, _ = leftovers(sc)
        left = {os.path.join(r, *os.path.relpath(p, r).split(os.sep)[:2]) for p in left for r in scratch
                if p.startswith(r + os.sep)} - {w for *_, w in killed}
        print(f"     the failing run left {len(left)} task folder(s) to the end of the application: {sorted(left)}")
    finally:
        sc.stop()
    # The application has ended: no staged copy and no task folder of any run remains, neither where tasks work
    # (the application's scratch folders, which Spark deletes) nor in the temp folder or the old staging folder,
    # the killed attempts' included.
    left, tmp = leftovers()
    tmp = [t for t in tmp if t not in tmp_before]
    kept = [r for r in scratch if os.path.exists(r)] + [w for *_, w in killed if os.path.exists(w)]
    check(not left and not tmp and not kept and killed,
          f"once the application ended, nothing remains: {len(left)} staged copies, {len(tmp)} task folders in "
          f"{tempfile.gettempdir()}, {len(kept)} scratch or killed-task folders ({(left + tmp + kept)[:3]})")
    print(f"spark test: {time.time() - started:.1f} s")
    if os.environ.get("KEEP") is None:
        shutil.rmtree(work, ignore_errors=True)
    for path in tmp + ([os.path.join(OLD_STAGING, "file")] if left else []):  # what a failing run left
        shutil.rmtree(path, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("spark test: all checks passed")


if __name__ == "__main__":
    main()
