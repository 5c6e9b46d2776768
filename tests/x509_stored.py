"""The stored copy of certdoctor's chain verdicts (issue 17's safety net): record, recompute, compare.

Every certificate chain certdoctor's verification judges is run and its whole answer (both verdicts, their
reasons, the path, the differences, every finding: code, severity, message, certificate, field) reduced to
a short digest, with the verdicts and the finding codes kept readable beside it so a difference names the
case and shows what moved:

* x509-limbo SERVER testcases of limbo-core.json (CERTDOCTOR_LIMBO_DATA), through `verify_chain`, as
  tests/limbo_oracle.py runs them, but at a fixed instant when the testcase says "now";
* the BetterTLS testcases of limbo-full.json.gz (CERTDOCTOR_LIMBO_FULL, or limbo-full.json.gz beside
  limbo-core.json; 9,572 cases, about a minute), digests only;
* `certdoctor verify` (the CLI, in this process, json and text output and the exit status) on every served
  certificate of the scenario library against every trusted list of the same scenario, with the node's
  FQDN as host, the scenario's instant and CRLs. The combinations are stored with a digest of each input
  file, so the stored copy does not move when scenarios are added.

Record (only with the verification code the stored copy must describe, i.e. before a change):

    CERTDOCTOR_LIMBO_DATA=/path/limbo-core.json python tests/x509_stored.py --write
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "x509-stored"
SCENARIOS = ROOT / "scenarios"
LIMBO_ENV = "CERTDOCTOR_LIMBO_DATA"
LIMBO_FULL_ENV = "CERTDOCTOR_LIMBO_FULL"

#: The instant limbo testcases without a validation_time are judged at (theirs is "now", which moves).
LIMBO_NOW = datetime(2026, 12, 1, tzinfo=UTC)

#: Keys of a scenario whose value lists trusted-list files, and keys naming a served certificate file.
TRUST_KEYS = ("trusted_cas", "tomcat_trust", "callmanager_trust")
LEAF_KEYS = ("certificate", "callmanager_certificate", "file")


def digest(value: object, size: int = 16) -> str:
    """A short SHA-256 digest of a JSON-able value (canonical form)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def report_summary(report: Any) -> dict[str, Any]:
    """A VerifyReport as the stored copy keeps it: verdicts, codes, and the digest of everything."""
    whole = report.model_dump(mode="json")
    return {
        "expressway": report.expressway.trusted,
        "strict": report.strict.trusted,
        "codes": ",".join(f"{f.severity[0]}:{f.code}" for f in report.findings),
        "digest": digest(whole),
    }


# --------------------------------------------------------------------------------------------
# x509-limbo


def limbo_core_path() -> Path | None:
    value = os.environ.get(LIMBO_ENV, "").strip()
    path = Path(value).expanduser() if value else None
    return path if path is not None and path.is_file() else None


def limbo_full_path() -> Path | None:
    value = os.environ.get(LIMBO_FULL_ENV, "").strip()
    if value:
        path = Path(value).expanduser()
        return path if path.is_file() else None
    core = limbo_core_path()
    if core is None:
        return None
    path = core.with_name("limbo-full.json.gz")
    return path if path.is_file() else None


def _load_cases(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        data = json.load(fh)
    return [c for c in data["testcases"] if c["validation_kind"] == "SERVER"]


def limbo_cases(path: Path, *, bettertls: bool | None = None) -> list[dict[str, Any]]:
    """SERVER testcases; bettertls True/False keeps only / drops the BetterTLS ones."""
    cases = _load_cases(path)
    if bettertls is None:
        return cases
    return [c for c in cases if c["id"].startswith("bettertls::") == bettertls]


def run_limbo_case(case: dict[str, Any]) -> dict[str, Any]:
    """certdoctor's answer on one limbo testcase, summarised (unloadable input: the load error)."""
    from cryptography import x509
    from cryptography.utils import CryptographyDeprecationWarning

    from certdoctor.x509.verify import verify_chain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            leaf = x509.load_pem_x509_certificate(case["peer_certificate"].encode())
            chain = [x509.load_pem_x509_certificate(c.encode()) for c in case["untrusted_intermediates"]]
            trusted = [x509.load_pem_x509_certificate(c.encode()) for c in case["trusted_certs"]]
            crls = [x509.load_pem_x509_crl(c.encode()) for c in case["crls"]]
        except Exception as exc:
            return {"load_error": digest(str(exc))}
        text = case.get("validation_time")
        at = datetime.fromisoformat(text).astimezone(UTC) if text else LIMBO_NOW
        name = case.get("expected_peer_name")
        try:
            report = verify_chain(
                leaf,
                chain,
                trusted,
                host=name["value"] if name else None,
                at=at,
                crls=crls,
                max_depth=case.get("max_chain_depth"),
            )
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
    return report_summary(report)


def record_limbo_core(path: Path) -> dict[str, Any]:
    return {c["id"]: run_limbo_case(c) for c in limbo_cases(path, bettertls=False)}


def record_bettertls(path: Path) -> dict[str, Any]:
    """Digests only, in id order: 8 hex characters a case, one string (the ids come from the data)."""
    cases = sorted(limbo_cases(path, bettertls=True), key=lambda c: c["id"])
    return {
        "count": len(cases),
        "ids": digest([c["id"] for c in cases]),
        "digests": "".join(digest(run_limbo_case(c), 8) for c in cases),
    }


# --------------------------------------------------------------------------------------------
# the scenario library through `certdoctor verify`


def _walk(node: object, host: str | None, leaves: list[tuple[str, str | None]], trusts: list[tuple[str, ...]]) -> None:
    if isinstance(node, dict):
        here = node.get("fqdn") if isinstance(node.get("fqdn"), str) else host
        for key, value in node.items():
            if key in LEAF_KEYS and isinstance(value, str):
                leaves.append((value, here))
            elif key in TRUST_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value):
                if value:
                    trusts.append(tuple(value))
            else:
                _walk(value, here, leaves, trusts)
    elif isinstance(node, list):
        for item in node:
            _walk(item, host, leaves, trusts)


