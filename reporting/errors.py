"""Every error tallybot raises on purpose, as one tree, and how each one reads to its user.

    TallybotError               anything tallybot refuses; `message(lang)` says why
    ├── Problem                 a refusal named by a catalog key and its figures
    │   ├── CampaignError       a campaign file that cannot be used
    │   ├── TabularError        a file that cannot be read as a table
    │   ├── CountError          a text that is not a whole number ≥ 0
    │   ├── SettingsError       a setting whose value cannot be used
    │   └── …                   UnitNotFound, TallyRejected, AdminRefused, and the others
    └── ImportFileError         a file refused as a whole, every problem with its line
        └── …                   RosterFileError, TallyFileError, AssignmentFileError, …

Each is also a `ValueError`, as each was before the tree. The CLI and the chat catch
`TallybotError` in one place each and show `message()`, in the user's language.
"""

from __future__ import annotations

from reporting.i18n import DEFAULT_LANGUAGE, text


class TallybotError(Exception):
    """The root of every refusal tallybot explains to the user or the admin."""

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Returns the explanation in the user's language."""
        return str(self)


class Problem(TallybotError, ValueError):
    """Something the user asked for that cannot be done; `message(lang)` explains it."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(text(key, DEFAULT_LANGUAGE, **params))
        self.key = key
        self.params = params

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Returns the explanation in the user's language."""
        return text(self.key, lang, **self.params)


class CampaignError(Problem):
    """A campaign file that cannot be used; the message names the file, the key and the fault."""


class TabularError(Problem):
    """A file that cannot be read as a table: missing, unreadable, empty, of another type."""


class CountError(Problem):
    """A text that is not a whole number ≥ 0; the message quotes it and says what is wrong."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(key, value=value)
        self.value = value


class ImportFileError(TallybotError, ValueError):
    """A file refused as a whole; `problems` lists every problem found, with its line."""

    def __init__(self, problems: list[str], heading: str | None = None) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.heading = heading  # None: the file was refused and nothing was written

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Returns the heading (by default: refused, nothing written), then each problem."""
        heading = self.heading or text("cli.file_refused", lang, count=len(self.problems))
        return "\n".join([heading, *self.problems])


class SettingsError(Problem):
    """A setting (environment or .env) whose value cannot be used; the message names it."""
