"""Open311 GeoReport v2, tested against the specification's own text and examples in
``../shared/fixtures/open311/`` (read from there; skipped when absent), in both formats."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from config import areas, catalog, clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import residents, service
from dispatch.models import Ticket
from hotline.app import create_app
from sms.models import OutboundMessage
from tests.support import shared_fixture

pytestmark = pytest.mark.fixtures
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in the centre
W3 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
BASE = "/open311/v2"
PERSONAL = ("13800138000", "李阿姨", "3幢401室", "厨房水管漏水")


def spec(*parts: str) -> Path:
    return shared_fixture("open311", *parts)


def spec_json(name: str) -> Any:
    return json.loads(spec("spec_examples", name).read_text(encoding="utf-8"))


def spec_xml(*parts: str) -> ElementTree.Element:
    text = spec(*parts).read_text(encoding="utf-8")
    return ElementTree.fromstring(text[text.index("<?xml") :].encode())


def spark(element: ElementTree.Element) -> Any:
    """The Spark convention: XML to the JSON the spec says it maps to (a root of repeated
    children is a list; a leaf is its text, empty meaning null)."""
    children = list(element)
    if not children:
        return element.text if element.text and element.text.strip() else None
    tags = [c.tag for c in children]
    if (len(children) > 1 and len(set(tags)) == 1) or element.tag in LISTS:
        return [spark(c) for c in children]
    return {c.tag: spark(c) for c in children}


LISTS = {"services", "service_requests", "errors", "attributes", "endpoints", "formats", "values"}


def as_strings(value: Any) -> Any:
    """JSON values as XML carries them (every scalar is text there)."""
    if isinstance(value, dict):
        return {k: as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value == "":
        return None
    return str(value)


@pytest.fixture
def api(settings: Settings, db: Database) -> Iterator[TestClient]:
    spec("GeoReport_v2.spec.md")
    with clock.freeze(NOW), TestClient(create_app(settings, db)) as client:
        yield client


@pytest.fixture
def key(cli) -> str:  # type: ignore[no-untyped-def]
    return str(cli("apikeys", "create", "--name", "civic-app", "--role", "partner").stdout.strip().splitlines()[-1])


def both(api: TestClient, path: str, **params: str) -> tuple[Any, ElementTree.Element]:
    """The JSON and the XML answer of one resource, checked for their content types."""
    as_json = api.get(f"{BASE}/{path}.json", params=params)
    as_xml = api.get(f"{BASE}/{path}.xml", params=params)
    assert as_json.status_code == as_xml.status_code == 200, (as_json.text, as_xml.text)
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert as_xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return as_json.json(), ElementTree.fromstring(as_xml.content)


def ticket(db: Database, *, at: dt.datetime = NOW, item: str | None = "PE-PIPE-LEAK", status: str = "new") -> str:
    with clock.freeze(at), db.transaction() as session:
        resident = residents.get_or_create_resident(session, phone="+8613800138000", name="李阿姨", address="3幢401室")
        found, _ = service.create_ticket(
            session,
            resident=resident,
            channel="sms",
            description=f"厨房水管漏水 {at.isoformat()}",
            zone=dt.UTC,
            actor=Actor("system"),
            item=catalog.get_item(session, code=item) if item else None,
        )
        if status == "cancelled":
            service.move_ticket(session, ticket=found, to="cancelled", actor=Actor("system"))
        return found.number


# --- discovery and services ---------------------------------------------------------------------


def test_discovery_has_the_spec_fields_in_both_formats(api: TestClient) -> None:
    as_json, as_xml = both(api, "discovery")
    example = spec_json("discovery.json")
    assert set(as_json) == set(example)
    assert set(as_json["endpoints"][0]) == set(example["endpoints"][0])
    assert {"text/xml", "application/json"} <= set(as_json["endpoints"][0]["formats"])
    assert as_json["endpoints"][0]["url"].endswith("/open311/v2")
    assert as_xml.tag == spec_xml("spec_examples", "discovery.xml").tag == "discovery"
    assert as_strings(as_json) == spark(as_xml)


def test_services_are_the_catalogue_with_the_spec_fields(api: TestClient, db: Database) -> None:
    as_json, as_xml = both(api, "services")
    example = spec_json("service-list.fixed.json")
    with db.read() as session:
        codes = [i.code for i in catalog.list_items(session)]
    assert [s["service_code"] for s in as_json] == codes
    for record in as_json:
        assert set(record) == set(example[0])
        assert isinstance(record["service_code"], str) and record["type"] == "realtime"
        assert record["metadata"] is False  # no item has extra fields
    leak = next(s for s in as_json if s["service_code"] == "PE-PIPE-LEAK")
    assert leak["group"] == "水电维修" and "元" in leak["description"]
    english = api.get(f"{BASE}/services.json", params={"lang": "en"}).json()
    assert next(s for s in english if s["service_code"] == "PE-PIPE-LEAK")["group"] == "Plumbing & Electrical"
    # the XML has the spec's shape: <services><service> with the same fields as its examples
    example_xml = spec_xml("spec_examples", "service-list.xml")
    ruby_xml = spec_xml("codeforamerica-open311-ruby-fixtures", "services.xml")
    assert as_xml.tag == example_xml.tag == ruby_xml.tag == "services"
    assert {c.tag for c in as_xml} == {"service"}
    assert {f.tag for f in as_xml[0]} == {f.tag for f in example_xml[0]} == {f.tag for f in ruby_xml[0]}
    assert as_strings(as_json) == spark(as_xml)


def test_a_service_definition_and_an_unknown_code(api: TestClient) -> None:
    as_json, as_xml = both(api, "services/PE-PIPE-LEAK")
    assert as_json == {"service_code": "PE-PIPE-LEAK", "attributes": []}
    example = spec_xml("spec_examples", "service-definition.xml")
    assert as_xml.tag == example.tag and [c.tag for c in as_xml] == [c.tag for c in example]
    for fmt in ("json", "xml"):
        missing = api.get(f"{BASE}/services/NO-SUCH.{fmt}")
        assert missing.status_code == 404
        assert_spec_error(missing, fmt, 404)


def assert_spec_error(response: Any, fmt: str, code: int, *, mentions: str = "") -> None:
    """The body has the spec's error shape (errors.json.http.txt / errors.xml.http.txt)."""
    if fmt == "json":
        body = response.json()
        example = json.loads(spec("spec_examples", "errors.json.http.txt").read_text().split("\n\n", 1)[1])
        assert isinstance(body, list) and body and all(set(e) == set(example[0]) for e in body)
        assert body[0]["code"] == code
        text = " ".join(e["description"] for e in body)
    else:
        root = ElementTree.fromstring(response.content)
        example = spec_xml("spec_examples", "errors.xml.http.txt")
        assert root.tag == example.tag == "errors"
        assert [c.tag for c in root[0]] == [c.tag for c in example[0]] == ["code", "description"]
        assert root[0].findtext("code") == str(code)
        text = " ".join(e.findtext("description") or "" for e in root)
    assert mentions in text


