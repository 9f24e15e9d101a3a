"""Invite slips as a printable A4 PDF: six slips a page (2 × 3, each 105 × 99 mm), dashed cut
lines between them.

Each slip names its unit, shows the code large in a monospaced face (the code alphabet has no
0/O or 1/I/L), a QR code that opens the bot on Telegram with the code, Zalo's QR code or the
bot's name there, and three lines of instructions. Drawn like the posting sheet (matplotlib's
PDF backend, a page in millimetres with y growing downwards, DejaVu for the diacritics).

The QR codes are segno's, at error correction level M or higher, drawn as one filled vector
path (no image to be resampled, no seams between modules): black on white, each symbol 30 mm
wide without its quiet zone of four modules, which is kept clear, so that they still scan
when printed in black and white.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Iterator, Sequence
from datetime import date

import segno
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from reporting.campaign import Campaign
from reporting.exports.posting import A4, FONT, PAGE_MM
from reporting.i18n import text
from reporting.invite_slips import SLIPS_PER_PAGE, Channels, Slip, spaced
from reporting.wording import level_words

MONO = "DejaVu Sans Mono"
COLUMNS, ROWS = 2, 3
PER_PAGE = SLIPS_PER_PAGE
assert COLUMNS * ROWS == PER_PAGE
SLIP_MM = (PAGE_MM[0] / COLUMNS, PAGE_MM[1] / ROWS)  # 105 × 99
QR_MM = 30.0  # the symbol without its quiet zone: the smallest that scans well from paper
QR_TOP = 34.0
STEPS_TOP = 79.5
# what fits across a slip, 6 mm from each edge: at 11.5 pt bold, and at 8 pt
TITLE_CHARACTERS, LINE_CHARACTERS = 36, 58


def slips_pdf(slips: Sequence[Slip], channels: Channels, campaign: Campaign, lang: str) -> bytes:
    """Returns a PDF of the slips, PER_PAGE to an A4 page, in order; ValueError when none."""
    if not slips:
        raise ValueError("no slip to print")
    buffer = io.BytesIO()
    metadata = {"Title": text("slips.pdf_title", lang), "Creator": "tallybot"}
    with PdfPages(buffer, metadata=metadata) as pdf:
        for start in range(0, len(slips), PER_PAGE):
            page_slips = slips[start : start + PER_PAGE]
            pdf.savefig(slip_page(page_slips, channels, campaign, lang))
    return buffer.getvalue()


def slip_page(slips: Sequence[Slip], channels: Channels, campaign: Campaign, lang: str) -> Figure:
    """Returns one A4 page of up to PER_PAGE slips, with its cut lines (no pyplot)."""
    figure = Figure(figsize=A4)
    page = figure.add_axes((0, 0, 1, 1))
    page.set_xlim(0, PAGE_MM[0])
    page.set_ylim(PAGE_MM[1], 0)
    page.axis("off")
    _cut_lines(page)
    for index, slip in enumerate(slips):
        left = (index % COLUMNS) * SLIP_MM[0]
        top = (index // COLUMNS) * SLIP_MM[1]
        _slip(page, slip, channels, campaign, lang, (left, top))
    for label in page.texts:
        if label.get_fontfamily() != [MONO]:
            label.set_fontfamily(FONT)
    return figure


@functools.lru_cache(maxsize=4)  # the Zalo link's code is the same on every slip
def qr_modules(content: str) -> tuple[tuple[bool, ...], ...]:
    """Returns the dark modules of content's QR code (level M or higher), row by row, without
    the quiet zone."""
    symbol = segno.make_qr(content, error="m")
    rows = symbol.matrix_iter(scale=1, border=0)
    return tuple(tuple(bool(module) for module in row) for row in rows)


def _slip(
    page: Axes,
    slip: Slip,
    channels: Channels,
    campaign: Campaign,
    lang: str,
    corner: tuple[float, float],
) -> None:
    x0, y0 = corner
    width = SLIP_MM[0]
    title, *subtitles = _heading(slip, campaign, lang)
    # a person's slip has two lines under the name (position, communes): all three move up
    top = 9 if len(subtitles) == 1 else 7.5
    page.text(x0 + 6, y0 + top, title, size=11.5, weight="bold")
    for number, subtitle in enumerate(subtitles):
        page.text(x0 + 6, y0 + top + 5 + 3.8 * number, subtitle, size=8)
    page.add_patch(
        Rectangle((x0 + 12, y0 + 17.5), width - 24, 12, fill=False, edgecolor="black", lw=0.8)
    )
    code = spaced(slip.code)
    middle = (x0 + width / 2, y0 + 23.8)
    page.text(*middle, code, size=26, weight="bold", family=MONO, ha="center", va="center")
    _channel_blocks(page, slip, channels, lang, (x0, y0))
    steps = _steps(slip, channels, lang)
    for number, step in enumerate(steps):
        page.text(x0 + 6, y0 + STEPS_TOP + 5 * number, step, size=9.5)
    day = slip.expires_at.astimezone(campaign.timezone).date()
    expiry = text("slips.expires", lang, day=_day(day))
    page.text(x0 + 6, y0 + STEPS_TOP + 5 * len(steps) + 0.4, expiry, size=7.5, style="italic")


def _heading(slip: Slip, campaign: Campaign, lang: str) -> list[str]:
    """Returns the slip's title (its unit, or the person) and the lines that say for whom: a
    person's position and communes, each cut to the slip's width."""
    levels, words = campaign.levels, level_words(campaign.levels)
    communes = ", ".join(f"{levels.commune} {name}" for name in slip.communes)
    if slip.person is not None:
        position = slip.position or text(f"slips.role_{slip.role.value}", lang, **words)
        answers_for = _answers_for(slip, campaign, lang)
        lines = [_fit(line, LINE_CHARACTERS) for line in (position, answers_for)]
        return [_fit(slip.person, TITLE_CHARACTERS), *lines]
    if slip.hamlet is not None:
        return [f"{slip.hamlet}, {communes}", text("slips.for_hamlet", lang, **words)]
    role = text(f"slips.for_{slip.role.value}", lang, **words)
    return [communes[:1].upper() + communes[1:], role]


def _answers_for(slip: Slip, campaign: Campaign, lang: str) -> str:
    """Returns the line of a person's slip that names what they answer for."""
    levels = campaign.levels
    if not slip.communes:
        return text("slips.person_district", lang, level=levels.district, name=campaign.district)
    names = ", ".join(slip.communes)
    key = "slips.person_commune" if len(slip.communes) == 1 else "slips.person_communes"
    return text(key, lang, level=levels.commune, names=names)


