"""Command line: `python -m certdoctor.lab OUTDIR [FAULT...]` writes one deployment, `examples OUTDIR` the examples."""

from __future__ import annotations

import sys
from pathlib import Path

from certdoctor.lab.catalogue import FAULTS, VARIANTS
from certdoctor.lab.deployment import write_deployment
from certdoctor.lab.examples import write_examples


def _print_usage() -> None:
    """Usage, then every fault and variant with what it changes."""
    print("usage: python -m certdoctor.lab OUTDIR [FAULT...] | examples OUTDIR\nfaults:")
    for name, what in FAULTS.items():
        print(f"  {name:22} {what}")
    print("variants:")
    for name, what in VARIANTS.items():
        print(f"  {name:30} {what}")


def main(argv: list[str] | None = None) -> int:
    """python -m certdoctor.lab OUTDIR [FAULT...]: write one deployment; `examples OUTDIR` writes the examples."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        _print_usage()
        return 0 if args else 2
    if args[0] == "examples" and len(args) == 2:
        for path in write_examples(Path(args[1])):
            print(path)
        return 0
    print(write_deployment(Path(args[0]), args[1:]))
    return 0
