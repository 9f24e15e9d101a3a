"""`tallybot --help` answers at once: the CLI loads heavy libraries only for a command that needs
them. Checked on the modules loaded, not on a clock, in a fresh interpreter each time."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from bot.cli.dispatch import COMMANDS, command
from bot.cli.parser import build_parser

# What made every `tallybot …` take seconds before it did anything (issue 10, item 4).
HEAVY = ("pandas", "numpy", "matplotlib", "openpyxl", "sqlalchemy", "alembic", "telegram")

LOADED = """
import json, sys
from bot.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
{then}
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(argv: list[str], then: str = "") -> set[str]:
    """Returns the top-level packages `tallybot ARGV` (and `then`) loads in a fresh process."""
    code = LOADED.format(argv=argv, then=then)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    assert "bot.cli.parser" in modules  # the command line was really loaded
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["invite", "--help"],
        ["invite", "slips", "--help"],
        ["export", "--help"],
        ["run", "--help"],
        ["nonsense"],
    ],
    ids=" ".join,
)
def test_help_and_usage_errors_load_no_heavy_library(argv: list[str]) -> None:
    assert _loaded(argv) & set(HEAVY) == set()


@pytest.mark.parametrize("name", ["invite", "tally add", "tally import"])
def test_keying_commands_load_neither_the_exports_nor_the_migrations(name: str) -> None:
    loaded = _loaded(["--help"], then=f"from bot.cli.dispatch import command\ncommand({name!r})")
    assert "sqlalchemy" in loaded  # the command itself was loaded: it needs the database
    assert loaded & {"pandas", "numpy", "matplotlib", "openpyxl", "alembic", "telegram"} == set()


def _leaf_commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Returns every command the parser runs ("init", "roster import", "invite", "invite
    slips", …): a command whose actions are optional runs on its own too."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                found |= _leaf_commands(sub, path) or {path}
            if prefix and not action.required:
                found.add(prefix)
    return found


def test_every_command_of_the_parser_has_a_function_to_run() -> None:
    leaves = _leaf_commands(build_parser())
    assert "roster import" in leaves
    assert leaves == set(COMMANDS)
    assert all(callable(command(name)) for name in leaves)


def test_the_running_bot_loads_the_chart_and_workbook_libraries_only_when_first_asked() -> None:
    # `tallybot run` holds the memory of matplotlib and openpyxl only after a /chart or /export
    loaded = _loaded(["--help"], then="from bot.cli.dispatch import command\ncommand('run')")
    assert "telegram" in loaded  # the bot itself was loaded
    assert loaded & {"matplotlib", "openpyxl"} == set()
