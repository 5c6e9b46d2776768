"""The scenario specifications, one module per cause family; scenarios() lists them all in writing order.

To add a scenario, add a Scenario(...) to the family module of its group (the cause id's prefix):
upload, zone, ssh, mra, jabber, cert and cert_profile (cert.*), cluster, trust, restart, clock
(time.*), crl, network, and healthy, mixed, symptom_only for the groups without a cause.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..common import Scenario
from . import (
    cert,
    cert_profile,
    clock,
    cluster,
    crl,
    edge,
    far_end,
    healthy,
    jabber,
    lifecycle,
    mixed,
    mra,
    network,
    other_zones,
    restart,
    ssh,
    symptom_only,
    trust,
    upload,
    zone,
)

# writing order; within a group the order matters: its first positive scenario pins the cause's steps
FAMILIES = (
    upload,
    zone,
    ssh,
    mra,
    jabber,
    cert,
    cert_profile,
    cluster,
    trust,
    restart,
    clock,
    crl,
    network,
    edge,
    far_end,
    other_zones,
    lifecycle,
    healthy,
    mixed,
    symptom_only,
)


def scenarios() -> list[Scenario]:
    """Every scenario of the library, in writing order."""
    return _pin_steps([spec for family in FAMILIES for spec in family.scenarios()])


def _step_marker(text: str, words: int = 7) -> str:
    """Opening words of a step's text: enough to tell the steps of one cause apart.

    A step text may hold placeholders (`{names|each Peer address ...}`) that the answer fills in with the
    entity's names: the marker is the first run of at least three words outside a placeholder.
    """
    runs = [run.split() for run in re.split(r"\{[^}]*\}", text)]
    run = next((r for r in runs if len(r) >= 3), runs[0])
    return " ".join(run[:words])


def _pin_steps(specs: list[Scenario]) -> list[Scenario]:
    """The first positive scenario of each cause also expects that cause's remediation steps, in order.

    The order of the steps is knowledge too (check before change, restart after upload): a scenario
    that states it catches an accidental reordering of a cause file.
    """
    from certdoctor.kb import load_knowledge

    causes = {c.id: c for c in load_knowledge().causes}
    pinned: set[str] = set()
    result = []
    for spec in specs:
        cause = causes.get(spec.group)
        if cause and spec.expect.get("top") == cause.id and cause.id not in pinned and len(cause.steps) > 1:
            pinned.add(cause.id)
            spec = replace(spec, expect={**spec.expect, "steps": [_step_marker(st.text.en) for st in cause.steps]})
        result.append(spec)
    return result
