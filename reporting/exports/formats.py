"""Every export as the bytes of a file: JSON, CSV, the XLSX workbook, the posting PDF, the report.

Each renderer is imported when its format is asked for: the CLI's parser offers FORMATS, and
`tallybot --help` should not wait for pandas, matplotlib and openpyxl to load.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporting.recommendations import Recommendation
    from reporting.summaries import CampaignSummary

FORMATS = ("json", "csv", "xlsx", "pdf", "report")


def render_export(
    summary: CampaignSummary,
    fmt: str,
    commune_ids: Collection[int] | None = None,
    notes: Mapping[int, Sequence[Recommendation]] | None = None,
) -> bytes:
    """Returns the summary as a file: json, csv, xlsx (the workbook), pdf (posting sheets) or
    report (the draft DOCX report to the province, with the households' `notes` by commune)."""
    if fmt == "json":
        from reporting.exports.json_csv import summary_json

        return (json.dumps(summary_json(summary), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "csv":
        from reporting.exports.json_csv import summary_csv

        return summary_csv(summary).encode()
    if fmt == "xlsx":
        from reporting.exports.workbook import workbook_bytes

        return workbook_bytes(summary)
    if fmt == "pdf":
        from reporting.exports.posting import posting_pdf

        return posting_pdf(summary, commune_ids)
    if fmt == "report":
        from reporting.exports.report import report_docx

        return report_docx(summary, notes or {})
    raise ValueError(f"unknown export format {fmt!r}")
