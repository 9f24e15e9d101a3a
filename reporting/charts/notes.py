"""Short figures written on a chart ("94,51", "72,45 %"), all drawn in one pass by Pillow.

Matplotlib draws each `Text` on its own: it shapes the string with libraqm, then places and
rasterises it glyph by glyph in Python, 1–2 ms a label at phone size; the heat map writes 330
of them. Here Pillow's FreeType writes every figure of a chart into one grey mask, from the same
DejaVu Sans file at the same pixel size and on the same lines as matplotlib would, and the mask
is drawn once, as an image. Only for figures (digits, comma, dash, percent sign): names and
sentences stay matplotlib texts, which lay out any Vietnamese spelling.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, cast

import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.ft2font import FT2Font
from matplotlib.transforms import Transform
from PIL import Image, ImageDraw, ImageFont

from reporting.charts.canvas import FONT

_ANCHORS = {"left": "ls", "center": "ms"}  # Pillow's: horizontally so, on the baseline


@dataclass(frozen=True, slots=True)
class Note:
    """One figure to write: where (in the layer's coordinates), what, and whether in bold."""

    x: float
    y: float
    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class _Face:
    """DejaVu Sans at a pixel size, with matplotlib's line box: heights over the baseline."""

    font: ImageFont.FreeTypeFont
    tables: FT2Font
    ascent: float
    descent: float  # negative: under the baseline

    def warn_missing(self, texts: set[str]) -> None:
        """Warns, as matplotlib does for its texts, of each character the font has no glyph for."""
        for char in sorted(set("".join(texts))):
            if self.tables.get_char_index(ord(char)) == 0:
                warnings.warn(
                    f"Glyph {ord(char)} ({char!r}) missing from font {FONT}", stacklevel=2
                )


class NoteLayer(Artist):
    """An artist that writes many short figures in black, aligned as matplotlib aligns a text.

    `ha` and `va` mean what they mean to `Axes.text`: the point is the figure's left edge or
    centre, and the centre or bottom of its line box.
    """

    def __init__(
        self,
        notes: Sequence[Note],
        size: float,
        transform: Transform,
        ha: Literal["left", "center"] = "center",
        va: Literal["center", "bottom"] = "center",
    ) -> None:
        super().__init__()
        self.notes = list(notes)
        self.size = size  # points, as a matplotlib text's size
        self.ha, self.va = ha, va
        self.set_transform(transform)
        self.set_in_layout(False)  # figures sit inside the axes: the layout never needs them
        self.set_zorder(3)  # over bars and cells, as matplotlib's texts are

    def draw(self, renderer: RendererBase, *args: Any, **kwargs: Any) -> None:
        """Writes every figure into one mask and draws it as a single black image."""
        if not self.get_visible() or not self.notes:
            return
        height = renderer.get_canvas_width_height()[1]
        pixels = cast(float, renderer.points_to_pixels(self.size))
        points = self.get_transform().transform([(note.x, note.y) for note in self.notes])
        placed = []  # (x, baseline) from the image's top-left corner, text, face
        for (x, y), note in zip(points, self.notes, strict=True):
            face = _face(pixels, note.bold)
            over = (face.ascent + face.descent) / 2 if self.va == "center" else face.descent
            placed.append((x, height - y + over, note.text, face.font))
        for bold in {note.bold for note in self.notes}:
            _face(pixels, bold).warn_missing({n.text for n in self.notes if n.bold == bold})
        anchor = _ANCHORS[self.ha]
        boxes = [
            (x + left, y + top, x + right, y + bottom)
            for x, y, text, font in placed
            for left, top, right, bottom in [font.getbbox(text, anchor=anchor)]
        ]
        left, top = int(min(box[0] for box in boxes)), int(min(box[1] for box in boxes))
        right, bottom = (
            int(max(box[2] for box in boxes)) + 2,
            int(max(box[3] for box in boxes)) + 2,
        )
        mask = Image.new("L", (right - left, bottom - top))
        pen = ImageDraw.Draw(mask)
        for x, y, text, font in placed:
            pen.text((x - left, y - top), text, fill=255, font=font, anchor=anchor)
        image = np.zeros((mask.height, mask.width, 4), dtype=np.uint8)  # black, ...
        image[..., 3] = np.asarray(mask)  # ... as opaque as the glyphs' coverage
        gc = renderer.new_gc()
        renderer.draw_image(gc, left, height - bottom, image[::-1])  # rows from the bottom up
        gc.restore()
        self.stale = False


@cache
def _face(pixels: float, bold: bool) -> _Face:
    """Returns DejaVu Sans (the file matplotlib ships) at a pixel size, read once a process."""
    weight = "bold" if bold else "normal"
    path = font_manager.findfont(font_manager.FontProperties(family=FONT, weight=weight))
    # matplotlib's line box for a text: the font's typographic ascender and descender
    tables = FT2Font(path)
    head, os2 = tables.get_sfnt_table("head"), tables.get_sfnt_table("OS/2")
    if head is None or os2 is None:
        raise ValueError(f"{path} has no head or OS/2 table")
    scale = pixels / head["unitsPerEm"]
    return _Face(
        ImageFont.truetype(path, pixels, layout_engine=ImageFont.Layout.BASIC),
        tables,
        ascent=os2["sTypoAscender"] * scale,
        descent=os2["sTypoDescender"] * scale,
    )
