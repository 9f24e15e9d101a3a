"""Which alerts are due, and when (SPEC §2.5, §5): `scheduled`, `verdict_changes`, quiet hours
and the alerts' text, on hand-built summaries of a two-commune district in the reference
campaign (collection 27/01–03/02/2024, aggregation 03/02–06/02, report due 26/02)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reporting.alerts import Alert, Audience, Kind, in_quiet_hours
from reporting.campaign import AlertTimes, load_campaign
from reporting.measures import Counts, Progress, measure, measure_district
from reporting.scheduled_alerts import scheduled
from reporting.storage.models import Level
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.thresholds import MEASURES, REFERENCE_FORM
from reporting.verdict_alerts import verdict_changes
from reporting.verdicts import Verdict

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN = load_campaign()
DISTRICT_ID, DINH_BIEN, BAO_LINH = 1, 10, 20


@dataclass(frozen=True)
class H:
    """A hamlet's totals so far: households, forms collected, satisfied per question."""

    unit_id: int
    name: str
    households: int
    collected: int = 0
    satisfied: int | tuple[int, ...] | None = None  # one figure for all ten; None: collected
    reported_today: bool = False

    def counts(self) -> Counts:
        """Returns the totals as Counts."""
        satisfied = self.collected if self.satisfied is None else self.satisfied
        per_question = (
            (satisfied,) * REFERENCE_FORM.questions if isinstance(satisfied, int) else satisfied
        )
        return Counts(self.households, self.collected, 0, per_question)


def at(day: str, clock: str) -> datetime:
    """Returns the campaign-local moment of "dd/mm" (2024) and "hh:mm"."""
    d, m = (int(part) for part in day.split("/"))
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(2024, m, d, hours, minutes, tzinfo=ZONE)


def _commune(
    unit_id: int, name: str, hamlets: Sequence[H], progress: Progress, confirmed: bool
) -> UnitSummary:
    t = CAMPAIGN.thresholds
    children = tuple(
        UnitSummary(
            h.unit_id,
            h.name,
            Level.HAMLET,
            measure(h.counts(), t, progress),
            1,
            int(h.reported_today),
            confirmed,
        )
        for h in hamlets
    )
    total = sum((h.counts() for h in hamlets), Counts.zero())
    return UnitSummary(
        unit_id,
        name,
        Level.COMMUNE,
        measure(total, t, progress),
        len(children),
        sum(c.reported_today for c in children),
        confirmed,
        children,
    )


def picture(
    now: datetime,
    dinh_bien: Sequence[H],
    bao_linh: Sequence[H],
    confirmed: frozenset[int] = frozenset(),
) -> CampaignSummary:
    """Returns the summary of the two-commune district (Bảo Linh sorts first) as of `now`."""
    progress = CAMPAIGN.progress(now)
    communes = (
        _commune(BAO_LINH, "Bảo Linh", bao_linh, progress, BAO_LINH in confirmed),
        _commune(DINH_BIEN, "Định Biên", dinh_bien, progress, DINH_BIEN in confirmed),
    )
    district = UnitSummary(
        DISTRICT_ID,
        "Định Hóa",
        Level.DISTRICT,
        measure_district([c.measures for c in communes], CAMPAIGN.thresholds, progress),
        sum(c.hamlets for c in communes),
        sum(c.reported_today for c in communes),
        all(c.confirmed for c in communes),
        communes,
    )
    return CampaignSummary(CAMPAIGN, now, CAMPAIGN.local_date(now), progress, district)


def everyone_reported(now: datetime) -> CampaignSummary:
    """Both communes at 80 %, every hamlet reported today, everyone satisfied."""
    return picture(
        now,
        [H(101, "Xóm Nà Mỏ", 60, 48, None, True), H(102, "Xóm Tân Vàng", 40, 32, None, True)],
        [H(201, "Xóm Bản Lanh", 100, 80, None, True), H(202, "Xóm Nà Kéo", 100, 80, None, True)],
    )


def some_late(now: datetime) -> CampaignSummary:
    """Định Biên: Nà Mỏ reported today, Tân Vàng not; Bảo Linh: neither hamlet has reported."""
    return picture(
        now,
        [H(101, "Xóm Nà Mỏ", 60, 36, (36,) * 9 + (35,), True), H(102, "Xóm Tân Vàng", 40, 36)],
        [H(201, "Xóm Bản Lanh", 100), H(202, "Xóm Nà Kéo", 100)],
    )


