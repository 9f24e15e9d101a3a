"""When a message may go and until when it is worth sending (SPEC §5), and how long text is cut.

Pure functions: `quiet_ends` and `deadline` for alerts, `reply_deadline` for replies, and
`split_text`, which channel adapters use for their own length limits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.outbox import Parts, Send, split_text
from bot.pipeline import reply_deadline
from reporting.alerts import Kind, deadline, quiet_ends
from reporting.campaign import load_campaign

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN = load_campaign()  # quiet 21:00–07:00, digest 20:30, report due 26/02/2024


def local(day: int, month: int, hours: int, minutes: int = 0) -> datetime:
    """Returns a campaign-local moment in 2024."""
    return datetime(2024, month, day, hours, minutes, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("written", "may_go"),
    [
        (local(28, 1, 17, 0), local(28, 1, 17, 0)),  # daytime: at once
        (local(28, 1, 20, 59), local(28, 1, 20, 59)),
        (local(28, 1, 21, 0), local(29, 1, 7, 0)),  # evening: next morning
        (local(28, 1, 23, 30), local(29, 1, 7, 0)),
        (local(29, 1, 3, 0), local(29, 1, 7, 0)),  # after midnight: this morning
        (local(29, 1, 7, 0), local(29, 1, 7, 0)),
    ],
)
def test_an_alert_written_in_quiet_hours_waits_for_their_end(
    written: datetime, may_go: datetime
) -> None:
    assert quiet_ends(CAMPAIGN, written) == may_go


def test_a_reminder_or_missing_list_or_deadline_is_worthless_after_its_day() -> None:
    end_of_day = local(29, 1, 0, 0) - timedelta(microseconds=1)
    for kind in (Kind.REMINDER, Kind.MISSING, Kind.DEADLINE):
        assert deadline(CAMPAIGN, kind, local(28, 1, 17, 0)) == end_of_day


def test_a_digest_is_worthless_once_the_next_digest_is_due() -> None:
    assert deadline(CAMPAIGN, Kind.DIGEST, local(28, 1, 20, 30)) == local(29, 1, 20, 30)


def test_a_verdict_change_is_worth_sending_for_a_day() -> None:
    assert deadline(CAMPAIGN, Kind.VERDICT, local(28, 1, 22, 15)) == local(29, 1, 22, 15)


def test_a_reply_does_not_expire_within_the_campaign() -> None:
    day_after_report_due = local(27, 2, 0, 0)
    assert reply_deadline(CAMPAIGN, local(28, 1, 16, 0)) == day_after_report_due
    assert reply_deadline(CAMPAIGN, local(20, 2, 9, 0)) == day_after_report_due  # posting


def test_a_reply_written_after_the_campaign_still_gets_a_day() -> None:
    assert reply_deadline(CAMPAIGN, local(10, 3, 9, 0)) == local(11, 3, 9, 0)


def test_long_text_is_cut_at_line_breaks_under_the_limit() -> None:
    lines = [f"Xóm số {n}: 45/60 hộ (75,00 %)" for n in range(300)]
    parts = split_text("\n".join(lines), 4000)
    assert len(parts) > 1
    assert all(len(part) <= 4000 for part in parts)
    assert "\n".join(parts).split("\n") == lines  # nothing lost, nothing reordered


def test_a_line_longer_than_the_limit_is_cut_inside() -> None:
    parts = split_text("ngắn\n" + "a" * 25 + "\nhết", 10)
    assert parts == ["ngắn", "aaaaaaaaaa", "aaaaaaaaaa", "aaaaa\nhết"]


def test_short_text_stays_whole() -> None:
    assert split_text("✅ Đã lưu báo cáo.", 2000) == ["✅ Đã lưu báo cáo."]


async def test_a_retry_sends_only_the_parts_not_yet_delivered() -> None:
    made: list[str] = []

    def call(name: str, fails: bool = False) -> Send:
        async def send() -> None:
            if fails:
                raise ConnectionError(name)
            made.append(name)

        return send

    first = Parts(already=0)
    with pytest.raises(ConnectionError):
        await first.send([call("phần 1"), call("phần 2", fails=True), call("phần 3")])
    assert (made, first.sent) == (["phần 1"], 1)

    retry = Parts(already=first.sent)
    await retry.send([call("phần 1"), call("phần 2"), call("phần 3")])
    assert (made, retry.sent) == (["phần 1", "phần 2", "phần 3"], 3)
