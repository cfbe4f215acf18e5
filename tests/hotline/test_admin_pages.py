"""The administrators' screens: staff logins and API keys, with the role table's limits."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from config import logins
from config import staff as staff_mod
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.console_support import log_in


def test_an_admin_creates_a_login_sets_its_password_and_disables_it(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "admin")
        page = client.get("/admin/users", headers={"accept-language": "en"}).text
        created = client.post(
            "/admin/users",
            data={
                "csrf": me.csrf,
                "name": "刘洋",
                "role": "operator",
                "extension": "7009",
                "password": "long enough pw",
            },
            follow_redirects=False,
        )
        twice = client.post("/admin/users", data={"csrf": me.csrf, "name": "刘洋", "role": "operator"})
        with db.read() as session:
            member_id = staff_mod.find(session, who="刘洋").id
        other = TestClient(create_app(settings, db))
        their = log_in(other, db, settings, "operator", name="刘洋")
        assert other.get("/").status_code == 200
        reset = client.post(
            f"/admin/users/{member_id}/password",
            data={"csrf": me.csrf, "password": "another long pw"},
            follow_redirects=False,
        )
        after_reset = other.get("/", headers={"accept": "application/json"})
        short = client.post(f"/admin/users/{member_id}/password", data={"csrf": me.csrf, "password": "x"})
        disabled = client.post(f"/admin/users/{member_id}/disable", data={"csrf": me.csrf}, follow_redirects=False)
        listed = client.get("/admin/users?done=disabled", headers={"accept-language": "en"}).text
    assert 'action="/admin/users"' in page and "Administration" in page
    assert created.status_code == 303 and twice.status_code == 409
    assert reset.status_code == 303 and after_reset.status_code == 401  # their session ended
    assert short.status_code == 422 and "at least" in short.text
    assert disabled.status_code == 303 and "Disabled login" in listed and "their open sessions have ended" in listed
    with db.read() as session:
        member = staff_mod.find(session, who="刘洋")
        assert (member.role, member.extension, member.active) == ("operator", "7009", False)
        assert staff_mod.password_matches(member, "another long pw")
    assert their.staff_id == member_id


@pytest.mark.parametrize("role", ["observer", "operator", "dispatcher", "supervisor"])
def test_only_admins_reach_the_screens(db: Database, settings: Settings, role: str) -> None:
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, role)
        users = client.get("/admin/users")
        keys = client.get("/admin/apikeys")
        create = client.post("/admin/users", data={"csrf": me.csrf, "name": "x", "role": "observer"})
        key = client.post("/admin/apikeys", data={"csrf": me.csrf, "name": "x", "role": "observer"})
        queue = client.get("/").text
    assert (users.status_code, keys.status_code, create.status_code, key.status_code) == (403, 403, 403, 403)
    assert "/admin/" not in queue  # no menu entry either


def test_an_api_key_is_shown_once_works_and_is_revoked(db: Database, settings: Settings) -> None:
    with TestClient(create_app(settings, db)) as client:
        me = log_in(client, db, settings, "admin")
        created = client.post(
            "/admin/apikeys",
            data={"csrf": me.csrf, "name": "街道办报表", "role": "observer"},
            headers={"accept-language": "en"},
        )
        secret = re.search(r'id="new-key" value="([^"]+)"', created.text)
        assert secret is not None
        key = secret.group(1)
        listed = client.get("/admin/apikeys").text
        works = client.get("/api/v1/tickets", headers={"authorization": f"Bearer {key}"})
        revoked = client.post(
            "/admin/apikeys/revoke", data={"csrf": me.csrf, "name": "街道办报表"}, follow_redirects=False
        )
        refused = TestClient(create_app(settings, db)).get(
            "/api/v1/tickets", headers={"authorization": f"Bearer {key}"}
        )
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    assert "shown this once" in created.text
    assert key not in listed and key[:12] in listed  # afterwards only its first characters
    assert works.status_code == 200
    assert revoked.status_code == 303 and refused.status_code == 401
    with db.read() as session:
        (row,) = logins.list_api_keys(session)
        assert (row.role, row.created_by, row.revoked_at is not None) == ("observer", f"staff:{me.staff_id}", True)
