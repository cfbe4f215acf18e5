"""Every route needs a session or a token, except the few that must be public. A route added
without protection fails here, because the test asks the app itself what it serves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.console_support import log_in

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/login/demo"),  # 404 outside demo mode; logs in only sample staff in it
    # the resident web form and status page: CSRF-tokened, a texted code before a ticket, throttled
    ("GET", "/request"),
    ("POST", "/request"),
    ("POST", "/request/confirm"),
    ("GET", "/status"),
    ("POST", "/status"),
    # Open311 GeoReport v2 reads are public by the spec (and carry no personal data)
    ("GET", "/open311/v2/discovery.{fmt}"),
    ("GET", "/open311/v2/services.{fmt}"),
    ("GET", "/open311/v2/services/{resource}"),
    ("GET", "/open311/v2/requests.{fmt}"),
    ("GET", "/open311/v2/requests/{resource}"),
}
SIGNED_WEBHOOKS = re.compile(r"^/(sms|voice)/twilio/")
OPEN311_KEYED = {("POST", "/open311/v2/requests.{fmt}")}  # the spec's api_key: 403 without it
# The phone simulator: mounted only in demo and training mode, where it is public by design (it
# signs with the app's own token); outside them it does not exist (tests/hotline/test_simulator.py).
SIMULATOR = re.compile(r"^/simulator(/|$)")
PUBLIC_MOUNTS = {"/static"}


def routes(app: Any, prefix: str = "") -> Iterator[Any]:
    for route in app.routes if hasattr(app, "routes") else ():
        if hasattr(route, "original_router"):  # FastAPI's included routers
            yield from routes(route.original_router)
        else:
            yield route


@pytest.mark.parametrize("mode", ["live", "demo", "training"])
def test_every_route_is_protected_or_on_the_public_list(db: Database, settings: Settings, mode: str) -> None:
    app = create_app(settings.model_copy(update={"demo": mode == "demo", "training": mode == "training"}), db)
    checked: list[str] = []
    with TestClient(app) as client:
        for route in routes(app):
            if isinstance(route, Mount):
                assert route.path in PUBLIC_MOUNTS, f"mount {route.path} is not on the public list"
                continue
            assert isinstance(route, APIRoute), f"unexpected route type {type(route).__name__}"
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in route.methods:
                response = client.request(method, path, params={"extension": "7001"})
                if (method, route.path) in PUBLIC or (mode != "live" and SIMULATOR.match(route.path)):
                    assert response.status_code not in (401, 403), (method, route.path)
                elif (method, route.path) in OPEN311_KEYED:
                    assert response.status_code == 403, f"{method} {route.path} answered without api_key"
                elif SIGNED_WEBHOOKS.match(route.path):
                    assert response.status_code == 403, (
                        f"{method} {route.path} answered unsigned: {response.status_code}"
                    )
                else:
                    assert response.status_code == 401, f"{method} {route.path} is open: {response.status_code}"
                checked.append(f"{method} {route.path}")
    assert len(checked) > 20 and "GET /" in checked and "GET /openapi.json" in checked
    assert ("GET /simulator" in checked) == (mode != "live")
    assert ("GET /training/results" in checked) == (mode == "training")


def test_a_form_posted_without_its_csrf_token_is_refused(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "operator")
        refused = client.post("/logout", data={}, follow_redirects=False)
        wrong = client.post("/logout", data={"csrf": "x" * 43}, follow_redirects=False)
        assert client.get("/").status_code == 200  # still logged in
        accepted = client.post("/logout", data={"csrf": me.csrf}, follow_redirects=False)
    assert refused.status_code == 403 and "reload the page" in refused.json()["detail"]
    assert wrong.status_code == 403
    assert accepted.status_code == 303 and accepted.headers["location"] == "/login"


def test_a_bearer_key_needs_no_csrf_token_but_the_right_role(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    observer_key = cli("apikeys", "create", "--name", "reports", "--role", "observer").stdout.strip().splitlines()[-1]
    with TestClient(create_app(settings, db)) as client:
        headers = {"authorization": f"Bearer {observer_key}"}
        assert client.get("/", headers=headers).status_code == 200
        assert client.get("/voice/events", headers=headers, params={"extension": "7001"}).status_code == 403
        assert client.get("/", headers={"authorization": "Bearer hlk_not-a-key"}).status_code == 401
        cli("apikeys", "revoke", "reports")
        assert client.get("/", headers=headers).status_code == 401
