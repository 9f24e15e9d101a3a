"""The command line: every command, its arguments and its --help text.

Imported by every `tallybot …`, `--help` included: only argparse and light modules here (a test
keeps pandas, matplotlib, openpyxl and SQLAlchemy out); the commands load what they need.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reporting.exports.formats import FORMATS
from reporting.roles import Role

LATE_HELP = (
    "allow a day outside collection: late entries take days from the first collection day "
    "to today or the report due date, whichever is earlier"
)
DESCRIPTION = (
    "tallybot: the daily household-survey tally bot for a Vietnamese New Rural Development "
    "campaign. Settings come from the environment or .env (see .env.example)."
)


def build_parser() -> argparse.ArgumentParser:
    """Returns the parser of `tallybot` and all its subcommands."""
    parser = argparse.ArgumentParser(prog="tallybot", description=DESCRIPTION)
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks of unexpected errors"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("init", help="create or upgrade the database and load the campaign")
    _roster(commands)
    _assignments(commands)
    _invite(commands)
    commands.add_parser(
        "users", help="list users, their roles, units, chat accounts and last activity"
    )
    unlock = commands.add_parser(
        "unlock", help="reopen a confirmed commune so that its figures can be corrected"
    )
    unlock.add_argument("commune", metavar="COMMUNE", help="the commune's name")
    revoke = commands.add_parser("revoke", help="disable a user (kept for the audit trail)")
    revoke.add_argument("user", type=int, metavar="USER", help="the user's id, from `users`")
    _tally(commands)
    _run(commands)
    _demo(commands)
    _export(commands)
    backup = commands.add_parser("backup", help="write a consistent copy of the live database")
    backup.add_argument("path", metavar="PATH", help="the file to write (must not exist)")
    return parser


def _roster(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roster = commands.add_parser("roster", help="load the units (communes, hamlets, households)")
    actions = roster.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="import a CSV or XLSX roster; re-import updates, never duplicates",
        description="Columns: commune, hamlet, households and optional surveyed (1/0); "
        "Vietnamese headers xã, xóm, số hộ, khảo sát are accepted too.",
    )
    load.add_argument("file", metavar="FILE", help="the roster, .csv or .xlsx")


def _assignments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    assignments = commands.add_parser(
        "assignments", help="load the table of who answers for which communes"
    )
    actions = assignments.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = actions.add_parser(
        "import",
        help="import a CSV or XLSX assignment table; all rows or none, re-import updates",
        description="Columns: person, position, role (official, commune or district), "
        'communes (one or several, separated by ";" or ","); Vietnamese headers họ tên, '
        "chức vụ, vai trò, xã are accepted too. A person is known by name and position; each "
        "new one is a user without a chat account until they redeem a code made with "
        "`invite --user`.",
    )
    load.add_argument("file", metavar="FILE", help="the assignment table, .csv or .xlsx")


def _invite(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invite = commands.add_parser(
        "invite",
        help="print single-use invite codes, one per line, or a CSV of codes for many units",
        description="A code for a new user with --role (and --unit); with --file or "
        "--all-hamlets one code per unit, all made or none, as CSV for mail merge (columns "
        "unit, commune, role, code, expires); with --user alone a code that adds the chat "
        "account redeeming it to that existing user; --cancel CODE cancels an unused code. "
        "Each call makes new codes: codes made earlier for the same units stay valid until "
        "used, expired or cancelled, and a unit whose leader has registered gets a second "
        "leader if the new code is used too.",
    )
    invite.add_argument(
        "--role", choices=[role.value for role in Role], help="the new user's role"
    )
    invite.add_argument(
        "--unit",
        action="append",
        default=[],
        metavar="UNIT",
        help='"Commune" or "Commune/Hamlet"; repeat for an official with several communes',
    )
    invite.add_argument("--count", type=int, metavar="N", help="how many codes (1)")
    invite.add_argument(
        "--file",
        metavar="FILE",
        help='a CSV/XLSX with one unit per line, as --unit writes it ("Commune/Hamlet", '
        '"Commune"), or commune and hamlet in two cells: one code per unit, for --role or, '
        "without it, for the unit's own leader (hamlet or commune); one unknown unit refuses "
        "the whole file",
    )
    invite.add_argument(
        "--all-hamlets",
        action="store_true",
        help="one hamlet leader's code for every hamlet of the surveyed communes",
    )
    invite.add_argument(
        "--out",
        metavar="PATH",
        help="with --file or --all-hamlets: write the CSV to this new file (UTF-8 with BOM, "
        "for Excel) instead of standard output",
    )
    invite.add_argument(
        "--cancel",
        metavar="CODE",
        help="cancel an unused code (one that leaked): it can no longer be redeemed",
    )
    invite.add_argument(
        "--user",
        type=int,
        metavar="USER",
        help="the id of an existing user, from `users`: one code that links another chat "
        "account (any channel) to them, with their role and units",
    )
    # Optional, so that `invite --role …` and the other forms above keep working.
    actions = invite.add_subparsers(dest="action", required=False, metavar="ACTION")
    _invite_slips(actions)


def _invite_slips(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    slips = actions.add_parser(
        "slips",
        help="print invite slips with QR codes for the unit leaders and assigned people not "
        "registered yet",
        description="One new code per hamlet (or commune) leader of the surveyed communes "
        "who has not registered yet, and per person of the assignment table (`assignments "
        "import`) without a chat account, valid to the end of the collection window "
        "(INVITE_DAYS days when printed later, or less than a day before), as an A4 PDF of "
        "slips to cut (six a page: the unit, or the person's name, position and communes; the "
        "code; a QR code that opens the bot on Telegram with it; the Zalo bot's QR code or "
        "name; three lines of instructions) or as CSV for mail merge. A commune for which the "
        "table names a commune user gets that person's slip instead of an anonymous commune "
        "leader's; district staff of the table answer for the whole district and get theirs "
        "with any --commune. Units whose leader has registered and people who have a chat "
        "account are left out and listed on standard output. Needs TELEGRAM_BOT_USERNAME "
        "and/or ZALO_BOT_NAME, ZALO_BOT_LINK; works offline.",
    )
    slips.add_argument(
        "--out", required=True, metavar="PATH", help="the file to write (must not exist)"
    )
    slips.add_argument(
        "--role",
        choices=["hamlet", "commune", "official", "district", "all"],
        default="hamlet",
        help="whose slips: hamlet leaders (default); commune leaders and the table's commune "
        "users; the table's officials; the table's district staff; or all of them",
    )
    slips.add_argument(
        "--commune",
        action="append",
        default=[],
        metavar="NAME",
        help="only this commune's slips (repeat; default every surveyed commune)",
    )
    slips.add_argument(
        "--format",
        choices=["pdf", "csv"],
        default="pdf",
        help="pdf: slips to print and cut (default); csv: the same for mail merge",
    )


def _tally(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tally = commands.add_parser("tally", help="key in paper reports")
    actions = tally.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="store one hamlet's tally for one day")
    add.add_argument(
        "--hamlet", required=True, metavar="UNIT", help='"Hamlet" or "Commune/Hamlet"'
    )
    add.add_argument("--date", required=True, metavar="DATE", help="dd/mm/yyyy or yyyy-mm-dd")
    add.add_argument("--collected", required=True, metavar="N", help="forms collected that day")
    add.add_argument("--invalid", default="0", metavar="K", help="invalid forms among them (0)")
    add.add_argument(
        "--satisfied",
        required=True,
        metavar="S1,…,SN",
        help="satisfied per question: one number for each of the campaign's N questions",
    )
    add.add_argument("--note", metavar="TEXT", help="households' requests and comments")
    add.add_argument("--reason", metavar="TEXT", help="why, when replacing earlier figures")
    add.add_argument("--late", action="store_true", help=LATE_HELP)
    load = actions.add_parser(
        "import",
        help="import a CSV/XLSX of hamlet-days; all rows or none",
        description=(
            "Columns: commune, hamlet, date, collected, invalid, q1 … qN (one for each of the "
            "campaign's N questions), note."
        ),
    )
    load.add_argument("file", metavar="FILE", help="the tallies, .csv or .xlsx")
    load.add_argument("--late", action="store_true", help=LATE_HELP)


def _run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser(
        "run",
        help="run the bot on every channel with a token: Telegram, Zalo or both",
        description=(
            "Runs the bot until SIGINT or SIGTERM on every channel whose token is set "
            "(TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN). Zalo needs PUBLIC_URL, the HTTPS address "
            "from which it fetches the charts; --webhook needs PUBLIC_URL and WEBHOOK_SECRET."
        ),
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook at PUBLIC_URL (with WEBHOOK_SECRET), not long polling",
    )


def _demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo", help="play a campaign offline on the sample district and write demo-output/"
    )
    demo.add_argument("--out", default="demo-output", metavar="DIR", help="(demo-output)")
    demo.add_argument(
        "--campaign",
        type=Path,
        metavar="FILE",
        help=(
            "play another campaign file on the same sample district, e.g. "
            "reporting/data/campaign_nang_cao.toml (the reference campaign)"
        ),
    )


def _export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write the campaign's figures")
    export.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help=(
            "json/csv: the figures; xlsx: the aggregation workbook; pdf: posting sheets; "
            "report: the draft report to the province (DOCX)"
        ),
    )
    export.add_argument(
        "--commune",
        action="append",
        default=[],
        metavar="NAME",
        help="pdf only: this commune's posting sheet (repeat; default every commune)",
    )
    export.add_argument(
        "--as-of", metavar="DATE", help="figures at the end of that day (default: now)"
    )
    export.add_argument(
        "--out",
        metavar="PATH",
        help=(
            "file to write (default: standard output for json/csv, a dated file for "
            "xlsx/pdf/report)"
        ),
    )
