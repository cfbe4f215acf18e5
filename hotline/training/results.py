"""Who is ready: each trainee's runs, the latest score of every scenario, and whether all of
them reach ``scoring.READY_SCORE``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.training import scoring
from hotline.training.models import TrainingRun
from hotline.training.scenarios import SCENARIOS


@dataclass
class TraineeResult:
    staff_id: int
    trainee: str
    runs: int = 0
    latest: dict[str, int] = field(default_factory=dict)  # scenario -> latest finished score
    best: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(self.latest.get(s.code, -1) >= scoring.READY_SCORE for s in SCENARIOS)

    def as_json(self) -> dict[str, object]:
        return {
            "staff_id": self.staff_id,
            "trainee": self.trainee,
            "runs": self.runs,
            "latest": self.latest,
            "best": self.best,
            "ready": self.ready,
        }


def by_trainee(session: Session) -> list[TraineeResult]:
    results: dict[int, TraineeResult] = {}
    rows = session.scalars(
        select(TrainingRun).where(TrainingRun.score.is_not(None)).order_by(TrainingRun.finished_at, TrainingRun.id)
    )
    for run in rows:
        assert run.score is not None
        result = results.setdefault(run.staff_id, TraineeResult(run.staff_id, run.trainee))
        result.runs += 1
        result.latest[run.scenario] = run.score
        result.best[run.scenario] = max(run.score, result.best.get(run.scenario, 0))
    return sorted(results.values(), key=lambda r: (not r.ready, r.trainee))
