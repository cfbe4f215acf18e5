"""A supervisor loads a roster with ``hotline providers import``: all or nothing, or --partial."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from config import clock
from config.db import Database
from config.settings import Settings
from providers.models import Provider, ProviderReminder
from tests.providers import builders

HEADER = "kind,name,phone,items,areas,capacity,status,licence_expires,insurance_expires,training_safety"
GOOD = "company,嘉禾家政,13800000001,HK-CLEAN-HOURLY;AR-AC-CLEAN,330402003,3,active,2027-12-31,2027-06-30,2026-06-01"
BAD_ROWS = [
    "company,重复电话,138-0000-0001,HK-CLEAN-HOURLY,330402003,1,,,,",  # row 3: same phone as row 2
    "individual,老会员,13857300101,PE-PIPE-LEAK,330402003001,1,,,,",  # row 4: already registered
    "individual,未知项目,13800000004,PE-NOTHING,330402003001,1,,,,",  # row 5
    "individual,未知社区,13800000005,PE-PIPE-LEAK,330499999999,1,,,,",  # row 6
    "company,过期执照,13800000006,PE-PIPE-LEAK,330402003,1,,2026-01-31,2027-01-01,",  # row 7
    "individual,坏号码,12345,PE-PIPE-LEAK,330402003,1,,,,",  # row 8
    "volunteer,没有服务点,13800000008,EC-VISIT,330402003,one,,,,",  # row 9
]
GOOD_TOO = "individual,王师傅,13800000009,PE-PIPE-LEAK,330402003001,1,,,,"  # row 10


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with clock.freeze(dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)):
        yield


def _count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Provider)) or 0)


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _existing(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        builders.provider(session, settings, phone="+8613857300101")


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_row(
    cli, db: Database, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _existing(db, settings)
    roster = _write(tmp_path / "roster.csv", [HEADER, GOOD, *BAD_ROWS, GOOD_TOO])
    result = cli("providers", "import", str(roster))
    assert result.exit_code == 2
    assert "7 of 9 rows have errors; nothing imported" in result.stderr
    report = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("row ")]
    assert report == [
        "row 3: phone +8613800000001 repeats row 2",
        "row 4: phone +8613857300101 already belongs to a registered provider",
        "row 5: unknown service item PE-NOTHING (see: hotline catalog list)",
        "row 6: unknown area code 330499999999 (see: hotline areas list)",
        "row 7: licence_expires 2026-01-31 has passed; record the renewed document",
        "row 8: '12345' is a short service number, not a resident's line",
        "row 9: capacity 'one' must be a whole number of at least 1; "
        "a volunteer needs an organisation ('station > substation > service point')",
    ]
    assert _count(db) == 1


def test_partial_imports_the_good_rows_and_writes_the_rejects_to_fix(
    cli, db: Database, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _existing(db, settings)
    roster = _write(tmp_path / "roster.csv", [HEADER, GOOD, *BAD_ROWS, GOOD_TOO])
    rejects = tmp_path / "rejects.csv"
    result = cli("providers", "import", str(roster), "--partial", "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert "imported 2 providers" in result.stdout
    assert f"7 rows rejected, written to {rejects}" in result.stderr
    assert _count(db) == 3
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["name"] for r in rows] == [
        "重复电话",
        "老会员",
        "未知项目",
        "未知社区",
        "过期执照",
        "坏号码",
        "没有服务点",
    ]
    assert rows[0]["phone"] == "138-0000-0001"  # as written, so the supervisor recognises it
    assert rows[2]["error"] == "unknown service item PE-NOTHING (see: hotline catalog list)"
    # fixed and imported again, the error column is ignored
    rows[2]["items"] = "PE-PIPE-LEAK"
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow(rows[2])
    assert cli("providers", "import", str(fixed)).exit_code == 0
    listed = json.loads(cli("providers", "list", "--json").stdout)
    assert [p["name_zh"] for p in listed] == ["南湖水电维修服务部", "嘉禾家政", "王师傅", "未知项目"]
    company = listed[1]
    assert company["status"] == "active" and company["item_codes"] == ["AR-AC-CLEAN", "HK-CLEAN-HOURLY"]
    assert [(d["kind"], d["expires_on"]) for d in company["documents"]] == [
        ("business_licence", "2027-12-31"),
        ("insurance", "2027-06-30"),
    ]
    assert company["trainings"] == [{"course": "safety", "completed_on": "2026-06-01", "expires_on": "2027-06-01"}]
    with db.read() as session:
        reminders = session.scalar(
            select(func.count()).select_from(ProviderReminder).where(ProviderReminder.provider_id == company["id"])
        )
    assert reminders == 6  # licence, insurance, safety: 30 days ahead and on the day


def test_a_gbk_csv_from_excel_with_chinese_headers_and_values_is_read(cli, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = _write(
        tmp_path / "名单.csv",
        [
            "类型,名称,电话,服务项目,服务区域,接单上限,状态,所属组织,工作时间",
            "企业,嘉兴万家家政,0573-82123456,HK-CLEAN-HOURLY,330402001,2,正常,,周一至周五 08:00-18:00",
            "志愿者,张志愿,13657300106,EC-VISIT,330402003001,1,申请中,嘉兴市志愿服务总站 > 南湖分站 > 南湖街道服务点,",
        ],
        encoding="gbk",
    )
    result = cli("providers", "import", str(roster))
    assert result.exit_code == 0, result.output
    assert "read as GB18030 (GBK)" in result.stderr
    listed = json.loads(cli("providers", "list", "--json", "--kind", "volunteer").stdout)
    assert [(p["name_zh"], p["status"], p["organisation"]) for p in listed] == [
        ("张志愿", "applicant", "嘉兴市志愿服务总站 > 南湖分站 > 南湖街道服务点")
    ]
    company = json.loads(cli("providers", "list", "--json", "--status", "active").stdout)[0]
    assert company["phone"] == "+8657382123456"
    assert company["hours"] == {d: ["08:00", "18:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def test_a_file_that_is_neither_utf8_nor_gbk_gets_a_clear_error(cli, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"kind,name,phone\n\xff\xfe\x80\x80\n")
    result = cli("providers", "import", str(roster))
    assert result.exit_code == 2
    assert "cannot read the text as UTF-8 or GB18030/GBK" in result.stderr
    assert "save it from Excel as 'CSV UTF-8' or name its encoding with --encoding" in result.stderr


def test_missing_or_unknown_columns_are_named(cli, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = _write(tmp_path / "a.csv", ["kind,name,phone,items", "company,x,13800000001,PE-TAP"])
    assert "missing column areas, capacity" in cli("providers", "import", str(missing)).stderr
    unknown = _write(tmp_path / "b.csv", [HEADER + ",wechat", GOOD + ",abc"])
    assert "unknown column 'wechat'" in cli("providers", "import", str(unknown)).stderr


def test_an_xlsx_roster_with_date_cells_is_imported_with_a_progress_bar(cli, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["类型", "名称", "电话", "服务项目", "服务区域", "接单上限", "证书到期", "入职培训"])
    sheet.append(
        [
            "个人",
            "李师傅",
            13957300104,
            "PE-PIPE-LEAK；PE-TAP",
            "330402003001;330402003002",
            2,
            dt.datetime(2028, 3, 1),
            dt.datetime(2026, 3, 1),
        ]
    )
    path = tmp_path / "roster.xlsx"
    book.save(path)
    result = cli("providers", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "importing" in result.stderr and "1/1" in result.stderr
    [record] = json.loads(cli("providers", "list", "--json").stdout)
    assert record["phone"] == "+8613957300104"
    assert record["item_codes"] == ["PE-PIPE-LEAK", "PE-TAP"]
    assert record["documents"] == [{"kind": "skill_certificate", "number": None, "expires_on": "2028-03-01"}]
    assert record["trainings"][0]["expires_on"] is None  # induction does not expire
