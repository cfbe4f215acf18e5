"""The text classifier: held-out figures on the labelled sets, calibration, the shipped model,
operators' labels read at once, and the keyword scorer it replaced as the baseline."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from config import catalog
from config.db import Database
from dispatch import classifier
from dispatch.classifier import evaluation, model, training
from dispatch.classifier.keywords import KeywordClassifier
from tests.support import shared_fixture

# Floors the keyword scorer (the baseline) reaches on tests/data/sms_labelled.csv.
KEYWORD_TOP1_FLOOR = 0.92


def _labelled(data_dir: Path) -> list[tuple[str, str]]:
    with (data_dir / "sms_labelled.csv").open(encoding="utf-8", newline="") as fh:
        return [(row["text"], row["item_code"]) for row in csv.DictReader(fh)]


def test_labelled_set_is_large_varied_and_names_real_items(data_dir: Path) -> None:
    rows = _labelled(data_dir)
    codes = {item["code"] for item in catalog.parse().items}
    chinese = [t for t, _ in rows if classifier.guess_language(t) == "zh_CN"]
    assert len(rows) >= 300 and len(set(rows)) == len(rows)
    assert 0.55 <= len(chinese) / len(rows) <= 0.75  # about two thirds Chinese
    assert {code for _, code in rows} <= codes


def test_shipped_non_requests_are_labelled_as_such() -> None:
    examples = training.read_labelled(training.NOT_REQUESTS)
    assert len(examples) >= 150 and {e.code for e in examples} == {model.NOT_REQUEST}
    assert sum(classifier.is_emergency(e.text) for e in examples) >= 20  # 110/120 texts among them


def test_keyword_baseline_on_the_labelled_set(db: Database, data_dir: Path) -> None:
    with db.read() as session:
        scorer = KeywordClassifier(catalog.list_items(session))
    rows = _labelled(data_dir)
    top1 = sum(bool(ranked) and ranked[0][0] == code for text, code in rows if (ranked := scorer.ranked(text)))
    assert top1 / len(rows) >= KEYWORD_TOP1_FLOOR


@pytest.fixture(scope="module")
def held_out() -> list[training.Outcome]:
    """Every labelled text (both sets and the shipped non-requests) read by a model that never saw it."""
    shared_fixture("sms", "requests_labelled.json")
    items, categories = training.catalogue_file()
    return training.cross_validate(
        training.labelled_files(), catalogue=training.catalogue_examples(items), categories=categories
    )


def test_held_out_figures_on_both_labelled_sets(held_out: list[training.Outcome]) -> None:
    report = evaluation.report(held_out, precision_target=0.9)
    every, hard = report["groups"]["all"], report["groups"]["set:requests_labelled.json"]
    print(f"\nheld out, all {every}\nheld out, the shared set {hard}")
    # Issue 15's targets: precision >= 90 % at coverage >= 60 %, top-3 >= 85 %, at most 1 in 10
    # non-requests classified. Floors sit just under the measured figures (see README).
    assert every["precision"] >= 0.95 and every["coverage"] >= 0.62
    assert every["top3"] >= 0.95 and every["top1"] >= 0.88
    assert every["non_requests_classified"] <= 0.05 * every["non_requests"]
    assert hard["top3"] >= 0.88 and hard["top1"] >= 0.70  # the keyword scorer: 62 % and 43 %
    assert hard["precision"] >= 0.9 and hard["non_requests_classified"] <= 1


def test_confidence_is_calibrated_on_held_out_folds(held_out: list[training.Outcome]) -> None:
    """Each fold's confidences, calibrated on the other folds, match the share right."""
    confidence, right = [], []
    for fold in range(training.FOLDS):
        calibration = training.calibrate([o for o in held_out if o.fold != fold])
        checked = [o for o in held_out if o.fold == fold and o.ranking.request]
        confidence += [calibration.confidence(o.ranking.margin) for o in checked]
        right += [o.top1 for o in checked]
    said, were = np.array(confidence), np.array(right, dtype=float)
    for low, high in ((0.0, 0.6), (0.6, 0.9), (0.9, 1.01)):
        chosen = (said >= low) & (said < high)
        said_mean, were_mean = said[chosen].mean(), were[chosen].mean()
        print(f"\nconfidence {low:.1f}-{high:.1f}: {chosen.sum()} texts, said {said_mean:.2f}, right {were_mean:.2f}")
        assert chosen.sum() >= 30 and abs(said_mean - were_mean) <= 0.08, (low, high)


def test_shipped_model_is_small_knows_the_catalogue_and_reads_fast() -> None:
    shipped = model.LinearModel.shipped()
    codes = {item["code"] for item in catalog.parse().items}
    assert model.SHIPPED.stat().st_size < 1_000_000
    assert codes <= set(shipped.classes) and model.NOT_REQUEST in shipped.classes
    assert shipped.calibration.margin_for(0.9) < shipped.calibration.margin_for(0.98)
    assert shipped.meta["held_out"]["texts"] >= 700  # trained with the shared set present


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("家里冰厢弗制冷了", "AR-FRIDGE"),  # a homophone slip and a dialect word
        ("kitchen tap keeps dripping", "PE-TAP"),
        ("马桶堵了冲不下去", "PE-TOILET-UNBLOCK"),
    ],
)
def test_texts_as_residents_write_them_get_their_item(db: Database, text: str, code: str) -> None:
    with db.read() as session:
        reader, _finder = classifier.for_session(session, precision_target=0.9)
    found = reader.classify(text)
    assert (found.suggestions[0].code, found.request, found.source) == (code, True, "model")
    assert found.confidence >= 0.5 and found.item_code in (code, None)  # set only when >= 0.9


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        ("谢谢你们，问题已经解决了", False),
        ("Sorry, wrong number.", False),
        ("我老公突然倒在地上，叫他没反应", True),
        ("Someone collapsed in the street and is not breathing", True),
    ],
)
def test_non_requests_get_no_item(db: Database, text: str, emergency: bool) -> None:
    with db.read() as session:
        reader, _finder = classifier.for_session(session, precision_target=0.9)
    found = reader.classify(text)
    assert (found.item_code, found.request, found.emergency) == (None, False, emergency)
    assert found.as_json()["item_code"] is None and len(found.as_json()["suggestions"]) == 3


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("紫阳小区3幢水管漏了", "330402001001"),
        ("住在禾兴社区", "330402001002"),
        ("Ziyang Community block 3", "330402001001"),
        ("运河湾那边路灯坏了", "330411002002"),  # 运河湾社区
        ("no community named here", None),
    ],
)
def test_community_is_found_by_name_alias_or_english_name(db: Database, text: str, code: str | None) -> None:
    with db.read() as session:
        _model, finder = classifier.for_session(session, precision_target=0.9)
    assert finder.find(text) == code


@pytest.mark.parametrize(
    ("text", "language", "urgency"),
    [
        ("厨房水管漏水", "zh_CN", "normal"),
        ("水管爆了，赶紧来人！", "zh_CN", "urgent"),
        ("kitchen pipe leaking", "en", "normal"),
        ("URGENT: gas smell", "en", "urgent"),
        ("3幢 pipe 漏水", "zh_CN", "normal"),
        ("😀", "en", "normal"),
    ],
)
def test_language_and_urgency_are_read_from_the_text(text: str, language: str, urgency: str) -> None:
    assert classifier.guess_language(text) == language
    assert classifier.urgency_of(text) == urgency
