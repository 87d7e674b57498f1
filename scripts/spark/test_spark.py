#!/usr/bin/env python3
"""The scale-out test: the Spark job gives exactly the findings of one `trailhound scan` over the same files.

    python3 scripts/spark/test_spark.py [--binary PATH] [--quick]

Inputs: a generated multi-account corpus (`ctgen.py spark`: a cross-account role chain, a quarantine and its later
denials in other day folders and regions, a federation token used after its key was deleted, a burst of denials
split over files and delivered late, noise, a corrupt file and a digest) together with the demo logs and the
scenario fixtures; and the Invictus capture in ../shared/corpus. For each: the single-machine findings (JSON Lines),
then the Spark job with 1, 2 and 7 map partitions, with the file order shuffled, with several reduce partitions,
and with a task failed on its first attempt in each stage; every run must give the same findings (whole finding
objects: ids, counts, evidence, containment) and the same reading summary. A trailhound that fails must fail the
job with its stderr. Needs pyspark (3.5.3) and Java 17.
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


def staged_left(roots):
    """Files left where tasks stage the copies of the roots' files they read through Spark."""
    return sorted(os.path.join(d, f) for r in roots
                  for d, _, fs in os.walk(trailhound_job.local_path("file://" + r, staged=True)) for f in fs)


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
        for label, extra, ordered in runs:
            out = os.path.join(work, "out-" + re.sub(r"\W+", "-", label))
            roots = ["file://" + r for r in generated] if "file://" in label else generated
            results, discovered = task_results(sc), files_discovered(sc)
            total = trailhound_job.run(sc, job_args(binary, out, roots, *extra))
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
                left = staged_left(generated)
                check(not left, f"{label}: the tasks removed their staged copies ({len(left)} left: {left[:2]})")
            if "fail once" in label:
                with open(os.environ["TRAILHOUND_FAULT_LOG"]) as f:
                    injected = sorted(f.read().split())
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

        # A trailhound that fails fails the job, with its stderr in the error (never an empty result), and its
        # task's staged copies are removed all the same (files read through Spark, as remote files are). One task:
        # with two, the job's abort may kill the other task while it stages or runs, before it can remove its
        # copies (a task Spark kills runs no cleanup; see the README), and the check would depend on that race.
        fake = os.path.join(work, "broken-trailhound")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'trailhound: stage: disk on fire' >&2\nexit 3\n")
        os.chmod(fake, 0o755)
        try:
            trailhound_job.run(sc, job_args(fake, os.path.join(work, "out-broken"), generated, "--partitions", "1",
                                            "--read-through-spark"))
            check(False, "a failing trailhound fails the job")
        except Exception as e:  # noqa: BLE001 (Py4JJavaError or our own)
            text = str(e)
            check("disk on fire" in text and "status 3" in text, "a failing trailhound fails the job with its stderr")
        left = staged_left(generated)
        check(not left, f"a failing trailhound's tasks removed their staged copies ({len(left)} left: {left[:2]})")
    finally:
        sc.stop()
    print(f"spark test: {time.time() - started:.1f} s")
    if os.environ.get("KEEP") is None:
        shutil.rmtree(work, ignore_errors=True)
        # The copies the read-through run staged (as a task stages s3a/hdfs files).
        shutil.rmtree(os.path.join(trailhound_job.STAGING, "file"), ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("spark test: all checks passed")


if __name__ == "__main__":
    main()
