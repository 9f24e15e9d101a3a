"""How far a long CLI command is: one line redrawn on a terminal, a line a tenth otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

QUIET_FOR = 1.0  # seconds: work done sooner shows no progress at all
REDRAW_EVERY = 0.1  # seconds between redraws of the terminal line
STEP = 10  # percent between the plain lines written to a file or a pipe


class Progress:
    """Shows a command's progress on standard error once it has run for a second.

    On a terminal the line is redrawn in place (a carriage return, no new line until the
    end); in a log or a pipe a plain line is written at each tenth, so that nothing fills
    a log with redraws.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.stream, self.clock = label, stream or sys.stderr, clock
        self.terminal = self.stream.isatty()
        self.started = clock()
        self.drawn_at: float | None = None
        self.step = 0

    def update(self, done: int, total: int) -> None:
        """Shows that `done` of `total` are done, if the command has run long enough."""
        now = self.clock()
        if total <= 0 or now - self.started < QUIET_FOR:
            return
        percent = min(100, 100 * done // total)
        if self.terminal:
            if percent < 100 and self.drawn_at is not None and now - self.drawn_at < REDRAW_EVERY:
                return
            self.stream.write(f"\r{self.label}: {percent:3d} %")
        elif percent >= self.step + STEP or self.drawn_at is None:
            self.step = percent // STEP * STEP
            self.stream.write(f"{self.label}: {self.step} %\n")
        else:
            return
        self.stream.flush()
        self.drawn_at = now

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self.terminal and self.drawn_at is not None:
            self.stream.write("\n")  # what the command prints next starts on a line of its own
            self.stream.flush()
