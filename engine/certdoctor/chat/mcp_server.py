"""`certdoctor mcp`: a Model Context Protocol server (official `mcp` SDK, MCPServer) over stdio or HTTP.

Tools (each with input and output JSON Schemas, results as structured content): diagnose a case,
take a conversation step, inspect a certificate, verify a chain. Resources: the cause catalogue and
the case-file and answer schemas. A conversation is held server-side by session id (compact for a
model's context) or carried as a sealed state token. A tool's bad input is a tool error with one
line naming the field; argument-validation messages are stripped of the values that were sent,
which could hold certificate or key material, and other messages quote a value at most briefly.
Tools run in worker processes within a time budget (`certdoctor.chat.work`). Over stdio, a line the
SDK cannot read (not JSON-RPC, or JSON nested past its parser's limit) gets a JSON-RPC error reply
with the request's id, not silence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field, ValidationError

from certdoctor._version import __version__
from certdoctor.answer import Answer
from certdoctor.errors import CertdoctorError
from certdoctor.kb import Lang
from certdoctor.keydetect import holds_private_key
from certdoctor.limits import MAX_CERTIFICATE_CHARS, MAX_CHAT_ENTRIES
from certdoctor.x509.models import FileReport, VerifyReport

from .api import (
    ChatInput,
    ChatReply,
    DiagnoseRequest,
    InspectRequest,
    VerifyRequest,
    catalogue,
)
from .sessions import ChatService
from .untrusted import public_text

_T = TypeVar("_T")

INSTRUCTIONS = """\
certdoctor troubleshoots certificate problems on Cisco Expressway (Expressway-C/E, X14), Unified CM and
Jabber over MRA. Hold a conversation with the `converse` tool: first call it with what the user reported
(`input.text`: the user's own words in English or Dutch, or pasted errors and logs; `input.answers`, `input.set`,
`input.certificates` as PEM, or `input.case`), then keep
passing the `session` it returns. Each reply ranks causes (`answer.diagnoses`, best first, with evidence
and steps with exact menu paths) and gives the most useful next `question` (id, title, oneOf choices):
put it to the user and send the chosen `const` (or the user's reply as said: "yes, X14.2.5", "nee") as
`input.answers[question.id]`. Never send private keys
or PKCS#12 files: they are refused. `diagnose` takes a whole case at once; `inspect_certificate` and
`verify_chain` judge certificates. Resources: certdoctor://causes, certdoctor://schema/case,
certdoctor://schema/answer."""

_VALIDATION_DETAIL = re.compile(r"\s*\[type=.*$")
_LONG_BASE64 = re.compile(r"[A-Za-z0-9+/=]{60,}")
_PRIVATE_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----.*?(-----END [A-Z0-9 ]*-----|$)", re.S)


def scrub(text: str) -> str:
    """An error text without echoed input values (pydantic's `input_value=...`) or key material."""
    lines = []
    for line in text.splitlines():
        if "errors.pydantic.dev" in line:
            continue
        lines.append(_VALIDATION_DETAIL.sub("", line))
    text = _PRIVATE_KEY_BLOCK.sub("[private key removed]", "\n".join(lines))
    text = _LONG_BASE64.sub("[...]", text)
    if holds_private_key(text):
        return "the input holds a private key; it is refused and not kept (send certificates only)"
    return public_text(text, one_line=False)


async def _scrub_errors(ctx: Any, call_next: Callable[[Any], Any]) -> Any:
    """Server middleware: tool errors leave without any value the caller sent."""
    result = await call_next(ctx)
    if getattr(ctx, "method", None) != "tools/call" or result is None:
        return result
    if isinstance(result, dict):
        if result.get("isError") or result.get("is_error"):
            for block in result.get("content") or []:
                if isinstance(block, dict) and isinstance(block.get("text"), str):
                    block["text"] = scrub(block["text"])
        return result
    if getattr(result, "is_error", False):
        for block in getattr(result, "content", None) or []:
            if isinstance(getattr(block, "text", None), str):
                block.text = scrub(block.text)
    return result


async def _run(fn: Callable[..., _T], *args: Any) -> _T:
    """Run a (CPU-bound) certdoctor call off the event loop; its errors become one-line tool errors."""

    def call() -> _T:
        try:
            return fn(*args)
        except CertdoctorError as exc:
            raise ToolError(str(exc)) from None
        except ValidationError as exc:  # a request model built from the arguments: never echo them
            raise ToolError(scrub(str(exc))) from None

    return await anyio.to_thread.run_sync(call)


def build_server(service: ChatService) -> MCPServer:
    """The certdoctor MCP server around a ChatService (key and session store)."""
    server: MCPServer = MCPServer(
        "certdoctor",
        title="certdoctor: Expressway certificate troubleshooting",
        version=__version__,
        instructions=INSTRUCTIONS,
        middleware=[_scrub_errors],
    )
    read_only = ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
    )

    @server.tool(annotations=read_only, structured_output=True)
    async def diagnose(
        case: Annotated[
            dict[str, Any],
            Field(
                description="the case in certdoctor's case-file format (see resource certdoctor://schema/case), "
                "certificates inline as PEM or Base-64"
            ),
        ],
        lang: Annotated[Lang, Field(description="language of titles, steps and questions")] = "en",
    ) -> Answer:
        """Diagnose a whole case at once: ranked causes with evidence and remediation steps, findings, questions."""
        return await _run(lambda: service.diagnose(DiagnoseRequest(case=case, lang=lang)))

    @server.tool(
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False),
        structured_output=True,
    )
    async def converse(
        input: Annotated[ChatInput | None, Field(description="what the user said, answered or uploaded")] = None,
        session: Annotated[
            str | None, Field(description="the `session` of the previous reply; omit (with no state) to start one")
        ] = None,
        state: Annotated[
            str | None, Field(description="token mode: the `state` of the previous reply instead of a session")
        ] = None,
        stateless: Annotated[bool, Field(description="token mode from the start: reply with a state")] = False,
    ) -> ChatReply:
        """One conversation turn: the ranked answer, the next question as a form, and the session (or state)."""
        data = input or ChatInput()
        if session is not None and state is not None:
            raise ToolError("give either session or state, not both")
        if state is not None or stateless:
            return await _run(service.converse, state, data)
        if session is None:
            return await _run(service.start_session, data)
        return await _run(service.continue_session, session, data)

    @server.tool(annotations=read_only, structured_output=True)
    async def inspect_certificate(
        content: Annotated[
            str,
            Field(
                max_length=MAX_CERTIFICATE_CHARS,
                description="PEM text, or Base-64 of the file (DER, .p7b); a private key is recognised, never shown",
            ),
        ],
        name: Annotated[str, Field(max_length=200, description="a name for the file in messages")] = "certificate",
    ) -> FileReport:
        """What a certificate file holds (names, validity, key, EKU) and whether Expressway's upload page takes it."""
        return await _run(lambda: service.inspect(InspectRequest(content=content, name=name)))

    @server.tool(annotations=read_only, structured_output=True)
    async def verify_chain(
        leaf: Annotated[str, Field(max_length=MAX_CERTIFICATE_CHARS, description="server certificate PEM (first)")],
        trusted: Annotated[list[str], Field(min_length=1, max_length=MAX_CHAT_ENTRIES, description="trusted CA list")],
        chain: Annotated[list[str], Field(max_length=MAX_CHAT_ENTRIES, description="intermediates it sends")] = [],  # noqa: B006
        host: Annotated[
            str | None, Field(max_length=255, description="name or address used to reach it (IDN: taken as A-labels)")
        ] = None,
        at: Annotated[datetime | None, Field(description="judge validity at this instant (default: now)")] = None,
        crls: Annotated[list[str], Field(max_length=MAX_CHAT_ENTRIES, description="CRLs (PEM) for revocation")] = [],  # noqa: B006
    ) -> VerifyReport:
        """Judge a server certificate and its chain against a trusted list: Expressway-compatible and strict."""
        return await _run(
            lambda: service.verify(VerifyRequest(leaf=leaf, chain=chain, trusted=trusted, host=host, at=at, crls=crls))
        )

    @server.resource(
        "certdoctor://causes",
        name="causes",
        title="Cause catalogue",
        description="every documented cause: stable id, title (en, nl), references",
        mime_type="application/json",
    )
    def causes() -> str:
        return json.dumps([c.model_dump() for c in catalogue()], indent=1)

    @server.resource(
        "certdoctor://schema/case",
        name="case-schema",
        title="Case-file JSON Schema",
        description="what a case (diagnose's `case`, converse's `input.case`) may hold",
        mime_type="application/schema+json",
    )
    def case_schema() -> str:
        from certdoctor.case import Case

        return json.dumps(Case.model_json_schema(), indent=1)

    @server.resource(
        "certdoctor://schema/answer",
        name="answer-schema",
        title="Answer JSON Schema",
        description="the answer every diagnosis returns (ranked causes, findings, questions)",
        mime_type="application/schema+json",
    )
    def answer_schema() -> str:
        return json.dumps(Answer.model_json_schema(), indent=1)

    @server.custom_route("/health", methods=["GET"])
    async def health(request: Any) -> Any:
        """Liveness for the HTTP transport (load balancers, probes)."""
        from starlette.responses import JSONResponse

        return JSONResponse({"status": "ok", "version": __version__, "store": service.store.kind})

    return server


def run_stdio(service: ChatService) -> None:
    """Serve MCP on stdin/stdout until the client closes them; every request line gets a reply."""
    from .mcp_stdio import serve_stdio

    service.runner.start()
    try:
        anyio.run(serve_stdio, build_server(service))
    finally:
        service.runner.close()


def run_http(service: ChatService, host: str, port: int) -> None:
    """Serve MCP over streamable HTTP at http://HOST:PORT/mcp (stateless: any worker can answer)."""
    from .work import run_uvicorn

    app = build_server(service).streamable_http_app(stateless_http=True, json_response=True, host=host)
    # keep-alive as chat/cli.py KEEP_ALIVE_S explains
    run_uvicorn(app, service.runner, host=host, port=port, log_level="warning", timeout_keep_alive=75)
