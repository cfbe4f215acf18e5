"""How residents' replies to a survey are read: a table of real-looking answers in both languages.

Each row: the reply, then what it must read as. ``S`` a score (with the comment kept), ``C`` a
complaint (score or not), ``N`` a new request (not a score), ``Q`` a clarifying question, ``X`` STOP.
"""

from __future__ import annotations

import pytest

from callbacks import replies
from callbacks.replies import MAX_COMMENT, Reading

# (reply, score, comment, complaint, new_request, clarify, code)
TABLE: list[tuple[str, int | None, str, bool, bool, bool, str | None]] = [
    # plain digits, full-width, with a unit
    ("5", 5, "", False, False, False, None),
    ("4", 4, "", False, False, False, None),
    ("3", 3, "", False, False, False, None),
    ("1", 1, "", True, False, False, None),
    ("５", 5, "", False, False, False, None),
    (" 5 ", 5, "", False, False, False, None),
    ("5分", 5, "", False, False, False, None),
    ("4分。", 4, "", False, False, False, None),
    ("5星", 5, "", False, False, False, None),
    ("5/5", 5, "", False, False, False, None),
    ("5 stars", 5, "", False, False, False, None),
    ("4 points", 4, "", False, False, False, None),
    # the survey code or the ticket number first
    ("4821 5", 5, "", False, False, False, "4821"),
    ("#4821 4", 4, "", False, False, False, "4821"),
    ("4821，5分，很好", 5, "很好", False, False, False, "4821"),
    ("４８２１　３", 3, "", False, False, False, "4821"),
    ("2611210007 5", 5, "", False, False, False, "2611210007"),
    ("4821:2 师傅迟到了一个小时", 2, "师傅迟到了一个小时", True, False, False, "4821"),
    # score and comment
    ("5 很好 师傅很准时", 5, "很好 师傅很准时", False, False, False, None),
    ("5分，师傅很专业，谢谢", 5, "师傅很专业，谢谢", False, False, False, None),
    ("4 还行，就是来得有点晚", 4, "还行，就是来得有点晚", False, False, False, None),
    ("3 一般吧", 3, "一般吧", False, False, False, None),
    ("2 收费比说的高", 2, "收费比说的高", True, False, False, None),
    ("1 师傅态度差还乱收费", 1, "师傅态度差还乱收费", True, False, False, None),
    ("5 but he was a bit late", 5, "but he was a bit late", False, False, False, None),
    ("4, good job", 4, "good job", False, False, False, None),
    ("5 不满意", 5, "不满意", False, False, False, None),  # the number stands over the words
    # Chinese numerals
    ("五", 5, "", False, False, False, None),
    ("五分", 5, "", False, False, False, None),
    ("四分", 4, "", False, False, False, None),
    ("两分", 2, "", True, False, False, None),
    ("五星好评", 5, "五星好评", False, False, False, None),
    ("给5分", 5, "给5分", False, False, False, None),
    ("服务很好，打五分", 5, "服务很好，打五分", False, False, False, None),
    # English numbers
    ("five", 5, "", False, False, False, None),
    ("Four stars", 4, "", False, False, False, None),
    ("I'd give it 4 stars", 4, "I'd give it 4 stars", False, False, False, None),
    # words of the scale, Chinese
    ("非常满意", 5, "非常满意", False, False, False, None),
    ("很满意", 5, "很满意", False, False, False, None),
    ("十分满意，谢谢师傅", 5, "十分满意，谢谢师傅", False, False, False, None),
    ("满意", 4, "满意", False, False, False, None),
    ("比较满意", 4, "比较满意", False, False, False, None),
    ("一般", 3, "一般", False, False, False, None),
    ("还行吧", 3, "还行吧", False, False, False, None),
    ("还可以", 3, "还可以", False, False, False, None),
    ("不满意", 2, "不满意", True, False, False, None),
    ("不太满意，师傅10点才到", 2, "不太满意，师傅10点才到", True, False, False, None),
    ("非常不满意", 1, "非常不满意", True, False, False, None),
    ("很差", 1, "很差", True, False, False, None),
    ("师傅又快又好", 5, "师傅又快又好", False, False, False, None),
    # words of the scale, English
    ("Very satisfied", 5, "Very satisfied", False, False, False, None),
    ("excellent service, thanks", 5, "excellent service, thanks", False, False, False, None),
    ("satisfied", 4, "satisfied", False, False, False, None),
    ("OK", 3, "OK", False, False, False, None),
    ("it was ok", 3, "it was ok", False, False, False, None),
    ("not satisfied", 2, "not satisfied", True, False, False, None),
    ("dissatisfied", 2, "dissatisfied", True, False, False, None),
    ("terrible", 1, "terrible", True, False, False, None),
    ("very unhappy with the plumber", 1, "very unhappy with the plumber", True, False, False, None),
    # complaints without a score
    ("我要投诉", None, "我要投诉", True, False, False, None),
    ("师傅乱收费，多收了50元", None, "师傅乱收费，多收了50元", True, False, False, None),
    ("态度差", None, "态度差", True, False, False, None),
    ("I want to complain, he was rude", None, "I want to complain, he was rude", True, False, False, None),
    ("he overcharged me", None, "he overcharged me", True, False, False, None),
    # new requests, not scores
    ("水管又漏了", None, "水管又漏了", False, True, False, None),
    ("厨房又堵了，能不能再派人来", None, "厨房又堵了，能不能再派人来", False, True, False, None),
    ("家里停电了", None, "家里停电了", False, True, False, None),
    ("the pipe is leaking again", None, "the pipe is leaking again", False, True, False, None),
    ("10点能来修吗", None, "10点能来修吗", False, True, False, None),
    # out of range, ambiguous, empty: one clarifying question
    ("6", None, "", False, False, True, None),
    ("0", None, "", False, False, True, None),
    ("10", None, "", False, False, True, None),
    ("-1", None, "", False, False, True, None),
    ("十", None, "", False, False, True, None),
    ("4.5", None, "", False, False, True, None),
    ("4 5", None, "5", False, False, True, None),
    ("满意又不满意", None, "满意又不满意", False, False, True, None),
    ("谢谢", None, "谢谢", False, False, True, None),
    ("好的", None, "好的", False, False, True, None),
    ("?", None, "?", False, False, True, None),
    ("什么意思", None, "什么意思", False, False, True, None),
    ("", None, "", False, False, True, None),
    ("4821", None, "", False, False, True, "4821"),
    ("五分钟就到了", None, "五分钟就到了", False, False, True, None),
]


