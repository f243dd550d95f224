"""Deals: record a subscription (认购) or a signing (签约), and on signing split the commission pool.

Every write runs in one write transaction, appends its decision to the evidence chain (customer
scoped, so the customer's dispute pack shows it) and returns the deal as plain data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.attribution import Judgement
from models.audit import AuditEntry, AuditLog
from models.clock import Clock, SystemClock
from models.commission import CommissionSplit, split_commission
from models.db import write_transaction
from models.deal_checks import (
    DealError,
    check_consultant,
    check_stage,
    cycle_days,
    deal_amount,
    deal_time,
    normalise_unit,
    pool_amount,
    stamp,
)
from models.deal_queries import DealDetail, DealSummary, SplitRow, deal_detail, list_deals
from models.deal_schema import commission_lines, commission_pools, deals
from models.lookup import customers_absorbed_into, load_touches, resolve_customer_id
from models.rules import ProjectRules

__all__ = ["DealBook", "DealDetail", "DealError", "DealIn", "DealSummary", "SplitRow", "deal_detail", "list_deals"]


@dataclass(frozen=True)
class DealIn:
    """A subscription or signing as entered (amounts as Decimal or decimal strings)."""

    customer_id: int
    unit: str
    amount: Any
    at: datetime
    stage: str  # "subscription" | "signing"
    consultant_name: str
    consultant_id: int | None = None
    pool: Any = None  # signing only: the commission pool, else the rules' pool rate × the amount


def _judgement_json(v: Judgement) -> dict[str, Any]:
    return {
        "owner": v.owner,
        "channel": v.channel.value if v.channel else None,
        "agency_id": v.agency_id,
        "agency_name": v.agency_name,
        "broker_id": v.broker_id,
        "broker_name": v.broker_name,
        "protected_until": v.protected_until.isoformat() if v.protected_until else None,
        "reasons": [{**r.as_dict(), "text_en": r.text("en")} for r in v.reasons],
    }


def _line_rows(pool_id: int, split: CommissionSplit) -> list[dict[str, Any]]:
    return [
        {
            "pool_id": pool_id,
            "position": i,
            "party_kind": line.party.kind,
            "channel": line.party.channel.value if line.party.channel else None,
            "agency_id": line.party.agency_id,
            "broker_id": line.party.broker_id,
            "consultant_id": line.party.consultant_id,
            "party_name": line.party.label(),
            "weight": line.weight,
            "eligible": line.eligible,
            "amount": line.amount,
            "reasons": [{**r.as_dict(), "text_en": r.text("en")} for r in line.reasons],
        }
        for i, line in enumerate(split.lines)
    ]


class DealBook:
    """Records deals and their commission splits against one database, rules file and clock."""

    def __init__(self, engine: Engine, audit: AuditLog, rules: ProjectRules, clock: Clock | None = None):
        """Bind to a database, the evidence chain, the project rules and a clock."""
        self.engine = engine
        self.audit = audit
        self.rules = rules
        self.clock = clock or SystemClock()

    def record(self, entry: DealIn, actor: str) -> DealDetail:
        """Record a subscription or a signing in its own write transaction."""
        with write_transaction(self.engine) as conn:
            deal_id = self.record_in(conn, entry, actor)
            return deal_detail(conn, deal_id)

    def record_in(self, conn: Connection, entry: DealIn, actor: str) -> int:
        """Record inside the caller's write transaction; returns the deal id (DealError if refused)."""
        now = self.clock.now()
        stage = check_stage(entry.stage)
        unit = normalise_unit(entry.unit)
        amount = deal_amount(entry.amount, "subscription amount" if stage == "subscription" else "signed amount")
        consultant = check_consultant(entry.consultant_name)
        at = deal_time(entry.at, "subscription time" if stage == "subscription" else "signing time", now)
        try:
            customer_id = resolve_customer_id(conn, int(entry.customer_id))
        except (LookupError, TypeError, ValueError):
            raise DealError(f"customer #{entry.customer_id} does not exist") from None
        touches = load_touches(conn, [customer_id]).get(customer_id, [])
        if not touches:
            raise DealError(f"customer #{customer_id} has no touches: nothing to attribute the deal to")
        first = min(t.occurred_at for t in touches)
        if at < first:
            raise DealError(f"{stage} {stamp(at)} is before the customer's first contact {stamp(first)}")
        existing = conn.execute(sa.select(deals).where(deals.c.unit == unit)).first()
        if existing is not None and resolve_customer_id(conn, existing.customer_id) != customer_id:
            raise DealError(f"unit {unit} already has deal #{existing.id} with customer #{existing.customer_id}")
        if stage == "subscription":
            if existing is not None:
                raise DealError(f"unit {unit} already has deal #{existing.id} ({existing.state}); record its signing")
            values = {"subscribed_at": at, "subscription_amount": amount, "state": "subscribed"}
            deal_id = conn.execute(
                deals.insert().values(
                    customer_id=customer_id,
                    unit=unit,
                    consultant_id=entry.consultant_id,
                    consultant_name=consultant,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            ).inserted_primary_key[0]
            payload = {"deal_id": deal_id, "unit": unit, "amount": str(amount), "at": at.isoformat()}
            self.audit.append(conn, [AuditEntry("deal_subscribed", actor, customer_id, payload)], now)
            return deal_id
        if existing is not None and existing.state == "signed":
            raise DealError(f"deal #{existing.id} (unit {unit}) was already signed on {stamp(existing.signed_at)}")
        if existing is not None and at < existing.subscribed_at:
            raise DealError(f"signing {stamp(at)} is before the subscription {stamp(existing.subscribed_at)}")
        pool, rate = pool_amount(entry.pool, amount, self.rules.commission.pool_rate)
        subscriptions = [
            r.subscribed_at
            for r in conn.execute(
                sa.select(deals.c.subscribed_at).where(  # the person's, whichever merged record they were on
                    deals.c.customer_id.in_(sorted(customers_absorbed_into(conn, customer_id))),
                    deals.c.subscribed_at.is_not(None),
                )
            )
        ]
        split = split_commission(
            pool, touches, self.rules.protection, at, (entry.consultant_id, consultant), subscriptions
        )
        signed = {
            "customer_id": customer_id,  # a subscription made before a merge signs on the surviving customer
            "state": "signed",
            "signed_at": at,
            "signed_amount": amount,
            "first_touch_at": first,
            "cycle_days": cycle_days(first, at),
            "consultant_id": entry.consultant_id,
            "consultant_name": consultant,
            "updated_at": now,
        }
        if existing is None:
            deal_id = conn.execute(
                deals.insert().values(unit=unit, created_by=actor, created_at=now, **signed)
            ).inserted_primary_key[0]
        else:
            deal_id = existing.id
            conn.execute(deals.update().where(deals.c.id == deal_id).values(**signed))
        pool_id = conn.execute(
            commission_pools.insert().values(
                deal_id=deal_id,
                amount=pool,
                rate=rate,
                split_at=at,
                judgement=_judgement_json(split.judgement),
                protection=asdict(self.rules.protection),
                created_at=now,
            )
        ).inserted_primary_key[0]
        rows = _line_rows(pool_id, split)
        conn.execute(commission_lines.insert(), rows)
        evidence = [
            AuditEntry(
                "deal_signed",
                actor,
                customer_id,
                {
                    "deal_id": deal_id,
                    "unit": unit,
                    "amount": str(amount),
                    "at": at.isoformat(),
                    "cycle_days": signed["cycle_days"],
                },
            ),
            AuditEntry(
                "commission_split",
                actor,
                customer_id,
                {
                    "deal_id": deal_id,
                    "pool": str(pool),
                    "rate": str(rate) if rate is not None else None,
                    "split_at": at.isoformat(),
                    "judgement": _judgement_json(split.judgement),
                    "lines": [
                        {
                            "party": r["party_name"],
                            "kind": r["party_kind"],
                            "agency_id": r["agency_id"],
                            "weight": str(r["weight"]),
                            "amount": str(r["amount"]),
                            "reasons": [x["text"] for x in r["reasons"]],
                        }
                        for r in rows
                    ],
                },
            ),
        ]
        seq = self.audit.append(conn, evidence, now)
        conn.execute(commission_pools.update().where(commission_pools.c.id == pool_id).values(audit_seq=seq))
        return deal_id
