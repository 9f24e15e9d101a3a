"""Short texts written many to a chart (figures such as "94,51", commune names), drawn in one pass.

Matplotlib draws each `Text` on its own: it shapes the string with libraqm to measure it, again
to draw it, then places and rasterises it glyph by glyph in Python, and a layout engine measures
each label several times over: 2–7 ms a label at phone size, and a page holds 30 names and up to
330 figures. Here Pillow's FreeType writes every text of a layer into one grey mask per colour,
from the same DejaVu Sans file at the same pixel size, aligned on the same line box as matplotlib
aligns a text, and each mask is drawn once, as an image. Titles, axis labels and legends stay
matplotlib texts.
"""

from __future__ import annotations

import threading
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal, cast

import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_rgb
from matplotlib.ft2font import FT2Font
from matplotlib.transforms import Bbox, Transform
from PIL import Image, ImageDraw, ImageFont

from reporting.charts.canvas import FONT

HorizontalAlignment = Literal["left", "center", "right"]
VerticalAlignment = Literal["center", "bottom", "center_baseline"]
_ANCHORS = {"left": "ls", "center": "ms", "right": "rs"}  # Pillow's: on the baseline


@dataclass(frozen=True, slots=True)
class Note:
    """One text to write: where (in the layer's coordinates), what, its weight and colour."""

    x: float
    y: float
    text: str
    bold: bool = False
    colour: str = "black"


@dataclass(frozen=True, slots=True)
class _Face:
    """DejaVu Sans at a pixel size, with the typographic ascender and descender matplotlib uses
    as a line's least height (pixels over the baseline; the descender negative)."""

    font: ImageFont.FreeTypeFont
    tables: FT2Font
    ascender: float
    descender: float

    def warn_missing(self, texts: set[str]) -> None:
        """Warns, as matplotlib does for its texts, of each character the font has no glyph for."""
        for char in sorted(set("".join(texts))):
            if self.tables.get_char_index(ord(char)) == 0:
                warnings.warn(
                    f"Glyph {ord(char)} ({char!r}) missing from font {FONT}", stacklevel=2
                )


@dataclass(frozen=True, slots=True)
class _Placed:
    """A note placed in pixels from the canvas' top-left corner: its pen origin on the baseline
    and the box its ink covers."""

    note: Note
    font: ImageFont.FreeTypeFont
    origin: tuple[float, float]
    box: tuple[float, float, float, float]  # left, top, right, bottom


