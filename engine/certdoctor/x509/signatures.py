"""Signature checks done with the issuer's public key, so SHA-1 and PSS work as OpenSSL does."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa


def _verify(
    public_key: object, signature: bytes, data: bytes, obj: x509.Certificate | x509.CertificateRevocationList
) -> bool:
    """Check one signature over data with public_key, per the object's signature algorithm."""
    try:
        params = obj.signature_algorithm_parameters
        hash_alg = obj.signature_hash_algorithm
        if isinstance(public_key, rsa.RSAPublicKey):
            pad = params if isinstance(params, padding.PSS | padding.PKCS1v15) else padding.PKCS1v15()
            if hash_alg is None:
                return False
            public_key.verify(signature, data, pad, hash_alg)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            if hash_alg is None:
                return False
            public_key.verify(signature, data, ec.ECDSA(hash_alg))
        elif isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            public_key.verify(signature, data)
        elif isinstance(public_key, dsa.DSAPublicKey):
            if hash_alg is None:
                return False
            public_key.verify(signature, data, hash_alg)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when issuer's key produced cert's signature (any hash, SHA-1 included)."""
    try:
        public_key = issuer.public_key()
        return _verify(public_key, cert.signature, cert.tbs_certificate_bytes, cert)
    except (UnsupportedAlgorithm, ValueError):
        return False


def crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    """True when issuer's key produced the CRL's signature."""
    try:
        public_key = issuer.public_key()
        return _verify(public_key, crl.signature, crl.tbs_certlist_bytes, crl)
    except (UnsupportedAlgorithm, ValueError):
        return False