def _rel(scenario: Path, ref: str) -> str:
    return os.path.relpath((scenario.parent / ref).resolve(), ROOT)


def scenario_combinations() -> list[dict[str, Any]]:
    """Every (served certificate, host, trusted list, instant, CRLs) the scenario library holds, once each."""
    import yaml

    seen: set[str] = set()
    combos: list[dict[str, Any]] = []
    for scenario in sorted(SCENARIOS.glob("*/*.yaml")):
        if scenario.parent.name == "scenariogen":
            continue
        doc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            continue
        leaves: list[tuple[str, str | None]] = []
        trusts: list[tuple[str, ...]] = []
        _walk(doc, None, leaves, trusts)
        at = doc.get("at")
        crls = [_rel(scenario, c) for c in doc.get("crls") or [] if isinstance(c, str)]
        for leaf, host in leaves:
            for trust in dict.fromkeys(trusts):
                combo = {
                    "leaf": _rel(scenario, leaf),
                    "host": host,
                    "trusted": [_rel(scenario, t) for t in trust],
                    "at": str(at) if at else "2026-06-01T00:00:00Z",
                    "crls": crls,
                }
                key = digest(combo)
                if key not in seen:
                    seen.add(key)
                    combos.append(combo)
    return combos


def combo_args(combo: dict[str, Any], fmt: str) -> list[str]:
    args = ["verify", combo["leaf"], "--at", combo["at"], "--format", fmt]
    if combo["host"]:
        args += ["--host", combo["host"]]
    for t in combo["trusted"]:
        args += ["--trusted", t]
    for c in combo["crls"]:
        args += ["--crl", c]
    return args


@contextlib.contextmanager
def _in_root(root: Path = ROOT) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(old)


def run_cli(args: list[str], root: Path = ROOT) -> tuple[int, str, str]:
    """`certdoctor ARGS` in this process, run from root: exit status, stdout, stderr."""
    from certdoctor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _in_root(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def run_combo(combo: dict[str, Any], root: Path = ROOT) -> dict[str, Any]:
    """`certdoctor verify` on one combination (paths relative to root): exit status, codes, digests of both outputs."""
    code, out, err = run_cli(combo_args(combo, "json"), root)
    result: dict[str, Any] = {"exit": code}
    if out:
        doc = json.loads(out)
        result["expressway"] = doc["expressway"]["trusted"]
        result["strict"] = doc["strict"]["trusted"]
        result["codes"] = ",".join(f"{f['severity'][0]}:{f['code']}" for f in doc["findings"])
        result["json"] = digest(doc)
    if err:
        result["stderr"] = err.strip()
    text_code, text, text_err = run_cli(combo_args(combo, "text"), root)
    result["text"] = digest([text_code, text, text_err])
    return result


def file_digests(combos: list[dict[str, Any]]) -> dict[str, str]:
    files = sorted({f for c in combos for f in [c["leaf"], *c["trusted"], *c["crls"]]})
    return {f: hashlib.sha256((ROOT / f).read_bytes()).hexdigest()[:16] for f in files}


def record_scenarios() -> dict[str, Any]:
    combos = scenario_combinations()
    return {
        "files": file_digests(combos),
        "cases": [{**c, "result": run_combo(c)} for c in combos],
    }


# --------------------------------------------------------------------------------------------


def _dumps(value: object, depth: int = 0) -> str:
    """JSON with one line per entry of the top two levels (small, and a diff names the case)."""
    if depth < 2 and isinstance(value, dict) and value:
        pad = " " * (depth + 1)
        items = [f"{pad}{json.dumps(k)}: {_dumps(v, depth + 1)}" for k, v in sorted(value.items())]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if depth < 2 and isinstance(value, list) and value:
        pad = " " * (depth + 1)
        return "[\n" + ",\n".join(pad + _dumps(v, depth + 1) for v in value) + "\n" + " " * depth + "]"
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _write(name: str, value: object) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / name).write_text(_dumps(value) + "\n", encoding="utf-8")
    print(f"wrote {DATA / name}", file=sys.stderr)


def main(argv: list[str]) -> int:
    if "--write" not in argv:
        print(__doc__)
        return 2
    _write("scenarios-verify.json", record_scenarios())
    core = limbo_core_path()
    if core is None:
        print(f"{LIMBO_ENV} not set: limbo not recorded", file=sys.stderr)
    else:
        _write("limbo-core.json", record_limbo_core(core))
    full = limbo_full_path()
    if full is None:
        print("limbo-full.json.gz not found: BetterTLS not recorded", file=sys.stderr)
    else:
        _write("bettertls.json", record_bettertls(full))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
