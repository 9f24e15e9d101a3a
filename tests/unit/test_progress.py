"""The CLI's progress line: redrawn on a terminal, a line a tenth in a log, silent when quick."""

from __future__ import annotations

import io

from bot.cli.progress import QUIET_FOR, Progress


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True


def _run(stream: io.StringIO, seconds_per_row: float, rows: int = 200) -> str:
    clock = Clock()
    with Progress("Đang nhập", stream, clock) as progress:
        for done in range(1, rows + 1):
            clock.now += seconds_per_row
            progress.update(done, rows)
    return stream.getvalue()


def test_a_log_gets_a_plain_line_at_each_tenth_once_the_work_is_slow() -> None:
    written = _run(io.StringIO(), seconds_per_row=0.05)  # 10 s in all
    lines = written.splitlines()
    assert "\r" not in written
    assert lines[-1] == "Đang nhập: 100 %"
    assert [line.split(": ")[1] for line in lines] == [f"{p} %" for p in range(10, 101, 10)]


def test_quick_work_prints_nothing() -> None:
    assert _run(io.StringIO(), seconds_per_row=QUIET_FOR / 400) == ""
    assert _run(Terminal(), seconds_per_row=QUIET_FOR / 400) == ""


def test_a_terminal_gets_one_line_redrawn_in_place_and_ended() -> None:
    written = _run(Terminal(), seconds_per_row=0.05)
    assert written.startswith("\rĐang nhập:")
    assert written.endswith("\rĐang nhập: 100 %\n")
    assert written.count("\n") == 1
