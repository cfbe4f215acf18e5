"""Figures from held-out outcomes: coverage, precision, top-1 and top-3, overall, by language and
by labelled set, and the precision/coverage curve.

Coverage is the share of service requests set to an item; precision the share right among texts
set to an item (a non-request set to one is wrong). The margin at which an item is set comes,
for each fold, from the calibration on the other folds, so the figures of a fold never choose
their own cut-off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from dispatch.classifier.model import NOT_REQUEST
from dispatch.classifier.training import Outcome, calibrate

TARGETS = (0.8, 0.85, 0.9, 0.95, 0.98)


@dataclass(frozen=True)
class Figures:
    texts: int
    requests: int
    coverage: float
    precision: float
    top1: float
    top3: float
    non_requests: int
    non_requests_classified: int


def cuts_by_fold(outcomes: Sequence[Outcome], precision_target: float) -> dict[int, float]:
    """For each fold, the cut-off margin calibrated on the other folds (never on its own texts)."""
    cuts = {}
    for fold in {o.fold for o in outcomes}:
        others = [o for o in outcomes if o.fold != fold] or list(outcomes)
        cuts[fold] = calibrate(others).margin_for(precision_target)
    return cuts


def figures(outcomes: Sequence[Outcome], cuts: dict[int, float]) -> Figures:
    requests = [o for o in outcomes if o.example.code != NOT_REQUEST]
    classified = [o for o in outcomes if o.ranking.request and o.ranking.margin >= cuts[o.fold]]
    return Figures(
        texts=len(outcomes),
        requests=len(requests),
        coverage=_share(sum(o.example.code != NOT_REQUEST for o in classified), len(requests)),
        precision=_share(sum(o.top1 for o in classified), len(classified)),
        top1=_share(sum(o.top1 for o in requests), len(requests)),
        top3=_share(sum(o.top(3) for o in requests), len(requests)),
        non_requests=len(outcomes) - len(requests),
        non_requests_classified=sum(o.example.code == NOT_REQUEST for o in classified),
    )


def report(
    outcomes: Sequence[Outcome],
    *,
    precision_target: float,
    cuts_for: Callable[[float], dict[int, float]] | None = None,
) -> dict[str, Any]:
    """Everything ``hotline classifier evaluate`` prints (and its JSON). ``cuts_for`` gives the cut-off
    margins for a precision target (default: cross-fitted from the outcomes' other folds)."""
    cuts_for = cuts_for or (lambda target: cuts_by_fold(outcomes, target))
    cuts = cuts_for(precision_target)
    groups: dict[str, list[Outcome]] = {"all": list(outcomes)}
    for o in outcomes:
        groups.setdefault("language:" + o.example.language, []).append(o)
        groups.setdefault("set:" + o.example.source, []).append(o)
    curve = []
    for target in TARGETS:
        at = figures(outcomes, cuts_for(target))
        curve.append({"precision_target": target, "coverage": at.coverage, "precision": at.precision})
    return {
        "precision_target": precision_target,
        "groups": {name: asdict(figures(group, cuts)) for name, group in groups.items()},
        "curve": curve,
    }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
