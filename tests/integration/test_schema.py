"""The schema: migrations and ORM models agree, migrate both ways, and SQLite is tuned."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from backends import Database, run_sql
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.campaign import load_campaign
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Base
from reporting.storage.schema import (
    SchemaOutdated,
    alembic_config,
    alembic_head_revision,
    head_revision,
    require_current,
    upgrade,
)
from reporting.summaries import CampaignSummary, summarize

TABLES = {"alembic_version", *Base.metadata.tables}


def _diff(connection: Connection) -> list[Any]:
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _run(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_drift_check_notices_a_missing_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.exec_driver_sql("DROP TABLE tally_revisions")
        diff = await connection.run_sync(_diff)
    assert any(change[0] == "add_table" and change[1].name == "tally_revisions" for change in diff)


def test_upgrade_creates_a_fresh_database_matching_the_models(empty_database: Database) -> None:
    url = empty_database.url
    upgrade(url)
    assert asyncio.run(_run(url, _tables)) == TABLES
    assert asyncio.run(_run(url, _diff)) == []


def test_upgrade_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    assert asyncio.run(_run(database_url, _tables)) == {"alembic_version"}
    upgrade(database_url)
    assert asyncio.run(_run(database_url, _tables)) == TABLES
    assert asyncio.run(_run(database_url, _diff)) == []


def test_downgraded_database_is_refused_until_init(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")

    async def check() -> None:
        engine = create_engine(database_url)
        try:
            with pytest.raises(SchemaOutdated, match="tallybot init"):
                await require_current(engine)
        finally:
            await engine.dispose()

    asyncio.run(check())


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    assert asyncio.run(_run(database_url, _tables)) == TABLES


async def test_migrated_database_is_at_the_newest_revision(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == head_revision()
    await require_current(engine)


@pytest.mark.sqlite_only("PRAGMAs are SQLite's")
async def test_wal_foreign_keys_and_busy_timeout_are_on(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        journal = await connection.scalar(text("PRAGMA journal_mode"))
        foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
        busy_timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    assert (journal, foreign_keys, busy_timeout) == ("wal", 1, 5000)


async def test_foreign_keys_are_enforced(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError, match="(?i)FOREIGN KEY"):
            await connection.exec_driver_sql(
                "INSERT INTO user_units (user_id, unit_id) VALUES (999, 999)"
            )
        await connection.rollback()


def test_upgrading_a_database_with_tallies_starts_the_running_totals_from_them(
    empty_database: Database,
) -> None:
    url = empty_database.url
    command.upgrade(alembic_config(url), "0002")
    moment = "2024-01-28 09:00:00.000000"
    for unit, parent, level in ((1, "NULL", "district"), (2, 1, "commune"), (3, 2, "hamlet")):
        run_sql(
            url,
            "INSERT INTO units (id, parent_id, level, name, name_key, households, surveyed,"
            f" created_at, updated_at) VALUES ({unit}, {parent}, '{level}', 'Đơn vị {unit}',"
            f" 'don vi {unit}', 80, TRUE, '{moment}', '{moment}')",
        )
    for day, collected in (("2024-01-27", 30), ("2024-01-28", 25)):
        satisfied = ", ".join([str(collected - 1)] * 10)
        run_sql(
            url,
            "INSERT INTO tallies (hamlet_id, day, collected, invalid, q1, q2, q3, q4, q5, q6,"
            " q7, q8, q9, q10, revision, channel, updated_at) VALUES"
            f" (3, '{day}', {collected}, 1, {satisfied}, 1, 'cli', '{moment}')",
        )

    command.upgrade(alembic_config(url), "0010")  # the last revision with one column a question
    assert run_sql(url, "SELECT hamlet_id, collected, invalid, q1, q10 FROM hamlet_totals") == [
        (3, 55, 2, 53, 53)
    ]


def test_upgrading_a_database_with_alerts_moves_every_delivery_to_the_outbox(
    empty_database: Database,
) -> None:
    url = empty_database.url
    command.upgrade(alembic_config(url), "0004")
    moment = "2024-01-28 13:30:00.000000"  # 20:30 in Định Hóa
    run_sql(
        url, f"INSERT INTO users VALUES (1, 'Cán bộ', 'district', 'vi', NULL, '{moment}', NULL)"
    )
    run_sql(url, f"INSERT INTO users VALUES (2, 'Zalo', 'district', 'vi', NULL, '{moment}', NULL)")
    run_sql(
        url,
        "INSERT INTO identities (id, user_id, channel, external_id, chat_id, created_at)"
        f" VALUES (1, 1, 'telegram', '501', '501', '{moment}')",
    )
    for number, (status, reason) in enumerate(
        [("sent", None), ("pending", None), ("failed", "blocked the bot"), ("skipped", "x")],
        start=1,
    ):
        delivered = f"'{moment}'" if status == "sent" else "NULL"
        why = f"'{reason}'" if reason else "NULL"
        user = 2 if status == "skipped" else 1
        run_sql(
            url,
            "INSERT INTO alert_log VALUES"
            f" ({number}, 'k{number}', 'digest', {user}, 'tin {number}', '{moment}',"
            f" '{status}', {why}, {delivered})",
        )

    upgrade(url)
    moved = run_sql(
        url, "SELECT alert_id, chat_id, text, state, reason, sent_at FROM outbox ORDER BY id"
    )
    assert moved == [
        (1, "501", "tin 1", "sent", None, moment),
        (2, "501", "tin 2", "pending", None, None),
        (3, "501", "tin 3", "blocked", "blocked the bot", None),
    ]  # the fourth had no chat: its claim stays, nothing to deliver
    assert len(run_sql(url, "SELECT id FROM alert_log")) == 4
    assert asyncio.run(_run(url, _diff)) == []

    command.downgrade(alembic_config(url), "0004")
    restored = run_sql(url, "SELECT id, status, reason, delivered_at FROM alert_log ORDER BY id")
    assert restored == [
        (1, "sent", None, moment),
        (2, "pending", None, None),
        (3, "failed", "blocked the bot", None),
        (4, "skipped", None, None),
    ]


def test_going_back_before_the_outbox_is_refused_while_replies_wait(database_url: str) -> None:
    url = database_url
    moment = "2024-01-28 09:00:00.000000"
    run_sql(
        url,
        "INSERT INTO outbox (channel, chat_id, kind, text, token, columns, created_at,"
        " not_before, expires_at, next_attempt_at, attempts, state, parts_sent) VALUES"
        f" ('telegram', '501', 'text', '✅ Đã lưu', '', 2, '{moment}', '{moment}', '{moment}',"
        f" '{moment}', 0, 'pending', 0)",
    )
    with pytest.raises(RuntimeError, match="1 replies are still waiting"):
        command.downgrade(alembic_config(database_url), "0004")
    assert len(run_sql(url, "SELECT id FROM outbox")) == 1


def test_going_back_before_user_invites_makes_unused_ones_expire(database_url: str) -> None:
    url = database_url
    created, expires = "2024-01-28 09:00:00.000000", "2024-02-11 09:00:00.000000"
    run_sql(
        url,
        "INSERT INTO users (id, name, role, language, created_at)"
        f" VALUES (1, 'Cán bộ', 'district', 'vi', '{created}')",
    )
    for code, user_id in (("NEWUSER2", "NULL"), ("LINKUSR2", "1")):
        run_sql(
            url,
            "INSERT INTO invites (code, role, unit_ids, created_at, expires_at, user_id)"
            f" VALUES ('{code}', 'district', '[]', '{created}', '{expires}', {user_id})",
        )
    command.downgrade(alembic_config(database_url), "0005")
    assert run_sql(url, "SELECT code, expires_at FROM invites ORDER BY code") == [
        ("LINKUSR2", created),  # it would have made a new user: it no longer works
        ("NEWUSER2", expires),
    ]
    upgrade(database_url)
    assert asyncio.run(_run(database_url, _diff)) == []


def test_chat_limits_come_with_0007_and_go_with_its_downgrade(empty_database: Database) -> None:
    url = empty_database.url
    command.upgrade(alembic_config(url), "0006")
    assert "chat_limits" not in asyncio.run(_run(url, _tables))
    command.upgrade(alembic_config(url), "0007")
    insert = (
        "INSERT INTO chat_limits (channel, external_id, kind, window_start, count)"
        " VALUES ('telegram', '501', 'invite', '2024-01-28 09:0{minute}:00.000000', {count})"
    )
    run_sql(url, insert.format(minute=0, count=5))
    with pytest.raises(IntegrityError):  # one count per account and kind
        run_sql(url, insert.format(minute=5, count=1))
    command.downgrade(alembic_config(url), "0006")
    assert "chat_limits" not in asyncio.run(_run(url, _tables))
    upgrade(url)
    assert asyncio.run(_run(url, _diff)) == []


def test_head_revision_read_from_the_headers_is_alembics() -> None:
    assert head_revision() == alembic_head_revision() is not None


def test_0008_keeps_one_open_confirmation_and_refuses_rows_breaking_the_tally_rules(
    empty_database: Database,
) -> None:
    url = empty_database.url
    command.upgrade(alembic_config(url), "0007")
    moment = "2024-02-04 09:00:00.000000"
    for unit, parent, level in ((1, "NULL", "district"), (2, 1, "commune"), (3, 2, "hamlet")):
        run_sql(
            url,
            "INSERT INTO units (id, parent_id, level, name, name_key, households, surveyed,"
            f" created_at, updated_at) VALUES ({unit}, {parent}, '{level}', 'Đơn vị {unit}',"
            f" 'don vi {unit}', 80, TRUE, '{moment}', '{moment}')",
        )
    tally = (
        "INSERT INTO tallies (id, hamlet_id, day, collected, invalid, q1, q2, q3, q4, q5, q6,"
        " q7, q8, q9, q10, revision, channel, updated_at) VALUES"
        " ({id}, 3, '{day}', 30, 2, 28, 28, 28, 28, 28, 28, 28, 28, 28, {q10}, 1, 'cli',"
        f" '{moment}')"
    )
    run_sql(url, tally.format(id=1, day="2024-01-27", q10=28))
    run_sql(  # a revision refers to the tally: rebuilding the table must keep it
        url,
        "INSERT INTO tally_revisions (tally_id, revision, changed_at, channel, new, reason)"
        f" VALUES (1, 1, '{moment}', 'cli', '{{}}', 'new')",
    )
    confirm = (
        "INSERT INTO confirmations (commune_id, confirmed_at)"
        " VALUES (2, '2024-02-04 09:0{minute}:00.000000')"
    )
    run_sql(url, confirm.format(minute=1))
    run_sql(url, confirm.format(minute=2))  # the race 0008 closes

    command.upgrade(alembic_config(url), "0010")  # the last revision with one column a question
    assert run_sql(url, "SELECT id, unlocked_at FROM confirmations ORDER BY id") == [
        (1, None),
        (2, "2024-02-04 09:02:00.000000"),  # closed where it was made; the first stays
    ]
    assert run_sql(url, "SELECT id FROM tally_revisions") == [(1,)]
    with pytest.raises(IntegrityError):
        run_sql(url, confirm.format(minute=3))
    with pytest.raises(IntegrityError, match="(?i)check"):
        run_sql(url, tally.format(id=2, day="2024-01-28", q10=29))  # 29 satisfied of 28 valid
    with pytest.raises(IntegrityError, match="(?i)check"):
        run_sql(url, "UPDATE units SET households = -1 WHERE id = 3")
    with pytest.raises(IntegrityError, match="(?i)check"):
        run_sql(url, "INSERT INTO hamlet_totals VALUES (3, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)")

    command.downgrade(alembic_config(url), "0007")
    run_sql(url, confirm.format(minute=3))
    run_sql(url, tally.format(id=2, day="2024-01-28", q10=29))


def test_positions_come_with_0010_and_going_back_keeps_the_people(
    empty_database: Database,
) -> None:
    url = empty_database.url
    command.upgrade(alembic_config(url), "0010")
    created = "2024-01-20 09:00:00.000000"
    run_sql(
        url,
        "INSERT INTO users (id, name, role, language, position, created_at)"
        f" VALUES (1, 'Nguyễn Văn An', 'official', 'vi', 'Phó Chủ tịch UBND huyện', '{created}')",
    )
    command.downgrade(alembic_config(url), "0009")
    assert run_sql(url, "SELECT id, name, role FROM users") == [(1, "Nguyễn Văn An", "official")]
    upgrade(url)
    assert run_sql(url, "SELECT position FROM users") == [(None,)]
    assert asyncio.run(_run(url, _diff)) == []


def _reference_tallies_at_0010(url: str) -> None:
    """Fills a database at 0010 with two communes' tallies of the ten-question form."""
    command.upgrade(alembic_config(url), "0010")
    moment = "2024-01-28 09:00:00.000000"
    units = [(1, "NULL", "district", 0), (2, 1, "commune", 0), (3, 2, "hamlet", 80)]
    units += [(4, 1, "commune", 0), (5, 4, "hamlet", 120), (6, 4, "hamlet", 60)]
    for unit, parent, level, households in units:
        run_sql(
            url,
            "INSERT INTO units (id, parent_id, level, name, name_key, households, surveyed,"
            f" created_at, updated_at) VALUES ({unit}, {parent}, '{level}', 'Đơn vị {unit}',"
            f" 'don vi {unit}', {households}, TRUE, '{moment}', '{moment}')",
        )
    tallies = [(3, "2024-01-27", 30, 1), (3, "2024-01-28", 25, 0), (5, "2024-01-27", 50, 2)]
    tallies += [(6, "2024-01-28", 40, 0)]
    for number, (hamlet, day, collected, invalid) in enumerate(tallies, start=1):
        valid = collected - invalid
        answers = ", ".join(str(valid - (q + number) % 4) for q in range(1, 11))
        run_sql(
            url,
            "INSERT INTO tallies (hamlet_id, day, collected, invalid, q1, q2, q3, q4, q5, q6,"
            " q7, q8, q9, q10, revision, channel, updated_at) VALUES"
            f" ({hamlet}, '{day}', {collected}, {invalid}, {answers}, 1, 'cli', '{moment}')",
        )
    run_sql(
        url,
        "INSERT INTO hamlet_totals SELECT hamlet_id, SUM(collected), SUM(invalid), "
        + ", ".join(f"SUM(q{q})" for q in range(1, 11))
        + " FROM tallies GROUP BY hamlet_id",
    )
    for measure in ("participation", "average_q1_q9", "q10"):
        run_sql(
            url,
            "INSERT INTO verdict_states (unit_id, measure, verdict, updated_at, changes)"
            f" VALUES (2, '{measure}', 'at_risk', '{moment}', 1)",
        )


