"""What the demo roster is drawn from: trades of member companies, skills of individuals, the
items volunteers take on, words of company names, and how each kind of provider behaves."""

from __future__ import annotations

from typing import Any

# How a provider behaves in the demo's history: punctuality, survey scores (weights of 1..5) and
# overcharging. Most providers are good and drawn at random over the 90 days.
PROFILES: dict[str, dict[str, Any]] = {
    "good": {"on_time": 0.93, "scores": (1, 2, 6, 25, 66), "over": 0.0},
    "poor": {"scores": (50, 30, 15, 4, 1)},
    "weak": {"scores": (5, 10, 80, 5, 0)},
    "fair": {"scores": (1, 3, 52, 39, 5)},
}
# The providers with a part in the reviews (providers.reviews) have their figures drawn per
# calendar month, so that each review rule fires for one of them whatever day the demo is seeded:
# per full month, jobs done, of which late, overcharged and drawing an upheld complaint; offers
# left to expire and offers declined (besides the jobs' own). Scores as PROFILES (default good);
# the complaints their low scores open are not upheld (only "poor" ones are, mostly).
MONTHLY: dict[str, dict[str, Any]] = {
    "poor": {"jobs": 28, "late": 8},  # rating at the removal level
    "weak": {"jobs": 28, "late": 2},  # rating at the probation level
    "fair": {"jobs": 24, "late": 2},  # rating at the warning level
    "complaints": {"jobs": 20, "upheld": 4},  # 20 upheld complaints per 100 jobs: removal level
    "complained": {"jobs": 25, "upheld": 2},  # 8 per 100: probation level
    "grumbled": {"jobs": 20, "upheld": 1},  # 5 per 100: warning level
    "late": {"jobs": 14, "late": 7},  # half the jobs late
    "expirer": {"jobs": 12, "expired": 9},  # 43% of the offers left to expire, 57% accepted
    "decliner": {"jobs": 8, "declined": 12},  # 40% of the offers accepted
    "overcharger": {"jobs": 14, "over": 3},
    "overcharged": {"jobs": 12, "over": 1},
    "busy": {"jobs": 14},  # a good provider with enough work to be judged: within the thresholds
}
# trade: (name ending, item codes, hours, capacity range, share of the companies)
TRADES: dict[str, tuple[str, tuple[str, ...], str, tuple[int, int], int]] = {
    "housekeeping": (
        "家政服务有限公司",
        (
            "HK-CLEAN-HOURLY",
            "HK-NANNY-LIVEIN",
            "HK-MATERNITY",
            "HK-CHILDCARE",
            "HK-ELDER-NANNY",
            "HK-COOK",
            "HK-ORGANISE",
            "MC-DEEP-CLEAN",
            "MC-WINDOW",
            "EC-HOME-CARE",
        ),
        "daily 07:00-21:00",
        (4, 12),
        30,
    ),
    "cleaning": (
        "保洁服务有限公司",
        (
            "MC-DEEP-CLEAN",
            "MC-POST-RENOVATION",
            "MC-WINDOW",
            "MC-KITCHEN-DEGREASE",
            "MC-SOFA-CARPET",
            "MC-MATTRESS",
            "MC-PEST",
            "AR-HOOD-CLEAN",
            "AR-AC-CLEAN",
        ),
        "daily 08:00-19:00",
        (3, 10),
        18,
    ),
    "moving": (
        "搬家服务有限公司",
        ("MC-HOUSE-MOVE", "MC-OFFICE-MOVE", "MC-SMALL-MOVE", "MC-WASTE-REMOVAL"),
        "daily 07:00-19:00",
        (2, 6),
        10,
    ),
    "plumbing": (
        "水电安装维修有限公司",
        (
            "PE-PIPE-LEAK",
            "PE-DRAIN-UNBLOCK",
            "PE-TOILET-UNBLOCK",
            "PE-TOILET-CISTERN",
            "PE-TAP",
            "PE-VALVE",
            "PE-WATER-HEATER-INSTALL",
            "PE-CIRCUIT-FAULT",
            "PE-SOCKET-SWITCH",
            "PE-LIGHTING",
            "PE-WIRING",
            "PE-METER",
            "EH-BURST-PIPE",
            "EH-POWER-FAILURE",
            "EH-SEWAGE-BACKFLOW",
        ),
        "daily 00:00-24:00",
        (3, 10),
        28,
    ),
    "appliance": (
        "家电维修服务有限公司",
        (
            "AR-AC-REPAIR",
            "AR-AC-CLEAN",
            "AR-AC-INSTALL",
            "AR-WASHER",
            "AR-FRIDGE",
            "AR-TV",
            "AR-GAS-STOVE",
            "AR-MICROWAVE",
            "AR-WATER-HEATER",
            "AR-SMALL-APPLIANCE",
            "AR-COMPUTER",
        ),
        "daily 08:00-20:00",
        (3, 8),
        24,
    ),
    "repair": (
        "房屋修缮工程有限公司",
        (
            "HR-ROOF-LEAK",
            "HR-WALL-REPAIR",
            "HR-PAINT",
            "HR-TILE",
            "HR-DOOR-WINDOW",
            "HR-SCREEN",
            "HR-WATERPROOF",
            "HR-FURNITURE-ASSEMBLY",
            "HR-FURNITURE-REPAIR",
            "HR-FLOOR",
            "HR-WALL-MOUNT",
        ),
        "mon-sat 08:00-18:00",
        (2, 6),
        18,
    ),
    "eldercare": (
        "养老服务有限公司",
        (
            "EC-MEAL-DELIVERY",
            "EC-DAY-CARE",
            "EC-HOME-CARE",
            "EC-BATH",
            "EC-CLEAN-HELP",
            "EC-AGE-FRIENDLY",
            "EC-ALARM-FOLLOWUP",
            "HK-ELDER-NANNY",
        ),
        "daily 07:00-20:00",
        (4, 12),
        14,
    ),
    "nursing": (
        "护理服务有限公司",
        (
            "ME-HOSPITAL-ESCORT",
            "ME-NIGHT-CARE",
            "ME-INPATIENT-CARE",
            "ME-REGISTRATION",
            "ME-REPORT-PICKUP",
            "ME-REHAB",
            "ME-HOME-NURSING",
            "ME-TRANSFER",
            "ME-DIALYSIS-ESCORT",
        ),
        "daily 00:00-24:00",
        (3, 10),
        10,
    ),
    "locksmith": ("开锁服务部", ("EH-UNLOCK", "HR-LOCK-REPLACE"), "daily 00:00-24:00", (1, 3), 6),
    "legal": (
        "律师事务所",
        (
            "LC-LEGAL-AID",
            "LC-LEASE",
            "LC-CONTRACT",
            "LC-LABOUR",
            "LC-FAMILY",
            "LC-INHERITANCE",
            "LC-CONSUMER",
            "LC-DEBT",
            "LC-DOCUMENT",
        ),
        "mon-fri 08:30-17:30",
        (2, 5),
        5,
    ),
    "staffing": (
        "人力资源有限公司",
        ("EM-JOB-MATCH", "EM-SKILL-TRAIN", "EM-RECRUIT", "EM-DOMESTIC-TRAIN", "EM-FLEX-WORK"),
        "mon-fri 08:30-17:30",
        (2, 5),
        3,
    ),
}
# skill: (item codes, hours, share of the individuals)
SKILLS: dict[str, tuple[tuple[str, ...], str, int]] = {
    "plumber": (
        ("PE-PIPE-LEAK", "PE-DRAIN-UNBLOCK", "PE-TOILET-UNBLOCK", "PE-TAP", "PE-VALVE", "PE-TOILET-CISTERN"),
        "mon-sat 07:30-19:00",
        30,
    ),
    "electrician": (
        ("PE-CIRCUIT-FAULT", "PE-SOCKET-SWITCH", "PE-LIGHTING", "PE-WIRING", "PE-METER"),
        "mon-sat 08:00-19:00",
        22,
    ),
    "appliance": (
        ("AR-AC-REPAIR", "AR-WASHER", "AR-FRIDGE", "AR-TV", "AR-WATER-HEATER", "AR-GAS-STOVE"),
        "daily 08:00-19:00",
        22,
    ),
    "cleaner": (("HK-CLEAN-HOURLY", "HK-COOK", "HK-LAUNDRY", "HK-ORGANISE", "MC-WINDOW"), "mon-sat 08:00-18:00", 30),
    "carer": (
        ("EC-HOME-CARE", "EC-BATH", "ME-HOSPITAL-ESCORT", "ME-NIGHT-CARE", "HK-ELDER-NANNY"),
        "daily 07:00-20:00",
        25,
    ),
    "carpenter": (
        ("HR-DOOR-WINDOW", "HR-FURNITURE-ASSEMBLY", "HR-FURNITURE-REPAIR", "HR-FLOOR", "HR-WALL-MOUNT", "HR-SCREEN"),
        "mon-sat 08:00-18:00",
        15,
    ),
    "barber": (("EC-HAIRCUT", "EC-FOOT-CARE"), "mon-fri 09:00-17:00", 7),
}
VOLUNTEER_ITEMS = (
    "EC-VISIT",
    "EC-BATH",
    "EC-HAIRCUT",
    "EC-MEDICINE",
    "EC-CLEAN-HELP",
    "EC-FOOT-CARE",
    "EC-HEALTH-CHECK",
    "EC-DISABLED-ASSIST",
    "EC-ALARM-FOLLOWUP",
    "HK-ERRAND",
    "HK-SCHOOL-PICKUP",
    "LC-PSYCH",
    "LC-ANTI-FRAUD",
)
WORDS = [
    "嘉禾",
    "禾城",
    "南湖",
    "鸳湖",
    "月河",
    "瑞丰",
    "恒信",
    "安家",
    "邻里",
    "福满",
    "佳洁",
    "康乐",
    "金牌",
    "诚信",
    "万家",
    "惠民",
    "乐居",
    "顺达",
    "安心",
    "益家",
    "和美",
    "优家",
    "红船",
    "秀洲",
    "南溪",
    "梅湾",
    "嘉城",
    "江南",
    "润泽",
    "鑫源",
    "永安",
    "宏达",
    "家福",
    "好帮手",
    "小棉袄",
    "贴心",
    "暖阳",
    "夕阳红",
    "颐和",
    "康宁",
    "一心",
    "至诚",
    "百佳",
    "利民",
    "家和",
    "同心",
    "锦程",
    "兴达",
    "昌盛",
    "长安",
    "东升",
    "新禾",
    "乐邦",
    "诚达",
    "嘉美",
    "福寿",
    "吉祥",
    "平安",
    "和顺",
    "益民",
    "安居",
    "鸿福",
]
STATION_NAME = "嘉兴市南湖区志愿服务总站"
THEMED_SUBSTATIONS = (
    "助老服务分站",
    "助残服务分站",
    "应急救援分站",
    "医疗陪护分站",
    "青年志愿者分站",
    "巾帼志愿者分站",
)
# The sizes of Jiaxing's 96345 resource library (issue #13), less the named sample providers above.
FULL_SIZE = {"company": 166, "individual": 151, "volunteer": 320}
# The companies with a part in the reviews: (trade, profile, status, record), the record reaching
# back to the start of the month `record` months before the current one (instead of the 90 days),
# so that a removal level can hold for the 3 periods removal needs (a 90-day history holds 3 whole
# months only when the calendar happens to line up), or (2) cannot.
FLAGGED: tuple[tuple[str, str, str, int | None], ...] = (
    ("housekeeping", "poor", "active", 3),  # rating_sustained: remove
    ("plumbing", "poor", "probation", 2),  # rating_remove: probation
    ("appliance", "weak", "active", None),  # rating_probation
    ("housekeeping", "fair", "active", None),  # rating_warn
    ("moving", "complaints", "active", 3),  # complaints_sustained: remove
    ("repair", "complaints", "active", 2),  # complaints_remove: probation
    ("plumbing", "complained", "active", None),  # complaints_probation
    ("appliance", "grumbled", "active", None),  # complaints_warn
    ("plumbing", "expirer", "active", None),  # expired_warn
    ("housekeeping", "decliner", "active", None),  # acceptance_warn
    ("repair", "late", "active", None),  # on_time_warn
    ("locksmith", "overcharger", "active", None),  # overcharges: probation
    ("locksmith", "overcharged", "active", None),  # overcharge: warn
    ("housekeeping", "busy", "active", None),  # within_thresholds
    ("appliance", "busy", "active", None),
)
