"""The floor's people operations: follow-ups (which close alerts), reassignment, status, alert
acknowledgement and behaviour events. Mixed into `models.floor.Floor`, which provides the engine,
clock, registry, `_assign` and `_audit`."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from models.alert_store import acknowledge, resolve_for_follow_up
from models.audit import AuditEntry
from models.behaviour import record_behaviour
from models.clock import to_utc
from models.db import write_transaction
from models.dispatch import Decision
from models.events import PendingEvent, append_events
from models.floor_result import FloorChange, FloorError, remember
from models.floor_state import customer_owner, lead_cards
from models.hub_schema import alerts, follow_ups, grab_rounds, lead_dispatch
from models.messages import Reason
from models.mutations import MutationKey
from models.staff import Role, StaffError, StaffMember, get_staff, set_status

FOLLOW_UP_KINDS = ("call", "wechat", "visit", "note")
MAX_NOTE_CHARS = 2000
CLOCK_SKEW = timedelta(minutes=5)  # a desk's clock may run this far ahead of the hub's


class PeopleOps:
    """Operations people start on the floor (see `models.floor.Floor`)."""

    def behaviour(self, source: str, body: dict) -> FloorChange:
        """Store a behaviour event (page view, VR view, favourite plan) and tell the customer's owner."""
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            stored = record_behaviour(conn, self.vault, source, body, now)
            result = {"id": stored.id, "customer_id": stored.customer_id, "replayed": stored.replayed}
            if stored.replayed or stored.customer_id is None:
                return FloorChange(result=result)
            owner = customer_owner(conn, stored.customer_id)
            payload = {k: body.get(k) for k in ("kind", "page_path", "dwell_s", "unit_id", "plan_id")}
            payload["behaviour_id"] = stored.id
            payload["customer_id"] = stored.customer_id
            event = PendingEvent("behaviour.recorded", payload, stored.customer_id, staff_id=owner)
            return FloorChange(append_events(conn, [event], now), result)

    # --- people on the floor ------------------------------------------------------------------------

    def log_follow_up(
        self,
        member: StaffMember,
        lead_id: int,
        kind: str,
        note: str = "",
        occurred_at: datetime | None = None,
        mutation: MutationKey | None = None,
    ) -> FloorChange:
        """Record a call, WeChat, visit or note; the first one fixes the lead's first-response time."""
        if kind not in FOLLOW_UP_KINDS:
            raise FloorError("invalid", f"unknown follow-up kind {kind!r}; expected one of {list(FOLLOW_UP_KINDS)}")
        if len(note) > MAX_NOTE_CHARS:
            raise FloorError("invalid", f"the note has {len(note)} characters; at most {MAX_NOTE_CHARS}")
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            when = to_utc(occurred_at) if occurred_at else now
            if when > now + CLOCK_SKEW:
                raise FloorError("invalid", "a follow-up cannot be in the future")
            when = min(when, now)
            row = conn.execute(sa.select(lead_dispatch).where(lead_dispatch.c.lead_id == lead_id)).first()
            cards = lead_cards(conn, [lead_id])
            if lead_id not in cards:
                raise FloorError("not_found", f"no lead #{lead_id}")
            card = cards[lead_id]
            if member.role is Role.CONSULTANT and (row is None or row.consultant_id != member.id):
                owner = customer_owner(conn, card["customer_id"])
                if owner != member.id:
                    raise FloorError("forbidden", f"lead #{lead_id} is not assigned to you")
            fid = conn.execute(
                follow_ups.insert().values(
                    lead_id=lead_id,
                    customer_id=card["customer_id"],
                    staff_id=member.id,
                    kind=kind,
                    note_enc=self.vault.encrypt(note, "followup.note") if note else None,
                    occurred_at=when,
                    logged_at=now,
                )
            ).inserted_primary_key[0]
            first_s = None
            if row is not None and row.first_follow_up_at is None:
                conn.execute(
                    lead_dispatch.update().where(lead_dispatch.c.lead_id == lead_id).values(first_follow_up_at=when)
                )
                first_s = int((when - to_utc(datetime.fromisoformat(card["received_at"]))).total_seconds())
            self._audit(conn, member.name, "follow_up", card, {"follow_up": fid, "kind": kind, "first_s": first_s})
            payload = {
                "follow_up_id": fid,
                "staff_id": member.id,
                "staff_name": member.name,
                "kind": kind,
                "occurred_at": when.isoformat(),
                "first_response_s": first_s,
                "lead_id": lead_id,
            }
            pending = [
                PendingEvent("followup.logged", payload, card["customer_id"], lead_id, member.id, card["agency_id"])
            ]
            pending += resolve_for_follow_up(conn, card["customer_id"], member.name, now)  # answered: alerts close
            events = append_events(conn, pending, now)
            result = {"follow_up_id": fid, "first_response_s": first_s}
            remember(conn, mutation, result, now)
            return FloorChange(events, result)

    def reassign(
        self, lead_id: int, to_staff: int, actor: StaffMember, note: str, mutation: MutationKey | None = None
    ) -> FloorChange:
        """A manager moves a lead to another consultant, with a reason."""
        if not note.strip():
            raise FloorError("invalid", "a reassignment needs a reason")
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            cards = lead_cards(conn, [lead_id])
            if lead_id not in cards:
                raise FloorError("not_found", f"no lead #{lead_id}")
            try:
                target = get_staff(conn, to_staff)
            except StaffError as exc:
                raise FloorError("not_found", str(exc)) from None
            if target.role is not Role.CONSULTANT or not target.active:
                raise FloorError("invalid", f"{target.name} is not an active consultant")
            if (
                conn.execute(sa.select(lead_dispatch.c.lead_id).where(lead_dispatch.c.lead_id == lead_id)).first()
                is None
            ):
                conn.execute(
                    lead_dispatch.insert().values(
                        lead_id=lead_id, state="new", mode="manual", created_at=now, reason=""
                    )
                )
            conn.execute(
                grab_rounds.update()
                .where(grab_rounds.c.lead_id == lead_id, grab_rounds.c.status == "open")
                .values(status="expired", closed_at=now)
            )
            reason = Reason("dispatch_manual", {"actor": actor.name, "name": target.name, "note": note.strip()})
            before = conn.execute(
                sa.select(lead_dispatch.c.consultant_id).where(lead_dispatch.c.lead_id == lead_id)
            ).scalar()
            pending = self._assign(conn, cards[lead_id], Decision(target.id, reason), "manual", now, actor.name)
            pending[-1].payload["previous_consultant_id"] = before  # their desk must let the lead go
            remember(conn, mutation, {"consultant_id": target.id}, now)
            return FloorChange(append_events(conn, pending, now), {"consultant_id": target.id})

    def acknowledge_alert(self, alert_id: int, member: StaffMember) -> FloorChange:
        """The red popup's button: the owner (or a manager) has seen the alert; logged with who and when."""
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            row = conn.execute(
                sa.select(alerts.c.owner_id, alerts.c.customer_id).where(alerts.c.id == alert_id)
            ).first()
            if row is None:
                raise FloorError("not_found", f"no alert #{alert_id}")
            if member.role is Role.CONSULTANT and row.owner_id != member.id:
                raise FloorError("forbidden", f"alert #{alert_id} is about another consultant's customer")
            pending = acknowledge(conn, alert_id, member.name, now)
            entry = AuditEntry("alert_ack", member.name, row.customer_id, {"alert_id": alert_id})
            self.registry.audit.append(conn, [entry], now)
            return FloorChange(append_events(conn, pending, now), {"alert_id": alert_id, "state": "acknowledged"})

    def set_status(self, staff_id: int, status: str, actor: str, mutation: MutationKey | None = None) -> FloorChange:
        """On duty / paused / off, by the consultant or a manager."""
        with write_transaction(self.engine) as conn:
            now = to_utc(self.clock.now())
            try:
                member = set_status(conn, staff_id, status, now)
            except StaffError as exc:
                raise FloorError("invalid", str(exc)) from None
            if member.role is not Role.CONSULTANT:
                raise FloorError("invalid", f"{member.name} is not a consultant")
            entry = AuditEntry("staff_status", actor, None, {"staff_id": staff_id, "status": member.status.value})
            self.registry.audit.append(conn, [entry], now)
            payload = {"staff_id": staff_id, "name": member.name, "status": member.status.value, "at": now.isoformat()}
            events = append_events(conn, [PendingEvent("staff.status", payload, staff_id=staff_id)], now)
            remember(conn, mutation, {"status": member.status.value}, now)
            return FloorChange(events, {"status": member.status.value})
