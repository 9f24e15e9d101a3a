"""`/confirm` (SPEC §2.6): a commune user locks the commune's figures in the aggregation phase."""

from __future__ import annotations

from bot.chat import drafts
from bot.chat.choices import pick
from bot.chat.scope import commune_in_scope
from bot.chat.turn import Choice, Incoming, Turn
from bot.views.status import status_detail
from reporting.confirmations import confirm, is_locked, unlock
from reporting.i18n import fmt_day, text
from reporting.storage.models import Dialog
from reporting.summaries import summarize

KIND = "confirm"
ASKED = "asked"


async def start(turn: Turn, _args: str) -> None:
    """Shows the commune's figures and asks for confirmation, when the phase allows it."""
    assert turn.user is not None
    commune = turn.user.units[0]
    today = turn.campaign.local_date(turn.now)
    if not turn.campaign.in_aggregation(today):
        first, last = turn.campaign.phases.aggregation
        turn.say(
            text(
                "chat.confirm_not_now",
                turn.lang,
                start=fmt_day(first, year=False),
                end=fmt_day(last, year=False),
            )
        )
        return
    if await is_locked(turn.session, commune.id):
        turn.say(text("chat.confirm_already", turn.lang, commune=commune.name, **turn.levels))
        return
    summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of={commune.id})
    turn.say(status_detail(summary, summary.commune(commune.id), turn.lang))
    dialog = await drafts.begin(turn.session, turn.user.id, KIND, ASKED, today, turn.now)
    turn.say(
        text("chat.confirm_ask", turn.lang, commune=commune.name, **turn.levels),
        _choices(turn),
        drafts.stamp(dialog),
    )


async def step(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    """Locks the commune on "Xác nhận", leaves it open on "Hủy"."""
    assert turn.user is not None
    chosen = pick(incoming, _choices(turn))
    if chosen is None:
        turn.say(text("chat.pick_from_list", turn.lang), _choices(turn), drafts.stamp(dialog))
        return
    await drafts.drop(turn.session, dialog.user_id)
    if chosen.value != "yes":
        turn.say(text("chat.cancelled", turn.lang))
        return
    commune = turn.user.units[0]
    if await confirm(turn.session, commune.id, turn.user.id, turn.now):
        turn.say(text("chat.confirm_done", turn.lang, commune=commune.name, **turn.levels))
    else:  # someone else confirmed it since the question was asked
        turn.say(text("chat.confirm_already", turn.lang, commune=commune.name, **turn.levels))


async def reopen(turn: Turn, args: str) -> None:
    """District staff reopen a confirmed commune so that its hamlets can correct figures."""
    assert turn.user is not None
    if not args.strip():
        turn.say(text("chat.unlock_usage", turn.lang, **turn.levels))
        return
    commune = await commune_in_scope(turn, args)
    if await unlock(turn.session, commune.id, turn.user.id, turn.now):
        turn.say(text("chat.unlocked", turn.lang, commune=commune.name, **turn.levels))
    else:
        turn.say(text("chat.not_locked", turn.lang, commune=commune.name, **turn.levels))


def _choices(turn: Turn) -> tuple[Choice, ...]:
    return (
        Choice(text("chat.confirm_yes", turn.lang), "yes"),
        Choice(text("chat.cancel", turn.lang), "no"),
    )
