"""Fetch the certificate chain a live TLS server presents (no validation: the point is to judge it)."""

from __future__ import annotations

import socket
import ssl

from certdoctor.errors import InputError
from certdoctor.limits import MAX_PROBE_CERTIFICATES
from certdoctor.x509.names import host_a_labels


def parse_target(text: str, default_port: int = 443) -> tuple[str, int]:
    """HOST, HOST:PORT or [IPv6]:PORT as (host, port); an internationalised name as A-labels (xn--)."""
    host, port = text, default_port
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = _port(text, rest[1:])
    elif text.count(":") == 1:
        host, _, p = text.partition(":")
        port = _port(text, p)
    if not host:
        raise InputError(text, "no host name")
    return host_a_labels(host, text), port


def _port(text: str, value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise InputError(text, f"'{value}' is not a TCP port")
    return int(value)


def fetch_chain(host: str, port: int, sni: str | None = None, timeout: float = 5.0) -> list[bytes]:
    """The DER certificates the server sends (leaf first, at most MAX_PROBE_CERTIFICATES), unvalidated; clear errors.

    Host and SNI go out as A-labels: Python's socket and ssl modules take IDNA 2003 only, and raise
    UnicodeError (not OSError) on names they cannot encode.
    """
    host = host_a_labels(host, f"{host}:{port}")
    sni = host_a_labels(sni, "SNI") if sni else None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    target = f"{host}:{port}"
    server_name = sni or (None if _is_ip(host) else host)
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            raw.settimeout(timeout)
            with context.wrap_socket(raw, server_hostname=server_name) as tls:
                chain = _unverified_chain(tls)
    except TimeoutError:
        raise InputError(target, f"no answer within {timeout:g} s") from None
    except ssl.SSLError as exc:
        raise InputError(target, f"not a TLS server, or the handshake failed ({exc.reason or exc})") from None
    except ConnectionRefusedError:
        raise InputError(target, "connection refused (nothing listens on that port)") from None
    except OSError as exc:
        raise InputError(target, f"cannot connect: {exc.strerror or exc}") from None
    if not chain:
        raise InputError(target, "the server sent no certificate")
    return chain[:MAX_PROBE_CERTIFICATES]


def _unverified_chain(tls: ssl.SSLSocket) -> list[bytes]:
    """Every certificate the peer sent; Python < 3.13 has it only on the private SSL object."""
    private = getattr(tls, "_sslobj", None)
    getter = getattr(tls, "get_unverified_chain", None) or getattr(private, "get_unverified_chain", None)
    if getter is not None:
        chain = getter() or []
        return [c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER) for c in chain]  # type: ignore[attr-defined]
    leaf = tls.getpeercert(binary_form=True)
    return [leaf] if leaf else []


def _is_ip(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True
