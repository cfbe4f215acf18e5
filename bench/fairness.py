"""Fairness of the dispatch ranking, simulated: a month of tickets over equally eligible providers.

Each ticket goes to the top candidate of ``dispatch.matching.rank`` (the real ranking with the
weights of config/default.toml), who accepts and finishes before the next ticket; the fairness
component sees the offers made so far. Three scenarios:

1. 20 providers with equal records: every one gets work, and the spread (max/min offers) is < 2;
2. the same with one provider clearly worse (rating 2.5 against 4.5): fewer offers, never none;
3. a new provider (no surveys, no offers) joins half-way: it catches up without taking everything.

No database: providers, records, the item and the community are built in memory.
``python bench/fairness.py [--tickets 1000] [--providers 20]``
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from config.areas import Area
from config.catalog import ServiceItem
from config.settings import load_settings
from dispatch import matching
from providers.eligibility import Eligibility
from providers.models import Provider
from providers.ratings import Record

console = Console()


def record(provider_id: int, rating: float, surveys: int, offers: int) -> Record:
    return Record(
        provider_id=provider_id,
        rating=rating,
        surveys=surveys,
        mean_score=rating if surveys else None,
        offers_recent=offers,
        offers=offers,
        accepted=offers,
        acceptance_rate=0.9,
        completed=offers,
        on_time_rate=0.9,
        complaints=0,
        overcharges=0,
    )


def simulate(ratings: list[float], tickets: int, *, newcomer_at: int | None = None) -> Counter[int]:
    weights = load_settings(demo=True).dispatch.weights
    community = Area(id=1, code="330402003001", level="community", name_zh="南湖社区", name_en="Nanhu")
    item = ServiceItem(id=1, code="PE-PIPE-LEAK", welfare=False, price=Decimal(50), unit="visit", sla_minutes=120)
    providers = [
        Provider(id=n + 1, kind="company", name_zh=f"P{n + 1}", phone=f"+86138573{n:05d}", capacity=2, areas=[])
        for n in range(len(ratings))
    ]
    made: Counter[int] = Counter()
    for ticket in range(tickets):
        active = providers if newcomer_at is None or ticket >= newcomer_at else providers[:-1]
        records = {
            p.id: record(
                p.id, ratings[p.id - 1], 0 if newcomer_at is not None and p is providers[-1] else 30, made[p.id]
            )
            for p in active
        }
        ranking = matching.rank(
            [(p, Eligibility(True, ())) for p in active],
            records=records,
            open_jobs={},
            item=item,
            community=community,
            weights=weights,
        )
        assert ranking.top is not None
        made[ranking.top.provider.id] += 1
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--providers", type=int, default=20)
    args = parser.parse_args()
    n, tickets = args.providers, args.tickets
    if n < 2 or tickets < n:
        console.print("bench/fairness.py: needs at least 2 providers and as many tickets as providers", style="red")
        return 2
    table = Table(title=f"{tickets} tickets over {n} providers (offers each)")
    for column in ("scenario", "min", "max", "max/min", "the odd one", "verdict"):
        table.add_column(column)

    verdicts = []
    equal = simulate([4.5] * n, tickets)
    lo, hi = min(equal[p] for p in range(1, n + 1)), max(equal.values())
    verdicts.append("ok" if lo and hi / lo < 2 else "FAIL")
    table.add_row("equal records", str(lo), str(hi), f"{hi / max(lo, 1):.2f}", "-", verdicts[-1])

    worse = simulate([4.5] * (n - 1) + [2.5], tickets)
    others = [worse[p] for p in range(1, n)]
    poor = worse[n]
    verdicts.append("ok" if 0 < poor < min(others) else "FAIL")
    spread = f"{max(others) / min(others):.2f}"
    table.add_row("one rated 2.5", str(min(others)), str(max(others)), spread, f"{poor}", verdicts[-1])

    half = tickets // 2
    joined = simulate([4.5] * n, tickets, newcomer_at=half)
    newcomer = joined[n]
    fair_share = (tickets - half) / n
    verdicts.append("ok" if 0 < newcomer <= 2 * fair_share else "FAIL")
    table.add_row(
        f"newcomer from ticket {half}",
        str(min(joined[p] for p in range(1, n))),
        str(max(joined.values())),
        "-",
        f"{newcomer} (fair share of the 2nd half {fair_share:.0f})",
        verdicts[-1],
    )
    console.print(table)
    return 1 if "FAIL" in verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
