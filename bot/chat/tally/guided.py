"""The guided daily tally (SPEC §3.1), its I/O half: read the facts, run the machine, write.

The conversation itself is `guided_steps.advance`, a pure function; this shell loads what it
needs to know, stores the tally it submits, keeps or drops the draft and queues its prompts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.chat import drafts
from bot.chat.tally.guided_draft import Draft, Step
from bot.chat.tally.guided_prompts import Facts, HamletDay, HamletFacts
from bot.chat.tally.guided_steps import (
    NAME_ONLY_STEPS,
    REPORT,
    DropDraft,
    Outcome,
    SubmitTally,
    advance,
)
from bot.chat.tally.receipt import send_tally
from bot.chat.turn import Incoming, Turn
from reporting.confirmations import locked_communes
from reporting.storage.models import Dialog, Unit
from reporting.tally_reads import standings
from reporting.units import hamlets

KIND = "tally"


async def start(turn: Turn) -> None:
    """Opens a guided tally for today; commune users first pick one of their hamlets."""
    await _run(turn, None, Step.NEW, Draft(), REPORT)


async def step(turn: Turn, dialog: Dialog, incoming: Incoming) -> None:
    """Takes one answer in the current step, then asks the next question (or the same again)."""
    await _run(turn, dialog, Step(dialog.state), Draft.from_json(dialog.data), incoming)


async def resume(turn: Turn, dialog: Dialog) -> None:
    """Shows the current question again (after /report while a draft is open, or a restart)."""
    await _run(turn, dialog, Step(dialog.state), Draft.from_json(dialog.data), REPORT)


async def _run(
    turn: Turn, dialog: Dialog | None, state: Step, draft: Draft, answer: Incoming
) -> None:
    facts = await load_facts(turn, dialog, draft, with_day=state not in NAME_ONLY_STEPS)
    outcome = advance(state, draft, answer, facts)
    turn.replies.extend(outcome.prompts)
    if outcome.state is not None:
        await _keep(turn, dialog, outcome, facts)
    for effect in outcome.effects:
        if isinstance(effect, SubmitTally):
            await _submit(turn, effect)
        elif isinstance(effect, DropDraft):
            await _drop(turn)


async def load_facts(
    turn: Turn, dialog: Dialog | None, draft: Draft, with_day: bool = True
) -> Facts:
    """Returns what the machine needs to know for the draft's next step.

    Without `with_day` the hamlets' standing that day is not read (NAME_ONLY_STEPS).
    """
    assert turn.user is not None
    campaign, unit = turn.campaign, turn.user.units[0]
    day = dialog.day if dialog is not None else campaign.local_date(turn.now)
    for_commune = unit.level == "commune"
    return Facts(
        lang=turn.lang,
        day=day,
        collection=campaign.phases.collection,
        questions=tuple(campaign.questions),
        token=dialog.token if dialog is not None else drafts.new_token(),
        hamlets=await _hamlet_facts(
            turn, await _hamlets_of(turn, draft, for_commune), day, with_day
        ),
        for_commune=for_commune,
        levels=campaign.levels,
    )


async def _hamlets_of(turn: Turn, draft: Draft, for_commune: bool) -> Sequence[Unit]:
    """Returns the draft's hamlet, or those its user may report for when none is chosen yet."""
    assert turn.user is not None
    if draft.hamlet_id is not None:
        hamlet = await turn.session.get(Unit, draft.hamlet_id)
        assert hamlet is not None
        return [hamlet]
    if for_commune:
        return await hamlets(turn.session, [unit.id for unit in turn.user.units])
    return turn.user.units[:1]


async def _hamlet_facts(
    turn: Turn, units: Sequence[Unit], day: date, with_day: bool
) -> tuple[HamletFacts, ...]:
    """Returns the facts of these hamlets on the day, in two queries however many they are."""
    if not with_day:
        return tuple(HamletFacts(hamlet.id, hamlet.name) for hamlet in units)
    standing = await standings(turn.session, [hamlet.id for hamlet in units], day)
    communes = {hamlet.parent_id for hamlet in units if hamlet.parent_id is not None}
    locked = await locked_communes(turn.session, communes)
    return tuple(
        HamletFacts(
            hamlet.id,
            hamlet.name,
            HamletDay(
                max(hamlet.households - standing[hamlet.id].elsewhere, 0),
                standing[hamlet.id].reported,
                hamlet.parent_id in locked,
            ),
        )
        for hamlet in units
    )


async def _keep(turn: Turn, dialog: Dialog | None, outcome: Outcome, facts: Facts) -> None:
    """Saves the draft in the dialogs table (a new dialog when there was none)."""
    assert turn.user is not None
    assert outcome.state is not None
    if dialog is None:
        dialog = await drafts.begin(
            turn.session, turn.user.id, KIND, outcome.state, facts.day, turn.now, facts.token
        )
    drafts.save(dialog, outcome.state, turn.now, outcome.draft.to_json())


async def _submit(turn: Turn, submit: SubmitTally) -> None:
    """Stores the tally and drops the draft; refused, shows why and the summary again."""
    hamlet = await turn.session.get(Unit, submit.hamlet_id)
    assert hamlet is not None
    if await send_tally(turn, hamlet, submit.day, submit.figures):
        await _drop(turn)
    else:
        turn.replies.extend(submit.if_refused)


async def _drop(turn: Turn) -> None:
    assert turn.user is not None
    await drafts.drop(turn.session, turn.user.id)
