"""Charts of SPEC §4.2 as PNG bytes: the data (`data`, `pace`) apart from the drawing (`draw`)."""

from reporting.charts.draw import (
    heatmap_first_pages,
    render_heatmap,
    render_participation,
    render_questions,
)
from reporting.charts.pace import daily_collected, render_pace

__all__ = [
    "daily_collected",
    "heatmap_first_pages",
    "render_heatmap",
    "render_pace",
    "render_participation",
    "render_questions",
]
