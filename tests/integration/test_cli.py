"""`tallybot` in-process: every command's success and failure, never a traceback."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import json
import re
import socket
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from backends import Database, run_sql, sqlite_url
from docx import Document
from openpyxl import Workbook
from qr_pages import read_pages
from sqlalchemy import inspect

from bot.cli import main
from reporting.campaign import reference_source
from reporting.invite_slips import CSV_COLUMNS
from reporting.people import CODE_ALPHABET, InviteRefused, redeem_invite
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.tallies import NOTE_LIMIT

HEADER = "commune,hamlet,date,collected,invalid," + ",".join(f"q{q}" for q in range(1, 11))
ALL_TEN = ",".join(["8"] * 10)
BACKUP = "`tallybot backup` copies a SQLite file; PostgreSQL is backed up with pg_dump"


@dataclass(frozen=True)
class Result:
    """What one command did: its exit code and what it printed."""

    code: int
    out: str
    err: str


@dataclass
class Cli:
    """Runs `tallybot` in this process against the test's database."""

    capsys: pytest.CaptureFixture[str]
    database: Database
    directory: Path

    def __call__(self, *argv: str) -> Result:
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err, err
        return Result(code, out, err)

    def count(self, table: str) -> int:
        """Returns the rows of a table, read through a connection of its own."""
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

    def query(self, sql: str) -> list[tuple[object, ...]]:
        """Returns the rows of a query (or runs a change), through a connection of its own."""
        return run_sql(self.database.url, sql)

    def untouched(self) -> bool:
        """Says whether nothing was created: no SQLite file, no table on PostgreSQL."""
        if self.database.path is not None:
            return not self.database.path.exists()
        return asyncio.run(_tables(self.database.url)) == []

    def write(self, name: str, content: str) -> Path:
        """Writes a UTF-8 file next to the database and returns its path."""
        path = self.directory / name
        path.write_text(content, encoding="utf-8")
        return path


async def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()


def _cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    directory: Path,
    database: Database,
) -> Cli:
    monkeypatch.chdir(directory)
    for field in fields(Settings):
        monkeypatch.delenv(field.name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database.url)
    return Cli(capsys, database, directory)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    empty_database: Database,
) -> Cli:
    """`tallybot` on a database not created yet (on PostgreSQL: without tables); no .env."""
    return _cli(capsys, monkeypatch, tmp_path, empty_database)


@pytest.fixture
def ready(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    loaded_database: Database,
) -> Cli:
    """`tallybot` after `init` and `roster import` of the sample roster."""
    return _cli(capsys, monkeypatch, tmp_path, loaded_database)


PROGRESS = re.compile(r"^(Đang nhập|Đang xuất): \d+ %$")  # shown once a command runs > 1 s


def _said(err: str) -> list[str]:
    """Returns the lines a command wrote to standard error, its progress lines left out: how
    many appear depends on the machine's speed, what the command says does not."""
    return [line for line in err.strip().splitlines() if not PROGRESS.match(line)]


def _one_line(result: Result) -> str:
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


# --- init and roster import ---------------------------------------------------------------


def test_init_creates_the_database_and_loads_the_campaign(cli: Cli) -> None:
    result = cli("init")
    assert result.code == 0
    assert "Đã sẵn sàng" in result.out
    assert "Định Hóa" in result.out
    assert cli.count("campaigns") == 1
    assert cli.count("units") == 1  # the district

    assert cli("init").code == 0  # twice is fine
    assert cli.count("campaigns") == 1


def test_init_then_roster_import_loads_the_sample(cli: Cli, sample_roster: Path) -> None:
    cli("init")
    result = cli("roster", "import", str(sample_roster))
    assert result.code == 0
    assert result.out.strip() == (
        "Đã nạp danh sách: 23 xã; thêm 311 xóm, cập nhật 0 xóm, 0 xóm không đổi."
    )
    assert cli.count("units") == 1 + 23 + 311

    again = cli("roster", "import", str(sample_roster))
    assert "thêm 0 xóm, cập nhật 0 xóm, 311 xóm không đổi" in again.out
    assert cli.count("units") == 1 + 23 + 311


