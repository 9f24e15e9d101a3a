"""Storing tallies on the migrated database: validation, same-day replacement, audit, locks."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.confirmations import is_locked, locked_communes
from reporting.storage.models import Confirmation, Tally, TallyRevision, Unit
from reporting.tallies import Entry, Figures, TallyRejected, record_tally, submit_tally
from reporting.tally_reads import Standing, standings, tally_on
from reporting.units import find_hamlet

Sessions = async_sessionmaker[AsyncSession]

DONG_CHUA = "Bảo Cường/Xóm Đồng Chùa"  # 80 households
FIRST_DAY = date(2024, 1, 27)
SECOND_DAY = date(2024, 1, 28)


def figures(collected: int, invalid: int = 0, satisfied: tuple[int, ...] | None = None) -> Figures:
    """Returns figures with every valid form satisfied unless told otherwise."""
    valid = collected - invalid
    return Figures(collected, invalid, satisfied if satisfied is not None else (valid,) * 10)


async def _hamlet(sessions: Sessions, path: str = DONG_CHUA) -> Unit:
    async with sessions() as session:
        return await find_hamlet(session, path)


def _entry(
    hamlet: Unit, day: date, figs: Figures, clock: SimulatedClock, **options: object
) -> Entry:
    return replace(Entry(hamlet, day, figs, None, "telegram", clock.now()), **options)


async def _submit(sessions: Sessions, campaign: Campaign, entry: Entry) -> bool:
    async with sessions() as session:
        return (await submit_tally(session, campaign, entry)).replaced


async def _counts(sessions: Sessions) -> tuple[int, int]:
    """Returns (tallies, revisions), read through a fresh session."""
    async with sessions() as session:
        tallies = await session.scalar(select(func.count()).select_from(Tally))
        revisions = await session.scalar(select(func.count()).select_from(TallyRevision))
    return int(tallies or 0), int(revisions or 0)


async def _stored(
    sessions: Sessions, hamlet: Unit, day: date
) -> tuple[Tally, list[TallyRevision]]:
    async with sessions() as session:
        tally = await session.scalar(
            select(Tally).where(Tally.hamlet_id == hamlet.id, Tally.day == day)
        )
        assert tally is not None
        revisions = await session.scalars(
            select(TallyRevision)
            .where(TallyRevision.tally_id == tally.id)
            .order_by(TallyRevision.revision)
        )
        return tally, list(revisions)


async def test_first_submit_stores_the_tally_and_revision_one(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    figs = Figures(40, 2, (38, 37, 36, 35, 34, 33, 32, 31, 30, 29), note="Đề nghị sửa đường")
    async with session_factory() as session:
        submission = await submit_tally(session, loaded, _entry(hamlet, FIRST_DAY, figs, clock))
    assert not submission.replaced
    assert (submission.totals.collected, submission.totals.households) == (40, 80)

    tally, revisions = await _stored(session_factory, hamlet, FIRST_DAY)
    assert (tally.collected, tally.invalid, tuple(tally.satisfied)) == (40, 2, figs.satisfied)
    assert (tally.note, tally.revision, tally.channel) == ("Đề nghị sửa đường", 1, "telegram")
    assert [(r.revision, r.old, r.reason) for r in revisions] == [(1, None, "new")]
    assert revisions[0].new == {
        "collected": 40,
        "invalid": 2,
        "satisfied": list(figs.satisfied),
        "note": "Đề nghị sửa đường",
    }


async def test_resend_same_day_replaces_and_keeps_revision(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    assert not await _submit(
        session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(30), clock)
    )
    clock.advance(timedelta(hours=2))
    again = _entry(hamlet, FIRST_DAY, figures(35, 1), clock, reason="sửa số", channel="cli")
    assert await _submit(session_factory, loaded, again)

    assert await _counts(session_factory) == (1, 2)
    tally, revisions = await _stored(session_factory, hamlet, FIRST_DAY)
    assert (tally.collected, tally.invalid, tally.revision, tally.channel) == (35, 1, 2, "cli")
    assert [r.revision for r in revisions] == [1, 2]
    first, second = revisions
    assert second.old == first.new
    assert second.old is not None
    assert second.old["collected"] == 30
    assert (second.new["collected"], second.new["invalid"]) == (35, 1)
    assert second.reason == "sửa số"
    assert second.changed_at - first.changed_at == timedelta(hours=2)


async def test_replacement_without_reason_is_marked_replace(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(30), clock))
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(31), clock))
    _, revisions = await _stored(session_factory, hamlet, FIRST_DAY)
    assert [r.reason for r in revisions] == ["new", "replace"]


async def test_totals_are_sums_over_days(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(30, 2), clock))
    async with session_factory() as session:
        second = _entry(hamlet, SECOND_DAY, figures(20, 0, (19,) * 10), clock)
        submission = await submit_tally(session, loaded, second)
        first_day = await tally_on(session, hamlet.id, FIRST_DAY)
    assert submission.totals.collected == 50
    assert submission.totals.invalid == 2
    assert submission.totals.satisfied == (47,) * 10
    assert first_day is not None
    assert first_day.collected == 30  # the second day added to the totals, not to the first


REFUSALS = [
    pytest.param(
        Figures(30, 31, (0,) * 10),
        r"không hợp lệ \(31\) nhiều hơn .* từ 0 đến 30",
        id="invalid-over",
    ),
    pytest.param(
        Figures(40, 0, (40, 40, 40, 41, 40, 40, 40, 40, 40, 40)),
        r"Câu 4 \(Điện\): 41 .* từ 0 đến 40",
        id="satisfied-over-valid",
    ),
    pytest.param(
        Figures(40, 5, (35,) * 9 + (36,)), r"Câu 10 .* từ 0 đến 35", id="satisfied-over-q10"
    ),
    pytest.param(Figures(-3, 0, (0,) * 10), r"số âm \(-3\)", id="negative-collected"),
    pytest.param(Figures(10, -1, (0,) * 10), r"số âm \(-1\)", id="negative-invalid"),
    pytest.param(Figures(10, 0, (-1,) + (0,) * 9), "Câu 1", id="negative-satisfied"),
    pytest.param(Figures(10, 0, (5,) * 9), "mới có 9 số", id="nine-questions"),
    pytest.param(Figures(81, 0, (0,) * 10), "có 80 hộ", id="over-households"),
]


@pytest.mark.parametrize(("figs", "message"), REFUSALS)
async def test_refused_figures_change_nothing(
    session_factory: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    figs: Figures,
    message: str,
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, SECOND_DAY, figures(10), clock))
    before = await _stored(session_factory, hamlet, SECOND_DAY)

    for day in (FIRST_DAY, SECOND_DAY):  # a new day and a replacement alike
        with pytest.raises(TallyRejected, match=message):
            await _submit(session_factory, loaded, _entry(hamlet, day, figs, clock))

    assert await _counts(session_factory) == (1, 1)
    tally, _ = await _stored(session_factory, hamlet, SECOND_DAY)
    assert (tally.collected, tally.revision) == (before[0].collected, 1)


async def test_cumulative_collected_may_not_exceed_households(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(50), clock))

    with pytest.raises(TallyRejected) as refused:
        await _submit(session_factory, loaded, _entry(hamlet, SECOND_DAY, figures(31), clock))
    assert refused.value.message() == (
        "Xóm Đồng Chùa có 80 hộ. Các ngày khác đã thu 50 phiếu, thêm 31 phiếu ngày 28/01 "
        "thành 81 — nhiều hơn số hộ. Xin kiểm tra lại số phiếu thu về."
    )
    assert await _counts(session_factory) == (1, 1)

    await _submit(session_factory, loaded, _entry(hamlet, SECOND_DAY, figures(30), clock))
    # replacing a day counts its new figures instead of the old ones
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(50), clock))
    assert await _counts(session_factory) == (2, 3)


@pytest.mark.parametrize("day", [date(2024, 2, 4), date(2024, 2, 26)])
async def test_day_outside_collection_is_refused_unless_late_entry_allowed(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, day: date
) -> None:
    clock.set(datetime(2024, 3, 1, 9, tzinfo=loaded.timezone))
    hamlet = await _hamlet(session_factory)
    with pytest.raises(TallyRejected, match=r"27/01/2024 – 03/02/2024"):
        await _submit(session_factory, loaded, _entry(hamlet, day, figures(10), clock))
    assert await _counts(session_factory) == (0, 0)

    late = _entry(hamlet, day, figures(10), clock, allow_late=True)
    assert not await _submit(session_factory, loaded, late)
    assert await _counts(session_factory) == (1, 1)


@pytest.mark.parametrize(
    ("day", "today", "last"),
    [
        (date(2024, 1, 26), date(2024, 3, 1), "26/02/2024"),  # before collection began
        (date(2099, 1, 1), date(2024, 3, 1), "26/02/2024"),  # after the report was due
        (date(2024, 2, 27), date(2024, 3, 1), "26/02/2024"),
        (date(2024, 2, 5), date(2024, 2, 4), "04/02/2024"),  # a day still to come
    ],
)
async def test_a_late_entry_must_still_lie_within_the_campaign(
    session_factory: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    day: date,
    today: date,
    last: str,
) -> None:
    clock.set(datetime.combine(today, time(9), loaded.timezone))
    hamlet = await _hamlet(session_factory)
    late = _entry(hamlet, day, figures(10), clock, allow_late=True)
    with pytest.raises(TallyRejected) as refused:
        await _submit(session_factory, loaded, late)
    assert refused.value.message() == (
        f"Ngày {day:%d/%m/%Y} nằm ngoài chiến dịch: báo cáo muộn chỉ nhận các ngày từ "
        f"27/01/2024 (bắt đầu thu phiếu) đến {last}."
    )
    assert await _counts(session_factory) == (0, 0)


async def test_last_collection_day_is_accepted(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, date(2024, 2, 3), figures(10), clock))
    assert await _counts(session_factory) == (1, 1)


async def _lock(sessions: Sessions, hamlet: Unit, clock: SimulatedClock) -> int:
    assert hamlet.parent_id is not None
    async with sessions() as session:
        confirmation = Confirmation(commune_id=hamlet.parent_id, confirmed_at=clock.now())
        session.add(confirmation)
        await session.commit()
        return confirmation.id


async def test_locked_commune_refuses_changes_until_unlocked(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(10), clock))
    lock = await _lock(session_factory, hamlet, clock)

    for day in (FIRST_DAY, SECOND_DAY):
        with pytest.raises(TallyRejected, match="Số liệu của xã Bảo Cường đã được xác nhận"):
            await _submit(session_factory, loaded, _entry(hamlet, day, figures(20), clock))
    assert await _counts(session_factory) == (1, 1)

    async with session_factory() as session:
        confirmation = await session.get(Confirmation, lock)
        assert confirmation is not None
        confirmation.unlocked_at = clock.now()
        await session.commit()
        assert not await is_locked(session, confirmation.commune_id)

    assert await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(20), clock))
    assert await _counts(session_factory) == (1, 2)


async def test_lock_of_another_commune_does_not_matter(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    other = await _hamlet(session_factory, "Định Biên/Xóm Nà Mỏ")
    await _lock(session_factory, other, clock)
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(10), clock))
    assert await _counts(session_factory) == (1, 1)


async def test_concurrent_submissions_for_one_hamlet_day_end_in_one_tally(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)

    async def send(collected: int) -> bool:
        return await _submit(
            session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(collected), clock)
        )

    replaced = await asyncio.gather(send(30), send(40))

    assert sorted(replaced) == [False, True]
    assert await _counts(session_factory) == (1, 2)
    tally, revisions = await _stored(session_factory, hamlet, FIRST_DAY)
    assert tally.revision == 2
    assert revisions[1].old == revisions[0].new
    assert tally.collected == revisions[1].new["collected"]


async def test_record_tally_leaves_the_commit_to_the_caller(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    async with session_factory() as session:
        await record_tally(session, loaded, _entry(hamlet, FIRST_DAY, figures(10), clock))
        await session.rollback()
    assert await _counts(session_factory) == (0, 0)


async def test_session_is_usable_after_a_refusal(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    async with session_factory() as session:
        with pytest.raises(TallyRejected):
            await submit_tally(session, loaded, _entry(hamlet, FIRST_DAY, figures(99), clock))
        await submit_tally(session, loaded, _entry(hamlet, FIRST_DAY, figures(9), clock))
    assert await _counts(session_factory) == (1, 1)


async def test_timestamps_read_back_aware_in_utc(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(10), clock))
    tally, revisions = await _stored(session_factory, hamlet, FIRST_DAY)
    for moment in (tally.updated_at, revisions[0].changed_at):
        assert moment.utcoffset() == timedelta(0)
        assert moment.tzinfo == UTC
        assert moment == clock.now()  # 08:00 in Hồ Chí Minh City is 01:00 UTC
        assert moment.hour == 1


async def test_standings_tell_forms_of_other_days_and_whether_the_day_has_a_tally(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    other = await _hamlet(session_factory, "Bảo Cường/Xóm Trung Tâm")
    await _submit(session_factory, loaded, _entry(hamlet, FIRST_DAY, figures(30), clock))
    await _submit(session_factory, loaded, _entry(hamlet, SECOND_DAY, figures(12), clock))
    async with session_factory() as session:
        found = await standings(session, [hamlet.id, other.id], SECOND_DAY)
        on_first = await standings(session, [hamlet.id], FIRST_DAY)
    assert found == {hamlet.id: Standing(30, True), other.id: Standing(0, False)}
    assert on_first == {hamlet.id: Standing(12, True)}


async def test_locked_communes_are_those_confirmed_and_not_reopened(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    hamlet = await _hamlet(session_factory)
    other = await _hamlet(session_factory, "Định Biên/Xóm Nà Mỏ")
    assert hamlet.parent_id is not None
    assert other.parent_id is not None
    async with session_factory() as session:
        session.add(Confirmation(commune_id=hamlet.parent_id, confirmed_at=clock.now()))
        session.add(
            Confirmation(
                commune_id=other.parent_id, confirmed_at=clock.now(), unlocked_at=clock.now()
            )
        )
        await session.commit()
        locked = await locked_communes(session, {hamlet.parent_id, other.parent_id})
    assert locked == {hamlet.parent_id}
