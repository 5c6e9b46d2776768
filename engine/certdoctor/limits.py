"""Documented limits that keep hostile or accidental input bounded (see docs/certificates.md, "Limits")."""

from __future__ import annotations

#: Largest certificate, trust-list, CRL or bundle file read; larger files are refused before parsing.
MAX_FILE_BYTES = 8 * 1024 * 1024

#: Most certificates taken from one file (a large CA bundle holds a few hundred).
MAX_CERTIFICATES_PER_FILE = 20_000

#: Longest path the chain builder follows (OpenSSL's default verify depth is 100).
MAX_CHAIN_DEPTH = 100

#: Most issuer candidates tried in total while building one path; bounds pathological inputs.
MAX_PATH_BUILDING_STEPS = 2_000