# --- requests: reading -----------------------------------------------------------------------


def test_requests_have_the_spec_fields_and_no_personal_data(api: TestClient, db: Database) -> None:
    number = ticket(db)
    with db.transaction() as session:
        found = service.get_ticket(session, number=number)
        found.community = areas.get(session, code="330402001001")
    as_json, as_xml = both(api, "requests")
    example = spec_json("service-requests.fixed.json")
    assert len(as_json) == 1 and set(as_json[0]) == set(example[0])
    record = as_json[0]
    assert record["service_request_id"] == number and isinstance(record["service_request_id"], str)
    assert record["status"] == "open" and record["service_code"] == "PE-PIPE-LEAK"
    assert W3.match(record["requested_datetime"]) and record["requested_datetime"].endswith("+08:00")
    assert W3.match(record["updated_datetime"]) and W3.match(record["expected_datetime"])
    assert record["address_id"] == "330402001001" and "紫阳社区" in record["address"]
    body = json.dumps(as_json, ensure_ascii=False) + ElementTree.tostring(as_xml, encoding="unicode")
    assert not [p for p in PERSONAL if p in body]
    example_xml = spec_xml("spec_examples", "service-requests.xml")
    assert as_xml.tag == example_xml.tag and {c.tag for c in as_xml} == {"request"}
    assert [f.tag for f in as_xml[0]] == [f.tag for f in example_xml[0]]
    assert as_strings(as_json) == spark(as_xml)
    one_json, one_xml = both(api, f"requests/{number}")
    assert one_json == as_json and spark(one_xml) == spark(as_xml)


