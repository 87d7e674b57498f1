#!/usr/bin/env python3
"""The DuckDB peer of scripts/bench: mix_detections.sql over the given .json.gz files (read_json, gzip).
Prints one JSON line with a count per detection, like mix_peer.py.

  duckdb_peer.py [--threads N] FILE...
"""
import json
import os
import sys

import duckdb


def main():
    args = sys.argv[1:]
    threads = 1
    if args[:1] == ["--threads"]:
        threads, args = int(args[1]), args[2:]
    sql = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mix_detections.sql")).read()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    files = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in args) + "]"
    counts = {name: n for name, n in con.execute(sql.replace("{files}", files)).fetchall()}
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
