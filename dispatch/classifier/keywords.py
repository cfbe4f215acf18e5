"""The keyword scorer (the classifier before the trained model): catalogue names and keywords,
jieba for Chinese, English words with light stemming. Also the community a text names.

The vocabulary of an item is its names and ``keywords_zh``/``keywords_en``, plus the words jieba
finds inside them (``水管漏水`` also teaches ``水管`` and ``漏水``, at a lower weight). Catalogue
keywords are jieba's user dictionary, so a resident's text segments into them. A term shared by
several items weighs less (inverse document frequency).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import jieba

from config import areas, catalog
from dispatch.classifier.text import _CJK, english_words, normalize

jieba.setLogLevel(logging.WARNING)

KEYWORD, NAME, PART = 1.0, 1.2, 0.35  # weight of a full keyword, an item name, a word inside one


class KeywordClassifier:
    """The catalogue's words, scored: the baseline the trained model is measured against, and what
    reads texts when no trained model can be loaded."""

    def __init__(self, items: Iterable[catalog.ServiceItem]) -> None:
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

    def ranked(self, text: str, *, top: int = 3) -> list[tuple[str, float]]:
        """The best items, each with a confidence that grows with its score and its lead."""
        ranked = sorted(self.scores(text).items(), key=lambda kv: (-kv[1], kv[0]))
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        suggestions = []
        for rank, (code, score) in enumerate(ranked[:top]):
            rival = second if rank == 0 else ranked[0][1]
            lead = score / (score + rival) if score + rival else 0.0
            suggestions.append((code, lead * (1 - math.exp(-score / 0.8))))
        return suggestions


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
