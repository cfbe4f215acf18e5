from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from config import areas, catalog
from config.db import Database
from config.reference import DataFileError
from hotline import db as migrations


def test_the_shipped_catalogue_is_complete() -> None:
    data = catalog.parse()
    assert len(data.categories) == 11
    assert len(data.items) >= 120
    by_category = {c["code"]: 0 for c in data.categories}
    for item in data.items:
        by_category[item["category"]] += 1
        assert item["keywords_zh"] and item["keywords_en"]
        assert item["sla_minutes"] > 0
    assert all(count >= 5 for count in by_category.values()), by_category
    assert any(item["welfare"] for item in data.items)


def test_the_shipped_areas_are_consistent() -> None:
    levels = [level for level, _entry, _line in areas.parse()]
    assert {"district", "street", "community"} <= set(levels)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(body, encoding="utf-8")
    return path


CATEGORY = '[[category]]\ncode = "repairs"\nname_zh = "维修"\nname_en = "Repairs"\n\n'
ITEM = """[[item]]
code = "{code}"
category = "{category}"
name_zh = "水管"
name_en = "Pipes"
welfare = false
price = 50
unit = "visit"
sla_minutes = 120
keywords_zh = ["水管"]
keywords_en = ["pipe"]

"""


def test_duplicate_item_code_names_both_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        CATEGORY + ITEM.format(code="RP-PIPE", category="repairs") + ITEM.format(code="RP-PIPE", category="repairs"),
    )
    with pytest.raises(DataFileError) as info:
        catalog.parse(path)
    assert info.value.message == "catalog.toml:18: duplicate item code 'RP-PIPE' (first at line 6)"


def test_unknown_category_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, CATEGORY + ITEM.format(code="RP-PIPE", category="plumbing"))
    with pytest.raises(DataFileError, match=r"catalog.toml:6: item 'RP-PIPE' names unknown category 'plumbing'"):
        catalog.parse(path)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    body = CATEGORY + ITEM.format(code="bad code", category="nope").replace('unit = "visit"', 'unit = "bucket"')
    with pytest.raises(DataFileError) as info:
        catalog.parse(_write(tmp_path, body))
    lines = info.value.message.splitlines()
    assert any("must look like HK-CLEAN" in line for line in lines)
    assert any("unknown category 'nope'" in line for line in lines)
    assert any("unknown unit 'bucket'" in line for line in lines)


def test_syntax_errors_and_missing_fields(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="line 1"):
        catalog.parse(_write(tmp_path, "[[category]\n"))
    with pytest.raises(DataFileError, match=r"catalog.toml:6: missing field 'sla_minutes'"):
        catalog.parse(
            _write(tmp_path, CATEGORY + ITEM.format(code="RP-A", category="repairs").replace("sla_minutes = 120\n", ""))
        )


def test_loading_updates_and_deactivates_never_deletes(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    migrations.upgrade(database)
    first = _write(
        tmp_path, CATEGORY + ITEM.format(code="RP-A", category="repairs") + ITEM.format(code="RP-B", category="repairs")
    )
    with database.transaction() as session:
        assert catalog.load(session, first) == (1, 2)
    second = _write(
        tmp_path, CATEGORY + ITEM.format(code="RP-A", category="repairs").replace("price = 50", "price = 60")
    )
    with database.transaction() as session:
        assert catalog.load(session, second) == (1, 1)
    with database.read() as session:
        rows = {i.code: i for i in session.scalars(select(catalog.ServiceItem))}
        assert rows["RP-A"].price == 60 and rows["RP-A"].active
        assert not rows["RP-B"].active
        assert [i.code for i in catalog.list_items(session)] == ["RP-A"]
    database.dispose()


def test_catalog_cli(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("catalog", "check")
    assert result.exit_code == 0 and "11 categories" in result.output
    listed = cli("catalog", "list", "--category", "plumbing_electrical", "--json")
    assert listed.exit_code == 0
    import json

    items = json.loads(listed.output)
    assert items and all(i["category"] == "plumbing_electrical" for i in items)
    assert cli("catalog", "list", "--category", "nope").exit_code == 2


def test_catalog_check_cli_reports_a_bad_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, CATEGORY + ITEM.format(code="RP-PIPE", category="plumbing"))
    result = cli("catalog", "check", "--file", str(path))
    assert result.exit_code == 2
    assert "catalog.toml:6: item 'RP-PIPE' names unknown category 'plumbing'" in result.stderr
    assert "Traceback" not in result.output


def test_areas_cli(cli) -> None:  # type: ignore[no-untyped-def]
    import json

    result = cli("areas", "list", "--json")
    rows = json.loads(result.output)
    communities = [r for r in rows if r["level"] == "community"]
    streets = {r["code"] for r in rows if r["level"] == "street"}
    assert communities and all(c["parent"] in streets for c in communities)
