"""Shared helpers of the benchmarks: machine header, cache outside the tree, interleaved timing, ratios.

Every benchmark prints the date and machine first, times its subject and an anchor (the same work done
plainly) in the same run, interleaved, and reports medians (min/max) and the subject/anchor ratio: on a
shared, noisy machine only the ratio travels. Imported by the scripts beside it (`python bench/X.py` puts
bench/ on sys.path).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (platform.processor() where /proc is not there)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def machine() -> dict[str, Any]:
    """Date, cores, CPU model, Python and library versions, load average: what a figure was measured on."""
    versions: dict[str, str] = {}
    for name in ("certdoctor", "cryptography", "pydantic"):
        with contextlib.suppress(ImportError):
            versions[name] = str(getattr(import_module(name), "__version__", "?"))
    load = ""
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "loadavg": load,
    }


def header(title: str, out: Any = None) -> dict[str, Any]:
    """Print the benchmark's title, the date and the machine (to out, default stdout); return the facts."""
    facts = machine()
    libs = ", ".join(f"{k} {v}" for k, v in facts["versions"].items())
    print(f"# {title}", file=out or sys.stdout)
    print(
        f"# {facts['date']}; nproc {facts['nproc']}, {facts['cpu']}; Python {facts['python']}; {libs}; "
        f"load average at start {facts['loadavg'] or 'n/a'}",
        file=out or sys.stdout,
    )
    return facts


def cache_root() -> Path:
    """Where the benchmarks cache generated files: $XDG_CACHE_HOME/certdoctor-bench or ~/.cache/certdoctor-bench."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "certdoctor-bench"


def module_source_digest(module_name: str) -> bytes:
    """A digest of a module's source, every .py file of it when it is a package (so a changed generator shows)."""
    module = import_module(module_name)
    files = [f for p in getattr(module, "__path__", []) for f in Path(p).rglob("*.py")]
    files = files or [Path(str(module.__file__))]
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.digest()


def cache_key(parts: Iterable[str], sources: Iterable[str] = ("certdoctor.testpki",)) -> str:
    """A short key over the fixture parameters and the source of the modules that generate it."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() + b"\0")
    for name in sources:
        h.update(module_source_digest(name))
    return h.hexdigest()[:16]


def write_cache(target: Path, blobs: dict[str, bytes], prefix: str) -> None:
    """Write blobs as target/NAME atomically, then delete the older `prefix*` entries beside target."""
    target.mkdir(parents=True, exist_ok=True)
    for name, data in blobs.items():
        tmp = target / f"{name}.tmp{os.getpid()}"
        tmp.write_bytes(data)
        tmp.replace(target / name)
    for entry in target.parent.glob(f"{prefix}*"):
        if entry != target and entry.is_dir():
            for f in entry.iterdir():
                f.unlink()
            with contextlib.suppress(OSError):
                entry.rmdir()


def read_cache(target: Path | None, names: Sequence[str]) -> dict[str, bytes] | None:
    """The cached blobs when every one is there, else None."""
    if target is None or not all((target / n).is_file() for n in names):
        return None
    return {n: (target / n).read_bytes() for n in names}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, q in 0..100."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Series:
    """Timings (or any samples) of one thing, with the summary the reports print."""

    name: str
    values: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU seconds of the same samples, where measured

    @property
    def median(self) -> float:
        """The median sample."""
        return statistics.median(self.values)

    def summary(self, scale: float = 1.0, unit: str = "", digits: int = 1) -> str:
        """'median X unit (min A, max B, n N)' with the values multiplied by scale."""
        v = [x * scale for x in self.values]
        return (
            f"median {statistics.median(v):.{digits}f} {unit} "
            f"(min {min(v):.{digits}f}, max {max(v):.{digits}f}, n {len(v)})"
        ).replace("  ", " ")

    def as_dict(self, scale: float = 1.0) -> dict[str, float | int]:
        """Median, min, max and count, for JSON."""
        v = [x * scale for x in self.values]
        return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}

    def cpu_series(self) -> Series:
        """The CPU times of the same samples, as a Series of their own."""
        return Series(f"{self.name} (CPU)", list(self.cpu))


def ratio(subject: Series, anchor: Series) -> float:
    """Subject median over anchor median: the figure that travels between machines."""
    return subject.median / anchor.median


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished, waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], object], into: Series, clock: Callable[[], float] = time.process_time) -> None:
    """Call fn once, appending its wall time and its CPU time (by clock) to into."""
    c0, t0 = clock(), time.perf_counter()
    fn()
    into.values.append(time.perf_counter() - t0)
    into.cpu.append(clock() - c0)


def interleaved(
    fns: Sequence[Callable[[], object]],
    runs: int,
    collect: bool = False,
    clock: Callable[[], float] = time.process_time,
) -> list[Series]:
    """Time each fn runs times, alternating them (order reversed every other round) so drift hits all alike.

    Wall and CPU time are both kept: CPU time (clock: this process's by default, children_cpu for
    subprocesses) hardly moves when other processes compete for the cores, wall time does.
    """
    series = [Series(getattr(fn, "__name__", str(i))) for i, fn in enumerate(fns)]
    pairs = list(zip(fns, series, strict=True))
    for r in range(runs):
        for fn, s in pairs if r % 2 == 0 else reversed(pairs):
            if collect:
                gc.collect()
            timed(fn, s, clock)
    return series


@dataclass
class Case:
    """One timed operation at one size (e.g. of a trusted list), with its samples in seconds."""

    name: str
    size: int
    fn: Callable[[], object]
    samples: list[float] = field(default_factory=list)

    @property
    def key(self) -> str:
        """name/size: unique among the cases of a run."""
        return f"{self.name}/{self.size}"


def run_cases(
    cases: Sequence[Case],
    samples: int,
    rounds: int,
    warmup: int,
    budget: float,
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    """Interleaved rounds: each round times every case, so drift hits all cases alike.

    Each case gets ``samples`` timed calls, fewer (but at least 60) when the warm-up says they
    would take more than ``budget`` seconds: that keeps slow cases from eating the time limit while
    the fast cases keep their full sample count. clock: time.perf_counter (wall) or time.process_time (CPU).
    """
    perf = time.perf_counter
    per_round: dict[str, int] = {}
    for case in cases:
        t0 = perf()
        for _ in range(max(1, warmup)):
            case.fn()
        estimate = (perf() - t0) / max(1, warmup)
        wanted = min(samples, max(60, int(budget / estimate))) if estimate > 0 else samples
        per_round[case.key] = max(1, wanted // rounds)
    gc.collect()
    gc.freeze()  # the fixture moves to the permanent generation: the collect before each block stays cheap
    for r in range(rounds):
        order = cases if r % 2 == 0 else list(reversed(cases))
        for case in order:
            fn = case.fn
            out = case.samples
            gc.collect()
            for _ in range(per_round[case.key]):
                t0 = clock()
                fn()
                out.append(clock() - t0)