def test_init_with_a_bad_campaign_file_names_the_key(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = cli.write("campaign.toml", "[campaign]\nname = 'x'\ndistrict = ''\n")
    monkeypatch.setenv("CAMPAIGN_FILE", str(campaign))
    message = _one_line(cli("init"))
    assert "campaign.district" in message


def test_init_with_a_missing_campaign_file_fails_cleanly(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_FILE", "nowhere.toml")
    assert "nowhere.toml" in _one_line(cli("init"))
    assert cli.untouched()


def test_init_refuses_a_campaign_that_changes_the_questions_once_tallies_exist(
    ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = reference_source()
    fewer = reference[: reference.index('[[questions]]\nlabel = "Hài lòng chung')]
    fewer = fewer.replace("overall = 10 ", "overall = 9  ").replace(", 9]", "]")
    monkeypatch.setenv("CAMPAIGN_FILE", str(ready.write("nine.toml", fewer)))
    assert ready("init").code == 0  # no tally yet: the campaign may still change its questions
    monkeypatch.setenv("CAMPAIGN_FILE", str(ready.write("ten.toml", reference)))
    assert ready("init").code == 0
    added = ready(
        "tally", "add", "--hamlet", "Định Biên/Xóm Nà Mỏ", "--date", "27/01/2024",
        "--collected", "10", "--satisfied", ",".join(["9"] * 10),
    )  # fmt: skip
    assert added.code == 0, added.err
    campaigns = ready.count("campaigns")

    monkeypatch.setenv("CAMPAIGN_FILE", str(ready.write("nine.toml", fewer)))
    message = _one_line(ready("init"))
    assert message == (
        f"Tệp chiến dịch {ready.directory / 'nine.toml'} có 9 câu hỏi, chiến dịch đang chạy có "
        "10 câu và đã có số liệu báo cáo. Không thể thêm hoặc bớt câu hỏi giữa chừng: giữ "
        "đúng 10 câu."
    )
    assert ready.count("campaigns") == campaigns


@pytest.mark.parametrize(("name", "value"), [("INVITE_DAYS", "two weeks"), ("LOG_LEVEL", "LOUD")])
def test_bad_setting_fails_cleanly(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert name in _one_line(cli("init"))
    assert cli.untouched()


def test_bad_roster_file_lists_its_lines_and_writes_nothing(cli: Cli) -> None:
    cli("init")
    roster = cli.write(
        "roster.csv",
        "xã,xóm,số hộ\nBảo Cường,Xóm Một,50\nBảo Cường,Xóm Hai,abc\nBảo Cường,,40\n"
        "Bảo Cường,Xóm Ba,-4\n",
    )
    result = cli("roster", "import", str(roster))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("Tệp bị từ chối, không có gì được ghi (3 lỗi)")
    assert [line.split(",")[0].split(":")[0] for line in lines[1:]] == [
        "Dòng 3",
        "Dòng 4",
        "Dòng 5",
    ]
    assert cli.count("units") == 1


def test_roster_names_and_households_too_big_to_store_are_refused(cli: Cli) -> None:
    cli("init")
    longest = "Xóm " + "Đ" * 196  # 200 characters: as long as a name may be
    roster = cli.write(
        "roster.csv",
        f"xã,xóm,số hộ\nBảo Cường,{longest},50\nBảo Cường,{longest}x,50\n"
        f"{'Ư' * 201},Xóm Một,50\nBảo Cường,Xóm Hai,{2**31}\n",
    )
    result = cli("roster", "import", str(roster))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("Tệp bị từ chối, không có gì được ghi (3 lỗi)")
    assert [line.split(",")[0] for line in lines[1:]] == ["Dòng 3", "Dòng 4", "Dòng 5"]
    assert "tên dài 201 ký tự; tối đa 200 ký tự" in lines[1]
    assert "quá lớn" in lines[3]
    assert cli.count("units") == 1

    cli.write("roster.csv", f"xã,xóm,số hộ\nBảo Cường,{longest},999999999\n")
    assert cli("roster", "import", str(roster)).code == 0
    assert cli.query("SELECT name, households FROM units WHERE level = 'hamlet'") == [
        (longest, 999_999_999)
    ]


def test_a_campaign_name_too_long_to_store_is_refused(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = reference_source().replace('district = "Định Hóa"', f'district = "{"Đ" * 201}"')
    monkeypatch.setenv("CAMPAIGN_FILE", str(cli.write("campaign.toml", source)))
    message = _one_line(cli("init"))
    assert "campaign.district" in message
    assert "dài quá 200 ký tự" in message


def test_missing_roster_file_is_refused(cli: Cli) -> None:
    cli("init")
    assert "Không tìm thấy tệp" in cli("roster", "import", "nowhere.csv").err
    assert cli.count("units") == 1


# --- before init --------------------------------------------------------------------------


COMMANDS = [
    ("users",),
    ("revoke", "1"),
    ("invite", "--role", "district"),
    ("roster", "import", "ROSTER"),
    ("tally", "add", "--hamlet", "Bảo Cường/Xóm Trung Tâm", "--date", "27/01/2024")
    + ("--collected", "10", "--satisfied", ALL_TEN),
    ("tally", "import", "TALLIES"),
    ("export", "--format", "json"),
    pytest.param(("backup", "copy.db"), marks=pytest.mark.sqlite_only(BACKUP)),
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
def test_command_before_init_says_to_run_init(
    cli: Cli, sample_roster: Path, argv: tuple[str, ...]
) -> None:
    tallies = cli.write(
        "tallies.csv", f"{HEADER}\nBảo Cường,Xóm Trung Tâm,27/01/2024,10,0,{ALL_TEN}\n"
    )
    paths = {"ROSTER": str(sample_roster), "TALLIES": str(tallies)}
    message = _one_line(cli(*(paths.get(arg, arg) for arg in argv)))
    assert message.endswith("Hãy chạy: tallybot init")
    assert cli.untouched()
    assert not (cli.directory / "copy.db").exists()


def test_migrated_database_without_campaign_says_to_run_init(
    cli: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert _one_line(cli("users")) == "Chưa nạp chiến dịch nào. Hãy chạy: tallybot init"


# --- invite, users, revoke ----------------------------------------------------------------


def _codes(result: Result) -> list[str]:
    assert result.code == 0, result.err
    codes = result.out.split()
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)
    return codes


@pytest.mark.parametrize(
    ("role", "units"),
    [
        ("district", ()),
        ("commune", ("--unit", "Bảo Cường")),
        ("official", ("--unit", "bao cuong", "--unit", "Phú Đình")),
        ("hamlet", ("--unit", "Bảo Cường/Xóm Trung Tâm")),
        ("hamlet", ("--unit", "Xóm Nà Mò")),  # a hamlet's own name, unique in the district
    ],
    ids=["district", "commune", "official", "hamlet", "hamlet-by-name"],
)
def test_invite_prints_one_code_per_line(ready: Cli, role: str, units: tuple[str, ...]) -> None:
    codes = _codes(ready("invite", "--role", role, *units, "--count", "3"))
    assert len(codes) == len(set(codes)) == 3
    assert ready.count("invites") == 3


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--role", "hamlet", "--unit", "Bảo Cường"), "cần đúng một xóm"),
        (("--role", "hamlet"), "cần đúng một xóm"),
        (("--role", "commune"), "cần đúng một xã"),
        (("--role", "commune", "--unit", "Bảo Cường/Xóm Trung Tâm"), "cần đúng một xã"),
        (("--role", "official"), "một hoặc nhiều xã"),
        (("--role", "district", "--unit", "Bảo Cường"), "không cần --unit"),
        (("--role", "district", "--count", "0"), "--count phải từ 1 đến 500"),
        (("--role", "commune", "--unit", "Hà Nội"), "Không tìm thấy xã «Hà Nội»"),
        (("--role", "hamlet", "--unit", "Bảo Cường/Xóm Xa"), "Không tìm thấy xóm «Xóm Xa»"),
    ],
)
def test_invite_refusals_are_one_line(ready: Cli, argv: tuple[str, ...], expected: str) -> None:
    assert expected in _one_line(ready("invite", *argv))
    assert ready.count("invites") == 0


def test_invite_with_an_ambiguous_hamlet_name_lists_the_candidates(ready: Cli) -> None:
    message = _one_line(ready("invite", "--role", "hamlet", "--unit", "Xóm Trung Tâm"))
    for candidate in (
        "Bảo Cường/Xóm Trung Tâm",
        "Phú Đình/Xóm Trung Tâm",
        "Tân Dương/Xóm Trung Tâm",
    ):
        assert candidate in message
    assert ready.count("invites") == 0


def test_unknown_role_is_a_usage_error(ready: Cli) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["invite", "--role", "mayor"])
    assert exited.value.code == 2
    err = ready.capsys.readouterr().err
    assert "invalid choice: 'mayor'" in err
    assert "Traceback" not in err


def _register(cli: Cli, code: str, external_id: str, name: str) -> None:
    async def redeem() -> None:
        engine = create_engine(cli.database.url)
        try:
            async with sessions(engine)() as session:
                await redeem_invite(
                    session,
                    code,
                    channel="telegram",
                    external_id=external_id,
                    chat_id=external_id,
                    display_name=name,
                    now=datetime.now(UTC),
                )
        finally:
            await engine.dispose()

    asyncio.run(redeem())


def test_a_chat_name_too_long_to_store_is_shortened(ready: Cli) -> None:
    [code] = _codes(ready("invite", "--role", "district"))
    _register(ready, code, "3003", "Tên rất dài " * 30)  # 360 characters, as Zalo may send
    [(name, display_name)] = ready.query(
        "SELECT u.name, i.display_name FROM users u JOIN identities i ON i.user_id = u.id"
    )
    assert name == display_name == ("Tên rất dài " * 30)[:200]


def test_users_revoke_and_users_again(ready: Cli) -> None:
    assert "Chưa có người dùng nào" in ready("users").out
    [hamlet_code] = _codes(
        ready("invite", "--role", "hamlet", "--unit", "Bảo Cường/Xóm Trung Tâm")
    )
    [district_code] = _codes(ready("invite", "--role", "district"))
    _register(ready, hamlet_code, "1001", "Nguyễn Văn An")
    _register(ready, district_code, "2002", "Trần Thị Bình")

    # 12:05 UTC is 19:05 in campaign time (Asia/Ho_Chi_Minh)
    ready.query(
        "UPDATE identities SET last_seen_at = '2024-01-28 12:05:00.000000' "
        "WHERE external_id = '1001'",
    )
    listed = ready("users")
    assert listed.code == 0
    first, second = listed.out.strip().splitlines()
    assert first.split("\t") == [
        "1",
        "hamlet",
        "đang hoạt động",
        "Nguyễn Văn An",
        "Bảo Cường/Xóm Trung Tâm",
        "telegram:1001",
        "lần cuối 28/01/2024 19:05 qua telegram",
    ]
    assert second.split("\t")[:5] == ["2", "district", "đang hoạt động", "Trần Thị Bình", "—"]
    assert second.split("\t")[6].startswith("lần cuối ")

    revoked = ready("revoke", "1")
    assert revoked.code == 0
    assert "Đã khóa người dùng 1 (Nguyễn Văn An)" in revoked.out
    assert ready("users").out.splitlines()[0].split("\t")[2] == "đã khóa"
    assert ready.count("users") == 2


def test_revoke_of_an_unknown_user_is_refused(ready: Cli) -> None:
    assert _one_line(ready("revoke", "42")) == "Không có người dùng số 42."


def test_invite_for_a_user_links_another_account_to_them(ready: Cli) -> None:
    [code] = _codes(ready("invite", "--role", "official", "--unit", "Bảo Cường"))
    _register(ready, code, "1001", "Nguyễn Văn An")
    [linking] = _codes(ready("invite", "--user", "1"))
    assert ready.query(f"SELECT user_id, role FROM invites WHERE code = '{linking}'") == [
        (1, "official")
    ]
    _register(ready, linking, "2002", "An (máy thứ hai)")
    [line] = ready("users").out.strip().splitlines()
    assert line.split("\t")[:6] == [
        "1",
        "official",
        "đang hoạt động",
        "Nguyễn Văn An",
        "Bảo Cường",
        "telegram:1001, telegram:2002",
    ]
    assert ready.count("users") == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--user", "42"), "Không có người dùng số 42."),
        (("--user", "1", "--role", "district"), "--user không đi cùng --role, --unit hay --count"),
        (
            ("--user", "1", "--unit", "Bảo Cường"),
            "--user không đi cùng --role, --unit hay --count",
        ),
        (("--user", "1", "--count", "1"), "--user không đi cùng --role, --unit hay --count"),
        ((), "Cần --role (mã mời cho người mới) hoặc --user"),
    ],
)
def test_invite_for_a_user_refusals_are_one_line(
    ready: Cli, argv: tuple[str, ...], expected: str
) -> None:
    assert expected in _one_line(ready("invite", *argv))
    assert ready.count("invites") == 0


def test_invite_for_a_revoked_user_is_refused(ready: Cli) -> None:
    [code] = _codes(ready("invite", "--role", "district"))
    _register(ready, code, "1001", "Nguyễn Văn An")
    ready("revoke", "1")
    assert _one_line(ready("invite", "--user", "1")) == (
        "Người dùng 1 (Nguyễn Văn An) đã bị khóa nên không tạo mã mời cho họ được."
    )
    assert ready.count("invites") == 1


def test_invite_cancel_stops_an_unused_code_and_refuses_used_or_unknown_ones(
    ready: Cli,
) -> None:
    leaked, used = _codes(ready("invite", "--role", "district", "--count", "2"))
    _register(ready, used, "1001", "Nguyễn Văn An")
    result = ready("invite", "--cancel", leaked.lower())
    assert (result.code, result.out.strip()) == (0, f"Đã hủy mã mời {leaked}.")
    with pytest.raises(InviteRefused, match="hết hạn"):
        _register(ready, leaked, "1002", "Người nhặt được mã")
    assert _one_line(ready("invite", "--cancel", leaked)) == (
        f"Mã mời {leaked} đã hủy hoặc hết hạn rồi."
    )
    assert _one_line(ready("invite", "--cancel", used)) == (
        f"Mã mời {used} đã được dùng (người dùng 1), không hủy được. "
        "Muốn chặn người này, dùng: tallybot revoke 1"
    )
    assert _one_line(ready("invite", "--cancel", "ZZZZZZZZ")) == "Không có mã mời «ZZZZZZZZ»."
    assert "--cancel không đi cùng" in _one_line(
        ready("invite", "--cancel", leaked, "--role", "district")
    )
    assert ready.count("invites") == 2
    assert ready.count("users") == 1


# --- invite for many units: --file, --all-hamlets -----------------------------------------

CAMPAIGN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _csv_rows(content: str) -> list[dict[str, str]]:
    """Returns the rows of the invite CSV, after checking its header."""
    reader = csv.DictReader(io.StringIO(content))
    assert reader.fieldnames == ["unit", "commune", "role", "code", "expires"]
    return list(reader)


def _stored_invites(cli: Cli) -> dict[str, tuple[str, list[int]]]:
    """Returns {code: (role, unit ids)} of every invite, read through a connection of its own."""
    rows = cli.query("SELECT code, role, unit_ids FROM invites")
    return {
        str(code): (str(role), units if isinstance(units, list) else json.loads(str(units)))
        for code, role, units in rows
    }


def _unit_id(cli: Cli, commune: str, hamlet: str | None = None) -> int:
    if hamlet is None:
        sql = f"SELECT id FROM units WHERE level = 'commune' AND name = '{commune}'"
    else:
        sql = (
            "SELECT h.id FROM units h JOIN units c ON h.parent_id = c.id "
            f"WHERE c.name = '{commune}' AND h.name = '{hamlet}'"
        )
    [(found,)] = cli.query(sql)
    return int(str(found))


def test_invite_file_makes_one_code_per_line_as_csv_on_stdout(ready: Cli) -> None:
    units = ready.write(
        "units.csv",
        "đơn vị\n"  # a header line is skipped
        "Bảo Cường/Xóm Trung Tâm\n"
        "Phú Đình,Xóm Trung Tâm\n"  # commune and hamlet in two cells
        "\n"
        "Xóm Nà Mò\n"  # a hamlet's own name (Định Biên's is "Xóm Nà Mỏ")
        "Bảo Cường\n",  # a commune: its commune user's code
    )
    result = ready("invite", "--file", str(units))
    assert result.code == 0, result.err
    assert result.err == ""
    rows = _csv_rows(result.out)
    assert [(r["unit"], r["commune"], r["role"]) for r in rows] == [
        ("Xóm Trung Tâm", "Bảo Cường", "hamlet"),
        ("Xóm Trung Tâm", "Phú Đình", "hamlet"),
        ("Xóm Nà Mò", "Bảo Linh", "hamlet"),
        ("Bảo Cường", "Bảo Cường", "commune"),
    ]
    assert _stored_invites(ready) == {
        rows[0]["code"]: ("hamlet", [_unit_id(ready, "Bảo Cường", "Xóm Trung Tâm")]),
        rows[1]["code"]: ("hamlet", [_unit_id(ready, "Phú Đình", "Xóm Trung Tâm")]),
        rows[2]["code"]: ("hamlet", [_unit_id(ready, "Bảo Linh", "Xóm Nà Mò")]),
        rows[3]["code"]: ("commune", [_unit_id(ready, "Bảo Cường")]),
    }
    for row in rows:  # INVITE_DAYS (14) from now, in campaign time
        expires = datetime.strptime(row["expires"], "%d/%m/%Y %H:%M").replace(tzinfo=CAMPAIGN_ZONE)
        assert abs(expires - datetime.now(UTC) - timedelta(days=14)) < timedelta(minutes=2)
    _register(ready, rows[2]["code"], "4004", "Trưởng xóm Nà Mò")
    [(role, unit)] = ready.query(
        "SELECT u.role, uu.unit_id FROM users u JOIN user_units uu ON uu.user_id = u.id"
    )
    assert (role, unit) == ("hamlet", _unit_id(ready, "Bảo Linh", "Xóm Nà Mò"))


def test_invite_file_with_a_role_makes_that_role_for_each_commune(ready: Cli) -> None:
    units = ready.write("communes.csv", "Bảo Cường\nPhú Đình\n")
    rows = _csv_rows(ready("invite", "--file", str(units), "--role", "official").out)
    assert [(r["unit"], r["role"]) for r in rows] == [
        ("Bảo Cường", "official"),
        ("Phú Đình", "official"),
    ]
    assert {role for role, _ in _stored_invites(ready).values()} == {"official"}


def test_invite_file_with_bad_lines_lists_every_one_and_makes_nothing(ready: Cli) -> None:
    units = ready.write(
        "units.csv",
        "Bảo Cường/Xóm Trung Tâm\n"
        "Hà Nội\n"  # line 2: no such commune
        "Bảo Cường/Xóm Xa\n"  # line 3: no such hamlet
        "bao cuong/xom trung tam\n"  # line 4: line 1 again
        "Xóm Trung Tâm\n"  # line 5: three communes have one
        "Bảo Cường\n"  # line 6: a commune, but --role hamlet
        "Bảo Cường,Xóm Bảo Hoa,67\n"  # line 7: three cells
        "Phú Đình/Xóm Trung Tâm\n",
    )
    result = ready("invite", "--file", str(units), "--role", "hamlet")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert lines[0] == "Tệp bị từ chối, không có gì được ghi (6 lỗi):"
    assert lines[1:] == [
        "Dòng 2: Không tìm thấy xã «Hà Nội».",
        "Dòng 3: Không tìm thấy xóm «Xóm Xa».",
        "Dòng 4: «Bảo Cường/Xóm Trung Tâm» đã có ở dòng 1; mỗi đơn vị chỉ ghi một lần.",
        "Dòng 5: «Xóm Trung Tâm» trùng với nhiều đơn vị: Bảo Cường/Xóm Trung Tâm, "
        "Phú Đình/Xóm Trung Tâm, Tân Dương/Xóm Trung Tâm. Xin ghi rõ hơn.",
        "Dòng 6: «Bảo Cường» là một xã; mã mời vai trò hamlet cần một xóm («Xã/Xóm»).",
        "Dòng 7: 3 ô có chữ; mỗi dòng ghi một đơn vị như --unit («Xã/Xóm» hoặc «Xã»), "
        "hoặc hai ô: xã và xóm.",
    ]
    assert ready.count("invites") == 0


def test_invite_all_hamlets_writes_every_surveyed_hamlets_code_to_a_new_file(
    ready: Cli,
) -> None:
    [(surveyed_hamlets,)] = ready.query(
        "SELECT count(*) FROM units h JOIN units c ON h.parent_id = c.id "
        "WHERE h.level = 'hamlet' AND c.surveyed"
    )
    assert 0 < int(str(surveyed_hamlets)) < 311  # the sample's thị trấn is not surveyed
    result = ready("invite", "--all-hamlets", "--out", "codes.csv")
    assert result.code == 0, result.err
    assert result.out == ""
    made = f"Đã tạo {surveyed_hamlets} mã mời và ghi vào codes.csv."
    assert result.err.strip() == made
    content = (ready.directory / "codes.csv").read_bytes()
    assert content.startswith(codecs.BOM_UTF8)  # Excel shows the diacritics
    rows = _csv_rows(content.decode("utf-8-sig"))
    assert len(rows) == surveyed_hamlets == ready.count("invites")
    assert {row["role"] for row in rows} == {"hamlet"}
    assert "Chợ Chu" not in {row["commune"] for row in rows}
    stored = _stored_invites(ready)
    for row in rows[:: len(rows) // 10]:  # a sample: each code is bound to its row's hamlet
        assert stored[row["code"]] == ("hamlet", [_unit_id(ready, row["commune"], row["unit"])])

    again = ready("invite", "--all-hamlets", "--out", "codes.csv")
    assert _one_line(again) == (
        "Tệp codes.csv đã có; chọn tên khác để không ghi đè. Chưa tạo mã nào."
    )
    assert (ready.directory / "codes.csv").read_bytes() == content
    assert ready.count("invites") == surveyed_hamlets

    # As with a single invite, new codes do not touch the earlier ones: both stay valid.
    second = _csv_rows(ready("invite", "--all-hamlets").out)
    assert len(second) == surveyed_hamlets
    assert ready.count("invites") == 2 * len(rows)
    assert ready.query("SELECT count(*) FROM invites WHERE used_at IS NULL")[0][0] == 2 * len(rows)


def test_invite_all_hamlets_before_the_roster_says_to_import_it(cli: Cli) -> None:
    cli("init")
    assert _one_line(cli("invite", "--all-hamlets")) == (
        "Chưa có xóm nào thuộc xã tham gia khảo sát: nạp danh sách trước (tallybot roster import)."
    )
    assert cli.count("invites") == 0


def test_invite_csv_keeps_a_formula_like_name_as_text(ready: Cli) -> None:
    roster = ready.write("more.csv", "xã,xóm,số hộ\nBảo Cường,=1+2,30\n")
    assert ready("roster", "import", str(roster)).code == 0
    units = ready.write("units.csv", "Bảo Cường/=1+2\n")
    [row] = _csv_rows(ready("invite", "--file", str(units)).out)
    assert row["unit"] == "'=1+2"
    assert _stored_invites(ready)[row["code"]] == (
        "hamlet",
        [_unit_id(ready, "Bảo Cường", "=1+2")],
    )


def test_invite_file_may_be_a_workbook(ready: Cli) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (("xã", "xóm"), ("Bảo Cường", "Xóm Trung Tâm"), ("Phú Đình", None)):
        sheet.append(row)
    workbook.save(ready.directory / "units.xlsx")
    rows = _csv_rows(ready("invite", "--file", str(ready.directory / "units.xlsx")).out)
    assert [(r["unit"], r["commune"], r["role"]) for r in rows] == [
        ("Xóm Trung Tâm", "Bảo Cường", "hamlet"),
        ("Phú Đình", "Phú Đình", "commune"),
    ]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--all-hamlets", "--file", "units.csv"), "không đi cùng nhau"),
        (("--all-hamlets", "--unit", "Bảo Cường"), "không đi cùng --unit, --count"),
        (("--all-hamlets", "--count", "2"), "không đi cùng --unit, --count"),
        (("--all-hamlets", "--user", "1"), "không đi cùng --unit, --count, --user"),
        (("--all-hamlets", "--role", "commune"), "--role chỉ có thể là hamlet"),
        (("--file", "units.csv", "--role", "district"), "không cần --unit"),
        (("--role", "district", "--out", "codes.csv"), "--out chỉ đi cùng --file"),
        (("--file", "missing.csv"), "Không tìm thấy tệp missing.csv"),
        (("--file", "empty.csv"), "Tệp empty.csv không ghi đơn vị nào."),
        (("--all-hamlets", "--out", "no/such/folder/codes.csv"), "Chưa tạo mã nào."),
    ],
)
def test_invite_many_refusals_say_why_and_make_nothing(
    ready: Cli, argv: tuple[str, ...], expected: str
) -> None:
    ready.write("units.csv", "Bảo Cường/Xóm Trung Tâm\n")
    ready.write("empty.csv", "xã,xóm\n\n")
    result = ready("invite", *argv)
    assert (result.code, result.out) == (1, "")
    assert expected in result.err  # a file's problem comes under the roster import's heading
    assert ready.count("invites") == 0
    assert not (ready.directory / "codes.csv").exists()


