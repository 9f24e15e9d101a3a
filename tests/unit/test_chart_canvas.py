"""How a chart becomes pixels and bytes: the PNG writer keeps every pixel, and the figures drawn
in one pass land where matplotlib would have written them."""

from __future__ import annotations

import io
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from reporting.charts.canvas import canvas, encoded_png, png_bytes
from reporting.charts.notes import HorizontalAlignment, Note, NoteLayer, VerticalAlignment


def decoded(png: bytes) -> np.ndarray:
    """Returns a PNG's pixels as an RGBA array, read by Pillow."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def ink(pixels: np.ndarray) -> np.ndarray:
    """Returns a mask of the dark pixels: text drawn in black on white."""
    return pixels[..., :3].max(axis=2) < 128


def test_png_writer_keeps_every_pixel() -> None:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    assert np.array_equal(decoded(encoded_png(pixels)), pixels)


def test_a_drawn_chart_is_a_png_of_the_figure_size() -> None:
    figure, axes = canvas(2.0)
    axes.bar([0, 1], [1, 2])
    pixels = decoded(png_bytes(figure))
    assert pixels.shape == (320, 1280, 4)
    assert (pixels[..., 3] == 255).all()  # opaque: the figure is white


ALIGNMENTS = [("center", "center"), ("left", "center"), ("center", "bottom")]
NAMES = ("right", "center_baseline")  # as matplotlib sets the names beside an axis


@pytest.mark.parametrize(("ha", "va"), [*ALIGNMENTS, NAMES])
def test_texts_written_in_one_pass_sit_where_matplotlib_writes_them(
    ha: HorizontalAlignment, va: VerticalAlignment
) -> None:
    texts = ("Vĩnh Phượng", "Đồng Lam") if (ha, va) == NAMES else ("94,51", "100,00 %")

    def drawn(one_pass: bool) -> np.ndarray:
        figure, axes = canvas(3.0)
        axes.set_axis_off()
        axes.set(xlim=(0, 4), ylim=(0, 2))
        points = [(1.0, 0.5, texts[0]), (3.0, 1.5, texts[1])]
        if one_pass:
            notes = [Note(x, y, label) for x, y, label in points]
            axes.add_artist(NoteLayer(notes, 10, axes.transData, ha=ha, va=va))
        else:
            for x, y, label in points:
                axes.text(x, y, label, ha=ha, va=va, size=10)
        for label in figure.findobj(Text):
            label.set_visible(label.get_text() in texts)
        return ink(decoded(png_bytes(figure)))

    ours, matplotlib_s = drawn(one_pass=True), drawn(one_pass=False)
    rows, columns = np.nonzero(ours)
    their_rows, their_columns = np.nonzero(matplotlib_s)
    assert len(rows) > 100  # both figures are drawn
    # the same boxes of ink, give or take a pixel of rounding
    for ours_at, theirs_at in [(rows, their_rows), (columns, their_columns)]:
        assert abs(int(ours_at.min()) - int(theirs_at.min())) <= 1
        assert abs(int(ours_at.max()) - int(theirs_at.max())) <= 1
    assert abs(len(rows) - len(their_rows)) < 0.1 * len(their_rows)


def test_bold_figures_carry_more_ink() -> None:
    def ink_of(bold: bool) -> int:
        figure, axes = canvas(2.0)
        axes.set_axis_off()
        axes.add_artist(NoteLayer([Note(0.5, 0.5, "65,43 %", bold=bold)], 12, axes.transAxes))
        for label in figure.findobj(Text):
            label.set_visible(False)
        return int(ink(decoded(png_bytes(figure))).sum())

    assert ink_of(bold=True) > 1.2 * ink_of(bold=False)


def test_a_figure_the_font_cannot_write_is_reported_as_matplotlib_reports_it() -> None:
    figure, axes = canvas(2.0)
    axes.add_artist(NoteLayer([Note(0.5, 0.5, "94 📊")], 12, axes.transAxes))
    with pytest.warns(UserWarning, match="missing from font"):
        png_bytes(figure)


def test_a_name_typed_with_combining_marks_is_drawn_as_its_composed_letters() -> None:
    def drawn(name: str) -> np.ndarray:
        figure, axes = canvas(1.0)
        axes.set_axis_off()
        axes.add_artist(NoteLayer([Note(0.5, 0.5, name)], 14, axes.transAxes))
        return decoded(png_bytes(figure))

    composed = "Vĩnh Phượng Đồng"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert np.array_equal(drawn(decomposed), drawn(composed))


def test_charts_drawn_in_several_threads_at_once_come_out_as_drawn_alone() -> None:
    def drawn(_: int) -> bytes:
        figure, axes = canvas(2.0)
        notes = [Note(x / 10, 0.5, f"{x},51 %", bold=x % 2 == 0) for x in range(10)]
        axes.add_artist(NoteLayer(notes, 12, axes.transAxes))
        return png_bytes(figure)

    alone = drawn(0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(drawn, range(8)))
    assert together == [alone] * 8