class NoteLayer(Artist):
    """An artist that writes many short texts, each aligned on its point as `Axes.text` aligns.

    `ha` and `va` mean what they mean to matplotlib: "center_baseline" is how it sets the names
    beside an axis. In the layout (`in_layout`) only when asked: names beside the axes need
    room; figures inside them do not.
    """

    def __init__(
        self,
        notes: Sequence[Note],
        size: float,
        transform: Transform,
        ha: HorizontalAlignment = "center",
        va: VerticalAlignment = "center",
        *,
        in_layout: bool = False,
    ) -> None:
        super().__init__()
        self.notes = [
            replace(note, text=unicodedata.normalize("NFC", note.text)) for note in notes
        ]
        self.size = size  # points, as a matplotlib text's size
        self.ha, self.va = ha, va
        self.set_transform(transform)
        self.set_in_layout(in_layout)
        self.set_zorder(3)  # over bars and cells, as matplotlib's texts are
        self.set_clip_on(False)  # never cut at the axes' edge, and so counted by the layout
        self._boxes: dict[tuple[str, bool, float], tuple[float, float, float, float]] = {}

    def get_window_extent(self, renderer: RendererBase | None = None) -> Bbox:
        """Returns the box (display pixels, y up) that the layer's ink covers."""
        if renderer is None or not self.notes:
            return Bbox.null()
        height = renderer.get_canvas_width_height()[1]
        placed = self._placed(renderer)
        left, top, right, bottom = _union([p.box for p in placed])
        return Bbox([[left, height - bottom], [right, height - top]])

    def draw(self, renderer: RendererBase, *args: Any, **kwargs: Any) -> None:
        """Writes the texts into one mask per colour and draws each mask as a single image."""
        if not self.get_visible() or not self.notes:
            return
        placed = self._placed(renderer)
        height = renderer.get_canvas_width_height()[1]
        anchor = _ANCHORS[self.ha]
        for colour in dict.fromkeys(p.note.colour for p in placed):
            inked = [p for p in placed if p.note.colour == colour]
            left, top, right, bottom = (int(v) for v in _union([p.box for p in inked]))
            right, bottom = right + 2, bottom + 2  # the ink's last, partly covered pixels
            mask = Image.new("L", (right - left, bottom - top))
            pen = ImageDraw.Draw(mask)
            for p in inked:
                x, y = p.origin
                pen.text((x - left, y - top), p.note.text, fill=255, font=p.font, anchor=anchor)
            gc = renderer.new_gc()
            renderer.draw_image(gc, left, height - bottom, _coloured(mask, colour))
            gc.restore()
        self.stale = False

    def _placed(self, renderer: RendererBase) -> list[_Placed]:
        height = renderer.get_canvas_width_height()[1]
        pixels = cast(float, renderer.points_to_pixels(self.size))
        for bold in {note.bold for note in self.notes}:
            _face(pixels, bold).warn_missing({n.text for n in self.notes if n.bold == bold})
        points = self.get_transform().transform([(note.x, note.y) for note in self.notes])
        placed = []
        for (x, y), note in zip(points, self.notes, strict=True):
            face = _face(pixels, note.bold)
            left, top, right, bottom = self._box(note, face, pixels)
            # matplotlib's line box: the ink, at least the font's ascender and descender
            ascent, descent = max(-top, face.ascender), max(bottom, -face.descender)
            above = {
                "center": (ascent - descent) / 2,
                "bottom": -descent,
                "center_baseline": ascent / 2,
            }[self.va]
            baseline = height - y + above
            box = (x + left, baseline + top, x + right, baseline + bottom)
            placed.append(_Placed(note, face.font, (x, baseline), box))
        return placed

    def _box(self, note: Note, face: _Face, pixels: float) -> tuple[float, float, float, float]:
        """Returns the ink's box around the pen origin (y down), measured once a layer."""
        key = (note.text, note.bold, pixels)
        if key not in self._boxes:
            self._boxes[key] = face.font.getbbox(note.text, anchor=_ANCHORS[self.ha])
        return self._boxes[key]


def _coloured(mask: Image.Image, colour: str) -> np.ndarray:
    """Returns RGBA pixels of one colour, as opaque as the mask, rows from the bottom up."""
    image = np.zeros((mask.height, mask.width, 4), dtype=np.uint8)
    rgb = [round(255 * channel) for channel in to_rgb(colour)]
    if any(rgb):  # black, most of the texts, is what zeros are: a third of the time to fill
        image[..., :3] = rgb
    image[..., 3] = np.asarray(mask)
    return image[::-1]  # Agg's images run bottom up


def _union(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, ...]:
    lefts, tops, rights, bottoms = zip(*boxes, strict=True)
    return min(lefts), min(tops), max(rights), max(bottoms)


def _face(pixels: float, bold: bool) -> _Face:
    """Returns DejaVu Sans (the file matplotlib ships) at a pixel size, read once a thread."""
    # FreeType's faces are not safe to share between threads, and charts are drawn in worker
    # threads: one face per thread, as matplotlib's own font cache keeps them
    return _face_in_thread(pixels, bold, threading.get_ident())


@lru_cache(maxsize=64)
def _face_in_thread(pixels: float, bold: bool, thread: int) -> _Face:
    weight = "bold" if bold else "normal"
    path = font_manager.findfont(font_manager.FontProperties(family=FONT, weight=weight))
    tables = FT2Font(path)
    head, os2 = tables.get_sfnt_table("head"), tables.get_sfnt_table("OS/2")
    if head is None or os2 is None:
        raise ValueError(f"{path} has no head or OS/2 table")
    scale = pixels / head["unitsPerEm"]
    return _Face(
        # Pillow's basic layout: FreeType's hinted advances, as matplotlib's own layout has them
        # (libraqm's unhinted ones run a name ~2 px longer); every Vietnamese letter in NFC is
        # one glyph of DejaVu Sans, so there are no marks to position
        ImageFont.truetype(path, pixels, layout_engine=ImageFont.Layout.BASIC),
        tables,
        ascender=os2["sTypoAscender"] * scale,
        descender=os2["sTypoDescender"] * scale,
    )
