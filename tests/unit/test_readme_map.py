"""The README's map of the code ("How it is built") names what is there, and all of it.

A newcomer finds their way by that map, so a module renamed, moved or added without it fails
here: every module the map names exists, and every module of `reporting/` and `bot/chat/`, and
each of `bot/`'s own, is named in it (a module by its file name, wherever the map puts it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAP = README.split("\n## How it is built\n")[1].split("```")[1]
NAMED = set(re.findall(r"\b([a-z_]+)\.py\b", MAP))
DRAWN = ("reporting", "bot/chat")  # mapped module by module; the rest of bot/ by folder


def _modules(folder: str) -> list[str]:
    return sorted(
        path.stem
        for path in (ROOT / folder).rglob("*.py")
        if path.stem != "__init__" and "migrations" not in path.parts
    )


def _stems() -> set[str]:
    return {path.stem for top in ("bot", "reporting") for path in (ROOT / top).rglob("*.py")}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_every_module_the_map_names_exists(name: str) -> None:
    assert name in _stems(), f"the README's map names {name}.py, which is not in the code"


def _unnamed(folder: str) -> list[str]:
    shallow = [name for name in _modules(folder) if name not in NAMED]
    # modules inside a sub-folder the map names as a whole (reporting/charts/, imports/…)
    return [
        name
        for name in shallow
        if not any(
            f"{path.parent.name}/" in MAP
            for path in (ROOT / folder).rglob(f"{name}.py")
            if path.parent != ROOT / folder
        )
    ]


@pytest.mark.parametrize("folder", DRAWN)
def test_every_module_is_on_the_map(folder: str) -> None:
    assert _unnamed(folder) == [], f"modules of {folder}/ the README's map does not name"


def test_every_module_of_bot_itself_is_on_the_map() -> None:
    own = sorted(path.stem for path in (ROOT / "bot").glob("[!_]*.py"))
    assert [name for name in own if name not in NAMED] == []
