"""Files certdoctor writes for the user (reports, saved sessions): whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

from certdoctor.errors import InputError


def write_whole(path: Path, text: str) -> None:
    """Write text via a temporary file beside path, so a failed write never leaves half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
