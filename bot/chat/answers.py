"""Read-only answers: /mine for hamlet leaders, /status and /missing for communes and up,
/assignments for district staff."""

from __future__ import annotations

from bot.chat.scope import commune_in_scope, scope_communes
from bot.chat.tally.receipt import progress_lines
from bot.chat.turn import Turn
from bot.views.assignments import assignments_overview
from bot.views.status import status_detail, status_overview
from reporting.assignments import assigned_people
from reporting.i18n import fmt_count, fmt_day, text
from reporting.running_totals import running_totals
from reporting.storage.models import Role, Unit
from reporting.summaries import summarize
from reporting.tally_reads import tally_on


async def mine(turn: Turn, _args: str) -> None:
    """Tells a hamlet leader their hamlet's running totals and whether today is reported."""
    assert turn.user is not None
    hamlet, lang = turn.user.units[0], turn.lang
    totals = await running_totals(turn.session, hamlet, turn.campaign.form.questions)
    commune = await turn.session.get(Unit, hamlet.parent_id)
    name = commune.name if commune else ""
    heading = text("chat.mine_heading", lang, hamlet=hamlet.name, commune=name, **turn.levels)
    lines = [heading, *progress_lines(turn, totals), await _today_line(turn, hamlet)]
    turn.say("\n".join(lines))


async def _today_line(turn: Turn, hamlet: Unit) -> str:
    today = turn.campaign.local_date(turn.now)
    day = fmt_day(today, year=False)
    if not turn.campaign.in_collection(today):
        return text("chat.mine_no_collection", turn.lang, day=day)
    tally = await tally_on(turn.session, hamlet.id, today)
    if tally is None:
        return text("chat.mine_missing", turn.lang, day=day)
    sent = tally.updated_at.astimezone(turn.campaign.timezone).strftime("%H:%M")
    collected = fmt_count(tally.collected)
    return text("chat.mine_reported", turn.lang, day=day, collected=collected, time=sent)


async def status(turn: Turn, args: str) -> None:
    """Answers /status (all the user's communes, worst first) or /status <commune> in detail."""
    assert turn.user is not None
    if args.strip():
        commune = await commune_in_scope(turn, args)
        summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of={commune.id})
        answer = status_detail(summary, summary.commune(commune.id), turn.lang)
    else:
        communes = await scope_communes(turn)
        summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of=())
        mine = [summary.commune(unit.id) for unit in communes]
        with_district = turn.user.role == Role.DISTRICT
        answer = status_overview(summary, mine, turn.lang, with_district)
    turn.say(answer)


async def missing(turn: Turn, args: str) -> None:
    """Lists the hamlets without today's tally, commune by commune."""
    today = turn.campaign.local_date(turn.now)
    if not turn.campaign.in_collection(today):
        turn.say(text("chat.missing_no_collection", turn.lang, day=fmt_day(today, year=False)))
        return
    communes = [await commune_in_scope(turn, args)] if args.strip() else await scope_communes(turn)
    ids = {unit.id for unit in communes}
    summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of=ids)
    lines = [text("chat.missing_heading", turn.lang, day=fmt_day(today), **turn.levels)]
    for commune in (summary.commune(unit.id) for unit in communes):
        late = [hamlet.name for hamlet in commune.children if not hamlet.reported_today]
        key = "chat.missing_commune" if late else "chat.missing_none"
        lines.append(
            text(
                key,
                turn.lang,
                commune=commune.name,
                count=len(late),
                **turn.levels,
                hamlets=commune.hamlets,
                names=", ".join(late),
            )
        )
    turn.say("\n".join(lines))


async def assignments(turn: Turn, _args: str) -> None:
    """Lists who answers for which commune, their communes' verdicts, and who is not in yet."""
    people = await assigned_people(turn.session)
    summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of=())
    turn.say(assignments_overview(summary, people, turn.lang))
