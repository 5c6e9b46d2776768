"""Writing the fix folder: whole or not at all, never over a user's files without --force, never a private key."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Collection, Mapping
from pathlib import Path

from certdoctor.errors import InputError

#: The armour of any private key (PKCS#1, PKCS#8, EC, encrypted, OpenSSH): never in a written file.
_KEY = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")


def refuse_keys(files: Mapping[str, bytes]) -> None:
    """A last guard: content holding a private key is a bug, and nothing is written."""
    for name, data in files.items():
        if _KEY.search(data):
            raise RuntimeError(f"{name} would hold a private key; nothing was written")


def write_folder(
    out: Path, files: Mapping[str, bytes], *, force: bool = False, protected: Collection[Path] = ()
) -> list[Path]:
    """Write every file into out (plan.md last), staged beside it first; refuse a non-empty out without force."""
    refuse_keys(files)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(str(out), "exists and is not empty; nothing written (use --force to write into it)")
    targets = [out / name for name in files]
    for path in targets:
        if path.resolve() in protected:
            raise InputError(str(path), "is a file the case reads; not overwritten (choose another folder)")
    stage = out.parent / f".{out.name}.{os.getpid()}.tmp"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
        for name, data in files.items():
            (stage / name).write_bytes(data)
        if not out.exists():
            stage.rename(out)
        else:
            for name in files:
                os.replace(stage / name, out / name)
            stage.rmdir()
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise InputError(str(out), f"cannot write: {exc.strerror or exc}") from None
    return targets
