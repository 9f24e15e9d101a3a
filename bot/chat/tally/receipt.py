"""Storing a tally from the chat and telling the sender what it did to their hamlet's totals."""

from __future__ import annotations

from datetime import date

from bot.chat.turn import TallyStored, Turn
from reporting.i18n import fmt_count, fmt_day, fmt_percent, text
from reporting.measures import Counts, lowest_question, participation, question_threshold, rate
from reporting.storage.models import Unit
from reporting.tallies import Entry, Figures, TallyRejected, record_tally


async def send_tally(turn: Turn, hamlet: Unit, day: date, figures: Figures) -> bool:
    """Stores the tally in this update's transaction, then confirms; False when refused.

    The confirmation goes to the outbox in this same transaction, so it is delivered exactly
    when the tally is stored, and never announces a tally that is not.
    """
    assert turn.user is not None
    entry = Entry(hamlet, day, figures, turn.user.id, turn.sender.channel, turn.now)
    try:
        submission = await record_tally(turn.session, turn.campaign, entry)
    except TallyRejected as refusal:
        turn.say(refusal.message(turn.lang))
        return False
    turn.events.append(TallyStored(hamlet.id, day))
    key = "chat.tally_replaced" if submission.replaced else "chat.tally_saved"
    stored = text(key, turn.lang, hamlet=hamlet.name, day=fmt_day(day))
    turn.say("\n".join([stored, *progress_lines(turn, submission.totals)]))
    return True


def progress_lines(turn: Turn, totals: Counts) -> list[str]:
    """Returns a hamlet's running total and, once it has valid forms, its lowest question."""
    lang, thresholds = turn.lang, turn.campaign.thresholds
    lines = [
        text(
            "chat.running_total",
            lang,
            collected=fmt_count(totals.collected),
            households=fmt_count(totals.households),
            percent=fmt_percent(participation(totals), lang, thresholds.participation),
        )
    ]
    lowest = lowest_question(totals, thresholds.form)
    if lowest is not None:
        label = turn.campaign.questions[lowest - 1]
        threshold = question_threshold(lowest, thresholds)
        percent = fmt_percent(rate(totals, lowest), lang, threshold)
        lines.append(
            text("chat.lowest_so_far", lang, question=lowest, label=label, percent=percent)
        )
    return lines
