"""Property-based fuzzing of every surface a chatbot or a user feeds: HTTP API, MCP tools, case files.

- HTTP: every OpenAPI operation, with bodies schemathesis generates from /openapi.json (valid and
  invalid), in process against the ASGI app as `certdoctor serve` builds it (worker processes, time
  budget); private keys (generated once) are mixed into the bodies.
- MCP: every tool through the SDK's in-memory client, with arguments Hypothesis generates.
- Case files: YAML and JSON Hypothesis generates, through `certdoctor diagnose` and `certdoctor inline`.

Properties: no 5xx (no 500, no 503 from a time budget), no tool crash, no exit 3 or uncaught exception,
every call within a time bound, and no private-key material in any response. The budget is fixed and
derandomized (the same examples every run), sized for about a minute on two cores. The terminal
summary reports the number of fuzzed calls, the 5xx count and the slowest call.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
import yaml
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mcp import Client
from test_chat_support import TEST_KEY, key_secret, lab_case, private_key_texts

from certdoctor.chat.http import create_app
from certdoctor.chat.mcp_server import build_server
from certdoctor.chat.sessions import ChatService, MemoryStore
from certdoctor.chat.token import StateSealer
from certdoctor.chat.work import ProcessRunner
from certdoctor.cli import main

#: Longest any one fuzzed call may take (the servers' time budget is 20 s; real calls take milliseconds).
MAX_CALL_S = 10.0
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
KEYS = private_key_texts()
SECRETS = {name: key_secret(text) for name, text in KEYS.items()}


@dataclass
class Tally:
    """What the fuzzing did: calls per surface, 5xx answers, and the slowest call."""

    calls: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    slowest: tuple[float, str] = (0.0, "")

    def record(self, surface: str, seconds: float, what: str, server_error: bool = False) -> None:
        """Count one call; keep the slowest."""
        self.calls[surface] = self.calls.get(surface, 0) + 1
        self.server_errors += server_error
        if seconds > self.slowest[0]:
            self.slowest = (seconds, what)

    def lines(self) -> list[str]:
        """The summary for the terminal."""
        total = sum(self.calls.values())
        per = ", ".join(f"{n} {surface}" for surface, n in sorted(self.calls.items()))
        return [
            f"fuzzed calls: {total} ({per})",
            f"5xx answers: {self.server_errors}",
            f"slowest call: {self.slowest[0] * 1000:.0f} ms ({self.slowest[1]})",
        ]


TALLY = Tally()


class _Summary:
    """A pytest plugin registered at run time: the tally at the end of the terminal report."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("fuzzing (tests/test_fuzz_api.py)")
        for line in TALLY.lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> None:
    if not request.config.pluginmanager.has_plugin("certdoctor-fuzz-summary"):
        request.config.pluginmanager.register(_Summary(), "certdoctor-fuzz-summary")


def assert_no_key(text: str, where: str) -> None:
    """No piece of any generated key in a response (raw text and JSON-decoded both)."""
    for name, secret in SECRETS.items():
        assert secret not in text, f"{where}: key material ({name}) in the response"
    assert "PRIVATE KEY-----" not in text, where


def _decoded(text: str) -> str:
    """A JSON response as text with its escapes undone (raw key bytes would show here), else as it is."""
    with contextlib.suppress(ValueError):
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


# -- values mixed into generated input ----------------------------------------------------------------------

_SEEDS = st.sampled_from(
    [
        "TLS negotiation failure",
        "Peer's TLS certificate identity was unacceptable",
        "zone-down",
        "expressway_c.traversal_zone.peer_addresses",
        "bücher.example.com",
        "\x00\x1b[31m",
        "A" * 70_000,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "data:application/octet-stream;base64,AAAA",
        "../../../../etc/passwd",
        "0001-01-01T00:00:00+23:59",
        "lone \ud800 surrogate",
        "\udfff",
    ]
)
_KEYS = st.sampled_from(sorted(KEYS.values()))
TEXTS = st.one_of(st.text(max_size=40), _SEEDS, _KEYS)


def _nested(depth: int) -> Any:
    """A list nested depth levels deep (with a mapping at every other level)."""
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def hostile(max_depth: int) -> st.SearchStrategy[Any]:
    """Values that broke the surfaces: keys in any encoding, lone surrogates, deep nesting, long lists."""
    return st.one_of(
        _KEYS,
        st.sampled_from(["\ud800", "x\udc00y"]),
        st.sampled_from([d for d in (33, 120, 300, 600, 900) if d <= max_depth]).map(_nested),
        st.integers(65, 5000).map(lambda n: ["x"] * n),
    )


