"""Fact derivation: a healthy deployment has no failing check; each fault fails exactly its own checks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import certdoctor.facts
from certdoctor.case import CertificateSource, parse_case, read_case
from certdoctor.facts import Facts, derive, version_tuple, zone_state
from certdoctor.kb import KnowledgeBase
from certdoctor.lab import FAULTS, write_deployment

#: Fact derivation needs the knowledge base only for symptom texts; these tests give none.
NO_TEXTS = KnowledgeBase(facts={}, causes=[], questions=[], symptoms=[])


def _derive(path: Path) -> Facts:
    return derive(read_case(path), CertificateSource(path.parent), NO_TEXTS)


def failing(facts: Facts) -> set[str]:
    """Names of certificate checks that failed."""
    return {
        f.name
        for f in facts.items
        if f.source == "certificates" and (f.ok is False or (f.ok is None and f.value is True))
    }


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


def test_healthy_deployment_passes_every_check(lab: Path) -> None:
    facts = _derive(write_deployment(lab / "healthy"))
    assert failing(facts) == set()
    names = {f.name for f in facts.items}
    for checked in (
        "zone.peer_address_on_e_cert",
        "zone.tls_verify_name_on_c_certs",
        "trust.c_trusts_e",
        "trust.e_trusts_c",
        "trust.cucm_tomcat_trusts_c",
        "trust.c_trusts_cucm",
        "jabber.domain_on_e_cert",
        "cert.expired",
        "cert.client_auth_missing",
    ):
        assert checked in names


EXPECTED = {
    "peer-address": {"zone.peer_address_on_e_cert", "name.any_mismatch"},
    "tls-verify-name": {
        "zone.tls_verify_name_on_c_certs",
        "zone.tls_verify_name_is_cluster_fqdn",
        "name.any_mismatch",
    },
    "c-trust-root-only": {
        "trust.intermediate_missing",
        "trust.c_trusts_cucm",
        "chain.any_untrusted",
        "chain.own_list_complete",
    },
    "c-trust-missing": {"trust.c_trusts_e", "trust.c_trusts_cucm", "chain.any_untrusted", "chain.own_list_complete"},
    "e-trust-missing": {"trust.e_trusts_c", "chain.any_untrusted", "chain.own_list_complete"},
    "c-no-client-auth": {"cert.client_auth_missing", "cert.any_defect"},
    "e-expired": {"cert.expired", "cert.any_defect"},
    "cucm-trust-missing": {
        "trust.cucm_tomcat_trusts_c",
        "trust.cucm_callmanager_trusts_c",
        "chain.any_untrusted",
    },
    "c-untrusts-cucm": {"trust.c_trusts_cucm", "chain.any_untrusted"},
    "jabber-domain": {"jabber.domain_on_e_cert", "name.any_mismatch"},
    "wildcard": {"cert.wildcard", "cert.any_defect"},
    "unknown-oid": {"cert.unknown_oid", "cert.any_defect"},
    "duplicate-ca": {"trust.duplicate_ca_subject"},
    "e-revoked": {"cert.revoked", "cert.any_defect"},
    "weak": {"cert.weak_crypto", "cert.any_defect"},
    "cluster-same-cert": {"cluster.certificates_consistent", "cert.own_name_on_cert", "name.any_mismatch"},
    "upload-der": {"upload.format_ok"},
    "upload-key-mismatch": {"upload.key_matches"},
    "upload-untrusted": {"upload.chain_trusted"},
    "revoked-intermediate-e": {"cert.revoked", "cert.any_defect", "chain.own_list_complete"},
    "revoked-ca-cucm": {"cert.revoked", "cert.any_defect"},
    "pfx-upload-password": {"upload.format_ok", "file.unreadable"},
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_fault_fails_its_own_checks(lab: Path, fault: str) -> None:
    assert failing(_derive(write_deployment(lab / fault, [fault]))) == EXPECTED[fault]


def test_messages_name_what_is_wrong(lab: Path) -> None:
    facts = _derive(write_deployment(lab / "peer", ["peer-address"]))
    bad = next(f for f in facts.items if f.name == "zone.peer_address_on_e_cert" and f.value is False)
    assert bad.params["peer"] == "edge1.example.com"
    assert "expe.example.com" in bad.params["names"] and "edge1.example.com" in bad.message


def test_case_fields_become_facts() -> None:
    case = parse_case(
        "symptoms:\n  zone_status: TLS negotiation failure\n  ssh_tunnels: down\n"
        "  recent_changes: [certificate-renewal]\n  version: X14.2.1\n",
        "c.yaml",
    )
    facts = derive(case, CertificateSource(None), NO_TEXTS)
    values = {(f.name, f.value) for f in facts.items}
    assert ("zone.status", "down") in values and ("ssh.tunnels", "down") in values
    assert ("change.certificate_renewal", True) in values and ("change.upgrade", False) in values
    assert ("version.traffic_server_verifies", True) in values


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Active", "up"),
        ("Failed", "down"),
        ("TLS negotiation failure", "down"),
        ("omlaag", "down"),
        ("Checking", None),
    ],
)
def test_zone_state(text: str, state: str | None) -> None:
    assert zone_state(text) == state


def test_version_tuple() -> None:
    assert version_tuple("X14.0.2") == (14, 0, 2)
    assert version_tuple("X12.7") == (12, 7, 0)
    assert version_tuple("x14.0.2") >= (14, 0, 2)  # type: ignore[operator]


#: What the facts package may never import: everything that reads facts sits above it.
ABOVE_FACTS = ("rules", "rank", "answer", "diagnosis", "conversation", "cli", "output", "shell", "chat", "scenarios")


def _imports_of(module: Path) -> set[str]:
    """The certdoctor modules one file imports, by dotted name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("certdoctor.")}


def test_facts_package_imports_only_downward() -> None:
    """No module of the facts package imports what is built on facts, nor a sibling in a circle."""
    folder = Path(certdoctor.facts.__file__).parent
    modules = {f"certdoctor.facts.{p.stem}": _imports_of(p) for p in folder.glob("*.py") if p.stem != "__init__"}
    for name, imported in modules.items():
        assert not {i for i in imported if i.split(".")[1] in ABOVE_FACTS}, name
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        assert name not in stack, " -> ".join((*stack, name))
        if name not in done:
            for sibling in modules[name] & modules.keys():
                visit(sibling, (*stack, name))
            done.add(name)

    for name in modules:
        visit(name, ())


def test_facts_face_keeps_the_public_names() -> None:
    """Everything imported from certdoctor.facts before it became a package is still importable from it."""
    for name in ("Fact", "Facts", "LoadedFile", "answer_choice", "derive", "version_tuple", "zone_state"):
        assert hasattr(certdoctor.facts, name), name