# --- invite slips ---------------------------------------------------------------------------

SLIP_SETTINGS = {
    "TELEGRAM_BOT_USERNAME": "tallybot_dinhhoa_bot",
    "ZALO_BOT_NAME": "Bot Tally Định Hóa",
    "ZALO_BOT_LINK": "https://zalo.me/s/tallybot",
}
TELEGRAM_LINK = "https://t.me/tallybot_dinhhoa_bot?start="


@pytest.fixture
def slips_ready(ready: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`tallybot` after init and the sample roster, with the bot's names for the slips."""
    for name, value in SLIP_SETTINGS.items():
        monkeypatch.setenv(name, value)
    return ready


def test_invite_slips_print_each_hamlet_a_slip_whose_qr_code_holds_its_stored_code(
    slips_ready: Cli,
) -> None:
    # Định Biên has 12 hamlets, Tân Thịnh 11: 23 slips, six a page
    communes = ("--commune", "Định Biên", "--commune", "Tân Thịnh")
    result = slips_ready("invite", "slips", "--out", "slips.pdf", *communes)
    assert result.code == 0, result.err
    assert result.out == ""
    assert result.err.strip() == "Đã tạo 23 mã mời và ghi 23 phiếu (4 trang) vào slips.pdf."
    pages = read_pages((slips_ready.directory / "slips.pdf").read_bytes())
    assert [len(page) for page in pages] == [12, 12, 12, 10]
    links = [read.text for page in pages for read in page]
    codes = [link.removeprefix(TELEGRAM_LINK) for link in links if link.startswith(TELEGRAM_LINK)]
    assert links.count("https://zalo.me/s/tallybot") == len(codes) == 23
    stored = _stored_invites(slips_ready)
    assert sorted(codes) == sorted(stored)
    [(hamlets,)] = slips_ready.query(
        "SELECT count(DISTINCT h.id) FROM units h JOIN units c ON h.parent_id = c.id "
        "WHERE c.name IN ('Định Biên', 'Tân Thịnh')"
    )
    assert {(role, len(units)) for role, units in stored.values()} == {("hamlet", 1)}
    assert len({units[0] for _, units in stored.values()}) == hamlets == 23
    # the first slip is Định Biên's first hamlet by name
    first = _unit_id(slips_ready, "Định Biên", "Xóm Bản Mới")
    assert stored[codes[0]] == ("hamlet", [first])


def test_invite_slips_leave_out_and_list_a_hamlet_whose_leader_registered(
    slips_ready: Cli,
) -> None:
    [code] = _codes(slips_ready("invite", "--role", "hamlet", "--unit", "Định Biên/Xóm Nà Mỏ"))
    _register(slips_ready, code, "4004", "Hoàng Văn Bình")
    [unused] = _codes(
        slips_ready("invite", "--role", "hamlet", "--unit", "Định Biên/Xóm Đồng Chú")
    )
    result = slips_ready(
        "invite", "slips", "--out", "slips.csv", "--format", "csv", "--commune", "Định Biên"
    )
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "1 đơn vị đã có người đăng ký, không in phiếu:",
        "Định Biên/Xóm Nà Mỏ\thamlet",
    ]
    assert result.err.strip() == "Đã tạo 11 mã mời và ghi vào slips.csv."
    content = (slips_ready.directory / "slips.csv").read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    units = [row["unit"] for row in rows]
    assert "Xóm Nà Mỏ" not in units
    assert "Xóm Đồng Chú" in units  # an unused code is no registration
    assert len(units) == 11
    stored = _stored_invites(slips_ready)
    for row in rows:
        assert row["telegram_link"] == TELEGRAM_LINK + row["code"]
        assert row["code_printed"] == row["code"][:4] + " " + row["code"][4:]
        assert (row["commune"], row["role"], row["person"]) == ("Định Biên", "hamlet", "")
        assert stored[row["code"]] == ("hamlet", [_unit_id(slips_ready, "Định Biên", row["unit"])])
    assert len(stored) == 13
    assert unused in stored

    # A leader who is revoked no longer holds the hamlet: it gets a slip again.
    slips_ready("revoke", "1")
    again = slips_ready("invite", "slips", "--out", "again.csv", "--format", "csv")
    assert again.code == 0, again.err
    assert again.out == ""


