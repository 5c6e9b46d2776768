"""restart.* scenarios: certificate or trust changes that wait for a restart."""

from __future__ import annotations

from collections.abc import Iterator

from ..common import MRA_TS, PAIR_ONLY, REFERENCE, SEED_SSH, SEED_ZONE, Scenario
from ..texts import RESTART_ALARM


def scenarios() -> Iterator[Scenario]:
    """Changes not in effect until a restart."""
    g = "restart.required"
    yield Scenario(
        g,
        "alarm-15028-after-renewal",
        "New Expressway-E certificate uploaded but the box was not restarted: alarm 15028, zone Failed",
        MRA_TS,
        {"zone_status": "Failed", "alarms": ["15028"], "recent_changes": ["certificate-renewal"]},
        {"top": g, "excludes": ["zone.peer-address-mismatch", "zone.ca-not-trusted"]},
        answers={"restarted_after_change": "no"},
        layout=PAIR_ONLY,
    )
    yield Scenario(
        g,
        "ca-added-ssh-down-restart-alarm",
        "New intermediate added to the trusted CA lists; SSH tunnels stay down until a restart",
        MRA_TS,
        {"zone_status": "Active", "ssh_tunnels": "down", "alarms": [RESTART_ALARM], "recent_changes": ["ca-change"]},
        {"top": g},
    )
    yield Scenario(
        g,
        "near-miss-restarted-clocks-differ",
        "Zone down after the renewal although both Expressways were restarted; alarm 25022, NTP not synchronised",
        REFERENCE,
        {"zone_status": "Failed", "alarms": ["25022"], "recent_changes": ["certificate-renewal"]},
        {"top": "time.not-synchronized", "excludes": [g]},
        answers={"restarted_after_change": "yes", "ntp_synchronized": "no"},
    )
    # sharper: one piece of evidence decides (each was a surviving knowledge-base mutant)
    yield Scenario(
        "restart.required",
        "zone-down-after-renewal-not-restarted",
        "New certificates uploaded on both Expressways, files and trusted lists are consistent, nobody restarted, "
        "the zone is Failed",
        SEED_ZONE,
        {"zone_status": "Failed", "recent_changes": ["certificate-renewal"]},
        {"top": "restart.required"},
        answers={"restarted_after_change": "no"},
    )
    yield Scenario(
        "restart.required",
        "ssh-down-after-ca-change-not-restarted",
        "Intermediates appended to every trusted list after a CA change, no restart yet; SSH tunnels still down",
        SEED_SSH,
        {"zone_status": "Active", "ssh_tunnels": "down", "recent_changes": ["ca-change"]},
        {"includes": ["restart.required"]},
        answers={"restarted_after_change": "no"},
    )
