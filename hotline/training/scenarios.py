"""The scripted scenarios: who calls or texts, what they say, what the right handling is, and how
the provider side behaves. Plain data; ``flows`` plays them and ``scoring`` marks the trainee."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import NotFound
from config.i18n import N_


@dataclass(frozen=True)
class Scenario:
    code: str
    title: str  # message id
    brief: str  # message id: what the trainee is told before starting
    caller: str  # the resident's name
    phone: str  # E.164, the scenario's own resident
    community: str  # where the resident lives (the right community)
    address: str
    tags: tuple[str, ...]
    channel: str  # sms: the resident texts; call: the resident phones (the trainee opens the ticket)
    words: str  # what the resident texts or says
    items: tuple[str, ...]  # catalogue items that are right
    urgency: str  # the right urgency
    provider: str  # accept: the first offer is accepted; decline_first: declined, then the next accepts
    target_seconds: int  # a ticket within this long after the start earns full time marks
    history: str | None = None  # an earlier request of the same resident (the repeat complaint)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        code="elderly_leak",
        title=N_("An elderly caller with a leak"),
        brief=N_(
            "An elderly resident who lives alone phones: water is leaking in the kitchen. Open the ticket "
            "while she talks, get the service, community and urgency right, and offer it."
        ),
        caller="培训-刘奶奶",
        phone="+8613900000001",
        community="330402003001",
        address="3幢2单元401",
        tags=("elderly", "lives_alone"),
        channel="call",
        words="喂？是96345吗？我家厨房水管漏水了，地上都是水，我一个人在家，腿脚不方便。我住南湖社区3幢2单元401。",
        items=("PE-PIPE-LEAK", "EH-BURST-PIPE"),
        urgency="urgent",
        provider="accept",
        target_seconds=180,
    ),
    Scenario(
        code="angry_repeat",
        title=N_("An angry repeat complaint"),
        brief=N_(
            "A resident texts for the second time about the same broken air conditioner and is angry. "
            "Triage the new ticket properly, raise the urgency and get someone there."
        ),
        caller="培训-陈先生",
        phone="+8613900000002",
        community="330402003002",
        address="7幢1203",
        tags=(),
        channel="sms",
        words="上周就报过空调不制冷，到现在都没人来！家里老人热得受不了，烟雨社区7幢1203，今天必须来人！",
        items=("AR-AC-REPAIR",),
        urgency="urgent",
        provider="accept",
        target_seconds=120,
        history="空调不制冷，麻烦派人来看看",
    ),
    Scenario(
        code="provider_declines",
        title=N_("A provider who declines"),
        brief=N_(
            "A resident texts about a washing machine. The first provider you offer it to declines: "
            "notice it and offer the ticket again until someone accepts."
        ),
        caller="培训-孙女士",
        phone="+8613900000003",
        community="330402003001",
        address="18幢502",
        tags=(),
        channel="sms",
        words="洗衣机不脱水了，南湖社区18幢502，麻烦派师傅来修一下",
        items=("AR-WASHER",),
        urgency="normal",
        provider="decline_first",
        target_seconds=120,
    ),
    Scenario(
        code="one_touch_emergency",
        title=N_("A one-touch emergency"),
        brief=N_(
            "An elderly resident on the one-touch line presses her button: she has fallen in the bathroom. "
            "Every second counts: open an emergency ticket and get help moving."
        ),
        caller="培训-张阿姨",
        phone="+8613900000004",
        community="330402003003",
        address="5幢101",
        tags=("elderly", "lives_alone", "one_touch"),
        channel="call",
        words="（一键通）救命……我在卫生间摔倒了，起不来……湖滨社区5幢101……",
        items=("EH-ELDERLY-FALL",),
        urgency="emergency",
        provider="accept",
        target_seconds=60,
    ),
)
BY_CODE = {scenario.code: scenario for scenario in SCENARIOS}


def get(code: str) -> Scenario:
    try:
        return BY_CODE[code]
    except KeyError:
        raise NotFound(f"no training scenario {code!r} (one of {', '.join(BY_CODE)})") from None
