"""The phone-wide figure every chart is drawn on, and how it becomes PNG bytes.

Each image is 1280 px wide (8 in at 160 dpi) with large type for a phone screen; text is set in
DejaVu Sans, which ships with matplotlib and has every Vietnamese letter. No pyplot: a `Figure`
with its own Agg canvas per image, so nothing global is touched in the bot's process.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

FONT = "DejaVu Sans"
DPI = 160
WIDTH = 8.0  # inches: 1280 px at DPI
PNG_COMPRESSION = 3  # zlib level: files within 5 % of the default level 6's, a third faster


def canvas(height: float) -> tuple[Figure, Axes]:
    """Returns a phone-wide figure (its own Agg canvas, no pyplot) and its one axes."""
    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def png_bytes(figure: Figure) -> bytes:
    """Returns the figure drawn as PNG, every text in DejaVu Sans."""
    # tick labels get the font through tick_params; every other text is set here, just before
    # drawing, so that no global rcParams decide which font renders Vietnamese
    for label in figure.findobj(Text):
        label.set_fontfamily(FONT)
    buffer = io.BytesIO()
    _drawn(figure).save(buffer, format="png", compress_level=PNG_COMPRESSION)
    return buffer.getvalue()


def _drawn(figure: Figure) -> Image.Image:
    """Returns the figure drawn once by Agg, laid out on the way, as an opaque RGB image."""
    # not `savefig`: with a layout engine it first runs a whole draw with the output switched
    # off, only to lay the figure out: every artist walked and every image resampled for nothing
    agg = figure.canvas
    if not isinstance(agg, FigureCanvasAgg):
        agg = FigureCanvasAgg(figure)
    agg.draw()
    pixels = agg.buffer_rgba()
    height, width = pixels.shape[:2]
    # the white figure is opaque: an alpha channel would only cost encoding time and bytes
    return Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1).convert("RGB")
