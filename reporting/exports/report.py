"""The district's report to the province (SPEC §4.3, issue 12): an editable DOCX draft.

python-docx is imported here only, and this module only when the report is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from reporting.campaign import Campaign
from reporting.gaps import households_gap, plain_percent
from reporting.i18n import fmt_count, fmt_day, fmt_percent, text, verdict_words
from reporting.measures import Measures, lowest_question, question_threshold
from reporting.recommendations import Recommendation
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.verdicts import Verdict, worst
from reporting.wording import form_words

FONT = "Times New Roman"  # the font of Vietnamese administrative documents (Nghị định 30/2020)
SIZE = Pt(13)
CENTER, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)
RED = RGBColor(0xC0, 0x00, 0x00)


def report_docx(
    summary: CampaignSummary,
    notes: Mapping[int, Sequence[Recommendation]],
    lang: str = "vi",
) -> bytes:
    """Returns the draft report as DOCX bytes: heading, timeline, results, gaps, notes, signing."""
    doc = _document()
    _heading(doc, summary, lang)
    _timeline(doc, summary, lang)
    _results(doc, summary, lang)
    _shortfalls(doc, summary, lang)
    _recommendations(doc, summary, notes, lang)
    _assessment(doc, summary, lang)
    _signature(doc, summary, lang)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def unit_row(unit: UnitSummary, summary: CampaignSummary, lang: str) -> list[str]:
    """Returns the table cells after STT and the unit's name: figures and the overall verdict."""
    m, t = unit.measures, summary.campaign.thresholds
    lowest = lowest_question(m.counts, t.form)
    lowest_cell = "—"
    if lowest is not None:
        figure = fmt_percent(m.rates[lowest - 1], lang, t.question_min)
        lowest_cell = text("report.lowest", lang, percent=figure, question=lowest)
    participation = t.district_participation if unit.level == "district" else t.participation
    cells = [
        fmt_count(m.counts.households),
        fmt_count(m.counts.collected),
        fmt_percent(m.participation, lang, participation),
        lowest_cell,
        fmt_percent(m.average, lang, t.average),
    ]
    if t.form.overall is not None:
        cells.append(fmt_percent(m.overall, lang, t.overall))
    return [*cells, verdict_words(worst(m.verdicts.values()), lang)]


def shortfalls(unit: UnitSummary, summary: CampaignSummary, lang: str) -> list[str]:
    """Returns one line per threshold the unit does not meet, with the figure and the gap."""
    m, t, labels = unit.measures, summary.campaign.thresholds, summary.campaign.questions
    if all(verdict is None for verdict in m.verdicts.values()):
        return [text("report.no_figures", lang)]
    lines = []
    if m.verdicts["participation"] not in (None, Verdict.MET):
        figure = fmt_percent(m.participation, lang, t.participation)
        gap = households_gap(m, t.participation, lang) or ""
        lines.append(text("report.short_participation", lang, figure=figure, gap=gap))
    for question in t.form.numbers:
        percent = question_threshold(question, t)
        rate = m.rates[question - 1]
        if percent is None or rate is None or rate * 100 >= percent:
            continue
        figure = fmt_percent(rate, lang, percent)
        gap = _forms_gap(m, str(question), percent, lang)
        label = labels[question - 1]
        lines.append(
            text(
                "report.short_question",
                lang,
                question=question,
                label=label,
                figure=figure,
                gap=gap,
            )
        )
    if t.average is not None and m.verdicts["average"] not in (None, Verdict.MET):
        figure = fmt_percent(m.average, lang, t.average)
        gap = _forms_gap(m, "average", t.average, lang)
        words = form_words(t.form)
        lines.append(text("report.short_average", lang, figure=figure, gap=gap, **words))
    if lines:  # the last item of a list ends the sentence
        lines[-1] = lines[-1].removesuffix(";") + "."
    return lines


def _at_least(percent: Fraction | None) -> str:
    return "—" if percent is None else plain_percent(percent)


def _forms_gap(m: Measures, key: str, percent: Fraction, lang: str) -> str:
    needed, shown = m.forms_needed.get(key), plain_percent(percent)
    if needed is None:
        return text("report.cannot_reach", lang, percent=shown)
    return text("report.need_forms", lang, count=fmt_count(needed), percent=shown)


# --- layout --------------------------------------------------------------------------------


def _document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, SIZE
    style.element.rPr.rFonts.set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT
    )
    style.paragraph_format.space_after = Pt(3)
    return doc


def _line(
    where: DocxDocument | _Cell,
    words: str,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    italic: bool = False,
    size: Pt | None = None,
) -> Paragraph:
    paragraph = where.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(words)
    run.bold, run.italic = bold, italic
    if size is not None:
        run.font.size = size
    return paragraph


