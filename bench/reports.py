"""`python -m bench reports`: every aggregate the manager dashboard asks for, over a year of 1M leads.

A year of one busy sales floor (bench/reports_year.py: 1,000,000 leads, 100,000 with --quick) is written
into a fresh migrated SQLite file. Then one dashboard refresh is timed exactly as the hub answers
`kpi.report` (`sync.hub.kpi_commands._report`: KPI rows in total and by day, consultant, channel and
mode, the response histogram, alerts by level, the consultants' names; deals too, on empty deal tables:
no deals are generated) for the dashboard's default view (today and the 13 days before, no filter) and
for the whole year: the median of a few refreshes after a warm-up. Also timed: each of those queries
alone, and the drill-down of the last day (`_late`, what a click on a consultant's bar asks). The
refresh's totals are checked against the figures computed from the generated arrays themselves. The same
runs on PostgreSQL when SALESFLOOR_TEST_PG answers (its own scratch database, dropped afterwards; no
target).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bench.common import figure, fresh_sqlite, progress
from bench.reports_year import Year, add_people, expected, generate, rows, write
from models.clock import BUSINESS_TZ, FakeClock, business_time
from models.db import make_engine, upgrade
from models.metrics import alerts_by_level, kpi, response_histogram
from models.rules import load_rules

SIZES = {True: 100_000, False: 1_000_000}  # leads in the year
RUNS = {True: 3, False: 5}  # timed refreshes after one warm-up (the median is reported)
DEFAULT_VIEW_DAYS = 14  # views/dashboard.py: today and the 13 days before
TARGET_MS = 1000
NOW = datetime(2026, 11, 20, 22, 0, tzinfo=BUSINESS_TZ)  # the evening of the year's last day
PG_URL = os.environ.get("SALESFLOOR_TEST_PG", "postgresql+psycopg://salesfloor:salesfloor@localhost:5432/salesfloor")
COMPARED = ("leads", "answered", "within_5", "counted_5", "unanswered_late", "visits", "median_s", "p90_s")


def hub_view(engine: sa.Engine, now: datetime) -> SimpleNamespace:
    """What the hub's KPI commands read: its database and its clock."""
    return SimpleNamespace(registry=SimpleNamespace(engine=engine), clock=FakeClock(now))


def refresh(engine: sa.Engine, start: date, end: date, now: datetime) -> dict[str, Any]:
    """One dashboard refresh, exactly as the hub answers `kpi.report` (no channel or consultant filter)."""
    from sync.hub.kpi_commands import _report

    return _report(hub_view(engine, now), start, end, None, None)


def drill(engine: sa.Engine, day: date, now: datetime) -> dict[str, Any]:
    """The drill-down of a day's late leads, exactly as the hub answers `kpi.late`."""
    from sync.hub.kpi_commands import _late

    return _late(hub_view(engine, now), day, None)


