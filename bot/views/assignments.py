"""The `/phancong` answer: each person of the assignment table with their communes' verdicts,
the people whose communes fare worst first, and who has not opened the bot yet."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.status import overall_verdict, worst_first
from reporting.assignments import AssignedPerson
from reporting.i18n import fmt_percent, fmt_verdict, text
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.wording import level_words

_NO_VERDICT = 1  # communes with nothing to judge yet come after the met ones, as in /status
_NO_COMMUNE = 2  # district staff, answering for no commune of their own, come last


def assignments_overview(
    summary: CampaignSummary, people: Sequence[AssignedPerson], lang: str
) -> str:
    """Returns the answer: heading, one block per person (worst communes first), who is missing."""
    if not people:
        return text("assign.none", lang)
    local = summary.as_of.astimezone(summary.campaign.timezone)
    heading = text(
        "assign.heading", lang, time=local.strftime("%H:%M"), day=local.strftime("%d/%m/%Y")
    )
    shown = sorted(((person, _communes(summary, person)) for person in people), key=_severity)
    words = level_words(summary.campaign.levels)
    blocks = [heading, *(_block(person, communes, lang, words) for person, communes in shown)]
    blocks.append(_not_opened(people, lang))
    return "\n\n".join(blocks)


def _communes(summary: CampaignSummary, person: AssignedPerson) -> list[UnitSummary]:
    """Returns a person's surveyed communes, worst first."""
    surveyed = {commune.unit_id: commune for commune in summary.communes}
    return worst_first([surveyed[i] for i in person.commune_ids if i in surveyed])


def _severity(shown: tuple[AssignedPerson, list[UnitSummary]]) -> tuple[int, float]:
    """Orders people by their worst commune: worst verdict first, then lowest participation."""
    _person, communes = shown
    if not communes:
        return _NO_COMMUNE, 0.0
    worst = communes[0].measures
    verdict = overall_verdict(worst)
    return (-verdict.rank if verdict else _NO_VERDICT), float(worst.participation or 0)


def _block(
    person: AssignedPerson, communes: Sequence[UnitSummary], lang: str, words: dict[str, object]
) -> str:
    lines = [text("assign.person", lang, name=person.name, position=person.position)]
    for commune in communes:
        verdict = overall_verdict(commune.measures)
        lines.append(
            text(
                "assign.commune",
                lang,
                commune=commune.name,
                verdict=fmt_verdict(verdict, lang),
                percent=fmt_percent(commune.measures.participation, lang),
            )
        )
    if not person.commune_ids:
        lines.append(text("assign.whole_district", lang, **words))
    if not person.has_account:
        lines.append(text("assign.not_opened", lang))
    return "\n".join(lines)


def _not_opened(people: Sequence[AssignedPerson], lang: str) -> str:
    missing = [person.name for person in people if not person.has_account]
    if not missing:
        return text("assign.all_opened", lang)
    return text(
        "assign.not_opened_summary",
        lang,
        count=len(missing),
        total=len(people),
        names=", ".join(missing),
    )
