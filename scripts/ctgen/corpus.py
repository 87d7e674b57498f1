"""Large benchmark corpora: files of typical sizes in the S3 layout, or one big delivery object."""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import random
import sys
import time
import zlib

from .basics import A1, A2, A3, UTC, alnum, delivery, gz, name_stamp, rng_for
from .noise import stream_for
from .world import REGIONS_CORPUS


CORPUS_ACCTS = (A1, A2, A3)
AVG_RECORD = 1365  # bytes, measured; turns a target file size into a record count


def sample_file_size(r: random.Random) -> float:
    """Uncompressed size: log-uniform on 5 KB..200 KB or 200 KB..3 MB with equal odds (median 200 KB)."""
    lo, hi = (5e3, 2e5) if r.random() < 0.5 else (2e5, 3e6)
    return math.exp(math.log(lo) + r.random() * (math.log(hi) - math.log(lo)))


def corpus_plan(seed):
    """Endless list of files in delivery order: a 5-minute cadence per account and region."""
    r = rng_for("corpus-plan", seed)
    origin = dt.datetime(2026, 11, 20, tzinfo=UTC)
    k = 0
    while True:
        for acct in CORPUS_ACCTS:
            for region in REGIONS_CORPUS:
                wstart = origin + dt.timedelta(minutes=5 * k)
                name_t = wstart + dt.timedelta(minutes=5, seconds=r.randint(40, 300))
                yield (acct, region, wstart, name_t, sample_file_size(r), alnum(r, 16), r.getrandbits(64))
        k += 1


def render_corpus_file(spec):
    acct, region, wstart, name_t, size, suffix, fseed = spec
    n = max(1, round(size / AVG_RECORD))
    recs = stream_for(acct, region).render(random.Random(fseed), wstart, 300, n)
    data = delivery(recs)
    rel = "/".join(("AWSLogs", acct, "CloudTrail", region, name_t.strftime("%Y/%m/%d"),
                    f"{acct}_CloudTrail_{region}_{name_stamp(name_t)}_{suffix}.json.gz"))
    return rel, gz(data), n, len(data)


def cmd_corpus(outdir, seed, size_mb, single, jobs):
    limit = int(size_mb * 1_000_000)
    t0 = time.perf_counter()
    if single:
        files, recs, ulen, clen = 1, *write_single(outdir, seed, limit)
    else:
        files = recs = ulen = clen = 0
        plan = corpus_plan(seed)
        pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
        try:
            while ulen < limit:
                batch = [next(plan) for _ in range(8 * jobs)]
                results = pool.imap(render_corpus_file, batch) if pool else map(render_corpus_file, batch)
                for rel, comp, n, u in results:
                    if ulen >= limit:
                        continue  # surplus of the last batch: discarded, output stays deterministic
                    path = os.path.join(outdir, rel)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(comp)
                    files, recs, ulen, clen = files + 1, recs + n, ulen + u, clen + len(comp)
        finally:
            if pool:
                pool.close()
                pool.join()
    el = time.perf_counter() - t0
    print(f"files={files} records={recs} uncompressed_bytes={ulen} compressed_bytes={clen}")
    print(f"elapsed={el:.2f}s rate={ulen / 1e6 / el:.1f}MB/s avg_record={ulen / max(recs, 1):.0f}B "
          f"avg_file={ulen / max(files, 1):.0f}B", file=sys.stderr)


def write_single(outdir, seed, limit):
    """One delivery object of `limit` uncompressed bytes, events spread over 2026-11-19."""
    st = stream_for(A1, "us-east-1")
    r = rng_for("corpus-single", seed)
    per_seg = 2000
    nseg = max(1, math.ceil(limit / AVG_RECORD / per_seg * 1.1))  # margin: times must never wrap
    span = max(1, 86400 // nseg)
    origin = dt.datetime(2026, 11, 19, tzinfo=UTC)
    path = os.path.join(outdir, "single", f"{A1}_CloudTrail_us-east-1_20261120T0000Z_singlefile000000.json.gz")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    ulen = clen = recs = 0
    with open(path, "wb") as f:
        head = b'{"Records":['
        f.write(c.compress(head))
        ulen += len(head)
        seg = 0
        while ulen < limit:
            start = origin + dt.timedelta(seconds=seg * span)
            chunk = st.render(r, start, span, per_seg)
            parts = []
            for s in chunk:
                if ulen >= limit:
                    break
                b = ("," if recs else "") + s
                parts.append(b)
                ulen += len(b)
                recs += 1
            data = "".join(parts).encode()
            f.write(c.compress(data))
            seg += 1
        tail = b"]}"
        ulen += len(tail)
        f.write(c.compress(tail))
        f.write(c.flush())
        clen = f.tell()
    return recs, ulen, clen