def test_0011_moves_ten_columns_into_one_array_losing_nothing_and_goes_back(
    empty_database: Database,
) -> None:
    url = empty_database.url
    _reference_tallies_at_0010(url)
    columns = ", ".join(f"q{q}" for q in range(1, 11))
    before = run_sql(url, f"SELECT id, collected, invalid, {columns} FROM tallies ORDER BY id")
    totals = run_sql(url, f"SELECT hamlet_id, {columns} FROM hamlet_totals ORDER BY hamlet_id")
    added = ", ".join(f"SUM(q{q})" for q in range(1, 11))
    sums = run_sql(url, f"SELECT SUM(collected), SUM(invalid), {added} FROM tallies")

    upgrade(url)
    after = run_sql(url, "SELECT id, collected, invalid, satisfied FROM tallies ORDER BY id")
    assert [(*row[:3], *_array(row[3])) for row in after] == [tuple(row) for row in before]
    moved = run_sql(url, "SELECT hamlet_id, satisfied FROM hamlet_totals ORDER BY hamlet_id")
    assert [(row[0], *_array(row[1])) for row in moved] == [tuple(row) for row in totals]
    assert run_sql(url, "SELECT measure FROM verdict_states ORDER BY measure") == [
        ("average",),
        ("overall",),
        ("participation",),
    ]
    assert asyncio.run(_run(url, _diff)) == []
    summary = asyncio.run(_summary(url))
    district = summary.district.measures.counts
    assert (district.collected, district.invalid, *district.satisfied) == tuple(sums[0])
    with pytest.raises(IntegrityError, match="(?i)check"):  # fewer than two answers
        run_sql(url, "UPDATE tallies SET satisfied = '[1]' WHERE id = 1")

    command.downgrade(alembic_config(url), "0010")
    assert (
        run_sql(url, f"SELECT id, collected, invalid, {columns} FROM tallies ORDER BY id")
        == before
    )
    assert run_sql(url, "SELECT measure FROM verdict_states ORDER BY measure") == [
        ("average_q1_q9",),
        ("participation",),
        ("q10",),
    ]


def test_going_back_before_0011_is_refused_while_a_campaign_asks_other_than_ten(
    empty_database: Database,
) -> None:
    url = empty_database.url
    _reference_tallies_at_0010(url)
    upgrade(url)
    nineteen = "[" + ", ".join(["20"] * 19) + "]"
    run_sql(url, f"UPDATE tallies SET satisfied = '{nineteen}' WHERE id = 1")

    with pytest.raises(Exception, match="ten"):
        command.downgrade(alembic_config(url), "0010")
    assert run_sql(url, "SELECT COUNT(*) FROM tallies") == [(4,)]


def _array(stored: Any) -> list[int]:
    """Returns a JSON array as the driver gave it: text on SQLite, a list on PostgreSQL."""
    return json.loads(stored) if isinstance(stored, str) else list(stored)


async def _summary(url: str) -> CampaignSummary:
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            campaign = load_campaign()
            return await summarize(
                session, campaign, campaign.end_of_day(campaign.collection_days[-1])
            )
    finally:
        await engine.dispose()
