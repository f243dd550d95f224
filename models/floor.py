"""The sales floor's write operations: take leads in and dispatch them, claims, fallbacks, follow-ups.

Every operation is one transaction that writes the change, its audit row and its events together,
and returns a `FloorChange` (the events to broadcast). The policy itself is `models.dispatch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.attribution import judge
from models.audit import AuditEntry
from models.clock import Clock, to_utc
from models.db import write_transaction
from models.dispatch import Decision, DispatchMode, GrabOffer, Route, after_unclaimed, route_lead
from models.events import PendingEvent, append_events
from models.floor_people import PeopleOps
from models.floor_result import FloorChange, FloorError, remember
from models.floor_state import consultant_states, customer_owner, lead_cards, staff_names
from models.hub_schema import assignments, grab_rounds, lead_dispatch, staff
from models.leads import LeadIn, TouchKind
from models.messages import Reason
from models.mutations import MutationKey
from models.recording import load_touches
from models.registry import CustomerRegistry
from models.staff import StaffMember


@dataclass
class ClaimOutcome:
    """The answer to a grab-pool claim."""

    won: bool
    winner_id: int | None
    winner_name: str
    change: FloorChange


class Floor(PeopleOps):
    """Dispatch and follow-up operations over the customer registry's database."""

    def __init__(self, registry: CustomerRegistry, clock: Clock | None = None):
        """Share the registry's engine, vault, rules and clock."""
        self.registry = registry
        self.engine = registry.engine
        self.vault = registry.vault
        self.rules = registry.rules
        self.clock = clock or registry.clock

    # --- leads in -----------------------------------------------------------------------------------

    def intake(self, batch: list[LeadIn], actor: str, mutation: MutationKey | None = None) -> FloorChange:
        """Ingest leads through the customer core and dispatch each new one, in one transaction."""
        try:
            return self._intake(batch, actor, mutation)
        except BaseException:
            self.registry.forget_cached_ids()
            raise

    def _intake(self, batch: list[LeadIn], actor: str, mutation: MutationKey | None) -> FloorChange:
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            ingest = self.registry.ingest_in(conn, batch, actor)
            change = FloorChange(ingest=ingest)
            fresh = [r for r in ingest.results if not r.replayed and not r.conflict]
            cards = lead_cards(conn, [r.lead_id for r in fresh])
            pending: list[PendingEvent] = []
            for survivor, absorbed in ingest.merged:
                pending.append(
                    PendingEvent("customer.merged", {"survivor": survivor, "absorbed": absorbed}, customer_id=survivor)
                )
            for r in fresh:
                card = {
                    **cards[r.lead_id],
                    "explanation": r.explanation.text(),
                    "merged": r.explanation.code != "new_customer",
                }
                card["problems"] = [{"kind": k, "masked": m, "reason": why} for k, m, why in r.problems]
                if mutation is not None:  # the desk that registered it can swap its placeholder at once
                    card["origin"] = {"client_id": mutation.client_id, "mutation_id": mutation.mutation_id}
                pending.append(
                    PendingEvent("lead.created", card, r.customer_id, r.lead_id, agency_id=card["agency_id"])
                )
                if card["kind"] != TouchKind.REPORT.value:
                    pending += self._dispatch_new(conn, card, now, actor)
            change.events = append_events(conn, pending, now)
            change.result = {
                "leads": [
                    {
                        "lead_id": r.lead_id,
                        "customer_id": r.customer_id,
                        "replayed": r.replayed,
                        "explanation": r.explanation.text(),
                        "problems": [{"kind": k, "masked": m, "reason": why} for k, m, why in r.problems],
                        "conflict": r.conflict,
                    }
                    for r in ingest.results
                ]
            }
            # a desk mutation carries one lead: its answer (and every replay of it) is that lead's result
            remember(conn, mutation, change.result["leads"][0] if change.result["leads"] else {}, now)
            return change

    def _dispatch_new(self, conn: Connection, card: dict, now: datetime, actor: str) -> list[PendingEvent]:
        """Route one new lead: its customer's owner, an idle consultant, or a grab round."""
        consultants = consultant_states(conn)
        owner_id = customer_owner(conn, card["customer_id"], exclude_lead=card["lead_id"])
        owner = next((c for c in consultants if c.staff_id == owner_id), None)
        note = None
        if card["kind"] == TouchKind.ACCOMPANIED_VISIT.value:
            touches = load_touches(conn, [card["customer_id"]]).get(card["customer_id"], [])
            verdict = judge(touches, self.rules.protection, now)
            note = Reason("dispatch_judged", {"text": verdict.text()})
        route = route_lead(consultants, now, self.rules.dispatch, self.rules.calendar, owner, note)
        how = "returning" if owner is not None and route.decision and route.decision.staff_id == owner_id else None
        conn.execute(
            lead_dispatch.insert().values(
                lead_id=card["lead_id"], state="new", mode=route.mode.value, created_at=now, reason=""
            )
        )
        return self._apply_route(conn, card, route, how, now, actor)

    def _apply_route(
        self, conn: Connection, card: dict, route: Route, how: str | None, now: datetime, actor: str
    ) -> list[PendingEvent]:
        if route.offer is not None:
            return self._open_round(conn, card, route.offer, 1, now, actor)
        assert route.decision is not None
        if how is None:
            how = "auto" if route.mode is DispatchMode.AUTO else "manager"
        if route.decision.staff_id is None:
            how = "manager"
        return self._assign(conn, card, route.decision, how, now, actor, notes=route.notes)

    def _open_round(
        self, conn: Connection, card: dict, offer: GrabOffer, attempt: int, now: datetime, actor: str
    ) -> list[PendingEvent]:
        round_id = conn.execute(
            grab_rounds.insert().values(
                lead_id=card["lead_id"],
                attempt=attempt,
                offered=list(offer.staff_ids),
                opened_at=now,
                deadline=offer.deadline,
                status="open",
            )
        ).inserted_primary_key[0]
        conn.execute(
            lead_dispatch.update()
            .where(lead_dispatch.c.lead_id == card["lead_id"])
            .values(state="offered", mode=DispatchMode.GRAB.value, reason=offer.reason.text())
        )
        self._audit(conn, actor, "grab_offer", card, {"round": round_id, "attempt": attempt, "reason": offer.reason})
        payload = {
            "round_id": round_id,
            "attempt": attempt,
            "deadline": offer.deadline.isoformat(),
            "offered": list(offer.staff_ids),
            "reason": offer.reason.text(),
            "lead": card,
        }
        return [PendingEvent("grab.offered", payload, card["customer_id"], card["lead_id"], None, card["agency_id"])]

    def _assign(
        self,
        conn: Connection,
        card: dict,
        decision: Decision,
        how: str,
        now: datetime,
        actor: str,
        notes: tuple[Reason, ...] = (),
    ) -> list[PendingEvent]:
        state = "manager" if decision.staff_id is None else "assigned"
        text = "；".join(r.text() for r in (decision.reason, *notes))
        conn.execute(
            lead_dispatch.update()
            .where(lead_dispatch.c.lead_id == card["lead_id"])
            .values(state=state, consultant_id=decision.staff_id, assigned_at=now, reason=text)
        )
        reasons = [r.as_dict() for r in (decision.reason, *notes)]
        conn.execute(
            assignments.insert().values(
                lead_id=card["lead_id"], consultant_id=decision.staff_id, how=how, reason=reasons, actor=actor, at=now
            )
        )
        self._audit(conn, actor, "assign", card, {"consultant": decision.staff_id, "how": how, "reasons": reasons})
        name = staff_names(conn, {decision.staff_id}).get(decision.staff_id, "") if decision.staff_id else ""
        payload = {
            "consultant_id": decision.staff_id,
            "consultant_name": name,
            "how": how,
            "reason": text,
            "lead": card,
        }
        return [
            PendingEvent(
                "lead.assigned", payload, card["customer_id"], card["lead_id"], decision.staff_id, card["agency_id"]
            )
        ]

    def _audit(self, conn: Connection, actor: str, action: str, card: dict, payload: dict) -> None:
        """One evidence-chain row for a dispatch decision (reasons rendered, no personal data)."""
        clean = {k: (v.as_dict() if isinstance(v, Reason) else v) for k, v in payload.items()}
        entry = AuditEntry(action, actor, card["customer_id"], {"lead_id": card["lead_id"], **clean})
        self.registry.audit.append(conn, [entry], self.clock.now())

    # --- grab pool ----------------------------------------------------------------------------------

    def claim(self, round_id: int, member: StaffMember) -> ClaimOutcome:
        """First claim wins: a conditional update decides, correct under any concurrency."""
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            rnd = conn.execute(sa.select(grab_rounds).where(grab_rounds.c.id == round_id)).first()
            if rnd is None:
                raise FloorError("not_found", f"no grab round #{round_id}")
            if member.id not in rnd.offered:
                raise FloorError("forbidden", "this lead was not offered to you")
            won = (
                conn.execute(
                    grab_rounds.update()
                    .where(grab_rounds.c.id == round_id, grab_rounds.c.status == "open", grab_rounds.c.deadline > now)
                    .values(status="claimed", winner_id=member.id, closed_at=now)
                ).rowcount
                == 1
            )
            if not won:
                rnd = conn.execute(sa.select(grab_rounds).where(grab_rounds.c.id == round_id)).first()
                name = staff_names(conn, {rnd.winner_id}).get(rnd.winner_id, "") if rnd.winner_id else ""
                return ClaimOutcome(False, rnd.winner_id, name, FloorChange(result={"status": rnd.status}))
            card = lead_cards(conn, [rnd.lead_id])[rnd.lead_id]
            ms = int((now - to_utc(rnd.opened_at)).total_seconds() * 1000)
            reason = Reason("dispatch_claimed", {"name": member.name, "ms": ms})
            payload = {"round_id": round_id, "winner_id": member.id, "winner_name": member.name, "offered": rnd.offered}
            pending = [
                PendingEvent("grab.claimed", payload, card["customer_id"], rnd.lead_id, member.id, card["agency_id"])
            ]
            pending += self._assign(conn, card, Decision(member.id, reason), "grab", now, member.name)
            change = FloorChange(append_events(conn, pending, now), {"status": "claimed"})
            return ClaimOutcome(True, member.id, member.name, change)

    def open_rounds(self) -> list[tuple[int, datetime, list[int]]]:
        """Rounds still open: (id, deadline, offered), soonest deadline first (the hub's timers)."""
        with self.engine.connect() as conn:
            q = sa.select(grab_rounds.c.id, grab_rounds.c.deadline, grab_rounds.c.offered).where(
                grab_rounds.c.status == "open"
            )
            return sorted(((r.id, r.deadline, r.offered) for r in conn.execute(q)), key=lambda t: t[1])

    def expire_due(self, actor: str = "hub") -> FloorChange:
        """Close every round past its deadline and move its lead along the fallback chain."""
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            due = conn.execute(
                sa.select(grab_rounds).where(grab_rounds.c.status == "open", grab_rounds.c.deadline <= now)
            ).all()
            pending: list[PendingEvent] = []
            for rnd in due:
                closed = conn.execute(
                    grab_rounds.update()
                    .where(grab_rounds.c.id == rnd.id, grab_rounds.c.status == "open")
                    .values(status="expired", closed_at=now)
                ).rowcount
                if closed != 1:
                    continue
                card = lead_cards(conn, [rnd.lead_id])[rnd.lead_id]
                step, nxt = after_unclaimed(rnd.attempt, consultant_states(conn), now, self.rules.dispatch)
                payload = {"round_id": rnd.id, "next": step.value, "offered": rnd.offered}
                pending.append(
                    PendingEvent("grab.expired", payload, card["customer_id"], rnd.lead_id, None, card["agency_id"])
                )
                if isinstance(nxt, GrabOffer):
                    pending += self._open_round(conn, card, nxt, rnd.attempt + 1, now, actor)
                else:
                    how = "fallback" if nxt.staff_id is not None else "manager"
                    pending += self._assign(conn, card, nxt, how, now, actor)
            return FloorChange(append_events(conn, pending, now), {"expired": len(due)})


def on_duty_ids(conn: Connection) -> set[int]:
    """Consultants currently on duty (for tests and the status board)."""
    q = sa.select(staff.c.id).where(staff.c.role == "consultant", staff.c.status == "on_duty", staff.c.active.is_(True))
    return {r.id for r in conn.execute(q)}
