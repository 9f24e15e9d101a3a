"""The guided tally (SPEC §3.1) as one pure function: (step, draft, answer, facts) → outcome.

No database and no await here: the shell (bot/chat/tally/guided.py) reads the facts first;
after `advance`, it stores what the outcome's effects ask for, keeps or drops the draft, and
sends the prompts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.chat.choices import pick
from bot.chat.tally.guided_draft import Draft, Step
from bot.chat.tally.guided_prompts import (
    Facts,
    HamletFacts,
    all_choices,
    ask,
    edit_choices,
    edit_limit,
    hamlet_choices,
    review_choices,
    skip_choices,
    yes_no,
)
from bot.chat.turn import Choice, Incoming, Kind, Reply
from reporting.counts import parse_count
from reporting.errors import CountError
from reporting.i18n import fmt_count, fmt_day, text
from reporting.names import find_units
from reporting.tallies import NOTE_LIMIT, Figures
from reporting.wording import example_line

WRONG_BEFORE_HELP = 3
REPORT = Incoming(Kind.COMMAND, command="report")  # /report: open a tally, or show it again
# The steps whose answers and next questions need nothing of the hamlet but its name; for the
# others the shell reads where the hamlet stands that day (HamletDay).
NAME_ONLY_STEPS = frozenset({Step.INVALID, Step.SATISFIED, Step.NOTE, Step.REVIEW})


class Ending(StrEnum):
    """Why a draft was dropped before it was sent."""

    CANCELLED = "cancelled"
    KEPT_OLD = "kept_old"  # the hamlet's tally of the day stays as it was
    LOCKED = "locked"  # the commune's figures are confirmed


@dataclass(frozen=True, slots=True)
class SubmitTally:
    """Store these figures for the hamlet and day; when refused, show `if_refused` after why."""

    hamlet_id: int
    day: date
    figures: Figures
    if_refused: tuple[Reply, ...]


@dataclass(frozen=True, slots=True)
class DropDraft:
    """The draft ends here, nothing stored."""

    why: Ending


Effect = SubmitTally | DropDraft


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the tally goes next: its step (None: no draft kept), draft, prompts and effects."""

    state: Step | None
    draft: Draft
    prompts: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True, slots=True)
class _Wrong:
    problem: str


Handler = Callable[[Draft, Incoming, Facts], Outcome]


