"""Where the event loop's thread spends a stretch of async work: pyinstrument's samples summed
by area (our code, each library, idle) and by function, with the SQL statements run meanwhile.

    spots = HotSpots()
    with spots:
        await work()
    print(spots.report(updates=200, what="one-line tally"))

cProfile (`benchmarks.common.profile`) sees one coroutine at a time; a whole bot under load runs
many tasks and SQLAlchemy's greenlets at once, so this samples the thread instead.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from types import TracebackType

from pyinstrument import Profiler
from pyinstrument.frame import Frame
from sqlalchemy import Engine, event

from benchmarks.common import ROOT

TOP = 15
INTERVAL = 0.0005  # seconds between samples
_SITE = re.compile(r"^.*/(site-packages|lib/python3\.\d+)/")
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", re.IGNORECASE)
_HTTP_CLIENT = "httpx/httpcore (PTB's HTTP client)"
AREAS = (  # (a part of a frame's file path, what to call it); the first match wins
    ("/bot/localapi/", "local Bot API server and fake users (the harness)"),
    (f"{ROOT}/bot/", "bot/ (handlers, dialogs)"),
    (f"{ROOT}/reporting/", "reporting/ (tally service, measures)"),
    ("/telegram/", "python-telegram-bot"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/aiosqlite/", "aiosqlite (hand-off to its SQLite thread)"),
    ("/aiohttp/", "aiohttp (the local server's HTTP)"),
    ("/httpx/", _HTTP_CLIENT),
    ("/httpcore/", _HTTP_CLIENT),
    ("/h11/", _HTTP_CLIENT),
    ("/anyio/", _HTTP_CLIENT),
    ("/selectors.py", "event loop idle (waiting on sockets and the SQLite thread)"),
    ("/asyncio/", "asyncio"),
)


class HotSpots:
    """Samples the current thread and counts SQL statements while the `with` block runs."""

    def __init__(self) -> None:
        self._profiler = Profiler(interval=INTERVAL, async_mode="disabled")
        self.statements: Counter[str] = Counter()

    def __enter__(self) -> HotSpots:
        event.listen(Engine, "before_cursor_execute", self._count)
        event.listen(Engine, "commit", self._count_commit)
        self._profiler.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._profiler.stop()
        event.remove(Engine, "before_cursor_execute", self._count)
        event.remove(Engine, "commit", self._count_commit)

    def _count(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.statements[statement_kind(statement)] += 1

    def _count_commit(self, _conn: object) -> None:
        self.statements["COMMIT"] += 1

    def report(self, updates: int, what: str) -> str:
        """Returns the SQL per update, then the thread's time by area and by function."""
        session = self._profiler.last_session
        root = session.root_frame() if session else None
        if root is None:
            return "nothing was sampled"
        own = list(own_times(root, ("?", "?")))
        return f"{sql_line(self.statements, updates, what)}\n\n{shares(own, root.time)}"


def statement_kind(statement: str) -> str:
    """Returns what a statement does and to which table: "SELECT tallies", "BEGIN IMMEDIATE"."""
    verb = statement.split(None, 1)[0].upper()
    table = _TABLE.search(statement) if verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else None
    if table is None:
        return " ".join(statement.split()[:2]).upper() if verb == "BEGIN" else verb
    return f"{verb} {table[1]}"


def sql_line(statements: Counter[str], updates: int, what: str) -> str:
    """Returns the SQL statements per update, by their first words."""
    total = sum(statements.values()) / updates
    kinds = ", ".join(f"{n / updates:.2g} {kind}" for kind, n in statements.most_common())
    return f"SQL statements per {what}: {total:.3g} ({kinds})."


def own_times(frame: Frame, caller: tuple[str, str]) -> Iterator[tuple[str, str, float]]:
    """Yields (file, function, own seconds) of every frame below and including `frame`.

    A synthetic frame (`[self]`, `[await]`) counts as the frame above it, and a C function in
    the file of the Python code that called it, so that `epoll.poll` is the event loop's.
    """
    file, function = caller
    if not frame.is_synthetic:
        file = file if frame.file_path in (None, "<built-in>") else str(frame.file_path)
        function = frame.function
    own = frame.time - sum(child.time for child in frame.children)
    if own > 0:
        yield file, function, own
    for child in frame.children:
        yield from own_times(child, (file, function))


def area(file: str) -> str:
    """Returns the part of the stack a file belongs to."""
    return next((name for part, name in AREAS if part in file), "other")


def shares(own: list[tuple[str, str, float]], total: float) -> str:
    """Returns the thread's time by area, then the functions with the most own time."""
    by_area: defaultdict[str, float] = defaultdict(float)
    by_function: defaultdict[str, float] = defaultdict(float)
    for file, function, seconds in own:
        by_area[area(file)] += seconds
        by_function[f"{_short(file)}({function})"] += seconds
    lines = [f"{'share':>6}  area (event loop thread, {total:.2f} s sampled)"]
    lines += [f"{s / total:6.1%}  {name}" for name, s in _largest(by_area)]
    lines += ["", f"{'share':>6}  function (own time)"]
    lines += [f"{s / total:6.1%}  {name}" for name, s in _largest(by_function)[:TOP]]
    return "\n".join(lines)


def _largest(seconds: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(seconds.items(), key=lambda item: item[1], reverse=True)


def _short(file: str) -> str:
    return _SITE.sub("", file).removeprefix(f"{ROOT}/")
