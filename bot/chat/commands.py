"""The commands and who may use them (SPEC §2.2, §3); the small ones here: /start (with
registration by invite code), /help, /lang, /cancel, and /report choosing guided or one line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.chat import answers, charts_and_exports, confirmation, drafts
from bot.chat.tally import guided
from bot.chat.tally.one_line import parse_one_line
from bot.chat.tally.receipt import send_tally
from bot.chat.turn import Turn, WrongCodes
from reporting.i18n import LANGUAGES, text
from reporting.limits import WRONG_CODES, count_attempt, current_count
from reporting.people import InviteRefused, stage_registration
from reporting.storage.models import Role

Run = Callable[[Turn, str], Awaitable[None]]
EVERYONE = frozenset(Role)
OVERSIGHT = frozenset({Role.COMMUNE, Role.OFFICIAL, Role.DISTRICT})


@dataclass(frozen=True, slots=True)
class Command:
    """A command, its Vietnamese alias, the roles that may use it, and what it does."""

    name: str
    alias: str | None
    roles: frozenset[Role]
    run: Run
    # Reads only: answered in a read session before the input's turn (see router.rehearse)
    read_only: bool = False


async def report(turn: Turn, args: str) -> None:
    """Starts the guided tally, resumes an open one, or stores a one-line report."""
    assert turn.user is not None
    if not args.strip():
        dialog = await drafts.load(turn.session, turn.user.id)
        if dialog is not None and await drafts.expired(turn, dialog):
            dialog = None
        if dialog is not None and dialog.kind == guided.KIND:
            await guided.resume(turn, dialog)
        else:
            await guided.start(turn)
        return
    if turn.user.role != Role.HAMLET:
        turn.say(text("chat.oneline_hamlet_only", turn.lang, **turn.levels))
        return
    day, figures = parse_one_line(args, turn.campaign, turn.campaign.local_date(turn.now))
    if await send_tally(turn, turn.user.units[0], day, figures):
        await drafts.drop(turn.session, turn.user.id)


async def start(turn: Turn, args: str) -> None:
    """Registers with an invite code, or greets a known user, or asks a stranger for a code."""
    if args.strip():
        await register(turn, args.strip())
    elif turn.user is not None:
        turn.say(text("chat.welcome_back", turn.lang, name=turn.user.name))
        await help_(turn, "")
    else:
        turn.say(text("chat.ask_code", turn.lang, **turn.levels))


async def register(turn: Turn, code: str) -> None:
    """Redeems an invite code for this chat account and explains what the user can do now.

    An account that typed too many wrong codes lately is told to wait, whatever it types
    (a right code too: it might have been guessed).
    """
    sender = turn.sender
    if turn.user is None:
        wrong = await current_count(
            turn.session, WRONG_CODES, sender.channel, sender.external_id, turn.now
        )
        if wrong.count >= WRONG_CODES.most:
            _wait_for_codes(turn, wrong.count, wrong.until)
            return
    try:
        turn.user = await stage_registration(
            turn.session,
            code,
            channel=sender.channel,
            external_id=sender.external_id,
            chat_id=sender.chat_id,
            display_name=sender.display_name,
            now=turn.now,
            levels=turn.campaign.levels,
        )
    except InviteRefused as refusal:
        turn.say(refusal.message(turn.lang))
        if turn.user is None:  # a registered account is refused whatever the code
            await _count_wrong_code(turn)
        return
    units = ", ".join(unit.name for unit in turn.user.units) or turn.campaign.district
    name = turn.user.name
    turn.say(
        text(f"chat.registered_{turn.user.role}", turn.lang, name=name, units=units, **turn.levels)
    )
    await help_(turn, "")


async def _count_wrong_code(turn: Turn) -> None:
    """Counts a refused code; at the limit, tells the account to wait and alerts the district."""
    sender = turn.sender
    wrong = await count_attempt(
        turn.session, WRONG_CODES, sender.channel, sender.external_id, turn.now
    )
    if wrong.count == WRONG_CODES.most:
        _wait_for_codes(turn, wrong.count, wrong.until)
        account = f"{sender.channel}:{sender.external_id}"
        turn.events.append(WrongCodes(account, sender.display_name, wrong.count, wrong.until))


def _wait_for_codes(turn: Turn, count: int, until: datetime) -> None:
    local = until.astimezone(turn.campaign.timezone)
    until_time = f"{local:%H:%M}"
    turn.say(
        text("chat.wrong_codes_wait", turn.lang, count=count, until=until_time, **turn.levels)
    )


async def help_(turn: Turn, _args: str) -> None:
    """Lists only the commands this user's role may use."""
    role = Role(turn.user.role) if turn.user else None
    lines = [text("chat.help_heading", turn.lang)]
    for command in COMMANDS:
        if role in command.roles and command.name != "start":
            lines.append(text(f"help.{command.name}", turn.lang, **turn.levels))
    turn.say("\n".join(lines))


async def lang(turn: Turn, args: str) -> None:
    """Switches the user's language between Vietnamese and English."""
    assert turn.user is not None
    choice = args.strip().lower()
    if choice not in LANGUAGES:
        turn.say(text("chat.lang_usage", turn.lang))
        return
    turn.user.language = choice
    turn.say(text("chat.lang_set", choice))


async def cancel(turn: Turn, _args: str) -> None:
    """Leaves any flow; a draft is dropped."""
    assert turn.user is not None
    had_draft = await drafts.load(turn.session, turn.user.id) is not None
    await drafts.drop(turn.session, turn.user.id)
    turn.say(text("chat.cancelled" if had_draft else "chat.nothing_to_cancel", turn.lang))


COMMANDS: tuple[Command, ...] = (
    Command("start", None, EVERYONE, start),
    Command("help", "trogiup", EVERYONE, help_),
    Command("report", "baocao", frozenset({Role.HAMLET, Role.COMMUNE}), report),
    Command("mine", "xomtoi", frozenset({Role.HAMLET}), answers.mine),
    Command("status", "tinhhinh", OVERSIGHT, answers.status, read_only=True),
    Command("missing", "chuabaocao", OVERSIGHT, answers.missing, read_only=True),
    Command("chart", "bieudo", OVERSIGHT, charts_and_exports.chart, read_only=True),
    Command(
        "export", "xuatfile", frozenset({Role.DISTRICT}), charts_and_exports.export, read_only=True
    ),
    Command("confirm", "xacnhan", frozenset({Role.COMMUNE}), confirmation.start),
    Command("unlock", "mokhoa", frozenset({Role.DISTRICT}), confirmation.reopen),
    Command(
        "assignments", "phancong", frozenset({Role.DISTRICT}), answers.assignments, read_only=True
    ),
    Command("lang", None, EVERYONE, lang),
    Command("cancel", "huy", EVERYONE, cancel),
)
BY_NAME = {name: c for c in COMMANDS for name in (c.name, c.alias) if name}