def advance(state: Step, draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    """Takes one answer (or /report) in a step; returns the next step, draft, prompts, effects."""
    if state is Step.NEW:
        return _open(facts)
    if answer.kind is Kind.COMMAND:
        resumed = Reply(text("chat.draft_resumed", facts.lang))
        return Outcome(state, draft, (resumed, *ask(state, draft, facts)))
    return _STEPS[state](draft, answer, facts)


def _open(facts: Facts) -> Outcome:
    """Opens a tally for the day: commune users pick a hamlet, hamlet leaders start at once."""
    first, last = facts.collection
    if not first <= facts.day <= last:
        day, start, end = (fmt_day(d) for d in (facts.day, first, last))
        said = text("chat.not_collection_day", facts.lang, day=day, start=start, end=end)
        return Outcome(None, Draft(), (Reply(said),))
    if facts.for_commune:
        return _asked(Step.HAMLET, Draft(), facts)
    return _hamlet_chosen(Draft(), facts.hamlets[0], facts)


# --- each step's answer -------------------------------------------------------------------


def _on_hamlet(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    choices = hamlet_choices(facts)
    chosen = pick(answer, choices) or _typed_hamlet(answer, choices)
    if chosen is None:
        return _wrong(Step.HAMLET, draft, facts, text("chat.pick_from_list", facts.lang))
    hamlet = next(hamlet for hamlet in facts.hamlets if str(hamlet.id) == chosen.value)
    return _hamlet_chosen(draft, hamlet, facts)


def _hamlet_chosen(draft: Draft, hamlet: HamletFacts, facts: Facts) -> Outcome:
    if hamlet.locked:
        said = (Reply(text("chat.commune_locked", facts.lang, **facts.level_words)),)
        return Outcome(None, draft, said, (DropDraft(Ending.LOCKED),))
    draft = draft.but(hamlet_id=hamlet.id, satisfied=(), wrong=0)
    return _asked(Step.REPLACE if hamlet.reported else Step.COLLECTED, draft, facts)


def _on_replace(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    chosen = pick(answer, yes_no(facts.lang, "chat.replace_yes"))
    if chosen is None:
        return _wrong(Step.REPLACE, draft, facts, text("chat.pick_from_list", facts.lang))
    if chosen.value == "yes":
        return _advance(Step.COLLECTED, draft, facts)
    return _dropped(draft, facts, Ending.KEPT_OLD, "chat.kept_old")


def _on_collected(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    value = _count(answer, facts.hamlet(draft).limit, facts.lang)
    if isinstance(value, _Wrong):
        return _wrong(Step.COLLECTED, draft, facts, value.problem)
    return _advance(Step.INVALID, draft, facts, collected=value)


def _on_invalid(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    value = _count(answer, draft.collected, facts.lang)
    if isinstance(value, _Wrong):
        return _wrong(Step.INVALID, draft, facts, value.problem)
    draft = draft.but(invalid=value)
    if draft.valid == 0:  # no valid forms: nobody can be counted satisfied
        nobody = (0,) * len(facts.questions)
        return _advance(_after_questions(draft), draft, facts, satisfied=nobody)
    return _advance(Step.SATISFIED, draft, facts, question=1, satisfied=())


def _on_satisfied(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    value = _count(answer, draft.valid, facts.lang, all_label=True)
    if isinstance(value, _Wrong):
        return _wrong(Step.SATISFIED, draft, facts, value.problem)
    satisfied = (*draft.satisfied, value)
    if len(satisfied) < len(facts.questions):
        question = len(satisfied) + 1
        return _advance(Step.SATISFIED, draft, facts, satisfied=satisfied, question=question)
    return _advance(_after_questions(draft), draft, facts, satisfied=satisfied)


def _after_questions(draft: Draft) -> Step:
    """Returns the note, or the summary when the note was answered (a recount keeps it)."""
    return Step.REVIEW if draft.note_answered else Step.NOTE


def _on_note(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    note = _note(answer, facts.lang)
    return _advance(Step.REVIEW, draft, facts, note=note, note_answered=True)


def _note(answer: Incoming, lang: str) -> str | None:
    """Returns the typed note (at most NOTE_LIMIT characters), or None for "Bỏ qua"."""
    if pick(answer, skip_choices(lang), by_number=False):
        return None
    return answer.text.strip()[:NOTE_LIMIT] or None


def _on_review(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    chosen = pick(answer, review_choices(facts.lang))
    if chosen is None:
        return _wrong(Step.REVIEW, draft, facts, text("chat.pick_from_list", facts.lang))
    if chosen.value == "send":
        assert draft.hamlet_id is not None
        again = ask(Step.REVIEW, draft, facts)  # refused: the summary again, to Sửa or Hủy
        submit = SubmitTally(draft.hamlet_id, facts.day, draft.figures(), again)
        return Outcome(Step.REVIEW, draft, (), (submit,))
    if chosen.value == "edit":
        return _advance(Step.EDIT_PICK, draft, facts)
    return _dropped(draft, facts, Ending.CANCELLED, "chat.cancelled")


def _on_edit_pick(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    chosen = pick(answer, edit_choices(facts.lang, draft))
    if chosen is None:
        return _wrong(Step.EDIT_PICK, draft, facts, text("chat.pick_from_list", facts.lang))
    return _advance(Step.EDIT_VALUE, draft, facts, editing=chosen.value)


def _on_edit_value(draft: Draft, answer: Incoming, facts: Facts) -> Outcome:
    field = draft.editing or ""
    if field == "note":
        note = _note(answer, facts.lang)
        return _advance(Step.REVIEW, draft, facts, note=note, note_answered=True)
    limit = edit_limit(draft, facts, field)
    value = _count(answer, limit, facts.lang, all_label=field.isdigit())
    if isinstance(value, _Wrong):
        return _wrong(Step.EDIT_VALUE, draft, facts, value.problem)
    if not field.isdigit():
        return _recount(draft.but(**{field: value}), facts, asked_before=draft.valid > 0)
    satisfied = list(draft.satisfied)
    satisfied[int(field) - 1] = value
    return _advance(Step.REVIEW, draft, facts, satisfied=tuple(satisfied))


def _recount(draft: Draft, facts: Facts, asked_before: bool) -> Outcome:
    """After collected or invalid changed, asks again what no longer fits the valid forms.

    The questions are asked again when they never were (there were no valid forms) or when
    a satisfied count is now above the valid forms; otherwise the summary is shown.
    """
    if draft.invalid > draft.collected:
        return _advance(Step.INVALID, draft, facts)
    if draft.valid == 0:
        return _advance(Step.REVIEW, draft, facts, satisfied=(0,) * len(facts.questions))
    if asked_before and max(draft.satisfied) <= draft.valid:
        return _advance(Step.REVIEW, draft, facts)
    recount = Reply(text("chat.recount", facts.lang, valid=draft.valid))
    draft = draft.but(wrong=0, question=1, satisfied=())
    return _asked(Step.SATISFIED, draft, facts, recount)


# --- shared moves ---------------------------------------------------------------------------


def _asked(state: Step, draft: Draft, facts: Facts, *before: Reply) -> Outcome:
    """Returns the outcome that asks the step's question (after `before`)."""
    return Outcome(state, draft, (*before, *ask(state, draft, facts)))


def _advance(state: Step, draft: Draft, facts: Facts, **changes: object) -> Outcome:
    """Moves on to a step with an answer taken: the count of wrong answers starts again."""
    return _asked(state, draft.but(wrong=0, **changes), facts)


def _dropped(draft: Draft, facts: Facts, why: Ending, key: str) -> Outcome:
    return Outcome(None, draft, (Reply(text(key, facts.lang)),), (DropDraft(why),))


def _one_line_help(questions: int, lang: str) -> str:
    """Returns the one-line format, every answer's column named: "/baocao PHIẾU_THU C1 C2 …"."""
    numbers = range(1, questions + 1)
    columns = " ".join(text("chat.answer_column", lang, number=n) for n in numbers)
    return text("chat.stuck_help", lang, columns=columns, example=example_line(questions))


def _wrong(state: Step, draft: Draft, facts: Facts, problem: str) -> Outcome:
    """Says what was wrong and asks again; after three in a row, also shows the one-line form."""
    wrong, said = draft.wrong + 1, [Reply(problem)]
    if wrong >= WRONG_BEFORE_HELP:
        said.append(Reply(_one_line_help(len(facts.questions), facts.lang)))
        wrong = 0
    return _asked(state, draft.but(wrong=wrong), facts, *said)


def _count(answer: Incoming, limit: int, lang: str, all_label: bool = False) -> int | _Wrong:
    """Returns the whole number within 0..limit that was typed or pressed, or what is wrong."""
    if all_label and pick(answer, all_choices(lang, limit), by_number=False):
        return limit
    # A button's value is read like typed text: callback data can be forged.
    written = answer.value if answer.kind is Kind.BUTTON else answer.text
    try:
        value = parse_count(written)
    except CountError as error:
        return _Wrong(error.message(lang))
    if value > limit:
        return _Wrong(
            text("chat.over_limit", lang, value=fmt_count(value), limit=fmt_count(limit))
        )
    return value


def _typed_hamlet(answer: Incoming, choices: tuple[Choice, ...]) -> Choice | None:
    """Returns the one hamlet a typed name means, its level word optional ("dong chu")."""
    if answer.kind is not Kind.TEXT:
        return None
    found = find_units(answer.text, choices, name_of=lambda choice: choice.label)
    return found[0] if len(found) == 1 else None


_STEPS: dict[Step, Handler] = {
    Step.HAMLET: _on_hamlet,
    Step.REPLACE: _on_replace,
    Step.COLLECTED: _on_collected,
    Step.INVALID: _on_invalid,
    Step.SATISFIED: _on_satisfied,
    Step.NOTE: _on_note,
    Step.REVIEW: _on_review,
    Step.EDIT_PICK: _on_edit_pick,
    Step.EDIT_VALUE: _on_edit_value,
}
