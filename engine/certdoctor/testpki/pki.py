"""TestPKI: the seeded certificate factory (roots, intermediates, leaves, CRLs, CSRs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509

from certdoctor.testpki.extensions import (
    ExtensionList,
    authority_key_id,
    ca_extensions,
    general_name,
    key_identifiers,
    leaf_extensions,
    subject_name,
    url_extensions,
)
from certdoctor.testpki.issued import Issued
from certdoctor.testpki.keys import DEFAULT_KEY, KeySpec, TestPrivateKey, derive_key, digest
from certdoctor.testpki.signing import signed

DEFAULT_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

_SERIAL_LIMIT = 1 << 159


def _utc(value: datetime) -> datetime:
    """Treat naive datetimes as UTC; convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _leaf_key_label(cn: str | None, sans: Sequence[str]) -> str:
    """Default key label of a leaf or CSR: "leaf:" + CN, or "leaf-sans:" + the SANs without a CN."""
    return f"leaf:{cn}" if cn is not None else "leaf-sans:" + ",".join(sans)


def _revoked_entry(entry: Issued | int, revoked_at: datetime) -> x509.RevokedCertificate:
    """One CRL entry for a certificate or a bare serial number, revoked at ``revoked_at``."""
    number = entry.certificate.serial_number if isinstance(entry, Issued) else entry
    return x509.RevokedCertificateBuilder().serial_number(number).revocation_date(revoked_at).build()


