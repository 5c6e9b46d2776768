"""MCP over stdio where every request line gets a reply: a line the SDK cannot read is answered, not dropped.

The SDK's stdio transport parses each line into a JSON-RPC message; a line it cannot parse (not
JSON-RPC, or JSON nested past its parser's limit of about 200 levels) reaches the server as an
exception, which the server only logs at debug level: the client would wait for ever. Here such a
line is answered with a JSON-RPC error carrying the request's id (null when none can be read), as
JSON-RPC 2.0 asks, and the server goes on with the next line.
"""

from __future__ import annotations

import json
import re
from types import TracebackType
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types import ErrorData, JSONRPCError
from pydantic import ValidationError

from certdoctor.limits import MAX_CASE_DEPTH

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
#: Where a request's id may be read from a line json cannot parse (the SDK writes it near the start).
_ID = re.compile(r'"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")')


def _line_of(exc: Exception) -> str | None:
    """The raw line a parse failure was about (pydantic keeps it as the error's input)."""
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            if isinstance(error.get("input"), str):
                return str(error["input"])
    return None


def _request_id(line: str | None) -> tuple[bool, int | str | None]:
    """(whether the line is a request wanting a reply, its id or None when it cannot be read)."""
    if line is None:
        return True, None
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        match = _ID.search(line[:4096])
        if match is None:
            return True, None
        value = json.loads(match.group(1))
        return True, value if isinstance(value, int | str) else None
    if not isinstance(message, dict):
        return True, None
    if "id" not in message:
        return "method" not in message, None  # a notification gets no reply, not even an error
    value = message["id"]
    return True, value if isinstance(value, int | str) and not isinstance(value, bool) else None


def error_reply(exc: Exception) -> JSONRPCError | None:
    """The JSON-RPC error answering a line the SDK could not read (None for a notification)."""
    text = str(exc)
    wants_reply, request_id = _request_id(_line_of(exc))
    if not wants_reply:
        return None
    if "recursion limit" in text:
        code, message = (
            INVALID_REQUEST,
            (
                "the request is nested too deeply to read (about 200 levels); "
                f"certdoctor takes at most {MAX_CASE_DEPTH} levels in a case"
            ),
        )
    elif "json_invalid" in text or "Invalid JSON" in text:
        code, message = PARSE_ERROR, "the line is not valid JSON"
    else:
        code, message = INVALID_REQUEST, "the line is not a JSON-RPC 2.0 message"
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))


class _Answering:
    """The transport's read stream, with unreadable lines answered on the write stream instead of passed on."""

    def __init__(self, inner: Any, write: Any) -> None:
        self._inner = inner
        self._write = write

    @property
    def last_context(self) -> Any:
        """The sender context of the last item (the dispatcher restores it)."""
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> Any:
        """The next readable message; unreadable ones are answered and skipped."""
        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                return item
            reply = error_reply(item)
            if reply is not None:
                await self._write.send(SessionMessage(reply))

    def __aiter__(self) -> _Answering:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        """Close the transport's read stream."""
        await self._inner.aclose()

    async def __aenter__(self) -> _Answering:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


async def serve_stdio(server: MCPServer) -> None:
    """Serve one MCP connection on stdin/stdout, as MCPServer.run("stdio") does, answering unreadable lines."""
    lowlevel = server._lowlevel_server  # what the SDK's own run_stdio_async runs
    async with stdio_server() as (read_stream, write_stream):
        await lowlevel.run(
            _Answering(read_stream, write_stream), write_stream, lowlevel.create_initialization_options()
        )
