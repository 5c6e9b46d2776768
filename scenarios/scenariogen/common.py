"""What every family module shares: the Scenario specification, deployment layouts and the sources cited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DROP = object()  # patch value: remove the key

# ----------------------------------------------------------------------------------------- origins

SEED_UPLOAD = "seed: Uploaden van expresswaycertificaten mislukt"
SEED_FORMAT = "seed: Ongeldige certificaatindeling"
SEED_CHAIN = "seed: Onbetrouwbare CA-certificaatketen"
SEED_ZONE = "seed: Traverse Zone omlaag met fout TLS-onderhandelingsfout"
SEED_SSH = "seed: Traverse Zone omhoog maar SSH-tunnels omlaag na een certificaatverlenging"
SEED_MRA = "seed: Aanmelden bij mobiele en externe toegang mislukt na een upgrade of verlenging van het certificaat"
SEED_JABBER = "seed: Certificaatalarm bij Jabber bij aanmelding van mobiele en externe toegang"
SEED_BASICS = "seed: Grondbeginsel"
TS218018 = (
    "https://www.cisco.com/c/en/us/support/docs/unified-communications/expressway/"
    "218018-troubleshoot-expressway-traffic-server-c.html"
)
MRA_TS = (
    "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-2/mra/"
    "exwy_b_mra-deployment-guide-x142/exwy_m_mra-troubleshooting.html"
)
REFERENCE = (
    "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/admin_guide/X14-2/"
    "exwy_b_cisco-expressway-administrator-guide-x142/exwy_m_reference-material-x142.html"
)
CERT_GUIDE_TS = (
    "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0/cert_creation_use/"
    "exwy_b_cisco-expressway-certificate-creation-and-use-deployment-guide-x14-0/"
    "exwy_b_certificate-creation-use-deployment-guide_chapter_01000.html"
)
CLUSTER_GUIDE = (
    "https://www.cisco.com/c/en/us/td/docs/voice_ip_comm/expressway/config_guide/X14-0-2/cluster_creation_maint/"
    "exwy_b_cisco-expressway-cluster-creation-and-maintenance-deployment-guide-x1402/"
    "exwy_b_cluster-creation-maintenance-deployment-guide_chapter_011.html"
)

# ----------------------------------------------------------------------------------- specification


@dataclass(frozen=True)
class Scenario:
    """One scenario: where it goes, what the customer reports, the deployment behind it, what must rank."""

    group: str
    slug: str
    title: str
    origin: str
    symptoms: dict[str, Any]
    expect: dict[str, Any]
    faults: tuple[str, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    layout: dict[str, Any] = field(default_factory=dict)  # write_deployment options (c_nodes, cucm, ...)
    patch: dict[str, Any] = field(default_factory=dict)  # dotted case path -> new value (DROP removes it)
    # dotted case path -> (faults, dotted path): the file that path names in a deployment with those faults
    # (same layout), e.g. one healthy node in a cluster whose other node has the fault
    borrow: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    certificates: bool = True  # False: symptoms only, no deployment sections
    # writes more generated files into the deployment folder (as "certs/<name>", with certdoctor.testpki) and
    # returns patch values naming them: a phone's trust list, a default certificate, an ECDSA certificate
    extra: Callable[[Path], dict[str, Any]] | None = None

    @property
    def name(self) -> str:
        """group/slug, as the runner names it."""
        return f"{self.group}/{self.slug}"


# write_deployment layouts: one Expressway-C and one Expressway-E (with Unified CM, or without it)
SINGLE = {"c_nodes": 1, "e_nodes": 1}
PAIR_ONLY = {"c_nodes": 1, "e_nodes": 1, "cucm": False}
