"""A printed slip's code gets its hamlet leader in: through the Telegram QR code's `/start CODE`
and typed from the paper as printed, in two groups, on every channel."""

from __future__ import annotations

from qr_pages import read_pages

from reporting.campaign_store import current_campaign
from reporting.invite_slips import Channels, grant_slip, slip_expiry, slip_grants, spaced
from reporting.people import new_invites
from reporting.roles import Role
from reporting.slip_pdf import slips_pdf

CHANNELS = Channels("tallybot_local_bot", "Bot Tally Định Hóa", "https://zalo.me/s/tallybot")
TELEGRAM = "https://t.me/tallybot_local_bot?start="


async def test_slip_codes_register_their_hamlet_leaders_and_are_left_out_after(chat) -> None:
    async with chat.sessions() as session:
        campaign = await current_campaign(session)
        grants, _ = await slip_grants(session, [Role.HAMLET], ["Định Biên"])
        now = chat.clock.now()
        printed = grants[:2]
        made = new_invites(
            [(g.role, g.unit) for g in printed], now, slip_expiry(campaign, now, 14)
        )
        slips = [grant_slip(g, i.code, i.expires_at) for g, i in zip(printed, made, strict=True)]
        session.add_all(made)
        await session.commit()
    [page] = read_pages(slips_pdf(slips, CHANNELS, campaign, "vi"))
    scanned = page[0].text  # the first slip's Telegram QR code, read as a phone reads it
    assert scanned == TELEGRAM + slips[0].code

    # Pressing Start on the bot the link opens sends "/start CODE".
    first = chat.user("Hoàng Văn Bình")
    welcome = (await chat.say(first, f"/start {scanned.removeprefix(TELEGRAM)}"))[0]
    assert welcome.text == (
        f"✅ Đăng ký xong! Hoàng Văn Bình là trưởng ban công tác Mặt trận của {slips[0].hamlet}."
    )
    # On Zalo there is no such link: the code is typed as the slip prints it, "VN9F RYAS".
    second = chat.user("Lò Thị Mai")
    welcome = (await chat.say(second, spaced(slips[1].code).lower()))[0]
    assert welcome.text == (
        f"✅ Đăng ký xong! Lò Thị Mai là trưởng ban công tác Mặt trận của {slips[1].hamlet}."
    )

    async with chat.reading() as session:
        printable, left_out = await slip_grants(session, [Role.HAMLET], ["Định Biên"])
        assert [grant.unit.name for grant in left_out] == [slip.hamlet for slip in slips]
        assert len(printable) == len(grants) - 2
