"""The demo's people: who plays which role, with plausible Vietnamese names (made up: they
name nobody), and the assignment table that names the overseers among them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.demo.plan import LAGGING_COMMUNE, UNHAPPY_COMMUNE, HamletPlan
from reporting.storage.models import Role

FAMILY = ("Nguyễn", "Trần", "Hoàng", "Ma", "Lường", "Đinh", "Hà", "Nông", "La", "Triệu")
MIDDLE = ("Văn", "Thị", "Đức", "Thanh", "Ngọc")
GIVEN = ("Hùng", "Lan", "Tâm", "Bình", "Hòa", "Thắm", "Dũng", "Hạnh", "Quyết", "Nga", "Sơn")

ON_BEHALF_COMMUNE = "Định Biên"
OFFICIAL_COMMUNES = (
    (LAGGING_COMMUNE, UNHAPPY_COMMUNE, ON_BEHALF_COMMUNE),
    ("Bình Yên", "Bảo Linh"),
)
GUIDED_COMMUNES = ("Định Biên", "Quy Kỳ")
# Hamlet leaders of these communes, and the official who oversees Bình Yên, use the bot on Zalo;
# everyone else is on Telegram. One bot serves both.
ZALO_COMMUNES = (UNHAPPY_COMMUNE, "Bình Yên")
ZALO_OFFICIAL = 1  # the second official: Bình Yên and Bảo Linh
# Leaders of these communes use the bot; the others still hand in paper, which the district
# keys in each evening from the communes' spreadsheets (`tally import`).
CHAT_COMMUNES = (LAGGING_COMMUNE, UNHAPPY_COMMUNE, "Định Biên", "Bảo Linh", "Bình Yên", "Phúc Chu")
# Positions (chức vụ) as the plan's appendix writes them; the people holding them are made up.
COMMUNE_POSITION = "Chủ tịch UBND xã"
OFFICIAL_POSITIONS = (
    "Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện",
    "Ủy viên Ban Chấp hành Đảng bộ huyện",
)
DISTRICT_POSITION = "Phó Chủ tịch Ủy ban MTTQ Việt Nam huyện"
# How the appendix names each role (the import takes these as well as the English words).
TABLE_ROLES = {
    Role.COMMUNE: "cán bộ xã",
    Role.OFFICIAL: "lãnh đạo phụ trách",
    Role.DISTRICT: "cán bộ huyện",
}
TABLE_HEADER = ("họ tên", "chức vụ", "vai trò", "xã")


@dataclass(frozen=True, slots=True)
class Actor:
    """One simulated person: a chat account, a name, a role and the units of their invite."""

    user_id: int
    name: str
    role: Role
    units: tuple[str, ...]
    guided: bool = False
    channel: str = "telegram"  # or "zalo"


def person(number: int) -> str:
    """Returns a deterministic, plausible Vietnamese full name.

    Names repeat every 550 numbers: the overseers take 500–549, above every hamlet leader's.
    """
    family = FAMILY[number % len(FAMILY)]
    middle = MIDDLE[(number // len(FAMILY)) % len(MIDDLE)]
    given = GIVEN[(number * 7) % len(GIVEN)]
    return f"{family} {middle} {given}"


def leaders(hamlets: Sequence[HamletPlan]) -> dict[HamletPlan, Actor]:
    """Returns a leader for every hamlet of the chat communes; some type step by step.

    Leaders of the ZALO_COMMUNES write on Zalo, the others on Telegram.

    The first hamlet of ON_BEHALF_COMMUNE has no leader with a smartphone: its commune user
    reports for it.
    """
    cast: dict[HamletPlan, Actor] = {}
    seen: dict[str, int] = {}
    for number, hamlet in enumerate(hamlets):
        order = seen[hamlet.commune] = seen.get(hamlet.commune, -1) + 1
        on_paper = hamlet.commune not in CHAT_COMMUNES
        if on_paper or (hamlet.commune == ON_BEHALF_COMMUNE and order == 0):
            continue
        units = (f"{hamlet.commune}/{hamlet.hamlet}",)
        guided = order == 1 and hamlet.commune in GUIDED_COMMUNES
        channel = "zalo" if hamlet.commune in ZALO_COMMUNES else "telegram"
        cast[hamlet] = Actor(10_000 + number, person(number), Role.HAMLET, units, guided, channel)
    return cast


def overseers() -> list[Actor]:
    """Returns the commune users, the district's assigned officials and a district staff member."""
    communes = (ON_BEHALF_COMMUNE, UNHAPPY_COMMUNE)
    cast = [Actor(20_000 + n, person(500 + n), Role.COMMUNE, (c,)) for n, c in enumerate(communes)]
    cast += [
        Actor(
            30_000 + n,
            person(510 + n),
            Role.OFFICIAL,
            units,
            channel="zalo" if n == ZALO_OFFICIAL else "telegram",
        )
        for n, units in enumerate(OFFICIAL_COMMUNES)
    ]
    cast.append(Actor(40_000, person(520), Role.DISTRICT, ()))
    return cast


def position(actor: Actor) -> str:
    """Returns an overseer's position in the assignment table."""
    if actor.role == Role.OFFICIAL:
        return OFFICIAL_POSITIONS[actor.user_id - 30_000]
    return DISTRICT_POSITION if actor.role == Role.DISTRICT else COMMUNE_POSITION


def assignment_table(staff: Sequence[Actor]) -> list[tuple[str, str, str, str]]:
    """Returns the rows of the demo's assignment table: the overseers who play, then the
    chairmen of the other chat communes, who are named but never open the bot."""
    rows = [
        (actor.name, position(actor), TABLE_ROLES[actor.role], "; ".join(actor.units))
        for actor in staff
    ]
    played = {actor.units[0] for actor in staff if actor.role == Role.COMMUNE}
    others = [commune for commune in CHAT_COMMUNES if commune not in played]
    rows += [
        (person(530 + n), COMMUNE_POSITION, TABLE_ROLES[Role.COMMUNE], commune)
        for n, commune in enumerate(others)
    ]
    return rows
