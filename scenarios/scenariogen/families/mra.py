"""mra.* scenarios: MRA sign-in failing on trust between Expressway-C and Unified CM."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import DROP, SEED_MRA, SINGLE, TS218018, Scenario
from ..texts import CUCM_UNKNOWN_CA, TS_SELF_SIGNED, TS_SNI, TS_SSL_FAILED, TS_UNKNOWN_CA


def scenarios() -> Iterator[Scenario]:
    """MRA sign-in failures: Unified CM lacks the C chain, or the C rejects Unified CM."""
    g = "mra.cucm-does-not-trust-expressway-c"
    yield Scenario(
        g,
        "upgrade-to-x14-0-2",
        "MRA sign-in fails after upgrading X12.7 to X14.0.2; Unified CM tomcat-trust and CallManager-trust lack "
        "the Expressway-C CA chain",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.0.2", "previous_version": "X12.7", "log_lines": [CUCM_UNKNOWN_CA]},
        {"top": g, "excludes": ["mra.expressway-c-does-not-trust-cucm"]},
        ("cucm-trust-missing",),
    )
    yield Scenario(
        g,
        "renewal-callmanager-trust-only",
        "After the Expressway-C renewal MRA fails on X14.2.1: the chain was added to tomcat-trust but not to "
        "CallManager-trust",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1", "recent_changes": ["certificate-renewal"]},
        {"top": g},
        ("cucm-callmanager-trust-missing",),
    )
    yield Scenario(
        g,
        "single-box-unknown-ca-log",
        "Single Expressway pair on X14.3: Unified CM logs 'tlsv1 alert unknown ca' towards the Expressway-C",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.3.0", "log_lines": [CUCM_UNKNOWN_CA]},
        {"top": g, "folded": ["cert.untrusted-ca"]},
        ("cucm-trust-missing",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-c-rejects-cucm",
        "MRA fails after the upgrade, but Unified CM trusts the Expressway-C: it is the C that rejects the "
        "self-signed Unified CM certificates",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1", "recent_changes": ["upgrade"]},
        {"top": "mra.expressway-c-does-not-trust-cucm", "ruled_out": [g]},
        ("c-untrusts-cucm",),
    )

    yield Scenario(
        "mra.cucm-does-not-trust-expressway-c",
        "near-miss-x12-not-enforced",
        "MRA sign-in fails on X12.7 and Unified CM's CallManager-trust lacks the Expressway-C CA, but before "
        "X14.0.2 the traffic server does not present its certificate to Unified CM",
        SEED_MRA,
        {"mra_login": "failed", "version": "X12.7"},
        {"excludes": ["mra.cucm-does-not-trust-expressway-c"]},
        ("cucm-callmanager-trust-missing",),
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "mra.cucm-does-not-trust-expressway-c",
        "tomcat-trust-missing-on-x14",
        "X14.2.1, MRA sign-in fails; Unified CM tomcat-trust and CallManager-trust lack the Expressway-C CA",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1"},
        {"top": "mra.cucm-does-not-trust-expressway-c"},
        ("cucm-trust-missing",),
    )

    g = "mra.expressway-c-does-not-trust-cucm"
    yield Scenario(
        g,
        "near-miss-x12-self-signed-cucm",
        "Self-signed Unified CM certificates on X12.7: the traffic server does not verify them before X14.0.2, "
        "so they do not explain the failing MRA sign-in",
        TS218018,
        {"mra_login": "failed", "version": "X12.7"},
        {"excludes": [g]},
        ("c-untrusts-cucm",),
    )
    yield Scenario(
        g,
        "self-signed-cucm-after-upgrade",
        "After upgrading to X14.2.1 the traffic server terminates Unified CM connections: self-signed tomcat "
        "certificate, depth=0",
        TS218018,
        {
            "mra_login": "failed",
            "version": "X14.2.1",
            "recent_changes": ["upgrade"],
            "log_lines": [TS_SELF_SIGNED, TS_SSL_FAILED],
        },
        {"top": g, "folded": ["cert.untrusted-ca"], "excludes": ["mra.cucm-does-not-trust-expressway-c"]},
        ("c-untrusts-cucm",),
    )
    yield Scenario(
        g,
        "cucm-added-by-ip",
        "Unified CM added on Expressway-C by IP address: 'SNI (10.48.36.215) not in certificate'",
        TS218018,
        {"mra_login": "failed", "version": "X14.2.1", "log_lines": [TS_SNI]},
        {"top": g, "folded": ["cert.name-mismatch"], "excludes": ["mra.cucm-does-not-trust-expressway-c"]},
        ("cucm-by-ip",),
    )
    yield Scenario(
        g,
        "cucm-private-voice-ca",
        "Unified CM certificates signed by a separate voice CA that Expressway-C never trusted (depth=1)",
        TS218018,
        {"mra_login": "failed", "version": "X14.2.1", "log_lines": [TS_UNKNOWN_CA]},
        {"top": g, "folded": ["cert.untrusted-ca"]},
        ("cucm-other-ca",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-cucm-lacks-c-chain",
        "MRA fails with 'tlsv1 alert unknown ca' in the Unified CM log; Expressway-C trusts Unified CM and "
        "uses its FQDN",
        TS218018,
        {"mra_login": "failed", "version": "X14.2.1", "log_lines": [CUCM_UNKNOWN_CA]},
        {"top": "mra.cucm-does-not-trust-expressway-c", "ruled_out": [g]},
        ("cucm-trust-missing",),
    )
    # the files that decide it are missing: a hypothesis that names them
    yield Scenario(
        "mra.cucm-does-not-trust-expressway-c",
        "cucm-trust-lists-not-exported",
        "MRA fails on X14.2.1 with 'tlsv1 alert unknown ca' in the Unified CM log; the customer sent the "
        "certificates but not Unified CM's tomcat-trust and CallManager-trust lists",
        SEED_MRA,
        {"mra_login": "failed", "version": "X14.2.1", "log_lines": [CUCM_UNKNOWN_CA]},
        {"top": "mra.cucm-does-not-trust-expressway-c", "decide_with": ["mra.cucm-does-not-trust-expressway-c"]},
        ("cucm-trust-missing",),
        patch={"cucm.tomcat_trust": DROP, "cucm.callmanager_trust": DROP},
    )
    # one trust list complete, the other not: only tomcat-trust lacks the Expressway-C chain
    yield Scenario(
        "mra.cucm-does-not-trust-expressway-c",
        "tomcat-trust-only-missing",
        "X14.2.1: the Expressway-C chain was added to CallManager-trust but not to tomcat-trust",
        SEED_MRA,
        {"version": "X14.2.1"},
        {"top": "mra.cucm-does-not-trust-expressway-c"},
        ("cucm-trust-missing",),
        borrow={"cucm.callmanager_trust.0": ((), "cucm.callmanager_trust.0")},
    )
