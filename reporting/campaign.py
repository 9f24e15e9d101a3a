"""The campaign: its TOML file, validated with clear errors, and where a moment falls in it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reporting.errors import CampaignError
from reporting.i18n import Phrase, phrase
from reporting.measures import Progress
from reporting.names import NAME_LIMIT
from reporting.thresholds import Form, Thresholds

REFERENCE_CAMPAIGN = "campaign.toml"
CAMPAIGN_NAME_LIMIT = 300  # campaigns.name is VARCHAR(300)


@dataclass(frozen=True, slots=True)
class Levels:
    """What the campaign calls its three levels of units (huyện / xã / xóm by default)."""

    district: str = "huyện"
    commune: str = "xã"
    hamlet: str = "xóm"


@dataclass(frozen=True, slots=True)
class Phases:
    """The campaign's dates, all in campaign-local days, inclusive ranges."""

    conference: date
    collection: tuple[date, date]
    aggregation: tuple[date, date]
    posting: tuple[date, date]
    report_due: date


@dataclass(frozen=True, slots=True)
class AlertTimes:
    """Campaign-local times of the scheduled alerts and the quiet hours."""

    reminder: time = time(17, 0)
    missing: time = time(20, 0)
    digest: time = time(20, 30)
    quiet: tuple[time, time] = (time(21, 0), time(7, 0))


@dataclass(frozen=True, slots=True)
class Campaign:
    """A validated campaign: names, phases, thresholds, alert times and question labels.

    `questions[0]` is question 1's label; `thresholds.form` says which questions are
    averaged and which one is the overall question.
    """

    name: str
    district: str
    timezone: ZoneInfo
    levels: Levels
    phases: Phases
    thresholds: Thresholds
    alerts: AlertTimes
    questions: tuple[str, ...]

    @property
    def form(self) -> Form:
        """Returns the form its measures judge: how many questions, averaged and overall."""
        return self.thresholds.form

    @property
    def collection_days(self) -> list[date]:
        """Returns every day of the collection window, in order."""
        start, end = self.phases.collection
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]

    def local_date(self, moment: datetime) -> date:
        """Returns the campaign-local day that an aware moment falls on."""
        return moment.astimezone(self.timezone).date()

    def end_of_day(self, day: date) -> datetime:
        """Returns the last instant of a campaign-local day, as an aware moment."""
        next_midnight = datetime.combine(day + timedelta(days=1), time(), self.timezone)
        return next_midnight - timedelta(microseconds=1)

    def at(self, day: date, clock_time: time) -> datetime:
        """Returns the aware moment of a campaign-local day and time."""
        return datetime.combine(day, clock_time, self.timezone)

    def in_collection(self, day: date) -> bool:
        """Says whether tallies may be sent for this day."""
        start, end = self.phases.collection
        return start <= day <= end

    def in_aggregation(self, day: date) -> bool:
        """Says whether communes may confirm their figures on this day."""
        start, end = self.phases.aggregation
        return start <= day <= end

    def progress(self, as_of: datetime) -> Progress:
        """Returns how far the collection window has run at a moment.

        A collection day counts toward the pace from the evening's missing-report time
        (20:00), when the day's reports are expected to be in: counting it earlier would make
        communes look behind every day before their hamlets and paper reports arrive, and
        alert on it.
        """
        start, end = self.phases.collection
        total = (end - start).days + 1
        local = as_of.astimezone(self.timezone)
        today_counts = local.time() >= self.alerts.missing
        elapsed = min(max((local.date() - start).days + int(today_counts), 0), total)
        closed = as_of > self.end_of_day(end)
        return Progress(elapsed_days=elapsed, total_days=total, closed=closed)


def reference_source() -> str:
    """Returns the text of the bundled reference campaign file."""
    bundled = resources.files("reporting").joinpath("data", REFERENCE_CAMPAIGN)
    return bundled.read_text(encoding="utf-8")


def read_campaign_source(path: Path | None) -> tuple[str, str]:
    """Returns (TOML text, file name) of a campaign file, the reference campaign when None."""
    if path is None:
        return reference_source(), REFERENCE_CAMPAIGN
    try:
        return Path(path).read_text(encoding="utf-8"), str(path)
    except OSError as error:
        raise CampaignError("campaign.unreadable", file=path, error=error.strerror) from None


def load_campaign(path: Path | None = None) -> Campaign:
    """Reads and validates a campaign TOML file; the bundled reference campaign when no path."""
    return parse_campaign(*read_campaign_source(path))


