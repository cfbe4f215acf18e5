"""The command line starts fast because a command's module is imported only when it runs
(``hotline.cli.COMMANDS``, ``HotlineGroup.lazy``). These tests keep the promise without timing
anything: the listed help matches the commands', and what a command imports is checked by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from hotline.cli import cli
from hotline.cli_base import HotlineGroup, listed_help
from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[2]
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "twilio",
    "panoramisk",
    "apscheduler",
    "jinja2",
    "numpy",
    "jieba",
    "alembic",
)


def _lazy_groups() -> list[tuple[str, HotlineGroup]]:
    found: list[tuple[str, HotlineGroup]] = [("hotline", cli)]  # type: ignore[list-item]
    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        if isinstance(command, HotlineGroup) and command.lazy:
            found.append((name, command))
    return found


@pytest.mark.parametrize("limit", [30, 45, 70, 200])
def test_the_listed_short_help_is_the_commands_own(limit: int) -> None:
    for group_name, group in _lazy_groups():
        context = click.Context(group)
        for name, (_, listed) in group.lazy.items():
            command = group.get_command(context, name)
            assert command is not None, f"{group_name} {name}: nothing at {group.lazy[name][0]}"
            assert command.name == name
            assert listed_help(listed, limit) == command.get_short_help_str(limit), (
                f"{group_name} {name}: the help listed in the lazy table differs from the command's"
            )


def _modules_after(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    """Every module a fresh ``hotline ARGS`` process has imported when the command is done."""
    code = (
        "import json, sys\n"
        "from hotline.cli import cli\n"
        f"cli.main({args!r}, prog_name='hotline', standalone_mode=False)\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_imports_click_and_nothing_of_the_database_or_the_web() -> None:
    loaded = _modules_after(["--help"])
    assert "click" in loaded
    assert not {"sqlalchemy", "pydantic", "pydantic_settings", "dispatch", "providers", *HEAVY} & loaded


def test_a_group_help_does_not_import_its_commands_from_other_modules() -> None:
    loaded = _modules_after(["ticket", "--help"])
    assert "hotline.commands.tickets" in loaded
    assert not {"hotline.commands.dispatching", "hotline.commands.messages", *HEAVY} & loaded


def test_read_commands_leave_the_web_app_scheduler_and_telephony_unloaded(cli_env: dict[str, str], cli: Cli) -> None:
    env = {**os.environ, **cli_env}
    created = cli("ticket", "create", "--phone", "13800138000", "--item", "EH-UNLOCK", "--text", "锁在门外")
    number = created.stdout.strip()
    reads = (["catalog", "list"], ["ticket", "list"], ["ticket", "show", number], ["residents", "show", "13800138000"])
    for args in reads:
        loaded = _modules_after(args, env)
        assert "sqlalchemy" in loaded  # it did read the database
        assert not set(HEAVY) & loaded, f"hotline {' '.join(args)} imported {set(HEAVY) & loaded}"
        # Babel (texts are not translated), argon2 (no password checked), the call log's models, the
        # personal-data export and erasure (every domain's data), the surveys
        unused = {"babel", "argon2", "hotline.voice.models", "hotline.privacy", "callbacks"} & loaded
        assert not unused, f"hotline {' '.join(args)} imported {unused}"


def test_the_catalogue_is_read_without_the_other_models(cli_env: dict[str, str]) -> None:
    """``catalog list`` maps the catalogue's two tables, not the areas, tickets or providers."""
    loaded = _modules_after(["catalog", "list"], {**os.environ, **cli_env})
    assert "config.catalog" in loaded
    assert not {"config.areas", "config.staff", "dispatch", "providers", "sms"} & loaded


def test_the_collector_is_off_while_a_command_starts_and_on_while_it_runs(cli_env: dict[str, str]) -> None:
    """``hotline.cli.main`` pauses the cyclic collector until the command's module is imported,
    then freezes what start-up built and turns it back on: a long command (serve, demo, report)
    must not run without it."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "sys.argv = ['hotline', 'catalog', 'list']\n"
        "from hotline.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, **cli_env}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert result.stderr.strip().splitlines()[-1] == "True True"
