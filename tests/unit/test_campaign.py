"""The campaign file: the reference campaign, clear errors for bad files, and campaign time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reporting.campaign import (
    Campaign,
    load_campaign,
    parse_campaign,
    reference_source,
)
from reporting.errors import CampaignError
from reporting.measures import Progress
from reporting.thresholds import MEASURES

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
REFERENCE = reference_source()


def _variant(old: str, new: str, *, count: int = 1) -> str:
    """Returns the reference campaign text with `old` replaced by `new` (which must occur)."""
    assert REFERENCE.count(old) >= count, old
    return REFERENCE.replace(old, new, count)


def _parse(source: str) -> Campaign:
    return parse_campaign(source, "test.toml")


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return load_campaign()


def test_reference_campaign_has_the_plan_dates(campaign: Campaign) -> None:
    phases = campaign.phases
    assert phases.conference == date(2024, 1, 26)
    assert phases.collection == (date(2024, 1, 27), date(2024, 2, 3))
    assert phases.aggregation == (date(2024, 2, 3), date(2024, 2, 6))
    assert phases.posting == (date(2024, 2, 15), date(2024, 2, 25))
    assert phases.report_due == date(2024, 2, 26)
    assert campaign.timezone == ZONE
    assert campaign.district == "Định Hóa"


def test_reference_campaign_has_the_plan_thresholds(campaign: Campaign) -> None:
    t = campaign.thresholds
    assert (t.participation, t.question_min, t.average, t.overall) == (70, 80, 90, 95)
    assert all(isinstance(value, Fraction) for value in (t.participation, t.overall))


def test_reference_campaign_has_ten_labelled_questions_and_alert_times(
    campaign: Campaign,
) -> None:
    assert len(campaign.questions) == 10
    assert campaign.questions[0] == "Quy hoạch"
    assert campaign.questions[3] == "Điện"
    assert campaign.questions[9].startswith("Hài lòng chung")
    assert campaign.alerts.reminder == time(17, 0)
    assert campaign.alerts.digest == time(20, 30)
    assert campaign.alerts.quiet == (time(21, 0), time(7, 0))
    assert (campaign.levels.district, campaign.levels.commune, campaign.levels.hamlet) == (
        "huyện",
        "xã",
        "xóm",
    )


def test_collection_days_are_the_eight_days_of_the_window(campaign: Campaign) -> None:
    days = campaign.collection_days
    assert len(days) == 8
    assert (days[0], days[-1]) == (date(2024, 1, 27), date(2024, 2, 3))
    assert campaign.in_collection(date(2024, 2, 3))
    assert not campaign.in_collection(date(2024, 1, 26))
    assert not campaign.in_collection(date(2024, 2, 4))


FORM = """[form]                  # which questions are averaged, which one is the overall question
average = [1, 2, 3, 4, 5, 6, 7, 8, 9]   # default: all but the last
overall = 10                            # default: the last; 0 for none
"""


def _without_form() -> str:
    return _variant(FORM, "")


def _questions(count: int, numbered: list[int] | None = None) -> str:
    """Returns the reference campaign with `count` questions of its own and no [form]; with
    `numbered`, each entry says its number, in that order."""
    head = _without_form()[: _without_form().index("[[questions]]")]
    if numbered is None:
        return head + "".join(f'[[questions]]\nlabel = "Câu {n}"\n' for n in range(1, count + 1))
    return head + "".join(f'[[questions]]\nnumber = {n}\nlabel = "Câu {n}"\n' for n in numbered)


def test_the_form_defaults_to_all_but_the_last_averaged_and_the_last_overall() -> None:
    campaign = _parse(_questions(19))
    assert len(campaign.questions) == 19
    assert campaign.form.average == tuple(range(1, 19))
    assert campaign.form.overall == 19
    assert campaign.questions[18] == "Câu 19"


def test_questions_numbered_in_any_order_are_kept_in_number_order() -> None:
    campaign = _parse(_questions(3, numbered=[3, 1, 2]))
    assert campaign.questions == ("Câu 1", "Câu 2", "Câu 3")


def test_one_question_is_refused_with_the_count() -> None:
    with pytest.raises(CampaignError, match=r"ít nhất 2 câu hỏi.*có 1 câu"):
        _parse(_questions(1))


def test_a_question_number_given_twice_is_refused_naming_it() -> None:
    with pytest.raises(CampaignError, match="câu hỏi số 2 xuất hiện hai lần"):
        _parse(_questions(3, numbered=[1, 2, 2]))


def test_a_missing_question_number_is_refused_naming_it() -> None:
    with pytest.raises(CampaignError, match="thiếu câu hỏi số 3"):
        _parse(_questions(3, numbered=[1, 2, 4]))


def test_an_average_naming_a_question_that_does_not_exist_is_refused_naming_the_key() -> None:
    source = _variant("average = [1, 2, 3, 4, 5, 6, 7, 8, 9]", "average = [1, 2, 12]")
    with pytest.raises(CampaignError, match=r"form\.average = \[1, 2, 12\].*từ 1 đến 10"):
        _parse(source)


def test_an_overall_question_inside_the_average_is_refused() -> None:
    with pytest.raises(CampaignError, match=r"form\.average"):
        _parse(_variant("overall = 10     ", "overall = 9      "))


def test_nine_questions_under_a_form_naming_question_10_are_refused_naming_the_key() -> None:
    last = '[[questions]]\nlabel = "Hài lòng chung'
    source = REFERENCE[: REFERENCE.index(last)]
    with pytest.raises(CampaignError, match=r"form\.overall = 10 .*từ 1 đến 9"):
        _parse(source)


def test_a_threshold_left_out_is_not_judged() -> None:
    campaign = _parse(_variant("overall = 95 ", "# overall = 95 "))
    assert campaign.thresholds.overall is None
    assert campaign.thresholds.judged == ("participation", "question_min", "average")


def test_participation_cannot_be_left_out() -> None:
    with pytest.raises(CampaignError, match=r"thiếu khóa thresholds\.participation"):
        _parse(_variant("participation = 70", "# participation = 70"))


def test_the_first_names_of_the_average_and_overall_thresholds_still_work() -> None:
    source = _variant("average = 90 ", "average_q1_q9 = 91 ")
    source = source.replace("overall = 95 ", "q10 = 96 ", 1)
    t = _parse(source).thresholds
    assert (t.average, t.overall) == (91, 96)


def test_a_threshold_given_under_both_names_is_refused() -> None:
    with pytest.raises(CampaignError, match=r"thresholds\.q10.*thresholds\.overall"):
        _parse(_variant("overall = 95 ", "overall = 95\nq10 = 95 "))


def test_a_district_participation_threshold_of_its_own_is_kept() -> None:
    source = _variant("participation = 70", "participation = 70\ndistrict_participation = 60")
    t = _parse(source).thresholds
    assert (t.participation, t.district_participation) == (70, 60)
    assert _parse(REFERENCE).thresholds.district_participation == 70


def test_a_question_without_label_is_refused_with_its_number() -> None:
    source = _variant('label = "Điện"', 'label = "  "')
    with pytest.raises(CampaignError, match="câu hỏi số 4"):
        _parse(source)


@pytest.mark.parametrize("key", MEASURES)
@pytest.mark.parametrize("value", ["101", "-1"])
def test_threshold_over_100_or_under_0_is_refused_naming_the_key(key: str, value: str) -> None:
    old = re.search(rf"^{key} = \d+", REFERENCE[REFERENCE.index("[thresholds]") :], re.MULTILINE)
    assert old is not None
    with pytest.raises(CampaignError, match=rf"thresholds\.{key} = {value}\b"):
        _parse(_variant(old.group(), f"{key} = {value}"))


@pytest.mark.parametrize("value", ["0", "-5", '"70"', "true"])
def test_threshold_that_is_not_a_percent_is_refused(value: str) -> None:
    with pytest.raises(CampaignError, match=r"thresholds\.participation"):
        _parse(_variant("participation = 70", f"participation = {value}"))


def test_decimal_threshold_is_kept_exactly() -> None:
    campaign = _parse(_variant("question_min = 80", "question_min = 79.99"))
    assert campaign.thresholds.question_min == Fraction(7999, 100)


def test_posting_before_collection_is_refused() -> None:
    source = _variant("posting = [2024-02-15, 2024-02-25]", "posting = [2024-01-20, 2024-01-25]")
    with pytest.raises(CampaignError, match="posting"):
        _parse(source)


def test_collection_starting_before_the_conference_is_refused() -> None:
    source = _variant("conference = 2024-01-26", "conference = 2024-01-28")
    with pytest.raises(CampaignError, match="collection"):
        _parse(source)


def test_span_ending_before_it_starts_is_refused_naming_the_key() -> None:
    source = _variant(
        "collection = [2024-01-27, 2024-02-03]", "collection = [2024-02-03, 2024-01-27]"
    )
    with pytest.raises(CampaignError, match=r"phases\.collection"):
        _parse(source)


def test_collection_ending_on_the_day_aggregation_starts_is_fine(campaign: Campaign) -> None:
    assert campaign.phases.collection[1] == campaign.phases.aggregation[0]
    assert campaign.in_collection(date(2024, 2, 3))
    assert campaign.in_aggregation(date(2024, 2, 3))


def test_missing_key_is_named() -> None:
    with pytest.raises(CampaignError, match=r"phases\.report_due"):
        _parse(_variant("report_due = 2024-02-26\n", ""))


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(CampaignError, match=r"campaign\.timezone"):
        _parse(_variant('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Hanoi_City"'))


def test_bad_alert_time_is_refused_naming_the_key() -> None:
    with pytest.raises(CampaignError, match=r"alerts\.reminder"):
        _parse(_variant('reminder = "17:00"', 'reminder = "5pm"'))


def test_broken_toml_names_the_file() -> None:
    with pytest.raises(CampaignError, match="test.toml"):
        _parse(REFERENCE + "\n[phases\n")


def test_unreadable_campaign_file_is_a_campaign_error(tmp_path: Path) -> None:
    with pytest.raises(CampaignError, match="missing.toml"):
        load_campaign(tmp_path / "missing.toml")


def test_campaign_file_on_disk_loads(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text(_variant('district = "Định Hóa"', 'district = "Phú Lương"'), encoding="utf-8")
    assert load_campaign(path).district == "Phú Lương"


@pytest.mark.parametrize(
    ("moment", "elapsed", "closed"),
    [
        (datetime(2024, 1, 20, 12, tzinfo=ZONE), 0, False),
        (datetime(2024, 1, 26, 23, 59, 59, tzinfo=ZONE), 0, False),
        (datetime(2024, 1, 27, 0, 0, tzinfo=ZONE), 0, False),
        (datetime(2024, 1, 27, 19, 59, tzinfo=ZONE), 0, False),
        (datetime(2024, 1, 27, 20, 0, tzinfo=ZONE), 1, False),
        (datetime(2024, 1, 28, 8, 0, tzinfo=ZONE), 1, False),
        (datetime(2024, 1, 29, 20, 0, tzinfo=ZONE), 3, False),
        (datetime(2024, 2, 3, 23, 59, 59, tzinfo=ZONE), 8, False),
        (datetime(2024, 2, 4, 0, 0, tzinfo=ZONE), 8, True),
        (datetime(2024, 3, 1, 9, 0, tzinfo=ZONE), 8, True),
    ],
)
def test_progress_at_campaign_moments(
    campaign: Campaign, moment: datetime, elapsed: int, closed: bool
) -> None:
    assert campaign.progress(moment) == Progress(elapsed, 8, closed)


def test_progress_follows_campaign_days_not_utc_days(campaign: Campaign) -> None:
    # 13:00 UTC on 27/01 is 20:00 in Hồ Chí Minh City: the first day starts counting toward
    # the pace when the day's reports are expected in.
    assert campaign.progress(datetime(2024, 1, 27, 12, 59, 59, tzinfo=UTC)).elapsed_days == 0
    assert campaign.progress(datetime(2024, 1, 27, 13, 0, tzinfo=UTC)).elapsed_days == 1
    # The window closes at 17:00 UTC on 03/02, which is still 03/02 in UTC.
    assert not campaign.progress(datetime(2024, 2, 3, 16, 59, 59, tzinfo=UTC)).closed
    assert campaign.progress(datetime(2024, 2, 3, 17, 0, tzinfo=UTC)).closed


def test_local_date_and_end_of_day_are_in_campaign_time(campaign: Campaign) -> None:
    assert campaign.local_date(datetime(2024, 1, 26, 18, 0, tzinfo=UTC)) == date(2024, 1, 27)
    end = campaign.end_of_day(date(2024, 2, 3))
    assert end.utcoffset() == timedelta(hours=7)
    assert end + timedelta(microseconds=1) == datetime(2024, 2, 4, tzinfo=ZONE)
    assert campaign.at(date(2024, 1, 27), time(17)) == datetime(2024, 1, 27, 10, tzinfo=UTC)


def test_a_bad_value_is_said_whole_in_the_reader_s_language() -> None:
    source = _variant("participation = 70", "participation = 0")
    with pytest.raises(CampaignError) as refused:
        _parse(source)
    assert refused.value.message("en") == (
        "Campaign file test.toml: thresholds.participation = 0 is not valid"
        " — expected a percentage above 0 and at most 100."
    )
    assert refused.value.message("vi").startswith("Tệp chiến dịch test.toml: thresholds.")
    assert "expected" not in refused.value.message("vi")