def parse_campaign(source: str, file: str) -> Campaign:
    """Builds a Campaign from TOML text, raising CampaignError that names the bad key."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise CampaignError("campaign.syntax", file=file, error=error) from None
    reader = _Reader(data, file)
    name = reader.text("campaign", "name", limit=CAMPAIGN_NAME_LIMIT)
    district = reader.text("campaign", "district", limit=NAME_LIMIT)
    timezone = reader.zone("campaign", "timezone")
    levels = Levels(
        district=reader.text("levels", "district", "huyện"),
        commune=reader.text("levels", "commune", "xã"),
        hamlet=reader.text("levels", "hamlet", "xóm"),
    )
    phases = _read_phases(reader)
    labels = _read_questions(data, file)
    thresholds = _read_thresholds(reader, _read_form(reader, len(labels)))
    alerts = _read_alerts(reader)
    return Campaign(name, district, timezone, levels, phases, thresholds, alerts, labels)


def _read_phases(reader: _Reader) -> Phases:
    phases = Phases(
        conference=reader.day("phases", "conference"),
        collection=reader.span("phases", "collection"),
        aggregation=reader.span("phases", "aggregation"),
        posting=reader.span("phases", "posting"),
        report_due=reader.day("phases", "report_due"),
    )
    order = [
        ("conference", phases.conference, "collection", phases.collection[0]),
        ("collection", phases.collection[0], "aggregation", phases.aggregation[0]),
        ("collection", phases.collection[1], "aggregation", phases.aggregation[1]),
        ("aggregation", phases.aggregation[1], "posting", phases.posting[0]),
        ("posting", phases.posting[0], "report_due", phases.report_due),
    ]
    for earlier, first, later, second in order:
        if second < first:
            raise CampaignError(
                "campaign.phase_order", file=reader.file, earlier=earlier, later=later
            )
    return phases


def _read_alerts(reader: _Reader) -> AlertTimes:
    defaults = AlertTimes()
    quiet = reader.section("alerts").get("quiet", ["21:00", "07:00"])
    if not isinstance(quiet, list) or len(quiet) != 2:
        raise CampaignError("campaign.quiet", file=reader.file)
    return AlertTimes(
        reminder=reader.clock("alerts", "reminder", defaults.reminder),
        missing=reader.clock("alerts", "missing", defaults.missing),
        digest=reader.clock("alerts", "digest", defaults.digest),
        quiet=(
            _parse_clock(quiet[0], reader.file, "alerts.quiet"),
            _parse_clock(quiet[1], reader.file, "alerts.quiet"),
        ),
    )


def _read_questions(data: dict[str, Any], file: str) -> tuple[str, ...]:
    """Returns the labels of questions 1..N; each entry may say its `number`, and then all
    must, each of 1..N once, in any order."""
    entries = data.get("questions")
    if not isinstance(entries, list) or len(entries) < 2:
        found = len(entries) if isinstance(entries, list) else 0
        raise CampaignError("campaign.question_count", file=file, found=found)
    labels: dict[int, str] = {}
    numbered = any(isinstance(entry, dict) and "number" in entry for entry in entries)
    for place, entry in enumerate(entries, start=1):
        number = entry.get("number") if numbered and isinstance(entry, dict) else place
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise CampaignError("campaign.question_number", file=file, place=place)
        if number in labels:
            raise CampaignError("campaign.question_twice", file=file, number=number)
        label = entry.get("label") if isinstance(entry, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise CampaignError("campaign.question_label", file=file, number=number)
        labels[number] = label.strip()
    missing = [number for number in range(1, len(entries) + 1) if number not in labels]
    if missing:
        numbers = ", ".join(map(str, missing))
        raise CampaignError("campaign.question_missing", file=file, numbers=numbers)
    return tuple(labels[number] for number in sorted(labels))


def _read_form(reader: _Reader, questions: int) -> Form:
    """Reads [form]: the averaged questions (all but the last by default) and the overall
    question (the last by default; 0 for none)."""
    section = reader.section("form")
    overall = section.get("overall", questions)
    if isinstance(overall, bool) or not isinstance(overall, int) or not 0 <= overall <= questions:
        problem = phrase("campaign.want_question", count=questions)
        raise reader.fail("form.overall", problem, overall)
    default = [number for number in range(1, questions + 1) if number != overall]
    average = section.get("average", default)
    numbers = range(1, questions + 1)
    if (
        not isinstance(average, list)
        or not average
        or any(isinstance(q, bool) or q not in numbers for q in average)
    ):
        problem = phrase("campaign.want_questions", count=questions)
        raise reader.fail("form.average", problem, average)
    if len(set(average)) != len(average) or overall in average:
        raise reader.fail("form.average", phrase("campaign.average_overlap"), average)
    return Form(questions=questions, average=tuple(average), overall=overall or None)


def _read_thresholds(reader: _Reader, form: Form) -> Thresholds:
    """Reads [thresholds]: participation is always judged, another threshold left out is not.
    `average_q1_q9` and `q10`, the reference campaign's first names, still name `average` and
    `overall`."""
    overall = reader.percent_named("thresholds", "overall", "q10")
    if overall is not None and form.overall is None:
        raise reader.fail(
            "thresholds.overall", phrase("campaign.no_overall"), f"{float(overall):g}"
        )
    return Thresholds(
        participation=reader.percent_required("thresholds", "participation"),
        question_min=reader.percent_named("thresholds", "question_min"),
        average=reader.percent_named("thresholds", "average", "average_q1_q9"),
        overall=overall,
        district_participation=reader.percent_named("thresholds", "district_participation"),
        form=form,
    )


def _parse_clock(value: object, file: str, key: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise CampaignError("campaign.clock", file=file, key=key, value=value) from None


class _Reader:
    """Reads typed values out of the parsed TOML, failing with the exact key at fault."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise CampaignError("campaign.section", file=self.file, section=name)
        return value

    def fail(self, key: str, problem: Phrase, value: object) -> CampaignError:
        """Returns the error for a key whose value is wrong, saying what was expected."""
        return CampaignError(
            "campaign.bad_value", file=self.file, key=key, value=value, problem=problem
        )

    def _required(self, section: str, key: str, default: object = None) -> object:
        value = self.section(section).get(key, default)
        if value is None:
            raise CampaignError("campaign.missing", file=self.file, key=f"{section}.{key}")
        return value

    def text(
        self, section: str, key: str, default: str | None = None, limit: int | None = None
    ) -> str:
        value = self._required(section, key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{section}.{key}", phrase("campaign.want_text"), value)
        if limit is not None and len(value.strip()) > limit:
            raise self.fail(f"{section}.{key}", phrase("campaign.too_long", limit=limit), value)
        return value.strip()

    def zone(self, section: str, key: str) -> ZoneInfo:
        name = self.text(section, key, "Asia/Ho_Chi_Minh")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(f"{section}.{key}", phrase("campaign.want_zone"), name) from None

    def day(self, section: str, key: str) -> date:
        value = self._required(section, key)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(f"{section}.{key}", phrase("campaign.want_date"), value)
        return value

    def span(self, section: str, key: str) -> tuple[date, date]:
        value = self._required(section, key)
        if not isinstance(value, list) or len(value) != 2:
            raise self.fail(f"{section}.{key}", phrase("campaign.want_span"), value)
        start, end = value
        if type(start) is not date or type(end) is not date:
            raise self.fail(f"{section}.{key}", phrase("campaign.want_span"), value)
        if end < start:
            raise self.fail(f"{section}.{key}", phrase("campaign.span_backwards"), value)
        return start, end

    def percent_required(self, section: str, key: str) -> Fraction:
        """Returns a percent the campaign must give."""
        value = self.percent_named(section, key)
        if value is None:
            raise CampaignError("campaign.missing", file=self.file, key=f"{section}.{key}")
        return value

    def percent_named(self, section: str, key: str, old_key: str | None = None) -> Fraction | None:
        """Returns an optional percent, None when left out; `old_key` is another name for it."""
        values = self.section(section)
        if old_key is not None and old_key in values:
            if key in values:
                problem = phrase("campaign.two_names", other=f"{section}.{key}")
                raise self.fail(f"{section}.{old_key}", problem, values[old_key])
            key = old_key
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{section}.{key}", phrase("campaign.want_percent"), value)
        exact = Fraction(str(value))
        if not 0 < exact <= 100:
            raise self.fail(f"{section}.{key}", phrase("campaign.want_percent"), value)
        return exact

    def clock(self, section: str, key: str, default: time) -> time:
        value = self.section(section).get(key)
        if value is None:
            return default
        return _parse_clock(value, self.file, f"{section}.{key}")
