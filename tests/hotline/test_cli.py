from __future__ import annotations

import json

from sqlalchemy import func, select

from config.db import Database
from dispatch.models import Resident, Ticket


def test_operator_creates_shows_moves_and_lists_a_ticket(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    assert cli("users", "create", "--name", "王芳", "--role", "operator", "--extension", "7001").exit_code == 0
    created = cli(
        "ticket",
        "create",
        "--phone",
        "0573-82123456",
        "--item",
        "PE-PIPE-LEAK",
        "--text",
        "厨房水管漏水",
        "--community",
        "330402003001",
        "--address",
        "3幢401",
        "--urgency",
        "urgent",
        "--operator",
        "7001",
    )
    assert created.exit_code == 0, created.output
    number = created.stdout.strip()
    assert number.isdigit() and len(number) == 10

    shown = cli("ticket", "show", number)
    assert "+8657382123456" in shown.output and "PE-PIPE-LEAK" in shown.output and "厨房水管漏水" in shown.output
    assert "Where:     南湖社区 / Nanhu Community (330402003001)  3幢401" in shown.output

    moved = cli("ticket", "move", number, "dispatching", "--note", "looking for a plumber")
    assert moved.exit_code == 0 and "new -> dispatching" in moved.output

    record = json.loads(cli("ticket", "show", number, "--json").stdout)
    assert record["number"] == number
    assert record["status"] == "dispatching"
    assert record["channel"] == "phone"
    assert record["phone"] == "+8657382123456"
    assert record["item_code"] == "PE-PIPE-LEAK"
    assert record["community_code"] == "330402003001"
    assert (record["community_name_zh"], record["community_name_en"]) == ("南湖社区", "Nanhu Community")
    assert record["operator"] == "王芳"
    assert [(e["kind"], e["from_status"], e["to_status"]) for e in record["events"]] == [
        ("created", None, "new"),
        ("status", "new", "dispatching"),
    ]
    assert record["events"][0]["actor"].startswith("staff:")
    assert record["events"][1]["note"] == "looking for a plumber"

    listed = json.loads(cli("ticket", "list", "--json", "--status", "dispatching", "--phone", "82123456").stdout)
    assert [r["number"] for r in listed] == [number]
    assert json.loads(cli("ticket", "list", "--json", "--status", "closed").stdout) == []


def test_the_same_request_again_prints_the_first_ticket(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("ticket", "create", "--phone", "13800138000", "--item", "EH-UNLOCK", "--text", "锁在门外")
    second = cli("ticket", "create", "--phone", "+86 138 0013 8000", "--item", "EH-UNLOCK", "--text", "还在门外等")
    assert first.stdout == second.stdout
    assert "linked to open ticket" in second.stderr


def _counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Resident)) or 0,
            session.scalar(select(func.count()).select_from(Ticket)) or 0,
        )


def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    cases = [
        (["ticket", "create", "--phone", "96345", "--item", "EH-UNLOCK", "--text", "x"], "short service number"),
        (["ticket", "create", "--phone", "13800138000", "--item", "NO-SUCH", "--text", "x"], "unknown service item"),
        (
            ["ticket", "create", "--phone", "13800138000", "--item", "EH-UNLOCK", "--text", "x", "--community", "999"],
            "unknown area code",
        ),
        (
            [
                "ticket",
                "create",
                "--phone",
                "13800138000",
                "--item",
                "EH-UNLOCK",
                "--text",
                "x",
                "--community",
                "330402",
            ],
            "is a district, not a community",
        ),
        (
            [
                "ticket",
                "create",
                "--phone",
                "13800138000",
                "--item",
                "EH-UNLOCK",
                "--text",
                "x",
                "--operator",
                "nobody",
            ],
            "no staff member named",
        ),
        (["ticket", "show", "0000000000"], "no ticket numbered"),
        (["ticket", "move", "0000000000", "closed"], "no ticket numbered"),
        (["users", "create", "--name", "x", "--role", "operator", "--extension", "70a"], "must be digits"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("hotline: error: ") and message in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert _counts(db) == (0, 0)


def test_an_illegal_move_is_refused_and_recorded_nowhere(cli) -> None:  # type: ignore[no-untyped-def]
    number = cli("ticket", "create", "--phone", "13800138000", "--item", "EH-UNLOCK", "--text", "x").stdout.strip()
    result = cli("ticket", "move", number, "completed")
    assert result.exit_code == 2
    assert "cannot go from new to completed" in result.stderr
    record = json.loads(cli("ticket", "show", number, "--json").stdout)
    assert record["status"] == "new" and len(record["events"]) == 1


def test_unknown_status_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("ticket", "move", "123", "done")
    assert result.exit_code == 2 and "Invalid value" in result.stderr


def test_users_list_json(cli) -> None:  # type: ignore[no-untyped-def]
    cli("users", "create", "--name", "赵敏", "--role", "supervisor")
    rows = json.loads(cli("users", "list", "--json").stdout)
    assert rows == [
        {
            "id": rows[0]["id"],
            "name": "赵敏",
            "role": "supervisor",
            "extension": None,
            "active": True,
            "can_log_in": False,
        }
    ]
    again = cli("users", "create", "--name", "x", "--role", "operator", "--extension", "7001")
    assert again.exit_code == 0
    clash = cli("users", "create", "--name", "y", "--role", "operator", "--extension", "7001")
    assert clash.exit_code == 2 and "already belongs" in clash.stderr


def test_settings_errors_are_one_line(cli_env: dict[str, str]) -> None:
    from tests.conftest import Cli

    result = Cli({**cli_env, "HOTLINE_TIMEZONE": "Nowhere/Land"})("ticket", "list")
    assert result.exit_code == 2
    assert (
        result.stderr == "hotline: error: HOTLINE_TIMEZONE: unknown time zone 'Nowhere/Land' "
        "(use an IANA name such as Asia/Shanghai)\n"
    )


def test_unmigrated_database_says_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import TEST_SECRET, Cli

    result = Cli({"HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "HOTLINE_SECRET_KEY": TEST_SECRET})(
        "ticket", "list"
    )
    assert result.exit_code == 2
    assert "run: hotline db upgrade" in result.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly(cli, cli_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """``hotline catalog list | head -1``: no error about a broken pipe, no traceback."""
    import fcntl
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: a small pipe, so the listing cannot fit in it
    command = subprocess.Popen(
        [sys.executable, "-m", "hotline", "catalog", "list"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        env={**os.environ, **cli_env},
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        first = reader.read(200)  # like head: read a little, then go away
    _, stderr = command.communicate(timeout=120)
    assert first and command.returncode in (0, 1)
    assert stderr.decode() == ""