def test_unknown_request_is_a_404_in_the_spec_shape(api: TestClient) -> None:
    ruby = spec_xml("codeforamerica-open311-ruby-fixtures", "get_service_request_not_found.xml")
    for fmt in ("json", "xml"):
        response = api.get(f"{BASE}/requests/not-an-id.{fmt}")
        assert response.status_code == 404
        assert_spec_error(response, fmt, 404, mentions="not-an-id")
    assert ruby.tag == "errors"


def test_filters_window_and_status(api: TestClient, db: Database) -> None:
    old = ticket(db, at=NOW - dt.timedelta(days=100))
    recent = ticket(db, at=NOW - dt.timedelta(days=10), item="PE-DRAIN-UNBLOCK")
    cancelled = ticket(db, at=NOW - dt.timedelta(days=5), item="HK-CLEAN-HOURLY", status="cancelled")
    today = ticket(db)

    def ids(**params: str) -> list[str]:
        response = api.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [today, cancelled, recent]  # the last 90 days, newest first
    assert ids(jurisdiction_id="") == ids(jurisdiction_id="jiaxing.gov.cn") == ids()
    assert ids(status="closed") == [cancelled]
    assert ids(status="open") == [today, recent]
    assert ids(status="open,closed") == [today, cancelled, recent]
    assert ids(service_code="PE-DRAIN-UNBLOCK,HK-CLEAN-HOURLY") == [cancelled, recent]
    start = (NOW - dt.timedelta(days=120)).isoformat().replace("+00:00", "Z")
    assert ids(start_date=start) == [old]  # start alone: 90 days from it
    end = (NOW - dt.timedelta(days=7)).astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    assert ids(end_date=end) == [recent]  # end alone: the 90 days before it
    assert ids(service_request_id=f"{old},{today}", status="open") == [today, old]  # overrides the rest
    closed = next(r for r in api.get(f"{BASE}/requests.json").json() if r["service_request_id"] == cancelled)
    assert closed["status"] == "closed" and closed["expected_datetime"] is None


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
    ],
)
def test_bad_filters_are_400s_saying_why(api: TestClient, params: dict[str, str], mentions: str) -> None:
    for fmt in ("json", "xml"):
        response = api.get(f"{BASE}/requests.{fmt}", params=params)
        assert response.status_code == 400
        assert_spec_error(response, fmt, 400, mentions=mentions)


def test_an_unencoded_plus_in_an_offset_is_read_as_one(api: TestClient, db: Database) -> None:
    number = ticket(db, at=NOW - dt.timedelta(days=1))
    response = api.get(f"{BASE}/requests.json?start_date=2026-11-21T00:00:00+08:00&end_date=2026-11-23T00:00:00+08:00")
    assert [r["service_request_id"] for r in response.json()] == [number]


# --- requests: posting --------------------------------------------------------------------------


def spec_post_body() -> dict[str, str]:
    """The spec's own example POST (post-service-request.request.http.txt), as form fields."""
    text = spec("spec_examples", "post-service-request.request.http.txt").read_text()
    return dict(parse_qsl(text.strip().split("\n\n", 1)[1].strip()))


def test_posting_the_spec_example_opens_a_ticket_at_once(api: TestClient, db: Database, key: str) -> None:
    body = {**spec_post_body(), "api_key": key, "service_code": "PE-PIPE-LEAK", "phone": "13800138000"}
    for fmt in ("json", "xml"):
        response = api.post(f"{BASE}/requests.{fmt}", data=body)
        assert response.status_code == 200, response.text
        if fmt == "json":
            answer = response.json()
            assert set(answer[0]) == set(spec_json("service-request-post.json")[0])
            number = answer[0]["service_request_id"]
            assert isinstance(number, str) and re.fullmatch(r"\d{10}", number)
        else:
            root = ElementTree.fromstring(response.content)
            example = spec_xml("spec_examples", "service-request-post.xml")
            assert root.tag == example.tag and [c.tag for c in root[0]] == [c.tag for c in example[0]]
            assert root[0].findtext("service_request_id") == number  # the same request again: joined
    with db.read() as session:
        found = service.get_ticket(session, number=number)
        assert (found.channel, found.item.code, found.resident.phone) == ("api", "PE-PIPE-LEAK", "+8613800138000")  # type: ignore[union-attr]
        assert found.resident.name == "john smith" and found.address == "1234 5th street"
        assert "sinkhole" in found.description and found.events[0].actor.startswith("apikey:")
        texts = session.scalars(select(OutboundMessage.body).where(OutboundMessage.to == "+8613800138000")).all()
    assert any(number in t for t in texts)
    read = api.get(f"{BASE}/requests/{number}.json").json()[0]
    assert read["status"] == "open" and "sinkhole" not in json.dumps(read)


