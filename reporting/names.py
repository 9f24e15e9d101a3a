"""Unit names as people type them: diacritic- and case-insensitive keys and look-ups.

Names are stored as written (`clean`); users find them by `fold`, which drops case and diacritics
("dinh bien" finds "Định Biên"), and by `match_key`, which also drops a leading level word, so that
"xom na mo", "na mo" and "thôn Nà Mò" all find "Xóm Nà Mò".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeVar, overload

_Unit = TypeVar("_Unit")

# The longest name a unit, campaign district or person may have (the columns are VARCHAR(200):
# PostgreSQL enforces it, SQLite would not, so the code refuses or shortens before storing).
NAME_LIMIT: Final = 200

# What a spreadsheet opening a CSV takes for the start of a formula (CSV injection).
_FORMULA_STARTS: Final = frozenset("=+-@\t\r")

# NFD leaves đ/Đ whole (it is a letter of its own, not d plus a mark), so map it by hand.
_STROKED_D: Final = str.maketrans({"đ": "d", "Đ": "d"})

# Longest first, so that "tổ dân phố" is not read as a shorter level word.
_LEVEL_WORDS: Final = (
    ("tổ", "dân", "phố"),
    ("thị", "trấn"),
    ("tdp",),
    ("tt",),
    ("xã",),
    ("xóm",),
    ("thôn",),
    ("phường",),
    ("huyện",),
)


def clean(name: str) -> str:
    """Returns `name` as it is stored and shown: NFC, trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def inert(name: str) -> str:
    """Returns `name` with a quote before a leading =, +, -, @, tab or CR.

    A spreadsheet opening the CSV would otherwise run such a name as a formula (CSV injection);
    the quote is what Excel itself shows for text typed that way.
    """
    return f"'{name}" if name[:1] in _FORMULA_STARTS else name


def fold(name: str) -> str:
    """Returns the look-up key of `name`: lower case, no diacritics, single spaces."""
    decomposed = unicodedata.normalize("NFD", name.casefold().translate(_STROKED_D))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def match_key(name: str) -> str:
    """Returns `fold(name)` without a leading level word (xã, xóm, thôn, tổ dân phố, thị trấn).

    A level word counts only as written: "Phượng Tiến" keeps its "phuong", which is not "phường".
    """
    return " ".join(fold(name).split()[_level_length(name, strict=True) :])


def matches(query: str, name: str) -> bool:
    """Returns whether `query` would find `name` in `find_units` (exactly, by prefix or inside)."""
    return bool(find_units(query, [name]))


@overload
def find_units(query: str, units: Iterable[str]) -> list[str]: ...


@overload
def find_units(
    query: str, units: Iterable[_Unit], name_of: Callable[[_Unit], str]
) -> list[_Unit]: ...


def find_units(query: str, units: Iterable[Any], name_of: Callable[[Any], str] = str) -> list[Any]:
    """Returns the units whose names match `query` best: exact keys, else prefixes, else inside.

    Among exact matches, those spelt with the query's very diacritics win when there are any.
    Order is kept and nothing is deduplicated: two hamlets called "Xóm Trung Tâm" in two communes
    both come back, and the caller asks which one was meant.
    """
    wanted = _Keys.of(query, strict=False)
    if not wanted.folded[0]:
        return []
    tiers: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])
    for unit in units:
        tier = wanted.tier_of(_Keys.of(name_of(unit), strict=True))
        if tier is not None:
            tiers[tier].append(unit)
    return next((tier for tier in tiers if tier), [])


@dataclass(frozen=True, slots=True)
class _Keys:
    """A text's look-up keys, whole and without its level word: folded, and with diacritics."""

    folded: tuple[str, ...]
    marked: tuple[str, ...]

    @classmethod
    def of(cls, text: str, *, strict: bool) -> _Keys:
        """Returns the keys of `text`; a loose level word may be typed without its diacritics."""
        marked = clean(text).casefold().split()
        folded = fold(text).split()
        skip = _level_length(text, strict=strict)
        cut = (0, skip) if skip else (0,)
        return cls(
            tuple(" ".join(folded[n:]) for n in cut), tuple(" ".join(marked[n:]) for n in cut)
        )

    def tier_of(self, name: _Keys) -> int | None:
        """Returns 0 for the same spelling, 1 exact, 2 prefix, 3 inside, None for no match."""
        pairs = [(query, key) for query in self.folded for key in name.folded]
        if any(query == key for query, key in pairs):
            return 0 if set(self.marked) & set(name.marked) else 1
        if any(key.startswith(query) for query, key in pairs):
            return 2
        if any(query in key or _compact(query) in _compact(key) for query, key in pairs):
            return 3
        return None


def _level_length(text: str, *, strict: bool) -> int:
    """Returns how many leading words of `text` name its level ("tổ dân phố": 3), or 0.

    Strict (stored names) accepts a level word with its diacritics, or in a name written wholly
    without them; loose (queries) accepts it spelt either way. A lone level word is a name.
    """
    marked = [word.rstrip(".") for word in clean(text).casefold().split()]
    folded = [fold(word) for word in marked]
    unmarked = marked == folded
    for level in _LEVEL_WORDS:
        size = len(level)
        if len(marked) <= size:
            continue
        if tuple(marked[:size]) == level:
            return size
        if (unmarked or not strict) and tuple(folded[:size]) == tuple(map(fold, level)):
            return size
    return 0


def _compact(key: str) -> str:
    """Returns a folded key without spaces, so that "phutien" still finds "Phú Tiến"."""
    return key.replace(" ", "")
