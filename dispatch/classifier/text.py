"""Reading a resident's text before any model: its normal form, language, urgency, whether it is
an emergency for 110/120, and the features the trained model sees.

The features are what copes with texts as residents write them: Chinese character unigrams and
bigrams (no word segmentation to get wrong), bigrams of the characters' toneless pinyin (a
homophone slip such as 修里 for 修理 or 冰厢 for 冰箱 reads the same), a few Jiaxing/Wu dialect
words read as Mandarin (汏 → 洗, 弗 → 不), and English words with light stemming plus their
bigrams.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_SPACE_AND_PUNCTUATION = re.compile(r"[\s\W_]+")
_EN_STOP = frozenset(
    (
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
    )
)
URGENT_ZH = ("紧急", "很急", "急急", "着急", "马上", "赶快", "赶紧", "快来", "立刻", "尽快", "救命", "十万火急")
URGENT_EN = ("urgent", "emergency", "asap", "immediately", "right now", "right away", "help!")
# Danger to life or a crime in progress: police (110) or ambulance (120), not a service provider.
EMERGENCY_ZH = re.compile(
    "(叫|喊|推).{0,4}没反应|怎么喊都没反应|一动不动|叫不醒|叫不应|不省人事|昏迷|昏过去|晕过去|晕倒|没有呼吸|没呼吸|不呼吸|喘不上气|喘不过气|胸口痛|胸口疼|胸痛"
    "|抽搐|口吐白沫|突然.{0,6}中风|是不是中风|半边脸歪|嘴唇发紫|憋紫|噎住|卡住喉咙|流血|出血|血止不住|好多血|一地血"
    "|车祸|撞了人|被车撞|被.{0,4}撞了|两辆车撞|撞车|抢劫|抢了|小偷|进贼|入室|持刀|拿着刀|拿刀|砍人|打人|打架|杀人"
    "|跳楼|跳河|轻生|自杀|割腕|农药|安眠药|吃了.{0,6}药.{0,6}(多少|一瓶|一把)|掉进.{0,3}水|落水|溺水|呼救|跟踪|绑架"
)
EMERGENCY_EN = re.compile(
    r"\b(unconscious|not breathing|stopped breathing|can'?t breathe|collapsed|passed out|unresponsive|chest pain"
    r"|heart attack|having a stroke|seizure|convuls\w*|bleeding|blood everywhere|overdose|choking|drowning"
    r"|fell into the|hit by a car|car crash|car accident|run over|robbery|robbed|mugged|burglar|breaking in|break-in"
    r"|knife|gun|stabbed|attacking|assault\w*|kidnap\w*|suicide|kill (him|her|my)self|followed by)\b"
)
# Jiaxing / Wu words read as Mandarin before the features are taken (longest first).
DIALECT = (
    ("伢儿", "孩子"),
    ("小囡", "孩子"),
    ("辰光", "时候"),
    ("物事", "东西"),
    ("交关", "很"),
    ("晓得", "知道"),
    ("困觉", "睡觉"),
    ("落雨", "下雨"),
    ("阿拉", "我们"),
    ("屋里", "家里"),
    ("汏", "洗"),
    ("弗", "不"),
    ("覅", "不要"),
    ("勿", "不"),
    ("伢", "孩子"),
    ("揩", "擦"),
    ("侬", "你"),
)


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def memory_key(text: str) -> str:
    """The form two texts share when an operator would call them the same text."""
    return _SPACE_AND_PUNCTUATION.sub(" ", normalize(text)).strip()


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


def is_emergency(text: str) -> bool:
    """Words of a danger to life or a crime in progress (the answer: call 110 or 120 now)."""
    lowered = normalize(text)
    return bool(EMERGENCY_ZH.search(lowered) or EMERGENCY_EN.search(lowered))


@functools.cache
def _pinyin() -> dict[str, str]:
    """Each CJK character's first reading without its tone (from pypinyin's table, loaded once)."""
    from pypinyin.pinyin_dict import pinyin_dict  # lazy: about 0.2 s, only when a text is read

    table = {}
    for code, readings in pinyin_dict.items():
        if 0x3400 <= code <= 0x9FFF:
            reading = unicodedata.normalize("NFD", readings.split(",", 1)[0])
            table[chr(code)] = "".join(c for c in reading if not unicodedata.combining(c))
    return table


def features(text: str) -> list[str]:
    """The model's features of a text, repeated as often as they occur."""
    lowered = normalize(text)
    for word, mandarin in DIALECT:
        if word in lowered:
            lowered = lowered.replace(word, mandarin)
    found: list[str] = []
    pinyin = _pinyin()
    for run in _CJK_RUN.findall(lowered):
        found.extend("c" + c for c in run)
        found.extend("c" + run[i : i + 2] for i in range(len(run) - 1))
        sounds = [pinyin.get(c, c) for c in run]
        found.extend(f"p{sounds[i]} {sounds[i + 1]}" for i in range(len(sounds) - 1))
    words = english_words(lowered)
    found.extend("w" + w for w in words)
    found.extend(f"b{words[i]} {words[i + 1]}" for i in range(len(words) - 1))
    return found
