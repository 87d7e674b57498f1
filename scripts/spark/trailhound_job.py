"""trailhound on Spark: the same findings as one `trailhound scan`, computed by a map/reduce over many executors.

Started by spark-submit (or scripts/spark-scan for a local run). The driver lists the log files through Spark's
Hadoop FileSystem (local paths, s3a://, hdfs://), packs them into tasks (by account, region and day from the path,
capped in bytes), and runs four stages, each a `trailhound stage` subprocess on the executor:

  1. map      per task: the first pass over its files -> a global part (issuances, trigger events, correlation
              matches: small) and a local part (partial findings, key fingerprints), plus a reading summary.
  2. context  once, on the driver, over the global parts (collected: they are small) -> lineage, windows, absence
              findings and correlation outcomes, broadcast to every executor.
  3. second   per task again, with the context: the second pass and the correlation evidence its files hold.
  4. reduce   partials shuffled by finding id (first 8 hex digits mod R) -> merged and rendered, one part file per
              reduce partition.

This program only lists, packs, ships the binary and moves bytes; every decision is trailhound's. A trailhound that
exits non-zero fails its task with its stderr in the error (and Spark retries it); outputs are written whole under
deterministic names, so a retried or speculative task changes nothing.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

EXCHANGE_HEADER = json.dumps(
    {"header": {"format": "trailhound-exchange", "stage": "partials", "version": 1}, "kind": "header"},
    sort_keys=True,
)
# account, region, YYYY/MM/DD of the S3 layout (AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/).
LAYOUT = re.compile(r"AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/")
STAGING = "/tmp/trailhound-spark"


class TrailhoundFailed(RuntimeError):
    """A trailhound stage exited non-zero: its command, status and stderr."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--output", required=True, help="output folder URI (findings/ part files and summary.json)")
    p.add_argument("--binary", required=True, help="the trailhound binary (a driver path, shipped with addFile, "
                   "or the name of a file shipped with --files)")
    p.add_argument("--rules-home", help="the bundled rules folder to ship (default: what the binary finds itself)")
    p.add_argument("--rules", action="append", default=[], help="extra Sigma rules folder to ship (repeatable)")
    p.add_argument("--max-task-bytes", type=int, default=256 << 20, help="cap on log bytes per task")
    p.add_argument("--partitions", type=int, help="exactly this many map tasks (by bytes), instead of the cap")
    p.add_argument("--reduce-partitions", type=int, default=1,
                   help="reduce tasks (1: one part file, ordered exactly as `trailhound scan` orders findings)")
    p.add_argument("--format", choices=["jsonl", "ocsf"], default="jsonl")
    p.add_argument("--shuffle-seed", type=int, help="shuffle the file order before packing (tests: order-independence)")
    p.add_argument("--threads", type=int, default=1, help="trailhound threads per task (Spark's cores do the rest)")
    p.add_argument("--fail-once", default=None, help="tests: STAGE:PARTITION[,...] fails on its first attempt, "
                   "after its work (default: the conf spark.trailhound.failOnce)")
    p.add_argument("--single-file", action="store_true",
                   help="with a local --output, also concatenate the part files into OUTPUT/findings.jsonl")
    p.add_argument("logs", nargs="+", help="log folders or files (local paths, s3a://, hdfs://)")
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------------------------------- driver


def list_files(sc, roots):
    """(uri, size) of every file under the roots, through the Hadoop FileSystem of each root's scheme."""
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    out = []
    for root in roots:
        if "://" not in root and not root.startswith("file:"):
            root = "file://" + os.path.abspath(root)
        path = jvm.org.apache.hadoop.fs.Path(root)
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            raise SystemExit(f"spark-scan: {root}: no such file or folder")
        it = fs.listFiles(path, True)
        while it.hasNext():
            status = it.next()
            out.append((status.getPath().toString(), status.getLen()))
    return sorted(set(out))


def local_path(uri):
    """The path trailhound reads: a local file as is, anything else where the task stages it (deterministic)."""
    if uri.startswith("file:"):
        rest = uri[len("file:"):]
        while rest.startswith("//"):
            rest = rest[1:]
        return rest
    scheme, rest = uri.split("://", 1)
    return f"{STAGING}/{scheme}/{rest}"


