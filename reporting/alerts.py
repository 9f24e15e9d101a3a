"""What an alert is (SPEC §2.5, §5), when it may go out and until when: pure, no I/O.

The alerts due are decided in `reporting.scheduled_alerts` (the timed ones) and
`reporting.verdict_alerts` (a verdict that got worse); `reporting.alert_store` finds who
receives each one, and the bot queues it. An alert only says what happened, to which unit,
and how to say it in each language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from reporting.campaign import Campaign
from reporting.i18n import Phrase, fmt_percent, text

# The officials who answer for each commune, by commune id: "Name (position)" (SPEC §2.2).
Responsible = Mapping[int, Sequence[str]]


class Kind(StrEnum):
    """What an alert is about."""

    REMINDER = "reminder"
    MISSING = "missing"
    DIGEST = "digest"
    VERDICT = "verdict"
    DEADLINE = "deadline"
    WRONG_CODES = "wrong_codes"  # one chat account typed wrong invite codes again and again


class Audience(StrEnum):
    """Who receives an alert; `reporting.alert_store.recipients` turns this into users."""

    LEADERS = "leaders"  # the leaders of `hamlet_ids`
    COMMUNE = "commune"  # the commune's commune users and officials
    DISTRICT = "district"  # district staff
    DISTRICT_AND_COMMUNE = "district_and_commune"  # both of the above


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: once per `key` and person; its text is the catalog `message` with `params`."""

    kind: Kind
    key: str
    audience: Audience
    message: str
    params: Mapping[str, object | Phrase] = field(default_factory=dict)
    commune_id: int | None = None
    hamlet_ids: tuple[int, ...] = ()

    def render(self, lang: str) -> str:
        """Returns the alert's text in a language; numbers already formatted per language."""
        return text(self.message, lang, **self.params)


def in_quiet_hours(campaign: Campaign, now: datetime) -> bool:
    """Says whether scheduled messages must wait (by default 21:00 to 07:00)."""
    start, end = campaign.alerts.quiet
    local = now.astimezone(campaign.timezone).time()
    return (start <= local or local < end) if start > end else start <= local < end


def quiet_ends(campaign: Campaign, now: datetime) -> datetime:
    """Returns when an alert written at `now` may go out: now, or when the quiet hours end."""
    if not in_quiet_hours(campaign, now):
        return now
    local = now.astimezone(campaign.timezone)
    end = campaign.at(local.date(), campaign.alerts.quiet[1])
    return end if end > now else campaign.at(local.date() + timedelta(days=1), end.timetz())


def deadline(campaign: Campaign, kind: Kind, now: datetime) -> datetime:
    """Returns when an alert written at `now` is no longer worth sending.

    A digest is worthless once the next digest is due; a verdict change or wrong invite codes
    after a day; every other alert (a reminder, a missing list, a deadline) at the end of its day.
    """
    day = campaign.local_date(now)
    if kind is Kind.DIGEST:
        return campaign.at(day + timedelta(days=1), campaign.alerts.digest)
    if kind in (Kind.VERDICT, Kind.WRONG_CODES):
        return now + timedelta(days=1)
    return campaign.end_of_day(day)


def wrong_codes(
    campaign: Campaign,
    account: str,
    name: str,
    count: int,
    window: timedelta,
    until: datetime,
) -> Alert:
    """Returns the alert to district staff that a chat account typed wrong codes `count` times.

    Keyed by account and day: however long someone keeps guessing, the district hears of it
    once a day.
    """
    day = campaign.local_date(until)
    local = until.astimezone(campaign.timezone)
    return Alert(
        Kind.WRONG_CODES,
        f"wrong_codes:{account}:{day.isoformat()}",
        Audience.DISTRICT,
        "alert.wrong_codes",
        {
            "account": account,
            "name": name,
            "count": count,
            "minutes": int(window.total_seconds() // 60),
            "until": f"{local:%H:%M}",
        },
    )


def percent_phrase(value: Fraction | None, threshold: Fraction | None) -> Phrase:
    """Returns a figure as a percent in the reader's language, marked against its threshold."""
    return lambda lang: fmt_percent(value, lang, threshold)


def gap_phrase(gap: Callable[[str], str | None]) -> Phrase:
    """Returns what would fix a figure as " — …" after it, or nothing when nothing is missing."""
    return lambda lang: f" — {found}" if (found := gap(lang)) else ""
