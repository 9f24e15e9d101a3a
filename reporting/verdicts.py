"""The verdicts' ladder of SPEC §2.4, best first: met, on track, at risk, not met.

A verdict is reached in `reporting.measures`; this module only orders verdicts: the worst
of several, and whether one stands lower than another.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Verdict(StrEnum):
    """A measure's standing, best first (SPEC §2.4)."""

    MET = "met"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    NOT_MET = "not_met"

    @property
    def rank(self) -> int:
        """Returns the verdict's place in the ladder: 0 for met, 3 for not met."""
        return _RANKS[self]


_RANKS = {verdict: place for place, verdict in enumerate(Verdict)}


def worst(verdicts: Iterable[Verdict | None]) -> Verdict | None:
    """Returns the worst verdict given, ignoring None; None when there is none."""
    return max((v for v in verdicts if v is not None), key=lambda v: v.rank, default=None)


def got_worse(old: Verdict | None, new: Verdict | None) -> bool:
    """Returns True when `new` stands lower in the ladder than `old` (None is never worse)."""
    if old is None or new is None:
        return False
    return new.rank > old.rank
