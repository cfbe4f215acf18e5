"""`make demo` seeds a centre the size of Jiaxing's 96345 into a database of its own, marks it as
a demo, and writes ./.env so that the CLI in another terminal (same directory, nothing exported)
works on it. The full demo is seeded once per test session, in a directory of its own."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import periods
from config.demo import database_is_demo
from config.errors import ConfigError
from config.settings import load_settings

HOTLINE = str(Path(sys.executable).with_name("hotline"))
README = Path(__file__).resolve().parents[2] / "README.md"


def _clean_env() -> dict[str, str]:
    """A second terminal: no HOTLINE_* or TWILIO_* variables exported."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_"))}


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HOTLINE, *args], cwd=cwd, env=env or _clean_env(), capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    where = tmp_path_factory.mktemp("demo")
    seeded = run(where, "demo", "--no-serve")
    assert seeded.returncode == 0, seeded.stderr
    (where / "seed.log").write_text(seeded.stderr, encoding="utf-8")
    yield where


def query(where: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(where / "var" / "demo.db") as conn:
        return conn.execute(sql).fetchall()


def scalar(where: Path, sql: str) -> object:
    return query(where, sql)[0][0]


def test_the_demo_is_a_centre_the_size_of_jiaxings(demo_dir: Path) -> None:
    kinds = dict(query(demo_dir, "SELECT kind, count(*) FROM providers GROUP BY kind"))
    assert kinds["company"] >= 166 and kinds["individual"] >= 151 and 300 <= kinds["volunteer"] <= 400
    communities = scalar(
        demo_dir,
        "SELECT count(*) FROM areas c JOIN areas s ON c.parent_id = s.id "
        "WHERE c.level = 'community' AND s.code LIKE '330402%'",
    )
    streets = scalar(demo_dir, "SELECT count(*) FROM areas WHERE level = 'street' AND code LIKE '330402%'")
    assert (streets, communities) == (6, 50)
    orgs = dict(query(demo_dir, "SELECT level, count(*) FROM volunteer_orgs GROUP BY level"))
    assert orgs == {"station": 1, "substation": 12, "point": 50}
    assert 2500 <= scalar(demo_dir, "SELECT count(*) FROM residents") <= 4000  # type: ignore[operator]
    tags = dict(query(demo_dir, "SELECT tag, count(*) FROM resident_tags GROUP BY tag"))
    assert set(tags) == {"elderly", "disabled", "low_income", "lives_alone", "one_touch"}
    assert scalar(demo_dir, "SELECT count(*) FROM service_items WHERE active") == 129


def test_ninety_days_of_history_in_every_status(demo_dir: Path) -> None:
    assert scalar(demo_dir, "SELECT count(*) FROM tickets") >= 1000  # type: ignore[operator]
    statuses = {row[0] for row in query(demo_dir, "SELECT DISTINCT status FROM tickets")}
    assert statuses == {
        "new", "dispatching", "offered", "accepted", "in_service", "completed", "surveyed", "closed", "cancelled",
        "reopened",
    }  # fmt: skip
    # 90 days, and the two providers whose record starts three months back (removal needs 3 periods)
    older = "created_at < (SELECT datetime(max(created_at), '-92 days') FROM tickets)"
    assert query(
        demo_dir, f"SELECT count(DISTINCT provider_id), count(*) - count(provider_id) FROM tickets WHERE {older}"
    ) == [(2, 0)]
    span = "SELECT julianday(max(created_at)) - julianday(min(created_at)) FROM tickets WHERE provider_id IS NULL "
    days = scalar(demo_dir, span + f"OR provider_id NOT IN (SELECT provider_id FROM tickets WHERE {older})")
    assert 85 <= days <= 92  # type: ignore[operator]
    for table, least in (("offers", 1000), ("surveys", 1000), ("complaints", 100), ("provider_ledger", 5000)):
        assert scalar(demo_dir, f"SELECT count(*) FROM {table}") >= least, table  # type: ignore[operator]
    # every ticket has its audit trail, every completed job its ledger facts
    assert scalar(demo_dir, "SELECT count(*) FROM tickets t WHERE NOT EXISTS "
                  "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'created')") == 0  # fmt: skip
    assert scalar(demo_dir, "SELECT count(*) FROM tickets t WHERE t.completed_at IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM provider_ledger l WHERE l.ticket_ref = 'ticket:' || t.number "
                  "AND l.kind LIKE 'completed%')") == 0  # fmt: skip


MONTHLY = """
SELECT provider_id, strftime('%Y-%m', at) AS month,
       sum(kind = 'survey_score') AS surveys, avg(CASE WHEN kind = 'survey_score' THEN value END) AS mean,
       sum(kind LIKE 'completed%') AS jobs, sum(kind = 'completed_late') AS late, sum(kind = 'complaint') AS upheld,
       sum(kind = 'offered') AS offers, sum(kind = 'timed_out') AS expired, sum(kind = 'declined') AS declined,
       sum(kind = 'overcharge') AS overcharges
FROM provider_ledger GROUP BY provider_id, month HAVING count(*) > 0
"""


def test_providers_good_and_poor_enough_for_every_review_rule(demo_dir: Path) -> None:
    rows = query(demo_dir, MONTHLY)
    full = [r for r in rows if r[2] >= 10 or r[7] >= 10]  # enough evidence in the month

    def months(test: object) -> set[int]:
        return {r[0] for r in full if test(r)}  # type: ignore[operator]

    low = months(lambda r: r[2] >= 15 and r[3] < 2.6)
    assert low, "a provider with many low survey scores"
    complained = months(lambda r: r[4] >= 10 and r[6] * 100 / r[4] >= 10)
    assert low & complained, "a provider with low scores and upheld complaints"
    streak = [p for p in low if sum(1 for r in full if r[0] == p and r[2] >= 10 and r[3] < 3.0) >= 3]
    assert streak, "low satisfaction three months running"
    assert months(lambda r: r[7] >= 10 and r[8] / r[7] > 0.3), "offers left to expire"
    assert months(lambda r: r[7] >= 10 and (r[7] - r[8] - r[9]) / r[7] < 0.5 and r[9] > r[8]), "offers declined"
    assert months(lambda r: r[4] >= 10 and r[5] / r[4] > 0.3), "late arrivals"
    assert months(lambda r: r[10] >= 2), "overcharges"
    good = months(lambda r: r[2] >= 3 and r[3] >= 4.3)
    assert len({r[0] for r in rows}) > 3 * len(low | complained) and good, "most providers do well"


# The review rules (providers.reviews) the demo's last whole month shows, each for a provider
# of its own (README "The demo centre"): every rule that can fire on a month.
REVIEW_RULES = (
    "within_thresholds", "rating_warn", "rating_probation", "rating_remove", "rating_sustained", "complaints_warn",
    "complaints_probation", "complaints_remove", "complaints_sustained", "overcharge", "overcharges", "on_time_warn",
    "acceptance_warn", "expired_warn",
)  # fmt: skip


def last_month(where: Path) -> periods.Period:
    zone = load_settings(database_url=f"sqlite:///{where / 'var' / 'demo.db'}", secret_key="change-me").zone
    return periods.month_of(dt.datetime.now(dt.UTC).astimezone(zone).date(), zone).previous()


def test_every_review_rule_fires_on_last_month(demo_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "reviews"
    shutil.copytree(demo_dir, copy)
    period = last_month(copy)
    ran = run(copy, "review", "run", "--period", period.key, "--json")
    assert ran.returncode == 0, ran.stderr
    proposals = json.loads(ran.stdout)["proposals"]
    rules = {p["rule"] for p in proposals}
    assert set(REVIEW_RULES) <= rules, set(REVIEW_RULES) - rules
    removed = {p["rule"] for p in proposals if p["proposal"] == "remove"}
    assert removed == {"rating_sustained", "complaints_sustained"}
    kept = [p for p in proposals if p["proposal"] == "keep"]
    assert len(kept) > 0.95 * len(proposals) and len(proposals) - len(kept) <= 20  # most providers are kept


def test_the_demo_holds_reviews_decided_as_a_supervisor_would(demo_dir: Path) -> None:
    period = last_month(demo_dir)
    before = period.previous().key
    statuses = dict(query(demo_dir, f"SELECT status, count(*) FROM provider_reviews WHERE period = '{before}' "
                                    "AND proposal != 'keep' GROUP BY status"))  # fmt: skip
    assert statuses.get("decided", 0) >= 8 and statuses.get("reinstated") == 1 and "proposed" not in statuses
    overridden = query(demo_dir, "SELECT proposal, decision, reason FROM provider_reviews "
                                 "WHERE decision IS NOT NULL AND decision != proposal")  # fmt: skip
    assert len(overridden) == 1 and overridden[0][:2] == ("warn", "keep") and overridden[0][2]
    appeal = query(demo_dir, "SELECT appeal, reinstate_reason FROM provider_reviews WHERE status = 'reinstated'")
    assert all(appeal[0])
    last = dict(query(demo_dir, f"SELECT status, count(*) FROM provider_reviews WHERE period = '{period.key}' "
                                "AND proposal != 'keep' GROUP BY status"))  # fmt: skip
    assert last.get("decided") == 2 and last.get("proposed", 0) >= 10  # the rest is the visitor's to decide
    # every decision is in the provider's audit trail
    events = scalar(demo_dir, "SELECT count(*) FROM provider_events WHERE kind = 'review'")
    assert events == scalar(demo_dir, "SELECT count(*) FROM provider_reviews WHERE decision IS NOT NULL")


def test_the_centre_report_of_last_month_has_figures(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "centre.csv"
    made = run(demo_dir, "report", "--kind", "centre", "--format", "csv", "--period", last_month(demo_dir).key,
               "--out", str(out))  # fmt: skip
    assert made.returncode == 0, made.stderr
    figures = {row[0]: row[1] for row in csv.reader(out.read_text(encoding="utf-8-sig").splitlines()) if len(row) == 2}
    for name in ("contacts", "services_delivered", "surveys_answered", "satisfaction_rate", "complaints_received",
                 "calls_answered", "calls_abandoned"):  # fmt: skip
        assert float(figures[name]) > 0, name
    assert 0.6 < float(figures["satisfaction_rate"]) < 1
    assert float(figures["calls_abandoned"]) < 0.15 * float(figures["calls_answered"])


def test_every_phone_ticket_has_its_call_and_some_callers_wait_on_the_callback_desk(demo_dir: Path) -> None:
    unlinked = (
        "SELECT count(*) FROM tickets t WHERE t.channel = 'phone' AND NOT EXISTS "
        "(SELECT 1 FROM calls c WHERE c.ticket_id = t.id AND c.outcome = 'answered')"
    )
    assert scalar(demo_dir, unlinked) == 0
    assert scalar(demo_dir, "SELECT count(*) FROM calls WHERE ticket_id IS NOT NULL AND resident_id IS NULL") == 0
    waiting = run(demo_dir, "callbacks-desk", "list")
    assert waiting.returncode == 0, waiting.stderr
    assert len(waiting.stdout.splitlines()) == 3 and "abandoned" in waiting.stdout and "missed" in waiting.stdout
    assert scalar(demo_dir, "SELECT count(*) FROM callback_entries WHERE status = 'done' AND done_at IS NULL") == 0


def test_names_and_numbers_look_real(demo_dir: Path) -> None:
    companies = [r[0] for r in query(demo_dir, "SELECT name_zh FROM providers WHERE kind = 'company'")]
    assert sum(name.startswith("嘉兴市") and name.endswith("有限公司") for name in companies) > 100
    assert len(set(companies)) == len(companies)
    phones = [r[0] for r in query(demo_dir, "SELECT phone FROM residents UNION ALL SELECT phone FROM providers")]
    import phonenumbers

    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    people = [r[0] for r in query(demo_dir, "SELECT name_zh FROM providers WHERE kind = 'individual'")]
    assert all(2 <= len(name) <= 5 for name in people)


def test_the_cli_in_another_terminal_uses_the_demo_database(demo_dir: Path) -> None:
    listed = run(demo_dir, "ticket", "list", "--status", "offered", "--json")
    assert listed.returncode == 0, listed.stderr
    assert '"status": "offered"' in listed.stdout
    assert "HOTLINE_DATABASE_URL=sqlite:///var/demo.db" in (demo_dir / ".env").read_text(encoding="utf-8")
    assert (demo_dir / ".env").stat().st_mode & 0o077 == 0  # it holds the secret key
    assert "pick a demo login" in (demo_dir / "seed.log").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8000/login" in (demo_dir / "seed.log").read_text(encoding="utf-8")


def test_a_second_demo_run_keeps_the_data_and_the_secret(demo_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "again"
    shutil.copytree(demo_dir, copy)
    secret = [line for line in (copy / ".env").read_text().splitlines() if "SECRET" in line]
    again = run(copy, "demo", "--no-serve")
    assert again.returncode == 0 and "sample data already present" in again.stderr
    assert secret == [line for line in (copy / ".env").read_text().splitlines() if "SECRET" in line]


def test_demo_mode_belongs_to_the_demo_database(demo_dir: Path, tmp_path: Path) -> None:
    demo_url = f"sqlite:///{demo_dir / 'var' / 'demo.db'}"
    assert database_is_demo(demo_url)
    assert load_settings(database_url=demo_url, secret_key="change-me").demo is True
    real = tmp_path / "real.db"
    migrated = run(tmp_path, "db", "upgrade", env={**_clean_env(), "HOTLINE_DATABASE_URL": f"sqlite:///{real}",
                                                     "HOTLINE_SECRET_KEY": "x" * 40})  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    assert not database_is_demo(f"sqlite:///{real}")
    os.environ["HOTLINE_DEMO"] = "1"  # a flag beside a real database
    try:
        assert load_settings(database_url=f"sqlite:///{real}", secret_key="x" * 40).demo is False
        with pytest.raises(ConfigError, match="placeholder"):
            load_settings(database_url=f"sqlite:///{real}", secret_key="change-me")
    finally:
        del os.environ["HOTLINE_DEMO"]
    refused = run(tmp_path, "ticket", "list", env={**_clean_env(), "HOTLINE_DATABASE_URL": f"sqlite:///{real}"})
    assert refused.returncode == 2 and "HOTLINE_SECRET_KEY is a placeholder" in refused.stderr
    assert not database_is_demo(f"sqlite:///{tmp_path / 'missing.db'}") and not (tmp_path / "missing.db").exists()


# Lines the test cannot run as they stand: a file, call or complaint of the reader's own, a PBX,
# a server (`hotline serve`, `hotline training serve`, curl against it), make targets. The README says so on each line.
NOT_RUN = ("file of yours", "of your own", "needs Asterisk")
NOT_RUN_COMMANDS = ("hotline serve", "hotline training serve", "curl ", "make ")


def readme_blocks() -> list[tuple[int, str]]:
    """Every ```sh block of the README that runs `hotline`, as (line number, script)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    blocks, current, start = [], None, 0
    for number, line in enumerate(lines, start=1):
        if line.startswith("```sh"):
            current, start = [], number
        elif line.startswith("```") and current is not None:
            script = "\n".join(current)
            if re.search(r"^(\w+=\$\()?hotline ", script, re.MULTILINE):
                blocks.append((start, script))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def runnable(script: str) -> str:
    """The block as a reader runs it, less the lines it marks as needing something of theirs."""
    commands, joined = [], ""
    for line in script.splitlines():
        joined += line[:-1] + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        if not joined.startswith(NOT_RUN_COMMANDS) and not any(mark in joined for mark in NOT_RUN):
            commands.append(joined)
        joined = ""
    return "\n".join(commands)


def test_the_readme_marks_what_it_cannot_run() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 10
    for _start, script in blocks:
        assert "[--" not in script and "2611210001" not in script  # optional parts and made-up numbers


@pytest.mark.parametrize("start", [start for start, _ in readme_blocks()])
def test_every_readme_command_line_example_runs_as_written(demo_dir: Path, tmp_path: Path, start: int) -> None:
    script = dict(readme_blocks())[start]
    copy = tmp_path / "reader"
    shutil.copytree(demo_dir, copy)
    env = {**_clean_env(), "PATH": f"{Path(HOTLINE).parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", runnable(script)], cwd=copy, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"README line {start}: {result.stderr[-2000:]}"