def test_a_post_without_phone_is_refused_naming_it(api: TestClient, db: Database, key: str) -> None:
    body = {**spec_post_body(), "api_key": key, "service_code": "PE-PIPE-LEAK"}
    body.pop("phone")
    for fmt in ("json", "xml"):
        response = api.post(f"{BASE}/requests.{fmt}", data=body)
        assert response.status_code == 400
        assert_spec_error(response, fmt, 400, mentions="phone")
    spec_phone = api.post(f"{BASE}/requests.json", data={**body, "phone": "111111111"})  # the spec's example number
    assert spec_phone.status_code == 400 and "phone" in spec_phone.json()[0]["description"]
    with db.read() as session:
        assert session.scalar(select(Ticket.id)) is None


def test_a_post_needs_a_location_and_a_known_service(api: TestClient, key: str) -> None:
    base = {"api_key": key, "service_code": "PE-PIPE-LEAK", "phone": "13800138000", "description": "漏水"}
    nowhere = api.post(f"{BASE}/requests.json", data=base)
    assert nowhere.status_code == 400 and "location" in nowhere.json()[0]["description"]
    bad_lat = api.post(f"{BASE}/requests.json", data={**base, "lat": "91", "long": "120"})
    assert bad_lat.status_code == 400
    unknown = api.post(f"{BASE}/requests.json", data={**base, "service_code": "NOPE-1", "address_string": "x"})
    assert unknown.status_code == 404
    no_code = api.post(f"{BASE}/requests.xml", data={**base, "service_code": "", "address_string": "x"})
    assert no_code.status_code == 400
    assert_spec_error(no_code, "xml", 400, mentions="service_code")
    by_community = api.post(f"{BASE}/requests.json", data={**base, "address_id": "330402001001"})
    assert by_community.status_code == 200
    listed = api.get(f"{BASE}/requests.json").json()
    assert listed[0]["address_id"] == "330402001001"


def test_a_post_needs_a_valid_key_allowed_to_create_tickets(api: TestClient, cli, key: str) -> None:  # type: ignore[no-untyped-def]
    body = {"service_code": "PE-PIPE-LEAK", "phone": "13800138000", "address_string": "3幢401室"}
    observer = cli("apikeys", "create", "--name", "reports", "--role", "observer").stdout.strip().splitlines()[-1]
    for fmt in ("json", "xml"):
        for secret in ("", "hlk_not-a-key", observer):
            response = api.post(f"{BASE}/requests.{fmt}", data={**body, "api_key": secret})
            assert response.status_code == 403, secret
            assert_spec_error(response, fmt, 403, mentions="api_key")
    assert api.post(f"{BASE}/requests.json", data={**body, "api_key": key}).status_code == 200  # a partner's key
    cli("apikeys", "revoke", "civic-app")
    assert api.post(f"{BASE}/requests.json", data={**body, "api_key": key}).status_code == 403


def test_a_partner_key_posts_through_open311_and_does_nothing_else(api: TestClient, cli, key: str) -> None:  # type: ignore[no-untyped-def]
    bearer = {"Authorization": f"Bearer {key}"}
    assert api.get("/api/v1/tickets", headers=bearer).status_code == 403
    assert api.get("/", headers=bearer).status_code in (302, 303, 403)  # no console
    refused = cli("users", "create", "--name", "app", "--role", "partner", "--password-stdin", input="x" * 12)
    assert refused.exit_code != 0 and "partner" in refused.output  # a key's role, never a staff login


def test_an_unknown_format_is_a_400(api: TestClient) -> None:
    response = api.get(f"{BASE}/services.html")
    assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_a_post_in_raw_utf8_is_read_as_utf8(api: TestClient, db: Database, key: str) -> None:
    """As curl -d sends it: the Chinese address unescaped in the urlencoded body."""
    body = f"api_key={key}&service_code=PE-PIPE-LEAK&phone=13800138000"
    body += "&address_string=紫阳社区3幢401&description=厨房水管漏水"
    response = api.post(
        f"{BASE}/requests.json",
        content=body.encode("utf-8"),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    with db.read() as session:
        found = service.get_ticket(session, number=response.json()[0]["service_request_id"])
        assert (found.address, found.description) == ("紫阳社区3幢401", "厨房水管漏水")
        assert found.community is not None and found.community.code == "330402001001"
        assert found.resident.language == "zh_CN"
