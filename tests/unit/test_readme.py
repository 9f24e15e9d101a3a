"""The README's command-line and settings sections say what the code does.

The command line is read as a user reads it: the real `tallybot … --help` of every command, in a
fresh process, checked against the README's table in both directions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from bot.chat.commands import COMMANDS
from reporting.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
CLI_SECTION = README.split("\n## Command line\n")[1].split("\n## ")[0]
OPTION = re.compile(r"--[a-z][\w-]*")


@dataclass(frozen=True)
class Help:
    """What `tallybot PATH --help` shows: options with their value, positionals, subcommands."""

    options: dict[str, str | None]  # "--out": "PATH", "--late": None, "--role": "{a,b}"
    required: frozenset[str]
    positionals: tuple[str, ...]
    subcommands: dict[str, str]  # name: the one-line help shown beside it


@dataclass(frozen=True)
class Usage:
    """One usage written in the README's table, e.g. `invite slips --out PATH [--role …]`."""

    path: str
    options: dict[str, str | None]
    optional: frozenset[str]  # written in [brackets]
    positionals: tuple[str, ...]
    does: str  # the row's second cell


def help_of(path: str) -> Help:
    """Returns what the real CLI prints for `tallybot PATH --help`."""
    shown = subprocess.run(
        [sys.executable, "-m", "bot", *path.split(), "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    usage = " ".join(shown.split("\n\n")[0].split()).removeprefix(f"usage: tallybot {path}")
    found = re.findall(r"(\[?)(--[\w-]+)(?: ([^\s\[\]]+))?", usage)
    words = re.sub(r"\[?--[\w-]+(?: [^\s\[\]]+)?\]?|\[-h\]", " ", usage).split()
    return Help(
        options={option: value or None for _, option, value in found},
        required=frozenset(option for bracket, option, _ in found if not bracket),
        # "ACTION ..." is the list of subcommands, not a positional argument
        positionals=tuple(w for n, w in enumerate(words) if "..." not in words[n : n + 2]),
        subcommands=_subcommands(shown),
    )


def _subcommands(shown: str) -> dict[str, str]:
    """Returns the subcommands listed under "positional arguments", each with its help line.

    argparse indents a subcommand by four spaces and the wrapped rest of its help by more."""
    found: dict[str, str] = {}
    name = None
    for line in shown.partition("positional arguments:\n")[2].split("\n\n")[0].splitlines():
        if entry := re.fullmatch(r" {4}(\S+)(?: +(.*))?", line):
            name = entry[1]
            found[name] = entry[2] or ""
        elif name and line.startswith(" " * 5):
            found[name] = f"{found[name]} {line.strip()}".strip()
        else:
            name = None
    return found


def every_command() -> dict[str, Help]:
    """Returns the help of `tallybot` ("") and of each command and subcommand under it."""
    found, waiting = {}, [""]
    while waiting:
        path = waiting.pop()
        found[path] = help_of(path)
        waiting += [f"{path} {name}".strip() for name in found[path].subcommands]
    return found


def _usage(written: str, does: str) -> Usage:
    """Returns one usage from the README's table, read word by word."""
    words = [w.strip("[]") for w in written.replace("\\|", "|").split()]
    words = [w for w in words if w and w not in ("…", "|")]
    path = []
    while words and re.fullmatch(r"[a-z]+", words[0]):
        path.append(words.pop(0))
    options: dict[str, str | None] = {}
    positionals = []
    while words:
        word = words.pop(0)
        if word.startswith("--"):
            takes = words and not words[0].startswith("--")
            options[word] = words.pop(0) if takes else None
        else:
            positionals.append(word)
    optional = frozenset(re.findall(r"\[(--[\w-]+)", written))
    return Usage(" ".join(path), options, optional, tuple(positionals), does)


def readme_usages() -> list[Usage]:
    """Returns every usage the README's command table writes, with its row's "does" cell."""
    usages = []
    for line in CLI_SECTION.splitlines():
        if line.startswith("| `"):
            first, does = re.split(r"(?<!\\)\|", line)[1:3]
            usages += [_usage(written, does) for written in re.findall(r"`([^`]+)`", first)]
    return usages


USAGES = readme_usages()
COMMAND_LINE = every_command()


@pytest.mark.parametrize("usage", USAGES, ids=lambda usage: usage.path)
def test_every_usage_in_the_readme_is_what_its_command_accepts(usage: Usage) -> None:
    assert usage.path in COMMAND_LINE, f"`tallybot {usage.path}` does not exist"
    shown = COMMAND_LINE[usage.path]
    parent, _, name = usage.path.rpartition(" ")
    assert COMMAND_LINE[parent].subcommands[name] in usage.does
    assert usage.positionals == shown.positionals
    for option, value in usage.options.items():
        assert option in shown.options, f"`tallybot {usage.path}` has no {option}"
        real = shown.options[option]
        if real is None or value is None or not real.startswith("{"):
            assert value == real, f"{usage.path} {option}: {value} in README, {real} in --help"
        elif not value.isupper():  # the choices written out must be those of --help
            assert set(value.split("|")) == set(real.strip("{}").split(","))
    assert not usage.optional & shown.required, "a required option is written as optional"


@pytest.mark.parametrize("path", [path for path in COMMAND_LINE if path])
def test_every_command_and_its_options_are_in_the_readme(path: str) -> None:
    written = [usage for usage in USAGES if f"{usage.path} ".startswith(f"{path} ")]
    assert written, f"`tallybot {path}` is not in the README's table"
    shown = COMMAND_LINE[path]
    if not shown.subcommands:
        assert any(usage.path == path for usage in written)
    options = {option for usage in written if usage.path == path for option in usage.options}
    assert set(shown.options) - options == set(), f"`tallybot {path}` options not in README"


def test_every_option_the_command_line_section_names_exists() -> None:
    everywhere = {option for shown in COMMAND_LINE.values() for option in shown.options}
    everywhere.add("--help")  # argparse's own, on every command
    assert set(OPTION.findall(CLI_SECTION)) - everywhere == set()
    assert set(COMMAND_LINE[""].options) - set(OPTION.findall(CLI_SECTION)) == set()


@pytest.mark.parametrize("name", [field.name for field in fields(Settings)])
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_every_chat_command_and_alias_is_in_the_readme(command: object) -> None:
    assert f"`/{command.name}" in README  # type: ignore[attr-defined]
    alias = command.alias  # type: ignore[attr-defined]
    assert alias is None or f"`/{alias}`" in README
