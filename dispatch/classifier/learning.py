"""Learning from operators: retrain from the catalogue, the labelled files and every correction,
and keep the new model only if it reads the fixed validation set (the labelled files, held out
fold by fold) at least as well as the model in use did from what it had learned.

``hotline classifier train`` and the scheduler job ``dispatch.classifier_train`` call
``retrain``; the job only when an operator has labelled a text since the model in use was
trained. ``ship`` rebuilds the model committed in the package (catalogue file and labelled
files only, no database).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from config import catalog, clock
from config.staff import Actor
from dispatch.classifier import evaluation, store
from dispatch.classifier.evaluation import Figures
from dispatch.classifier.model import SHIPPED, LinearModel
from dispatch.classifier.training import (
    Example,
    calibrate,
    catalogue_examples,
    catalogue_file,
    cross_validate,
    fit,
    labelled_files,
)

log = logging.getLogger("hotline.classifier")
TOLERANCE = 0.005  # a retrain may lose this much held-out top-1 accuracy (fold noise) and still count


@dataclass(frozen=True)
class Retrained:
    accepted: bool
    note: str
    after: Figures | None = None  # held-out figures of the new model's data
    before: Figures | None = None  # the same, with the corrections the model in use had
    model_id: int | None = None
    examples: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "note": self.note,
            "model_id": self.model_id,
            "examples": self.examples,
            "seconds": round(self.seconds, 1),
            "after": asdict(self.after) if self.after else None,
            "before": asdict(self.before) if self.before else None,
        }


def build(
    catalogue: Sequence[Example],
    labelled: Sequence[Example],
    corrections: Sequence[Example],
    *,
    categories: dict[str, str],
    precision_target: float,
) -> tuple[LinearModel, Figures]:
    """Cross-validate (for the calibration and the figures), then fit on everything."""
    outcomes = cross_validate(labelled, catalogue=catalogue, extra=corrections, categories=categories)
    figures = evaluation.figures(outcomes, evaluation.cuts_by_fold(outcomes, precision_target))
    model = fit([*catalogue, *labelled, *corrections], calibration=calibrate(outcomes))
    model.meta = {
        "trained_at": clock.now().isoformat(timespec="seconds"),
        "examples": {"catalogue": len(catalogue), "labelled": len(labelled), "corrections": len(corrections)},
        "held_out": asdict(figures),
    }
    return model, figures


def retrain(
    session: Session, *, precision_target: float, actor: Actor, only_if_new: bool = False, force: bool = False
) -> Retrained:
    started = time.monotonic()
    items = catalog.list_items(session)
    categories = {item.code: item.category.code for item in items}
    catalogue, labelled = catalogue_examples(items), labelled_files()
    _model, upto = store.current(session)
    found = store.corrections(session)
    latest = found[-1][0] if found else 0
    if only_if_new and latest <= upto:
        return Retrained(False, "nothing new to learn: no text labelled since the model in use")
    corrections = [example for _id, example in found]
    model, after = build(catalogue, labelled, corrections, categories=categories, precision_target=precision_target)
    before = None
    if latest > upto and not force:
        known = [example for row_id, example in found if row_id <= upto]
        outcomes = cross_validate(labelled, catalogue=catalogue, extra=known, categories=categories)
        before = evaluation.figures(outcomes, evaluation.cuts_by_fold(outcomes, precision_target))
    examples = len(catalogue) + len(labelled) + len(corrections)
    figures = {"after": asdict(after), "before": asdict(before) if before else None}
    seconds = time.monotonic() - started
    refused = before is not None and after.top1 < before.top1 - TOLERANCE
    note = (
        f"refused: held-out top-1 on the validation set would fall from {before.top1:.1%} to {after.top1:.1%} "
        f"with {latest - upto} new labelled texts; the model in use stays"
        if before is not None and refused
        else None
    )
    row = store.record(
        session,
        actor=actor.ref,
        accepted=not refused,
        corrections_upto=upto if refused else latest,
        examples=examples,
        figures=figures,
        note=note,
        artifact=None if refused else model.to_bytes(),
    )
    if note is not None:
        log.warning("classifier retrain %s", note)
        return Retrained(False, note, after, before, None, examples, seconds)
    log.info("classifier retrained (model %s): held-out top-1 %.1f%%", row.id, after.top1 * 100)
    return Retrained(True, f"model {row.id} in use", after, before, row.id, examples, seconds)


def ship(*, precision_target: float) -> Retrained:
    """Rebuild the model committed in the package from the catalogue file and the labelled files."""
    started = time.monotonic()
    items, categories = catalogue_file()
    catalogue, labelled = catalogue_examples(items), labelled_files()
    model, after = build(catalogue, labelled, [], categories=categories, precision_target=precision_target)
    model.meta["trained_at"] = dt.date.today().isoformat()  # the shipped file changes only when it must
    SHIPPED.write_bytes(model.to_bytes())
    examples = len(catalogue) + len(labelled)
    return Retrained(True, f"wrote {SHIPPED.name}", after, None, None, examples, time.monotonic() - started)
