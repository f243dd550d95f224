"""The demo office's running totals: customers, merges, dispatch, answers and today's 5-minute rate."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.clock import business_time
from models.hub_schema import lead_dispatch
from models.metrics import kpi
from models.schema import customers, leads


def office_figures(conn: Connection, now: datetime) -> dict:
    """Counts over the whole database and today's 5-minute rate (the KPI's own definition)."""
    n_leads = conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one()
    live = conn.execute(
        sa.select(sa.func.count()).select_from(customers).where(customers.c.merged_into.is_(None))
    ).scalar_one()
    with_leads = conn.execute(sa.select(sa.func.count(sa.distinct(leads.c.customer_id)))).scalar_one()
    dispatched = conn.execute(
        sa.select(sa.func.count()).select_from(lead_dispatch).where(lead_dispatch.c.consultant_id.is_not(None))
    ).scalar_one()
    answered = conn.execute(
        sa.select(sa.func.count()).select_from(lead_dispatch).where(lead_dispatch.c.first_follow_up_at.is_not(None))
    ).scalar_one()
    today = business_time(now).date()
    rows = kpi(conn, today, today, now)
    return {
        "leads": n_leads,
        "customers": live,
        "merged": n_leads - with_leads,
        "dispatched": dispatched,
        "answered": answered,
        "rate_5": rows[0].rate_5 if rows else None,
    }


def assigned_to(engine: Engine, lead_id: int) -> int | None:
    """The consultant a lead went to (None while offered or with the manager)."""
    with engine.connect() as conn:
        q = sa.select(lead_dispatch.c.consultant_id).where(lead_dispatch.c.lead_id == lead_id)
        return conn.execute(q).scalar()
