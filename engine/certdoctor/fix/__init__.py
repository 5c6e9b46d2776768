"""`certdoctor fix` (docs/fix.md): the files a plan needs, one PEM per target, and plan.md naming them.

needs (pure): what each target needs, from the plan's certificates or the failing trust facts; render (pure):
file names, PEM text and plan.md; build: diagnose and load the case's certificates; write: the folder, whole.
"""

from __future__ import annotations

from certdoctor.fix.build import build_fix, case_files, fix_files
from certdoctor.fix.render import PLAN
from certdoctor.fix.write import write_folder

__all__ = ["PLAN", "build_fix", "case_files", "fix_files", "write_folder"]