@pytest.mark.parametrize(("reply", "score", "comment", "complaint", "new_request", "clarify", "code"), TABLE)
def test_each_reply_is_read_as_a_resident_meant_it(
    reply: str, score: int | None, comment: str, complaint: bool, new_request: bool, clarify: bool, code: str | None
) -> None:
    reading = replies.read(reply)
    got = (reading.score, reading.comment, reading.complaint, reading.new_request, reading.clarify, reading.code)
    assert got == (score, comment, complaint, new_request, clarify, code)


def test_the_table_holds_sixty_replies_in_both_languages() -> None:
    chinese = [r for r, *_ in TABLE if any("\u4e00" <= c <= "\u9fff" for c in r)]
    assert len(TABLE) >= 60 and len(chinese) >= 25 and len(TABLE) - len(chinese) >= 25


@pytest.mark.parametrize("reply", ["STOP", "stop", "退订", "TD", "Unsubscribe"])
def test_stop_in_any_form_reads_as_stop(reply: str) -> None:
    assert replies.read(reply) == Reading(stop=True)


@pytest.mark.parametrize("reply", ["6", "0", "10", "-1", "4.5", "七分", "十分", "100分"])
def test_a_number_outside_one_to_five_is_out_of_range(reply: str) -> None:
    reading = replies.read(reply)
    assert reading.out_of_range and reading.score is None and reading.clarify


def test_a_very_long_comment_is_kept_to_its_limit() -> None:
    reading = replies.read("5 " + "师傅很好" * 400)
    assert reading.score == 5 and len(reading.comment) == MAX_COMMENT


def test_the_low_score_that_opens_a_complaint_is_a_setting() -> None:
    assert replies.read("3", low_score=3).complaint and not replies.read("3").complaint
