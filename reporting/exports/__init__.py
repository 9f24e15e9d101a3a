"""The exports, each a file's bytes; `formats` is the one dispatcher, loading only what it needs.

- `json_csv`: the JSON (SPEC §4.1) and CSV forms of a summary
- `workbook`: the district's aggregation workbook (XLSX)
- `posting`: the public-posting sheet, one A4 page per commune (PDF)
- `report`: the district's draft report to the province (DOCX)
"""
