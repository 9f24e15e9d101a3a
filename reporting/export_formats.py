"""Every export as the bytes of a file: JSON, CSV, the XLSX workbook, the posting PDF."""

from __future__ import annotations

import json
from collections.abc import Collection

from reporting.export import summary_csv, summary_json
from reporting.posting import posting_pdf
from reporting.summaries import CampaignSummary
from reporting.xlsx import workbook_bytes

FORMATS = ("json", "csv", "xlsx", "pdf")


def render_export(
    summary: CampaignSummary, fmt: str, commune_ids: Collection[int] | None = None
) -> bytes:
    """Returns the summary as a file: json, csv, xlsx (the workbook) or pdf (posting sheets)."""
    if fmt == "json":
        return (json.dumps(summary_json(summary), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "csv":
        return summary_csv(summary).encode()
    if fmt == "xlsx":
        return workbook_bytes(summary)
    if fmt == "pdf":
        return posting_pdf(summary, commune_ids)
    raise ValueError(f"unknown export format {fmt!r}")
