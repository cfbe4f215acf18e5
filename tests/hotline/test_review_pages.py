"""Review and report pages: supervisors decide with a reason (CSRF-checked), observers read only;
the provider page shows the rating with its evidence; reports render with charts in both languages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from config import periods
from config.db import Database
from config.settings import Settings
from hotline.app import create_app
from providers import reviews
from providers.models import Provider, ProviderReview
from tests.console_support import log_in
from tests.providers import builders
from tests.providers.test_reviews import history


def _reviewed(db: Database, settings: Settings) -> tuple[int, int]:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        history(session, p, "2026-10", jobs=20, complaints=3, scores=[5] * 10)
        (row,) = reviews.run(session, period=periods.parse("2026-10", settings.zone), settings=settings)
        return p.id, row.id


def test_a_supervisor_decides_on_the_page_and_an_observer_only_reads(db: Database, settings: Settings) -> None:
    provider_id, review_id = _reviewed(db, settings)
    with TestClient(create_app(settings, db)) as client:
        boss = log_in(client, db, settings, "supervisor")
        page = client.get("/reviews?period=2026-10&lang=en")
        assert page.status_code == 200 and f"/reviews/{review_id}/decide" in page.text
        assert "Upheld complaints per 100 jobs at the removal level, but not for enough periods yet" in page.text
        ranges = re.findall(r'<span class="muted">\((\d+\.\d+)–(\d+\.\d+)\)</span>', page.text)
        assert ranges and all(len(x.split(".")[1]) == 2 for pair in ranges for x in pair)  # 4.80, not 4.8
        no_csrf = client.post(f"/reviews/{review_id}/decide", data={"decision": "probation", "reason": "x"})
        assert no_csrf.status_code == 403
        empty = client.post(
            f"/reviews/{review_id}/decide",
            data={"decision": "probation", "reason": " ", "csrf": boss.csrf, "period": "2026-10"},
        )
        assert empty.status_code == 422 and "say why" in empty.text
        done = client.post(
            f"/reviews/{review_id}/decide",
            data={"decision": "probation", "reason": "三次有效投诉", "csrf": boss.csrf, "period": "2026-10"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        profile = client.get(f"/providers/{provider_id}?lang=zh_CN")
        assert "评分及依据" in profile.text and "每百单有效投诉" in profile.text and "<svg" in profile.text
    with db.read() as session:
        assert session.get(Provider, provider_id).status == "probation"
        assert session.scalar(select(ProviderReview.decision).where(ProviderReview.id == review_id)) == "probation"
    with TestClient(create_app(settings, db)) as client:
        watcher = log_in(client, db, settings, "observer", name="社会监督员")
        page = client.get("/reviews?period=2026-10")
        assert page.status_code == 200 and "/decide" not in page.text and "三次有效投诉" in page.text
        refused = client.post(f"/reviews/{review_id}/appeal", data={"note": "x", "csrf": watcher.csrf})
        assert refused.status_code == 403
        for kind in ("centre", "providers", "volunteers", "packet"):
            for lang in ("zh_CN", "en"):
                shown = client.get(f"/reports/{kind}?period=2026-Q4&lang={lang}")
                assert shown.status_code == 200, (kind, lang)
        report = client.get("/reports/providers?period=2026-10&lang=en")
        assert "<svg" in report.text and "Probation" in report.text
        xlsx = client.get("/reports/centre.xlsx?period=2026-10")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        assert client.get("/reports/centre?period=2026-13").status_code == 400


def test_providers_with_too_little_evidence_are_counted_not_listed(db: Database, settings: Settings) -> None:
    _flagged, flagged_review = _reviewed(db, settings)
    with db.transaction() as session:
        quiet = builders.provider(session, settings, phone="+8613857300102", name="新来的水电服务部")
        history(session, quiet, "2026-10", jobs=2, complaints=0, scores=[5, 4])
        rows = reviews.run(session, period=periods.parse("2026-10", settings.zone), settings=settings)
        (quiet_review,) = [r.id for r in rows if r.provider_id == quiet.id]
        assert {r.rule for r in rows if r.provider_id == quiet.id} == {"too_little_evidence"}
    with TestClient(create_app(settings, db)) as client:
        log_in(client, db, settings, "supervisor")
        page = client.get("/reviews?period=2026-10&lang=en")
        assert f"/reviews/{flagged_review}/decide" in page.text and f"/reviews/{quiet_review}/decide" not in page.text
        assert "1 more providers had too little evidence" in page.text and "show=all" in page.text
        every = client.get("/reviews?period=2026-10&show=all&lang=zh_CN")
        assert f"/reviews/{quiet_review}/decide" in every.text and "依据不足" in every.text
