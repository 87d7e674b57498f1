"""The command line: `fixtures OUTDIR` and `corpus OUTDIR [options]`."""

import argparse
import os
import shutil

from . import __doc__ as OVERVIEW
from .corpus import cmd_corpus
from .formats import write_formats
from .logs import write_logs
from .malformed import write_malformed
from .scenarios import write_scenarios
from .spark_corpus import cmd_spark


def cmd_fixtures(outdir):
    for sub in ("logs", "formats", "malformed", "scenarios"):
        p = os.path.join(outdir, sub)
        if os.path.isdir(p):
            shutil.rmtree(p)
    files, digests = write_logs(os.path.join(outdir, "logs"))
    write_formats(os.path.join(outdir, "formats"))
    write_malformed(os.path.join(outdir, "malformed"))
    scenarios, scenario_events = write_scenarios(os.path.join(outdir, "scenarios"))
    n = sum(len(f.records) for f in files)
    print(f"logs: {len(files)} files, {n} records, {len(digests)} digests; formats: 6 events; malformed: done; "
          f"scenarios: {scenarios} with {scenario_events} events")


def main(argv=None):
    p = argparse.ArgumentParser(prog="ctgen.py", description=OVERVIEW.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fixtures", help="write the committed test fixtures under OUTDIR")
    f.add_argument("outdir")
    c = sub.add_parser("corpus", help="write a large corpus in the S3 layout")
    c.add_argument("outdir")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--size-mb", type=float, default=500, help="uncompressed size in MB (10^6 bytes)")
    c.add_argument("--single-file", action="store_true", help="write one file of --size-mb instead")
    c.add_argument("--jobs", type=int, default=2, help="worker processes (output does not depend on it)")
    s = sub.add_parser("spark", help="write the scale-out test's multi-account incident (and a little noise)")
    s.add_argument("outdir")
    s.add_argument("--noise-mb", type=float, default=3.0)
    a = p.parse_args(argv)
    if a.cmd == "fixtures":
        cmd_fixtures(a.outdir)
    elif a.cmd == "spark":
        cmd_spark(a.outdir, a.noise_mb)
    else:
        cmd_corpus(a.outdir, a.seed, a.size_mb, a.single_file, max(1, a.jobs))
