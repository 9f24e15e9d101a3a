"""Invite slips without a database: the pages, what their QR codes say when read back from a
black-and-white rendering, the CSV, the expiry and the settings they need."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from qr_pages import read_pages

from reporting.campaign import load_campaign
from reporting.invite_slips import (
    CSV_COLUMNS,
    Channels,
    Slip,
    SlipRefused,
    slip_channels,
    slip_expiry,
    slips_csv,
    spaced,
)
from reporting.people import CODE_ALPHABET, typed_code
from reporting.roles import Role
from reporting.settings import Settings
from reporting.slip_pdf import LINE_CHARACTERS, PER_PAGE, qr_modules, slip_page, slips_pdf

CAMPAIGN = load_campaign()
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
EXPIRES = datetime(2024, 2, 3, 23, 59, tzinfo=ZONE)
BOTH = Channels("tallybot_dinhhoa_bot", "Bot Tally Định Hóa", "https://zalo.me/s/tallybot")


def _slips(count: int) -> list[Slip]:
    """Returns `count` hamlet slips with distinct codes, in two communes."""
    codes = [f"{CODE_ALPHABET[n // 31]}{CODE_ALPHABET[n % 31]}XYZ234" for n in range(count)]
    return [
        Slip(Role.HAMLET, code, EXPIRES, ("Định Biên" if n < 12 else "Phúc Chu",), f"Xóm {n}")
        for n, code in enumerate(codes)
    ]


def test_23_hamlets_make_4_pages_whose_qr_codes_read_back_as_each_slips_links() -> None:
    slips = _slips(23)
    pages = read_pages(slips_pdf(slips, BOTH, CAMPAIGN, "vi"))
    assert PER_PAGE == 6
    assert [len(page) for page in pages] == [12, 12, 12, 10]  # two QR codes a slip
    for number, page in enumerate(pages):
        on_page = slips[number * PER_PAGE : (number + 1) * PER_PAGE]
        telegram = [read.text for read in page if "t.me" in read.text]
        assert telegram == [f"https://t.me/tallybot_dinhhoa_bot?start={s.code}" for s in on_page]
        zalo = [read.text for read in page if "t.me" not in read.text]
        assert zalo == ["https://zalo.me/s/tallybot"] * len(on_page)


def test_qr_codes_are_3_cm_wide_at_level_m_or_higher() -> None:
    [page] = read_pages(slips_pdf(_slips(2), BOTH, CAMPAIGN, "vi"))
    assert len(page) == 4
    for read in page:
        assert read.level in {"M", "Q", "H"}
        assert 29.5 <= read.width_mm <= 31


def test_a_slip_with_telegram_alone_carries_one_qr_code() -> None:
    telegram_only = Channels("tallybot_dinhhoa_bot")
    [page] = read_pages(slips_pdf(_slips(3), telegram_only, CAMPAIGN, "vi"))
    assert [read.text[-8:] for read in page] == [slip.code for slip in _slips(3)]


def test_zalo_without_a_link_shows_the_name_and_no_qr_code() -> None:
    zalo_name_only = Channels(zalo_name="Bot Tally Định Hóa")
    [page] = read_pages(slips_pdf(_slips(1), zalo_name_only, CAMPAIGN, "vi"))
    assert page == []


def test_qr_modules_keep_the_error_correction_of_level_m() -> None:
    # version 4 at level M holds a 50-character link; the symbol is 33 modules wide
    modules = qr_modules(BOTH.telegram_link("VN9FRYAS"))
    assert len(modules) == len(modules[0]) == 33


def test_a_code_is_printed_in_two_groups_and_typed_back_either_way() -> None:
    assert spaced("VN9FRYAS") == "VN9F RYAS"
    assert typed_code(" vn9f ryas ") == typed_code("VN9F-RYAS") == "VN9FRYAS"


def test_slip_codes_last_to_the_end_of_collection_or_invite_days_when_printed_late() -> None:
    end = CAMPAIGN.end_of_day(CAMPAIGN.phases.collection[1])
    assert end == datetime(2024, 2, 3, 23, 59, 59, 999999, tzinfo=ZONE)
    for printed in (datetime(2024, 1, 10, 8, tzinfo=ZONE), datetime(2024, 2, 2, 23, tzinfo=ZONE)):
        assert slip_expiry(CAMPAIGN, printed, 14) == end
    for late in (datetime(2024, 2, 3, 1, tzinfo=ZONE), datetime(2024, 2, 10, tzinfo=ZONE)):
        assert slip_expiry(CAMPAIGN, late, 14) == late + timedelta(days=14)


def test_csv_has_the_mail_merge_columns_and_each_slips_links() -> None:
    content = slips_csv(_slips(2), BOTH, ZONE)
    rows = list(csv.DictReader(io.StringIO(content)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0] == {
        "person": "",
        "position": "",
        "unit": "Xóm 0",
        "commune": "Định Biên",
        "role": "hamlet",
        "code": "22XYZ234",
        "code_printed": "22XY Z234",
        "expires": "03/02/2024 23:59",
        "telegram_link": "https://t.me/tallybot_dinhhoa_bot?start=22XYZ234",
        "zalo_name": "Bot Tally Định Hóa",
        "zalo_link": "https://zalo.me/s/tallybot",
    }


def _written(slip: Slip) -> list[str]:
    """Returns the texts drawn on a page of one slip, top first."""
    [page] = slip_page([slip], BOTH, CAMPAIGN, "vi").axes
    return [label.get_text() for label in page.texts]


def test_an_official_slip_names_the_person_their_position_and_communes() -> None:
    official = Slip(
        Role.OFFICIAL,
        "VN9FRYAS",
        EXPIRES,
        ("Định Biên", "Bảo Linh"),
        None,
        "Lê Hoa",
        "Phó Chủ tịch UBND huyện",
    )
    [row] = csv.DictReader(io.StringIO(slips_csv([official], BOTH, ZONE)))
    assert (row["person"], row["position"], row["unit"], row["role"]) == (
        "Lê Hoa",
        "Phó Chủ tịch UBND huyện",
        "Định Biên, Bảo Linh",
        "official",
    )
    [page] = read_pages(slips_pdf([official], BOTH, CAMPAIGN, "vi"))
    assert page[0].text.endswith("start=VN9FRYAS")
    assert _written(official)[:4] == [
        "Lê Hoa",
        "Phó Chủ tịch UBND huyện",
        "Phụ trách các xã Định Biên, Bảo Linh",
        "VN9F RYAS",
    ]


def test_a_person_slip_cuts_a_long_position_and_names_the_district_for_its_staff() -> None:
    position = "Ủy viên Ban Thường vụ Huyện ủy, Trưởng Ban Tuyên giáo Huyện ủy kiêm Giám đốc"
    staff = Slip(Role.DISTRICT, "VN9FRYAS", EXPIRES, (), None, "Ma Thị Hạnh", position)
    lines = _written(staff)[:3]
    assert lines[0] == "Ma Thị Hạnh"
    assert lines[1].endswith("…")
    assert len(lines[1]) == LINE_CHARACTERS
    assert position.startswith(lines[1][:-1])
    assert lines[2] == "Phụ trách toàn huyện Định Hóa"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (Settings(), "Phiếu cần ít nhất một kênh: đặt TELEGRAM_BOT_USERNAME"),
        (Settings(TELEGRAM_BOT_USERNAME="t.me/x"), "TELEGRAM_BOT_USERNAME='t.me/x' không phải"),
        (
            Settings(TELEGRAM_BOT_USERNAME="tallybot_bot", ZALO_BOT_TOKEN="1:x"),
            "Bot chạy trên Zalo (ZALO_BOT_TOKEN đã đặt) nhưng chưa đặt ZALO_BOT_NAME",
        ),
        (
            Settings(ZALO_BOT_NAME="Bot Tally", TELEGRAM_BOT_TOKEN="1:x"),
            "Bot chạy trên Telegram (TELEGRAM_BOT_TOKEN đã đặt) nhưng chưa đặt",
        ),
        (Settings(ZALO_BOT_LINK="zalo.me/x"), "ZALO_BOT_LINK='zalo.me/x': cần đường dẫn https://"),
    ],
)
def test_slips_refuse_settings_that_would_print_a_wrong_or_empty_channel(
    settings: Settings, expected: str
) -> None:
    with pytest.raises(SlipRefused) as refused:
        slip_channels(settings)
    assert refused.value.message().startswith(expected)


def test_slip_channels_come_from_the_settings_without_the_at_sign() -> None:
    settings = replace(Settings(), TELEGRAM_BOT_USERNAME="@tallybot_bot", ZALO_BOT_NAME="Bot T")
    channels = slip_channels(settings)
    assert channels == Channels("tallybot_bot", "Bot T", "")
    assert channels.telegram_link("VN9FRYAS") == "https://t.me/tallybot_bot?start=VN9FRYAS"