def kinds(alerts: Sequence[Alert]) -> list[Kind]:
    """Returns the kinds of the alerts, in order."""
    return [alert.kind for alert in alerts]


# --- quiet hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        ("07:00", False),
        ("12:00", False),
        ("20:59", False),
        ("21:00", True),
        ("23:59", True),
        ("00:00", True),
        ("06:59", True),
    ],
)
def test_quiet_hours_wrap_past_midnight(clock: str, quiet: bool) -> None:
    assert in_quiet_hours(CAMPAIGN, at("28/01", clock)) is quiet


def test_quiet_hours_are_read_in_campaign_time_whatever_the_moments_zone() -> None:
    assert in_quiet_hours(CAMPAIGN, datetime(2024, 1, 28, 14, 0, tzinfo=UTC))  # 21:00 local
    assert not in_quiet_hours(CAMPAIGN, datetime(2024, 1, 28, 0, 0, tzinfo=UTC))  # 07:00 local


def test_quiet_hours_within_one_day_do_not_wrap() -> None:
    lunch = replace(CAMPAIGN, alerts=AlertTimes(quiet=(time(12, 0), time(13, 30))))
    clocks = ("11:59", "12:00", "13:29", "13:30")
    quiet = [in_quiet_hours(lunch, at("28/01", clock)) for clock in clocks]
    assert quiet == [False, True, True, False]
    assert not in_quiet_hours(lunch, at("28/01", "23:00"))


def test_nothing_is_due_in_quiet_hours_even_when_everything_would_be() -> None:
    assert scheduled(CAMPAIGN, some_late(at("28/01", "21:00")), at("28/01", "21:00")) == []
    early = at("01/02", "06:59")  # the collection-ending deadline day, before 07:00
    assert scheduled(CAMPAIGN, some_late(early), early) == []


# --- reminders ----------------------------------------------------------------------------


def test_reminder_goes_to_the_leaders_of_hamlets_without_todays_tally_from_17_00() -> None:
    assert scheduled(CAMPAIGN, some_late(at("28/01", "16:59")), at("28/01", "16:59")) == []
    now = at("28/01", "17:00")
    [reminder] = scheduled(CAMPAIGN, some_late(now), now)
    assert (reminder.kind, reminder.audience) == (Kind.REMINDER, Audience.LEADERS)
    assert reminder.hamlet_ids == (201, 202, 102)  # Nà Mỏ reported today
    assert reminder.key == "reminder:2024-01-28"
    assert reminder.render("vi") == (
        "🔔 Nhắc việc: hôm nay (28/01) xóm chưa gửi báo cáo. Gõ /baocao để gửi."
    )
    assert reminder.render("en") == (
        "🔔 Reminder: your hamlet has not reported today (28/01). Send /report."
    )


def test_no_reminder_when_every_hamlet_reported_today() -> None:
    now = at("28/01", "17:30")
    assert Kind.REMINDER not in kinds(scheduled(CAMPAIGN, everyone_reported(now), now))


@pytest.mark.parametrize(
    ("day", "due"), [("26/01", False), ("27/01", True), ("03/02", True), ("04/02", False)]
)
def test_reminders_and_missing_lists_only_on_collection_days(day: str, due: bool) -> None:
    now = at(day, "20:00")
    found = kinds(scheduled(CAMPAIGN, some_late(now), now))
    assert (Kind.REMINDER in found, Kind.MISSING in found) == (due, due)


def test_reminder_key_changes_with_the_day() -> None:
    first, second = at("28/01", "17:00"), at("29/01", "17:00")
    [one] = scheduled(CAMPAIGN, some_late(first), first)
    [two] = scheduled(CAMPAIGN, some_late(second), second)
    assert (one.key, two.key) == ("reminder:2024-01-28", "reminder:2024-01-29")


# --- missing-report lists -----------------------------------------------------------------