#: Over HTTP, nesting up to 900 levels (JSON parsers stop near 1,000); the MCP client itself stops near 250.
HOSTILE = hostile(900)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXTS)
JSON = st.recursive(
    SCALARS | hostile(180),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=10,
)


def _with_value(body: Any, value: Any, position: int) -> Any:
    """A copy of body with value put in its position-th container (a mapping gets it under a key it has or `x`)."""
    body = json.loads(json.dumps(body))
    containers: list[Any] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            containers.append(node)
            stack.extend(node.values() if isinstance(node, dict) else node)
    target = containers[position % len(containers)]
    if isinstance(target, list):
        target.append(value)
    else:
        keys = [k for k in target if k not in ("state", "format", "lang")]
        target[keys[position % len(keys)] if keys and position % 3 else "x"] = value
    return body


# -- HTTP: every OpenAPI operation ----------------------------------------------------------------------------

RUNNER = ProcessRunner(workers=2)
APP = create_app(ChatService(StateSealer(TEST_KEY.encode()), MemoryStore(), RUNNER))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _workers() -> Iterator[None]:
    RUNNER.start()
    yield
    RUNNER.close()


@SCHEMA.parametrize()
@SCHEMA.given(inject=st.none() | st.tuples(HOSTILE, st.integers(0, 20)))
@settings(FUZZ, max_examples=150)
def test_every_http_operation(case: Any, inject: tuple[Any, int] | None) -> None:
    if inject is not None and isinstance(case.body, dict | list) and case.body:
        case.body = _with_value(case.body, *inject)
    what = f"{case.method} {case.path}"
    started = time.perf_counter()
    try:
        response = case.call()
    except Exception:  # the in-process client raises what the app did not handle: a 500
        TALLY.record("HTTP requests", time.perf_counter() - started, what, server_error=True)
        raise
    took = time.perf_counter() - started
    TALLY.record("HTTP requests", took, what, server_error=response.status_code >= 500)
    assert response.status_code < 500, (what, response.text[:500])
    assert took < MAX_CALL_S, (what, took)
    assert_no_key(response.text, what)
    assert_no_key(_decoded(response.text), what)
    if response.status_code >= 400 and response.status_code != 405:
        assert response.headers["content-type"][0].startswith("application/problem+json"), what


# -- MCP: every tool ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mcp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BlockingPortal, Client, dict[str, Any]]]:
    """The MCP server (worker processes) and the SDK's in-memory client, open for the module, and a real case."""
    service = ChatService(StateSealer(TEST_KEY.encode()), MemoryStore(), RUNNER)
    case = lab_case(tmp_path_factory.mktemp("fuzz"), "peer-address")
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(Client(build_server(service))) as client:
        yield portal, client, case


_LANG = st.sampled_from(["en", "nl", "xx"])


def _tool_calls(case: dict[str, Any]) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """A tool name and arguments: mostly well-formed around a real case, often hostile."""
    pem = case["expressway_e"]["nodes"][0]["certificate"]
    trusted = case["expressway_c"]["trusted_cas"]
    certificate = st.one_of(st.just(pem), st.sampled_from(trusted), TEXTS)
    input_ = st.fixed_dictionaries(
        {},
        optional={
            "text": TEXTS,
            "answers": st.dictionaries(st.sampled_from(["problem", "ntp_synchronized"]) | TEXTS, TEXTS, max_size=3),
            "set": st.dictionaries(
                st.sampled_from(["symptoms.zone_status", "symptoms.log_lines", "expressway_e.fqdn"]) | TEXTS,
                SCALARS | st.lists(SCALARS, max_size=3),
                max_size=3,
            ),
            "certificates": st.dictionaries(
                st.sampled_from(["expressway_e.certificate", "expressway_c.trusted_cas", "upload.key"]) | TEXTS,
                certificate,
                max_size=2,
            ),
            "skip": st.lists(TEXTS, max_size=2),
            "case": st.just(case) | st.dictionaries(TEXTS, JSON, max_size=3),
            "lang": _LANG,
            "undo": st.booleans(),
        },
    )
    return st.one_of(
        st.tuples(st.just("diagnose"), st.fixed_dictionaries({"case": st.just(case) | JSON}, optional={"lang": _LANG})),
        st.tuples(
            st.just("converse"),
            st.fixed_dictionaries(
                {},
                optional={"input": input_, "stateless": st.booleans(), "state": TEXTS, "session": TEXTS},
            ),
        ),
        st.tuples(
            st.just("inspect_certificate"),
            st.fixed_dictionaries({"content": certificate}, optional={"name": TEXTS}),
        ),
        st.tuples(
            st.just("verify_chain"),
            st.fixed_dictionaries(
                {"leaf": certificate, "trusted": st.lists(certificate, max_size=3)},
                optional={
                    "chain": st.lists(certificate, max_size=2),
                    "host": TEXTS,
                    "at": TEXTS,
                    "crls": st.lists(TEXTS, max_size=2),
                },
            ),
        ),
    )