def test_invite_slips_for_commune_leaders_and_all(slips_ready: Cli) -> None:
    result = slips_ready(
        "invite", "slips", "--out", "s.csv", "--format", "csv", "--role", "all",
        "--commune", "Phúc Chu", "--commune", "Kim Phượng",
    )  # fmt: skip
    assert result.code == 0, result.err
    rows = list(
        csv.DictReader(io.StringIO((slips_ready.directory / "s.csv").read_text("utf-8-sig")))
    )
    assert [(row["role"], row["commune"]) for row in rows[:2]] == [
        ("commune", "Phúc Chu"),
        ("hamlet", "Phúc Chu"),
    ]
    assert len(rows) == 1 + 8 + 1 + 9


ASSIGNMENT_TABLE = (
    "họ tên,chức vụ,vai trò,xã\n"
    "Nguyễn Văn An,Phó Chủ tịch UBND huyện,official,Định Biên; Bảo Linh\n"
    "Hoàng Thị Bích,Chủ tịch UBND xã,commune,Bảo Linh\n"
    "Lê Văn Cường,Chủ tịch UBMTTQ huyện,district,\n"
    "Đinh Thị Dung,Ủy viên Ban Thường vụ Huyện ủy,official,Phúc Chu\n"
)


def test_invite_slips_name_the_assignment_tables_people_and_leave_out_the_registered(
    slips_ready: Cli,
) -> None:
    table = slips_ready.write("phan-cong.csv", ASSIGNMENT_TABLE)
    assert slips_ready("assignments", "import", str(table)).code == 0
    # Lê Văn Cường (user 3) opened the bot before the conference, with a code of his own.
    [code] = _codes(slips_ready("invite", "--user", "3"))
    _register(slips_ready, code, "5005", "Lê Văn Cường")
    communes = ("--commune", "Định Biên", "--commune", "Bảo Linh")
    result = slips_ready("invite", "slips", "--out", "s.pdf", "--role", "all", *communes)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "1 người trong bảng phân công đã có tài khoản chat, không in phiếu:",
        "3\tLê Văn Cường\tChủ tịch UBMTTQ huyện\tdistrict",
    ]
    [(bao_linh_hamlets,)] = slips_ready.query(
        "SELECT count(*) FROM units h JOIN units c ON h.parent_id = c.id WHERE c.name = 'Bảo Linh'"
    )
    # Nguyễn Văn An; Định Biên's commune leader (the table names none) and 12 hamlets;
    # Hoàng Thị Bích for Bảo Linh instead of an anonymous leader, and its hamlets.
    count = 1 + 1 + 12 + 1 + int(str(bao_linh_hamlets))
    pages = -(-count // 6)
    assert (
        result.err.strip()
        == f"Đã tạo {count} mã mời và ghi {count} phiếu ({pages} trang) vào s.pdf."
    )
    read = read_pages((slips_ready.directory / "s.pdf").read_bytes())
    assert len(read) == pages
    links = [r.text for page in read for r in page if r.text.startswith(TELEGRAM_LINK)]
    assert len(links) == count
    rows = slips_ready.query("SELECT code, role, user_id FROM invites WHERE user_id IS NOT NULL")
    by_code = {str(code): (str(role), user) for code, role, user in rows}
    printed = [by_code.get(link.removeprefix(TELEGRAM_LINK)) for link in links]
    assert printed[0] == ("official", 1)  # the officials first
    assert printed.index(("commune", 2)) == 1 + 1 + 12  # with Bảo Linh's slips
    assert [slip for slip in printed if slip is not None] == [("official", 1), ("commune", 2)]

    # The slip's code gives the chat account to the person the table named.
    _register(slips_ready, links[0].removeprefix(TELEGRAM_LINK), "6006", "An Nguyễn")
    users = slips_ready("users").out
    assert "Nguyễn Văn An" in users
    assert "An Nguyễn" not in users
    again = slips_ready(
        "invite", "slips", "--out", "t.csv", "--format", "csv", "--role", "official"
    )
    assert again.out.splitlines()[1:] == ["1\tNguyễn Văn An\tPhó Chủ tịch UBND huyện\tofficial"]
    rows = list(
        csv.DictReader(io.StringIO((slips_ready.directory / "t.csv").read_text("utf-8-sig")))
    )
    assert [(r["person"], r["position"], r["unit"], r["role"]) for r in rows] == [
        ("Đinh Thị Dung", "Ủy viên Ban Thường vụ Huyện ủy", "Phúc Chu", "official")
    ]


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        ((), {}, "Phiếu cần ít nhất một kênh: đặt TELEGRAM_BOT_USERNAME"),
        (
            (),
            {"TELEGRAM_BOT_TOKEN": "1:x", "ZALO_BOT_NAME": "Bot T"},
            "Bot chạy trên Telegram (TELEGRAM_BOT_",
        ),
        (("--commune", "Chợ Chu"), SLIP_SETTINGS, "Xã Chợ Chu không tham gia khảo sát"),
        (("--commune", "Nowhere"), SLIP_SETTINGS, "Không tìm thấy xã «Nowhere»."),
        (("--role", "official"), SLIP_SETTINGS, "Bảng phân công chưa có ai với vai trò đã chọn"),
        (("--out", "taken.pdf"), SLIP_SETTINGS, "Tệp taken.pdf đã có; chọn tên khác"),
        (("--out", "no/such/folder/s.pdf"), SLIP_SETTINGS, "Không ghi được tệp no/such/folder"),
    ],
)
def test_invite_slips_refusals_say_why_and_make_nothing(
    ready: Cli,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ready.write("taken.pdf", "")
    out = () if "--out" in argv else ("--out", "s.pdf")
    assert _one_line(ready("invite", "slips", *out, *argv)).startswith(expected)
    assert ready.count("invites") == 0
    assert not (ready.directory / "s.pdf").exists()


def test_invite_slips_take_no_option_of_invite_itself(slips_ready: Cli) -> None:
    refused = slips_ready("invite", "--all-hamlets", "slips", "--out", "s.pdf")
    assert _one_line(refused).startswith("invite slips chỉ nhận --out, --role, --commune")
    assert slips_ready.count("invites") == 0


def test_unlock_reopens_a_confirmed_commune_and_keeps_the_record(ready: Cli) -> None:
    assert _one_line(ready("unlock", "dinh bien")) == (
        "Số liệu của xã Định Biên chưa được xác nhận nên không cần mở khóa."
    )
    commune_id = ready.query("SELECT id FROM units WHERE name = 'Định Biên'")[0][0]
    ready.query(
        "INSERT INTO confirmations (commune_id, confirmed_at) "
        f"VALUES ({commune_id}, '2024-02-04 02:00:00.000000')",
    )
    reopened = ready("unlock", "dinh bien")
    assert reopened.code == 0, reopened.err
    assert reopened.out.startswith("🔓 Đã mở khóa xã Định Biên")
    rows = ready.query("SELECT unlocked_at IS NOT NULL FROM confirmations")
    assert rows == [(1,)]
    assert _one_line(ready("unlock", "Không Có Xã Này")) == "Không tìm thấy xã «Không Có Xã Này»."


# --- tally add ----------------------------------------------------------------------------

TRUNG_TAM = ("--hamlet", "Bảo Cường/Xóm Trung Tâm")


def _tally_add(cli: Cli, *options: str, day: str = "27/01/2024") -> Result:
    return cli("tally", "add", *TRUNG_TAM, "--date", day, *options)


def test_tally_add_stores_then_replaces(ready: Cli) -> None:
    stored = _tally_add(ready, "--collected", "10", "--satisfied", ALL_TEN)
    assert stored.code == 0
    assert stored.out.strip() == "Đã lưu báo cáo của Xóm Trung Tâm ngày 27/01/2024."

    replaced = _tally_add(
        ready, "--collected", " 10 ", "--invalid", "1", "--satisfied", ",".join(["9"] * 10)
    )
    assert replaced.code == 0, replaced.err
    assert "Đã thay số liệu ngày 27/01/2024 của Xóm Trung Tâm" in replaced.out
    assert (ready.count("tallies"), ready.count("tally_revisions")) == (1, 2)
    assert ready.query("SELECT collected, invalid, channel FROM tallies") == [(10, 1, "cli")]


def test_tally_add_takes_a_note_and_iso_dates(ready: Cli) -> None:
    result = _tally_add(
        ready,
        "--collected",
        "10",
        "--satisfied",
        ALL_TEN,
        "--note",
        "Xin làm đường",
        day="2024-01-28",
    )
    assert result.code == 0
    assert ready.query("SELECT day, note FROM tallies") == [("2024-01-28", "Xin làm đường")]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            ("--collected", "4,5", "--satisfied", ALL_TEN),
            "--collected: «4,5» không phải số nguyên",
        ),
        (("--collected", "-3", "--satisfied", ALL_TEN), "--collected: «-3» là số âm"),
        (("--collected", "abc", "--satisfied", ALL_TEN), "«abc» không phải là số"),
        (("--collected", "10", "--satisfied", "8,8,8"), "mới có 3 số"),
        (("--collected", "10", "--satisfied", "8,8,8,8,8,8,8,8,8,x"), "--satisfied: «x»"),
        (("--collected", "10", "--invalid", "11", "--satisfied", ALL_TEN), "không hợp lệ (11)"),
        (
            ("--collected", "10", "--invalid", "3", "--satisfied", ALL_TEN),
            "Câu 1 (Quy hoạch): 8 phiếu hài lòng, nhiều hơn số phiếu hợp lệ (7)",
        ),
        (("--collected", "68", "--satisfied", ALL_TEN), "Xóm Trung Tâm có 67 hộ"),
    ],
)
def test_tally_add_refusals_are_vietnamese_and_write_nothing(
    ready: Cli, options: tuple[str, ...], expected: str
) -> None:
    assert expected in _one_line(_tally_add(ready, *options))
    assert ready.count("tallies") == 0


