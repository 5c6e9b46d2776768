"""cert.* scenarios on the basics: names, CA trust, expiry and revocation of a certificate."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import PAIR_ONLY, SEED_BASICS, SEED_CHAIN, SEED_MRA, SINGLE, Scenario
from ..texts import (
    CA_NOT_RECOGNIZED,
    IN_IDENTITY,
    IN_SELF_SIGNED,
    JABBER_CN_NO_MATCH,
    JABBER_IDENTITY,
    JABBER_LERR_CUP,
    OUT_IDENTITY,
    TS_SSL_FAILED,
    UNKNOWN_ISSUER,
)


def scenarios() -> Iterator[Scenario]:
    """Certificate basics: name mismatch, untrusted CA, expired, revoked."""
    g = "cert.name-mismatch"
    yield Scenario(
        g,
        "renamed-e-ptr-alarm",
        "Expressway-E host name changed to vcse.example.com; its certificate still names expe.example.com and "
        "the PTR check alarm fires",
        SEED_BASICS,
        {
            "zone_status": "Active",
            "alarms": [
                "25031 Certificate verification failed: FQDN in PTR record for address 198.51.100.10 does not "
                "match with SAN entries presented in certificate of that Server with IP 198.51.100.10 ."
            ],
            "log_lines": [
                "XCP_CM2: Certificate verification failed for host=198.51.100.10, additional info: Invalid Hostname"
            ],
        },
        {"top": g, "excludes": ["zone.peer-address-mismatch", "jabber.edge-domain-not-in-san"]},
        ("e-renamed",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "jabber-cn-no-match-renamed-e",
        "Jabber logs CN_NO_MATCH for vcse.example.com after the Expressway-E was renamed",
        SEED_BASICS,
        {"jabber_warning": True, "log_lines": [JABBER_CN_NO_MATCH, JABBER_IDENTITY]},
        {"top": g, "excludes": ["jabber.edge-domain-not-in-san"]},
        ("e-renamed",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-peer-addresses-in-capitals",
        "Peer addresses typed in capitals (names compare case-insensitively); the zone is down because "
        "Expressway-E lacks the C's CA",
        SEED_BASICS,
        {"zone_status": "Failed", "log_lines": [IN_SELF_SIGNED]},
        {"top": "zone.ca-not-trusted", "excludes": [g, "zone.peer-address-mismatch"]},
        ("e-trust-missing",),
        patch={"expressway_c.traversal_zone.peer_addresses": ["EXPE1.EXAMPLE.COM", "EXPE2.EXAMPLE.COM"]},
    )

    g = "cert.untrusted-ca"
    yield Scenario(
        g,
        "ldap-server-ca-missing-alarm",
        "Alarm 40029: the CA certificate of the LDAP server used for authentication is missing from the trusted "
        "CA list (no file at hand)",
        SEED_BASICS,
        {"alarms": ["40029 LDAP server CA certificate is missing"]},
        {"top": g},
        certificates=False,
    )
    yield Scenario(
        g,
        "single-box-unable-to-get-issuer",
        "Single Expressway-E does not trust the C's issuing CA: 'unable to get local issuer certificate'",
        SEED_BASICS,
        {"zone_status": "Failed", "log_lines": [UNKNOWN_ISSUER]},
        {"top": "zone.ca-not-trusted", "folded": [g]},
        ("e-trust-missing",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "im-and-presence-lerr-cup-cert",
        "Jabber LERR_CUP_CERT at MRA sign-in; the Unified CM / IM&P certificates come from a CA the "
        "Expressway-C does not trust",
        SEED_BASICS,
        {"mra_login": "failed", "log_lines": [JABBER_LERR_CUP, TS_SSL_FAILED]},
        {"top": "mra.expressway-c-does-not-trust-cucm", "folded": [g]},
        ("cucm-other-ca",),
    )
    yield Scenario(
        g,
        "near-miss-all-chains-trusted-jabber",
        "Jabber 'Login Error: Certificate not valid.' though every chain is trusted: the sign-in domain is "
        "missing from the Expressway-E certificate",
        SEED_BASICS,
        {"jabber_warning": "Login Error: Certificate not valid."},
        {"top": "jabber.edge-domain-not-in-san", "excludes": [g]},
        ("jabber-domain",),
    )

    g = "cert.expired"
    yield Scenario(
        g,
        "e-expired-alarm-40068",
        "Traversal zone Failed; Expressway-E raises alarm 40068, its server certificate expired",
        SEED_BASICS,
        {"zone_status": "Failed", "alarms": ["40068"]},
        {"top": g, "excludes": ["zone.peer-address-mismatch", "zone.tls-verify-name-mismatch"]},
        ("e-expired",),
    )
    yield Scenario(
        g,
        "dutch-jabber-single-box",
        "Jabber meldt 'Het certificaat is verlopen' bij aanmelding via MRA; enkele Expressway-E",
        SEED_BASICS,
        {"jabber_warning": "Het certificaat is verlopen"},
        {"top": g, "excludes": ["jabber.edge-domain-not-in-san"]},
        ("e-expired",),
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "x12-mra-fails-expired-e",
        "MRA fails on X12.7 (traffic server checks not enforced yet) with the Expressway-E certificate expired "
        "and the Expressway-C chain never uploaded to Unified CM",
        SEED_BASICS,
        {
            "mra_login": "failed",
            "version": "X12.7",
            "alarms": ["Server certificate validity: Server certificate expired"],
        },
        {"top": g, "excludes": ["mra.expressway-c-does-not-trust-cucm"]},
        ("e-expired", "cucm-trust-missing"),
    )
    yield Scenario(
        g,
        "near-miss-renewal-before-expiry-refused",
        "Renewing the Expressway-E certificate weeks before it expires: upload refused, CA not recognised "
        "(nothing has expired)",
        SEED_CHAIN,
        {"upload_error": CA_NOT_RECOGNIZED, "upload_page": "server-certificate"},
        {"top": "upload.untrusted-chain", "excludes": [g]},
        ("upload-untrusted",),
    )

    g = "cert.revoked"
    yield Scenario(
        g,
        "node1-revoked-crl-checking-on",
        "Traversal zone Failed to Expressway-E node 1, whose certificate the CA revoked; CRL checking is on",
        SEED_BASICS,
        {"zone_status": "Failed"},
        {"top": g, "excludes": ["zone.ca-not-trusted", "zone.peer-address-mismatch"]},
        ("e-revoked",),
        answers={"crl_checking": "yes"},
    )
    yield Scenario(
        g,
        "single-box-revoked-mra-fails",
        "Single Expressway-E certificate revoked after a key compromise report; MRA fails",
        SEED_BASICS,
        {"mra_login": "failed"},
        {"top": g},
        ("e-revoked",),
        answers={"crl_checking": "yes"},
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "revoked-but-checking-off",
        "Security team reports node 1's certificate revoked; revocation checking is off, so the zone still "
        "works, but the certificate must be replaced",
        SEED_BASICS,
        {"zone_status": "Active"},
        {"top": g, "excludes": ["crl.unavailable"]},
        ("e-revoked",),
        answers={"crl_checking": "no"},
    )
    yield Scenario(
        g,
        "near-miss-crl-lists-replaced-certificate",
        "The supplied CRL revokes the replaced Expressway-E certificate, not the one in use; the zone is down "
        "because of the peer address",
        SEED_BASICS,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "excludes": [g]},
        ("crl-old-revoked", "peer-address"),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "cert.revoked",
        "revoked-checking-unknown",
        "The Expressway-E node 1 certificate appears on the issuing CA's CRL; whether CRL checking is on is not known",
        SEED_BASICS,
        {"zone_status": "Failed"},
        {"top": "cert.revoked"},
        ("e-revoked",),
    )
    # a revoked CA, not a revoked server certificate: every path through it fails, on whichever side
    yield Scenario(
        g,
        "intermediate-revoked-on-e-chain",
        "Traversal zone Failed: the root CA revoked Expressway-E's issuing CA, which both E nodes send in their "
        "chain; CRL checking is on",
        SEED_BASICS,
        {"zone_status": "Failed"},
        {"top": g, "excludes": ["zone.ca-not-trusted", "ssh.intermediate-not-trusted"]},
        ("revoked-intermediate-e",),
        answers={"crl_checking": "yes"},
    )
    yield Scenario(
        g,
        "cucm-issuing-ca-revoked-mra-fails",
        "MRA sign-in fails after the upgrade: the Voice Root CA revoked the CA that issued the Unified CM "
        "certificates; Expressway-C trusts both CAs",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1", "recent_changes": ["upgrade"]},
        {"top": g, "excludes": ["mra.expressway-c-does-not-trust-cucm", "crl.unavailable"]},
        ("revoked-ca-cucm",),
        answers={"crl_checking": "yes"},
    )
    yield Scenario(
        g,
        "near-miss-root-crl-revokes-a-retired-ca",
        "The root CA's CRL lists a retired intermediate, not the Lab Edge CA Expressway-E uses; the zone is down "
        "because of the peer address",
        SEED_BASICS,
        {"zone_status": "Failed", "log_lines": [OUT_IDENTITY]},
        {"top": "zone.peer-address-mismatch", "excludes": [g, "crl.unavailable"]},
        ("root-crl-unrelated", "peer-address"),
    )
    yield Scenario(
        g,
        "near-miss-voice-crl-revokes-another-serial",
        "The Voice Root CA's CRL revokes another serial, not the CA of the Unified CM certificates; MRA fails "
        "because Expressway-C added Unified CM by IP address",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1"},
        {"top": "mra.expressway-c-does-not-trust-cucm", "excludes": [g]},
        ("cucm-crl-unrelated", "cucm-by-ip"),
    )
    # the files decide it: every certificate is valid, whatever the symptoms say
    yield Scenario(
        "cert.expired",
        "near-miss-expires-in-21-days",
        "Alarm 40069 'Server certificate expires in 21 days' on the Expressway-E and the zone is Failed; "
        "nothing has expired yet: the Expressway-E verifies a single Expressway-C node name",
        SEED_BASICS,
        {
            "zone_status": "Failed",
            "alarms": ["40069 Server certificate expires in 21 days"],
            "log_lines": [IN_IDENTITY],
        },
        {"top": "zone.tls-verify-name-mismatch", "ruled_out": ["cert.expired"]},
        ("tls-verify-name",),
    )
