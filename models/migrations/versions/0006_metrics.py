"""what keeps the dashboard aggregates fast

Each dispatched lead carries its KPI facts (business day, channel, visit, duplicate, first-response
time in microseconds) and `kpi_days` sums them per day at five levels (consultant x channel x mode, and
over everything / per consultant / per channel / per mode); triggers keep both current whatever writes
leads, customers or lead_dispatch. Existing rows are backfilled before the triggers are created.

Revision ID: 0006_metrics
Revises: 0005_transcripts
Create Date: 2026-11-26 10:55:00
"""

from itertools import pairwise

import sqlalchemy as sa
from alembic import op

revision = "0006_metrics"
down_revision = "0005_transcripts"
branch_labels = None
depends_on = None

# This revision's copy of the trigger text (models/hub_schema.py builds the same for the head schema;
# tests/test_metrics.py checks that a migrated database carries exactly what hub_schema builds).
RESPONSE_EDGES_MIN = (1, 2, 5, 10, 30, 60, 120)
RESPONSE_BUCKETS = (*(f"answered_{m}m" for m in RESPONSE_EDGES_MIN), "answered_later")
ALL_CONSULTANTS, ALL = -1, "*"
RANKS = {  # index -> its columns, answered leads only
    "ix_lead_dispatch_kpi_rank": ["first_response_us", "business_day", "channel", "consultant_id"],
    "ix_lead_dispatch_kpi_rank_day": ["business_day", "first_response_us", "channel", "consultant_id"],
    "ix_lead_dispatch_kpi_rank_consultant": ["consultant_id", "first_response_us", "business_day", "channel"],
    "ix_lead_dispatch_kpi_rank_channel": ["channel", "first_response_us", "business_day", "consultant_id"],
    "ix_lead_dispatch_kpi_rank_mode": ["mode", "first_response_us", "business_day", "channel", "consultant_id"],
}
TRIGGERS = {  # dialect -> trigger -> table
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
FUNCTIONS = ("kpi_lead_dispatch_facts", "kpi_days_track", "kpi_customer_first_lead", "kpi_lead_customer")


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


def upgrade() -> None:
    """Apply this revision."""
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("lead_dispatch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_day", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("visit", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("duplicate", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("first_response_us", sa.BigInteger(), nullable=True))
    op.create_table(
        "kpi_days",
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        *(
            sa.Column(name, sa.Integer(), server_default="0", nullable=False)
            for name in ("leads", "answered", "duplicates", "visits", *RESPONSE_BUCKETS)
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_kpi_days")),
    )
    for statement in kpi_backfill_sql(dialect):
        op.execute(statement)
    answered = sa.text("first_response_us IS NOT NULL")
    for name, columns in RANKS.items():
        op.create_index(name, "lead_dispatch", columns, sqlite_where=answered, postgresql_where=answered)
    op.create_index("ix_lead_dispatch_kpi_day", "lead_dispatch", ["business_day", "consultant_id", "first_response_us"])
    op.create_index(op.f("ix_alerts_opened_at_level"), "alerts", ["opened_at", "level"])
    for statement in kpi_trigger_ddl(dialect):
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    dialect = op.get_bind().dialect.name
    for name, table in TRIGGERS[dialect].items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if dialect == "sqlite" else f" ON {table}"))
    if dialect != "sqlite":
        for name in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index(op.f("ix_alerts_opened_at_level"), table_name="alerts")
    op.drop_index("ix_lead_dispatch_kpi_day", table_name="lead_dispatch")
    for name in RANKS:
        op.drop_index(name, table_name="lead_dispatch")
    op.drop_table("kpi_days")
    with op.batch_alter_table("lead_dispatch", schema=None) as batch_op:
        for column in ("first_response_us", "duplicate", "visit", "channel", "business_day"):
            batch_op.drop_column(column)
