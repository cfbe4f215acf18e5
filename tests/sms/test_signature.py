"""Every recorded Twilio signature vector passes through the real ``verified_twilio_form``
dependency over HTTP; the inbound endpoint refuses what is unsigned or signed wrongly."""

from __future__ import annotations

import json
import urllib.parse
from typing import Annotated, Any

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.datastructures import FormData

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from sms.models import InboundMessage
from sms.twilio_signature import verified_twilio_form
from tests.support import shared_fixture
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, sign


def _vectors() -> dict[str, Any]:
    return json.loads(shared_fixture("twilio", "signature_vectors.json").read_text(encoding="utf-8"))


def _client_at(settings: Settings, db: Database, url: str, token: str) -> tuple[TestClient, str]:
    """An app whose public URL is the vector's scheme, host and port, with a route at the vector's
    path guarded by the real dependency. Returns the client and the path with query to post to."""
    parts = urllib.parse.urlsplit(url)
    app = create_app(
        settings.model_copy(update={"public_url": f"{parts.scheme}://{parts.netloc}", "twilio_auth_token": token}), db
    )

    async def echo(form: Annotated[FormData, Depends(verified_twilio_form)]) -> list[list[str]]:
        return sorted([key, str(value)] for key, value in form.multi_items())

    app.add_api_route(parts.path, echo, methods=["POST"])
    return TestClient(app), parts.path + "?" + parts.query


VECTOR_NAMES = [
    "basic",
    "https_explicit_port_443",
    "http_explicit_port_80",
    "http_port_1234",
    "https_port_1234_validates_with_basic_sig",
    "duplicate_keys_sorted_deduped",
    "mixed_case_host_is_signed_verbatim",
    "mixed_case_host_with_port",
]


def test_the_fixture_holds_the_vectors_this_test_knows() -> None:
    assert [v["name"] for v in _vectors()["vectors"]] == VECTOR_NAMES


@pytest.mark.fixtures
@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_recorded_signature_vector_is_accepted_and_a_tampered_one_refused(
    name: str, settings: Settings, db: Database
) -> None:
    data = _vectors()
    vector = next(v for v in data["vectors"] if v["name"] == name)
    params: list[tuple[str, str]] = (
        [tuple(pair) for pair in vector["params_multi"]]  # type: ignore[misc]
        if "params_multi" in vector
        else list(data[vector["params"]].items())
    )
    signature = vector.get("expected") or vector["validate_against"]
    client, target = _client_at(settings, db, vector["url"], data["auth_token"])
    with client:
        body = urllib.parse.urlencode(params)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        accepted = client.post(target, content=body, headers={**headers, "X-Twilio-Signature": signature})
        tampered = client.post(target, content=body + "&Extra=1", headers={**headers, "X-Twilio-Signature": signature})
        unsigned = client.post(target, content=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == sorted([k, v] for k, v in params)
    assert (tampered.status_code, unsigned.status_code) == (403, 403)


@pytest.mark.fixtures
def test_json_webhook_vector_checks_the_body_hash(settings: Settings, db: Database) -> None:
    data = _vectors()
    vector = data["json_body_vector"]
    client, target = _client_at(settings, db, vector["url"], data["auth_token"])
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": vector["expected"]}
    with client:
        accepted = client.post(target, content=vector["body"], headers=headers)
        altered = client.post(target, content=vector["body"].replace("true", "false"), headers=headers)
    assert accepted.status_code == 200 and accepted.json() == []
    assert altered.status_code == 403


def _inbound_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage)) or 0


def test_inbound_text_without_or_with_a_wrong_signature_gets_403_and_changes_nothing(
    settings: Settings, db: Database
) -> None:
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db)
    form = {"MessageSid": "SM" + "1" * 32, "From": "+8613800138000", "To": "+8657396345", "Body": "厨房水管漏水"}
    path = "/sms/twilio/inbound"
    with TestClient(app) as client:
        missing = client.post(path, data=form)
        wrong_key = client.post(path, data=form, headers={"X-Twilio-Signature": sign(PUBLIC_URL + path, form, "other")})
        wrong_url = client.post(
            path, data=form, headers={"X-Twilio-Signature": sign("http://evil.example" + path, form)}
        )
        changed = client.post(
            path, data={**form, "Body": "改过的"}, headers={"X-Twilio-Signature": sign(PUBLIC_URL + path, form)}
        )
    assert [r.status_code for r in (missing, wrong_key, wrong_url, changed)] == [403] * 4
    assert _inbound_count(db) == 0


def test_no_auth_token_configured_refuses_every_webhook(settings: Settings, db: Database) -> None:
    app = create_app(settings.model_copy(update={"twilio_auth_token": ""}), db)
    form = {"MessageSid": "SM" + "2" * 32, "From": "+8613800138000", "Body": "hi"}
    with TestClient(app) as client:
        response = client.post(
            "/sms/twilio/inbound",
            data=form,
            headers={"X-Twilio-Signature": sign(settings.public_url + "/sms/twilio/inbound", form, "")},
        )
    assert response.status_code == 403
    assert _inbound_count(db) == 0
