"""The certificate layer: load any certificate file, describe it, build and judge paths."""

from certdoctor.x509.load import LoadedFile, parse_bytes, read_file
from certdoctor.x509.store import TrustStore
from certdoctor.x509.verify import verify_chain

__all__ = ["LoadedFile", "TrustStore", "parse_bytes", "read_file", "verify_chain"]
