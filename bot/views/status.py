"""The `/status` answers: one line block per commune, worst first, and one commune in detail."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from reporting.gaps import forms_gap, households_gap
from reporting.i18n import fmt_count, fmt_percent, text, verdict_mark
from reporting.measures import Measures, lowest_question, question_threshold, question_verdict
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.verdicts import Verdict, worst
from reporting.wording import form_words, level_words


def overall_verdict(m: Measures) -> Verdict | None:
    """Returns the worst of a unit's four verdicts."""
    return worst(m.verdicts.values())


def worst_first(units: Sequence[UnitSummary]) -> list[UnitSummary]:
    """Orders units from the worst overall verdict to the best, then by participation."""

    def severity(unit: UnitSummary) -> tuple[int, float]:
        verdict = overall_verdict(unit.measures)
        rank = -verdict.rank if verdict else 1
        return rank, float(unit.measures.participation or 0)

    return sorted(units, key=severity)


def status_overview(
    summary: CampaignSummary, communes: Sequence[UnitSummary], lang: str, with_district: bool
) -> str:
    """Returns the `/status` answer: heading, the district if asked, communes worst first."""
    blocks = [_heading(summary, lang)]
    if with_district:
        blocks.append(_unit_block(summary, summary.district, lang))
    blocks.extend(_unit_block(summary, commune, lang) for commune in worst_first(communes))
    return "\n\n".join(blocks)


def status_detail(summary: CampaignSummary, commune: UnitSummary, lang: str) -> str:
    """Returns `/status <commune>`: every question with rate, verdict and gap, then its hamlets."""
    m = commune.measures
    lines = [
        _heading(summary, lang),
        _unit_block(summary, commune, lang),
        text("status.questions", lang),
    ]
    for question in summary.campaign.form.numbers:
        lines.append(_question_line(summary, m, question, lang))
    lines.append(text("status.hamlets", lang, **level_words(summary.campaign.levels)))
    threshold = summary.campaign.thresholds.participation
    lines.extend(_hamlet_line(hamlet, threshold, lang) for hamlet in worst_first(commune.children))
    return "\n".join(lines)


def _heading(summary: CampaignSummary, lang: str) -> str:
    campaign = summary.campaign
    local = summary.as_of.astimezone(campaign.timezone)
    days = campaign.collection_days
    number = min(max((summary.day - days[0]).days + 1, 0), len(days))
    return text(
        "status.heading",
        lang,
        time=local.strftime("%H:%M"),
        day=local.strftime("%d/%m/%Y"),
        elapsed=number,
        total=len(days),
    )


def _unit_block(summary: CampaignSummary, unit: UnitSummary, lang: str) -> str:
    m = unit.measures
    thresholds = summary.campaign.thresholds
    lines = [
        text("status.unit_title", lang, mark=verdict_mark(overall_verdict(m)), name=unit.name),
        text(
            "status.participation",
            lang,
            collected=fmt_count(m.counts.collected),
            households=fmt_count(m.counts.households),
            percent=fmt_percent(m.participation, lang, thresholds.participation),
            mark=verdict_mark(m.verdicts["participation"]),
        ),
    ]
    lines[-1] = _with_gap(lines[-1], households_gap(m, thresholds.participation, lang))
    lowest = lowest_question(m.counts, thresholds.form)
    if lowest is not None:
        lines.append(_lowest_line(summary, m, lowest, lang))
        lines.append(_average_and_overall(summary, m, lang))
        lines.extend(_average_and_overall_gaps(summary, m, lang))
    else:
        lines.append(text("status.no_forms", lang))
    confirmed = text("status.confirmed" if unit.confirmed else "status.unconfirmed", lang)
    lines.append(
        text(
            "status.reported",
            lang,
            reported=unit.reported_today,
            hamlets=unit.hamlets,
            **level_words(summary.campaign.levels),
        )
        + (f" · {confirmed}" if unit.level != "district" else "")
    )
    return "\n".join(lines)


def _average_and_overall(summary: CampaignSummary, m: Measures, lang: str) -> str:
    """Returns "Bình quân câu 1–9: 96,12 % ✅ · Câu 10: 97,40 % ✅" for the campaign's form."""
    thresholds = summary.campaign.thresholds
    words = form_words(thresholds.form)
    average = fmt_percent(m.average, lang, thresholds.average)
    parts = [text("status.average", lang, percent=average, mark=_mark(m, "average"), **words)]
    if thresholds.form.overall is not None:
        overall = fmt_percent(m.overall, lang, thresholds.overall)
        mark = _mark(m, "overall")
        parts.append(text("status.overall", lang, percent=overall, mark=mark, **words))
    return " · ".join(parts)


def _mark(m: Measures, measure: str) -> str:
    """Returns a measure's verdict mark, nothing when the campaign does not judge it."""
    return verdict_mark(m.verdicts[measure]) if measure in m.verdicts else ""


def _verdict_on(summary: CampaignSummary, m: Measures, question: int) -> Verdict | None:
    """Returns one question's verdict against its threshold, None when it is held to none."""
    threshold = question_threshold(question, summary.campaign.thresholds)
    if threshold is None:
        return None
    return question_verdict(m.counts, question, threshold, summary.progress)


def _lowest_line(summary: CampaignSummary, m: Measures, question: int, lang: str) -> str:
    threshold = question_threshold(question, summary.campaign.thresholds)
    verdict = _verdict_on(summary, m, question)
    line = text(
        "status.lowest",
        lang,
        question=question,
        label=summary.campaign.questions[question - 1],
        percent=fmt_percent(m.rates[question - 1], lang, threshold),
        mark="" if threshold is None else verdict_mark(verdict),
    ).rstrip()
    return _with_gap(line, forms_gap(m, str(question), threshold, lang))


def _question_line(summary: CampaignSummary, m: Measures, question: int, lang: str) -> str:
    threshold = question_threshold(question, summary.campaign.thresholds)
    verdict = _verdict_on(summary, m, question)
    line = text(
        "status.question",
        lang,
        question=question,
        label=summary.campaign.questions[question - 1],
        satisfied=fmt_count(m.counts.satisfied[question - 1]),
        percent=fmt_percent(m.rates[question - 1], lang, threshold),
        mark="" if threshold is None else verdict_mark(verdict),
    ).rstrip()
    return _with_gap(line, forms_gap(m, str(question), threshold, lang))


def _hamlet_line(hamlet: UnitSummary, threshold: Fraction, lang: str) -> str:
    m = hamlet.measures
    key = "status.hamlet_reported" if hamlet.reported_today else "status.hamlet_missing"
    return text(
        key,
        lang,
        name=hamlet.name,
        collected=fmt_count(m.counts.collected),
        households=fmt_count(m.counts.households),
        percent=fmt_percent(m.participation, lang, threshold),
    )


def _average_and_overall_gaps(summary: CampaignSummary, m: Measures, lang: str) -> list[str]:
    thresholds = summary.campaign.thresholds
    overall = thresholds.form.overall
    gaps = [forms_gap(m, "average", thresholds.average, lang)]
    if overall is not None:
        gaps.append(forms_gap(m, str(overall), thresholds.overall, lang))
    return [f"  {gap}" for gap in gaps if gap]


def _with_gap(line: str, gap: str | None) -> str:
    return f"{line} — {gap}" if gap else line
