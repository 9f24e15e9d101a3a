"""What the guided tally asks at each step (its text, choices and limits), from facts: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.chat.drafts import mark
from bot.chat.tally.guided_draft import Draft, Step
from bot.chat.turn import Choice, Reply
from reporting.campaign import Levels
from reporting.i18n import fmt_count, fmt_day, text
from reporting.wording import level_words

WIDE = 3  # columns of the summary's and the field list's buttons


@dataclass(frozen=True, slots=True)
class HamletDay:
    """Where a hamlet stands on the draft's day."""

    limit: int  # the most forms it can still have collected: households minus other days
    reported: bool  # it already has a tally that day
    locked: bool  # its commune's figures are confirmed


@dataclass(frozen=True, slots=True)
class HamletFacts:
    """What the tally needs to know of one hamlet: its name and, where needed, its day."""

    id: int
    name: str
    day: HamletDay | None = None  # not read for the steps that need only the name

    @property
    def limit(self) -> int:
        """Returns the most forms the hamlet can still have collected that day."""
        return self._day().limit

    @property
    def reported(self) -> bool:
        """Says whether the hamlet already has a tally that day."""
        return self._day().reported

    @property
    def locked(self) -> bool:
        """Says whether the hamlet's commune is confirmed, so closed to changes."""
        return self._day().locked

    def _day(self) -> HamletDay:
        assert self.day is not None, "the shell reads the hamlet's day for this step"
        return self.day


@dataclass(frozen=True, slots=True)
class Facts:
    """What the shell reads from the database before each step; the machine reads nothing."""

    lang: str
    day: date
    collection: tuple[date, date]
    questions: tuple[str, ...]  # the campaign's question labels, Q1 first
    token: str  # the dialog's token, which marks its buttons
    hamlets: tuple[HamletFacts, ...]  # the draft's hamlet, or those the user may pick from
    for_commune: bool = False  # a commune user picks one of `hamlets` first
    levels: Levels = field(default_factory=Levels)  # what the campaign calls its units

    @property
    def level_words(self) -> dict[str, object]:
        """Returns the campaign's level names as message parameters ("hamlet_level", …)."""
        return level_words(self.levels)

    def hamlet(self, draft: Draft) -> HamletFacts:
        """Returns the facts of the draft's hamlet."""
        return next(hamlet for hamlet in self.hamlets if hamlet.id == draft.hamlet_id)


def ask(state: Step, draft: Draft, facts: Facts) -> tuple[Reply, ...]:
    """Returns the question of a step, with its choices and the mark of its buttons."""
    lang, token = facts.lang, mark(facts.token, state, draft.detail)
    if state is Step.HAMLET:
        return (
            Reply(
                text("chat.ask_hamlet", lang, **facts.level_words), hamlet_choices(facts), token
            ),
        )
    hamlet = facts.hamlet(draft)
    if state is Step.REPLACE:
        asked = text("chat.ask_replace", lang, hamlet=hamlet.name, day=fmt_day(facts.day))
        return (Reply(asked, yes_no(lang, "chat.replace_yes"), token),)
    if state is Step.COLLECTED:
        heading = text("chat.tally_heading", lang, hamlet=hamlet.name, day=fmt_day(facts.day))
        limit = fmt_count(hamlet.limit)
        return (
            Reply(
                f"{heading}\n{text('chat.ask_collected', lang, limit=limit, **facts.level_words)}"
            ),
        )
    if state is Step.INVALID:
        asked = text("chat.ask_invalid", lang, collected=draft.collected)
        return (Reply(asked, (Choice("0", "0"),), token),)
    if state is Step.SATISFIED:
        return (ask_question(draft, facts, draft.question or 1, token),)
    if state is Step.NOTE:
        return (Reply(text("chat.ask_note", lang), skip_choices(lang), token),)
    if state is Step.REVIEW:
        return (Reply(review_text(draft, facts), review_choices(lang), token, WIDE),)
    if state is Step.EDIT_PICK:
        return (Reply(text("chat.ask_edit", lang), edit_choices(lang, draft), token, WIDE),)
    return (_ask_edit_value(draft, facts, token),)