def test_tally_add_outside_collection_needs_late(ready: Cli) -> None:
    options = ("--collected", "10", "--satisfied", ALL_TEN)
    message = _one_line(_tally_add(ready, *options, day="05/02/2024"))
    assert message.startswith("Ngày 05/02/2024 không nằm trong thời gian thu phiếu")
    assert ready.count("tallies") == 0
    assert _tally_add(ready, *options, "--late", day="05/02/2024").code == 0
    assert ready.count("tallies") == 1
    message = _one_line(_tally_add(ready, *options, "--late", day="01/01/2099"))
    assert message == (
        "Ngày 01/01/2099 nằm ngoài chiến dịch: báo cáo muộn chỉ nhận các ngày từ 27/01/2024 "
        "(bắt đầu thu phiếu) đến 26/02/2024."
    )
    assert ready.count("tallies") == 1


def test_tally_add_with_a_bad_date_is_refused(ready: Cli) -> None:
    message = _one_line(_tally_add(ready, "--collected", "1", "--satisfied", ALL_TEN, day="31/02"))
    assert message.startswith("Ngày «31/02» không hợp lệ")


def test_tally_add_asks_which_hamlet_an_ambiguous_name_means(ready: Cli) -> None:
    result = ready(
        "tally", "add", "--hamlet", "xom trung tam", "--date", "27/01/2024",
        "--collected", "10", "--satisfied", ALL_TEN,
    )  # fmt: skip
    message = _one_line(result)
    assert "Bảo Cường/Xóm Trung Tâm, Phú Đình/Xóm Trung Tâm, Tân Dương/Xóm Trung Tâm" in message
    assert ready.count("tallies") == 0


