"""The command line: `fixtures OUTDIR`, `corpus OUTDIR [options]` and `mix OUTDIR [options]`."""

import argparse
import os
import shutil

from . import __doc__ as OVERVIEW
from .corpus import cmd_corpus
from .formats import write_formats
from .logs import write_logs
from .malformed import write_malformed
from .mix import MIXES, cmd_mix
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
    m = sub.add_parser("mix", help="write a benchmark mix with knobs (STS share, identities, findings, file sizes)")
    m.add_argument("outdir")
    m.add_argument("--mix", choices=sorted(MIXES), default="typical", help="named knobs; the flags below override")
    m.add_argument("--events", type=int, default=100_000)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--sts-share", type=float, help="share of AssumeRole/GetSessionToken/GetFederationToken calls")
    m.add_argument("--identities", type=int, help="IAM users and roles, over all accounts")
    m.add_argument("--findings-per-10k", type=float, help="planted incidents per 10,000 events")
    m.add_argument("--records-per-file", type=int, help="mean records per file (sizes vary 0.2x to 3x)")
    m.add_argument("--accounts", type=int)
    m.add_argument("--regions", type=int)
    a = p.parse_args(argv)
    if a.cmd == "fixtures":
        cmd_fixtures(a.outdir)
    elif a.cmd == "spark":
        cmd_spark(a.outdir, a.noise_mb)
    elif a.cmd == "mix":
        cmd_mix(a.outdir, a.mix, a.events, a.seed, dict(
            sts_share=a.sts_share, identities=a.identities, findings_per_10k=a.findings_per_10k,
            records_per_file=a.records_per_file, accounts=a.accounts, regions=a.regions))
    else:
        cmd_corpus(a.outdir, a.seed, a.size_mb, a.single_file, max(1, a.jobs))
