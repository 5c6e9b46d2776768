"""trust.* scenarios: trusted CA lists holding two CAs of the same name."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import SEED_ZONE, SINGLE, TS218018, Scenario
from ..texts import IN_IDENTITY, TS_SSL_FAILED


def scenarios() -> Iterator[Scenario]:
    """Trusted CA lists with duplicate CA common names."""
    g = "trust.duplicate-ca-cn"
    origin = "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/213872-configure-and-troubleshoot-collaboration.html"
    yield Scenario(
        g,
        "stale-root-same-name",
        "Expressway-C trusted list holds a stale 'Lab Root CA' above the current one; traffic server "
        "verification failures",
        origin,
        {"mra_login": "failed", "log_lines": [TS_SSL_FAILED]},
        {"top": g},
        ("duplicate-ca",),
    )
    yield Scenario(
        g,
        "cucm-self-signed-same-cn",
        "Self-signed Unified CM tomcat and CallManager certificates (same CN) both uploaded to Expressway-C "
        "(CSCwa12905)",
        TS218018,
        {"mra_login": "failed", "version": "X14.2.1"},
        {"top": g, "excludes": ["mra.cucm-does-not-trust-expressway-c"]},
        ("cucm-self-signed-dup",),
        layout=SINGLE,
    )
    yield Scenario(
        g,
        "near-miss-root-reissued-same-key",
        "The root appears twice in the C list (original and a re-issue with the same key, not a conflicting "
        "CA); the zone is down because of the TLS verify name",
        SEED_ZONE,
        {"zone_status": "Failed", "log_lines": [IN_IDENTITY]},
        {"top": "zone.tls-verify-name-mismatch", "excludes": [g]},
        ("c-root-reissued", "tls-verify-name"),
    )
    # the files decide it: no trusted list holds two CAs with one subject
    yield Scenario(
        "trust.duplicate-ca-cn",
        "near-miss-no-duplicate-self-signed-cucm",
        "The traffic server rejects Unified CM on X14.2.1; no trusted list holds two CAs of one name: the "
        "self-signed Unified CM certificates were never added to Expressway-C",
        TS218018,
        {"mra_login": "failed", "version": "X14.2.1", "log_lines": [TS_SSL_FAILED]},
        {"top": "mra.expressway-c-does-not-trust-cucm", "ruled_out": ["trust.duplicate-ca-cn"]},
        ("c-untrusts-cucm",),
    )
