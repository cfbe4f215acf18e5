"""Helpers for tests: real components are required in CI (HOTLINE_REQUIRE_ALL=1), optional elsewhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = Path(os.environ.get("HOTLINE_SHARED_FIXTURES", REPO.parent / "shared" / "fixtures"))
CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_all() -> bool:
    return os.environ.get("HOTLINE_REQUIRE_ALL", "") not in ("", "0", "false", "no")


def missing(component: str, reason: str) -> None:
    """Skip (on a laptop) or fail (in CI) because a real component is not there."""
    message = f"{component} not available: {reason}"
    if require_all():
        pytest.fail(f"{message} (HOTLINE_REQUIRE_ALL=1 makes this a failure)", pytrace=False)
    pytest.skip(message)


def shared_fixture(*parts: str) -> Path:
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        missing("shared fixtures", f"{path} does not exist (clone ../shared beside the repo)")
    return path


def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM
