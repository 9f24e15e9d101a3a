"""One input in, replies out: who is speaking, what they may do, and which flow takes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from bot.chat import confirmation, drafts
from bot.chat.commands import BY_NAME, register
from bot.chat.tally import guided
from bot.chat.turn import Incoming, Kind, Rehearsal, Turn
from reporting.errors import TallybotError
from reporting.i18n import text
from reporting.limits import STRANGER_MESSAGES, count_attempt
from reporting.people import CODE_ALPHABET, CODE_LENGTH, account, typed_code
from reporting.storage.models import Role
from reporting.storage.writes import WriteMark, write_mark, wrote_since

DIALOGS = {guided.KIND: guided.step, confirmation.KIND: confirmation.step}
_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", re.IGNORECASE)


class RefusedAfterWrite(Exception):
    """A flow refused the input after it had written: the caller rolls the whole input back
    and answers it again with `handle(…, refused=said)`, which says only the refusal."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


async def handle(turn: Turn, incoming: Incoming, *, refused: str | None = None) -> None:
    """Answers one input; the replies are queued on the turn, the caller commits them.

    Raises RefusedAfterWrite for a refusal that came after a write (see `_refusals_said`).
    """
    found = await account(turn.session, turn.sender.channel, turn.sender.external_id)
    revoked = found.user is not None and found.user.revoked_at is not None
    turn.user = None if revoked else found.user
    if found.identity is not None:
        # alerts go to the account a person last wrote from, and one that blocked the bot can
        # be reached again now that they wrote (one UPDATE, flushed before the flow below)
        found.identity.last_seen_at, found.identity.blocked_at = turn.now, None
    if turn.user is None and not await _stranger_may_write(turn):
        return
    if refused is not None:
        turn.say(refused)
        return
    await turn.session.flush()  # the last-seen change above, so as not to count it as the flow's
    with _refusals_said(turn, write_mark(turn.session)):
        if incoming.kind is Kind.COMMAND:
            await _command(turn, incoming, revoked)
        else:
            await _answer(turn, incoming, revoked)


async def rehearse(turn: Turn, incoming: Incoming) -> Rehearsal | None:
    """Answers a read-only command of an active user with the right role, in a read session.

    The slow answers (/export, /chart, /status) are prepared this way before the input's
    turn, beside other chats' writes; `handle` then checks the user again in its turn and
    queues the prepared replies. Anything else returns None and is answered in the turn.
    """
    command = BY_NAME.get(incoming.command.lower()) if incoming.kind is Kind.COMMAND else None
    if command is None or not command.read_only:
        return None
    user = (await account(turn.session, turn.sender.channel, turn.sender.external_id)).user
    if user is None or user.revoked_at is not None or Role(user.role) not in command.roles:
        return None
    turn.user = user
    with _refusals_said(turn):  # a read session: nothing is written
        await command.run(turn, incoming.args)
    return Rehearsal(command.name, user.id, tuple(turn.replies))


@contextmanager
def _refusals_said(turn: Turn, mark: WriteMark | None = None) -> Iterator[None]:
    """Says a refusal raised inside in the user's language (the chat's one translation), and
    only that: the replies and events queued before it are dropped.

    A refusal that came after a write since `mark` is raised again as RefusedAfterWrite, so
    that the input is rolled back whole: a refused input changes nothing. The flows refuse
    before they write, so this costs the inputs nothing but a look at the session.
    """
    replies, events = len(turn.replies), len(turn.events)
    try:
        yield
    except TallybotError as refusal:
        said = refusal.message(turn.lang)
        if mark is not None and wrote_since(turn.session, mark):
            raise RefusedAfterWrite(said) from refusal
        del turn.replies[replies:], turn.events[events:]
        turn.say(said)


async def _command(turn: Turn, incoming: Incoming, revoked: bool) -> None:
    command = BY_NAME.get(incoming.command.lower())
    if command is None:
        turn.say(text("chat.unknown_command", turn.lang, command=incoming.command))
    elif command.name == "start" and (not revoked or incoming.args.strip()):
        # a revoked account may come back with a fresh code (SPEC §2.2): a new user, the old
        # one stays revoked for the audit trail
        await command.run(turn, incoming.args)
    elif turn.user is None:
        _refuse_stranger(turn, revoked)
    elif Role(turn.user.role) not in command.roles:
        turn.say(text("chat.not_for_role", turn.lang, command=incoming.command))
    elif _rehearsed(turn, command.name):
        assert turn.rehearsal is not None
        turn.replies.extend(turn.rehearsal.replies)
    else:
        await command.run(turn, incoming.args)


def _rehearsed(turn: Turn, command: str) -> bool:
    """Says whether this command's answer was prepared beforehand for this same user."""
    rehearsal, user = turn.rehearsal, turn.user
    return (
        rehearsal is not None
        and user is not None
        and ((rehearsal.command, rehearsal.user_id) == (command, user.id))
    )


async def _answer(turn: Turn, incoming: Incoming, revoked: bool) -> None:
    if turn.user is None:
        if incoming.kind is Kind.TEXT and _CODE.fullmatch(typed_code(incoming.text)):
            await register(turn, incoming.text.strip())
        else:
            _refuse_stranger(turn, revoked)
        return
    if incoming.kind is Kind.OTHER:
        turn.say(text("chat.text_only", turn.lang))
        return
    if incoming.kind is Kind.EDITED:  # which answer it changed is not safe to guess
        turn.say(text("chat.edited", turn.lang))
        return
    dialog = await drafts.load(turn.session, turn.user.id)
    if dialog is not None and await drafts.expired(turn, dialog):
        return
    if dialog is None or (incoming.kind is Kind.BUTTON and incoming.token != drafts.stamp(dialog)):
        key = "chat.stale_button" if incoming.kind is Kind.BUTTON else "chat.no_flow"
        turn.say(text(key, turn.lang))
    else:
        await DIALOGS[dialog.kind](turn, dialog, incoming)


async def _stranger_may_write(turn: Turn) -> bool:
    """Counts a message from an account without an active user; says if it may be answered.

    Past the limit the account is told once when it may write again, and then the bot stays
    silent until that time: a flood costs one small write per message and no reply.
    """
    sender, limit = turn.sender, STRANGER_MESSAGES
    counted = await count_attempt(
        turn.session, limit, sender.channel, sender.external_id, turn.now
    )
    if counted.count == limit.most + 1:
        until = counted.until.astimezone(turn.campaign.timezone)
        turn.say(text("chat.slow_down", turn.lang, until=f"{until:%H:%M}"))
    return counted.count <= limit.most


def _refuse_stranger(turn: Turn, revoked: bool) -> None:
    turn.say(text("chat.revoked" if revoked else "chat.unregistered", turn.lang, **turn.levels))
