"""The text classifier on a labelled set of residents' texts (tests/data/sms_labelled.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from config import catalog
from config.db import Database
from dispatch import classifier

# Floors this classifier reaches on the labelled set (measured: see the printed figures).
TOP1_FLOOR = 0.92
PRECISION_FLOOR = 0.97
COVERAGE_FLOOR = 0.85


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


def test_classifier_accuracy_on_the_labelled_set(db: Database, data_dir: Path) -> None:
    with db.read() as session:
        model = classifier.Classifier(catalog.list_items(session), threshold=0.5)
    rows = _labelled(data_dir)
    results = []
    for text, code in rows:
        found = model.classify(text)
        results.append((found.best.code if found.best else None, [s.code for s in found.suggestions], found, code))
    top1 = sum(best == code for best, _, _, code in results) / len(rows)
    top3 = sum(code in top for _, top, _, code in results) / len(rows)
    confident = [(found.item_code, code) for _, _, found, code in results if found.item_code]
    coverage = len(confident) / len(rows)
    precision = sum(a == b for a, b in confident) / len(confident)
    print(
        f"\nclassifier on {len(rows)} labelled texts: top-1 {top1:.1%}, top-3 {top3:.1%}; "
        f"at threshold 0.5: coverage {coverage:.1%}, precision {precision:.1%}"
    )
    assert top1 >= TOP1_FLOOR
    assert precision >= PRECISION_FLOOR and coverage >= COVERAGE_FLOOR


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
        _model, finder = classifier.for_session(session, threshold=0.5)
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