def ask_question(draft: Draft, facts: Facts, question: int, token: str) -> Reply:
    """Returns how many forms are satisfied on one question, with "Tất cả (N)"."""
    label, valid = facts.questions[question - 1], draft.valid
    count = len(facts.questions)
    asked = text(
        "chat.ask_satisfied", facts.lang, question=question, count=count, label=label, valid=valid
    )
    return Reply(asked, all_choices(facts.lang, valid), token)


def _ask_edit_value(draft: Draft, facts: Facts, token: str) -> Reply:
    field = draft.editing or ""
    if field.isdigit():
        return ask_question(draft, facts, int(field), token)
    if field == "note":
        return Reply(text("chat.ask_note", facts.lang), skip_choices(facts.lang), token)
    limit = fmt_count(edit_limit(draft, facts, field))
    return Reply(text(f"chat.ask_edit_{field}", facts.lang, limit=limit))


def edit_limit(draft: Draft, facts: Facts, field: str) -> int:
    """Returns the largest value an edited field may take."""
    if field == "collected":
        return facts.hamlet(draft).limit
    if field == "invalid":
        return draft.collected
    return draft.valid


def hamlet_choices(facts: Facts) -> tuple[Choice, ...]:
    """Returns the hamlets a commune user may report for, as choices."""
    return tuple(Choice(hamlet.name, str(hamlet.id)) for hamlet in facts.hamlets)


def yes_no(lang: str, yes_key: str) -> tuple[Choice, ...]:
    """Returns a yes choice (its label from `yes_key`) and a no choice."""
    return (Choice(text(yes_key, lang), "yes"), Choice(text("chat.no", lang), "no"))


def all_choices(lang: str, valid: int) -> tuple[Choice, ...]:
    """Returns the one choice "Tất cả (N)": every valid form satisfied."""
    return (Choice(text("chat.all", lang, count=valid), "all"),)


def skip_choices(lang: str) -> tuple[Choice, ...]:
    """Returns the one choice "Bỏ qua": no note."""
    return (Choice(text("chat.skip", lang), "skip"),)


def review_choices(lang: str) -> tuple[Choice, ...]:
    """Returns Gửi, Sửa and Hủy."""
    keys = (("chat.send", "send"), ("chat.edit", "edit"), ("chat.cancel", "cancel"))
    return tuple(Choice(text(key, lang), value) for key, value in keys)


def edit_choices(lang: str, draft: Draft) -> tuple[Choice, ...]:
    """Returns the answers that can be changed from the summary (questions: with valid forms)."""
    fields = [
        Choice(text("chat.field_collected", lang), "collected"),
        Choice(text("chat.field_invalid", lang), "invalid"),
    ]
    if draft.valid > 0:
        fields += [
            Choice(text("chat.field_question", lang, question=q), str(q))
            for q in range(1, len(draft.satisfied) + 1)
        ]
    return (*fields, Choice(text("chat.field_note", lang), "note"))


def review_text(draft: Draft, facts: Facts) -> str:
    """Returns the summary shown before Gửi / Sửa / Hủy."""
    lang, hamlet = facts.lang, facts.hamlet(draft)
    lines = [
        text("chat.review_heading", lang, hamlet=hamlet.name, day=fmt_day(facts.day)),
        text(
            "chat.review_forms",
            lang,
            collected=fmt_count(draft.collected),
            invalid=fmt_count(draft.invalid),
            valid=fmt_count(draft.valid),
        ),
    ]
    for question, value in enumerate(draft.satisfied, start=1):
        label, satisfied = facts.questions[question - 1], fmt_count(value)
        lines.append(
            text("chat.review_question", lang, question=question, label=label, satisfied=satisfied)
        )
    lines.append(text("chat.review_note", lang, note=draft.note or "—"))
    lines.append(text("chat.review_actions", lang))
    return "\n".join(lines)
