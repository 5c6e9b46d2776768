"""`certdoctor shell`: registered here, imported lazily when run."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register the interactive session's sub-command."""
