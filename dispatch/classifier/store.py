"""Trained models in the database (``dispatch.models.ClassifierModel``): every retrain is a row
(refused ones too, with the reason); the newest accepted row is the model in use. Without one,
the model shipped in the package is. A row also says which operators' labels it learned from
(``corrections_upto``: the highest ``labelled_texts.id`` it saw), so the job knows whether there
is anything new to learn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.catalog import ServiceItem
from dispatch.classifier.model import LinearModel
from dispatch.classifier.training import Example
from dispatch.models import ClassifierModel, LabelledText


@dataclass(frozen=True)
class Versions:
    model_id: int | None  # the newest accepted row, None: the shipped model
    corrections: int  # the highest labelled_texts.id


def versions(session: Session) -> Versions:
    """One cheap statement: has a model been retrained, has an operator labelled a text?"""
    newest = select(func.max(ClassifierModel.id)).where(ClassifierModel.accepted).scalar_subquery()
    labelled = select(func.coalesce(func.max(LabelledText.id), 0)).scalar_subquery()
    model_id, corrections = session.execute(select(newest, labelled)).one()
    return Versions(model_id, int(corrections))


def current(session: Session) -> tuple[LinearModel, int]:
    """The model in use and the highest correction it learned from (0 for the shipped one)."""
    row = session.scalar(
        select(ClassifierModel).where(ClassifierModel.accepted).order_by(ClassifierModel.id.desc()).limit(1)
    )
    if row is None or row.artifact is None:
        return LinearModel.shipped(), 0
    return LinearModel.from_bytes(row.artifact), row.corrections_upto


def corrections(session: Session, *, after: int = 0) -> list[tuple[int, Example]]:
    """Operators' labels, oldest first, each with its id."""
    rows = session.execute(
        select(LabelledText.id, LabelledText.text, LabelledText.item_id)
        .where(LabelledText.id > after)
        .order_by(LabelledText.id)
    ).all()
    if not rows:
        return []
    codes = {item_id: code for item_id, code in session.execute(select(ServiceItem.id, ServiceItem.code))}
    return [(row_id, Example(text, codes[item_id], "correction")) for row_id, text, item_id in rows]


def record(session: Session, **values: Any) -> ClassifierModel:
    row = ClassifierModel(**values)
    session.add(row)
    session.flush()
    return row
