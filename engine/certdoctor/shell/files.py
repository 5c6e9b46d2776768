"""What `load` and `probe` read into the session: roles, files (a PKCS#12 opened with --password), live chains.

A password opens the file here and goes no further: the certificates it opened enter the turn as PEM
text (for the upload file, as a .pfx holding those certificates only), so neither the password nor the
private key reaches the conversation, a saved case or the notes. A locked .pfx loaded as the upload file
without a password is judged for what it is (upload.invalid-format).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certdoctor.case import CertificateSource, data_uri
from certdoctor.conversation import Turn
from certdoctor.errors import InputError
from certdoctor.kb import Lang
from certdoctor.x509.load import LoadedFile, Unreadable

#: Friendly names for where a file goes (`load ROLE PATH`); a full case-file path works too.
ROLES: dict[str, tuple[str, str]] = {
    "expressway_c": ("expressway_c.certificate", "Expressway-C server certificate (single box)"),
    "expressway_e": ("expressway_e.certificate", "Expressway-E server certificate (single box)"),
    "expressway_c-node1": ("expressway_c.nodes[0].certificate", "Expressway-C cluster peer 1 certificate"),
    "expressway_c-node2": ("expressway_c.nodes[1].certificate", "Expressway-C cluster peer 2 certificate"),
    "expressway_e-node1": ("expressway_e.nodes[0].certificate", "Expressway-E cluster peer 1 certificate"),
    "expressway_e-node2": ("expressway_e.nodes[1].certificate", "Expressway-E cluster peer 2 certificate"),
    "expressway_c-trust": ("expressway_c.trusted_cas", "Expressway-C trusted CA list"),
    "expressway_e-trust": ("expressway_e.trusted_cas", "Expressway-E trusted CA list"),
    "cucm": ("cucm.nodes[0].certificate", "Unified CM tomcat certificate"),
    "cucm-callmanager": ("cucm.nodes[0].callmanager_certificate", "Unified CM CallManager certificate"),
    "cucm-tomcat-trust": ("cucm.tomcat_trust", "Unified CM tomcat-trust"),
    "cucm-callmanager-trust": ("cucm.callmanager_trust", "Unified CM CallManager-trust"),
    "upload": ("upload.file", "the file whose upload fails"),
    "upload-key": ("upload.key", "its private key (read for the key match only, never shown or saved)"),
    "crl": ("crls", "a CRL the diagnosis may use"),
}
LOAD_USAGE = "usage: load ROLE PATH [--password X]"
#: `--password X`, `--password=X` or a quoted password, as typed (for hiding it in echoes and history).
_PASSWORD = re.compile(r"""(--password)(?:=|\s+)(?:"[^"]*"|'[^']*'|\S+)""")


def hide_password(line: str) -> str:
    """The line with any --password value replaced by ***: what may be echoed or kept in the history."""
    return _PASSWORD.sub(r"\1 ***", line)


def role_field(name: str) -> str:
    """The case-file path a role name (or a case-file path) means."""
    if name in ROLES:
        return ROLES[name][0]
    if "." in name or name in ("crls",):
        return name
    raise InputError(name, "unknown role (see `help roles`)")


def role_name(field_path: str) -> str:
    """The role name of a case-file path, as `load` takes it (the path itself when no role names it)."""
    return next((name for name, (path, _) in ROLES.items() if path == field_path), field_path)


def _words(rest: str, command: str) -> list[str]:
    """The arguments of a command, split as a shell would; an unclosed quote is one line naming the command."""
    try:
        return shlex.split(rest)
    except ValueError:
        raise InputError(command, "a quote is not closed") from None


@dataclass(frozen=True)
class Read:
    """A turn made from a file or a server: the turn, what to print, and where it came from (undo names it)."""

    turn: Turn
    summary: str
    origin: str
    probed: bool = False


def _password(args: list[str]) -> tuple[list[str], bytes | None]:
    """The arguments without --password and its value, and the password (None when not given)."""
    rest: list[str] = []
    password: bytes | None = None
    items = iter(args)
    for arg in items:
        if arg == "--password":
            value = next(items, None)
            if value is None:
                raise InputError("load", "--password needs a value: " + LOAD_USAGE)
            password = value.encode("utf-8")
        elif arg.startswith("--password="):
            password = arg.removeprefix("--password=").encode("utf-8")
        else:
            rest.append(arg)
    return rest, password


