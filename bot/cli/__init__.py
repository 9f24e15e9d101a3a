"""`tallybot`: the admin's command line. Failures are one clear message and a non-zero exit.

Only the parser loads before the arguments are read, so that `--help` and usage errors answer at
once; the chosen command's module, and what it needs (SQLAlchemy, pandas, …), loads after.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.cli.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns 0 on success, 1 when refused, 3 on an unexpected error."""
    args = build_parser().parse_args(argv)
    from bot.cli.dispatch import run_command  # after parsing: --help needs none of it

    return run_command(args)
