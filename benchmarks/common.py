"""What every benchmark shares: timing, percentiles, the machine, profiles, and the README."""

from __future__ import annotations

import cProfile
import gc
import math
import os
import platform
import re
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import CodeType

README = Path(__file__).with_name("README.md")
ROOT = Path(__file__).resolve().parents[1]
_LIBRARY = re.compile(r"^.*/(site-packages|lib/python3\.\d+)/")

Case = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Timing:
    """The durations of repeated runs of one case, in nanoseconds."""

    samples: tuple[int, ...]

    @property
    def p50_ms(self) -> float:
        """Returns the median duration in milliseconds."""
        return statistics.median(self.samples) / 1e6

    @property
    def p90_ms(self) -> float:
        """Returns the 90th percentile (nearest rank) in milliseconds."""
        ordered = sorted(self.samples)
        return ordered[math.ceil(0.9 * len(ordered)) - 1] / 1e6


async def time_once(case: Case) -> int:
    """Returns how long one run of a case took, in nanoseconds, after collecting garbage."""
    gc.collect()
    start = time.perf_counter_ns()
    await case()
    return time.perf_counter_ns() - start


async def measure(cases: Mapping[str, Case], runs: int, warmup: int) -> dict[str, Timing]:
    """Returns each case's timing; the cases take turns so that noise spreads over all alike."""
    for _ in range(warmup):
        for case in cases.values():
            await case()
    samples: dict[str, list[int]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            samples[name].append(await time_once(case))
    return {name: Timing(tuple(values)) for name, values in samples.items()}


@dataclass(frozen=True, slots=True)
class Spot:
    """One function's share of a profiled case, per run."""

    where: str
    own_ms: float
    total_ms: float
    calls: int

    def line(self) -> str:
        """Returns the spot as one aligned line."""
        return f"{self.own_ms:8.2f} {self.total_ms:9.2f} {self.calls:8}  {self.where}"


async def profile(case: Case, runs: int, top: int = 12) -> str:
    """Returns the functions a case spends most of its own time in, under cProfile."""
    profiler = cProfile.Profile()
    for _ in range(runs):
        profiler.enable()
        await case()
        profiler.disable()
    spots = [
        Spot(
            _where(e.code),
            e.inlinetime * 1e3 / runs,
            e.totaltime * 1e3 / runs,
            e.callcount // runs,
        )
        for e in profiler.getstats()
    ]
    spots.sort(key=lambda spot: spot.own_ms, reverse=True)
    header = f"{'own ms':>8} {'total ms':>9} {'calls':>8}  function (per run)"
    return "\n".join([header, *(spot.line() for spot in spots[:top])])


def _where(code: CodeType | str) -> str:
    if isinstance(code, str):  # a built-in function
        return code
    file = _LIBRARY.sub("", code.co_filename).removeprefix(f"{ROOT}/")
    return f"{file}:{code.co_firstlineno}({code.co_name})"


def machine() -> str:
    """Returns one line naming the CPU, its cores, and the Python, SQLite and library versions."""
    parts = [
        cpu_model(),
        f"{os.cpu_count()} cores",
        platform.system(),
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
        f"SQLAlchemy {version('sqlalchemy')}",
        f"pandas {version('pandas')}",
    ]
    return " · ".join(parts)


def cpu_model() -> str:
    """Returns the CPU model named in /proc/cpuinfo, or the platform's guess elsewhere."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.processor() or "unknown CPU"


def write_section(name: str, body: str, readme: Path = README) -> None:
    """Replaces the README text between `<!-- name:start -->` and `<!-- name:end -->`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = f"{text.rstrip()}\n\n{block}\n" if text else f"{block}\n"
    readme.write_text(text, encoding="utf-8")
