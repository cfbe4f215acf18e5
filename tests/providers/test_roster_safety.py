"""Rosters read as what they are (Big5 and Shift-JIS are refused, not imported as garbled names),
no NUL in names, and an exported CSV cannot run formulas in a spreadsheet yet re-imports as it was."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.csvcells import guarded, unguarded
from config.db import Database
from providers.models import Provider
from tests.conftest import Cli, _empty_tables

HEADER = "类型,名称,电话,服务项目,服务区域,接单上限"
ENGLISH_HEADER = "kind,name,phone,items,areas,capacity"
ROWS = [  # traditional characters, as a Big5 file from Taiwan or Hong Kong has them
    "individual,王建國,13900000001,PE-PIPE-LEAK,330402003001,2",
    "company,嘉興家政服務有限公司,13900000002,HK-CLEAN-HOURLY,330402003001,3",
]


def _names(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Provider.name_zh).order_by(Provider.phone)))


def _roster(tmp_path: Path, encoding: str, header: str = HEADER, rows: list[str] = ROWS) -> Path:
    path = tmp_path / f"roster-{encoding}.csv"
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["big5", "shift_jis"])
def test_a_big5_or_shift_jis_roster_is_refused_instead_of_imported_garbled(
    cli: Cli, db: Database, tmp_path: Path, encoding: str
) -> None:
    header, rows = ENGLISH_HEADER, ROWS
    if encoding == "shift_jis":
        rows = [
            "individual,山田太郎,13900000001,PE-TAP,330402003001,1",
            "individual,佐藤花子,13900000002,PE-TAP,330402003001,1",
        ]
    result = cli("providers", "import", str(_roster(tmp_path, encoding, header, rows)))
    assert result.exit_code == 2
    assert "read as GB18030 it is not plausible Chinese" in result.stderr and "--encoding" in result.stderr
    assert _names(db) == []


def test_naming_the_encoding_reads_a_big5_roster_right(cli: Cli, db: Database, tmp_path: Path) -> None:
    result = cli("providers", "import", str(_roster(tmp_path, "big5", ENGLISH_HEADER)), "--encoding", "big5")
    assert result.exit_code == 0, result.stderr
    assert "read as big5" in result.stderr
    assert _names(db) == ["王建國", "嘉興家政服務有限公司"]


def test_an_unknown_encoding_name_is_one_clear_line(cli: Cli, db: Database, tmp_path: Path) -> None:
    result = cli("providers", "import", str(_roster(tmp_path, "utf-8")), "--encoding", "klingon")
    assert result.exit_code == 2 and "--encoding 'klingon' is not an encoding Python knows" in result.stderr


def test_a_gbk_roster_with_a_rare_name_character_is_still_read(cli: Cli, db: Database, tmp_path: Path) -> None:
    rows = ["个人,王喆,13900000001,PE-PIPE-LEAK,330402003001,2", "个人,李堃,13900000002,PE-TAP,330402003001,1"]
    result = cli("providers", "import", str(_roster(tmp_path, "gbk", rows=rows)))
    assert result.exit_code == 0, result.stderr
    assert _names(db) == ["王喆", "李堃"]


def test_a_name_with_a_nul_byte_is_refused(cli: Cli, db: Database, tmp_path: Path) -> None:
    rows = ["个人,王\x00师傅,13900000001,PE-PIPE-LEAK,330402003001,2"]
    result = cli("providers", "import", str(_roster(tmp_path, "utf-8", rows=rows)))
    assert result.exit_code == 2 and "row 2: '王␀师傅' contains a NUL character" in result.stderr
    assert _names(db) == []


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-1+2", "'-1+2"),
        ("+86 138", "'+86 138"),
        ("\tx", "'\tx"),
        ("+8613800138000", "+8613800138000"),
        ("+8613800138000;+8613900000000", "+8613800138000;+8613900000000"),
        ("-2.5", "-2.5"),
        ("王师傅", "王师傅"),
        (3, 3),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_guarded_and_read_back_as_they_were(
    cell: object, written: object
) -> None:
    assert guarded(cell) == written
    if isinstance(written, str):
        assert unguarded(written) == cell


def test_an_exported_roster_runs_no_formula_and_reimports_unchanged(cli: Cli, db: Database, tmp_path: Path) -> None:
    rows = [
        "individual,=1+2,13900000001,PE-PIPE-LEAK,330402003001,2",
        "company,@SUM(A1:A9) 家政,13900000002,HK-CLEAN-HOURLY,330402003001,3",
    ]
    imported = cli("providers", "import", str(_roster(tmp_path, "utf-8", ENGLISH_HEADER, rows)))
    assert imported.exit_code == 0, imported.stderr
    before = _names(db)
    assert before == ["=1+2", "@SUM(A1:A9) 家政"]
    out = tmp_path / "export.csv"
    assert cli("providers", "export", "--format", "csv", "--out", str(out)).exit_code == 0
    cells = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(c["name"], c["phone"]) for c in cells] == [
        ("'=1+2", "+8613900000001"),
        ("'@SUM(A1:A9) 家政", "+8613900000002"),
    ]
    _empty_tables(db)
    again = cli("providers", "import", str(out))
    assert again.exit_code == 0, again.stderr
    assert _names(db) == before
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Provider)) == 2
