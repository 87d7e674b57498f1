#!/usr/bin/env python3
"""ctgen: deterministic generator of realistic AWS CloudTrail logs for trailhound.

Standard library only (Python 3.11). Everything is derived from fixed seeds, so the
same command always writes the same bytes.

    python3 scripts/ctgen.py fixtures OUTDIR
        (re)writes OUTDIR/logs, OUTDIR/formats, OUTDIR/malformed and OUTDIR/scenarios (nothing
        else in OUTDIR is touched).
    python3 scripts/ctgen.py corpus OUTDIR --seed 1 --size-mb 500 [--single-file] [--jobs 2]
        writes a large corpus in the S3 layout (or one big file with --single-file).

Record shapes follow the public CloudTrail record-contents documentation; all names, keys,
addresses and ids are made up (documentation IP ranges, EXAMPLE key ids).

The generator itself is the package scripts/ctgen/ (its __init__ lists the modules); this file is only the
entry point.
"""

import os
import sys

# The package directory scripts/ctgen/ beside this file takes precedence over this file for `import ctgen`.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ctgen.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
