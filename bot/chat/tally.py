"""The guided daily tally (SPEC §3.1): one question at a time, a summary, then Gửi / Sửa / Hủy."""

from __future__ import annotations

from bot.chat import drafts
from bot.chat.choices import pick
from bot.chat.submit import send_tally
from bot.chat.tally_ask import (
    Step,
    ask,
    collected_limit,
    day_text,
    draft_figures,
    edit_choices,
    edit_limit,
    hamlet_choices,
    review_choices,
    valid_forms,
    yes_no,
)
from bot.chat.types import Choice, Incoming, Kind, Turn
from reporting.i18n import fmt_count, text
from reporting.measures import QUESTIONS
from reporting.names import find_units
from reporting.storage.models import Dialog, Unit
from reporting.tabular import CountError, parse_count
from reporting.tallies import is_locked, tally_on

KIND = "tally"
NOTE_LIMIT = 1000
WRONG_BEFORE_HELP = 3


async def start(turn: Turn) -> None:
    """Opens a guided tally for today; commune users first pick one of their hamlets."""
    assert turn.user is not None
    day = turn.campaign.local_date(turn.now)
    if not turn.campaign.in_collection(day):
        start_day, end_day = turn.campaign.phases.collection
        turn.say(
            text(
                "chat.not_collection_day",
                turn.lang,
                day=day_text(day),
                start=day_text(start_day),
                end=day_text(end_day),
            )
        )
        return
    dialog = await drafts.begin(turn.session, turn.user.id, KIND, Step.HAMLET, day, turn.now)
    unit = turn.user.units[0]
    if unit.level == "commune":
        await ask(turn, dialog)
    else:
        await _hamlet_chosen(turn, dialog, unit)


