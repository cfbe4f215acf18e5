"""Fixtures shared by the hotline's webhook tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.hotline.test_sms_intake import MONDAY_10AM
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL


@pytest.fixture
def hotline(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app behind signed Twilio webhooks on Monday 10:00; a server error comes back as a 500."""
    app = create_app(
        settings.model_copy(
            update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN, "twilio_from_number": "+8657396345"}
        ),
        db,
    )
    with clock.freeze(MONDAY_10AM), TestClient(app, raise_server_exceptions=False) as client:
        yield client