def test_tally_add_to_an_unknown_hamlet_is_refused(ready: Cli) -> None:
    result = ready(
        "tally", "add", "--hamlet", "Xóm Không Có", "--date", "27/01/2024",
        "--collected", "10", "--satisfied", ALL_TEN,
    )  # fmt: skip
    assert _one_line(result) == "Không tìm thấy xóm «Xóm Không Có»."


# --- tally import -------------------------------------------------------------------------


def _tally_file(cli: Cli, *rows: str, header: str = HEADER) -> str:
    return str(cli.write("tallies.csv", "\n".join([header, *rows]) + "\n"))


GOOD_ROWS = (
    f"Bảo Cường,Xóm Trung Tâm,27/01/2024,10,0,{ALL_TEN}",
    f"Bảo Cường,Xóm Trung Tâm,28/01/2024,12,1,{ALL_TEN}",
    f"Phú Đình,Xóm Trung Tâm,2024-01-27,9,1,{ALL_TEN}",
)


def test_tally_import_stores_every_row(ready: Cli) -> None:
    result = ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    assert result.code == 0, result.err
    assert result.out.strip() == "Đã nhập 3 dòng báo cáo."
    assert (ready.count("tallies"), ready.count("tally_revisions")) == (3, 3)


def test_tally_import_replaces_earlier_figures_of_the_same_day(ready: Cli) -> None:
    _tally_add(ready, "--collected", "5", "--satisfied", ",".join(["5"] * 10))
    assert ready("tally", "import", _tally_file(ready, *GOOD_ROWS)).code == 0
    assert (ready.count("tallies"), ready.count("tally_revisions")) == (3, 4)


