"""The hub's tables: staff and credentials, the event stream, client mutations, dispatch, follow-ups.

They share `models.schema.metadata`, so Alembic and the schema-equality test see one schema.
"""

from __future__ import annotations

from itertools import pairwise

import sqlalchemy as sa

from models.schema import UTCDateTime, metadata

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(24), nullable=False),
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False, server_default="off"),
    sa.Column("status_at", UTCDateTime, nullable=True),
    sa.Column("mobile_enc", sa.LargeBinary, nullable=True),
    sa.Column("mobile_masked", sa.String(32), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "role"),
)

staff_credentials = sa.Table(
    "staff_credentials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # "enrollment" | "token"
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("label", sa.String(64), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("used_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Index(None, "staff_id"),
    sa.Index(None, "revoked_at"),
)

hub_events = sa.Table(
    "hub_events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("lead_id", sa.Integer, nullable=True),
    sa.Column("staff_id", sa.Integer, nullable=True),
    sa.Column("agency_id", sa.Integer, nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
)

client_mutations = sa.Table(
    "client_mutations",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("mutation_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("type", sa.String(48), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
)

lead_dispatch = sa.Table(
    "lead_dispatch",
    metadata,
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), primary_key=True, autoincrement=False),
    sa.Column("state", sa.String(16), nullable=False),  # offered | assigned | manager
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("assigned_at", UTCDateTime, nullable=True),
    sa.Column("first_follow_up_at", UTCDateTime, nullable=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    # The lead's facts the KPI reads, kept by the database itself (the triggers below): its business
    # day and channel, whether it is a visit, whether it joined a customer it was not the first lead of,
    # and its first-response time in microseconds (first_follow_up_at - leads.received_at).
    sa.Column("business_day", sa.Date, nullable=True),
    sa.Column("channel", sa.String(32), nullable=True),
    sa.Column("visit", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("duplicate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("first_response_us", sa.BigInteger, nullable=True),
    sa.Index(None, "consultant_id"),
    sa.Index(None, "state"),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("consultant_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("how", sa.String(16), nullable=False),  # auto | returning | grab | fallback | manager | manual
    sa.Column("reason", sa.JSON, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index(None, "lead_id"),
    sa.Index(None, "consultant_id", "at"),
)

grab_rounds = sa.Table(
    "grab_rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("offered", sa.JSON, nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("deadline", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="open"),  # open | claimed | expired
    sa.Column("winner_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("closed_at", UTCDateTime, nullable=True),
    sa.Index(None, "status", "deadline"),
    sa.Index(None, "lead_id"),
)

follow_ups = sa.Table(
    "follow_ups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id"), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),  # call | wechat | visit | note
    sa.Column("note_enc", sa.LargeBinary, nullable=True),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("logged_at", UTCDateTime, nullable=False),
    sa.Index(None, "lead_id"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "staff_id", "occurred_at"),
)

behaviour_events = sa.Table(
    "behaviour_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("message_id", sa.String(128), nullable=False),
    sa.Column("customer_id", sa.Integer, nullable=True),
    sa.Column("match_key", sa.String(48), nullable=True),
    sa.Column("kind", sa.String(24), nullable=False),  # page_view | vr_view | favourite_plan
    sa.Column("page_path", sa.String(256), nullable=False, server_default=""),
    sa.Column("dwell_s", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unit_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("plan_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("source", "message_id"),
    sa.Index(None, "customer_id", "occurred_at"),
    sa.Index(None, "match_key"),
)

webhook_nonces = sa.Table(
    "webhook_nonces",
    metadata,
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("nonce", sa.String(64), primary_key=True),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.Index(None, "seen_at"),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("body_enc", sa.LargeBinary, nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index(None, "received_at"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, nullable=False),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("rule", sa.String(24), nullable=False),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="open"),  # open | acknowledged | resolved
    sa.Column("since", UTCDateTime, nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("suggestion", sa.Text, nullable=False, server_default=""),
    sa.Column("acknowledged_at", UTCDateTime, nullable=True),
    sa.Column("acknowledged_by", sa.String(64), nullable=True),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.Index(None, "customer_id", "rule", "state"),
    sa.Index(None, "state", "level"),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),  # wecom | email
    sa.Column("target", sa.String(64), nullable=False),  # robot name or mailbox
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(12), nullable=False, server_default="queued"),  # queued | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Index(None, "state", "next_attempt_at"),
)

# --- what keeps the dashboard fast on a year of leads (migration 0006) ---------------------------------
# Percentiles pick ranks from these indexes (answered leads only, ordered by response within a group);
# the day index serves one day's drill-down and the leads still waiting.
_d = lead_dispatch.c
_answered = _d.first_response_us.is_not(None)
KPI_RANK_INDEXES = {
    group: sa.Index(name, *columns, sqlite_where=_answered, postgresql_where=_answered)
    for group, name, columns in (
        (None, "ix_lead_dispatch_kpi_rank", (_d.first_response_us, _d.business_day, _d.channel, _d.consultant_id)),
        ("day", "ix_lead_dispatch_kpi_rank_day", (_d.business_day, _d.first_response_us, _d.channel, _d.consultant_id)),
        (
            "consultant",
            "ix_lead_dispatch_kpi_rank_consultant",
            (_d.consultant_id, _d.first_response_us, _d.business_day, _d.channel),
        ),
        (
            "channel",
            "ix_lead_dispatch_kpi_rank_channel",
            (_d.channel, _d.first_response_us, _d.business_day, _d.consultant_id),
        ),
        (
            "mode",
            "ix_lead_dispatch_kpi_rank_mode",
            (_d.mode, _d.first_response_us, _d.business_day, _d.channel, _d.consultant_id),
        ),
    )
}
sa.Index("ix_lead_dispatch_kpi_day", _d.business_day, _d.consultant_id, _d.first_response_us)
sa.Index(None, alerts.c.opened_at, alerts.c.level)

RESPONSE_EDGES_MIN = (1, 2, 5, 10, 30, 60, 120)  # first-response buckets: up to 1 min, over 1 up to 2, ...
RESPONSE_BUCKETS = (*(f"answered_{m}m" for m in RESPONSE_EDGES_MIN), "answered_later")
ALL_CONSULTANTS, ALL = -1, "*"  # kpi_days rows summed over every consultant / channel / mode

kpi_days = sa.Table(
    "kpi_days",
    metadata,
    # Sums of lead_dispatch's facts per business day, at five levels: per consultant (0: nobody, the
    # manager's queue), channel and mode; and per day over everything (-1, '*', '*'), per consultant
    # (c, '*', '*'), per channel (-1, ch, '*') and per mode (-1, '*', m). Kept by the triggers below.
    sa.Column("business_day", sa.Date, primary_key=True),
    sa.Column("consultant_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("mode", sa.String(12), primary_key=True),
    *(
        sa.Column(name, sa.Integer, nullable=False, server_default="0")
        for name in ("leads", "answered", "duplicates", "visits", *RESPONSE_BUCKETS)
    ),
)

# The trigger text. Migration 0006 carries its own copy; tests/test_metrics.py checks the two agree.
_KEY = ("business_day", "consultant_id", "channel", "mode")
_FACTS = ("business_day", "consultant_id", "channel", "mode", "visit", "duplicate", "first_response_us")
_VISITS = "('walk_in', 'accompanied_visit')"


def _figures(row: str) -> dict[str, str]:
    """What one lead_dispatch row (NEW, OLD or the table itself) adds to kpi_days, as SQL."""
    us = f"{row}.first_response_us"
    edges = [m * 60_000_000 for m in RESPONSE_EDGES_MIN]
    within = [f"{us} <= {edges[0]}"] + [f"{us} > {lo} AND {us} <= {hi}" for lo, hi in pairwise(edges)]
    out = {"leads": "1", "answered": f"CASE WHEN {us} IS NOT NULL THEN 1 ELSE 0 END"}
    out["duplicates"] = f"CASE WHEN {row}.duplicate THEN 1 ELSE 0 END"
    out["visits"] = f"CASE WHEN {row}.visit THEN 1 ELSE 0 END"
    for name, cond in zip(RESPONSE_BUCKETS, [*within, f"{us} > {edges[-1]}"], strict=True):
        out[name] = f"CASE WHEN {cond} THEN 1 ELSE 0 END"
    return out


def _levels(row: str) -> list[tuple[str, str, str]]:
    """The five kpi_days keys (consultant, channel, mode) one lead_dispatch row counts under."""
    c, ch, m = f"COALESCE({row}.consultant_id, 0)", f"{row}.channel", f"{row}.mode"
    a, s = str(ALL_CONSULTANTS), f"'{ALL}'"
    return [(c, ch, m), (a, s, s), (c, s, s), (a, ch, s), (a, s, m)]


def _rollup_sql(row: str, sign: str) -> list[str]:
    """Add (sign '+') or take away ('-') one lead_dispatch row's figures at its five levels of kpi_days."""
    figures = _figures(row)
    keys = " UNION ALL ".join(f"SELECT {c} AS consultant_id, {ch} AS channel, {m} AS mode" for c, ch, m in _levels(row))
    if sign == "-":
        sets = ", ".join(f"{name} = {name} - {expr}" for name, expr in figures.items())
        match = f"business_day = {row}.business_day AND (consultant_id, channel, mode) IN ({keys})"
        return [f"UPDATE kpi_days SET {sets} WHERE {match}", f"DELETE FROM kpi_days WHERE {match} AND leads = 0"]
    names = ", ".join((*_KEY, *figures))
    sets = ", ".join(f"{name} = kpi_days.{name} + excluded.{name}" for name in figures)
    return [
        f"INSERT INTO kpi_days ({names}) SELECT {row}.business_day, k.consultant_id, k.channel, k.mode,"
        f" {', '.join(figures.values())} FROM ({keys}) k WHERE {row}.business_day IS NOT NULL"
        f" ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {sets}"
    ]


def _sqlite_us(later: str, earlier: str) -> str:
    """Exact microseconds between two stored UTC texts (julianday itself keeps only milliseconds)."""
    clock = "(substr({t}, 12, 2) * 3600 + substr({t}, 15, 2) * 60 + substr({t}, 18, 2))"
    days = f"CAST(round((julianday(substr({later}, 1, 10)) - julianday(substr({earlier}, 1, 10))) * 86400) AS INTEGER)"
    return (
        f"(({days} + {clock.format(t=later)} - {clock.format(t=earlier)}) * 1000000"
        f" + (substr({later} || '.000000', 21, 6) - substr({earlier} || '.000000', 21, 6)))"
    )


def _sqlite_facts(lead_id: str, follow_up_at: str) -> str:
    """SET clauses computing a lead_dispatch row's facts from its lead and customer (SQLite)."""
    lead = f"FROM leads l WHERE l.id = {lead_id}"
    return (
        f"business_day = (SELECT date(substr(l.received_at, 1, 19), '+8 hours') {lead}),"
        f" channel = (SELECT l.channel {lead}), visit = COALESCE((SELECT l.kind IN {_VISITS} {lead}), 0),"
        " duplicate = COALESCE((SELECT c.first_lead_id <> l.id FROM leads l JOIN customers c ON c.id = l.customer_id"
        f" WHERE l.id = {lead_id}), 0),"
        f" first_response_us = (SELECT {_sqlite_us(follow_up_at, 'l.received_at')} {lead})"
    )


_PG_FACTS = (
    "(l.received_at + interval '8 hours')::date, l.channel, l.kind IN " + _VISITS + ","
    " COALESCE(c.first_lead_id <> l.id, false),"
    " (EXTRACT(EPOCH FROM ({at} - l.received_at)) * 1000000)::bigint"
)


def _for_each_row(head: str) -> str:
    """'name AFTER ... ON t [WHEN cond]' with FOR EACH ROW where both dialects want it (before WHEN)."""
    on, _, when = head.partition(" WHEN ")
    return f"{on} FOR EACH ROW WHEN {when}" if when else f"{on} FOR EACH ROW"


def _sqlite_triggers() -> list[str]:
    facts = (
        f"UPDATE lead_dispatch SET {_sqlite_facts('NEW.lead_id', 'NEW.first_follow_up_at')} WHERE lead_id = NEW.lead_id"
    )
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _FACTS)
    first = "COALESCE(NEW.first_lead_id <> lead_id, 0)"
    moved = "COALESCE((SELECT c.first_lead_id <> NEW.id FROM customers c WHERE c.id = NEW.customer_id), 0)"
    bodies = {
        "kpi_lead_dispatch_insert AFTER INSERT ON lead_dispatch": [*_rollup_sql("NEW", "+"), facts],
        "kpi_lead_dispatch_follow_up AFTER UPDATE OF first_follow_up_at ON lead_dispatch"
        " WHEN OLD.first_follow_up_at IS NOT NEW.first_follow_up_at": [facts],
        f"kpi_days_update AFTER UPDATE OF {', '.join(_FACTS)} ON lead_dispatch WHEN {changed}": [
            *_rollup_sql("OLD", "-"),
            *_rollup_sql("NEW", "+"),
        ],
        "kpi_days_delete AFTER DELETE ON lead_dispatch": _rollup_sql("OLD", "-"),
        "kpi_customer_first_lead AFTER UPDATE OF first_lead_id ON customers"
        " WHEN OLD.first_lead_id IS NOT NEW.first_lead_id": [
            f"UPDATE lead_dispatch SET duplicate = {first} WHERE lead_id IN"
            f" (SELECT id FROM leads WHERE customer_id = NEW.id) AND duplicate IS NOT {first}"
        ],
        "kpi_lead_customer AFTER UPDATE OF customer_id ON leads WHEN OLD.customer_id IS NOT NEW.customer_id": [
            f"UPDATE lead_dispatch SET duplicate = {moved} WHERE lead_id = NEW.id AND duplicate IS NOT {moved}"
        ],
    }
    return [f"CREATE TRIGGER {_for_each_row(head)} BEGIN {'; '.join(body)}; END" for head, body in bodies.items()]


def _postgresql_triggers() -> list[str]:
    functions = {
        "kpi_lead_dispatch_facts": (
            f"SELECT {_PG_FACTS.format(at='NEW.first_follow_up_at')}"
            " INTO NEW.business_day, NEW.channel, NEW.visit, NEW.duplicate, NEW.first_response_us"
            " FROM leads l LEFT JOIN customers c ON c.id = l.customer_id WHERE l.id = NEW.lead_id; RETURN NEW;"
        ),
        "kpi_days_track": (
            f"IF TG_OP <> 'INSERT' THEN {'; '.join(_rollup_sql('OLD', '-'))}; END IF;"
            f" IF TG_OP <> 'DELETE' THEN {_rollup_sql('NEW', '+')[0]}; END IF; RETURN NULL;"
        ),
        "kpi_customer_first_lead": (
            "UPDATE lead_dispatch d SET duplicate = COALESCE(NEW.first_lead_id <> d.lead_id, false) FROM leads l"
            " WHERE l.customer_id = NEW.id AND d.lead_id = l.id"
            " AND d.duplicate IS DISTINCT FROM COALESCE(NEW.first_lead_id <> d.lead_id, false); RETURN NULL;"
        ),
        "kpi_lead_customer": (
            "UPDATE lead_dispatch d SET duplicate = v.x FROM (SELECT COALESCE((SELECT c.first_lead_id <> NEW.id"
            " FROM customers c WHERE c.id = NEW.customer_id), false) AS x) v"
            " WHERE d.lead_id = NEW.id AND d.duplicate IS DISTINCT FROM v.x; RETURN NULL;"
        ),
    }
    old = ", ".join(f"OLD.{c}" for c in _FACTS)
    new = ", ".join(f"NEW.{c}" for c in _FACTS)
    triggers = {
        "kpi_lead_dispatch_facts BEFORE INSERT OR UPDATE OF first_follow_up_at ON lead_dispatch": "",
        "kpi_days_insert AFTER INSERT ON lead_dispatch": "kpi_days_track",
        f"kpi_days_update AFTER UPDATE ON lead_dispatch WHEN (({old}) IS DISTINCT FROM ({new}))": "kpi_days_track",
        "kpi_days_delete AFTER DELETE ON lead_dispatch": "kpi_days_track",
        "kpi_customer_first_lead AFTER UPDATE OF first_lead_id ON customers"
        " WHEN (OLD.first_lead_id IS DISTINCT FROM NEW.first_lead_id)": "",
        "kpi_lead_customer AFTER UPDATE OF customer_id ON leads"
        " WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)": "",
    }
    out = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
        for name, body in functions.items()
    ]
    for head, function in triggers.items():
        out.append(f"CREATE TRIGGER {_for_each_row(head)} EXECUTE FUNCTION {function or head.split()[0]}()")
    return out


def kpi_trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the triggers that keep lead_dispatch's facts and kpi_days current."""
    return _sqlite_triggers() if dialect == "sqlite" else _postgresql_triggers()


def kpi_backfill_sql(dialect: str) -> list[str]:
    """Statements computing every dispatched lead's facts, then kpi_days afresh (triggers off, table empty)."""
    if dialect == "sqlite":
        facts = f"UPDATE lead_dispatch SET {_sqlite_facts('lead_dispatch.lead_id', 'lead_dispatch.first_follow_up_at')}"
    else:
        facts = (
            "UPDATE lead_dispatch d SET (business_day, channel, visit, duplicate, first_response_us) ="
            f" (SELECT {_PG_FACTS.format(at='d.first_follow_up_at')}"
            " FROM leads l LEFT JOIN customers c ON c.id = l.customer_id WHERE l.id = d.lead_id)"
        )
    figures = _figures("lead_dispatch")
    sums = ", ".join(f"SUM({expr})" for expr in figures.values())
    out = [facts]
    for c, ch, m in _levels("lead_dispatch"):
        group = ", ".join(e for e in ("business_day", c, ch, m) if not e.startswith(("'", "-")))
        out.append(
            f"INSERT INTO kpi_days ({', '.join((*_KEY, *figures))}) SELECT business_day, {c}, {ch}, {m}, {sums}"
            f" FROM lead_dispatch WHERE business_day IS NOT NULL GROUP BY {group}"
        )
    return out


KPI_TRIGGERS = {  # trigger -> its table; on PostgreSQL each runs the function of its name (kpi_days_*: kpi_days_track)
    "sqlite": {
        "kpi_lead_dispatch_insert": "lead_dispatch",
        "kpi_lead_dispatch_follow_up": "lead_dispatch",
        "kpi_days_update": "lead_dispatch",
        "kpi_days_delete": "lead_dispatch",
        "kpi_customer_first_lead": "customers",
        "kpi_lead_customer": "leads",
    },
    "postgresql": {
        "kpi_lead_dispatch_facts": "lead_dispatch",
        "kpi_days_insert": "lead_dispatch",
        "kpi_days_update": "lead_dispatch",
        "kpi_days_delete": "lead_dispatch",
        "kpi_customer_first_lead": "customers",
        "kpi_lead_customer": "leads",
    },
}

for _dialect in ("sqlite", "postgresql"):  # create_all builds what migration 0006 builds
    for _statement in kpi_trigger_ddl(_dialect):
        sa.event.listen(metadata, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))