def test_missing_list_per_commune_with_late_hamlets_from_20_00() -> None:
    before = at("28/01", "19:59")
    assert kinds(scheduled(CAMPAIGN, some_late(before), before)) == [Kind.REMINDER]
    now = at("28/01", "20:00")
    missing = [a for a in scheduled(CAMPAIGN, some_late(now), now) if a.kind is Kind.MISSING]
    assert [(a.commune_id, a.audience, a.key) for a in missing] == [
        (BAO_LINH, Audience.COMMUNE, f"missing:2024-01-28:{BAO_LINH}"),
        (DINH_BIEN, Audience.COMMUNE, f"missing:2024-01-28:{DINH_BIEN}"),
    ]
    assert [a.render("vi") for a in missing] == [
        "📭 Bảo Linh: 2/2 xóm chưa báo cáo ngày 28/01: Xóm Bản Lanh, Xóm Nà Kéo.",
        "📭 Định Biên: 1/2 xóm chưa báo cáo ngày 28/01: Xóm Tân Vàng.",
    ]
    assert missing[1].render("en") == (
        "📭 Định Biên: 1/2 hamlets not reported on 28/01: Xóm Tân Vàng."
    )


def test_a_commune_whose_hamlets_all_reported_gets_no_missing_list() -> None:
    now = at("28/01", "20:10")
    summary = picture(
        now,
        [H(101, "Xóm Nà Mỏ", 60, 36, None, True), H(102, "Xóm Tân Vàng", 40, 36, None, True)],
        [H(201, "Xóm Bản Lanh", 100), H(202, "Xóm Nà Kéo", 100, 10, None, True)],
    )
    missing = [a for a in scheduled(CAMPAIGN, summary, now) if a.kind is Kind.MISSING]
    assert [(a.commune_id, a.params["names"]) for a in missing] == [(BAO_LINH, "Xóm Bản Lanh")]


# --- the district digest ------------------------------------------------------------------


def test_digest_to_district_staff_from_20_30_with_district_line_troubles_and_missing() -> None:
    before = at("28/01", "20:29")
    assert Kind.DIGEST not in kinds(scheduled(CAMPAIGN, some_late(before), before))
    now = at("28/01", "20:30")
    [digest] = [a for a in scheduled(CAMPAIGN, some_late(now), now) if a.kind is Kind.DIGEST]
    assert (digest.audience, digest.key, digest.commune_id) == (
        Audience.DISTRICT,
        "digest:2024-01-28",
        None,
    )
    # district: 72 of 300 households; Q10 71 of 72 valid forms; Bảo Linh has none: at risk
    assert digest.render("vi") == (
        "📊 Tổng hợp ngày 28/01: 72/300 hộ đã góp ý (24,00 %); "
        "bình quân câu 1–9 100,00 %; câu 10 98,61 %.\n"
        "Các xã cần chú ý: Bảo Linh ⚠️.\n"
        "Số xóm chưa báo cáo hôm nay: 3."
    )
    assert digest.render("en") == (
        "📊 Digest for 28/01: 72/300 households (24.00 %); Q1–9 average 100.00 %; Q10 98.61 %.\n"
        "Communes to watch: Bảo Linh ⚠️.\n"
        "Hamlets without today's report: 3."
    )


def test_digest_names_the_officials_who_answer_for_a_commune_at_risk() -> None:
    now = at("28/01", "20:30")
    responsible = {
        BAO_LINH: ["Nguyễn Văn An (Phó Chủ tịch UBND huyện)", "Trần Thị Bình (Ủy viên)"]
    }
    due = scheduled(CAMPAIGN, some_late(now), now, responsible)
    [digest] = [a for a in due if a.kind is Kind.DIGEST]
    assert (
        "Các xã cần chú ý: Bảo Linh ⚠️ (phụ trách: Nguyễn Văn An (Phó Chủ tịch UBND huyện); "
        "Trần Thị Bình (Ủy viên)).\n"
    ) in digest.render("vi")
    assert (
        "Communes to watch: Bảo Linh ⚠️ (responsible: Nguyễn Văn An (Phó Chủ tịch UBND huyện); "
        "Trần Thị Bình (Ủy viên)).\n"
    ) in digest.render("en")


def test_digest_counts_thousands_with_a_dot_and_shows_a_dash_without_troubles() -> None:
    now = at("29/01", "20:45")
    big = picture(
        now,
        [H(101, "Xóm Nà Mỏ", 1_500, 1_200, None, True)],
        [H(201, "Xóm Bản Lanh", 24_000, 17_000, None, True)],
    )
    [digest] = [a for a in scheduled(CAMPAIGN, big, now) if a.kind is Kind.DIGEST]
    assert digest.render("vi").startswith(
        "📊 Tổng hợp ngày 29/01: 18.200/25.500 hộ đã góp ý (71,37 %);"
    )
    assert "Các xã cần chú ý: —.\nSố xóm chưa báo cáo hôm nay: 0." in digest.render("vi")


