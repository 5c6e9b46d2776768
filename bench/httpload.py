"""A cheap HTTP/1.1 load generator: asyncio raw sockets, keep-alive, pre-encoded requests, Content-Length replies.

bench_chat.py runs it on the same cores as the server it measures, so it must burn little CPU: no HTTP
library, no header parsing beyond the status and Content-Length, requests built from pre-encoded bytes.
Loopback only (the benchmarks target 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_CONTENT_LENGTH = b"\r\ncontent-length:"
_CLOSE = b"\r\nconnection: close"


class HTTPFailure(Exception):
    """The server closed the connection, or answered in a form this client does not read (e.g. chunked)."""


def get(path: str, host: str = "127.0.0.1") -> bytes:
    """A pre-encoded GET request."""
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def post(path: str, body: bytes, host: str = "127.0.0.1") -> bytes:
    """A pre-encoded POST request with a JSON body."""
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


@dataclass
class Connection:
    """One keep-alive connection: send request bytes, read one reply (status, body); reconnects if told to close."""

    host: str
    port: int
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    async def request(self, data: bytes) -> tuple[int, bytes]:
        """Send one pre-encoded request and return (status, body)."""
        reader, writer = (self.reader, self.writer) if self.reader and self.writer else await self._open()
        writer.write(data)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.close()
            raise HTTPFailure(f"connection closed before the reply: {exc!r}") from None
        lower = head.lower()
        at = lower.find(_CONTENT_LENGTH)
        if at < 0:
            await self.close()
            raise HTTPFailure(f"reply without Content-Length: {head[:200]!r}")
        end = lower.index(b"\r\n", at + 2)
        body = await reader.readexactly(int(lower[at + len(_CONTENT_LENGTH) : end]))
        if _CLOSE in lower:
            await self.close()
        return int(head[9:12]), body

    async def close(self) -> None:
        """Close the socket (the next request opens a new one)."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc (0 where it is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class Phase:
    """One timed phase of load: latencies, wall time, and the CPU the server and this generator spent on it."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    #: The CPU of the first server process (the one serving HTTP; the rest are its workers).
    front_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        """Requests per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def server_ms_per_request(self) -> float:
        """Server CPU per completed request, in ms (queueing aside)."""
        return self.server_cpu / max(1, len(self.latencies)) * 1000

    @property
    def client_share(self) -> float:
        """This generator's CPU as a fraction of the server's over the phase."""
        return self.client_cpu / self.server_cpu if self.server_cpu else float("inf")


class Meter:
    """Measures a phase: wall time, the server processes' CPU (from /proc) and this process's CPU."""

    def __init__(self, phase: Phase, pids: list[int]) -> None:
        self.phase, self.pids = phase, pids

    def __enter__(self) -> Phase:
        self._server = sum(cpu_seconds(p) for p in self.pids)
        self._front = cpu_seconds(self.pids[0]) if self.pids else 0.0
        self._client = time.process_time()
        self._wall = time.perf_counter()
        return self.phase

    def __exit__(self, *exc: object) -> None:
        self.phase.seconds = time.perf_counter() - self._wall
        self.phase.client_cpu = time.process_time() - self._client
        self.phase.server_cpu = sum(cpu_seconds(p) for p in self.pids) - self._server
        self.phase.front_cpu = (cpu_seconds(self.pids[0]) if self.pids else 0.0) - self._front


async def hammer(host: str, port: int, request: bytes, connections: int, per_connection: int, out: Phase) -> None:
    """The anchor load: `connections` keep-alive connections each sending `request` per_connection times."""

    async def one() -> None:
        conn = Connection(host, port)
        try:
            for _ in range(per_connection):
                started = time.perf_counter()
                try:
                    status, _body = await conn.request(request)
                except (HTTPFailure, OSError) as exc:
                    out.errors.append(f"{out.name}: {exc}")
                    return
                out.latencies.append(time.perf_counter() - started)
                if status != 200:
                    out.errors.append(f"{out.name}: HTTP {status}")
        finally:
            await conn.close()

    await asyncio.gather(*(one() for _ in range(connections)))
