"""The bundled example cases (examples/cases/<name>): each a deployment with the faults behind a customer's report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from certdoctor.lab.deployment import write_deployment

#: The bundled example cases (examples/cases/<name>): faults and the symptoms a customer reports.
EXAMPLE_CASES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "zone-down-after-renewal": (
        ["peer-address"],
        {
            "zone_status": "Failed",
            "log_lines": [
                'Event="Outbound TLS Negotiation Error" Service="SIP" Detail="Peer\'s TLS certificate '
                'identity was unacceptable" Protocol="TLS"'
            ],
            "recent_changes": ["certificate-renewal"],
        },
    ),
    "ssh-tunnels-down": (
        ["c-trust-root-only"],
        {
            "zone_status": "Active",
            "ssh_tunnels": "down",
            "alarms": ["35013"],
            "recent_changes": ["certificate-renewal"],
        },
    ),
    "healthy": ([], {"zone_status": "Active", "ssh_tunnels": "up", "mra_login": "ok"}),
}


def write_examples(outdir: Path) -> list[Path]:
    """Write every bundled example case under outdir; return the case paths."""
    return [
        write_deployment(outdir / name, faults, symptoms=symptoms, title=name.replace("-", " "))
        for name, (faults, symptoms) in EXAMPLE_CASES.items()
    ]
