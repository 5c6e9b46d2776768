"""docs/chatbots.md and docs/examples/: the bot examples run where a bot runs, with only their client library.

Each example runs in a venv of its own in which `import certdoctor` fails but `mcp` and `httpx` import,
with the `certdoctor` command on PATH: what a bot developer has after installing the client library
next to a certdoctor installation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_chat_support import Server, free_port, server_env

from certdoctor.lab import write_deployment

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DOC = (DOCS / "chatbots.md").read_text(encoding="utf-8")
EXAMPLES = DOCS / "examples"

#: Dropped into the bot venv only if certdoctor is still importable there (a non-editable install).
IMPORT_GUARD = '''"""Test guard: this venv stands for a bot's own environment, in which certdoctor is not installed."""
import sys


class _NoCertdoctor:
    def find_spec(self, name, path=None, target=None):
        if name == "certdoctor" or name.startswith("certdoctor."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoCertdoctor())
'''


@dataclass
class BotEnv:
    """A bot's own environment: its python, and the environment variables it runs with."""

    python: Path
    env: dict[str, str]

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *args], cwd=cwd, env=self.env, capture_output=True, text=True, timeout=120
        )


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> BotEnv:
    """A venv that sees this venv's packages through a .pth line (whose own .pth files, such as the
    editable certdoctor finder, are not processed), with this venv's bin dir (`certdoctor`) on PATH."""
    home = tmp_path_factory.mktemp("bot-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True, timeout=120)
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    (Path(site) / "dev-packages.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    dev_bin = Path(sys.executable).parent
    assert (dev_bin / "certdoctor").exists() or (dev_bin / "certdoctor.exe").exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDOCTOR_") and k != "PYTHONPATH"}
    env["PATH"] = f"{dev_bin}{os.pathsep}{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)
    environment = BotEnv(python, env)
    if environment.run("-c", "import certdoctor", cwd=home).returncode == 0:
        (Path(site) / "sitecustomize.py").write_text(IMPORT_GUARD, encoding="utf-8")
    return environment


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a reader would be: a deployment whose traversal peer address is wrong, and its case as inline JSON."""
    work = tmp_path_factory.mktemp("chatbots-doc")
    write_deployment(work / "deployment", ["peer-address"])
    done = subprocess.run(
        [str(Path(sys.executable).parent / "certdoctor"), "inline", "deployment/case.yaml"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (work / "case.json").write_text(done.stdout, encoding="utf-8")
    return work


def test_the_bot_venv_has_the_client_libraries_but_not_certdoctor(bot: BotEnv, tmp_path: Path) -> None:
    missing = bot.run("-c", "import certdoctor", cwd=tmp_path)
    assert missing.returncode != 0 and "No module named 'certdoctor'" in missing.stderr
    assert bot.run("-c", "import mcp, httpx", cwd=tmp_path).returncode == 0


def test_the_mcp_client_example(bot: BotEnv, workdir: Path) -> None:
    result = bot.run(str(EXAMPLES / "mcp_client.py"), "case.json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tools: converse, diagnose, inspect_certificate, verify_chain"
    # the case's certificates make the cause stand clear: no question is left that could change the ranking
    assert lines[1] == "certdoctor asks nothing more: the leading cause stands clear"
    assert re.match(r"0\.\d\d zone\.peer-address-mismatch: ", lines[2])  # the top cause: first of the ranking
    assert "edge1.example.com" in result.stdout  # the evidence names the peer address that is not on the certificate
    assert lines[-1].startswith("first step: On Expressway-C")
    # no key was configured: the stdio server said, in one line, that it seals with a key of its own
    assert "random key of this process" in result.stderr


def test_the_http_client_example(bot: BotEnv, workdir: Path, tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        result = bot.run(str(EXAMPLES / "http_client.py"), server.url, "case.json", cwd=workdir)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "certdoctor asks nothing more: the leading cause stands clear" in out
    assert "after 1 turns: zone.peer-address-mismatch" in out
    assert "why:" in out and "edge1.example.com" in out
    assert "422 Invalid input: text: holds a private key" in out
    assert "PRIVATE KEY" not in out.replace("-----BEGIN PRIVATE KEY-----", "")


def test_the_http_client_example_says_when_no_server_answers(bot: BotEnv, workdir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = bot.run(str(EXAMPLES / "http_client.py"), url, "case.json", cwd=workdir)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"cannot reach certdoctor at {url}: ") and result.stderr.count("\n") == 1


def test_the_doc_points_to_every_example_and_how_to_run_it() -> None:
    for example in sorted(EXAMPLES.glob("*.py")):
        assert f"(examples/{example.name})" in DOC, f"docs/chatbots.md does not link {example.name}"
        assert f"python {example.name} " in DOC, f"docs/chatbots.md does not say how to run {example.name}"
    assert "certdoctor inline " in DOC


def test_the_python_example() -> None:
    code = re.search(r"## Python\n\n```python\n(.*?)```", DOC, flags=re.DOTALL)
    assert code
    result = subprocess.run(
        [sys.executable, "-c", code.group(1)], env=server_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "zone.peer-address-mismatch" in result.stdout and "next:" in result.stdout


def test_the_doc_lists_every_tool_and_endpoint() -> None:
    for tool in ("converse", "diagnose", "inspect_certificate", "verify_chain"):
        assert f"`{tool}`" in DOC
    for path in ("/v1/conversation", "/v1/sessions", "/v1/diagnose", "/v1/inspect", "/v1/verify", "/health"):
        assert path in DOC