def test_digest_runs_through_aggregation_and_no_hamlet_is_missing_once_collection_is_over() -> (
    None
):
    summaries = {day: some_late(at(day, "20:30")) for day in ("26/01", "04/02", "06/02", "07/02")}
    due = {
        day: Kind.DIGEST in kinds(scheduled(CAMPAIGN, s, s.as_of)) for day, s in summaries.items()
    }
    assert due == {"26/01": False, "04/02": True, "06/02": True, "07/02": False}
    after = summaries["04/02"]
    [digest] = [a for a in scheduled(CAMPAIGN, after, after.as_of) if a.kind is Kind.DIGEST]
    # no tally is expected after 03/02: the hamlets are not "missing" today
    assert digest.render("vi").endswith("Số xóm chưa báo cáo hôm nay: —.")
    assert digest.render("en").endswith("Hamlets without today's report: —.")


# --- deadlines ----------------------------------------------------------------------------


def test_collection_ending_two_days_before_for_communes_projected_below_70() -> None:
    def ending(day: str, clock: str) -> list[Alert]:
        now = at(day, clock)
        summary = picture(
            now,
            [
                H(101, "Xóm Nà Mỏ", 60, 36),
                H(102, "Xóm Tân Vàng", 40, 20),
            ],  # 56 %: 89,6 % at the end
            [
                H(201, "Xóm Bản Lanh", 100, 30),
                H(202, "Xóm Nà Kéo", 100, 30),
            ],  # 30 %: 48 % at the end (5 of 8 days)
        )
        return [a for a in scheduled(CAMPAIGN, summary, now) if a.kind is Kind.DEADLINE]

    assert ending("31/01", "09:00") == []
    assert ending("02/02", "09:00") == []
    assert ending("01/02", "07:59") == []
    alert, district_list = ending("01/02", "08:00")
    assert (alert.key, alert.audience, alert.commune_id) == (
        f"deadline:collection:{BAO_LINH}",
        Audience.COMMUNE,
        BAO_LINH,
    )
    assert (district_list.key, district_list.audience) == (
        "deadline:collection",
        Audience.DISTRICT,
    )
    assert district_list.render("vi") == (
        "⏰ Còn 2 ngày nữa hết thu phiếu (03/02). 1 xã theo tiến độ hiện nay sẽ dưới 70 %: "
        "Bảo Linh."
    )
    assert alert.render("vi") == (
        "⏰ Còn 2 ngày nữa hết thu phiếu (03/02). Bảo Linh mới đạt 30,00 %; theo tiến độ hiện "
        "nay chỉ đạt khoảng 48,00 % khi kết thúc — cần thêm 80 hộ để đạt 70 %."
    )
    assert alert.render("en") == (
        "⏰ Collection ends in 2 days (03/02). Bảo Linh is at 30.00 %; at this pace it reaches "
        "only about 48.00 % — needs 80 more households to reach 70 %."
    )


def test_confirmation_due_on_the_first_aggregation_day_after_collection_for_unconfirmed() -> None:
    def due(day: str) -> list[Alert]:
        now = at(day, "08:00")
        summary = picture(
            now,
            [H(101, "Xóm Nà Mỏ", 60, 50)],
            [H(201, "Xóm Bản Lanh", 100, 80)],
            confirmed=frozenset({DINH_BIEN}),
        )
        return [a for a in scheduled(CAMPAIGN, summary, now) if a.kind is Kind.DEADLINE]

    assert due("03/02") == []  # aggregation starts on the last collection day
    assert due("05/02") == []
    asked, listed = due("04/02")
    assert (asked.key, asked.audience, asked.commune_id) == (
        f"deadline:confirm:{BAO_LINH}",
        Audience.COMMUNE,
        BAO_LINH,
    )
    assert asked.render("vi") == (
        "⏰ Đã sang giai đoạn tổng hợp. Số liệu của xã Bảo Linh chưa được xác nhận (hạn 06/02). "
        "Cán bộ xã xác nhận bằng lệnh /xacnhan."
    )
    assert (listed.key, listed.audience, listed.commune_id) == (
        "deadline:confirm",
        Audience.DISTRICT,
        None,
    )
    assert listed.render("vi") == (
        "⏰ Đã sang giai đoạn tổng hợp. 1 xã chưa xác nhận số liệu (hạn 06/02): Bảo Linh."
    )


