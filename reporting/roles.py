"""The roles a user may hold (SPEC §2.2), apart from the models so that the CLI's parser can
offer them without loading SQLAlchemy."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do (SPEC §2.2)."""

    HAMLET = "hamlet"
    COMMUNE = "commune"
    OFFICIAL = "official"
    DISTRICT = "district"
