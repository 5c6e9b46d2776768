"""The test PKI and the lab stay out of what `diagnose`, `serve` and `mcp` load: they are for tests and examples."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import certdoctor

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path(certdoctor.__file__).resolve().parent
GENERATORS = ("testpki", "lab")

# One process doing what the three runtime commands do: the CLI diagnosis of a bundled case, the HTTP app
# built as `certdoctor serve` builds it and asked for a diagnosis, and the MCP server built; then it reports
# which generator modules got loaded on the way.
_RUNTIME = """
import contextlib, io, json, sys

from starlette.testclient import TestClient

from certdoctor.chat.api import load_case_inline
from certdoctor.chat.http import app_from_env
from certdoctor.chat.mcp_server import build_server
from certdoctor.chat.sessions import ChatService, MemoryStore
from certdoctor.chat.token import sealer_from_config
from certdoctor.cli import main

case = sys.argv[1]
with contextlib.redirect_stdout(io.StringIO()) as printed:
    code = main(["diagnose", case])
client = TestClient(app_from_env())
answer = client.post("/v1/diagnose", json={"case": load_case_inline(case), "format": "json"})
build_server(ChatService(sealer_from_config(), MemoryStore(60)))
generators = (["certdoctor", "testpki"], ["certdoctor", "lab"])
loaded = sorted(name for name in sys.modules if name.split(".")[:2] in generators)
print(json.dumps({"cli": code, "cli_output": len(printed.getvalue()), "http": answer.status_code, "loaded": loaded}))
"""


def test_diagnose_serve_and_mcp_do_not_load_the_generators() -> None:
    """A real diagnosis through the CLI and the HTTP app, and the MCP server built, leave testpki and lab unloaded."""
    case = REPO / "examples" / "cases" / "ssh-tunnels-down" / "case.yaml"
    env = {**os.environ, "CERTDOCTOR_STATE_KEY": "k" * 40}
    run = subprocess.run(
        [sys.executable, "-c", _RUNTIME, str(case)], capture_output=True, text=True, env=env, timeout=180, check=False
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["cli_output"] > 0 and report["http"] == 200
    assert report["loaded"] == []


def _imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside a function (relative imports left out)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_generator(module: str) -> bool:
    """Whether a module name is certdoctor.testpki or certdoctor.lab, or one of their modules."""
    parts = module.split(".")
    return len(parts) > 1 and parts[0] == "certdoctor" and parts[1] in GENERATORS


def test_no_runtime_module_imports_the_generators() -> None:
    """Not even lazily: outside testpki/ and lab/ themselves, no module of the package names them."""
    offenders: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] not in GENERATORS:
            offenders += [f"{relative}: {name}" for name in _imported_modules(path) if _is_generator(name)]
    assert offenders == []