def test_no_confirmation_alert_once_every_commune_confirmed() -> None:
    now = at("04/02", "08:00")
    summary = picture(
        now,
        [H(101, "Xóm Nà Mỏ", 60, 50)],
        [H(201, "Xóm Bản Lanh", 100, 80)],
        confirmed=frozenset({DINH_BIEN, BAO_LINH}),
    )
    assert Kind.DEADLINE not in kinds(scheduled(CAMPAIGN, summary, now))


def test_report_deadline_the_day_before_report_due_to_district_staff() -> None:
    def due(day: str, clock: str = "08:00") -> list[Alert]:
        now = at(day, clock)
        return [a for a in scheduled(CAMPAIGN, some_late(now), now) if a.kind is Kind.DEADLINE]

    assert due("24/02") == due("26/02") == due("25/02", "07:59") == []
    [alert] = due("25/02")
    assert (alert.key, alert.audience, alert.commune_id) == (
        "deadline:report",
        Audience.DISTRICT,
        None,
    )
    assert alert.render("en") == (
        "⏰ Tomorrow (26/02/2024) the report to the provincial Front is due. "
        "Send /export for the workbook."
    )


def test_deadline_alerts_stay_due_all_day_until_quiet_hours() -> None:
    for clock, count in (("12:00", 1), ("20:59", 1), ("21:00", 0)):
        now = at("25/02", clock)
        assert len(scheduled(CAMPAIGN, some_late(now), now)) == count, clock


# --- verdict changes ----------------------------------------------------------------------


def steady(
    now: datetime, dinh_bien_collected: int = 30, q10: int | None = None
) -> CampaignSummary:
    """Bảo Linh at 80 %, Định Biên at `dinh_bien_collected` of 100 households."""
    satisfied = None if q10 is None else (dinh_bien_collected,) * 9 + (q10,)
    return picture(
        now,
        [H(101, "Xóm Nà Mỏ", 100, dinh_bien_collected, satisfied)],
        [H(201, "Xóm Bản Lanh", 200, 160)],
    )


def remembered(summary: CampaignSummary) -> dict[tuple[int, str], Verdict | None]:
    """Returns the memory after a first evaluation (which alerts nothing)."""
    alerts, memory = verdict_changes(summary, {}, summary.as_of)
    assert alerts == []
    return memory


def test_first_sight_is_remembered_without_an_alert() -> None:
    now = at("28/01", "10:00")
    memory = remembered(steady(now))
    units = (DISTRICT_ID, BAO_LINH, DINH_BIEN)
    assert set(memory) == {(unit, m) for unit in units for m in MEASURES}
    assert memory[(DINH_BIEN, "participation")] is Verdict.ON_TRACK


def test_a_verdict_getting_worse_alerts_district_and_the_commune() -> None:
    memory = remembered(steady(at("28/01", "10:00")))  # 30 % on day 2: on track
    later = at("31/01", "10:00")  # still 30 % on day 5: at risk
    alerts, new_memory = verdict_changes(steady(later), memory, later)
    [alert] = alerts
    assert (alert.kind, alert.audience, alert.commune_id) == (
        Kind.VERDICT,
        Audience.DISTRICT_AND_COMMUNE,
        DINH_BIEN,
    )
    assert alert.key == f"verdict:{DINH_BIEN}:participation:at_risk:1"
    assert new_memory[(DINH_BIEN, "participation")] is Verdict.AT_RISK
    assert alert.render("vi") == (
        "🚨 Định Biên — tỷ lệ hộ tham gia: 🟢 Đúng tiến độ → ⚠️ Có nguy cơ không đạt. "
        "Hiện 30,00 % (ngưỡng 70 %) — cần thêm 40 hộ để đạt 70 %."
    )
    assert alert.render("en") == (
        "🚨 Định Biên — participation: 🟢 On track → ⚠️ At risk. "
        "Now 30.00 % (threshold 70 %) — needs 40 more households to reach 70 %."
    )


def test_a_communes_verdict_alert_names_its_officials() -> None:
    memory = remembered(steady(at("28/01", "10:00")))
    later = at("31/01", "10:00")
    responsible = {DINH_BIEN: ["Nguyễn Văn An (Phó Chủ tịch UBND huyện)"]}
    [alert], _ = verdict_changes(steady(later), memory, later, None, responsible)
    assert alert.render("vi").endswith(
        "cần thêm 40 hộ để đạt 70 %.\nPhụ trách: Nguyễn Văn An (Phó Chủ tịch UBND huyện)."
    )
    assert alert.render("en").endswith(
        "to reach 70 %.\nResponsible: Nguyễn Văn An (Phó Chủ tịch UBND huyện)."
    )


