"""Runs every benchmark in turn: `python -m benchmarks` (what `make benchmark` does)."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks import broadcast, charts, memory, one_process, processes, summary, throughput

# Each benchmark is a module whose `main()` measures, prints, and rewrites its README section.
BENCHMARKS: list[Callable[[], None]] = [
    summary.main,
    throughput.main,
    processes.main,
    one_process.main,
    memory.main,
    charts.main,
    broadcast.main,
]


def main() -> None:
    """Runs the benchmarks one after another."""
    for run in BENCHMARKS:
        run()


if __name__ == "__main__":
    main()