def test_every_mcp_tool(mcp: tuple[BlockingPortal, Client, dict[str, Any]], caplog: pytest.LogCaptureFixture) -> None:
    portal, client, case = mcp

    @settings(FUZZ, max_examples=300)
    @given(_tool_calls(case))
    def run(call: tuple[str, dict[str, Any]]) -> None:
        name, arguments = call
        try:  # the SDK's client sends JSON text: it cannot send a lone surrogate (test_chat_hardening: stdio)
            json.dumps(arguments, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            assume(False)
        caplog.clear()
        started = time.perf_counter()
        result = portal.call(client.call_tool, name, arguments)
        took = time.perf_counter() - started
        TALLY.record("MCP tool calls", took, f"tool {name}")
        crashes = [r for r in caplog.records if "unexpected exception" in r.getMessage()]
        assert not crashes, (name, crashes[0].getMessage())  # a tool error, never a crash
        assert took < MAX_CALL_S, (name, took)
        text = " ".join(getattr(block, "text", "") for block in result.content)
        assert_no_key(text, f"tool {name}")
        assert_no_key(json.dumps(result.structured_content or {}, ensure_ascii=False), f"tool {name}")
        if result.is_error:
            assert "input_value" not in text and "Traceback" not in text, text[:300]

    run()


# -- case files: YAML and JSON through the loader and the CLI ---------------------------------------------

_FIELDS = st.sampled_from(
    [
        "title",
        "at",
        "symptoms",
        "log_lines",
        "alarms",
        "zone_status",
        "upload_error",
        "answers",
        "problem",
        "expressway_c",
        "expressway_e",
        "nodes",
        "certificate",
        "trusted_cas",
        "fqdn",
        "traversal_zone",
        "peer_addresses",
        "upload",
        "file",
        "key",
        "crls",
        "jabber",
        "domain",
        "recent_changes",
        "version",
    ]
)
_CASE_VALUES = st.one_of(SCALARS, st.datetimes(), st.sampled_from(["certs/missing.pem", "/dev/zero", "."]))
CASE_DATA = st.recursive(
    _CASE_VALUES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_FIELDS | TEXTS, inner, max_size=5),
    max_leaves=16,
)


@st.composite
def case_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A case file's name and bytes: generated data as YAML or JSON, sometimes damaged."""
    data = draw(st.dictionaries(_FIELDS, CASE_DATA, max_size=6))
    as_json = draw(st.booleans())
    text = json.dumps(data, default=str) if as_json else yaml.safe_dump(data, allow_unicode=True)
    raw = text.encode("utf-8", errors="surrogatepass")
    damage = draw(st.sampled_from(["none", "cut", "insert", "alias"]))
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if damage == "cut":
        raw = raw[:at]
    elif damage == "insert":
        raw = (
            raw[:at]
            + draw(st.sampled_from([b"&a [*a, *a]", b"\xff", b"{{{{", b"!!python/object:os.system", b"\t"]))
            + raw[at:]
        )
    elif damage == "alias" and not as_json:
        raw = b"x: &a [1, 2]\ny: [*a, *a, *a]\n" + raw
    return ("case.json" if as_json else "case.yaml"), raw


def _cli(*argv: str) -> tuple[int, str, str]:
    """The CLI in process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_generated_case_files_never_crash_the_loader(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cases")

    @settings(FUZZ, max_examples=150)
    @given(case_files())
    def run(file: tuple[str, bytes]) -> None:
        name, raw = file
        path = folder / name
        path.write_bytes(raw)
        started = time.perf_counter()
        code, _, err = _cli("diagnose", str(path), "--format", "json")
        took = time.perf_counter() - started
        TALLY.record("case files", took, f"certdoctor diagnose {name}")
        assert code in (0, 1, 2), err[-500:]  # exit 3 is "internal error"
        if code == 2:
            assert err.count("\n") == 1 and "Traceback" not in err, err[-500:]
        inline_code, _, inline_err = _cli("inline", str(path))
        assert inline_code in (0, 2), inline_err[-500:]
        assert took < MAX_CALL_S, took

    run()


def test_the_tally_is_reported() -> None:
    """The fuzzing above ran, answered no 5xx, and its figures are in the terminal summary."""
    assert TALLY.calls.get("HTTP requests", 0) > 300 and TALLY.server_errors == 0, TALLY.lines()