def test_same_or_better_verdicts_alert_nothing() -> None:
    memory = remembered(steady(at("31/01", "10:00")))  # Định Biên at risk
    same = at("31/01", "18:00")
    assert verdict_changes(steady(same), memory, same)[0] == []
    better = at("31/01", "19:00")
    alerts, new_memory = verdict_changes(steady(better, dinh_bien_collected=70), memory, better)
    assert alerts == []
    assert new_memory[(DINH_BIEN, "participation")] is Verdict.MET


def test_from_no_figures_to_any_verdict_is_not_worse() -> None:
    memory = {**remembered(steady(at("31/01", "10:00"))), (DINH_BIEN, "participation"): None}
    now = at("31/01", "11:00")  # at risk now, no figures remembered
    alerts, new_memory = verdict_changes(steady(now), memory, now)
    assert alerts == []
    assert new_memory[(DINH_BIEN, "participation")] is Verdict.AT_RISK


def test_two_verdicts_worse_at_once_make_two_alerts() -> None:
    memory = remembered(steady(at("28/01", "10:00")))
    later = at("31/01", "10:00")  # participation at risk, and Q10 down to 25 of 30: at risk
    alerts, _ = verdict_changes(steady(later, q10=25), memory, later)
    assert [(a.commune_id, a.key.split(":")[2]) for a in alerts] == [
        (DINH_BIEN, "participation"),
        (DINH_BIEN, "overall"),
    ]
    assert len({a.key for a in alerts}) == 2
    assert alerts[1].render("vi") == (
        "🚨 Định Biên — câu 10: ✅ Đạt → ⚠️ Có nguy cơ không đạt. Hiện 83,33 % (ngưỡng 95 %)"
        " — câu 10 cần thêm 70 phiếu hài lòng để đạt 95 %."
    )


def test_a_district_verdict_getting_worse_goes_to_district_staff_only() -> None:
    memory = remembered(steady(at("28/01", "10:00")))
    closed = at("04/02", "10:00")  # window closed: 30 % is not met, and so is the district
    alerts, _ = verdict_changes(steady(closed), memory, closed)
    by_unit = {(a.params["unit"], a.audience, a.commune_id) for a in alerts}
    assert by_unit == {
        ("Định Hóa", Audience.DISTRICT, None),
        ("Định Biên", Audience.DISTRICT_AND_COMMUNE, DINH_BIEN),
    }
    [district] = [a for a in alerts if a.commune_id is None]
    assert district.render("en").startswith(
        "🚨 Định Hóa — participation: 🟢 On track → ❌ Not met. Now 63.33 % (threshold 70 %)"
    )


def test_the_same_change_seen_at_two_moments_has_one_key() -> None:
    """Two processes evaluating at once see the same change: they must claim one alert."""
    memory = remembered(steady(at("28/01", "10:00")))
    first, second = at("31/01", "10:00"), at("31/01", "10:01")
    [one] = verdict_changes(steady(first), memory, first)[0]
    [two] = verdict_changes(steady(second), memory, second)[0]
    assert one.key == two.key


def test_a_verdict_falling_again_after_recovering_has_another_key() -> None:
    memory = remembered(steady(at("28/01", "10:00")))
    later = at("31/01", "10:00")
    [first] = verdict_changes(steady(later), memory, later, {(DINH_BIEN, "participation"): 0})[0]
    # it recovered (change 2) and fell again: change 3
    [again] = verdict_changes(steady(later), memory, later, {(DINH_BIEN, "participation"): 2})[0]
    assert (first.key, again.key) == (
        f"verdict:{DINH_BIEN}:participation:at_risk:1",
        f"verdict:{DINH_BIEN}:participation:at_risk:3",
    )


def test_alert_days_follow_campaign_time_not_utc() -> None:
    late_evening = datetime(2024, 1, 28, 13, 45, tzinfo=UTC)  # 20:45 in Hà Nội
    [digest] = [
        a
        for a in scheduled(CAMPAIGN, some_late(late_evening), late_evening)
        if a.kind is Kind.DIGEST
    ]
    assert digest.key == f"digest:{date(2024, 1, 28)}"
