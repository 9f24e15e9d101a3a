"""The README's command-line and settings sections say what the code does."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

import pytest

from bot.chat.commands import COMMANDS
from bot.cli.parser import build_parser
from reporting.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                prefix = f"{parser.prog.removeprefix('tallybot').strip()} {name}".strip()
                found[prefix] = sub
                found.update(_subparsers(sub))
    return found


COMMAND_LINE = _subparsers(build_parser())


def _help_of(path: str) -> str:
    *parents, name = path.split()
    parser = build_parser() if not parents else COMMAND_LINE[" ".join(parents)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.dest == name:
                    return str(choice.help)
    raise KeyError(path)


def _runs_alone(parser: argparse.ArgumentParser) -> bool:
    """Says whether a command runs by itself: it has no actions, or they are optional."""
    return not any(
        isinstance(action, argparse._SubParsersAction) and action.required
        for action in parser._actions
    )


@pytest.mark.parametrize("command", sorted(p for p, s in COMMAND_LINE.items() if _runs_alone(s)))
def test_every_command_is_in_the_readme_with_its_help_text(command: str) -> None:
    assert f"`{command}" in README
    assert _help_of(command) in README


@pytest.mark.parametrize("command", sorted(COMMAND_LINE))
def test_every_option_of_every_command_is_in_the_readme(command: str) -> None:
    options = [
        option
        for action in COMMAND_LINE[command]._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]
    missing = [option for option in options if option not in README]
    assert not missing, f"{command}: {missing} are not in README.md"


@pytest.mark.parametrize("name", [field.name for field in fields(Settings)])
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_every_chat_command_and_alias_is_in_the_readme(command: object) -> None:
    assert f"`/{command.name}" in README  # type: ignore[attr-defined]
    alias = command.alias  # type: ignore[attr-defined]
    assert alias is None or f"`/{alias}`" in README
