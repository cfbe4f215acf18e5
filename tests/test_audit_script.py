"""CI runs pip-audit when its advisory source answers and skips it with a notice when it does not."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.support import REPO, free_port


def audit(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/audit.py"],
        cwd=REPO,
        env={**os.environ, "HOTLINE_AUDIT_TIMEOUT": "3", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def advisory_source() -> Iterator[str]:
    """Answers like PyPI's JSON API for one release: ``/pypi/pip/25.0/json``; anything else 404."""

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/pypi/pip/25.0/json"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"info": {}, "vulnerabilities": []}' if found else b'{"message": "Not Found"}')

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_advisory_source_is_a_notice_not_a_failure() -> None:
    closed = f"http://127.0.0.1:{free_port()}/pypi/pip-audit/json"
    result = audit(HOTLINE_AUDIT_PROBE_URL=closed, HOTLINE_PIP_AUDIT="false")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("notice: dependency audit skipped: advisory source") and closed in result.stdout


def test_a_mirror_without_release_pages_is_a_notice_not_a_clean_audit(advisory_source: str) -> None:
    """pip-audit would skip every package there and still print "No known vulnerabilities"."""
    result = audit(HOTLINE_AUDIT_PROBE_URL=advisory_source + "/pypi/pip/json", HOTLINE_PIP_AUDIT="false")
    assert result.returncode == 0 and result.stdout.startswith("notice: dependency audit skipped")


def test_with_the_source_reachable_the_audit_runs_and_its_findings_fail_the_build(advisory_source: str) -> None:
    release = advisory_source + "/pypi/pip/25.0/json"
    found = audit(HOTLINE_AUDIT_PROBE_URL=release, HOTLINE_PIP_AUDIT="false")
    assert found.returncode == 1 and found.stdout.startswith("auditing dependencies: false")
    clean = audit(HOTLINE_AUDIT_PROBE_URL=release, HOTLINE_PIP_AUDIT="true")
    assert clean.returncode == 0


def test_httpx2_in_the_test_extras_is_what_the_test_client_imports() -> None:
    """httpx2 is not imported by us but by starlette.testclient (Starlette >= 1.2 prefers it and
    warns about plain httpx, an error under our filterwarnings): it stays, and this says why."""
    import starlette.testclient

    assert starlette.testclient.httpx.__name__ == "httpx2"
