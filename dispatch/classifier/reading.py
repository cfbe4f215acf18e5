"""One text read: the best items with calibrated confidences, whether it asks for a service at
all, and the item to set on the ticket when the confidence meets the precision target.

In order: a text an operator has already labelled gets that label (confirmations and
corrections count at once, before any retraining); else the trained model ranks the items; the
keyword scorer stands in only when no trained model knows this catalogue. A text with words of
a danger to life or a crime in progress (``text.is_emergency``) is not a service request: no
item is set (an operator reads it), and the answer says to call 110 or 120.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dispatch.classifier.keywords import KeywordClassifier
from dispatch.classifier.model import NOT_REQUEST, LinearModel
from dispatch.classifier.text import is_emergency, memory_key

KEYWORD_THRESHOLD = 0.5  # the keyword scorer's own cut-off (it has no held-out calibration)


@dataclass(frozen=True)
class Suggestion:
    code: str
    confidence: float


@dataclass(frozen=True)
class Classification:
    item_code: str | None  # None: not confident enough, or not a request: an operator triages
    confidence: float  # of the best suggestion: about this share of such texts are right
    suggestions: list[Suggestion]  # best first
    request: bool = True  # False: thanks, wrong number, spam, an emergency for 110/120
    emergency: bool = False  # words of a danger to life: the answer says to call 110 or 120
    source: str = "model"  # model, correction (an operator labelled this text), keywords

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    def as_json(self) -> dict[str, Any]:
        return {
            "item_code": self.item_code,
            "confidence": round(self.confidence, 3),
            "suggestions": [{"code": s.code, "confidence": round(s.confidence, 3)} for s in self.suggestions],
            "request": self.request,
            "emergency": self.emergency,
            "source": self.source,
        }


@dataclass(frozen=True)
class Ranking:
    """What the model says before calibration: items best first, each with its margin."""

    codes: list[str]
    margins: list[float]
    request: bool
    emergency: bool

    @property
    def margin(self) -> float:
        return self.margins[0] if self.margins else float("-inf")


class Classifier:
    def __init__(
        self,
        model: LinearModel | None,
        *,
        categories: dict[str, str],  # active item code -> its category code
        precision_target: float,
        memory: dict[str, str] | None = None,  # memory_key(text) -> the item an operator gave it
        keywords: KeywordClassifier | None = None,
    ) -> None:
        self.model = model
        self.categories = categories
        self.precision_target = precision_target
        self.memory = memory if memory is not None else {}
        self.keywords = keywords
        self.cut = model.calibration.margin_for(precision_target) if model else float("inf")
        if model is not None:
            self._columns = np.array([i for i, c in enumerate(model.classes) if c in categories], dtype=np.int64)
            self._codes = [model.classes[i] for i in self._columns]
            self._not_request = model.classes.index(NOT_REQUEST) if NOT_REQUEST in model.classes else None

    def rank(self, text: str, *, top: int = 3) -> Ranking:
        assert self.model is not None
        scores = self.model.scores(text)
        if scores is None:  # nothing to go on (emoji, digits): an operator triages
            return Ranking([], [], False, is_emergency(text))
        items = scores[self._columns]
        order = np.argsort(-items, kind="stable")[: max(top, 2)]
        best_two = items[order[:2]]
        none = scores[self._not_request] if self._not_request is not None else -np.inf
        margins = []
        for rank, i in enumerate(order[:top]):
            rival = max(best_two[1] if rank == 0 else best_two[0], none)
            margins.append(float(items[i] - rival))
        codes = [self._codes[i] for i in order[:top]]
        emergency = is_emergency(text)
        request = bool(margins) and bool(none < items[order[0]]) and not emergency
        return Ranking(codes, margins, request, emergency)

    def classify(self, text: str, *, top: int = 3) -> Classification:
        remembered = self.memory.get(memory_key(text))
        if remembered in self.categories:
            assert remembered is not None
            others = self._read(text, top=top).suggestions
            suggestions = [Suggestion(remembered, 1.0), *[s for s in others if s.code != remembered][: top - 1]]
            return Classification(remembered, 1.0, suggestions, True, is_emergency(text), "correction")
        return self._read(text, top=top)

    def _read(self, text: str, *, top: int) -> Classification:
        if self.model is None or not len(self._columns):
            return self._by_keywords(text, top=top)
        ranking = self.rank(text, top=top)
        calibration = self.model.calibration
        suggestions = [
            Suggestion(c, calibration.confidence(m)) for c, m in zip(ranking.codes, ranking.margins, strict=True)
        ]
        confidence = suggestions[0].confidence if suggestions else 0.0
        confident = ranking.request and ranking.margin >= self.cut
        item = ranking.codes[0] if confident else None
        return Classification(item, confidence, suggestions, ranking.request, ranking.emergency)

    def _by_keywords(self, text: str, *, top: int) -> Classification:
        if self.keywords is None:
            return Classification(None, 0.0, [], True, is_emergency(text), "keywords")
        found = [(c, conf) for c, conf in self.keywords.ranked(text, top=top) if c in self.categories]
        suggestions = [Suggestion(c, conf) for c, conf in found]
        confidence = suggestions[0].confidence if suggestions else 0.0
        item = suggestions[0].code if suggestions and confidence >= KEYWORD_THRESHOLD else None
        return Classification(item, confidence, suggestions, True, is_emergency(text), "keywords")