def pack(files, max_bytes, partitions=None, seed=None):
    """Tasks of files: grouped by account, region and day (from the path), packed by bytes. With `partitions`,
    exactly that many tasks by cumulative bytes; with `seed`, the file order is shuffled first."""
    def key(f):
        m = LAYOUT.search(f[0])
        return (m.groups() if m else ("", "", "", "", "")) + (f[0],)
    files = sorted(files, key=key)
    if seed is not None:
        random.Random(seed).shuffle(files)
    tasks = []
    if partitions:
        total = sum(max(s, 1) for _, s in files) or 1
        tasks = [[] for _ in range(partitions)]
        before = 0
        for f in files:
            tasks[min(partitions - 1, before * partitions // total)].append(f[0])
            before += max(f[1], 1)
        return [t for t in tasks if t]
    current, size, group = [], 0, None
    for f in files:
        g = key(f)[:5]
        if current and (size + f[1] > max_bytes):
            tasks.append(current)
            current, size = [], 0
        current.append(f[0])
        size += f[1]
        group = g
    if current:
        tasks.append(current)
    return tasks


def write_text(sc, uri, text):
    """Writes a small text file through the Hadoop FileSystem (replacing it)."""
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    stream.write(bytearray(text.encode("utf-8")))
    stream.close()


def delete(sc, uri):
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
    if fs.exists(path):
        fs.delete(path, True)


# -------------------------------------------------------------------------------------------------------- executor


class Tool:
    """How a task runs trailhound: the binary and rules shipped with SparkFiles, or paths that exist as given."""

    def __init__(self, binary, rules_home, rules, threads, fail_once):
        self.binary, self.rules_home, self.rules = binary, rules_home, rules
        self.threads, self.fail_once = threads, fail_once

    @staticmethod
    def _resolve(name):
        from pyspark import SparkFiles
        shipped = SparkFiles.get(os.path.basename(name.rstrip("/")))
        return shipped if os.path.exists(shipped) else os.path.abspath(name)

    def command(self, *args):
        binary = self._resolve(self.binary)
        if not os.access(binary, os.X_OK):
            os.chmod(binary, 0o755)
        cmd = [binary, "stage", *args]
        if self.rules_home:
            cmd += ["--rules-home", self._resolve(self.rules_home)]
        for r in self.rules:
            cmd += ["--rules", self._resolve(r)]
        return cmd

    def run(self, *args, threads=True):
        cmd = self.command(*args) + (["--threads", str(self.threads)] if threads else [])
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise TrailhoundFailed(
                f"trailhound exited with status {done.returncode}: {' '.join(cmd[1:4])}...\n"
                + done.stderr.decode("utf-8", "replace")[-4000:])
        return done.stdout

    def maybe_fail(self, stage):
        """Fault injection (tests): fail this stage's partition on its first attempt, after its work was done."""
        from pyspark import TaskContext
        ctx = TaskContext.get()
        wanted = self.fail_once.split(",") if self.fail_once else []
        if ctx and f"{stage}:{ctx.partitionId()}" in wanted and ctx.attemptNumber() == 0:
            if os.environ.get("TRAILHOUND_FAULT_LOG"):
                with open(os.environ["TRAILHOUND_FAULT_LOG"], "a") as f:
                    f.write(f"{stage}:{ctx.partitionId()}\n")
            raise RuntimeError(f"injected fault: {stage} partition {ctx.partitionId()}, attempt 0")


def stage_files(entries, workdir):
    """The local paths of a task's files: local ones as they are, others written where `local_path` says."""
    paths = []
    for uri, content in entries:
        path = local_path(uri)
        if content is not None:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = path + ".part"
            with open(tmp, "wb") as f:
                f.write(content)
            os.replace(tmp, path)
        paths.append(path)
    list_file = os.path.join(workdir, "files.txt")
    with open(list_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    return list_file


def run_map(tool, index, entries):
    with tempfile.TemporaryDirectory(prefix="trailhound-map-") as work:
        files = stage_files(entries, work)
        g, l, s = (os.path.join(work, n) for n in ("global.jsonl", "local.jsonl", "summary.json"))
        tool.run("map", "--files-from", files, "--global", g, "--local", l, "--summary", s)
        result = (index, open(g, "rb").read(), open(l, "rb").read(), open(s, "rb").read())
    tool.maybe_fail("map")
    return result


def run_second(tool, context, index, entries, local):
    with tempfile.TemporaryDirectory(prefix="trailhound-second-") as work:
        files = stage_files(entries, work)
        c, l, o = (os.path.join(work, n) for n in ("context.jsonl", "local.jsonl", "partials.jsonl"))
        with open(c, "wb") as f:
            f.write(context)
        with open(l, "wb") as f:
            f.write(local)
        tool.run("second", "--context", c, "--local", l, "--out", o, "--files-from", files)
        partials = open(o, "rb").read()
    tool.maybe_fail("second")
    return partials


def builder_lines(blob):
    """(finding id, line) of each partial finding in an exchange file."""
    for line in blob.split(b"\n"):
        if line.startswith(b'{"builder"'):
            yield json.loads(line)["builder"]["record"]["id"], line


def run_reduce(tool, context, part, parts, fmt, lines):
    with tempfile.TemporaryDirectory(prefix="trailhound-reduce-") as work:
        c, p, o = (os.path.join(work, n) for n in ("context.jsonl", "partials.jsonl", "findings.jsonl"))
        with open(c, "wb") as f:
            f.write(context)
        with open(p, "wb") as f:
            f.write(EXCHANGE_HEADER.encode() + b"\n")
            for line in lines:
                f.write(line + b"\n")
        tool.run("reduce", "--context", c, "--partition", f"{part}/{parts}", "--format", fmt, "--output", o, p,
                 threads=False)
        text = open(o, "rb").read().decode("utf-8")
    tool.maybe_fail("reduce")
    # Staged copies of remote files are named back by their URI.
    text = re.sub(r'"' + re.escape(STAGING) + r'/([a-z0-9]+)/', r'"\1://', text)
    return [line for line in text.split("\n") if line]


# ------------------------------------------------------------------------------------------------------------- job


def main(argv=None):
    from pyspark import SparkConf, SparkContext

    sc = SparkContext.getOrCreate(SparkConf().setAppName("trailhound"))
    sc.setLogLevel("WARN")
    try:
        total = run(sc, parse_args(argv))
    finally:
        sc.stop()
    for line in summary_lines(total):
        print(line, file=sys.stderr)
    return total


def summary_lines(s):
    """The run summary for people (file names and problems come from the logs: control characters escaped)."""
    def safe(text):
        return text.encode("unicode_escape").decode("ascii")
    aside = ", ".join(f"{v} {k}" for k, v in sorted(s["setAside"].items())) or "0"
    yield (f"trailhound-spark: files: {s['files']} in {s['tasks']} task(s) = {s['read']} read + {s['partial']} partly "
           f"read + {s['failed']} failed; {sum(s['setAside'].values())} set aside ({aside})")
    yield (f"trailhound-spark: records: {s['records']} found, {s['delivered']} delivered, {s['rejected']} rejected; "
           f"{s['findings']} findings in {s['seconds']} s")
    for b in s["bad"]:
        yield f"trailhound-spark: {b['status']}: {safe(b['path'])}: {safe('; '.join(b['problems']))[:500]}"


def uri_of(path):
    return path if "://" in path or path.startswith("file:") else "file://" + os.path.abspath(path)


def run(sc, args):
    """The job on a running SparkContext; returns the run summary (also written to OUTPUT/summary.json)."""
    from pyspark import StorageLevel

    started = time.time()
    args.output = uri_of(args.output)
    # The executors' Python workers import this module for the functions the stages run.
    sc.addPyFile(os.path.abspath(__file__))
    fail_once = args.fail_once if args.fail_once is not None else sc.getConf().get("spark.trailhound.failOnce", "")
    if os.path.exists(args.binary):
        sc.addFile(os.path.abspath(args.binary))
    for d in ([args.rules_home] if args.rules_home else []) + args.rules:
        if os.path.isdir(d):
            sc.addFile(os.path.abspath(d), recursive=True)
    tool = Tool(args.binary, args.rules_home, args.rules, args.threads, fail_once)

    listed = list_files(sc, args.logs)
    tasks = pack(listed, args.max_task_bytes, args.partitions, args.shuffle_seed)
    n = max(1, len(tasks))
    remote = [uri for t in tasks for uri in t if not uri.startswith("file:")]
    if remote:
        # Files on s3a/hdfs are read on the executors (binaryFiles) and moved to the task that owns them.
        owner = {uri: i for i, t in enumerate(tasks) for uri in t}
        content = sc.binaryFiles(",".join(remote)).map(lambda kv: (owner[kv[0]], (kv[0], bytes(kv[1]))))
        local = sc.parallelize([(i, (uri, None)) for i, t in enumerate(tasks) for uri in t if uri.startswith("file:")])
        inputs = content.union(local).partitionBy(n, lambda k: k).mapPartitionsWithIndex(
            lambda i, it: [(i, sorted(v for _, v in it))])
    else:
        inputs = sc.parallelize(list(enumerate([[(uri, None) for uri in t] for t in tasks])), n)
    inputs = inputs.persist(StorageLevel.MEMORY_AND_DISK)

    # Stage 1: map.
    mapped = inputs.map(lambda t: run_map(tool, t[0], t[1])).persist(StorageLevel.MEMORY_AND_DISK)
    stage_seconds = {"list": round(time.time() - started, 3)}
    mark = time.time()
    summaries = [json.loads(s) for _, _, _, s in mapped.map(lambda m: (None, None, None, m[3])).collect()]
    stage_seconds["map"] = round(time.time() - mark, 3)
    mark = time.time()
    globals_ = mapped.map(lambda m: m[1]).collect()

    # Stage 2: context, on the driver, broadcast.
    with tempfile.TemporaryDirectory(prefix="trailhound-context-") as work:
        names = []
        for i, g in enumerate(globals_):
            names.append(os.path.join(work, f"global-{i:05d}.jsonl"))
            with open(names[-1], "wb") as f:
                f.write(g)
        listing = os.path.join(work, "globals.txt")
        with open(listing, "w") as f:
            f.write("\n".join(names) + "\n")
        out = os.path.join(work, "context.jsonl")
        Tool(args.binary if not os.path.exists(args.binary) else os.path.abspath(args.binary),
             args.rules_home and os.path.abspath(args.rules_home), [os.path.abspath(r) for r in args.rules], 1,
             "").run("context", "--out", out, "--globals-from", listing, threads=False)
        context = open(out, "rb").read()
    del globals_
    ctx = sc.broadcast(context)

    stage_seconds["context"] = round(time.time() - mark, 3)
    mark = time.time()
    # Stage 3: second pass and correlation evidence, each task with its own files and local part.
    locals_ = mapped.map(lambda m: (m[0], m[2]))
    second = inputs.join(locals_, n).map(
        lambda kv: (kv[1][1], run_second(tool, ctx.value, kv[0], kv[1][0], kv[1][1])))

    # Stage 4: partials shuffled by finding id, merged and rendered per reduce partition.
    r = max(1, args.reduce_partitions)

    def keyed(pair):
        for blob in pair:
            for fid, line in builder_lines(blob):
                yield int(fid[:8], 16) % r, line

    fmt = args.format
    findings = second.flatMap(keyed).partitionBy(r, lambda k: k).mapPartitionsWithIndex(
        lambda i, it: run_reduce(tool, ctx.value, i, r, fmt, sorted(line for _, line in it)))
    out_dir = args.output.rstrip("/") + "/findings"
    delete(sc, out_dir)
    findings.saveAsTextFile(out_dir)
    stage_seconds["second+reduce"] = round(time.time() - mark, 3)

    total = {"files": 0, "read": 0, "partial": 0, "failed": 0, "records": 0, "delivered": 0, "rejected": 0,
             "inputBytes": 0, "setAside": {}, "bad": []}
    for s in summaries:
        for k in ("files", "read", "partial", "failed", "records", "delivered", "rejected", "inputBytes"):
            total[k] += s[k]
        for k, v in s["setAside"].items():
            total["setAside"][k] = total["setAside"].get(k, 0) + v
        total["bad"] += s["bad"]
    total["bad"].sort(key=lambda b: b["path"])
    count = sc.textFile(out_dir).count()
    total.update({"stageSeconds": stage_seconds, "findings": count, "tasks": len(tasks), "reducePartitions": r, "listed": len(listed),
                  "seconds": round(time.time() - started, 3), "format": fmt})
    write_text(sc, args.output.rstrip("/") + "/summary.json", json.dumps(total, indent=2, sort_keys=True) + "\n")
    if args.single_file and args.output.startswith("file:"):
        folder = local_path(out_dir)
        with open(local_path(args.output.rstrip("/")) + "/findings.jsonl.part", "wb") as out:
            for name in sorted(os.listdir(folder)):
                if name.startswith("part-"):
                    with open(os.path.join(folder, name), "rb") as f:
                        shutil.copyfileobj(f, out)
        os.replace(out.name, out.name[: -len(".part")])
    mapped.unpersist()
    inputs.unpersist()
    ctx.destroy()
    return total


if __name__ == "__main__":
    main()
