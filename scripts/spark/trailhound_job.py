"""trailhound on Spark: the same findings as one `trailhound scan`, computed by a map/reduce over many executors.

Started by spark-submit (or scripts/spark-scan for a local run). Spark's file index lists the log files (local
paths, s3a://, hdfs://; in parallel on the executors for wide trees), a Spark computation packs them into tasks (by
account, region and day from the path, capped in bytes; only per-task counts reach the driver), and five stages run,
each a `trailhound stage` subprocess on an executor:

  1. map        per task: the first pass over its files -> a global part (issuances, trigger events), the
                correlation matches with their group values, and a local part (partial findings, key fingerprints),
                plus a reading summary.
  2. correlate  matches shuffled by correlation group (group hash mod C) -> the outcomes of the groups that fire.
  3. context    the global parts and the outcomes shuffled to one partition; its one task -> lineage, windows,
                absence findings and outcomes: the context, kept where it was made (Spark's block manager).
  4. second     per task again, with the context (a cartesian product of the tasks with the one-partition context:
                each task fetches it from the block manager): the second pass and the correlation evidence its files
                hold.
  5. reduce     partials shuffled by finding id (first 8 hex digits mod R) -> merged and rendered with the context
                (fetched the same way), one part file per reduce partition.

Only small summaries reach the driver: the packing's per-task counts, and from the context task (the map's reading
summaries travel there with the global parts) the reading summaries and the sizes of the global parts and context. Files on s3a:// or hdfs:// are read on the executors from the listing's own file index (listed once)
and staged for the time of a stage in the task's own folder, under the application's scratch folder on the executor
that runs it (`task_folder`: removed when the stage ends, also on failure; a task Spark kills leaves it to Spark,
which deletes the scratch folder when the application ends).

This program only lists, packs, ships the binary and moves bytes; every decision is trailhound's. A trailhound that
exits non-zero fails its task with its stderr in the error (and Spark retries it); outputs are written whole under
deterministic names, so a retried or speculative task changes nothing.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

def exchange_header(stage):
    return json.dumps({"header": {"format": "trailhound-exchange", "stage": stage, "version": 1}, "kind": "header"},
                      sort_keys=True).encode()


EXCHANGE_HEADER = exchange_header("partials").decode()
# account, region, YYYY/MM/DD of the S3 layout (AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/).
LAYOUT = re.compile(r"AWSLogs/(?:o-[a-z0-9]+/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/")
# A task's folder: <the application's scratch folder on the executor>/SCRATCH/<stage>-p<partition>-a<attempt>-XXXX/,
# its work files there and the files it reads through Spark under STAGED_DIR/ in it (see `task_folder`).
SCRATCH = "trailhound"
STAGED_DIR = "trailhound-staged"


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
    p.add_argument("--correlate-partitions", type=int,
                   help="correlate tasks, correlation matches shuffled to them by group (default: as many as map tasks)")
    p.add_argument("--listing", choices=["spark", "driver"], default="spark",
                   help="spark: Spark's file index, listing in parallel on the executors (default); driver: the "
                   "driver walks the tree through the Hadoop FileSystem (slow; keeps names starting with _ or .)")
    p.add_argument("--reduce-partitions", type=int, default=1,
                   help="reduce tasks (1: one part file, ordered exactly as `trailhound scan` orders findings)")
    p.add_argument("--format", choices=["jsonl", "ocsf"], default="jsonl")
    p.add_argument("--shuffle-seed", type=int, help="shuffle the file order before packing (tests: order-independence)")
    p.add_argument("--threads", type=int, default=1, help="trailhound threads per task (Spark's cores do the rest)")
    p.add_argument("--fail-once", default=None, help="tests: STAGE:PARTITION[,...] fails on its first attempt, "
                   "after its work (default: the conf spark.trailhound.failOnce)")
    p.add_argument("--kill-once", default=None, help="tests: STAGE:PARTITION[,...] (map or second) SIGKILLs its own "
                   "Python worker on its first attempt, after staging its files and running trailhound, so no cleanup "
                   "runs, as when Spark kills a task or loses an executor (default: the conf spark.trailhound.killOnce)")
    p.add_argument("--read-through-spark", action="store_true",
                   help="tests: read local files as s3a:// and hdfs:// ones are read (binaryFile content, moved to "
                   "their task and staged there), to exercise that path without an object store")
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
    """The local path of a `file:` URI."""
    rest = uri[len("file:"):]
    while rest.startswith("//"):
        rest = rest[1:]
    return rest


def _segment(name):
    """One segment of a URI's path as a staged file or folder name: `%` written `%25` and a line feed `%0A` (the
    list of files has one a line), and the segments a file system would not keep as names (empty, `.`, `..`)
    written `%`, `%2E`, `%2E%2E`."""
    name = name.replace("%", "%25").replace("\n", "%0A")
    return SPECIAL.get(name, name)


SPECIAL = {"": "%", ".": "%2E", "..": "%2E%2E"}
UNSPECIAL = {v: k for k, v in SPECIAL.items()}


def _unsegment(name, quoted):
    """The inverse of `_segment`; `quoted`: inside a JSON string (a line feed is written `\\n` there)."""
    if name in UNSPECIAL:
        return UNSPECIAL[name]
    return name.replace("%0A", "\\n" if quoted else "\n").replace("%25", "%")


SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def staged_name(uri):
    """Where a task stages a file it reads through Spark, relative to its work folder: `trailhound-staged/<scheme>/`
    and the rest of the URI, segment by segment (a `file:` URI by its absolute path). The same for every attempt on
    every executor (trailhound names, orders and matches files by this path), always inside the work folder: no
    segment is `..`, `.` or empty and the name never starts with `/`, whatever the object key."""
    if uri.startswith("file:"):
        scheme, rest = "file", local_path(uri).lstrip("/")
    else:
        scheme, sep, rest = uri.partition("://")
        if not sep or not SCHEME.fullmatch(scheme):
            raise ValueError(f"cannot stage {uri!r}: not a URI with a scheme")
    return "/".join([STAGED_DIR, scheme] + [_segment(n) for n in rest.split("/")])


STAGED = re.compile(re.escape(STAGED_DIR) + "/(" + SCHEME.pattern + ")/")


def unstage(text, quoted=True):
    """Staged copies named back, in JSON text (a path is a whole string: `quoted`) or a plain path: a local file by
    its path, a remote one by its URI (the inverse of `staged_name`)."""
    def back(scheme, rest):
        rest = "/".join(_unsegment(n, quoted) for n in rest.split("/"))
        return "/" + rest if scheme == "file" else f"{scheme}://{rest}"
    if quoted:
        return re.sub('"' + STAGED.pattern + r'((?:[^"\\]|\\.)*)"', lambda m: '"' + back(m[1], m[2]) + '"', text)
    m = STAGED.match(text)
    return back(m[1], text[m.end():]) if m else text


def check_roots(sc, roots):
    """The roots as URIs; a root that does not exist ends the job with its name (one Hadoop call per root)."""
    jvm = sc._jvm
    conf = sc._jsc.hadoopConfiguration()
    uris = []
    for root in roots:
        uri = uri_of(root)
        path = jvm.org.apache.hadoop.fs.Path(uri)
        if not path.getFileSystem(conf).exists(path):
            raise SystemExit(f"spark-scan: {root}: no such file or folder")
        uris.append(uri)
    return uris


def listing(spark, uris, how):
    """(path, length, content) of every file under the roots, as a DataFrame. `spark`: Spark's file index (the
    `binaryFile` source): it lists folders in parallel on the executors once a folder holds more than
    spark.sql.sources.parallelPartitionDiscovery.threshold sub-folders (default 32), the same code for file:, s3a://
    and hdfs://. The index is made once, when the DataFrame is; a query that does not select `content` opens no file
    (packing), and one that does (reading remote files) reads the files of this same index, without listing again.
    Like every Spark file source it skips names starting with `_` or `.` (`--listing driver` keeps them). `driver`:
    the driver's recursive Hadoop listing (kept for comparison; no `content` column)."""
    from pyspark.sql import types as T
    if how == "driver":
        schema = T.StructType([T.StructField("path", T.StringType()), T.StructField("length", T.LongType())])
        return spark.createDataFrame(list_files(spark.sparkContext, uris), schema)
    return (spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(uris)
            .select("path", "length", "content"))