async def step(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    """Takes one answer in the current step, then asks the next question (or the same again)."""
    handlers = {
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
    await handlers[Step(dialog.state)](turn, dialog, incoming)


async def resume(turn: Turn, dialog: Dialog) -> None:
    """Shows the current question again (after /report while a draft is open, or a restart)."""
    turn.say(text("chat.draft_resumed", turn.lang))
    await ask(turn, dialog)


# --- each step's answer -------------------------------------------------------------------


async def _on_hamlet(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    choices = await hamlet_choices(turn)
    chosen = pick(incoming, choices) or _typed_hamlet(incoming, choices)
    if chosen is None:
        await _wrong(turn, dialog, text("chat.pick_from_list", turn.lang))
        return
    hamlet = await turn.session.get(Unit, int(chosen.value))
    assert hamlet is not None
    await _hamlet_chosen(turn, dialog, hamlet)


async def _hamlet_chosen(turn: Turn, dialog: Dialog, hamlet: Unit) -> None:
    if hamlet.parent_id is not None and await is_locked(turn.session, hamlet.parent_id):
        await drafts.drop(turn.session, dialog.user_id)
        turn.say(text("chat.commune_locked", turn.lang))
        return
    existing = await tally_on(turn.session, hamlet.id, dialog.day)
    next_step = Step.REPLACE if existing else Step.COLLECTED
    drafts.update(dialog, next_step, turn.now, hamlet_id=hamlet.id, satisfied=[], wrong=0)
    await ask(turn, dialog)


async def _on_replace(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    chosen = pick(incoming, yes_no(turn, "chat.replace_yes"))
    if chosen is None:
        await _wrong(turn, dialog, text("chat.pick_from_list", turn.lang))
    elif chosen.value == "yes":
        await _advance(turn, dialog, Step.COLLECTED)
    else:
        await drafts.drop(turn.session, dialog.user_id)
        turn.say(text("chat.kept_old", turn.lang))


async def _on_collected(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    value = await _number(turn, dialog, incoming, await collected_limit(turn, dialog))
    if value is not None:
        drafts.update(dialog, dialog.state, turn.now, collected=value)
        await _advance(turn, dialog, Step.INVALID)


async def _on_invalid(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    value = await _number(turn, dialog, incoming, dialog.data["collected"])
    if value is None:
        return
    drafts.update(dialog, dialog.state, turn.now, invalid=value)
    if dialog.data["collected"] == value:  # no valid forms: nobody can be counted satisfied
        drafts.update(dialog, dialog.state, turn.now, satisfied=[0] * QUESTIONS)
        await _advance(turn, dialog, Step.REVIEW if "note" in dialog.data else Step.NOTE)
    else:
        await _advance(turn, dialog, Step.SATISFIED, question=1, satisfied=[])


async def _on_satisfied(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    value = await _number(turn, dialog, incoming, valid_forms(dialog), all_label=True)
    if value is None:
        return
    satisfied = [*dialog.data["satisfied"], value]
    if len(satisfied) < QUESTIONS:
        await _advance(
            turn, dialog, Step.SATISFIED, satisfied=satisfied, question=len(satisfied) + 1
        )
    else:
        after = Step.REVIEW if "note" in dialog.data else Step.NOTE  # a recount keeps the note
        await _advance(turn, dialog, after, satisfied=satisfied)


async def _on_note(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    await _advance(turn, dialog, Step.REVIEW, note=_note(turn, incoming))


def _note(turn: Turn, incoming: Incoming) -> str | None:
    """Returns the typed note (at most NOTE_LIMIT characters), or None for "Bỏ qua"."""
    skipped = pick(incoming, [Choice(text("chat.skip", turn.lang), "skip")], by_number=False)
    return None if skipped else incoming.text.strip()[:NOTE_LIMIT] or None


async def _on_review(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    chosen = pick(incoming, review_choices(turn))
    if chosen is None:
        await _wrong(turn, dialog, text("chat.pick_from_list", turn.lang))
    elif chosen.value == "send":
        await _send(turn, dialog)
    elif chosen.value == "edit":
        await _advance(turn, dialog, Step.EDIT_PICK)
    else:
        await drafts.drop(turn.session, dialog.user_id)
        turn.say(text("chat.cancelled", turn.lang))


async def _on_edit_pick(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    chosen = pick(incoming, edit_choices(turn, dialog))
    if chosen is None:
        await _wrong(turn, dialog, text("chat.pick_from_list", turn.lang))
    else:
        await _advance(turn, dialog, Step.EDIT_VALUE, editing=chosen.value)


async def _on_edit_value(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    field = dialog.data["editing"]
    if field == "note":
        await _advance(turn, dialog, Step.REVIEW, note=_note(turn, incoming))
        return
    limit = await edit_limit(turn, dialog, field)
    value = await _number(turn, dialog, incoming, limit, all_label=field.isdigit())
    if value is None:
        return
    if field.isdigit():
        satisfied = list(dialog.data["satisfied"])
        satisfied[int(field) - 1] = value
        await _advance(turn, dialog, Step.REVIEW, satisfied=satisfied)
    else:
        await _recount(turn, dialog, field, value)


async def _recount(turn: Turn, dialog: Dialog, field: str, value: int) -> None:
    """After collected or invalid changed, asks again what no longer fits the valid forms.

    The questions are asked again when they never were (there were no valid forms) or when
    a satisfied count is now above the valid forms; otherwise the summary is shown.
    """
    asked_before = valid_forms(dialog) > 0
    drafts.update(dialog, dialog.state, turn.now, **{field: value})
    valid = valid_forms(dialog)
    if dialog.data["invalid"] > dialog.data["collected"]:
        await _advance(turn, dialog, Step.INVALID)
    elif valid == 0:
        await _advance(turn, dialog, Step.REVIEW, satisfied=[0] * QUESTIONS)
    elif asked_before and max(dialog.data["satisfied"]) <= valid:
        await _advance(turn, dialog, Step.REVIEW)
    else:
        turn.say(text("chat.recount", turn.lang, valid=valid_forms(dialog)))
        await _advance(turn, dialog, Step.SATISFIED, question=1, satisfied=[])


async def _send(turn: Turn, dialog: Dialog) -> None:
    hamlet = await turn.session.get(Unit, dialog.data["hamlet_id"])
    assert hamlet is not None
    figures = draft_figures(dialog)
    user_id = dialog.user_id
    if await send_tally(turn, hamlet, dialog.day, figures):
        await drafts.drop(turn.session, user_id)
    else:  # refused: the summary again, with its buttons, to Sửa or Hủy
        await ask(turn, dialog)


async def _advance(turn: Turn, dialog: Dialog, next_step: Step, **changes: object) -> None:
    drafts.update(dialog, next_step, turn.now, wrong=0, **changes)
    await ask(turn, dialog)


async def _number(
    turn: Turn, dialog: Dialog, incoming: Incoming, limit: int, all_label: bool = False
) -> int | None:
    """Returns the typed whole number within 0..limit, or says what is wrong and returns None."""
    if all_label and pick(
        incoming, [Choice(text("chat.all", turn.lang, count=limit), "all")], by_number=False
    ):
        return limit
    if incoming.kind is Kind.BUTTON and incoming.value.isdigit():
        return int(incoming.value)
    try:
        value = parse_count(incoming.text)
    except CountError as error:
        await _wrong(turn, dialog, text(error.key, turn.lang, value=error.value))
        return None
    if value > limit:
        await _wrong(
            turn,
            dialog,
            text("chat.over_limit", turn.lang, value=fmt_count(value), limit=fmt_count(limit)),
        )
        return None
    return value


async def _wrong(turn: Turn, dialog: Dialog, problem: str) -> None:
    """Says what was wrong and asks again; after three in a row, also shows the one-line form."""
    wrong = int(dialog.data.get("wrong", 0)) + 1
    drafts.update(dialog, dialog.state, turn.now, wrong=wrong)
    turn.say(problem)
    if wrong >= WRONG_BEFORE_HELP:
        turn.say(text("chat.stuck_help", turn.lang))
        drafts.update(dialog, dialog.state, turn.now, wrong=0)
    await ask(turn, dialog)


def _typed_hamlet(incoming: Incoming, choices: list[Choice]) -> Choice | None:
    """Returns the one hamlet a typed name means, its level word optional ("dong chu")."""
    if incoming.kind is not Kind.TEXT:
        return None
    found = find_units(incoming.text, choices, name_of=lambda choice: choice.label)
    return found[0] if len(found) == 1 else None
