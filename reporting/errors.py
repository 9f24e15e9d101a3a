"""The base of every refusal a user or the admin can see: a catalog key and its figures."""

from __future__ import annotations

from reporting.i18n import text


class Problem(ValueError):
    """Something the user asked for that cannot be done; `message(lang)` explains it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(text(key, "vi", **params))
        self.key = key
        self.params = params

    def message(self, lang: str = "vi") -> str:
        """Returns the explanation in the user's language."""
        return text(self.key, lang, **self.params)
