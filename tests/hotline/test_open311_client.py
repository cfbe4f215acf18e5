"""The read calls of a real third-party Open311 client (PyPI ``georeport``) against the real
server, in both of the formats it speaks. georeport does not create requests (its README says
so); posting is covered from the spec in ``test_open311.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from config import catalog
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import residents, service
from hotline.app import create_app
from tests.support import live_server, missing


@pytest.fixture
def georeport():  # type: ignore[no-untyped-def]
    try:
        import georeport
    except ImportError:
        missing("georeport", "pip install -e '.[test]' installs the Open311 client")
    return georeport


@pytest.fixture
def root(settings: Settings, db: Database) -> Iterator[str]:
    with live_server(create_app(settings, db)) as base:
        yield base + "/open311/v2"


def _tickets(db: Database) -> list[str]:
    numbers = []
    with db.transaction() as session:
        resident = residents.get_or_create_resident(session, phone="+8613800138000", name="李阿姨")
        for code in ("PE-PIPE-LEAK", "HK-CLEAN-HOURLY"):
            found, _ = service.create_ticket(
                session,
                resident=resident,
                channel="sms",
                description="厨房水管漏水",
                zone=dt.UTC,
                actor=Actor("system"),
                item=catalog.get_item(session, code=code),
            )
            numbers.append(found.number)
        service.move_ticket(session, ticket=found, to="cancelled", actor=Actor("system"))
    return numbers


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(  # type: ignore[no-untyped-def]
    root: str, db: Database, output_format: str, georeport
) -> None:
    leak, cleaning = _tickets(db)
    client = georeport.GeoReport(root, jurisdiction="jiaxing.96345", output_format=output_format)

    services = client.get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["PE-PIPE-LEAK"]["group"] == "水电维修"
    assert str(by_code["PE-PIPE-LEAK"]["metadata"]).lower() == "false"

    definition = client.get_service_definition("PE-PIPE-LEAK")
    assert definition["service_code"] == "PE-PIPE-LEAK"

    requests = client.get_service_requests()
    assert [r["service_request_id"] for r in requests] == [cleaning, leak]
    closed = client.get_service_requests(status="closed")
    closed = closed if isinstance(closed, list) else [closed]  # xmltodict: one element is not a list
    assert [r["service_request_id"] for r in closed] == [cleaning]
    by_code_filter = client.get_service_requests(service_code="PE-PIPE-LEAK")
    by_code_filter = by_code_filter if isinstance(by_code_filter, list) else [by_code_filter]
    assert [r["service_request_id"] for r in by_code_filter] == [leak]
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(client.get_service_requests(start_date=start)) == 2

    one = client.get_service_request(leak)
    assert one["service_request_id"] == leak and one["status"] == "open"
    assert one["requested_datetime"].endswith("+08:00")
    assert "13800138000" not in str(one) and "李阿姨" not in str(one)


def test_georeport_sees_a_missing_request_as_an_http_error(root: str, georeport) -> None:  # type: ignore[no-untyped-def]
    import requests

    client = georeport.GeoReport(root, output_format="json")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_request("0000000000")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404
