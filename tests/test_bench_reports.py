"""The reports bench at a tiny size: its year holds what it was built with, and the dashboard finds it.

Nothing here is timed; only `python -m bench reports` times anything.
"""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from bench.reports import NOW, mismatches, ranges, refresh
from bench.reports_year import CHANNELS, add_people, expected, generate, rows, write
from models import metrics
from models.hub_schema import kpi_days, lead_dispatch
from models.metrics import GROUPS, kpi
from models.rules import load_rules

LEADS = 3000


@pytest.fixture
def year(engine):
    """A generated year of LEADS leads written into the fresh database."""
    consultants, manager = add_people(engine, NOW)
    made = generate(LEADS, NOW, load_rules().calendar, consultants)
    write(engine, rows(made, manager, NOW))
    return made


def test_the_generated_year_looks_like_a_floor(year):
    dispatched = year.dispatched.sum()
    answered = year.dispatched & ~np.isnat(year.answered_at)
    response_s = (year.answered_at[answered] - year.received[answered]).astype(np.int64) / 1e6
    assert 0.9 * LEADS < dispatched < LEADS and 0.85 < answered.sum() / dispatched < 0.99
    assert 0.6 < (response_s <= 300).mean() < 0.9 and (response_s > 7200).any()  # mostly minutes, some late
    shares = [(year.channel == i).mean() for i in range(len(CHANNELS))]
    assert abs(shares[CHANNELS.index("douyin")] - 0.30) < 0.05
    assert set(year.mode.tolist()) == {"auto", "grab"}
    assert year.merged_into and len(set(year.customer.tolist())) < LEADS


def test_the_dashboard_finds_the_figures_the_year_was_built_with(engine, year):
    for start, end in ranges(NOW).values():
        report = refresh(engine, start, end, NOW)
        wanted = expected(year, start, end, NOW)
        assert mismatches(report, wanted) == []
        assert report["total"]["leads"] == wanted["leads"] > 0
        assert len(report["by_day"]) <= (end - start).days + 1 and report["by_consultant"]
        assert sum(r["leads"] for r in report["by_channel"]) == wanted["leads"]
        assert sum(r["leads"] for r in report["by_mode"]) == wanted["leads"]


def test_ranks_picked_from_the_indexes_equal_reading_every_time(engine, year, monkeypatch):
    start, end = ranges(NOW)["whole_year"]
    with engine.connect() as conn:
        someone = conn.execute(sa.select(sa.func.min(lead_dispatch.c.consultant_id))).scalar_one()
        for group in (None, *GROUPS):
            for channel, consultant in ((None, None), ("douyin", None), (None, someone), ("walk_in", someone)):
                monkeypatch.setattr(metrics, "READ_PER_GROUP", 0)
                ranked = kpi(conn, start, end, NOW, group, channel, consultant)
                monkeypatch.setattr(metrics, "READ_PER_GROUP", 10**9)
                assert ranked == kpi(conn, start, end, NOW, group, channel, consultant)
                assert ranked and all(r.median_s is not None for r in ranked if r.answered)


def test_the_triggers_are_back_on_after_the_bulk_write(engine, year):
    with engine.begin() as conn:
        waiting = conn.execute(
            sa.select(lead_dispatch.c.lead_id, lead_dispatch.c.created_at, lead_dispatch.c.business_day)
            .where(lead_dispatch.c.first_response_us.is_(None))
            .limit(1)
        ).first()
        overall = sa.select(kpi_days.c.answered).where(kpi_days.c.consultant_id == -1, kpi_days.c.channel == "*")
        overall = overall.where(kpi_days.c.mode == "*", kpi_days.c.business_day == waiting.business_day)
        before = conn.execute(overall).scalar_one()
        conn.execute(
            lead_dispatch.update()
            .where(lead_dispatch.c.lead_id == waiting.lead_id)
            .values(first_follow_up_at=waiting.created_at)
        )
        assert conn.execute(overall).scalar_one() == before + 1
