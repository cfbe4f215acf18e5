"""The directory for 211 systems: HSDS 3.x organizations, valid and with stable ids; and the CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import delete

from config.db import Database
from config.settings import Settings
from providers.models import Provider
from tests.providers import builders
from tests.support import shared_fixture

pytestmark = pytest.mark.fixtures


def _validator(name: str) -> Draft202012Validator:
    folder = shared_fixture("hsds", "schema")
    resources = []
    for path in folder.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((folder / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def _seed(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        builders.provider(
            session, settings, items=("PE-PIPE-LEAK", "PE-TAP"), span="mon-fri 08:00-18:00; sat 09:00-24:00"
        )
        builders.provider(
            session,
            settings,
            kind="volunteer",
            phone="+8613657300106",
            name="张志愿",
            items=("EC-VISIT",),
            area_codes=("330402003001",),
            status="applicant",
        )


def test_every_exported_organization_and_service_is_valid_hsds(
    cli, db: Database, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _seed(db, settings)
    out = tmp_path / "directory.json"
    result = cli("providers", "export", "--format", "hsds", "--out", str(out))
    assert result.exit_code == 0, result.output
    organizations = json.loads(out.read_text(encoding="utf-8"))
    assert len(organizations) == 2
    organization, service = _validator("organization.json"), _validator("service.json")
    for org in organizations:
        assert not list(organization.iter_errors(org)), [e.message for e in organization.iter_errors(org)]
        for item in org["services"]:
            assert not list(service.iter_errors(item)), [e.message for e in service.iter_errors(item)]
    company, volunteer = organizations
    assert [s["status"] for s in company["services"]] == ["active", "active"]
    assert volunteer["services"][0]["status"] == "inactive"
    assert company["phones"][0]["number"] == "+8613857300101"
    saturday = [s for s in company["services"][0]["schedules"] if s["byday"] == "SA"]
    assert saturday == [{**saturday[0], "opens_at": "09:00+08:00", "closes_at": "23:59+08:00", "freq": "WEEKLY"}]
    assert "总站 > 分站 > 服务点" in volunteer["description"]


def test_a_bad_id_would_be_caught_by_the_validation(db: Database, settings: Settings) -> None:
    errors = list(_validator("organization.json").iter_errors({"id": "not-a-uuid", "name": "x", "description": "y"}))
    assert [e.message for e in errors] == ["'not-a-uuid' is not a 'uuid'"]
    nested = {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "x", "description": "y", "phones": [{"id": "p1"}]}
    messages = sorted(e.message for e in _validator("organization.json").iter_errors(nested))
    assert messages == ["'number' is a required property", "'p1' is not a 'uuid'"]  # phone.json resolved


def test_ids_stay_the_same_across_exports(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    _seed(db, settings)
    first = json.loads(cli("providers", "export").stdout)
    second = json.loads(cli("providers", "export", "--format", "hsds").stdout)
    assert first == second
    ids = [o["id"] for o in first] + [s["id"] for o in first for s in o["services"]]
    assert len(set(ids)) == len(ids)


def test_the_csv_export_imports_back_as_the_same_roster(cli, db: Database, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _seed(db, settings)
    before = json.loads(cli("providers", "list", "--json").stdout)
    out = tmp_path / "roster.csv"
    assert cli("providers", "export", "--format", "csv", "--out", str(out)).exit_code == 0
    with db.transaction() as session:
        session.execute(delete(Provider))
    result = cli("providers", "import", str(out))
    assert result.exit_code == 0, result.output
    after = json.loads(cli("providers", "list", "--json").stdout)
    keep = (
        "kind",
        "status",
        "name_zh",
        "phone",
        "item_codes",
        "area_codes",
        "capacity",
        "hours",
        "documents",
        "trainings",
        "organisation",
        "standard_prices",
        "language",
    )
    assert [{k: p[k] for k in keep} for p in after] == [{k: p[k] for k in keep} for p in before]
