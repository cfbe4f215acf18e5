"""How a resident's reply to a survey is read: a pure function of the text, in Chinese and English.

    read("5")                   -> score 5
    read("4821 5")              -> code 4821, score 5
    read("5 很好 师傅很准时")    -> score 5, comment "很好 师傅很准时"
    read("五分") / read("五")    -> score 5
    read("很满意") / read("very satisfied") -> score 5 (words count when no number says otherwise)
    read("一般") / read("OK")   -> score 3
    read("6")                   -> out of range: clarify
    read("水管又漏了")           -> new request: not a score
    read("乱收费")               -> complaint
    read("TD") / read("STOP")   -> stop

A number leads (after an optional survey code); words give the score only when no number does.
Two readings that disagree ("满意 不满意", "4 or 5") are not guessed: the resident is asked once.
``hotline surveys read "<reply>"`` shows what this function makes of a text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_COMMENT = 500

_STOP = re.compile(r"^(stop|退订|td|unsubscribe|取消订阅)[\s.!。!]*$")
_COMMAND = re.compile(r"^(status|查询|help|帮助|start|订阅)(\s*[:#]?\s*\d{10})?[\s.!。!]*$")
# an optional survey code (its 4 digits, or the ticket's 10) before the score
_CODE = re.compile(r"^[#＃]?(\d{4}|\d{10})(?:\s*[,，:：#.、\-]\s*|\s+)(?=\S)")
_CODE_ONLY = re.compile(r"^[#＃]?(\d{4}|\d{10})$")
_LEAD_NUMBER = re.compile(
    r"^([+-]?\d+(?:\.\d+)?)\s*(?:分(?!钟)|星|stars?\b|points?\b|/\s*(?:5|10)\b|out of (?:5|10)\b)?"
)
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_LEAD_CN = re.compile(r"^([零〇一二两三四五六七八九十])\s*(分|星)?(?=$|[\s,，.。!！、;；:：]|[^\u4e00-\u9fff])")
_EN_DIGITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
_LEAD_EN = re.compile(r"^(zero|one|two|three|four|five|six|ten)\b\s*(?:stars?\b|points?\b)?(?=\s*(?:$|[,.!;:\-]))")
# a leading number that is a time, an amount or a place, not a score: 10点, 80元, 3幢
_MEASURE = re.compile(
    r"^\s*(?:点|元|块|号|楼|幢|栋|层|室|年|月|日|天|小时|分钟|个|次|岁|[:：]\d|am\b|pm\b|yuan\b|o'clock)"
)
# a score with an explicit unit anywhere: 给5分, 打五星, 4 stars, 5/5
_ANY_SCORE = re.compile(
    r"(?<![\d.])([0-9]+)\s*(?:分(?![钟钱])|星|stars?\b|/\s*5\b|out of 5\b)"
    r"|(?<![零〇一二两三四五六七八九十百千])([零一二两三四五六七八九十])\s*(?:分(?![钟钱满之])|星)"
)

# Words of the five-point scale, longest first (非常不满意 before 不满意 before 满意).
SCALE: tuple[tuple[str, int], ...] = tuple(
    sorted(
        {
            "非常满意": 5,
            "十分满意": 5,
            "很满意": 5,
            "特别满意": 5,
            "非常好": 5,
            "特别好": 5,
            "太好了": 5,
            "很好": 5,
            "好评": 5,
            "满分": 5,
            "点赞": 5,
            "又快又好": 5,
            "very satisfied": 5,
            "extremely satisfied": 5,
            "excellent": 5,
            "great": 5,
            "perfect": 5,
            "very good": 5,
            "very happy": 5,
            "满意": 4,
            "比较满意": 4,
            "还算满意": 4,
            "挺好": 4,
            "不错": 4,
            "还不错": 4,
            "satisfied": 4,
            "good": 4,
            "happy": 4,
            "not bad": 4,
            "一般": 3,
            "还行": 3,
            "还可以": 3,
            "凑合": 3,
            "基本满意": 3,
            "马马虎虎": 3,
            "差不多": 3,
            "ok": 3,
            "okay": 3,
            "fine": 3,
            "average": 3,
            "so-so": 3,
            "so so": 3,
            "alright": 3,
            "不满意": 2,
            "不太满意": 2,
            "不是很满意": 2,
            "不怎么满意": 2,
            "不好": 2,
            "差": 2,
            "差评": 2,
            "not satisfied": 2,
            "dissatisfied": 2,
            "unsatisfied": 2,
            "unhappy": 2,
            "not happy": 2,
            "not good": 2,
            "bad": 2,
            "poor": 2,
            "非常不满意": 1,
            "很不满意": 1,
            "十分不满意": 1,
            "特别不满意": 1,
            "很差": 1,
            "太差": 1,
            "极差": 1,
            "非常差": 1,
            "太差了": 1,
            "very dissatisfied": 1,
            "very unsatisfied": 1,
            "not satisfied at all": 1,
            "very unhappy": 1,
            "terrible": 1,
            "awful": 1,
            "horrible": 1,
            "very bad": 1,
            "worst": 1,
        }.items(),
        key=lambda pair: -len(pair[0]),
    )
)
COMPLAINT_WORDS = (
    "投诉",
    "举报",
    "乱收费",
    "多收",
    "多要",
    "收费高",
    "太贵",
    "加价",
    "要价",
    "态度差",
    "态度不好",
    "态度恶劣",
    "骂人",
    "没来",
    "没有来",
    "不来",
    "放鸽子",
    "弄坏",
    "损坏",
    "偷",
    "骗",
    "索要",
    "complain*",
    "overcharg*",
    "rude",
    "never came",
    "never showed",
    "didn't come",
    "did not come",
    "didn't show",
    "no show",
    "no-show",
    "damaged",
    "broke my",
    "stole",
    "cheat*",
    "scam*",
)
REQUEST_WORDS = (
    "又漏",
    "又坏",
    "又堵",
    "又不",
    "又没",
    "又出",
    "还是不",
    "还是漏",
    "再次",
    "帮忙",
    "请派",
    "派人",
    "需要",
    "能不能",
    "能否",
    "来修",
    "漏水",
    "漏了",
    "坏了",
    "堵了",
    "不通",
    "没电",
    "没水",
    "停电",
    "跳闸",
    "不亮",
    "不转",
    "不制冷",
    "开锁",
    "疏通",
    "救命",
    "again",
    "still",
    "leak*",
    "broken",
    "not working",
    "doesn't work",
    "does not work",
    "need",
    "please send",
    "please come",
    "blocked",
    "clogged",
    "no power",
    "no water",
    "help me",
)


@dataclass(frozen=True)
class Reading:
    score: int | None = None  # 1..5
    comment: str = ""
    complaint: bool = False  # complaint words, or a score at or below the low score
    new_request: bool = False  # plainly asks for a service: not an answer
    clarify: bool = False  # no usable score: ask once
    code: str | None = None  # the survey code (or ticket number) the reply names
    out_of_range: bool = False  # a number that is not 1..5
    stop: bool = False
    command: bool = False  # STATUS, HELP, START: a keyword for the intake

    @property
    def answers(self) -> bool:
        """It reads as an answer to a survey (a score, or a number out of range)."""
        return self.score is not None or self.out_of_range

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "comment": self.comment,
            "complaint": self.complaint,
            "new_request": self.new_request,
            "clarify": self.clarify,
            "code": self.code,
            "out_of_range": self.out_of_range,
            "stop": self.stop,
        }


def _has(text: str, term: str) -> bool:
    """``term`` in ``text``; an English term as whole words (``complain*``: any ending)."""
    if not term.isascii():
        return term in text
    pattern = re.escape(term.rstrip("*")) + (r"" if term.endswith("*") else r"(?![a-z])")
    return re.search(r"(?<![a-z])" + pattern, text) is not None


def _without(text: str, terms: tuple[str, ...]) -> str:
    for term in terms:
        if not term.isascii():
            text = text.replace(term, " | ")
    return text


def scale_scores(text: str) -> set[int]:
    """The scores the scale words in ``text`` give, longest words first, each place read once."""
    found: set[int] = set()
    remaining = text
    for term, score in SCALE:
        if _has(remaining, term):
            found.add(score)
            if term.isascii():
                remaining = re.sub(r"(?<![a-z])" + re.escape(term) + r"(?![a-z])", " | ", remaining)
            else:
                remaining = remaining.replace(term, " | ")
    return found


def _leading_number(text: str) -> tuple[float | None, str]:
    """A number that opens the reply (digits, 五, five) and the rest; (None, text) if none."""
    for pattern, table in ((_LEAD_NUMBER, None), (_LEAD_CN, _CN_DIGITS), (_LEAD_EN, _EN_DIGITS)):
        match = pattern.match(text)
        if match is None:
            continue
        raw = match.group(1)
        if _MEASURE.match(text[match.end(1) :]):
            return None, text
        value = float(raw) if table is None else float(table[raw])
        return value, text[match.end() :]
    return None, text


def _clean_comment(text: str) -> str:
    text = text.strip().lstrip(",，.。:：;；、!！-— ").strip()
    return text[:MAX_COMMENT]


def read(text: str, *, low_score: int = 2) -> Reading:
    written = (text or "").strip()
    folded = unicodedata.normalize("NFKC", written).casefold()
    # comments keep the resident's own writing where normalising kept every character in place
    plain = written if len(folded) == len(written) else folded
    if not folded:
        return Reading(clarify=True)
    if _STOP.match(folded):
        return Reading(stop=True)
    if _COMMAND.match(folded):
        return Reading(command=True)
    code = None
    if (only := _CODE_ONLY.match(folded)) is not None:
        return Reading(code=only.group(1), clarify=True)
    if (lead := _CODE.match(folded)) is not None:
        code = lead.group(1)
        plain, folded = plain[lead.end() :], folded[lead.end() :]
    complaint = any(_has(folded, word) for word in COMPLAINT_WORDS)
    number, rest = _leading_number(folded)
    if number is not None:
        comment = _clean_comment(plain[len(plain) - len(rest) :])
        if number != int(number) or not 1 <= number <= 5:
            return Reading(code=code, out_of_range=True, clarify=True, complaint=complaint, comment=comment)
        if re.fullmatch(r"[\d\s,，/.、\-或orand]+", comment) and re.search(r"\d", comment):
            return Reading(code=code, clarify=True, comment=comment)  # "4 5", "4 or 5": which?
        score = int(number)
        return Reading(score=score, comment=comment, complaint=complaint or score <= low_score, code=code)
    explicit = {int(a) if a else _CN_DIGITS[b] for a, b in _ANY_SCORE.findall(folded)}
    words = scale_scores(_without(folded, COMPLAINT_WORDS))  # 态度差 is a complaint, not a score of 2
    if len(explicit) == 1:
        (value,) = explicit
        if not 1 <= value <= 5:
            return Reading(code=code, out_of_range=True, clarify=True, complaint=complaint)
        return Reading(score=value, comment=_clean_comment(plain), complaint=complaint or value <= low_score, code=code)
    if len(words) == 1 and not explicit:
        (value,) = words
        return Reading(score=value, comment=_clean_comment(plain), complaint=complaint or value <= low_score, code=code)
    if complaint:
        return Reading(comment=_clean_comment(plain), complaint=True, code=code)
    if not words and not explicit and any(_has(folded, word) for word in REQUEST_WORDS):
        return Reading(comment=_clean_comment(plain), new_request=True, code=code)
    return Reading(comment=_clean_comment(plain), clarify=True, code=code)
