"""Training the model: the examples, the fit, and held-out (cross-validated) outcomes.

Examples come from the catalogue (each item's names and keywords, one example each), the
labelled files (``not_requests.csv`` beside this module, ``tests/data/sms_labelled.csv`` and
``../shared/fixtures/sms/requests_labelled.json`` when the repository and the shared fixtures
are there) and the operators' confirmations and corrections (``labelled_texts``). scikit-learn
is imported here only, so nothing else pays for it.

Every figure is held out: the labelled texts are split into folds; each fold is read by a model
trained on the catalogue, the other folds and the corrections of other texts.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config import catalog
from config.errors import InvalidInput
from dispatch.classifier.model import NOT_REQUEST, Calibration, LinearModel
from dispatch.classifier.reading import Classifier, Ranking
from dispatch.classifier.text import features, guess_language, memory_key

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NOT_REQUESTS = HERE / "not_requests.csv"
OWN_SET = REPO / "tests" / "data" / "sms_labelled.csv"
SHARED_SET = Path("sms") / "requests_labelled.json"
FOLDS = 5
C = 0.5  # LinearSVC's regularisation, chosen by cross-validation (see ARCHITECTURE.md)


@dataclass(frozen=True)
class Example:
    text: str
    code: str  # an item code, or NOT_REQUEST
    source: str  # catalogue, a file's name, correction

    @property
    def language(self) -> str:
        return guess_language(self.text)


@dataclass(frozen=True)
class Outcome:
    example: Example
    ranking: Ranking
    fold: int

    @property
    def top1(self) -> bool:
        return bool(self.ranking.codes) and self.ranking.codes[0] == self.example.code

    def top(self, n: int) -> bool:
        return self.example.code in self.ranking.codes[:n]


def shared_fixtures() -> Path:
    return Path(os.environ.get("HOTLINE_SHARED_FIXTURES", REPO.parent / "shared" / "fixtures"))


def read_labelled(path: Path, *, source: str | None = None) -> list[Example]:
    """A labelled file: JSON (a list of ``{"text", "code"}``) or CSV (``text,item_code``); an empty
    or null code is a text that asks for no service."""
    name = source or path.name
    try:
        if path.suffix == ".json":
            rows = [(row["text"], row.get("code")) for row in json.loads(path.read_text(encoding="utf-8"))]
        else:
            with path.open(encoding="utf-8", newline="") as fh:
                rows = [(row["text"], row.get("item_code")) for row in csv.DictReader(fh)]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"cannot read labelled texts from {path}: {exc}") from None
    return [Example(text, code or NOT_REQUEST, name) for text, code in rows if text.strip()]


def labelled_files() -> list[Example]:
    """The labelled texts shipped with the package, and those of the repository when present."""
    examples = read_labelled(NOT_REQUESTS)
    if OWN_SET.exists():
        examples += read_labelled(OWN_SET)
    shared = shared_fixtures() / SHARED_SET
    if shared.exists():
        examples += read_labelled(shared)
    return examples


def catalogue_examples(items: Iterable[catalog.ServiceItem]) -> list[Example]:
    return [
        Example(word, item.code, "catalogue")
        for item in items
        for word in (item.name_zh, item.name_en, *item.keywords_zh, *item.keywords_en)
    ]


def catalogue_file() -> tuple[list[catalog.ServiceItem], dict[str, str]]:
    """The items of ``config/catalog.toml`` (not loaded into any database) and their categories."""
    parsed = catalog.parse()
    fields = ("code", "name_zh", "name_en", "keywords_zh", "keywords_en")
    items = [catalog.ServiceItem(**{k: row[k] for k in fields}) for row in parsed.items]
    return items, {row["code"]: row["category"] for row in parsed.items}


def fit(examples: Sequence[Example], *, calibration: Calibration | None = None) -> LinearModel:
    from sklearn.feature_extraction.text import TfidfVectorizer  # lazy: seconds of imports
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectorizer.fit_transform([e.text for e in examples])
    svm = LinearSVC(C=C, random_state=0)
    svm.fit(matrix, [e.code for e in examples])
    classes = [str(c) for c in svm.classes_]
    weights = svm.coef_.T.astype(np.float32)
    bias = svm.intercept_.astype(np.float32)
    if len(classes) == 2:  # a binary SVM has one column: the second class's score
        weights = np.hstack([-weights, weights])
        bias = np.array([-bias[0], bias[0]], dtype=np.float32)
    return LinearModel(
        classes=classes,
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        weights=weights,
        bias=bias,
        calibration=calibration or Calibration(*(np.zeros(0) for _ in range(5))),
    )


def folds_of(labelled: Sequence[Example]) -> list[int]:
    """A fold per text, fixed by the text itself so that two runs split alike."""
    order = sorted(range(len(labelled)), key=lambda i: (memory_key(labelled[i].text), labelled[i].code))
    random.Random(15).shuffle(order)
    folds = [0] * len(labelled)
    for position, i in enumerate(order):
        folds[i] = position % FOLDS
    return folds


def cross_validate(
    labelled: Sequence[Example],
    *,
    catalogue: Sequence[Example],
    extra: Sequence[Example] = (),
    categories: dict[str, str],
) -> list[Outcome]:
    """Each labelled text read by a model that never saw it (nor another text of the same form)."""
    folds = folds_of(labelled)
    outcomes: list[Outcome] = []
    for fold in range(FOLDS):
        held_out = {memory_key(e.text) for e, f in zip(labelled, folds, strict=True) if f == fold}
        train = [*catalogue, *(e for e, f in zip(labelled, folds, strict=True) if f != fold)]
        train += [e for e in extra if memory_key(e.text) not in held_out]
        reader = Classifier(fit(train), categories=categories, precision_target=1.0)
        outcomes += [Outcome(e, reader.rank(e.text), fold) for e, f in zip(labelled, folds, strict=True) if f == fold]
    return outcomes


def calibrate(outcomes: Sequence[Outcome]) -> Calibration:
    """Isotonic map from margin to the share right (top suggestions and runners-up alike), and the
    precision/coverage curve of the top suggestion, both from held-out outcomes."""
    from sklearn.isotonic import IsotonicRegression

    margins, right = [], []
    for o in outcomes:
        for code, margin in zip(o.ranking.codes, o.ranking.margins, strict=True):
            margins.append(margin)
            right.append(code == o.example.code and (o.ranking.request or code != o.ranking.codes[0]))
    isotonic = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(margins, right)
    curve_margins, curve_precision, curve_coverage = precision_curve(outcomes)
    return Calibration(
        np.asarray(isotonic.X_thresholds_, dtype=np.float32),
        np.asarray(isotonic.y_thresholds_, dtype=np.float32),
        curve_margins,
        curve_precision,
        curve_coverage,
    )


def precision_curve(outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each held-out top-1 margin, best first: the precision and the coverage of the requests
    at or above it (a text set to an item counts; a non-request set to one counts as wrong)."""
    classified = sorted((o for o in outcomes if o.ranking.request), key=lambda o: -o.ranking.margin)
    requests = max(1, sum(o.example.code != NOT_REQUEST for o in outcomes))
    right = np.cumsum([o.top1 for o in classified], dtype=np.float32)
    covered = np.cumsum([o.example.code != NOT_REQUEST for o in classified], dtype=np.float32)
    counted = np.arange(1, len(classified) + 1, dtype=np.float32)
    margins = np.array([o.ranking.margin for o in classified], dtype=np.float32)
    return margins, right / counted, covered / requests
