"""The certificate layer: load any certificate file, describe it, build and judge paths."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from certdoctor.x509.load import LoadedFile, parse_bytes, read_file
    from certdoctor.x509.store import TrustStore
    from certdoctor.x509.verify import verify_chain

#: Imported on first use: the diagnosis needs the loader and path judge, not the strict verifier.
_LAZY = {
    "LoadedFile": "certdoctor.x509.load",
    "parse_bytes": "certdoctor.x509.load",
    "read_file": "certdoctor.x509.load",
    "TrustStore": "certdoctor.x509.store",
    "verify_chain": "certdoctor.x509.verify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'certdoctor.x509' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["LoadedFile", "TrustStore", "parse_bytes", "read_file", "verify_chain"]
