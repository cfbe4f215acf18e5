"""`hotline demo` publishes what its database holds: it refuses a database with real data, says so
when it listens beyond this machine, and the screen-pop stream masks numbers in demo mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import clock
from config.db import Database
from config.settings import Settings
from dispatch.models import Ticket
from hotline.commands import system
from hotline.voice import service as voice_service
from hotline.voice.callerid import CallerId
from tests import factories
from tests.conftest import Cli


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`hotline demo` writes ./.env: not into the repository."""
    monkeypatch.chdir(tmp_path)


def test_demo_refuses_a_database_that_holds_real_residents(cli: Cli, db: Database) -> None:
    with db.transaction() as session:
        factories.resident(session, phone="+8613511112222", name="真实居民")
    result = cli("demo", "--no-serve", "--scale", "0.02")
    assert result.exit_code == 2
    assert "holds data the demo did not put there (1 residents)" in result.stderr
    assert "demo mode would publish it" in result.stderr
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0  # nothing seeded


def test_demo_seeds_an_empty_database_and_runs_again_on_its_own_data(cli: Cli, db: Database) -> None:
    first = cli("demo", "--no-serve", "--scale", "0.02")
    assert first.exit_code == 0, first.stderr
    assert Path(".env").exists()
    again = cli("demo", "--no-serve", "--scale", "0.02")
    assert again.exit_code == 0 and "sample data already present" in again.stderr


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_demo_warns_when_it_listens_beyond_this_machine(
    cli: Cli, db: Database, monkeypatch: pytest.MonkeyPatch, host: str, warned: bool
) -> None:
    served: list[str] = []
    monkeypatch.setattr(system, "_serve", lambda cli, host, port: served.append(host))
    result = cli("demo", "--host", host, "--scale", "0.02")
    assert result.exit_code == 0 and served == [host]
    assert ("hotline: warning: the demo listens on 0.0.0.0" in result.stderr) is warned


def test_the_demo_screen_pop_masks_numbers(db: Database, settings: Settings, tmp_path: Path) -> None:
    with db.transaction() as session:
        factories.ticket(session, settings, phone="+8613800138000", text="厨房水管漏水")
        call = voice_service.create_call(
            session,
            transport="twilio",
            external_id="CA" + "5" * 32,
            caller=CallerId("+8613800138000", "13800138000", False),
            started_at=clock.now(),
        )
        real = voice_service.screen_pop(session, call=call, extension="7001", settings=settings)
        demo = voice_service.screen_pop(
            session, call=call, extension="7001", settings=settings.model_copy(update={"demo": True})
        )
    assert real["caller"] == "+8613800138000" and real["resident"]["phone"] == "+8613800138000"
    assert demo["caller"] == "138****8000" and demo["resident"]["phone"] == "138****8000"
    assert "13800138000" not in str(demo)
