"""Test fixtures. Every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL: set HOTLINE_TEST_POSTGRES_URL (e.g. postgresql+psycopg://hotline:hotline@127.0.0.1:5432/postgres);
each test session creates and drops its own database there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import areas, catalog
from config.db import Database
from config.settings import Settings, load_settings
from dispatch import classifier
from hotline import db as migrations
from hotline.models import metadata
from tests.support import missing

REFERENCE_TABLES = {"categories", "service_items", "areas", "alembic_version"}
TEST_SECRET = "test-secret-not-a-placeholder-0123456789"


def _create_postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"hotline_test_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "hotline.db"
        url = f"sqlite:///{path}"
        _migrate(url)
        yield url
        return
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "")
    if not admin_url:
        missing("PostgreSQL", "HOTLINE_TEST_POSTGRES_URL is not set")
    admin_url = load_settings(demo=True, database_url=admin_url).database_url
    try:
        name, url = _create_postgres_database(admin_url)
    except Exception as exc:  # connection refused, bad credentials ...
        missing("PostgreSQL", f"cannot create a test database at {admin_url}: {str(exc).splitlines()[0]}")
    try:
        _migrate(url)
        yield url
    finally:
        _drop_postgres_database(admin_url, name)


def _migrate(url: str) -> None:
    database = Database(url)
    try:
        migrations.upgrade(database)
        with database.transaction() as session:
            catalog.load(session)
            areas.load(session)
    finally:
        database.dispose()


def _empty_tables(database: Database) -> None:
    tables = [t for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with database.engine.begin() as conn:
        if database.is_sqlite:
            for table in reversed(tables):
                conn.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    classifier.forget()  # the labels and retrained models it remembered are gone too


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The migrated test database, emptied of everything but reference data after each test."""
    database = Database(database_url)
    try:
        yield database
    finally:
        _empty_tables(database)
        database.dispose()


@pytest.fixture
def spool_dir(tmp_path: Path) -> Path:
    return tmp_path / "spool"


@pytest.fixture
def settings(database_url: str, spool_dir: Path) -> Settings:
    return load_settings(database_url=database_url, secret_key=TEST_SECRET, demo=False, spool_dir=str(spool_dir))


class Cli:
    """Runs the ``hotline`` command in-process against the test database."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, input: str | None = None) -> Result:
        from hotline.cli import cli

        return CliRunner().invoke(cli, list(args), env=self.env, input=input, catch_exceptions=False)


@pytest.fixture
def cli_env(database_url: str, db: Database, spool_dir: Path) -> dict[str, str]:
    return {
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_SECRET_KEY": TEST_SECRET,
        "HOTLINE_DEMO": "0",
        "HOTLINE_SPOOL_DIR": str(spool_dir),
    }


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    return Cli(cli_env)


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
