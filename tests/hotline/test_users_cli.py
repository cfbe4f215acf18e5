"""``hotline users`` and ``hotline apikeys``: the administrator's side of logins."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from config import logins
from config.db import Database
from config.errors import Forbidden
from config.staff import Staff, password_matches


def test_first_admin_is_created_with_a_password_from_stdin(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    created = cli(
        "users", "create", "--name", "周磊", "--role", "admin", "--password-stdin", input="a long passphrase\n"
    )
    assert created.exit_code == 0 and created.stdout == "created admin 周磊 (id 1, can log in)\n"
    with db.read() as session:
        member = session.scalar(select(Staff).where(Staff.name == "周磊"))
        assert member is not None and member.password_hash is not None
        assert member.password_hash.startswith("$argon2id$") and "a long passphrase" not in member.password_hash
        assert password_matches(member, "a long passphrase") and not password_matches(member, "a long passphrasE")
    short = cli("users", "create", "--name", "王芳", "--role", "operator", "--password-stdin", input="short\n")
    assert short.exit_code == 2 and short.stderr == "hotline: error: the password needs at least 10 characters\n"
    twice = cli("users", "create", "--name", "周磊", "--role", "operator")
    assert twice.stderr == "hotline: error: a staff member named '周磊' exists already\n"


def test_passwd_changes_the_password_and_only_an_admin_may(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    cli("users", "create", "--name", "王芳", "--role", "operator", "--extension", "7001")
    cli("users", "create", "--name", "赵敏", "--role", "supervisor")
    assert cli("users", "passwd", "7001", input="new passphrase 1\n").stdout == "password set for 王芳\n"
    refused = cli("users", "passwd", "王芳", "--by", "赵敏", input="other passphrase\n")
    assert (
        refused.exit_code == 2 and refused.stderr == "hotline: error: 赵敏 is supervisor: not allowed to users.manage\n"
    )
    with db.read() as session:
        member = session.scalar(select(Staff).where(Staff.name == "王芳"))
        assert password_matches(member, "new passphrase 1")
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [(r["name"], r["can_log_in"]) for r in listed] == [("王芳", True), ("赵敏", False)]


def test_an_api_key_is_printed_once_on_the_last_line_and_only_its_hash_is_kept(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    made = cli("apikeys", "create", "--name", "street office", "--role", "observer")
    key = made.stdout.splitlines()[-1]
    assert made.exit_code == 0 and made.stdout == key + "\n" and key.startswith("hlk_") and len(key) > 40
    with db.read() as session:
        row = logins.list_api_keys(session)[0]
        assert key not in (row.key_hash, row.prefix) and row.role == "observer"
        assert logins.api_key_for(session, secret=key) is not None
    listing = cli("apikeys", "list").stdout
    assert "street office" in listing and key not in listing
    assert cli("apikeys", "create", "--name", "street office", "--role", "observer").exit_code == 2


def test_nobody_creates_a_key_or_login_above_their_role(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    cli("users", "create", "--name", "王芳", "--role", "operator", "--extension", "7001")
    cli("users", "create", "--name", "周磊", "--role", "admin")
    by_operator = cli("apikeys", "create", "--name", "mine", "--role", "admin", "--by", "7001")
    assert by_operator.stderr == "hotline: error: 王芳 is operator: not allowed to apikeys.manage\n"
    by_operator = cli("users", "create", "--name", "新人", "--role", "admin", "--by", "王芳")
    assert by_operator.stderr == "hotline: error: 王芳 is operator: not allowed to users.manage\n"
    assert cli("users", "create", "--name", "新人", "--role", "dispatcher", "--by", "周磊").exit_code == 0
    with (
        db.transaction() as session,
        pytest.raises(Forbidden, match="a supervisor may not create a key with the role admin"),
    ):
        logins.create_api_key(session, name="x", role="admin", created_by="staff:9", granter_role="supervisor")


def test_the_cli_checks_the_role_of_whoever_acts_with_by_or_its_operator_alias(cli, db: Database, settings) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    with db.transaction() as session:
        number = factories.ticket(session, settings, text="水管漏水").number
    cli("users", "create", "--name", "王芳", "--role", "operator", "--extension", "7001")
    cli("users", "create", "--name", "Chen Jing", "--role", "dispatcher", "--extension", "7003")
    refused = cli("ticket", "cancel", number, "--reason", "duplicate", "--operator", "7001")
    assert refused.stderr == "hotline: error: 王芳 is operator: not allowed to ticket.cancel\n"
    refused = cli("ticket", "cancel", number, "--reason", "duplicate", "--by", "王芳")
    assert refused.exit_code == 2
    assert cli("ticket", "cancel", number, "--reason", "duplicate", "--by", "7003").exit_code == 0
    cli("users", "disable", "Chen Jing")
    gone = cli("ticket", "move", number, "reopened", "--by", "7003")
    assert gone.exit_code == 2
