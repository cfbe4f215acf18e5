"""Free text to a service item (dispatch owns triage): a trained linear model over character,
pinyin and word features, calibrated on held-out folds; the operators' labels count at once and
are learned at the next retrain. Also finds the community a text names and whether it is urgent.

    for_session(session, precision_target=0.9) -> (Classifier, CommunityFinder)
    Classifier.classify(text) -> Classification(item_code, confidence, suggestions, request, ...)

``item_code`` is set only when the held-out precision at the text's margin meets
``Settings.classifier_precision_target``; else the ticket waits for an operator. The model in
use is the newest accepted retrain in the database, else the one shipped in the package
(``model.npz``); nothing is trained at start-up and nothing is downloaded.
"""

from __future__ import annotations

import importlib
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from config import areas, catalog
from dispatch.classifier.keywords import CommunityFinder, KeywordClassifier
from dispatch.classifier.text import guess_language, is_emergency, memory_key, normalize, urgency_of

if TYPE_CHECKING:
    from dispatch.classifier import store
    from dispatch.classifier.model import NOT_REQUEST, LinearModel
    from dispatch.classifier.reading import Classification, Classifier, Suggestion

_LAZY = {  # numpy and the model load on first use, not when the CLI or the app starts
    "NOT_REQUEST": "model",
    "LinearModel": "model",
    "Classification": "reading",
    "Classifier": "reading",
    "Suggestion": "reading",
}

__all__ = [
    "NOT_REQUEST",
    "Classification",
    "Classifier",
    "CommunityFinder",
    "KeywordClassifier",
    "LinearModel",
    "Suggestion",
    "for_session",
    "forget",
    "guess_language",
    "is_emergency",
    "normalize",
    "remember",
    "urgency_of",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"dispatch.classifier.{_LAZY[name]}"), name)
    raise AttributeError(name)


CACHE_SECONDS = 300.0  # a catalogue reloaded by `hotline db upgrade` is picked up within this
CHECK_SECONDS = 2.0  # a retrained model or a text labelled in another process, within this


@dataclass
class _Entry:
    built: float
    checked: float
    finder: CommunityFinder
    categories: dict[str, str]
    model: LinearModel | None
    versions: store.Versions
    keywords: KeywordClassifier | None = None  # only when the model does not know this catalogue
    memory: dict[str, str] = field(default_factory=dict)
    readers: dict[float, Classifier] = field(default_factory=dict)


_lock = threading.Lock()
_cache: dict[str, _Entry] = {}


def for_session(session: Session, *, precision_target: float) -> tuple[Classifier, CommunityFinder]:
    """The classifier and community finder for this database (built once, then reused; a
    retrained model or a newly labelled text is picked up within ``CHECK_SECONDS``)."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _lock:
        entry = _cache.get(key)
        if entry is None or now - entry.built > CACHE_SECONDS:
            entry = _cache[key] = _build(session, now)
        elif now - entry.checked > CHECK_SECONDS:
            _refresh(session, entry, now)
        reader = entry.readers.get(precision_target)
        if reader is None:
            reader = entry.readers[precision_target] = _reader(entry, precision_target)
    return reader, entry.finder


def remember(session: Session, *, text: str, code: str) -> None:
    """An operator labelled ``text``: this process reads it so at once (others within seconds)."""
    entry = _cache.get(str(session.get_bind().engine.url))
    if entry is not None:
        entry.memory[memory_key(text)] = code


def forget() -> None:
    """Drop every cached classifier (the next use reloads model, catalogue and labels)."""
    with _lock:
        _cache.clear()


def _build(session: Session, now: float) -> _Entry:
    from dispatch.classifier import store

    items = catalog.list_items(session)
    model, _upto = store.current(session)
    entry = _Entry(
        built=now,
        checked=now,
        finder=CommunityFinder(areas.list_areas(session, level="community")),
        categories={item.code: item.category.code for item in items},
        model=model,
        versions=store.versions(session),
    )
    if not _fits(model, entry.categories):
        entry.model, entry.keywords = None, KeywordClassifier(items)
    entry.memory.update((memory_key(e.text), e.code) for _id, e in store.corrections(session))
    return entry


def _fits(model: LinearModel, categories: dict[str, str]) -> bool:
    """A model trained for another catalogue (a deployment's own) knows too few of its items."""
    return sum(code in categories for code in model.classes) >= len(categories) / 2


def _refresh(session: Session, entry: _Entry, now: float) -> None:
    from dispatch.classifier import store

    entry.checked = now
    latest = store.versions(session)
    if latest.model_id != entry.versions.model_id:
        model, _upto = store.current(session)
        if _fits(model, entry.categories):
            entry.model = model
            entry.readers.clear()
    if latest.corrections < entry.versions.corrections:  # labels erased: forget them too
        entry.memory.clear()
        entry.memory.update((memory_key(e.text), e.code) for _id, e in store.corrections(session))
    elif latest.corrections > entry.versions.corrections:
        found = store.corrections(session, after=entry.versions.corrections)
        entry.memory.update((memory_key(e.text), e.code) for _id, e in found)
    entry.versions = latest


def _reader(entry: _Entry, precision_target: float) -> Classifier:
    from dispatch.classifier.reading import Classifier

    return Classifier(
        entry.model,
        categories=entry.categories,
        precision_target=precision_target,
        memory=entry.memory,
        keywords=entry.keywords,
    )