def test_tally_import_with_bad_rows_lists_each_and_writes_nothing(ready: Cli) -> None:
    rows = (
        GOOD_ROWS[0],
        f"Bảo Cường,Xóm Không Có,27/01/2024,10,0,{ALL_TEN}",  # line 3: unknown hamlet
        GOOD_ROWS[1],
        f"Phú Đình,Xóm Trung Tâm,27/01/2024,7,0,{ALL_TEN}",  # line 5: satisfied over valid
        f"Bảo Cường,Xóm Đồng Chùa,10/02/2024,10,0,{ALL_TEN}",  # line 6: after collection
        f"Bảo Cường,Xóm Hợp Thành,28/01/2024,73,0,{ALL_TEN}",  # line 7: over 72 households
        GOOD_ROWS[2].replace("Phú Đình", "Tân Dương"),
    )
    result = ready("tally", "import", _tally_file(ready, *rows))
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert lines[0] == "Tệp bị từ chối, không có gì được ghi (4 lỗi):"
    assert [line.split(":")[0] for line in lines[1:]] == ["Dòng 3", "Dòng 5", "Dòng 6", "Dòng 7"]
    assert "Xóm Không Có" in lines[1]
    assert "Câu 1" in lines[2]
    assert "10/02/2024" in lines[3]
    assert "72 hộ" in lines[4]
    assert (ready.count("tallies"), ready.count("tally_revisions")) == (0, 0)


def test_tally_import_with_unreadable_cells_lists_them_and_writes_nothing(ready: Cli) -> None:
    rows = (
        GOOD_ROWS[0],
        'Bảo Cường,Xóm Đồng Chùa,31/02/2024,abc,0,8,8,"4,5",8,8,8,8,8,8,8',
        GOOD_ROWS[1],
        f"Bảo Cường,Xóm Hợp Thành,28/01/2024,-2,0,{ALL_TEN}",
    )
    result = ready("tally", "import", _tally_file(ready, *rows))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0] == "Tệp bị từ chối, không có gì được ghi (4 lỗi):"
    assert [line.split(",")[0] for line in lines[1:]] == ["Dòng 3", "Dòng 3", "Dòng 3", "Dòng 5"]
    assert "«31/02/2024»" in lines[1]
    assert "«abc»" in lines[2]
    assert "«4,5»" in lines[3]
    assert "«-2» là số âm" in lines[4]
    assert ready.count("tallies") == 0


def test_tally_import_late_rows_need_late(ready: Cli) -> None:
    path = _tally_file(ready, f"Bảo Cường,Xóm Trung Tâm,05/02/2024,10,0,{ALL_TEN}")
    assert ready("tally", "import", path).code == 1
    assert ready("tally", "import", path, "--late").code == 0
    assert ready.count("tallies") == 1


def test_a_note_longer_than_the_chats_limit_is_refused_by_line(ready: Cli) -> None:
    long_note = "x" * (NOTE_LIMIT + 1)
    path = _tally_file(
        ready,
        f"{GOOD_ROWS[0]},{'y' * NOTE_LIMIT}",
        f"{GOOD_ROWS[1]},{long_note}",
        header=HEADER + ",note",
    )
    result = ready("tally", "import", path)
    assert result.code == 1
    [_, problem] = result.err.strip().splitlines()
    assert problem.startswith("Dòng 3: Kiến nghị dài 1.001 ký tự, quá 1.000 ký tự cho phép")
    message = _one_line(
        _tally_add(ready, "--collected", "8", "--satisfied", ALL_TEN, "--note", long_note)
    )
    assert message.startswith("Kiến nghị dài 1.001 ký tự")
    assert ready.count("tallies") == 0


# --- export and backup --------------------------------------------------------------------


def test_export_json_to_stdout(ready: Cli) -> None:
    ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    result = ready("export", "--format", "json")
    assert result.code == 0
    assert _said(result.err) == []
    document = json.loads(result.out)
    assert set(document) == {"campaign", "as_of", "district", "communes"}
    assert document["district"]["collected"] == 31
    assert len(document["communes"]) == 22
    assert document["district"]["verdicts"]["participation"] == "not_met"  # today is long after


def test_export_as_of_a_date_leaves_out_later_days(ready: Cli) -> None:
    ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    document = json.loads(ready("export", "--format", "json", "--as-of", "27/01/2024").out)
    assert document["as_of"] == "2024-01-27"
    assert document["district"]["collected"] == 19
    assert document["district"]["verdicts"]["participation"] in {"on_track", "at_risk"}


def test_export_to_a_file(ready: Cli) -> None:
    ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    result = ready("export", "--format", "json", "--out", "figures.json")
    assert result.code == 0
    assert result.out == ""
    assert _said(result.err) == ["Đã ghi figures.json."]
    written = json.loads((ready.directory / "figures.json").read_text(encoding="utf-8"))
    assert written["campaign"]["district"] == "Định Hóa"


