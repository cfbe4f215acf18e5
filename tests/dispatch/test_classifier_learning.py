"""Operators' labels teach the classifier: at once for the same text, and at the next retrain,
which is refused when it would read the fixed validation set worse."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from config import catalog
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from dispatch import classifier, service
from dispatch.classifier import learning, training
from dispatch.models import ClassifierModel, LabelledText
from hotline import scheduler
from tests import factories

ODD_TEXT = "楼下那台自动售货机吞了我的硬币"  # asks for no catalogue item the model knows


def _read(db: Database, text: str) -> classifier.Classification:
    with db.read() as session:
        reader, _finder = classifier.for_session(session, precision_target=0.9)
        return reader.classify(text)


def test_a_corrected_text_reads_right_at_once(db: Database, settings: Settings) -> None:
    before = _read(db, ODD_TEXT)
    assert before.item_code != "LC-CONSUMER"
    with db.transaction() as session:
        ticket = factories.ticket(session, settings, text=ODD_TEXT, item="PE-PIPE-LEAK")
        item = catalog.get_item(session, code="LC-CONSUMER")
        service.confirm_item(session, ticket=ticket, item=item, actor=Actor.of_staff(factories.operator(session)))
    after = _read(db, ODD_TEXT + " ")  # the same text, as another resident might space it
    assert (after.item_code, after.confidence, after.source) == ("LC-CONSUMER", 1.0, "correction")
    assert after.suggestions[0].code == "LC-CONSUMER" and len(after.suggestions) == 3


def _label(session, text: str, code: str) -> None:  # type: ignore[no-untyped-def]
    session.add(LabelledText(text=text, item=catalog.get_item(session, code=code), actor="staff:1"))


def test_retrain_learns_good_labels_and_refuses_a_harmful_batch(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("training is the same on every database; once is enough")
    job = scheduler.get_job("dispatch.classifier_train").make(db, settings)
    assert job() == 0  # nothing labelled yet: nothing trained
    with db.transaction() as session:
        _label(session, ODD_TEXT, "LC-CONSUMER")
    assert job() == 1
    with db.read() as session:
        row = session.scalars(select(ClassifierModel)).one()
        assert row.accepted and row.corrections_upto >= 1 and row.artifact is not None
        assert row.figures["after"]["top1"] >= row.figures["before"]["top1"] - learning.TOLERANCE
    assert _read(db, "楼上那台自动售货机吞了硬币").suggestions[0].code == "LC-CONSUMER"  # learned, not remembered
    # An operator mislabels a batch of ordinary requests: learning it would make the model worse.
    wrong = [e for e in training.read_labelled(training.OWN_SET) if e.code.startswith("PE-")][:60]
    with db.transaction() as session:
        for example in wrong:
            _label(session, "请问" + example.text, "LC-FAMILY")
    with caplog.at_level(logging.WARNING, logger="hotline.classifier"), db.transaction() as session:
        result = learning.retrain(session, precision_target=0.9, actor=Actor("cli"))
    assert not result.accepted and "refused" in result.note and "refused" in caplog.text
    assert result.before is not None and result.after is not None and result.after.top1 < result.before.top1
    with db.read() as session:
        rows = list(session.scalars(select(ClassifierModel).order_by(ClassifierModel.id)))
        assert [r.accepted for r in rows] == [True, False] and rows[1].artifact is None
        assert rows[1].note == result.note
    assert _read(db, "厨房水管漏水").item_code == "PE-PIPE-LEAK"  # the model in use stayed