def load_turn(rest: str, base_dir: Path, lang: Lang = "en") -> Read:
    """`load ROLE PATH [--password X]`: the turn that puts the file in the case, and a one-line summary."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from certdoctor.x509.load import read_file

    args, password = _password(_words(rest, "load"))
    if len(args) != 2:
        raise InputError("load", LOAD_USAGE)
    field_path, path = role_field(args[0]), Path(args[1]).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if password is None:
        found = CertificateSource(None, "load").read(str(path), field_path)
        if isinstance(found, Unreadable) and found.locked:
            if field_path == "upload.file":  # judged for what it is: a .pfx is not what the upload page takes
                return Read(
                    Turn(certificates={field_path: str(path)}),
                    f"{path.name} -> {field_path}: a password-protected PKCS#12; judged as a .pfx without the "
                    f"password (`load {args[0]} {path.name} --password ...` shows what it holds)",
                    path.name,
                )
            raise InputError(
                str(path.name),
                f"is a password-protected PKCS#12 (.pfx/.p12): `load {args[0]} {path.name} --password ...` opens it",
            )
        loaded = CertificateSource(None, "load").load(str(path), field_path)
        turn = Turn(certificates={field_path: str(path)})
    elif field_path == "upload.key":
        raise InputError(
            args[0],
            "Expressway's upload page takes no PKCS#12 and no password-protected key, and the session keeps no "
            f"password: export the key as PEM (openssl pkcs12 -in {path.name} -nocerts -nodes -out server.key) "
            "and load that",
        )
    elif field_path == "upload.file":
        return _opened_upload(read_file(path, password), path, field_path)
    else:
        loaded = read_file(path, password)
        pems = [c.public_bytes(Encoding.PEM) for c in loaded.certificates] + [
            c.public_bytes(Encoding.PEM) for c in loaded.crls
        ]
        turn = Turn(certificates={field_path: b"".join(pems).decode("ascii")})
    if field_path.endswith(".key"):
        if not loaded.private_keys:
            raise InputError(str(path), "holds no private key")
        return Read(turn, f"{path.name} -> {field_path}: a private key (not shown)", path.name)
    if not (loaded.certificates or loaded.crls):
        raise InputError(str(path), f"holds no certificate or CRL ({loaded.format.value})")
    summary = f"{path.name} -> {field_path}: {summary_of(loaded.certificates, len(loaded.crls), lang)}"
    if password is not None:
        summary += "; opened with the password, its certificates kept as PEM (the key and the password are not)"
    return Read(turn, summary, path.name)


def _opened_upload(loaded: LoadedFile, path: Path, field_path: str) -> Read:
    """An upload file opened with its password: its certificates as a .pfx holding nothing else.

    The format stays what the customer has (the upload page takes no .pfx), while the key and the password
    stay out of the turn; the summary names the certificates and says whether a key was inside, never the key.
    """
    from certdoctor.x509.naming import label
    from certdoctor.x509.pkcs12 import certificates_only

    if not loaded.certificates:
        raise InputError(str(path), f"holds no certificate ({loaded.format.value})")
    names = ", ".join(label(c) for c in loaded.certificates)
    key = "a private key inside (not shown, not kept)" if loaded.private_keys else "no private key inside"
    summary = (
        f"{path.name} -> {field_path}: opened with the password: {len(loaded.certificates)} certificate(s) "
        f"({names}); {key}; kept as a .pfx of its certificates only (the key and the password are not)"
    )
    return Read(Turn(certificates={field_path: data_uri(certificates_only(loaded.certificates))}), summary, path.name)


def probe_turn(
    rest: str, fetch: Callable[[str, int, str | None, float], list[bytes]] | None, lang: Lang = "en"
) -> Read:
    """`probe ROLE HOST[:PORT] [SNI]`: the chain the server presents, as a turn."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from certdoctor.conversation import certificate_text
    from certdoctor.shell.probe import fetch_chain, parse_target
    from certdoctor.x509.load import parse_bytes

    args = _words(rest, "probe")
    if len(args) not in (2, 3):
        raise InputError("probe", "usage: probe ROLE HOST[:PORT] [SNI]")
    field_path = role_field(args[0])
    if not field_path.endswith("certificate"):
        raise InputError(args[0], "probe fetches a server's certificate: give a certificate role")
    host, port = parse_target(args[1])
    ders = (fetch or fetch_chain)(host, port, args[2] if len(args) == 3 else None, 5.0)
    certs = [c for der in ders for c in parse_bytes(der, f"{host}:{port}").certificates]
    pem = certificate_text(field_path, b"".join(c.public_bytes(Encoding.PEM) for c in certs))
    summary = f"{host}:{port} -> {field_path}: {summary_of(certs, 0, lang)}"
    return Read(Turn(certificates={field_path: pem}), summary, f"{host}:{port}", probed=True)


def summary_of(certs: list[Any], crls: int, lang: Lang = "en") -> str:
    """How many certificates and CRLs, the first certificate and its end of validity."""
    from certdoctor.wording import say
    from certdoctor.x509.naming import label

    parts = [say("shell.certs", lang, n=len(certs))] if certs else []
    if certs:
        until = f"{certs[0].not_valid_after_utc:%Y-%m-%d}"
        parts.append(say("shell.first", lang, label=label(certs[0]), until=until))
    if crls:
        parts.append(say("shell.crls", lang, n=crls))
    return "; ".join(parts)