def test_export_csv(ready: Cli) -> None:
    ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    result = ready("export", "--format", "csv", "--as-of", "2024-01-28")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("level,commune,hamlet,households,collected")
    assert len(lines) == 1 + 1 + 22 + 303
    assert lines[1].startswith("district,,,25978,31,2,29,")


def test_export_report_writes_the_draft_report_as_docx(ready: Cli) -> None:
    note_row = f"Phú Đình,Xóm Trung Tâm,28/01/2024,8,0,{ALL_TEN},Xin sửa cầu tràn"
    rows = [f"{row}," for row in GOOD_ROWS] + [note_row]
    assert ready("tally", "import", _tally_file(ready, *rows, header=HEADER + ",note")).code == 0
    result = ready("export", "--format", "report", "--as-of", "2024-01-28", "--out", "X.docx")
    assert result.code == 0
    assert result.out == ""
    assert _said(result.err) == ["Đã ghi X.docx."]
    document = Document(str(ready.directory / "X.docx"))
    lines = [paragraph.text for paragraph in document.paragraphs]
    assert lines[0].startswith("DỰ THẢO")
    assert "+ Xóm Trung Tâm (ngày 28/01/2024): Xin sửa cầu tràn" in lines
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    district = [cell.text for cell in table.rows[1].cells]
    assert district[1:4] == ["Toàn huyện", "25.978", "39"]
    assert len(table.rows) == 1 + 1 + 22


def test_export_with_a_bad_as_of_is_refused(ready: Cli) -> None:
    message = _one_line(ready("export", "--format", "json", "--as-of", "yesterday"))
    assert message.startswith("Ngày «yesterday» không hợp lệ")


@pytest.mark.sqlite_only(BACKUP)
def test_backup_writes_a_copy_with_the_same_tallies(ready: Cli) -> None:
    ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    result = ready("backup", "copy.db")
    assert result.code == 0
    assert result.out.startswith("Đã sao lưu vào copy.db (")
    copy = ready.directory / "copy.db"
    query = "SELECT hamlet_id, day, collected, satisfied, revision FROM tallies ORDER BY id"
    copied = run_sql(sqlite_url(copy), query)
    assert len(copied) == 3
    assert copied == ready.query(query)
    assert run_sql(sqlite_url(copy), "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.sqlite_only(BACKUP)
def test_backup_opens_as_a_tallybot_database(ready: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    ready("tally", "import", _tally_file(ready, *GOOD_ROWS))
    ready("backup", "copy.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{ready.directory / 'copy.db'}")
    document = json.loads(ready("export", "--format", "json").out)
    assert document["district"]["collected"] == 31


@pytest.mark.sqlite_only(BACKUP)
def test_backup_never_overwrites(ready: Cli) -> None:
    (ready.directory / "copy.db").write_text("keep me")
    assert "đã có" in _one_line(ready("backup", "copy.db"))
    assert (ready.directory / "copy.db").read_text() == "keep me"


@pytest.mark.sqlite_only(BACKUP)
def test_backup_into_a_missing_folder_is_refused(ready: Cli) -> None:
    message = _one_line(ready("backup", "no/such/folder/copy.db"))
    assert message.startswith("Không sao lưu được vào no/such/folder/copy.db")


def test_backup_is_for_sqlite_only(ready: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://tallybot@localhost/tallybot")
    assert "pg_dump" in _one_line(ready("backup", "copy.db"))


# --- run ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "Chưa có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN"),
        ({"ZALO_BOT_TOKEN": "2:xyz"}, "Kênh Zalo cần PUBLIC_URL"),
        (
            {"TELEGRAM_BOT_TOKEN": "1:abc", "PUBLIC_URL": "http://bot.example.vn"},
            "PUBLIC_URL='http://bot.example.vn' không dùng được",
        ),
    ],
)
def test_run_with_settings_it_cannot_use_says_so_in_one_line(
    ready: Cli, monkeypatch: pytest.MonkeyPatch, settings: dict[str, str], expected: str
) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert _one_line(ready("run")).startswith(expected)


def test_run_webhook_without_a_secret_says_so_in_one_line(
    ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.vn")
    assert _one_line(ready("run", "--webhook")).startswith("Chế độ webhook cần WEBHOOK_SECRET")


@pytest.mark.parametrize("command", [["init"], ["users"]])
def test_an_unreachable_postgresql_server_is_one_line_and_exit_1(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+asyncpg://tallybot:s3cret-pass@127.0.0.1:{port}/tallybot"
    monkeypatch.setenv("DATABASE_URL", url)
    result = cli(*command)
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert line.startswith(
        f"Không kết nối được cơ sở dữ liệu postgresql+asyncpg://tallybot:***@127.0.0.1:{port}"
        "/tallybot: ConnectionRefusedError"
    )
    assert "Hãy kiểm tra DATABASE_URL" in line
    assert "s3cret-pass" not in line


# --- the assignment table -----------------------------------------------------------------


def test_assignments_import_lists_new_people_then_absent_ones(ready: Cli) -> None:
    table = ready.write(
        "phan-cong.csv",
        "họ tên,chức vụ,vai trò,xã\n"
        "Nguyễn Văn An,Phó Chủ tịch UBND huyện,official,Định Biên; Bảo Linh\n"
        "Lê Văn Cường,Chủ tịch UBMTTQ huyện,district,\n",
    )
    result = ready("assignments", "import", str(table))
    assert result.code == 0
    assert result.out.splitlines() == [
        "Đã nạp bảng phân công: thêm 2 người, cập nhật 0 người, 0 người không đổi.",
        "Người mới, chưa có tài khoản chat (tạo mã mời cho từng người: "
        "tallybot invite --user SỐ):",
        "1\tNguyễn Văn An\tPhó Chủ tịch UBND huyện",
        "2\tLê Văn Cường\tChủ tịch UBMTTQ huyện",
    ]
    assert len(_codes(ready("invite", "--user", "1"))) == 1
    ready.write(
        "phan-cong.csv",
        "họ tên,chức vụ,vai trò,xã\nNguyễn Văn An,Phó Chủ tịch UBND huyện,official,Định Biên\n",
    )
    again = ready("assignments", "import", str(table))
    assert again.out.splitlines() == [
        "Đã nạp bảng phân công: thêm 0 người, cập nhật 1 người, 0 người không đổi.",
        "1 người của bảng trước không có trong tệp này; vẫn giữ nguyên. Nếu họ không còn phụ "
        "trách, khóa bằng: tallybot revoke SỐ",
        "2\tLê Văn Cường\tChủ tịch UBMTTQ huyện",
    ]


def test_a_bad_assignment_table_lists_its_lines_and_writes_nothing(ready: Cli) -> None:
    table = ready.write(
        "phan-cong.csv",
        "họ tên,chức vụ,vai trò,xã\n"
        "Nguyễn Văn An,Phó Chủ tịch UBND huyện,official,Hà Nội\n"
        "Lê Văn Cường,,district,\n",
    )
    result = ready("assignments", "import", str(table))
    assert result.code == 1
    assert result.err.splitlines() == [
        "Tệp bị từ chối, không có gì được ghi (2 lỗi):",
        "Dòng 2: không có xã «Hà Nội» trong danh sách đơn vị; xin kiểm tra tên xã (hoặc nạp "
        "danh sách trước: tallybot roster import).",
        "Dòng 3, cột «chức vụ»: chưa điền chức vụ.",
    ]
    assert ready.count("users") == 0
