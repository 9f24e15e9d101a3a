"""Fuzzing the conversation (issue 15): whatever anyone types, the bot answers and stays sound.

A Hypothesis state machine plays every role at once — a stranger, hamlet, commune, official
and district users, a revoked account — on the in-process channel and on its Zalo flavour,
over one database: commands (real and junk) with junk arguments, random unicode (digits of
every script, superscripts, emoji, right-to-left text, zero-width characters, NUL), texts of
5,000 characters, button presses with forged tokens and values, edited messages, pictures,
redelivered updates, and in between guided tallies answered sensibly (some to the end) and
one-line tallies valid or just over a limit, while campaign time passes.
After every input: no unhandled exception and never the generic error message, every input
answered by at least one message, and the invariants of SPEC §2.3 hold (tests/e2e/invariants.py).

An input takes about 50 ms here (two SQLite transactions and the outbox, on a shared 2-CPU
machine), so a run makes about 2,500 inputs by default, two minutes; for the full 10,000
(eight to ten minutes) run it with TALLYBOT_FUZZ_INPUTS=10000. Hypothesis prints the shortest
failing sequence of steps when one breaks something.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import string
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from invariants import broken_invariants, messages_counted, row_counts

from bot.chat.turn import Incoming, Kind
from bot.inprocess import InProcessChat, Person, Shown
from reporting.campaign_store import current_campaign
from reporting.clock import SimulatedClock
from reporting.i18n import text
from reporting.limits import STRANGER_MESSAGES
from reporting.people import CODE_ALPHABET, CODE_LENGTH, account, revoke_user
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.models import Role

INPUTS = int(os.environ.get("TALLYBOT_FUZZ_INPUTS", "2500"))
STEPS = 50  # rules one example runs at most, on its own fresh database
PER_EXAMPLE = 80  # inputs an example makes on average (a guided tally is many; some end early)
START = datetime.fromisoformat("2024-01-28T16:00:00+07:00")  # the second collection day
END = datetime.fromisoformat("2024-02-08T12:00:00+07:00")  # after aggregation (03/02 – 06/02)
ERRORS = {text("chat.error", "vi"), text("chat.error", "en")}
CHANNELS = ("inprocess", "zalo")
ROLES = ("stranger", "hamlet", "commune", "official", "district", "revoked")
UNITS: dict[str, tuple[str, ...]] = {
    "hamlet": ("Định Biên/Xóm Nà Mỏ",),  # 60 households: its limit is reached often
    "commune": ("Định Biên",),
    "official": ("Định Biên", "Bảo Linh"),
    "district": (),
    "revoked": ("Định Biên/Xóm Nà Mỏ",),
}
COMMANDS = [
    *["start", "help", "trogiup", "report", "baocao", "mine", "xomtoi", "status", "tinhhinh"],
    *["missing", "chuabaocao", "confirm", "xacnhan", "unlock", "mokhoa", "lang", "cancel", "huy"],
    *["chart", "bieudo", "export", "xuatfile"],  # a second or so of work each: drawn rarely
    *["e2e", "START", "Report", "rep0rt", "báocáo"],
]
SLOW = frozenset({"chart", "bieudo", "export", "xuatfile"})
WORDS = [
    "0", "1", "45", "60", "61", "1.234", "4,5", "-3", "abc", "007", "99999999999999999999",
    "²", "③", "٤٥", "४५", "߄", "𝟒𝟓", "Ⅻ", "½", "45\u200b", "\u202e54", "\x00", "Tất cả",
    "tat ca", "Bỏ qua", "Gửi", "Sửa", "Hủy", "Có, gửi lại", "Không", "Xác nhận", "Câu 4",
    "Định Biên", "dinh bien", "Bảo Linh", "Xóm Nà Mỏ", "xom na mo", "28/01", "31/02", "03/02",
    "en", "vi", "🙂", "👍🏽", "🇻🇳", "שלום", "مرحبا", "\u200d", "\ufeff", "\n", "\t", " ",
]  # fmt: skip
SPECIAL = "\x00\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u200f\u061c\u0301\u0323\ufe0f"
# letters and marks of Vietnamese, digits of every script (Nd), superscripts, circled digits,
# fractions and roman numerals (No, Nl), emoji, Arabic and Hebrew, and invisible characters
characters = st.one_of(
    st.sampled_from(string.printable + "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọùủũúụỳỷỹýỵ"),
    st.characters(categories=["Nd", "No", "Nl"]),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),
    st.sampled_from(SPECIAL),
    st.characters(exclude_categories=["Cs"]),
)
junk = st.one_of(st.text(characters, max_size=12), st.sampled_from(WORDS))
phrases = st.lists(junk, max_size=6).map(" ".join)
codes = st.text(st.sampled_from(CODE_ALPHABET + "01lo"), min_size=CODE_LENGTH, max_size=9)


@dataclass(frozen=True, slots=True)
class Actor:
    """One person the machine plays: a role on a channel."""

    role: str
    channel: str


ACTORS = [Actor(role, channel) for role in ROLES for channel in CHANNELS]
actors = st.sampled_from(ACTORS)


class Campaign(RuleBasedStateMachine):
    """Every role on both channels, over one fresh database per example."""

    runner: asyncio.Runner
    template: Path
    folder: Path
    examples = 0
    inputs = 0
    tallies = 0

    def __init__(self) -> None:
        super().__init__()
        type(self).examples += 1
        self.database = self.folder / f"fuzz-{self.examples}.db"
        shutil.copyfile(self.template, self.database)
        self.runner.run(self._open())

    async def _open(self) -> None:
        url = f"sqlite+aiosqlite:///{self.database}"
        self.engine = create_engine(url)
        self.clock = SimulatedClock(START)
        sessions = TakingTurns(self.engine)
        async with sessions() as session:
            campaign = await current_campaign(session)
        self.chats = {
            channel: InProcessChat(sessions, campaign, self.clock, channel) for channel in CHANNELS
        }
        self.people: dict[Actor, Person] = {}
        for actor in ACTORS:
            chat = self.chats[actor.channel]
            if actor.role == "stranger":
                self.people[actor] = chat.user("Người lạ")
                continue
            role = Role.HAMLET if actor.role == "revoked" else Role(actor.role)
            person = await chat.register(role, *UNITS[actor.role], name=f"Vai {actor.role}")
            self.people[actor] = person
            if actor.role == "revoked":
                async with sessions() as session:
                    found = await account(session, actor.channel, str(person.user_id))
                    assert found.user is not None
                    await revoke_user(session, found.user.id, self.clock.now())

    def teardown(self) -> None:
        async def close() -> None:
            for chat in self.chats.values():
                await chat.run_scheduled()
                await chat.core.settle()
            await self.engine.dispose()

        self.runner.run(close())
        type(self).tallies += row_counts(self.database)["tallies"]
        self.database.unlink()

    # --- inputs ------------------------------------------------------------------------

    def _answered(self, actor: Actor, replies: list[Shown]) -> None:
        """Counts the input; it was answered, never with the generic error message.

        The one silence allowed: an account without a user past its message limit
        (reporting/limits.py) is told once to wait, then not answered until its window ends.
        """
        type(self).inputs += 1
        if not replies and actor.role in ("stranger", "revoked"):
            person = self.people[actor]
            written = messages_counted(self.database, actor.channel, str(person.user_id))
            assert written > STRANGER_MESSAGES.most, f"{actor} got no answer"
            return
        assert replies, f"{actor} got no answer"
        said = [reply.text for reply in replies]
        assert not ERRORS.intersection(said), said

    def _say(self, actor: Actor, message: str) -> None:
        chat, person = self.chats[actor.channel], self.people[actor]
        self._answered(actor, self.runner.run(chat.say(person, message)))

    def _send(self, actor: Actor, incoming: Incoming) -> None:
        chat, person = self.chats[actor.channel], self.people[actor]
        self._answered(actor, self.runner.run(chat.send(person, incoming)))

    def _last_prompt(self, actor: Actor) -> Shown | None:
        inbox = self.chats[actor.channel].inbox(self.people[actor])
        return inbox[-1] if inbox else None

    @rule(
        actor=actors,
        name=st.sampled_from(COMMANDS),
        args=phrases,
        sep=st.sampled_from(" @"),
        rare=st.integers(0, 19),
    )
    def command(self, actor: Actor, name: str, args: str, sep: str, rare: int) -> None:
        """A command, real or not, with junk after it."""
        if name in SLOW and rare:  # a chart or a workbook takes ~0.5 s: one in twenty
            name = "help"
        self._say(actor, f"/{name}{sep}{args}" if args else f"/{name}")

    @rule(actor=actors, message=phrases)
    def types(self, actor: Actor, message: str) -> None:
        """Free text: junk words, numbers of every script, names, labels."""
        self._say(actor, message)

    @rule(actor=actors, piece=st.text(characters, min_size=1, max_size=20), command=st.booleans())
    def types_a_long_text(self, actor: Actor, piece: str, command: bool) -> None:
        """5,000 characters, alone or after /report."""
        long = (piece * (5000 // len(piece) + 1))[:5000]
        self._say(actor, f"/report {long}" if command else long)

    @rule(actor=actors, code=codes, with_start=st.booleans())
    def tries_a_code(self, actor: Actor, code: str, with_start: bool) -> None:
        """Something shaped like an invite code, which no invite has."""
        self._say(actor, f"/start {code}" if with_start else code)

    @rule(
        actor=actors,
        value=st.one_of(junk, st.sampled_from(["send", "edit", "cancel", "yes", "no", "all"])),
        token=st.one_of(st.just(""), st.text(string.ascii_letters + string.digits, max_size=16)),
        real_token=st.booleans(),
    )
    def presses_a_forged_button(
        self, actor: Actor, value: str, token: str, real_token: bool
    ) -> None:
        """Callback data made up (on Zalo, which has no buttons: typed)."""
        if actor.channel == "zalo":
            self._say(actor, value)
            return
        shown = self._last_prompt(actor)
        if real_token and shown is not None and shown.token:
            token = shown.token
        self._send(actor, Incoming(Kind.BUTTON, value=value, token=token))

    @rule(actor=actors, message=phrases)
    def edits_a_message(self, actor: Actor, message: str) -> None:
        """An earlier message edited (Telegram's edited_message)."""
        self._send(actor, Incoming(Kind.EDITED, text=message))

    @rule(actor=actors)
    def sends_a_picture(self, actor: Actor) -> None:
        """A photo, a sticker, a file: nothing the conversation reads."""
        self._send(actor, Incoming(Kind.OTHER))

    @rule(actor=actors, data=st.data())
    def answers_sensibly(self, actor: Actor, data: st.DataObject) -> None:
        """Goes on with whatever the bot asked last: a choice, or a number near the limit."""
        shown = self._last_prompt(actor)
        if shown is None or actor.role == "stranger":
            self._say(actor, "/report")
            return
        asked = re.search(r"\(từ 0 đến ([\d.]+)|\(0 to ([\d.,]+)", shown.text)
        if shown.choices and (asked is None or data.draw(st.booleans())):
            label = data.draw(st.sampled_from(shown.buttons))
            chat, person = self.chats[actor.channel], self.people[actor]
            self._answered(actor, self.runner.run(chat.press(person, label, shown)))
        elif asked is not None:
            limit = int(re.sub(r"[.,]", "", asked[1] or asked[2]))
            self._say(actor, str(data.draw(st.integers(0, limit + 2))))
        else:
            self._say(actor, data.draw(st.sampled_from(["/report", "/baocao", "/mine"])))

    @rule(
        actor=st.sampled_from([a for a in ACTORS if a.role in ("hamlet", "commune")]),
        data=st.data(),
    )
    def completes_a_guided_tally(self, actor: Actor, data: st.DataObject) -> None:
        """/report, then sensible answers until the tally is stored or the bot says no."""
        self._say(actor, "/report")
        for _ in range(20):
            shown = self._last_prompt(actor)
            if shown is None or shown.text.startswith("✅"):
                return
            if not shown.choices and "(" not in shown.text:  # neither a choice nor a number
                return
            self.answers_sensibly(actor, data)
            self.the_database_holds_spec_2_3()

    @rule(
        actor=st.sampled_from([a for a in ACTORS if a.role != "stranger"]),
        day=st.sampled_from(["", "27/01 ", "28/01 ", "03/02 ", "26/01 ", "29/02 "]),
        collected=st.integers(0, 70),
        invalid=st.one_of(st.none(), st.integers(0, 10)),
        satisfied=st.lists(st.integers(0, 1000), min_size=10, max_size=10),
    )
    def reports_in_one_line(
        self,
        actor: Actor,
        day: str,
        collected: int,
        invalid: int | None,
        satisfied: list[int],
    ) -> None:
        """/report with figures that are often valid, sometimes just over a limit."""
        figures = [collected, *([] if invalid is None else [invalid])]
        valid = max(collected - (invalid or 0), 0)
        figures += [value % (valid + 2) for value in satisfied]
        self._say(actor, f"/report {day}{' '.join(map(str, figures))}")

    @rule(actor=actors, message=phrases)
    def is_delivered_twice(self, actor: Actor, message: str) -> None:
        """The same update delivered again changes nothing and is not answered again."""
        chat, person = self.chats[actor.channel], self.people[actor]
        incoming = Incoming(Kind.TEXT, text=message)
        key = f"twice-{type(self).inputs}"
        self._answered(actor, self.runner.run(chat.send(person, incoming, key)))
        before = row_counts(self.database)
        again = self.runner.run(chat.send(person, incoming, key))
        assert again == [], [shown.text for shown in again]
        assert row_counts(self.database) == before

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        """Campaign time moves on, up to after the aggregation phase."""
        self.clock.set(min(self.clock.now() + timedelta(hours=hours), END))

    @invariant()
    def the_database_holds_spec_2_3(self) -> None:
        """Figures in range, households not exceeded, one tally a hamlet-day, audit, totals."""
        assert broken_invariants(self.database) == {}


def test_random_input_from_every_role_is_answered_and_keeps_the_data_sound(
    loaded_template: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    with asyncio.Runner() as runner:
        Campaign.runner, Campaign.template, Campaign.folder = runner, loaded_template, tmp_path
        Campaign.examples = Campaign.inputs = Campaign.tallies = 0
        while Campaign.inputs < INPUTS:  # Hypothesis decides how long each example runs
            examples = -(-(INPUTS - Campaign.inputs) // PER_EXAMPLE)
            run_state_machine_as_test(
                Campaign,
                settings=settings(
                    max_examples=examples,
                    stateful_step_count=STEPS,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                ),
            )
    took = time.monotonic() - started
    made = f"{Campaign.inputs} inputs in {Campaign.examples} campaigns"
    print(f"fuzz: {made}, {Campaign.tallies} tallies stored, {took:.0f} s")
