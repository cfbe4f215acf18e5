"""The trained model as it is shipped and stored: a linear model over ``text.features`` with its
calibration, in a small ``.npz`` (numpy only: no pickle, nothing executable, nothing downloaded).

A text's scores are ``tfidf(features) @ weights + bias``, one per class (the catalogue's item codes
and ``NOT_REQUEST``). An item's *margin* is its score minus the best other class's; the
calibration maps a margin to the share of texts with that margin whose item was right, measured
on held-out folds when the model was trained; an item is set on a ticket when that confidence
meets the precision target. The held-out precision/coverage curve is kept for reports.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dispatch.classifier.text import features

NOT_REQUEST = "-"  # the class of texts that ask for no service (thanks, wrong numbers, spam, 110/120)
SHIPPED = Path(__file__).resolve().parent / "model.npz"
PRUNE = 0.02  # weights smaller than this are dropped from the artifact (they change no ranking measured)


@dataclass
class Calibration:
    margins: np.ndarray  # increasing
    confidences: np.ndarray  # non-decreasing: share right at that margin (isotonic, held-out)
    curve_margins: np.ndarray  # decreasing: every held-out top-1 margin
    curve_precision: np.ndarray  # precision of the texts at or above that margin
    curve_coverage: np.ndarray  # share of the requests at or above that margin

    def confidence(self, margin: float) -> float:
        return float(np.interp(margin, self.margins, self.confidences)) if len(self.margins) else 0.0

    def margin_for(self, precision_target: float) -> float:
        """The lowest margin whose calibrated confidence meets the target (inf: none does). Every
        item set automatically is then at least that likely right, so the precision of all of them
        is higher still; the held-out curve says how much coverage that costs."""
        meets = np.nonzero(self.confidences >= precision_target)[0]
        return float(self.margins[meets[0]]) if len(meets) else float("inf")


@dataclass
class LinearModel:
    classes: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (features, classes), float32
    bias: np.ndarray  # (classes,)
    calibration: Calibration
    meta: dict[str, Any] = field(default_factory=dict)

    def scores(self, text: str) -> np.ndarray | None:
        """The classes' scores, or None when the text has no feature the model knows."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for feature in features(text):
            index = vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return None
        indexes = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[indexes]
        values /= np.sqrt(values @ values)
        return values @ self.weights[indexes] + self.bias

    def to_bytes(self) -> bytes:
        pruned = np.where(np.abs(self.weights) >= PRUNE, self.weights, 0).astype(np.float16)
        rows, cols = np.nonzero(pruned)
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        cal = self.calibration
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            classes=_utf8("\n".join(self.classes)),
            vocabulary=_utf8("\n".join(words)),
            idf=self.idf.astype(np.float32),
            rows=rows.astype(np.int32),
            cols=cols.astype(np.int16),
            values=pruned[rows, cols],
            bias=self.bias.astype(np.float32),
            margins=cal.margins,
            confidences=cal.confidences,
            curve_margins=cal.curve_margins,
            curve_precision=cal.curve_precision,
            curve_coverage=cal.curve_coverage,
            meta=_utf8(json.dumps(self.meta, ensure_ascii=False)),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            classes = _text(npz["classes"]).split("\n")
            words = _text(npz["vocabulary"]).split("\n")
            weights = np.zeros((len(words), len(classes)), dtype=np.float32)
            weights[npz["rows"], npz["cols"]] = npz["values"]
            return cls(
                classes=classes,
                vocabulary={word: i for i, word in enumerate(words)},
                idf=npz["idf"],
                weights=weights,
                bias=npz["bias"],
                calibration=Calibration(
                    npz["margins"],
                    npz["confidences"],
                    npz["curve_margins"],
                    npz["curve_precision"],
                    npz["curve_coverage"],
                ),
                meta=json.loads(_text(npz["meta"])),
            )

    @classmethod
    def shipped(cls) -> LinearModel:
        return cls.from_bytes(SHIPPED.read_bytes())


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")
