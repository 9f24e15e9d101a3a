"""Matching what a user typed or pressed to the choices on offer."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.turn import Choice, Incoming, Kind
from reporting.counts import whole_number
from reporting.names import fold

MIN_PREFIX = 3


def pick(incoming: Incoming, choices: Sequence[Choice], by_number: bool = True) -> Choice | None:
    """Returns the choice meant: a button pressed, a label typed (any accents), or a number.

    Typed text is read against what the person was shown, the labels and their numbers, never
    against the values behind the buttons: the edit list's "Câu 2" has the value "2", yet a
    Zalo user who types 2 means the second line of the list.
    """
    if incoming.kind is Kind.BUTTON:
        return next((c for c in choices if c.value == incoming.value), None)
    typed = fold(incoming.text)
    if not typed:
        return None
    for choice in choices:
        if fold(choice.label) == typed:
            return choice
    number = whole_number(typed) if by_number else None
    if number is not None and 1 <= number <= len(choices):
        return choices[number - 1]
    # The start of a label is enough ("tat ca"), when it is the start of only one ("xom" is no
    # hamlet) and not so short that a word typed as a note could be taken for it ("bo").
    if len(typed) < MIN_PREFIX:
        return None
    started = [c for c in choices if fold(c.label).startswith(typed)]
    return started[0] if len(started) == 1 else None
