"""What the guided tally asks at each step: the question, its choices and its limits."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bot.chat import drafts
from bot.chat.types import Choice, Turn
from reporting.i18n import fmt_count, text
from reporting.measures import QUESTIONS
from reporting.storage.models import Dialog, Unit
from reporting.tallies import Figures, collected_elsewhere
from reporting.units import hamlets


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


async def ask(turn: Turn, dialog: Dialog) -> None:
    """Sends the question of the dialog's current step, with its choices."""
    lang, state, data = turn.lang, Step(dialog.state), dialog.data
    if state is Step.HAMLET:
        turn.say(
            text("chat.ask_hamlet", lang), tuple(await hamlet_choices(turn)), drafts.stamp(dialog)
        )
        return
    hamlet = await turn.session.get(Unit, data["hamlet_id"])
    assert hamlet is not None
    if state is Step.REPLACE:
        turn.say(
            text("chat.ask_replace", lang, hamlet=hamlet.name, day=day_text(dialog.day)),
            yes_no(turn, "chat.replace_yes"),
            drafts.stamp(dialog),
        )
    elif state is Step.COLLECTED:
        limit = await collected_limit(turn, dialog)
        heading = text("chat.tally_heading", lang, hamlet=hamlet.name, day=day_text(dialog.day))
        turn.say(f"{heading}\n{text('chat.ask_collected', lang, limit=fmt_count(limit))}")
    elif state is Step.INVALID:
        collected = data["collected"]
        turn.say(
            text("chat.ask_invalid", lang, collected=collected),
            (Choice("0", "0"),),
            drafts.stamp(dialog),
        )
    elif state is Step.SATISFIED:
        ask_question(turn, dialog, data["question"])
    elif state is Step.NOTE:
        turn.say(
            text("chat.ask_note", lang),
            (Choice(text("chat.skip", lang), "skip"),),
            drafts.stamp(dialog),
        )
    elif state is Step.REVIEW:
        turn.say(_review_text(turn, dialog, hamlet), review_choices(turn), drafts.stamp(dialog), 3)
    elif state is Step.EDIT_PICK:
        turn.say(text("chat.ask_edit", lang), edit_choices(turn, dialog), drafts.stamp(dialog), 3)
    else:
        await _ask_edit_value(turn, dialog)


def ask_question(turn: Turn, dialog: Dialog, question: int) -> None:
    """Asks how many forms are satisfied on one question, with "Tất cả (N)"."""
    valid = valid_forms(dialog)
    label = turn.campaign.questions[question - 1]
    turn.say(
        text("chat.ask_satisfied", turn.lang, question=question, label=label, valid=valid),
        (Choice(text("chat.all", turn.lang, count=valid), "all"),),
        drafts.stamp(dialog),
    )


async def _ask_edit_value(turn: Turn, dialog: Dialog) -> None:
    field = dialog.data["editing"]
    if field.isdigit():
        ask_question(turn, dialog, int(field))
    elif field == "note":
        turn.say(
            text("chat.ask_note", turn.lang),
            (Choice(text("chat.skip", turn.lang), "skip"),),
            drafts.stamp(dialog),
        )
    else:
        limit = await edit_limit(turn, dialog, field)
        turn.say(text(f"chat.ask_edit_{field}", turn.lang, limit=fmt_count(limit)))


async def collected_limit(turn: Turn, dialog: Dialog) -> int:
    """Returns the most forms the hamlet can still have collected on the draft's day."""
    hamlet = await turn.session.get(Unit, dialog.data["hamlet_id"])
    assert hamlet is not None
    elsewhere = await collected_elsewhere(turn.session, hamlet.id, dialog.day)
    return max(hamlet.households - elsewhere, 0)


async def edit_limit(turn: Turn, dialog: Dialog, field: str) -> int:
    """Returns the largest value an edited field may take."""
    if field == "collected":
        return await collected_limit(turn, dialog)
    if field == "invalid":
        return int(dialog.data["collected"])
    return valid_forms(dialog)


def valid_forms(dialog: Dialog) -> int:
    """Returns the valid forms of the draft."""
    return int(dialog.data["collected"]) - int(dialog.data["invalid"])


def draft_figures(dialog: Dialog) -> Figures:
    """Returns the draft's answers as the figures to store."""
    data = dialog.data
    return Figures(data["collected"], data["invalid"], tuple(data["satisfied"]), data.get("note"))


async def hamlet_choices(turn: Turn) -> list[Choice]:
    """Returns the hamlets a commune user may report for, as choices."""
    assert turn.user is not None
    units = await hamlets(turn.session, [unit.id for unit in turn.user.units])
    return [Choice(unit.name, str(unit.id)) for unit in units]


def yes_no(turn: Turn, yes_key: str) -> tuple[Choice, ...]:
    """Returns a yes choice (its label from `yes_key`) and a no choice."""
    return (Choice(text(yes_key, turn.lang), "yes"), Choice(text("chat.no", turn.lang), "no"))


def review_choices(turn: Turn) -> tuple[Choice, ...]:
    """Returns Gửi, Sửa and Hủy."""
    keys = (("chat.send", "send"), ("chat.edit", "edit"), ("chat.cancel", "cancel"))
    return tuple(Choice(text(key, turn.lang), value) for key, value in keys)


def edit_choices(turn: Turn, dialog: Dialog) -> tuple[Choice, ...]:
    """Returns the answers that can be changed from the summary."""
    lang = turn.lang
    fields = [
        Choice(text("chat.field_collected", lang), "collected"),
        Choice(text("chat.field_invalid", lang), "invalid"),
    ]
    if valid_forms(dialog) > 0:
        fields += [
            Choice(text("chat.field_question", lang, question=q), str(q))
            for q in range(1, QUESTIONS + 1)
        ]
    return (*fields, Choice(text("chat.field_note", lang), "note"))


def _review_text(turn: Turn, dialog: Dialog, hamlet: Unit) -> str:
    figures, lang = draft_figures(dialog), turn.lang
    lines = [
        text("chat.review_heading", lang, hamlet=hamlet.name, day=day_text(dialog.day)),
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


def day_text(day: date) -> str:
    """Returns a day as users write it: 28/01/2024."""
    return day.strftime("%d/%m/%Y")
