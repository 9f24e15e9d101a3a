"""The one-line tally (SPEC §3.2): `/report [dd/mm] COLLECTED [INVALID] S1 … SN`, N the
campaign's number of questions."""

from __future__ import annotations

import re
from datetime import date

from reporting.campaign import Campaign
from reporting.counts import parse_count
from reporting.errors import CountError, Problem
from reporting.i18n import fmt_day
from reporting.tallies import Figures
from reporting.wording import oneline_params

_DAY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})")
_SEPARATORS = re.compile(r"[\s,;]+")
SHOWN = 20  # characters of a wrong number quoted back to the user


class OneLineRefused(Problem):
    """A one-line report that does not have the right shape; the message shows the format."""


def parse_one_line(args: str, campaign: Campaign, today: date) -> tuple[date, Figures]:
    """Returns the day and figures written after /report, or raises OneLineRefused."""
    tokens = [token for token in _SEPARATORS.split(args.strip()) if token]
    day = today
    if tokens and (found := _DAY.fullmatch(tokens[0])):
        day = _collection_day(int(found[1]), int(found[2]), campaign, today, tokens[0])
        tokens = tokens[1:]
    questions = campaign.form.questions
    if len(tokens) not in (questions + 1, questions + 2):
        raise OneLineRefused("chat.oneline_format", **oneline_params(campaign.form, len(tokens)))
    numbers = [_count(token, position) for position, token in enumerate(tokens, start=1)]
    collected, *rest = numbers
    invalid = rest.pop(0) if len(rest) == questions + 1 else 0
    return day, Figures(collected, invalid, tuple(rest))


def _collection_day(day: int, month: int, campaign: Campaign, today: date, written: str) -> date:
    """Returns the collection day written as dd/mm, if it is not after today (a backfill)."""
    for candidate in campaign.collection_days:
        if (candidate.day, candidate.month) == (day, month) and candidate <= today:
            return candidate
    start, end = campaign.phases.collection
    last = max(start, min(end, today))  # tomorrow's figures cannot have been collected yet
    start_text, end_text = fmt_day(start, year=False), fmt_day(last, year=False)
    raise OneLineRefused("chat.oneline_day", day=written, start=start_text, end=end_text)


def _count(token: str, position: int) -> int:
    try:
        return parse_count(token)
    except CountError:
        shown = token if len(token) <= SHOWN else f"{token[:SHOWN]}…"
        raise OneLineRefused("chat.oneline_number", position=position, value=shown) from None
