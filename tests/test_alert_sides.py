"""The same TLS alert means different causes on different ports and sides (log records joined `about: log`).

An alert Expressway-C receives on its outbound traversal connection is Expressway-E refusing C's chain; the same
alert on Expressway-E's inbound traversal connection is C refusing E's chain; on the Webex port 5062 it is Webex
refusing Expressway-E's certificate; on the SIP OAuth port 5091 it is Unified CM refusing Expressway-C's.
"""

from __future__ import annotations

import pytest

import certdoctor


def _line(host: str, event: str, port: int, detail: str) -> str:
    """An Expressway event log line as customers paste it."""
    return (
        f'2026-06-02T14:02:17.311+02:00 {host} tvcs: UTCTime="2026-06-02 12:02:17,311" Module="network.tcp" '
        f'Level="1" Event="{event}" Service="SIP" Src-ip="10.48.80.161" Src-port="26114" '
        f'Dst-ip="10.48.36.171" Dst-port="{port}" Detail="{detail}" Protocol="TLS"'
    )


ALERTS = ("sslv3 alert certificate unknown", "tlsv1 alert unknown ca")

#: (side that logged it, host, event, port) -> the cause that must rank first
SIDES = [
    (("expressway_c", "expc1", "Outbound TLS Negotiation Error", 7001), "zone.ca-not-trusted"),
    (("expressway_e", "expe1", "Inbound TLS Negotiation Error", 7001), "zone.ca-not-trusted"),
    (("expressway_e", "expe1", "Outbound TLS Negotiation Error", 5062), "webex.stale-control-hub-certificate"),
    (("expressway_c", "expc1", "Outbound TLS Negotiation Error", 5091), "mra.cucm-servers-not-refreshed"),
]


def _top(side: str, text: str) -> str:
    answer = certdoctor.diagnose({"symptoms": {"logs": [{"side": side, "text": text}]}})
    assert answer.diagnoses, text
    return answer.diagnoses[0].cause


@pytest.mark.parametrize("alert", ALERTS)
@pytest.mark.parametrize(("where", "cause"), SIDES, ids=[f"{w[0]}-{w[3]}" for w, _ in SIDES])
def test_same_alert_different_cause(where: tuple[str, str, str, int], cause: str, alert: str) -> None:
    side, host, event, port = where
    assert _top(side, _line(host, event, port, alert)) == cause


def test_the_traversal_side_is_read_from_the_direction_without_a_side() -> None:
    """Without `side`, the traversal direction says who logged it (C opens the connection): still the zone's CAs."""
    text = _line("expc1", "Outbound TLS Negotiation Error", 7001, "sslv3 alert certificate unknown")
    answer = certdoctor.diagnose({"symptoms": {"log_lines": [text]}})
    assert answer.diagnoses[0].cause == "zone.ca-not-trusted"


def test_the_5091_alert_differs_from_the_traversal_one() -> None:
    text = _line("expc1", "Outbound TLS Negotiation Error", 5091, "tlsv1 alert unknown ca")
    found = [
        d.cause for d in certdoctor.diagnose({"symptoms": {"logs": [{"side": "expressway_c", "text": text}]}}).diagnoses
    ]
    assert found[0] == "mra.cucm-servers-not-refreshed"
    assert "webex.stale-control-hub-certificate" not in found


def test_a_verify_error_on_5062_is_expressway_e_refusing_webex() -> None:
    """Expressway-E logging a verify error (not an alert) on 5062: E lacks the Webex cloud CA (212475, Issue 1)."""
    text = _line("expe1", "Inbound TLS Negotiation Error", 5062, " self signed certificate in certificate chain ")
    assert _top("expressway_e", text) == "webex.cloud-ca-missing"
