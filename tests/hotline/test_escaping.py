"""Whatever residents, providers or staff type is shown as text on every page, never as markup."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import service
from hotline.app import create_app
from tests.console_support import log_in
from tests.dispatch import scene
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, text

EVIL = "<script>alert(1)</script>\"onerror=alert(2) '><img src=x onerror=alert(3)>"


def _inert(html: str) -> bool:
    return "<script>alert" not in html and "<img src=x" not in html and '"onerror=' not in html


def test_hostile_text_is_inert_on_every_page(db: Database, settings: Settings) -> None:
    hotline = settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN})
    with clock.freeze(scene.NOW), TestClient(create_app(hotline, db)) as client:
        assert text(client, "厨房水管漏水 " + EVIL).status_code == 200  # a resident's text
        with db.transaction() as session:
            provider = scene.plumber(session, settings, 0, name="水电" + EVIL)
            ticket = service.list_tickets(session)[0]
            service.add_note(session, ticket=ticket, note=EVIL, actor=Actor.system())
            ticket.resident.name = EVIL
            number, provider_id = ticket.number, provider.id
        me = log_in(client, db, settings, "dispatcher")
        client.post(f"/tickets/{number}/note", data={"csrf": me.csrf, "text": EVIL})  # a colleague's note
        pages = [
            "/",
            f"/?q={EVIL}",
            "/queue/rows",
            f"/tickets/{number}",
            f"/tickets/new?phone=13800138000&call={EVIL}",
            f"/tickets/new?phone={EVIL}",
            "/providers",
            f"/providers/{provider_id}",
            "/providers/vetting",
        ]
        for path in pages:
            response = client.get(path, headers={"accept": "text/html"})
            assert response.status_code == 200, path
            assert _inert(response.text), path
            if path.startswith("/tickets/26"):
                assert response.text.count("&lt;script&gt;alert(1)&lt;/script&gt;&#34;onerror=") >= 4  # shown, as text
        html = {"accept": "text/html"}
        refused = client.post(f"/tickets/{number}/triage", data={"csrf": me.csrf, "item": EVIL}, headers=html)
        assert refused.status_code == 404 and "unknown service item" in refused.text and _inert(refused.text)
        client.cookies.clear()
        login = client.get("/login", params={"next": EVIL})
        assert login.status_code == 200 and _inert(login.text)
