"""The files people bring: each read into rows (`*_file`), checked, then stored (`*_store`).

- `tables`: a CSV or XLSX file into rows of text, and the problems a file has, by line
- `roster_file`, `roster_store`: the roster of communes and hamlets with their households
- `tally_file`, `tally_store`: hamlet-days of figures, stored through the tally service
- `assignment_file`: the district's assignment table (stored by `reporting.assignments`)
"""
