"""A guided tally's draft: the answers so far, typed, and its JSON form in the `dialogs` table."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from reporting.tallies import Figures


class Step(StrEnum):
    """Where a guided tally stands (NEW: no draft yet, the user just asked for one)."""

    NEW = "new"
    HAMLET = "hamlet"
    REPLACE = "replace"
    COLLECTED = "collected"
    INVALID = "invalid"
    SATISFIED = "satisfied"
    NOTE = "note"
    REVIEW = "review"
    EDIT_PICK = "edit_pick"
    EDIT_VALUE = "edit_value"


@dataclass(frozen=True, slots=True)
class Draft:
    """The answers of a half-finished guided tally.

    `note_answered` tells a skipped note (None, answered) from one never asked: a recount after
    an edit goes straight back to the summary once the note was answered. `question` and
    `editing` name the question being asked; they also mark the buttons (drafts.mark).
    """

    hamlet_id: int | None = None
    collected: int = 0
    invalid: int = 0
    satisfied: tuple[int, ...] = ()
    note: str | None = None
    note_answered: bool = False
    question: int | None = None
    editing: str | None = None
    wrong: int = 0

    @property
    def valid(self) -> int:
        """Returns the valid forms: collected minus invalid."""
        return self.collected - self.invalid

    @property
    def detail(self) -> str:
        """Returns what, besides the step, tells this question from another (drafts.mark)."""
        return str(self.question or self.editing or "")

    def figures(self) -> Figures:
        """Returns the draft's answers as the figures to store."""
        return Figures(self.collected, self.invalid, self.satisfied, self.note)

    def but(self, **changes: Any) -> Draft:
        """Returns a copy with `changes`."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """Returns the draft as stored in `dialogs.data` (the shape the bot always wrote)."""
        data: dict[str, Any] = {
            "collected": self.collected,
            "invalid": self.invalid,
            "satisfied": list(self.satisfied),
            "wrong": self.wrong,
        }
        optional = {
            "hamlet_id": self.hamlet_id,
            "question": self.question,
            "editing": self.editing,
        }
        data |= {key: value for key, value in optional.items() if value is not None}
        if self.note_answered:
            data["note"] = self.note
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """Returns the draft stored in `dialogs.data`; any key may be missing (an older draft)."""
        question, editing = data.get("question"), data.get("editing")
        return cls(
            hamlet_id=_int_or_none(data.get("hamlet_id")),
            collected=int(data.get("collected") or 0),
            invalid=int(data.get("invalid") or 0),
            satisfied=tuple(int(value) for value in data.get("satisfied") or ()),
            note=data.get("note"),
            note_answered="note" in data,
            question=_int_or_none(question),
            editing=str(editing) if editing else None,
            wrong=int(data.get("wrong") or 0),
        )


def _int_or_none(value: object) -> int | None:
    return None if value in (None, "") else int(str(value))
