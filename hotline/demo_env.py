"""The demo's settings file: ``hotline demo`` writes ``./.env`` (read by every ``hotline``
command and the server started in this directory, below the environment), so a second terminal
reaches the same demo database with no exported variable. Lines it did not write are kept; a
secret key already there is kept too (sessions survive a restart)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from config.settings import ENV_FILE, Settings

HEADER = "# written by `hotline demo`: the demo centre's settings (remove this file to leave the demo)"


def write(settings: Settings, path: Path | None = None) -> Path:
    path = path or Path(ENV_FILE)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    values = dict(line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))
    secret = values.get("HOTLINE_SECRET_KEY", "").strip() or secrets.token_urlsafe(32)
    wanted = {
        "HOTLINE_DATABASE_URL": settings.database_url,
        "HOTLINE_SECRET_KEY": secret,
        "HOTLINE_SMS_BACKEND": "console",
    }
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in wanted and line != HEADER]
    text = "\n".join([HEADER, *(f"{key}={value}" for key, value in wanted.items()), *kept]) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the secret key
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
