"""The guided daily tally (SPEC §3.1): one question at a time, a summary, then Gửi / Sửa / Hủy."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.chat import drafts
from bot.chat.choices import pick
from bot.chat.submit import send_tally
from bot.chat.types import Choice, Incoming, Kind, Turn
from reporting.i18n import fmt_count, text
from reporting.measures import QUESTIONS
from reporting.names import find_units
from reporting.storage.models import Dialog, Unit
from reporting.tabular import CountError, parse_count
from reporting.tallies import Figures, collected_elsewhere, is_locked, tally_on
from reporting.units import hamlets

KIND = "tally"
WRONG_BEFORE_HELP = 3


class Step(StrEnum):
    """Where a guided tally stands."""

    HAMLET = "hamlet"
    REPLACE = "replace"
    COLLECTED = "collected"
    INVALID = "invalid"
    SATISFIED = "satisfied"
    NOTE = "note"
    REVIEW = "review"
    EDIT_PICK = "edit_pick"
    EDIT_VALUE = "edit_value"


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
                day=_dm(day),
                start=_dm(start_day),
                end=_dm(end_day),
            )
        )
        return
    dialog = await drafts.begin(turn.session, turn.user.id, KIND, Step.HAMLET, day, turn.now)
    unit = turn.user.units[0]
    if unit.level == "commune":
        await _ask(turn, dialog)
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
    await _ask(turn, dialog)


# --- each step's answer -------------------------------------------------------------------


async def _on_hamlet(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    choices = await _hamlet_choices(turn)
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
    await _ask(turn, dialog)


async def _on_replace(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    chosen = pick(incoming, _yes_no(turn, "chat.replace_yes"))
    if chosen is None:
        await _wrong(turn, dialog, text("chat.pick_from_list", turn.lang))
    elif chosen.value == "yes":
        await _advance(turn, dialog, Step.COLLECTED)
    else:
        await drafts.drop(turn.session, dialog.user_id)
        turn.say(text("chat.kept_old", turn.lang))


async def _on_collected(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    value = await _number(turn, dialog, incoming, await _collected_limit(turn, dialog))
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
        await _advance(turn, dialog, Step.NOTE)
    else:
        await _advance(turn, dialog, Step.SATISFIED, question=1, satisfied=[])


async def _on_satisfied(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    value = await _number(turn, dialog, incoming, _valid(dialog), all_label=True)
    if value is None:
        return
    satisfied = [*dialog.data["satisfied"], value]
    if len(satisfied) < QUESTIONS:
        await _advance(
            turn, dialog, Step.SATISFIED, satisfied=satisfied, question=len(satisfied) + 1
        )
    else:
        await _advance(turn, dialog, Step.NOTE, satisfied=satisfied)


async def _on_note(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    skipped = pick(incoming, [Choice(text("chat.skip", turn.lang), "skip")], by_number=False)
    note = None if skipped else incoming.text.strip()[:1000] or None
    await _advance(turn, dialog, Step.REVIEW, note=note)


async def _on_review(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    chosen = pick(incoming, _review_choices(turn))
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
    chosen = pick(incoming, _edit_choices(turn, dialog))
    if chosen is None:
        await _wrong(turn, dialog, text("chat.pick_from_list", turn.lang))
    else:
        await _advance(turn, dialog, Step.EDIT_VALUE, editing=chosen.value)


async def _on_edit_value(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    field = dialog.data["editing"]
    if field == "note":
        skipped = pick(incoming, [Choice(text("chat.skip", turn.lang), "skip")], by_number=False)
        await _advance(turn, dialog, Step.REVIEW, note=None if skipped else incoming.text.strip())
        return
    limit = await _edit_limit(turn, dialog, field)
    value = await _number(turn, dialog, incoming, limit, all_label=field.isdigit())
    if value is None:
        return
    if field.isdigit():
        satisfied = list(dialog.data["satisfied"])
        satisfied[int(field) - 1] = value
        await _advance(turn, dialog, Step.REVIEW, satisfied=satisfied)
    else:
        await _advance(turn, dialog, Step.REVIEW, **{field: value})


async def _send(turn: Turn, dialog: Dialog) -> None:
    hamlet = await turn.session.get(Unit, dialog.data["hamlet_id"])
    assert hamlet is not None
    figures = _figures(dialog)
    user_id = dialog.user_id
    if await send_tally(turn, hamlet, dialog.day, figures):
        await drafts.drop(turn.session, user_id)
        await turn.session.commit()
    else:  # refused and rolled back: the summary again, with its buttons, to Sửa or Hủy
        await turn.session.refresh(dialog)
        await _ask(turn, dialog)


# --- asking -------------------------------------------------------------------------------


async def _advance(turn: Turn, dialog: Dialog, next_step: Step, **changes: object) -> None:
    drafts.update(dialog, next_step, turn.now, wrong=0, **changes)
    await _ask(turn, dialog)


async def _ask(turn: Turn, dialog: Dialog) -> None:
    """Sends the question of the dialog's current step, with its choices."""
    lang, state, data = turn.lang, Step(dialog.state), dialog.data
    if state is Step.HAMLET:
        turn.say(
            text("chat.ask_hamlet", lang), tuple(await _hamlet_choices(turn)), drafts.stamp(dialog)
        )
        return
    hamlet = await turn.session.get(Unit, data["hamlet_id"])
    assert hamlet is not None
    if state is Step.REPLACE:
        turn.say(
            text("chat.ask_replace", lang, hamlet=hamlet.name, day=_dm(dialog.day)),
            _yes_no(turn, "chat.replace_yes"),
            drafts.stamp(dialog),
        )
    elif state is Step.COLLECTED:
        limit = await _collected_limit(turn, dialog)
        heading = text("chat.tally_heading", lang, hamlet=hamlet.name, day=_dm(dialog.day))
        turn.say(f"{heading}\n{text('chat.ask_collected', lang, limit=fmt_count(limit))}")
    elif state is Step.INVALID:
        collected = data["collected"]
        turn.say(
            text("chat.ask_invalid", lang, collected=collected),
            (Choice("0", "0"),),
            drafts.stamp(dialog),
        )
    elif state is Step.SATISFIED:
        _ask_question(turn, dialog, data["question"])
    elif state is Step.NOTE:
        turn.say(
            text("chat.ask_note", lang),
            (Choice(text("chat.skip", lang), "skip"),),
            drafts.stamp(dialog),
        )
    elif state is Step.REVIEW:
        turn.say(
            _review_text(turn, dialog, hamlet), _review_choices(turn), drafts.stamp(dialog), 3
        )
    elif state is Step.EDIT_PICK:
        turn.say(text("chat.ask_edit", lang), _edit_choices(turn, dialog), drafts.stamp(dialog), 3)
    else:
        await _ask_edit_value(turn, dialog)


def _ask_question(turn: Turn, dialog: Dialog, question: int) -> None:
    valid = _valid(dialog)
    label = turn.campaign.questions[question - 1]
    turn.say(
        text("chat.ask_satisfied", turn.lang, question=question, label=label, valid=valid),
        (Choice(text("chat.all", turn.lang, count=valid), "all"),),
        drafts.stamp(dialog),
    )


async def _ask_edit_value(turn: Turn, dialog: Dialog) -> None:
    field = dialog.data["editing"]
    if field.isdigit():
        _ask_question(turn, dialog, int(field))
    elif field == "note":
        turn.say(
            text("chat.ask_note", turn.lang),
            (Choice(text("chat.skip", turn.lang), "skip"),),
            drafts.stamp(dialog),
        )
    else:
        limit = await _edit_limit(turn, dialog, field)
        turn.say(text(f"chat.ask_edit_{field}", turn.lang, limit=fmt_count(limit)))


# --- answers and limits -------------------------------------------------------------------


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
    await _ask(turn, dialog)


async def _collected_limit(turn: Turn, dialog: Dialog) -> int:
    hamlet = await turn.session.get(Unit, dialog.data["hamlet_id"])
    assert hamlet is not None
    elsewhere = await collected_elsewhere(turn.session, hamlet.id, dialog.day)
    return max(hamlet.households - elsewhere, 0)


async def _edit_limit(turn: Turn, dialog: Dialog, field: str) -> int:
    if field == "collected":
        return await _collected_limit(turn, dialog)
    if field == "invalid":
        return int(dialog.data["collected"])
    return _valid(dialog)


def _valid(dialog: Dialog) -> int:
    return int(dialog.data["collected"]) - int(dialog.data["invalid"])


def _figures(dialog: Dialog) -> Figures:
    data = dialog.data
    return Figures(data["collected"], data["invalid"], tuple(data["satisfied"]), data.get("note"))


async def _hamlet_choices(turn: Turn) -> list[Choice]:
    assert turn.user is not None
    units = await hamlets(turn.session, [unit.id for unit in turn.user.units])
    return [Choice(unit.name, str(unit.id)) for unit in units]


def _typed_hamlet(incoming: Incoming, choices: list[Choice]) -> Choice | None:
    """Returns the one hamlet a typed name means, its level word optional ("dong chu")."""
    if incoming.kind is not Kind.TEXT:
        return None
    found = find_units(incoming.text, choices, name_of=lambda choice: choice.label)
    return found[0] if len(found) == 1 else None


def _yes_no(turn: Turn, yes_key: str) -> tuple[Choice, ...]:
    return (Choice(text(yes_key, turn.lang), "yes"), Choice(text("chat.no", turn.lang), "no"))


def _review_choices(turn: Turn) -> tuple[Choice, ...]:
    keys = (("chat.send", "send"), ("chat.edit", "edit"), ("chat.cancel", "cancel"))
    return tuple(Choice(text(key, turn.lang), value) for key, value in keys)


def _edit_choices(turn: Turn, dialog: Dialog) -> tuple[Choice, ...]:
    lang = turn.lang
    fields = [
        Choice(text("chat.field_collected", lang), "collected"),
        Choice(text("chat.field_invalid", lang), "invalid"),
    ]
    if _valid(dialog) > 0:
        fields += [
            Choice(text("chat.field_question", lang, question=q), str(q))
            for q in range(1, QUESTIONS + 1)
        ]
    return (*fields, Choice(text("chat.field_note", lang), "note"))


def _review_text(turn: Turn, dialog: Dialog, hamlet: Unit) -> str:
    figures, lang = _figures(dialog), turn.lang
    lines = [
        text("chat.review_heading", lang, hamlet=hamlet.name, day=_dm(dialog.day)),
        text(
            "chat.review_forms",
            lang,
            collected=fmt_count(figures.collected),
            invalid=fmt_count(figures.invalid),
            valid=fmt_count(figures.valid),
        ),
    ]
    for question, value in enumerate(figures.satisfied, start=1):
        label = turn.campaign.questions[question - 1]
        lines.append(
            text(
                "chat.review_question",
                lang,
                question=question,
                label=label,
                satisfied=fmt_count(value),
            )
        )
    lines.append(text("chat.review_note", lang, note=figures.note or "—"))
    lines.append(text("chat.review_actions", lang))
    return "\n".join(lines)


def _dm(day: date) -> str:
    return day.strftime("%d/%m/%Y")