def timed(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median milliseconds of `runs` calls after one untimed warm-up, and the last answer."""
    answer = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


def ranges(now: datetime) -> dict[str, tuple[date, date]]:
    """The dashboard's default view and the whole generated year."""
    last = business_time(now).date()
    return {
        "default_view": (last - timedelta(days=DEFAULT_VIEW_DAYS - 1), last),
        "whole_year": (last - timedelta(days=364), last),
    }


def mismatches(report: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Where a refresh's totals differ from the figures computed from the generated arrays."""
    total = report["total"] or {}
    out = [f"{k}: {total.get(k)} != {wanted[k]}" for k in COMPARED if total.get(k) != wanted[k]]
    duplicates = round((total.get("duplicate_rate") or 0) * (total.get("leads") or 0))
    if duplicates != wanted["duplicates"]:
        out.append(f"duplicates: {duplicates} != {wanted['duplicates']}")
    if sum(report["histogram"]["counts"]) != wanted["answered"]:
        out.append(f"histogram: {sum(report['histogram']['counts'])} != {wanted['answered']}")
    return out


def fill(engine: sa.Engine, n: int, now: datetime) -> tuple[Year, dict[str, Any]]:
    """Staff, then a year of n leads; what it took."""
    started = time.perf_counter()
    consultants, manager = add_people(engine, now)
    year = generate(n, now, load_rules().calendar, consultants)
    tables = rows(year, manager, now)
    built = time.perf_counter()
    backfill_s = write(engine, tables)
    return year, {
        "generate_s": round(built - started, 2),
        "write_s": round(time.perf_counter() - built, 2),
        "backfill_s": round(backfill_s, 2),
        "rows": sum(len(data) for _, data in tables.values()),
    }


def measure(engine: sa.Engine, year: Year, runs: int, parts: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, fields) of the refresh per range, its queries one by one when `parts`, and the drill-down."""
    for label, (start, end) in ranges(NOW).items():
        progress(f"reports: {engine.dialect.name}, {label} {start}..{end}, {runs} refreshes after a warm-up")
        ms, report = timed(lambda s=start, e=end: refresh(engine, s, e, NOW), runs)
        wrong = mismatches(report, expected(year, start, end, NOW))
        total = report["total"] or {}
        yield (
            "refresh",
            {
                "value": ms,
                "range": label,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "leads": total.get("leads"),
                "rate_5": total.get("rate_5"),
                "figures_match": not wrong,
                **({"mismatches": wrong} if wrong else {}),
            },
        )
        if parts:
            with engine.connect() as conn:
                calls = {
                    f"kpi_{g or 'total'}": (lambda c, g=g, s=start, e=end: kpi(c, s, e, NOW, g))
                    for g in (None, "day", "consultant", "channel", "mode")
                }
                calls["response_histogram"] = lambda c, s=start, e=end: response_histogram(c, s, e)
                calls["alerts_by_level"] = lambda c, s=start, e=end: alerts_by_level(c, s, e)
                for query, call in calls.items():
                    ms, _ = timed(lambda call=call: call(conn), runs)
                    yield "part", {"value": ms, "range": label, "query": query}
    last = business_time(NOW).date()
    ms, late = timed(lambda: drill(engine, last, NOW), runs)
    yield "drill", {"value": ms, "day": last.isoformat(), "late_leads": len(late["leads"])}


def lines(suffix: str, engine: sa.Engine, year: Year, runs: int, target: float | None) -> Iterator[dict[str, Any]]:
    """Result lines for one database: the refreshes (with the target on SQLite), parts, drill-down."""
    leads = len(year.received)
    for kind, f in measure(engine, year, runs, parts=target is not None):
        value = f.pop("value")
        if kind == "refresh":
            yield figure(
                f"dashboard_query_ms_1m{suffix}",
                value,
                "ms",
                target=target,
                higher_is_better=False,
                year_leads=leads,
                **f,
            )
            match = {k: f[k] for k in ("range", "mismatches") if k in f}
            yield figure(f"dashboard_figures_match{suffix}", f["figures_match"], "bool", target=True, **match)
        elif kind == "part":
            yield figure(f"dashboard_part_ms{suffix}", value, "ms", year_leads=leads, **f)
        else:
            yield figure(f"dashboard_drill_ms{suffix}", value, "ms", year_leads=leads, **f)


def run(quick: bool) -> Iterator[dict[str, Any]]:
    """A year of leads on SQLite (and on PostgreSQL when reachable); the dashboard's refreshes timed."""
    n, runs = SIZES[quick], RUNS[quick]
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        engine = fresh_sqlite(Path(tmp), "hub")
        progress(f"reports: writing a year of {n:,} leads into SQLite")
        year, made = fill(engine, n, NOW)
        yield figure("reports_year_written_s", made["generate_s"] + made["write_s"], "s", year_leads=n, **made)
        yield from lines("", engine, year, runs, TARGET_MS)
        engine.dispose()
    yield from postgresql(n, runs)


def postgresql(n: int, runs: int) -> Iterator[dict[str, Any]]:
    """The same on a scratch PostgreSQL database, when the server answers (no target)."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:
        progress(f"reports: PostgreSQL not reachable ({str(exc).splitlines()[0]}); SQLite only")
        admin.dispose()
        return
    name = f"sf_bench_reports_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        progress(f"reports: writing a year of {n:,} leads into PostgreSQL")
        year, made = fill(engine, n, NOW)
        yield figure(
            "reports_year_written_s_postgresql", made["generate_s"] + made["write_s"], "s", year_leads=n, **made
        )
        yield from lines("_postgresql", engine, year, runs, None)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