def _fit(line: str, width: int) -> str:
    """Returns the line, or its beginning and "…" when it is longer than `width` characters."""
    return line if len(line) <= width else line[: width - 1].rstrip(" ,") + "…"


def _channel_blocks(
    page: Axes, slip: Slip, channels: Channels, lang: str, corner: tuple[float, float]
) -> None:
    """Draws the Telegram QR code and the Zalo part side by side (one alone: centred)."""
    x0, y0 = corner
    blocks: list[tuple[str, str, str]] = []  # (label, QR content or "", line under the label)
    if channels.telegram:
        blocks.append(("Telegram", channels.telegram_link(slip.code), ""))
    if channels.zalo:
        blocks.append(("Zalo", channels.zalo_link, channels.zalo_name))
    centres = [SLIP_MM[0] / 2] if len(blocks) == 1 else [27.0, SLIP_MM[0] - 27.0]
    for centre, (label, content, under) in zip(centres, blocks, strict=True):
        left = x0 + centre - QR_MM / 2
        if content:
            _qr(page, content, (left, y0 + QR_TOP))
        else:  # Zalo without a link: its name, to search for, in place of the QR code
            _search_for(page, channels.zalo_name, lang, (x0 + centre, y0 + QR_TOP))
        page.text(x0 + centre, y0 + QR_TOP + QR_MM + 6, label, size=10, weight="bold", ha="center")
        if under and content:
            page.text(x0 + centre, y0 + QR_TOP + QR_MM + 9.5, under, size=7.5, ha="center")


def _search_for(page: Axes, name: str, lang: str, top: tuple[float, float]) -> None:
    """Writes "search Zalo for" and the bot's name, large, in the QR code's square."""
    lines = textwrap.wrap(name, 18)
    y = top[1] + QR_MM / 2 - 3 * len(lines)
    page.text(top[0], y, text("slips.zalo_search", lang), size=9, ha="center")
    for number, line in enumerate(lines, start=1):
        page.text(top[0], y + 6 * number, line, size=12, weight="bold", ha="center")


def _steps(slip: Slip, channels: Channels, lang: str) -> list[str]:
    """Returns the instructions, one line each: Telegram, Zalo, then what success looks like."""
    code = spaced(slip.code)
    steps = []
    if channels.telegram:
        steps.append(text("slips.step_telegram", lang))
    if channels.zalo_link:
        steps.append(text("slips.step_zalo_qr", lang, code=code))
    elif channels.zalo:
        steps.append(text("slips.step_zalo_name", lang, code=code))
    steps.append(text("slips.step_done", lang))
    return steps


def _qr(page: Axes, content: str, corner: tuple[float, float]) -> None:
    """Draws content's QR code, QR_MM wide, its top-left module at corner, as one black path
    on the white page (the quiet zone is the white around it, kept clear by the layout)."""
    modules = qr_modules(content)
    size = QR_MM / len(modules)
    vertices: list[tuple[float, float]] = []
    for row, (start, end) in _runs(modules):
        x, y = corner[0] + start * size, corner[1] + row * size
        right, bottom = corner[0] + end * size, y + size
        vertices += [(x, y), (right, y), (right, bottom), (x, bottom), (x, y)]
    codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    path = Path(vertices, codes * (len(vertices) // 5))
    # add_artist, not add_patch: the page's limits are fixed, and working them out again from
    # every module's corners took most of the time of a district's slips.
    page.add_artist(PathPatch(path, facecolor="black", edgecolor="none", linewidth=0))


def _runs(modules: Sequence[Sequence[bool]]) -> Iterator[tuple[int, tuple[int, int]]]:
    """Yields (row, (first column, column after)) of each run of dark modules in a row."""
    for row, cells in enumerate(modules):
        start = None
        for column, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                yield row, (start, column)
                start = None


def _cut_lines(page: Axes) -> None:
    dashes = (0, (4, 3))
    for column in range(1, COLUMNS):
        x = column * SLIP_MM[0]
        page.plot([x, x], [0, PAGE_MM[1]], color="black", linewidth=0.5, linestyle=dashes)
    for row in range(1, ROWS):
        y = row * SLIP_MM[1]
        page.plot([0, PAGE_MM[0]], [y, y], color="black", linewidth=0.5, linestyle=dashes)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")
