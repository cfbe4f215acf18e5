"""Free text to a service item: keywords from the catalogue, jieba for Chinese, a score and a
confidence. Also finds the community a text names and whether it sounds urgent.

The vocabulary of an item is its names and ``keywords_zh``/``keywords_en``, plus the words jieba
finds inside them (``水管漏水`` also teaches ``水管`` and ``漏水``, at a lower weight). Catalogue
keywords are jieba's user dictionary, so a resident's text segments into them. A term shared by
several items weighs less (inverse document frequency). The confidence grows with the top score
and with its lead over the runner-up; below ``Settings.classifier_threshold`` a ticket waits for
an operator to triage it.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import jieba
from sqlalchemy.orm import Session

from config import areas, catalog

jieba.setLogLevel(logging.WARNING)

KEYWORD, NAME, PART = 1.0, 1.2, 0.35  # weight of a full keyword, an item name, a word inside one
CACHE_SECONDS = 300.0  # a catalogue reloaded by `hotline db upgrade` is picked up within this
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "me",
        "i",
        "to",
        "of",
        "in",
        "on",
        "at",
        "is",
        "it",
        "for",
        "and",
        "or",
        "with",
        "our",
        "we",
        "you",
        "your",
        "please",
        "can",
        "could",
        "need",
        "help",
        "there",
        "has",
        "have",
        "be",
        "been",
        "not",
        "no",
        "is",
        "are",
        "was",
        "this",
        "that",
        "from",
        "by",
        "up",
        "out",
        "get",
        # words of an address, not of a need
        "community",
        "block",
        "room",
        "unit",
    ]
)
URGENT_ZH = ("紧急", "很急", "急急", "着急", "马上", "赶快", "赶紧", "快来", "立刻", "尽快", "救命", "十万火急")
URGENT_EN = ("urgent", "emergency", "asap", "immediately", "right now", "right away", "help!")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    return word


def english_words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text) if w not in _EN_STOP]


def cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if _CJK.match(c)) / len(letters) if letters else 0.0


def guess_language(text: str) -> str:
    return "zh_CN" if cjk_share(text) >= 0.3 else "en"


def urgency_of(text: str) -> str:
    lowered = normalize(text)
    return "urgent" if any(w in lowered for w in URGENT_ZH + URGENT_EN) else "normal"


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float
    confidence: float


@dataclass
class Classification:
    suggestions: list[Suggestion]
    threshold: float

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def confidence(self) -> float:
        return self.best.confidence if self.best else 0.0

    @property
    def item_code(self) -> str | None:
        """The item when confident enough; None: the ticket awaits triage."""
        best = self.best
        return best.code if best and best.confidence >= self.threshold else None


@dataclass
class _Term:
    weights: dict[str, float] = field(default_factory=dict)  # item code -> weight


class Classifier:
    def __init__(self, items: Iterable[catalog.ServiceItem], *, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.tokenizer = jieba.Tokenizer()
        entries = [(i.code, i.name_zh, i.name_en, list(i.keywords_zh), list(i.keywords_en)) for i in items]
        for _code, name_zh, _name_en, keywords_zh, _kw in entries:
            for word in (name_zh, *keywords_zh):
                self.tokenizer.add_word(normalize(word), freq=2000)
        self.zh_whole: dict[str, dict[str, float]] = defaultdict(dict)  # matched as substrings
        self.zh_parts: dict[str, dict[str, float]] = defaultdict(dict)  # matched as jieba tokens
        self.en_phrases: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
        for code, name_zh, name_en, keywords_zh, keywords_en in entries:
            for word, weight in [(name_zh, NAME)] + [(k, KEYWORD) for k in keywords_zh]:
                word = normalize(word)
                self._put(self.zh_whole[word], code, weight)
                for part in self.tokenizer.lcut(word):
                    if len(part) >= 2 and part != word and _CJK.match(part):
                        self._put(self.zh_parts[part], code, PART)
            for phrase, weight in [(name_en, NAME)] + [(k, KEYWORD) for k in keywords_en]:
                words = tuple(english_words(normalize(phrase)))
                if not words:
                    continue
                self._put(self.en_phrases[words], code, weight)
                if len(words) > 1:
                    for word in words:
                        self._put(self.en_phrases[(word,)], code, PART)
        self.items = len(entries)

    @staticmethod
    def _put(weights: dict[str, float], code: str, weight: float) -> None:
        weights[code] = max(weights.get(code, 0.0), weight)

    def _idf(self, weights: dict[str, float]) -> float:
        return math.log(1 + self.items / len(weights)) / math.log(1 + self.items)

    def scores(self, text: str) -> dict[str, float]:
        text = normalize(text)
        found: dict[str, float] = defaultdict(float)
        tokens = set(self.tokenizer.lcut(text)) if _CJK.search(text) else set()
        for word, weights in self.zh_whole.items():
            if word in text:
                self._add(found, weights)
        for part in tokens & self.zh_parts.keys():
            if part not in self.zh_whole:
                self._add(found, self.zh_parts[part])
        words = english_words(text)
        if words:
            grams = {tuple(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
            for phrase in grams & self.en_phrases.keys():
                self._add(found, self.en_phrases[phrase])
        return found

    def _add(self, found: dict[str, float], weights: dict[str, float]) -> None:
        idf = self._idf(weights)
        for code, weight in weights.items():
            found[code] += weight * idf

    def classify(self, text: str, *, top: int = 3) -> Classification:
        ranked = sorted(self.scores(text).items(), key=lambda kv: (-kv[1], kv[0]))
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        suggestions = []
        for rank, (code, score) in enumerate(ranked[:top]):
            rival = second if rank == 0 else ranked[0][1]
            lead = score / (score + rival) if score + rival else 0.0
            suggestions.append(Suggestion(code, round(score, 3), round(lead * (1 - math.exp(-score / 0.8)), 3)))
        return Classification(suggestions, self.threshold)


class CommunityFinder:
    """Finds the community a text names: its name, its name without 社区, its aliases, its English name."""

    def __init__(self, communities: Sequence[areas.Area]) -> None:
        names: list[tuple[str, str]] = []
        for area in communities:
            short = area.name_zh.removesuffix("社区")
            english = area.name_en.lower()
            for name in {area.name_zh, short, *area.aliases_zh, english, english.removesuffix(" community")}:
                if len(name) >= 2:
                    names.append((normalize(name), area.code))
        self.names = sorted(names, key=lambda pair: -len(pair[0]))  # longest first

    def find(self, text: str) -> str | None:
        text = normalize(text)
        for name, code in self.names:
            if name in text:
                return code
        return None


_lock = threading.Lock()
_cache: dict[tuple[str, float], tuple[float, Classifier, CommunityFinder]] = {}


def for_session(session: Session, *, threshold: float) -> tuple[Classifier, CommunityFinder]:
    """The classifier and community finder for this database's catalogue (built once, then reused)."""
    key = (str(session.get_bind().engine.url), threshold)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached is None or now - cached[0] > CACHE_SECONDS:
            classifier = Classifier(catalog.list_items(session), threshold=threshold)
            finder = CommunityFinder(areas.list_areas(session, level="community"))
            cached = _cache[key] = (now, classifier, finder)
    return cached[1], cached[2]
