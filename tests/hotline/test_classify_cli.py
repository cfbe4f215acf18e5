"""``hotline classify`` and ``hotline classifier evaluate``, and what a texted emergency is answered."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from config import clock
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from tests.hotline.test_sms_intake import MONDAY_10AM, reply_of, tickets
from tests.twilio_support import AUTH_TOKEN, PUBLIC_URL, text

KEYS = ["item_code", "confidence", "suggestions", "request", "emergency", "source"]


def test_classify_one_text_as_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("classify", "厨房水管漏水，地上全是水", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert list(found) == KEYS and found["item_code"] == "PE-PIPE-LEAK" and found["request"] is True
    assert found["suggestions"][0]["code"] == "PE-PIPE-LEAK" and len(found["suggestions"]) == 3
    assert 0.5 <= found["confidence"] <= 1


def test_classify_a_file_one_json_object_a_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    texts = tmp_path / "texts.txt"
    texts.write_text("kitchen tap keeps dripping\n谢谢你们，已经修好了\n", encoding="utf-8")
    result = cli("classify", "--file", str(texts), "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["item_code"], x["request"]) for x in lines] == [("PE-TAP", True), (None, False)]
    plain = cli("classify", "谢谢你们，已经修好了")
    assert "not a service request" in plain.stdout


def test_classify_needs_a_text_or_a_file(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("classify")
    assert result.exit_code == 2 and result.stderr.strip() == "hotline: error: give one TEXT or --file"


def test_evaluate_a_labelled_file_by_language(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    labelled = tmp_path / "mine.json"
    rows = [
        {"text": "马桶堵了冲不下去", "code": "PE-TOILET-UNBLOCK"},
        {"text": "the fridge stopped cooling", "code": "AR-FRIDGE"},
        {"text": "Sorry, wrong number.", "code": None},
    ]
    labelled.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = cli("classifier", "evaluate", "--file", str(labelled), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["groups"]["all"]["texts"] == 3 and report["groups"]["all"]["non_requests"] == 1
    assert report["groups"]["language:zh_CN"]["requests"] == 1 and report["groups"]["language:en"]["texts"] == 2
    assert [p["precision_target"] for p in report["curve"]] == [0.8, 0.85, 0.9, 0.95, 0.98]
    printed = cli("classifier", "evaluate", "--file", str(labelled))
    assert "precision/coverage curve" in printed.stdout and "language:en" in printed.stdout


def test_a_texted_emergency_gets_no_item_and_the_emergency_answer(settings: Settings, db: Database) -> None:
    app = create_app(settings.model_copy(update={"public_url": PUBLIC_URL, "twilio_auth_token": AUTH_TOKEN}), db)
    with clock.freeze(MONDAY_10AM), TestClient(app) as client:
        reply = reply_of(text(client, "我老公突然倒在地上，叫他没反应，嘴唇发紫"))
    assert reply is not None and reply.startswith("如有人身危险，请立即拨打110或120。") and "工单" in reply
    (ticket,) = tickets(db)
    assert ticket.item is None  # an operator reads it