def _heading(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    campaign = summary.campaign
    draft = _line(doc, text("report.draft", lang), RIGHT, bold=True, italic=True)
    draft.runs[0].font.color.rgb = RED
    block = doc.add_table(rows=1, cols=2)
    left, right = block.rows[0].cells
    unit = text("report.unit", lang, level=campaign.levels.district, name=campaign.district)
    left.paragraphs[0].text = text("report.front", lang)
    left.paragraphs[0].alignment = CENTER
    _line(left, unit.upper(), CENTER, bold=True)
    _line(left, text("report.number", lang), CENTER)
    right.paragraphs[0].add_run(text("report.state", lang)).bold = True
    right.paragraphs[0].alignment = CENTER
    _line(right, text("report.motto", lang), CENTER, bold=True)
    year = campaign.phases.report_due.year
    place = text("report.place_date", lang, place=campaign.district, year=year)
    _line(right, place, CENTER, italic=True)
    _line(doc, text("report.title", lang), CENTER, bold=True, size=Pt(14))
    _line(doc, subject(summary, lang), CENTER, bold=True)
    doc.add_paragraph()
    intro = text(
        "report.intro",
        lang,
        campaign=_lower_first(campaign.name),
        level=campaign.levels.district,
        district=campaign.district,
    )
    _line(doc, intro, JUSTIFY)


def subject(summary: CampaignSummary, lang: str) -> str:
    """Returns the report's subject line: "Kết quả lấy ý kiến … huyện Định Hóa"."""
    return text("report.subject", lang, campaign=_lower_first(summary.campaign.name))


def _timeline(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    levels, phases = summary.campaign.levels, summary.campaign.phases
    names = {"hamlet": levels.hamlet, "commune": levels.commune, "district": levels.district}
    confirmed = sum(c.confirmed for c in summary.communes)
    _line(doc, text("report.part_timeline", lang), bold=True)
    for line in (
        text("report.conference", lang, day=fmt_day(phases.conference), **names),
        text("report.collection", lang, **_span(phases.collection), **names),
        text(
            "report.aggregation",
            lang,
            **_span(phases.aggregation),
            confirmed=confirmed,
            total=len(summary.communes),
            **names,
        ),
        text("report.posting", lang, **_span(phases.posting), **names),
        text("report.due", lang, day=fmt_day(phases.report_due)),
    ):
        _line(doc, f"- {line}", JUSTIFY)


def _results(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    campaign, c = summary.campaign, summary.district.measures.counts
    t = campaign.thresholds
    local = summary.as_of.astimezone(campaign.timezone)
    _line(doc, text("report.part_results", lang), bold=True)
    _line(doc, text("report.results_general", lang), bold=True)
    _line(doc, text("report.as_of", lang, time=f"{local:%H:%M}", day=fmt_day(local.date())))
    overall = text(
        "report.overall",
        lang,
        level=campaign.levels.district,
        households=fmt_count(c.households),
        communes=len(summary.communes),
        commune=campaign.levels.commune,
        collected=fmt_count(c.collected),
        participation=fmt_percent(summary.district.measures.participation, lang, t.participation),
        valid=fmt_count(c.valid),
        invalid=fmt_count(c.invalid),
    )
    _line(doc, overall, JUSTIFY)
    thresholds = text("report.thresholds", lang, clauses=_threshold_clauses(campaign, lang))
    _line(doc, thresholds, JUSTIFY)
    caption = text(
        "report.table_caption",
        lang,
        district=campaign.levels.district,
        commune=campaign.levels.commune,
    )
    _line(doc, caption, CENTER, bold=True, italic=True)
    _table(doc, summary, lang)
    if unconfirmed := [u.name for u in summary.communes if not u.confirmed]:
        names = ", ".join(unconfirmed)
        notice = text("report.unconfirmed", lang, commune=campaign.levels.commune, names=names)
        _line(doc, notice, italic=True, size=Pt(11))


def _threshold_clauses(campaign: Campaign, lang: str) -> str:
    """Returns the thresholds the campaign judges, as one sentence's clauses."""
    t, words = campaign.thresholds, form_words(campaign.form)
    levels = {"commune": campaign.levels.commune, "level": campaign.levels.district}
    clauses = [
        text(f"report.threshold_{key}", lang, percent=plain_percent(percent), **words, **levels)
        for key in t.judged
        if (percent := getattr(t, key)) is not None
    ]
    if t.district_participation != t.participation and t.district_participation is not None:
        percent = plain_percent(t.district_participation)
        key = "report.threshold_district_participation"
        clauses.insert(1, text(key, lang, percent=percent, **levels))
    return "; ".join(clauses)


def _table(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    t = summary.campaign.thresholds
    words = form_words(t.form)
    header = [
        text("report.col_number", lang),
        text("report.col_unit", lang),
        text("report.col_households", lang),
        text("report.col_collected", lang),
        text("report.col_participation", lang, percent=plain_percent(t.participation)),
        text("report.col_lowest", lang, percent=_at_least(t.question_min), **words),
        text("report.col_average", lang, percent=_at_least(t.average), **words),
    ]
    if t.form.overall is not None:
        header.append(text("report.col_overall", lang, percent=_at_least(t.overall), **words))
    header.append(text("report.col_verdict", lang))
    district = text("report.district_row", lang, level=summary.campaign.levels.district)
    rows = [["", district, *unit_row(summary.district, summary, lang)]]
    rows += [
        [str(n), c.name, *unit_row(c, summary, lang)]
        for n, c in enumerate(summary.communes, start=1)
    ]
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, cells in enumerate([header, *rows]):
        for cell, value in zip(table.rows[r].cells, cells, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if value == cells[1] else CENTER
            run = paragraph.add_run(value)
            run.font.size = Pt(10)
            run.bold = r <= 1  # the header and the district's row


def _shortfalls(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    levels = summary.campaign.levels
    _line(doc, text("report.shortfalls", lang, commune=levels.commune), bold=True)
    short = [(c, shortfalls(c, summary, lang)) for c in summary.communes]
    short = [(c, lines) for c, lines in short if lines]
    if not short:
        _line(doc, text("report.no_shortfalls", lang, commune=levels.commune))
    for commune, lines in short:
        unit = text("report.shortfall_unit", lang, level=levels.commune, name=commune.name)
        _line(doc, f"- {_upper_first(unit)}", bold=True)
        for line in lines:
            _line(doc, f"+ {line}", JUSTIFY)


def _recommendations(
    doc: DocxDocument,
    summary: CampaignSummary,
    notes: Mapping[int, Sequence[Recommendation]],
    lang: str,
) -> None:
    levels = summary.campaign.levels
    _line(doc, text("report.part_recommendations", lang), bold=True)
    found = [(c, notes[c.unit_id]) for c in summary.communes if notes.get(c.unit_id)]
    if not found:
        _line(doc, text("report.no_recommendations", lang))
        return
    _line(doc, text("report.recommendations_intro", lang, hamlet=levels.hamlet))
    for commune, said in found:
        unit = text("report.shortfall_unit", lang, level=levels.commune, name=commune.name)
        _line(doc, f"- {_upper_first(unit)}", bold=True)
        for one in said:
            line = text(
                "report.recommendation",
                lang,
                hamlet=one.hamlet,
                day=fmt_day(one.day),
                note=one.note,
            )
            _line(doc, f"+ {line}", JUSTIFY)


def _assessment(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    campaign, verdicts = summary.campaign, summary.district.measures.verdicts
    _line(doc, text("report.part_assessment", lang), bold=True)
    words = form_words(campaign.form)
    clauses = "; ".join(
        text(f"report.assess_{key}", lang, verdict=verdict_words(verdict, lang), **words)
        for key, verdict in verdicts.items()
    )
    level = campaign.levels.district
    _line(doc, text("report.assessment", lang, level=level, clauses=clauses), JUSTIFY)
    _line(doc, text("report.assessment_hint", lang), italic=True)
    closing = text(
        "report.closing", lang, level=campaign.levels.district, district=campaign.district
    )
    _line(doc, closing, JUSTIFY)


def _signature(doc: DocxDocument, summary: CampaignSummary, lang: str) -> None:
    block = doc.add_table(rows=1, cols=2)
    left, right = block.rows[0].cells
    left.paragraphs[0].add_run(text("report.recipients", lang)).bold = True
    left.paragraphs[0].runs[0].italic = True
    level = summary.campaign.levels.district
    for key in ("report.recipient_province", "report.recipient_local", "report.recipient_archive"):
        _line(left, text(key, lang, level=level), size=Pt(11))
    right.paragraphs[0].add_run(text("report.signer", lang)).bold = True
    right.paragraphs[0].alignment = CENTER
    _line(right, text("report.signer_title", lang), CENTER, bold=True)
    _line(right, text("report.sign_hint", lang), CENTER, italic=True, size=Pt(11))


def _span(span: tuple[date, date]) -> dict[str, str]:
    return {"start": fmt_day(span[0]), "end": fmt_day(span[1])}


def _lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]


def _upper_first(words: str) -> str:
    return words[:1].upper() + words[1:]
