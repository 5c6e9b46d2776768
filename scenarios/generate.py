"""Write the scenario library: case files with expectations, and one shared pool of certificates.

    python scenarios/generate.py [OUTDIR]      write the library (default: the directory of this script)
    python scenarios/generate.py --check       regenerate into a temporary directory and report: scenario
                                               count, positives / near misses per cause, failing
                                               expectations, rules no scenario fires, and whether the
                                               library on disk is up to date (exit 1 on any problem)

Every scenario is specified in Python, in the family module of its group under scenariogen/families/
(upload, zone, ssh, mra, jabber, cert, cert_profile, cluster, trust, restart, clock, crl, healthy, mixed,
symptom_only). Deployments come from certdoctor.lab (deterministic test PKI), so two runs give
byte-identical files. Layout written:

    <group>/<slug>.yaml   group = a cause id (its positives and near misses), healthy, mixed, symptom-only
    certs/                every certificate, CRL and key once, named <stem>-<sha256[:10]>.<ext>

The script owns those directories: it wipes and rewrites them, and leaves everything else alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from scenariogen.check import check
from scenariogen.library import LIBRARY, write_library


def main(argv: list[str] | None = None) -> int:
    """Command line: write the library, or --check it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=LIBRARY, help="where to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="regenerate in a temporary directory and report")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.outdir)
    start = time.perf_counter()
    paths = write_library(args.outdir)
    print(f"wrote {len(paths)} scenarios under {args.outdir} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
