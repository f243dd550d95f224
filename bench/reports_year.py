"""A year of one busy sales floor, generated with numpy and written straight into a migrated database.

Leads at about 2,700 a day (1M a year; weekends and holidays busier, Spring Festival quiet, business
hours and evenings), channels in the office's shares (agency 报备 not dispatched), 12-30 consultants on
duty with their own response habits: most leads answered within minutes, some late, some very late,
some never, a few follow-ups logged offline and synced later (the hub knows them only once synced).
Returning customers, customers merged afterwards, assignments, follow-ups and alerts. Rows go in with
the driver's `executemany` (SQLite) or `COPY` (PostgreSQL) and the KPI triggers off; the leads' KPI
facts and `kpi_days` are then computed set-wise, exactly as migration 0006 does on an existing database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from bench.common import bench_vault
from models.clock import BUSINESS_TZ, business_time
from models.db import write_transaction
from models.dispatch import OfficeCalendar
from models.hub_schema import KPI_TRIGGERS, kpi_backfill_sql, kpi_trigger_ddl
from models.staff import add_staff

DAYS = 365
CONSULTANTS = 30
CHANNELS = ("douyin", "xiaohongshu", "anjuke", "mini_program", "agency", "walk_in")
CHANNEL_SHARE = (0.30, 0.15, 0.15, 0.15, 0.15, 0.10)
REPORT_SHARE = 0.30  # of agency leads: 报备 only (not dispatched); the rest are accompanied visits
RETURNING = 0.18  # leads of a customer already known
MERGED = 0.01  # customers found afterwards to be another customer, and merged into them
ALERT_PER_LEADS = 25
VISIT_KINDS = ("walk_in", "accompanied_visit")
# Leads per business hour (Asia/Shanghai): online leads into the evening, walk-ins in opening hours.
ONLINE_HOURS = np.array(
    [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 3, 4.5, 5, 3.5, 4, 4.5, 4.5, 4, 3.5, 3, 3.5, 4, 3.5, 2.5, 1.2]
)
WALK_IN_HOURS = np.array([0] * 9 + [3, 5, 5, 2, 3, 5, 5, 4, 3, 1.5] + [0] * 5, dtype=float)


# --- the year ---------------------------------------------------------------------------------------


@dataclass
class Year:
    """A year of leads as column arrays (index i is lead id i + 1), with their customers and first responses."""

    received: np.ndarray  # datetime64[us], UTC
    channel: np.ndarray  # index into CHANNELS
    kind: np.ndarray  # str
    customer: np.ndarray  # customer id per lead
    dispatched: np.ndarray  # bool
    consultant: np.ndarray  # staff id, 0 for "the manager's"
    mode: np.ndarray  # str
    answered_at: np.ndarray  # datetime64[us], NaT when unanswered at `now`
    logged_at: np.ndarray  # when the first follow-up reached the hub
    first_lead: dict[int, int]  # customer id -> first lead index
    merged_into: dict[int, int]  # absorbed customer id -> survivor


def _day_weights(days: list[date], calendar: OfficeCalendar) -> np.ndarray:
    """More leads at weekends and holidays, fewer over Spring Festival, a gentle seasonal swing."""
    w = np.ones(len(days))
    for i, d in enumerate(days):
        if d.isoweekday() >= 6 or d in calendar.holidays:
            w[i] = 1.7
        if (d.month, d.day) >= (10, 1) and (d.month, d.day) <= (10, 7):
            w[i] = 2.2  # the National Day "golden week" of the property market
        if date(d.year, 2, 14) <= d <= date(d.year, 2, 24):
            w[i] = 0.3
        w[i] *= 1 + 0.15 * np.sin(2 * np.pi * (d.timetuple().tm_yday - 80) / 365)
    return w


def _times_of_day(rng: np.random.Generator, n: int, walk_in: np.ndarray, until_s: float | None) -> np.ndarray:
    """Seconds after local midnight, from the channel's hourly profile (before `until_s` on the last day)."""
    out = np.empty(n)
    for mask, profile in ((~walk_in, ONLINE_HOURS), (walk_in, WALK_IN_HOURS)):
        p = profile.copy()
        if until_s is not None:
            p[int(until_s // 3600) :] = 0
        k = int(mask.sum())
        hours = rng.choice(24, size=k, p=p / p.sum())
        out[mask] = hours * 3600 + rng.uniform(0, 3600, size=k)
    return out if until_s is None else np.minimum(out, until_s - 1)


def generate(n: int, now: datetime, calendar: OfficeCalendar, staff_ids: list[int], seed: int = 2026) -> Year:
    """A year of the office's leads ending at `now`, with customers, dispatch and first responses."""
    rng = np.random.default_rng(seed)
    last = business_time(now).date()
    days = [last - timedelta(days=DAYS - 1 - k) for k in range(DAYS)]
    per_day = rng.multinomial(n, (w := _day_weights(days, calendar)) / w.sum())
    day_of = np.repeat(np.arange(DAYS), per_day)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
    walk_in = channel == CHANNELS.index("walk_in")
    seconds = np.empty(n)
    today = day_of == DAYS - 1
    now_local = business_time(now)
    seconds[~today] = _times_of_day(rng, int((~today).sum()), walk_in[~today], None)
    seconds[today] = _times_of_day(rng, int(today.sum()), walk_in[today], now_local.hour * 3600 + now_local.minute * 60)
    midnight = np.datetime64(datetime(days[0].year, days[0].month, days[0].day), "us") - np.timedelta64(8, "h")
    received = midnight + (day_of * 86400 + seconds).astype("timedelta64[s]").astype("timedelta64[us]")
    received += rng.integers(0, 1_000_000, size=n).astype("timedelta64[us]")
    order = np.argsort(received, kind="stable")
    received, channel, walk_in = received[order], channel[order], walk_in[order]
    agency = channel == CHANNELS.index("agency")
    report = agency & (rng.random(n) < REPORT_SHARE)
    kind = np.where(
        walk_in, "walk_in", np.where(agency, np.where(report, "report", "accompanied_visit"), "online_lead")
    )

    # customers: a returning lead belongs to the customer of an earlier lead (weeks back, typically)
    parent = np.arange(n)
    back = np.minimum(np.arange(n), 1 + rng.exponential(20 * n / DAYS, size=n).astype(np.int64))
    returning = (rng.random(n) < RETURNING) & (back > 0)
    parent[returning] = np.arange(n)[returning] - back[returning]
    root = parent.copy()
    while not np.array_equal(root, root[root]):
        root = root[root]
    firsts = np.flatnonzero(root == np.arange(n))
    customer_of_root = np.zeros(n, dtype=np.int64)
    customer_of_root[firsts] = np.arange(1, len(firsts) + 1)
    customer = customer_of_root[root]
    first_lead = {int(c): int(i) for c, i in zip(customer_of_root[firsts], firsts, strict=True)}
    # merged afterwards: the later customer of a pair is absorbed, its leads move to the survivor
    absorbed = rng.choice(np.arange(2, len(firsts) + 1), size=int(MERGED * len(firsts)), replace=False)
    survivors = np.array([rng.integers(1, a) for a in absorbed]) if len(absorbed) else np.array([], dtype=np.int64)
    merged_into = {int(a): int(s) for a, s in zip(absorbed, survivors, strict=True)}
    remap = np.arange(len(firsts) + 1)
    for a in sorted(merged_into):  # a survivor may itself be absorbed later: follow the chain
        remap[a] = remap[merged_into[a]]
    customer = remap[customer]

    # dispatch: the day's mode, 12-30 consultants on duty, a returning customer back to their consultant
    dispatched = kind != "report"
    weekend = np.array([calendar.mode(datetime(d.year, d.month, d.day, 12, tzinfo=BUSINESS_TZ)).value for d in days])
    lead_day = (((received - midnight).astype("timedelta64[s]").astype(np.int64)) // 86400).clip(0, DAYS - 1)
    mode = weekend[lead_day]
    staff = np.array(staff_ids)
    duty = np.array([CONSULTANTS if m == "grab" else int(rng.integers(12, 21)) for m in weekend])
    rota = np.array([rng.permutation(staff) for _ in days])  # the first duty[d] of row d are on duty that day
    consultant = rota[lead_day, (rng.random(n) * duty[lead_day]).astype(np.int64)]
    keep = returning & (rng.random(n) < 0.7)
    for i in np.flatnonzero(keep):
        consultant[i] = consultant[parent[i]]
    consultant[rng.random(n) < 0.005] = 0  # nobody on duty answered the fallback: the manager's

    # first responses: each consultant's habit, some late, some very late, some never
    habit = np.full(max(staff_ids) + 1, 400.0)  # index 0: the manager's leads, answered slowly
    habit[staff] = rng.uniform(45, 200, size=len(staff))
    typical = habit[consultant] * np.where(mode == "grab", 1.3, 1.0)
    response = typical * rng.lognormal(0, 0.7, size=n)
    u = rng.random(n)
    response[u < 0.08] = np.exp(rng.uniform(np.log(300), np.log(7200), size=int((u < 0.08).sum())))
    very = (u >= 0.08) & (u < 0.095)
    response[very] = np.exp(rng.uniform(np.log(7200), np.log(172800), size=int(very.sum())))
    response[(u >= 0.095) & (u < 0.12)] = np.nan  # never answered
    delay = np.where(rng.random(n) < 0.03, np.exp(rng.uniform(np.log(600), np.log(10800), size=n)), 0.0)
    answered_at = received + np.nan_to_num(response * 1e6, nan=0).astype("timedelta64[us]")
    logged_at = answered_at + (delay * 1e6).astype("timedelta64[us]")
    now64 = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "us")
    unanswered = np.isnan(response) | (logged_at > now64) | ~dispatched  # the hub knows only what has synced
    answered_at[unanswered] = np.datetime64("NaT")
    logged_at[unanswered] = np.datetime64("NaT")
    return Year(
        received, channel, kind, customer, dispatched, consultant, mode, answered_at, logged_at, first_lead, merged_into
    )


# --- writing it -------------------------------------------------------------------------------------


def add_people(engine: sa.Engine, now: datetime) -> tuple[list[int], int]:
    """The consultants and a manager (the manager answers the leads nobody on duty took)."""
    vault = bench_vault()
    with write_transaction(engine) as conn:
        ids = [add_staff(conn, vault, f"顾问{i:02d}", "consultant", now)[0].id for i in range(CONSULTANTS)]
        manager = add_staff(conn, vault, "张经理", "manager", now)[0].id
    return ids, manager


def _stamps(values: np.ndarray) -> list[str | None]:
    """Stored UTC text (SQLAlchemy's SQLite format, which PostgreSQL's COPY reads too); NaT as None."""
    text = np.char.replace(np.datetime_as_string(values, unit="us"), "T", " ")
    out = text.tolist()
    for i in np.flatnonzero(np.isnat(values)):
        out[i] = None
    return out


def rows(year: Year, manager: int, now: datetime, seed: int = 7) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows for the year, lead ids starting at 1."""
    rng = np.random.default_rng(seed)
    n = len(year.received)
    ids = np.arange(1, n + 1)
    received = _stamps(year.received)
    occurred = _stamps(year.received - rng.integers(5, 600, size=n).astype("timedelta64[s]"))
    channel = [CHANNELS[c] for c in year.channel.tolist()]
    blob = bench_vault().encrypt("{}", "bench")  # never read by the dashboard: one opaque payload for all
    leads = [
        (
            i,
            channel[k],
            f"r{i}",
            int(year.customer[k]),
            channel[k],
            year.kind[k],
            occurred[k],
            received[k],
            "王*",
            blob,
            f"d{i}",
        )
        for k, i in enumerate(ids.tolist())
    ]
    customers = []
    merged_into = year.merged_into
    for c, k in year.first_lead.items():
        status, into = ("merged", merged_into[c]) if c in merged_into else ("active", None)
        customers.append((c, status, into, "王*", k + 1, channel[k], occurred[k], received[k], received[k]))
    d = np.flatnonzero(year.dispatched)
    assigned = _stamps(year.received[d] + rng.integers(2, 40, size=len(d)).astype("timedelta64[s]"))
    answered = _stamps(year.answered_at[d])
    person = year.consultant[d].tolist()
    dispatch, assignments = [], []
    for j, k in enumerate(d.tolist()):
        who = person[j] or None
        state = "assigned" if who else "manager"
        dispatch.append((k + 1, state, year.mode[k], who, received[k], assigned[j], answered[j], "空闲最久，自动派单"))
        how = "manager" if who is None else ("grab" if year.mode[k] == "grab" else "auto")
        assignments.append((k + 1, who, how, "[]", "hub", assigned[j]))
    # follow-ups: the first of each answered lead (some logged offline and synced later), a third get another
    a = d[~np.isnat(year.answered_at[d])]
    staff = np.where(year.consultant[a] == 0, manager, year.consultant[a]).tolist()
    kinds = np.array(["call", "wechat", "visit", "note"])
    first_kind = rng.choice(kinds, size=len(a), p=(0.55, 0.3, 0.05, 0.1)).tolist()
    first_at, first_logged = _stamps(year.answered_at[a]), _stamps(year.logged_at[a])
    follow = [
        (int(k) + 1, int(year.customer[k]), s, fk, o, lg)
        for k, s, fk, o, lg in zip(a.tolist(), staff, first_kind, first_at, first_logged, strict=True)
    ]
    later = year.answered_at[a] + np.exp(rng.uniform(np.log(3600), np.log(3 * 86400), size=len(a))).astype(
        "timedelta64[s]"
    )
    now64 = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "us")
    more = np.flatnonzero((rng.random(len(a)) < 0.33) & (later <= now64))
    more_at = _stamps(later[more])
    more_kind = rng.choice(kinds, size=len(more), p=(0.4, 0.4, 0.15, 0.05)).tolist()
    follow += [
        (int(a[m]) + 1, int(year.customer[a[m]]), staff[m], mk, at, at)
        for m, mk, at in zip(more.tolist(), more_kind, more_at, strict=True)
    ]
    # alerts: one per ALERT_PER_LEADS leads, opened after a lead, mostly resolved by now
    pick = np.sort(rng.choice(d, size=len(d) // ALERT_PER_LEADS, replace=False)) if len(d) else d
    levels = rng.choice(np.array(["red", "yellow", "blue"]), size=len(pick), p=(0.25, 0.5, 0.25)).tolist()
    rule = {"red": "no_follow_up", "yellow": "price_dwell", "blue": "favourite_plan"}
    opened_at = year.received[pick] + rng.integers(600, 3 * 86400, size=len(pick)).astype("timedelta64[s]")
    opened_at = np.minimum(opened_at, now64)
    opened = _stamps(opened_at)
    young = (now64 - opened_at) < np.timedelta64(1, "D")
    alerts = [
        (int(year.customer[k]), int(year.consultant[k]) or None, rule[lv], lv, "open" if y else "resolved", o, o, "{}")
        for k, lv, o, y in zip(pick.tolist(), levels, opened, young.tolist(), strict=True)
    ]
    return {
        "customers": (
            [
                "id",
                "status",
                "merged_into",
                "name_masked",
                "first_lead_id",
                "first_channel",
                "first_contact_at",
                "created_at",
                "updated_at",
            ],
            customers,
        ),
        "leads": (
            [
                "id",
                "source",
                "source_message_id",
                "customer_id",
                "channel",
                "kind",
                "occurred_at",
                "received_at",
                "name_masked",
                "payload_enc",
                "payload_digest",
            ],
            leads,
        ),
        "lead_dispatch": (
            ["lead_id", "state", "mode", "consultant_id", "created_at", "assigned_at", "first_follow_up_at", "reason"],
            dispatch,
        ),
        "assignments": (["lead_id", "consultant_id", "how", "reason", "actor", "at"], assignments),
        "follow_ups": (["lead_id", "customer_id", "staff_id", "kind", "occurred_at", "logged_at"], follow),
        "alerts": (["customer_id", "owner_id", "rule", "level", "state", "since", "opened_at", "evidence"], alerts),
    }


def write(engine: sa.Engine, tables: dict[str, tuple[list[str], list[tuple]]]) -> float:
    """Bulk-insert the rows (`executemany` on SQLite, `COPY` on PostgreSQL) with the KPI triggers off, then
    compute the leads' facts and kpi_days set-wise exactly as migration 0006 does on an existing database,
    and turn the triggers back on. Returns the seconds that backfill took."""
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if dialect == "sqlite":
            cur.execute("BEGIN")
            for name in KPI_TRIGGERS["sqlite"]:
                cur.execute(f"DROP TRIGGER {name}")
            for table, (columns, data) in tables.items():
                marks = ", ".join("?" * len(columns))
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", data)
        else:
            for table in {t for t in KPI_TRIGGERS["postgresql"].values()}:
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for table, (columns, data) in tables.items():
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            for table in ("customers", "leads"):  # they took their ids explicitly: move the sequences on
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        started = time.perf_counter()
        for statement in kpi_backfill_sql(dialect):
            cur.execute(statement)
        backfill_s = time.perf_counter() - started
        if dialect == "sqlite":
            for statement in kpi_trigger_ddl("sqlite"):
                cur.execute(statement)
            cur.execute("COMMIT")
        else:
            for table in {t for t in KPI_TRIGGERS["postgresql"].values()}:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            raw.commit()
    finally:
        raw.close()
    if dialect != "sqlite":
        # what autovacuum does after a bulk load: statistics, and the visibility map index-only scans need
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return backfill_s


# --- what the dashboard must find ---------------------------------------------------------------------


def expected(year: Year, start: date, end: date, now: datetime) -> dict[str, Any]:
    """The range's overall figures computed from the generated arrays, never from the database."""
    local = (year.received + np.timedelta64(8, "h")).astype("datetime64[D]")
    counted = year.dispatched & (local >= np.datetime64(start)) & (local <= np.datetime64(end))
    answered = counted & ~np.isnat(year.answered_at)
    waiting = counted & np.isnat(year.answered_at)
    now64 = np.datetime64(now.astimezone(UTC).replace(tzinfo=None), "us")
    young = waiting & (year.received >= now64 - np.timedelta64(300, "s"))
    response = np.sort((year.answered_at[answered] - year.received[answered]).astype(np.int64))
    first = np.zeros(max(year.first_lead) + 1, dtype=np.int64)
    first[list(year.first_lead)] = list(year.first_lead.values())
    duplicate = first[year.customer] != np.arange(len(year.customer))
    n = len(response)
    median = (response[(n - 1) // 2] + response[n // 2]) / 2 / 1e6 if n else None
    return {
        "leads": int(counted.sum()),
        "answered": int(answered.sum()),
        "within_5": int((response <= 300_000_000).sum()),
        "counted_5": int(answered.sum() + waiting.sum() - young.sum()),
        "unanswered_late": int(waiting.sum() - young.sum()),
        "duplicates": int((counted & duplicate).sum()),
        "visits": int((counted & np.isin(year.kind, VISIT_KINDS)).sum()),
        "median_s": round(median, 3) if n else None,
        "p90_s": round(response[int(0.9 * (n - 1))] / 1e6, 3) if n else None,
    }