def contents(spark, listed):
    """(path, content) of the listed files, read on the executors: from the listing's own file index, or, for a
    driver listing, from its paths (no folder is walked again)."""
    if "content" not in listed.columns:
        from pyspark.sql import functions as F
        paths = [r[0] for r in listed.select("path").collect()]  # a driver listing: the driver has them already
        listed = (spark.read.format("binaryFile").load(paths) if paths
                  else listed.withColumn("content", F.lit(None).cast("binary")))
    return listed.select("path", "content")


def assign(files, max_bytes, partitions=None, seed=None):
    """Packs the listed files into tasks, as a Spark computation (the file list never comes to the driver):
    files ordered by account, region and delivery day from the path, then path (with `seed`: by a hash of the seed
    and the path, i.e. shuffled); each file's starting offset in that order (bytes of the files before it, a file
    counting at least 1) gives its slot: offset // max_bytes, or with `partitions` offset * partitions // total.
    Deterministic: the same listing gives the same slots, so a retry or a rerun builds the same tasks. Returns the
    DataFrame (path, slot, length), persisted, and the small per-task summaries [(slot, files, bytes)] (collected,
    in slot order: the only listing data the driver holds)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    path = F.col("path")
    if seed is None:
        keys = [F.regexp_extract(path, LAYOUT.pattern, 1), F.regexp_extract(path, LAYOUT.pattern, 2),
                F.concat_ws("/", *(F.regexp_extract(path, LAYOUT.pattern, k) for k in (3, 4, 5)))]
    else:
        keys = [F.sha2(F.concat(F.lit(f"{seed}:"), path), 256), F.lit(""), path]
    # The listing scan opens no file: split it by bytes into about as many tasks as there are cores, not by
    # Spark's default of 128 MB and a 4 MB cost per file (which makes one task per 32 small files). Shuffles in
    # twice as many partitions as cores, not Spark's 200 (which made this planning 5-10x slower on small trees).
    spark = files.sparkSession
    cores = max(1, spark.sparkContext.defaultParallelism)
    conf = {"spark.sql.files.maxPartitionBytes": str(1 << 62), "spark.sql.files.openCostInBytes": "1",
            "spark.sql.shuffle.partitions": str(2 * cores)}
    saved = {k: spark.conf.get(k, None) for k in conf}
    try:
        for k, v in conf.items():
            spark.conf.set(k, v)
        from pyspark import StorageLevel

        keep = StorageLevel.MEMORY_AND_DISK
        files = files.select("path", "length", F.greatest(F.col("length"), F.lit(1)).alias("w"),
                             *(k.alias(f"k{i}") for i, k in enumerate(keys))).persist(keep)
        group = ["k0", "k1", "k2"]
        before = Window.unboundedPreceding, -1
        # Per group (account, region, day) its bytes, and its offset among the groups: one row per group, far fewer than
        # files (a single-partition window over the groups, on an executor).
        groups = files.groupBy(*group).agg(F.sum("w").alias("gw"))
        groups = groups.select(*group, F.coalesce(F.sum("gw").over(Window.orderBy(*group).rowsBetween(*before)),
                                                  F.lit(0)).alias("gstart"), "gw")
        within = F.coalesce(F.sum("w").over(Window.partitionBy(*group).orderBy("path").rowsBetween(*before)), F.lit(0))
        files_ = files.select("path", "length", *group, within.alias("fstart")).join(groups, group)
        # Integer arithmetic: the same offsets give the same slots on every machine.
        if partitions:
            total = groups.agg(F.sum("gw")).first()[0] or 1
            slot = F.least(F.expr(f"(gstart + fstart) * {int(partitions)} div {int(total)}"), F.lit(partitions - 1))
        else:
            slot = F.expr(f"(gstart + fstart) div {int(max_bytes)}")
        assigned = files_.select("path", slot.cast("long").alias("slot"), "length").persist(keep)
        summaries = sorted((r[0], r[1], r[2]) for r in
                           assigned.groupBy("slot").agg(F.count("path"), F.sum("length")).collect())
        files.unpersist()
        return assigned, summaries
    finally:
        for k, v in saved.items():
            if v is None:
                spark.conf.unset(k)
            else:
                spark.conf.set(k, v)


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

    def __init__(self, binary, rules_home, rules, threads, fail_once, kill_once=""):
        self.binary, self.rules_home, self.rules = binary, rules_home, rules
        self.threads, self.fail_once, self.kill_once = threads, fail_once, kill_once
        # Seconds spent in trailhound per stage (Spark accumulators; a retried task counts twice: a measure only).
        self.clock = None

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

    def run(self, *args, threads=True, cwd=None):
        cmd = self.command(*args) + (["--threads", str(self.threads)] if threads else [])
        started = time.time()
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
        if self.clock and args[0] in self.clock:
            self.clock[args[0]].add(time.time() - started)
        if done.returncode != 0:
            raise TrailhoundFailed(
                f"trailhound exited with status {done.returncode}: {' '.join(cmd[1:4])}...\n"
                + done.stderr.decode("utf-8", "replace")[-4000:])
        return done.stdout

    def maybe_fail(self, stage, partition=None):
        """Fault injection (tests): fail this stage's partition (the task's, unless given) on its first attempt,
        after its work was done."""
        from pyspark import TaskContext
        ctx = TaskContext.get()
        wanted = self.fail_once.split(",") if self.fail_once else []
        part = ctx.partitionId() if ctx and partition is None else partition
        if ctx and f"{stage}:{part}" in wanted and ctx.attemptNumber() == 0:
            if os.environ.get("TRAILHOUND_FAULT_LOG"):
                with open(os.environ["TRAILHOUND_FAULT_LOG"], "a") as f:
                    f.write(f"{stage}:{part}\n")
            raise RuntimeError(f"injected fault: {stage} partition {part}, attempt 0")

    def maybe_kill(self, stage, work, staged):
        """Fault injection (tests): on its first attempt, this stage's task kills its own Python worker (SIGKILL)
        inside its work folder, after its files were staged (`staged` of them) and trailhound ran: no `finally` or
        `with` exit runs, as when Spark kills a task (the other tasks of a job it aborts, a speculative copy it
        cancels) or loses an executor. The fault log names the folder the attempt leaves behind."""
        from pyspark import TaskContext
        ctx = TaskContext.get()
        wanted = self.kill_once.split(",") if self.kill_once else []
        if ctx and f"{stage}:{ctx.partitionId()}" in wanted and ctx.attemptNumber() == 0:
            if os.environ.get("TRAILHOUND_FAULT_LOG"):
                with open(os.environ["TRAILHOUND_FAULT_LOG"], "a") as f:
                    f.write(f"killed {stage}:{ctx.partitionId()} {staged} {work}\n")
            os.kill(os.getpid(), signal.SIGKILL)


def scratch_root():
    """This application's scratch folder on this executor, which Spark deletes when the application ends: the block
    manager's local folder (the Python worker gets them in SPARK_LOCAL_DIRS; PySpark spills there too), one of them
    by partition when there are several. Local mode: <spark.local.dir>/blockmgr-*, deleted when the SparkContext
    stops; YARN: under the application's appcache folder, deleted by the NodeManager when the application ends;
    Kubernetes: the executor pod's local-dir volumes, deleted with the pod; standalone: the worker's per-application
    local folders, deleted when the application ends. (Not SparkFiles' root folder: on an executor that is its
    working directory, which a standalone worker keeps after the application.) Without SPARK_LOCAL_DIRS (not run
    by Spark's Python runner), SparkFiles' root."""
    from pyspark import SparkFiles, TaskContext
    dirs = [d for d in os.environ.get("SPARK_LOCAL_DIRS", "").split(",") if d]
    if not dirs:
        return os.path.abspath(SparkFiles.getRootDirectory())
    ctx = TaskContext.get()
    return dirs[(ctx.partitionId() if ctx else 0) % len(dirs)]


@contextlib.contextmanager
def task_folder(stage):
    """A task attempt's own folder, SCRATCH/<stage>-p<partition>-a<attempt>-XXXX under the application's scratch
    folder: its work files and staged copies, removed whole when the stage ends (also when it fails). A task that
    Spark kills (the other tasks of a job it aborts, a speculative copy it cancels, a lost executor) runs no
    cleanup: its folder goes when the application's scratch folder does. Each attempt has its own, so a retry or a
    speculative copy on the same executor never reads or removes another attempt's files."""
    from pyspark import TaskContext
    ctx = TaskContext.get()
    parent = os.path.join(scratch_root(), SCRATCH)
    try:
        os.mkdir(parent, 0o700)  # in the scratch folder, which must exist (never made again once Spark removed it)
    except FileExistsError:
        pass
    tag = f"{stage}-p{ctx.partitionId()}-a{ctx.attemptNumber()}-" if ctx else f"{stage}-"
    work = tempfile.mkdtemp(prefix=tag, dir=parent)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def staged_files(entries, work):
    """Writes the list file of a task's files (one path a line) in its folder `work`: local files by their path,
    the others (content given) staged in `work` under `staged_name` and listed by that name, relative to `work`
    (trailhound runs there). Returns the list file and how many files were staged. Folders are made relative to
    the open task folder, never by path from the root: if Spark has deleted the folder (the application ended while
    a killed task was still writing), writing fails instead of making the folders again where nobody removes them."""
    paths, made, staged = [], set(), 0
    root = os.open(work, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for uri, content in entries:
            if content is None:
                paths.append(local_path(uri))
                continue
            name = staged_name(uri)
            parts = name.split("/")
            if any(p in ("", ".", "..") for p in parts):  # staged_name's promise, checked
                raise ValueError(f"cannot stage {uri!r}: {name!r} leaves the task folder")
            try:
                for k in range(1, len(parts)):
                    folder = "/".join(parts[:k])
                    if folder not in made:
                        try:
                            os.mkdir(folder, 0o700, dir_fd=root)
                        except FileExistsError:
                            pass
                        made.add(folder)
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600, dir_fd=root)
                with os.fdopen(fd, "wb") as f:
                    f.write(content)
            except OSError as e:
                raise RuntimeError(f"cannot stage {uri!r} as {name!r}: {e}") from e
            paths.append(name)
            staged += 1
    finally:
        os.close(root)
    list_file = os.path.join(work, "files.txt")
    with open(list_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    return list_file, staged


def run_map(tool, index, entries):
    with task_folder("map") as work:
        files, staged = staged_files(entries, work)
        g, l, s, c = (os.path.join(work, n) for n in ("global.jsonl", "local.jsonl", "summary.json", "signals.jsonl"))
        tool.run("map", "--files-from", files, "--global", g, "--local", l, "--summary", s, "--signals", c, cwd=work)
        tool.maybe_kill("map", work, staged)
        result = (index, open(g, "rb").read(), open(l, "rb").read(), open(s, "rb").read(), open(c, "rb").read())
    tool.maybe_fail("map")
    return result


# The group hash of a `signal` or `group` line: its first `"group":` followed by digits (keys are sorted, and a quote
# inside a JSON string is escaped, so no string value can imitate it). Cheaper than parsing each line.
GROUP = re.compile(rb'"group":\s*(\d+)')


def signal_lines(blob, parts):
    """(correlate partition, line) of each correlation match and group value of a map's `signals` part: the group
    hash modulo `parts`, as `ScaleOut.correlatePartition` computes it."""
    for line in blob.split(b"\n")[1:]:
        if line:
            m = GROUP.search(line)
            if m is None:
                raise ValueError(f"a signals line without a group: {line[:200]!r}")
            yield int(m.group(1)) % parts, line


def run_correlate(tool, part, lines):
    """Decides the correlation groups of correlate partition `part`: its outcome lines (only groups that fire)."""
    outcomes = []
    lines = sorted(set(lines))  # a group's values come once per file that matched: once is enough
    if lines:
        with task_folder("correlate") as work:
            i, o = os.path.join(work, "signals.jsonl"), os.path.join(work, "outcomes.jsonl")
            with open(i, "wb") as f:
                f.write(exchange_header("signals") + b"\n" + b"\n".join(lines) + b"\n")
            tool.run("correlate", "--out", o, i, threads=False)
            outcomes = [line for line in open(o, "rb").read().split(b"\n")[1:] if line]
    tool.maybe_fail("correlate", part)
    return outcomes


def run_context(tool, items):
    """Stage 3, in the one task of the context partition: every map task's global part and reading summary
    ("global", task, blob, summary) and every outcome line ("outcome", line) of the correlate tasks, shuffled here
    -> (the context (bytes), the reading summaries in task order)."""
    globals_, outcomes, summaries = [], [], []
    for item in items:
        if item[0] == "global":
            globals_.append((item[1], item[2]))
            summaries.append((item[1], item[3], len(item[2])))
        else:
            outcomes.append(item[1])
    globals_.sort()  # by map task: the same files for every attempt
    with task_folder("context") as work:
        names = []
        for i, g in globals_:
            names.append(os.path.join(work, f"global-{i:05d}.jsonl"))
            with open(names[-1], "wb") as f:
                f.write(g)
        names_file = os.path.join(work, "globals.txt")
        with open(names_file, "w") as f:
            f.write("\n".join(names) + "\n")
        decided = os.path.join(work, "outcomes.jsonl")
        with open(decided, "wb") as f:
            f.write(exchange_header("outcomes") + b"\n" + b"".join(line + b"\n" for line in sorted(outcomes)))
        out = os.path.join(work, "context.jsonl")
        tool.run("context", "--out", out, "--globals-from", names_file, "--outcomes", decided, threads=False)
        context = open(out, "rb").read()
    tool.maybe_fail("context")
    return context, [s for _, *s in sorted(summaries)]


def run_second(tool, context, index, entries, local):
    with task_folder("second") as work:
        files, staged = staged_files(entries, work)
        c, l, o = (os.path.join(work, n) for n in ("context.jsonl", "local.jsonl", "partials.jsonl"))
        with open(c, "wb") as f:
            f.write(context)
        with open(l, "wb") as f:
            f.write(local)
        tool.run("second", "--context", c, "--local", l, "--out", o, "--files-from", files, cwd=work)
        tool.maybe_kill("second", work, staged)
        partials = open(o, "rb").read()
    tool.maybe_fail("second")
    return partials


def builder_lines(blob):
    """(finding id, line) of each partial finding in an exchange file."""
    for line in blob.split(b"\n"):
        if line.startswith(b'{"builder"'):
            yield json.loads(line)["builder"]["record"]["id"], line


def run_reduce(tool, context, part, parts, fmt, lines):
    with task_folder("reduce") as work:
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
    text = unstage(text)
    return [line for line in text.split("\n") if line]


# ------------------------------------------------------------------------------------------------------------- job


def main(argv=None):
    from pyspark import SparkConf, SparkContext

    args = parse_args(argv)  # before Spark starts: --help or a bad option costs no JVM
    sc = SparkContext.getOrCreate(SparkConf().setAppName("trailhound"))
    sc.setLogLevel("WARN")
    try:
        total = run(sc, args)
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
    kill_once = args.kill_once if args.kill_once is not None else sc.getConf().get("spark.trailhound.killOnce", "")
    tool = Tool(args.binary, args.rules_home, args.rules, args.threads, fail_once, kill_once)
    tool.clock = {stage: sc.accumulator(0.0) for stage in ("map", "correlate", "context", "second", "reduce")}

    from pyspark.sql import SparkSession

    spark = SparkSession(sc)
    stage_seconds = {"setup": round(time.time() - started, 3)}
    mark = time.time()
    uris = check_roots(sc, args.logs)
    listed = listing(spark, uris, args.listing)
    packable = listed.select("path", "length")
    if len(uris) > 1:
        packable = packable.dropDuplicates(["path"])  # roots that overlap: each file once, as a scan reads it once
    stage_seconds["list"] = round(time.time() - mark, 3)
    mark = time.time()
    assigned, slots = assign(packable, args.max_task_bytes, args.partitions, args.shuffle_seed)
    stage_seconds["pack"] = round(time.time() - mark, 3)
    tasks = [{"files": f, "bytes": b} for _, f, b in slots]
    n = max(1, len(slots))
    # Slot number -> task number (slots can skip numbers: a file bigger than the cap spans several).
    index = sc.broadcast({slot: i for i, (slot, _, _) in enumerate(slots)})
    through = args.read_through_spark
    if through or any(not u.startswith("file:") for u in uris):
        # Files on s3a/hdfs are read on the executors (binaryFile content of the listing's own index) and moved to
        # the task that owns them.
        content = contents(spark, listed)
        entries = assigned.select("path", "slot").join(content, "path", "left").rdd.map(
            lambda r: (index.value[r[1]], (r[0], None if r[0].startswith("file:") and not through else bytes(r[2]))))
    else:
        entries = assigned.select("path", "slot").rdd.map(lambda r: (index.value[r[1]], (r[0], None)))

    def task(i, it):
        files = sorted(dict(v for _, v in it).items())  # by path, each once
        return [(i, files)] if files else []
    inputs = entries.partitionBy(n, lambda k: k).mapPartitionsWithIndex(task)

    # Stage 1: map, per task; each element keeps its task's files for the second pass: (files, (task, global, local,
    # summary, signals)). Stage 2: the correlation matches shuffled by group, each group decided where its matches
    # meet (a correlate task's partition is its index among the correlate tasks).
    mapped = inputs.map(lambda t: (t[1], run_map(tool, t[0], t[1]))).persist(StorageLevel.MEMORY_AND_DISK)
    c = max(1, args.correlate_partitions or n)
    outcomes = mapped.flatMap(lambda m: signal_lines(m[1][4], c)).partitionBy(c, lambda k: k).mapPartitionsWithIndex(
        lambda k, it: run_correlate(tool, k, [line for _, line in it]))
    # Stage 3: the context, on an executor: the map's global parts (with each map task's reading summary) and the
    # outcomes shuffled into one partition, `stage context` run by its one task. The one element, (context, reading
    # summaries), is kept (memory and disk) where it was made: the second and reduce tasks read the context from
    # there through the block manager; the driver never holds it.
    context = (mapped.map(lambda m: (0, ("global", m[1][0], m[1][1], m[1][3])))
               .union(outcomes.map(lambda o: (0, ("outcome", o))))
               .partitionBy(1, lambda k: 0).mapPartitions(lambda it: [run_context(tool, (v for _, v in it))])
               .persist(StorageLevel.MEMORY_AND_DISK))
    mark = time.time()
    # One action runs the three stages; what reaches the driver, from the context task, is the reading summaries
    # and the sizes of the global parts and the context (the context itself is computed once, here, and kept).
    [(read, context_bytes)] = context.map(lambda c: (c[1], len(c[0]))).collect()
    summaries = [json.loads(s) for s, _ in read]
    global_bytes = sum(size for _, size in read)
    stage_seconds["map+correlate+context"] = round(time.time() - mark, 3)
    mark = time.time()

    # Stage 4: second pass and correlation evidence, each task with its own files and local part (its element of
    # `mapped`) and the context: the cartesian product with the one-partition context, whose partition i is task i
    # with the context.
    def second_task(pair):
        (entries, (i, _, local, _, _)), (ctx, _) = pair
        return local, run_second(tool, ctx, i, entries, local)
    second = mapped.cartesian(context).map(second_task)

    # Stage 5: partials shuffled by finding id, merged and rendered per reduce partition (each partition's lines,
    # sorted, with the context, as the second stage has it).
    r = max(1, args.reduce_partitions)

    def keyed(pair):
        for blob in pair:
            for fid, line in builder_lines(blob):
                yield int(fid[:8], 16) % r, line

    fmt = args.format
    findings = (second.flatMap(keyed).partitionBy(r, lambda k: k)
                .mapPartitionsWithIndex(lambda i, it: [(i, sorted(line for _, line in it))])
                .cartesian(context).flatMap(lambda p: run_reduce(tool, p[1][0], p[0][0], r, fmt, p[0][1])))
    out_dir = args.output.rstrip("/") + "/findings"
    delete(sc, out_dir)
    # Kept while written, so the count below reads them from memory instead of the output again.
    findings = findings.persist(StorageLevel.MEMORY_AND_DISK)
    findings.saveAsTextFile(out_dir)
    stage_seconds["second+reduce"] = round(time.time() - mark, 3)

    total = {"files": 0, "read": 0, "partial": 0, "failed": 0, "records": 0, "delivered": 0, "rejected": 0,
             "inputBytes": 0, "setAside": {}, "bad": []}
    for s in summaries:
        for k in ("files", "read", "partial", "failed", "records", "delivered", "rejected", "inputBytes"):
            total[k] += s[k]
        for k, v in s["setAside"].items():
            total["setAside"][k] = total["setAside"].get(k, 0) + v
        total["bad"] += [dict(b, path=unstage(b["path"], quoted=False)) for b in s["bad"]]
    total["bad"].sort(key=lambda b: b["path"])
    count = findings.count()
    findings.unpersist()
    total["trailhoundSeconds"] = {k: round(v.value, 3) for k, v in tool.clock.items()}
    for both in ("map+correlate+context", "second+reduce"):
        total["trailhoundSeconds"][both] = round(sum(tool.clock[k].value for k in both.split("+")), 3)
    total.update({"stageSeconds": stage_seconds, "findings": count, "globalBytes": global_bytes, "contextBytes": context_bytes, "tasks": len(tasks), "reducePartitions": r, "listed": sum(t["files"] for t in tasks),
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
    assigned.unpersist()
    context.unpersist()
    index.destroy()
    return total


if __name__ == "__main__":
    main()
