"""The database invariants of SPEC §2.3, read straight from a SQLite file with `sqlite3`.

Shared by the fuzz test and the backup drill: each check returns the rows that break a rule,
so a failure names them. Plain SQL on a read-only connection keeps a check at a millisecond or
two, cheap enough to run after every one of ten thousand inputs.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

# each query returns the rows that break its rule: none when the database is sound
BROKEN: dict[str, str] = {
    "figures out of range (0 ≤ invalid ≤ collected, 0 ≤ satisfied ≤ valid)": (
        "SELECT t.id FROM tallies t WHERE collected < 0 OR invalid < 0 OR invalid > collected "
        "OR EXISTS (SELECT 1 FROM json_each(t.satisfied) a "
        "WHERE a.value < 0 OR a.value > t.collected - t.invalid)"
    ),
    "a tally answering another number of questions than the others": (
        "SELECT id FROM tallies WHERE json_array_length(satisfied) != "
        "(SELECT MAX(json_array_length(satisfied)) FROM tallies)"
    ),
    "a hamlet's cumulative collected over its households": (
        "SELECT t.hamlet_id, SUM(t.collected), u.households FROM tallies t "
        "JOIN units u ON u.id = t.hamlet_id GROUP BY t.hamlet_id, u.households "
        "HAVING SUM(t.collected) > u.households"
    ),
    "more than one tally for a hamlet-day": (
        "SELECT hamlet_id, day, COUNT(*) FROM tallies GROUP BY hamlet_id, day HAVING COUNT(*) > 1"
    ),
    "a tally on a unit that is not a hamlet": (
        "SELECT t.id FROM tallies t JOIN units u ON u.id = t.hamlet_id WHERE u.level != 'hamlet'"
    ),
    "running totals that differ from the sums of the tallies": (
        "SELECT u.id FROM units u LEFT JOIN (SELECT hamlet_id, SUM(collected) AS collected, "
        "SUM(invalid) AS invalid FROM tallies GROUP BY hamlet_id) s ON s.hamlet_id = u.id "
        "LEFT JOIN hamlet_totals h ON h.hamlet_id = u.id WHERE u.level = 'hamlet' AND ("
        "COALESCE(s.collected, 0) != COALESCE(h.collected, 0) "
        "OR COALESCE(s.invalid, 0) != COALESCE(h.invalid, 0)) "
        "UNION SELECT q.hamlet_id FROM (SELECT t.hamlet_id, a.key, SUM(a.value) AS total "
        "FROM tallies t, json_each(t.satisfied) a GROUP BY t.hamlet_id, a.key) q "
        "LEFT JOIN (SELECT h.hamlet_id, b.key, b.value FROM hamlet_totals h, "
        "json_each(h.satisfied) b) r ON r.hamlet_id = q.hamlet_id AND r.key = q.key "
        "WHERE r.value IS NULL OR r.value != q.total"
    ),
}


def broken_invariants(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Returns each broken invariant with the rows that break it; empty when all hold."""
    found: dict[str, list[tuple[object, ...]]] = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        for rule, query in BROKEN.items():
            rows = connection.execute(query).fetchall()
            if rows:
                found[rule] = rows
        audit = _broken_audit(connection)
        if audit:
            found["a tally whose revisions do not end in its figures"] = audit
    return found


def _broken_audit(connection: sqlite3.Connection) -> list[tuple[object, ...]]:
    """Returns tallies whose revisions are not 1..revision, the latest holding the figures."""
    revisions: dict[int, list[tuple[int, str]]] = {}
    query = "SELECT tally_id, revision, new FROM tally_revisions ORDER BY tally_id, revision"
    for tally_id, number, new in connection.execute(query):
        revisions.setdefault(tally_id, []).append((number, new))
    broken: list[tuple[object, ...]] = []
    for tally_id, revision, note, collected, invalid, answers in connection.execute(
        "SELECT id, revision, note, collected, invalid, satisfied FROM tallies"
    ):
        satisfied = json.loads(answers)
        trail = revisions.get(tally_id, [])
        if [number for number, _ in trail] != list(range(1, revision + 1)):
            broken.append((tally_id, "revisions", [number for number, _ in trail], revision))
            continue
        latest = json.loads(trail[-1][1])
        expected = {
            "collected": collected,
            "invalid": invalid,
            "satisfied": satisfied,
            "note": note,
        }
        if latest != expected:
            broken.append((tally_id, "latest", latest, expected))
    return broken


def row_counts(database: Path) -> dict[str, int]:
    """Returns how many rows each table holds."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = [name for (name,) in tables.fetchall()]
        return {
            name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            for name in names
        }


def messages_counted(database: Path, channel: str, external_id: str) -> int:
    """Returns how many messages a chat account without a user wrote in its current window."""
    with closing(sqlite3.connect(database)) as connection:
        row = connection.execute(
            "SELECT count FROM chat_limits WHERE channel = ? AND external_id = ? AND kind = ?",
            (channel, external_id, "message"),
        ).fetchone()
    return 0 if row is None else int(row[0])
