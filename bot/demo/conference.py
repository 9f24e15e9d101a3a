"""The demo's launch conference: the district's assignment table, imported as `tallybot
assignments import` imports it, and the invite slips, printed as `tallybot invite slips`
prints them; the people then register with the codes on their slips.

The table's names are made up (like every name of the demo's people), and its file says so in
its name: `phan-cong-minh-hoa.csv` ("minh họa": illustrative).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from bot.cli.assignments import load_assignments
from bot.cli.context import Context
from bot.cli.slips import PrintedSlips, print_slips
from bot.demo.cast import CHAT_COMMUNES, TABLE_HEADER, Actor, assignment_table
from reporting.i18n import text
from reporting.invite_slips import SLIP_ROLES, Slip, slip_channels
from reporting.roles import Role

TABLE_FILE = "phan-cong-minh-hoa.csv"
SLIPS_FILE = "phieu-moi.pdf"
# What an IT officer sets before printing: the bot's Telegram username (the local server's)
# and its name on Zalo. No Zalo link: the slips show the name to search for.
TELEGRAM_USERNAME = "tallybot_local_bot"
ZALO_NAME = "Bot Tally Định Hóa"


async def hold_conference(
    ctx: Context, cast: Sequence[Actor], staff: Sequence[Actor], out: Path
) -> dict[int, str]:
    """Imports the assignment table and prints the slips of the chat communes; returns the
    code on each actor's slip, by the actor's chat id."""
    table = out / TABLE_FILE
    _write_table(table, assignment_table(staff))
    changes = await load_assignments(ctx, table)
    day = f"{ctx.campaign.phases.conference:%d/%m/%Y}"
    print(text("demo.assignments", day=day, people=len(changes.added), path=table), flush=True)
    slips = out / SLIPS_FILE
    slips.unlink(missing_ok=True)  # left by an earlier play; slips are never printed over
    channels = slip_channels(ctx.settings)
    printed = await print_slips(ctx, SLIP_ROLES, CHAT_COMMUNES, channels, slips)
    line = text("demo.slips", count=len(printed.slips), pages=printed.pages, path=slips)
    print(line, flush=True)
    return _codes([*cast, *staff], printed)


def _write_table(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Writes the table as the district would keep it: UTF-8 CSV with Vietnamese headers."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(TABLE_HEADER)
        writer.writerows(rows)


def _codes(actors: Sequence[Actor], printed: PrintedSlips) -> dict[int, str]:
    """Returns, by chat id, the code of the slip each actor was handed: a hamlet leader's by
    the hamlet, a person of the table's by name."""
    by_holder = {_holder(slip): slip.code for slip in printed.slips}
    return {actor.user_id: by_holder[_actor_key(actor)] for actor in actors}


def _holder(slip: Slip) -> str:
    if slip.person is not None:
        return slip.person
    return f"{slip.communes[0]}/{slip.hamlet}" if slip.hamlet else slip.communes[0]


def _actor_key(actor: Actor) -> str:
    return actor.units[0] if actor.role == Role.HAMLET else actor.name