class TestPKI:
    """A seeded certificate factory: roots, intermediates, leaves, CRLs and CSRs, reproducibly."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, seed: str = "certdoctor", epoch: datetime = DEFAULT_EPOCH) -> None:
        """Remember the seed and the epoch all default validity windows start at."""
        self.seed = seed
        self.epoch = _utc(epoch)
        self._serial_counts: dict[tuple[str, str], int] = {}

    # -- building blocks ----------------------------------------------------------------------

    def key(self, label: str, spec: KeySpec = DEFAULT_KEY) -> TestPrivateKey:
        """The key for ``label`` and ``spec`` under this PKI's seed (same label => same key)."""
        return derive_key(self.seed, label, spec)

    def serial(self, subject: str, issuer: str) -> int:
        """Next serial for (subject, issuer): hash of seed, both names and an occurrence count.

        Positive, nonzero and below 2**159. Depends only on how many certificates this PKI has
        already issued for the same subject/issuer pair, not on unrelated calls.
        """
        count = self._serial_counts.get((subject, issuer), 0)
        self._serial_counts[(subject, issuer)] = count + 1
        value = int.from_bytes(digest(b"serial", self.seed, subject, issuer, count), "big")
        return value % (_SERIAL_LIMIT - 1) + 1

    def _window(self, days: int, not_before: datetime | None, not_after: datetime | None) -> tuple[datetime, datetime]:
        """Validity: not_before defaults to the epoch, not_after to not_before + days."""
        start = _utc(not_before) if not_before is not None else self.epoch
        end = _utc(not_after) if not_after is not None else start + timedelta(days=days)
        return start, end

    def _issue(
        self,
        *,
        subject: x509.Name,
        subject_key: TestPrivateKey,
        issuer: Issued | None,
        validity: tuple[datetime, datetime],
        hash: str,
        extensions: ExtensionList,
        ski: bool,
        aki: bool,
        serial: int | None,
    ) -> Issued:
        """Build and sign one certificate; issuer None means self-signed with subject_key."""
        signing_key = subject_key if issuer is None else issuer.key
        issuer_name = subject if issuer is None else issuer.certificate.subject
        if serial is None:
            serial = self.serial(subject.rfc4514_string(), issuer_name.rfc4514_string())
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(subject_key.public_key())
            .serial_number(serial)
            .not_valid_before(validity[0])
            .not_valid_after(validity[1])
        )
        for ext, critical in [*extensions, *key_identifiers(subject_key, issuer, ski=ski, aki=aki)]:
            builder = builder.add_extension(ext, critical=critical)
        return Issued(certificate=signed(builder.sign, signing_key, hash, "certificate"), key=subject_key)

    def _ca(
        self,
        cn: str,
        issuer: Issued | None,
        *,
        key: KeySpec,
        days: int,
        not_before: datetime | None,
        not_after: datetime | None,
        hash: str,
        basic_constraints: bool,
        ca: bool,
        path_length: int | None,
        key_usage: bool,
        key_cert_sign: bool,
        subject_extra: Sequence[tuple[str, str]],
        ski: bool,
        aki: bool,
        key_label: str | None,
        crl_urls: Sequence[str],
        ocsp_urls: Sequence[str],
        aia_issuer_urls: Sequence[str],
        serial: int | None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]],
    ) -> Issued:
        """Shared body of root() and intermediate(): CA extensions, then the URLs, then the extras."""
        constraints = ca_extensions(
            basic_constraints=basic_constraints,
            ca=ca,
            path_length=path_length,
            key_usage=key_usage,
            key_cert_sign=key_cert_sign,
        )
        return self._issue(
            subject=subject_name(cn, subject_extra),
            subject_key=self.key(key_label if key_label is not None else f"ca:{cn}", key),
            issuer=issuer,
            validity=self._window(days, not_before, not_after),
            hash=hash,
            extensions=[*constraints, *url_extensions(crl_urls, ocsp_urls, aia_issuer_urls), *extra_extensions],
            ski=ski,
            aki=aki,
            serial=serial,
        )

    # -- public factories ---------------------------------------------------------------------

    def root(
        self,
        cn: str,
        *,
        key: KeySpec = DEFAULT_KEY,
        days: int = 3650,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        hash: str = "sha256",
        basic_constraints: bool = True,
        ca: bool = True,
        path_length: int | None = None,
        key_usage: bool = True,
        key_cert_sign: bool = True,
        subject_extra: Sequence[tuple[str, str]] = (),
        ski: bool = True,
        aki: bool = False,
        key_label: str | None = None,
        crl_urls: Sequence[str] = (),
        ocsp_urls: Sequence[str] = (),
        aia_issuer_urls: Sequence[str] = (),
        serial: int | None = None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> Issued:
        """A self-signed CA: basicConstraints CA:TRUE and keyUsage keyCertSign+cRLSign, critical.

        ``basic_constraints=False`` / ``key_usage=False`` drop those extensions and
        ``key_cert_sign=False`` leaves only digitalSignature+cRLSign, for broken-CA cases.
        ``aki`` (default off, as for most real roots) adds an AKI equal to the SKI.
        """
        return self._ca(
            cn,
            None,
            key=key,
            days=days,
            not_before=not_before,
            not_after=not_after,
            hash=hash,
            basic_constraints=basic_constraints,
            ca=ca,
            path_length=path_length,
            key_usage=key_usage,
            key_cert_sign=key_cert_sign,
            subject_extra=subject_extra,
            ski=ski,
            aki=aki,
            key_label=key_label,
            crl_urls=crl_urls,
            ocsp_urls=ocsp_urls,
            aia_issuer_urls=aia_issuer_urls,
            serial=serial,
            extra_extensions=extra_extensions,
        )

    def intermediate(
        self,
        cn: str,
        issuer: Issued,
        *,
        key: KeySpec = DEFAULT_KEY,
        days: int = 3650,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        hash: str = "sha256",
        basic_constraints: bool = True,
        ca: bool = True,
        path_length: int | None = None,
        key_usage: bool = True,
        key_cert_sign: bool = True,
        subject_extra: Sequence[tuple[str, str]] = (),
        ski: bool = True,
        aki: bool = True,
        key_label: str | None = None,
        crl_urls: Sequence[str] = (),
        ocsp_urls: Sequence[str] = (),
        aia_issuer_urls: Sequence[str] = (),
        serial: int | None = None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> Issued:
        """A CA certificate signed by ``issuer``; same options as root(), plus CRL/AIA URLs.

        Re-issuing the same CN (e.g. as a cross-certificate under another root) reuses the key.
        """
        return self._ca(
            cn,
            issuer,
            key=key,
            days=days,
            not_before=not_before,
            not_after=not_after,
            hash=hash,
            basic_constraints=basic_constraints,
            ca=ca,
            path_length=path_length,
            key_usage=key_usage,
            key_cert_sign=key_cert_sign,
            subject_extra=subject_extra,
            ski=ski,
            aki=aki,
            key_label=key_label,
            crl_urls=crl_urls,
            ocsp_urls=ocsp_urls,
            aia_issuer_urls=aia_issuer_urls,
            serial=serial,
            extra_extensions=extra_extensions,
        )

    def leaf(
        self,
        cn: str | None,
        issuer: Issued | None,
        *,
        sans: Sequence[str] = (),
        eku: Sequence[str] | None = ("serverAuth", "clientAuth"),
        key: KeySpec = DEFAULT_KEY,
        days: int = 730,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        hash: str = "sha256",
        subject_extra: Sequence[tuple[str, str]] = (),
        crl_urls: Sequence[str] = (),
        ocsp_urls: Sequence[str] = (),
        aia_issuer_urls: Sequence[str] = (),
        key_usage: Sequence[str] | None = ("digitalSignature", "keyEncipherment"),
        basic_constraints: bool = True,
        aki: bool = True,
        ski: bool = True,
        key_label: str | None = None,
        san_critical: bool | None = None,
        serial: int | None = None,
        extra_extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> Issued:
        """An end-entity certificate (issuer None = self-signed), e.g. an Expressway server cert.

        ``sans`` entries are IP addresses when they parse as one, else DNS names (wildcards ok;
        ``uri:``/``email:``/``dns:`` prefixes force a type). The SAN extension is present only
        when ``sans`` is non-empty and is critical when the subject is empty (RFC 5280), unless
        ``san_critical`` says otherwise. ``eku``/``key_usage`` None omit those extensions.
        """
        subject = subject_name(cn, subject_extra)
        usage = leaf_extensions(
            subject,
            sans,
            basic_constraints=basic_constraints,
            key_usage=key_usage,
            eku=eku,
            san_critical=san_critical,
        )
        return self._issue(
            subject=subject,
            subject_key=self.key(key_label if key_label is not None else _leaf_key_label(cn, sans), key),
            issuer=issuer,
            validity=self._window(days, not_before, not_after),
            hash=hash,
            extensions=[*usage, *url_extensions(crl_urls, ocsp_urls, aia_issuer_urls), *extra_extensions],
            ski=ski,
            aki=aki,
            serial=serial,
        )

    def crl(
        self,
        issuer: Issued,
        revoked: Sequence[Issued | int] = (),
        *,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
        days: int = 30,
        hash: str = "sha256",
        crl_number: int = 1,
        revocation_date: datetime | None = None,
        aki: bool = True,
    ) -> x509.CertificateRevocationList:
        """A CRL signed by ``issuer`` listing the given certificates or serial numbers.

        this_update defaults to the epoch, next_update to this_update + days, and each entry's
        revocation date to this_update.
        """
        start, end = self._window(days, this_update, next_update)
        revoked_at = _utc(revocation_date) if revocation_date is not None else start
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.certificate.subject)
            .last_update(start)
            .next_update(end)
            .add_extension(x509.CRLNumber(crl_number), critical=False)
        )
        if aki:
            builder = builder.add_extension(authority_key_id(issuer), critical=False)
        for entry in revoked:
            builder = builder.add_revoked_certificate(_revoked_entry(entry, revoked_at))
        return signed(builder.sign, issuer.key, hash, "crl")

    def csr(
        self,
        cn: str,
        *,
        sans: Sequence[str] = (),
        key: KeySpec = DEFAULT_KEY,
        key_label: str | None = None,
        subject_extra: Sequence[tuple[str, str]] = (),
        hash: str = "sha256",
    ) -> x509.CertificateSigningRequest:
        """A CSR as Expressway would generate it; shares the key of leaf() for the same CN."""
        subject_key = self.key(key_label if key_label is not None else _leaf_key_label(cn, sans), key)
        builder = x509.CertificateSigningRequestBuilder().subject_name(subject_name(cn, subject_extra))
        if sans:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([general_name(s) for s in sans]), critical=False
            )
        return signed(builder.sign, subject_key, hash, "csr")
