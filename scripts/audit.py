"""CI's dependency audit: ``pip-audit`` against PyPI's advisory data when that source answers;
when it does not (an offline or firewalled runner), one notice line and exit 0, so a missing
network is never mistaken for a clean audit nor turned into a red build.

    python scripts/audit.py           # what .ci/run does after make lint

The probe asks what pip-audit asks (PyPI's JSON API for one release, pip's installed one) and
wants its ``vulnerabilities`` list: a mirror that answers ``/pypi/<name>/json`` but not the release
pages would otherwise make pip-audit skip every package and report "No known vulnerabilities".
``--strict`` makes a package that cannot be audited after the probe passed a failure.
HOTLINE_AUDIT_PROBE_URL replaces the probed URL, HOTLINE_PIP_AUDIT the pip-audit command (tests).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from importlib.metadata import version

PROBE_URL = f"https://pypi.org/pypi/pip/{version('pip')}/json"
COMMAND = [
    sys.executable,
    "-m",
    "pip_audit",
    "--vulnerability-service",
    "pypi",
    "--skip-editable",  # the hotline itself is not on PyPI
    "--strict",
    "--progress-spinner",
    "off",
    "--timeout",
    "30",
]


def source_answers(url: str, timeout: float) -> str | None:
    """None when the advisory source answers; else why not, in one line."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            release = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc)).splitlines()[0][:200]
    if not isinstance(release, dict) or not isinstance(release.get("vulnerabilities"), list):
        return "its answer has no vulnerabilities list"
    return None


def main() -> int:
    url = os.environ.get("HOTLINE_AUDIT_PROBE_URL", PROBE_URL)
    problem = source_answers(url, timeout=float(os.environ.get("HOTLINE_AUDIT_TIMEOUT", "10")))
    if problem is not None:
        print(f"notice: dependency audit skipped: advisory source {url} unreachable ({problem})")
        return 0
    command = shlex.split(os.environ["HOTLINE_PIP_AUDIT"]) if os.environ.get("HOTLINE_PIP_AUDIT") else COMMAND
    print(f"auditing dependencies: {' '.join(command[2:] if command[0] == sys.executable else command)}", flush=True)
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
