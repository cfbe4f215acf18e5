"""Realistic sample people for the demo centre: Chinese names, mobile numbers that are valid in
China, addresses in Jiaxing's estates, what residents say when they call. Everything is drawn
from a seeded ``random.Random``, so the same seed gives the same centre."""

from __future__ import annotations

import random

import phonenumbers

# The commonest surnames in Zhejiang, roughly by frequency (weights are relative).
SURNAMES = (
    ("王", 9),
    ("李", 8),
    ("张", 8),
    ("陈", 9),
    ("刘", 5),
    ("杨", 4),
    ("黄", 4),
    ("吴", 5),
    ("周", 5),
    ("徐", 5),
    ("孙", 3),
    ("朱", 4),
    ("沈", 5),
    ("钱", 3),
    ("胡", 3),
    ("郑", 2),
    ("何", 2),
    ("高", 2),
    ("林", 2),
    ("罗", 1),
    ("顾", 2),
    ("姚", 2),
    ("俞", 2),
    ("陆", 2),
    ("金", 2),
    ("蒋", 2),
    ("许", 2),
    ("冯", 1),
    ("曹", 1),
    ("褚", 1),
)
GIVEN_MALE = [
    "建国",
    "国强",
    "志强",
    "伟",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "斌",
    "浩",
    "鹏",
    "宇",
    "晨",
    "俊",
    "建华",
    "卫东",
    "永康",
    "海林",
    "文斌",
    "志明",
    "家豪",
    "子轩",
    "德福",
    "根宝",
    "金龙",
    "水根",
    "阿三",
    "荣华",
]
GIVEN_FEMALE = [
    "秀英",
    "桂英",
    "玉兰",
    "凤英",
    "丽",
    "芳",
    "敏",
    "静",
    "燕",
    "娟",
    "霞",
    "婷",
    "雪梅",
    "美华",
    "丽华",
    "红梅",
    "佳怡",
    "欣怡",
    "雅琴",
    "月娥",
    "惠芬",
    "彩娣",
    "金妹",
    "素珍",
    "杏芳",
    "春燕",
    "晓红",
    "梦婷",
    "海燕",
    "琴",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
ESTATES = (
    "阳光水岸",
    "南湖春晓",
    "紫金花园",
    "嘉禾苑",
    "东方名城",
    "江南润园",
    "越秀花园",
    "万达华府",
    "府南花园",
    "绿城百合",
    "湖滨花园",
    "中山名都",
    "秀水新村",
    "菱香坊",
    "梅湾新村",
    "禾兴南苑",
    "月河人家",
    "南溪雅苑",
)


class People:
    """Names and numbers, none drawn twice."""

    def __init__(self, rng: random.Random, *, taken: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.rng = rng
        self.phones: set[str] = set(taken)
        self.names: set[str] = set()
        self._surnames = [s for s, _ in SURNAMES]
        self._weights = [w for _, w in SURNAMES]

    def name(self, *, unique: bool = False) -> str:
        for _ in range(200):
            surname = self.rng.choices(self._surnames, self._weights)[0]
            given = self.rng.choice(GIVEN_MALE if self.rng.random() < 0.5 else GIVEN_FEMALE)
            name = surname + given
            if not unique or name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("ran out of distinct names")

    def elder(self) -> str:
        """How an older resident is known at the desk: 张阿姨, 沈大爷, 陆奶奶."""
        return self.rng.choice(self._surnames) + self.rng.choice(("阿姨", "大爷", "奶奶", "爷爷", "师傅", "阿婆"))

    def mobile(self) -> str:
        """An 11-digit mainland mobile number (national format), valid by phonenumbers' metadata."""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            e164 = "+86" + number
            if e164 in self.phones:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(e164)):
                self.phones.add(e164)
                return e164

    def landline(self) -> str:
        """A Jiaxing landline (0573-8xxxxxxx), as many elderly residents have."""
        while True:
            e164 = f"+86573{self.rng.choice('8')}{self.rng.randrange(10**7):07d}"
            if e164 not in self.phones:
                self.phones.add(e164)
                return e164

    def address(self) -> str:
        building, unit, floor, flat = (
            self.rng.randint(1, 36),
            self.rng.randint(1, 4),
            self.rng.randint(1, 18),
            self.rng.randint(1, 4),
        )
        return f"{self.rng.choice(ESTATES)}{building}幢{unit}单元{floor}{flat:02d}"
