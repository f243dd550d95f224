"""The floor's people operations: follow-ups (which close alerts), reassignment, status, alert
acknowledgement and behaviour events. Mixed into `models.floor.Floor`, which provides the engine,
clock, registry, `_assign` and `_audit`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from models.alert_store import acknowledge
from models.audit import AuditEntry
from models.behaviour import record_behaviour
from models.clock import to_utc
from models.db import write_transaction
from models.dispatch import Decision
from models.events import PendingEvent, append_events
from models.floor_result import FloorChange, FloorError, remember
from models.floor_state import customer_owner, lead_cards
from models.follow_ups import FOLLOW_UP_KINDS, FollowUpIn, log_follow_ups
from models.hub_schema import alerts, grab_rounds, lead_dispatch
from models.messages import Reason
from models.mutations import MutationKey
from models.staff import Role, StaffError, StaffMember, get_staff, set_status

__all__ = ["FOLLOW_UP_KINDS", "PeopleOps"]  # the kinds are re-exported for reports


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
        outcome = self.log_follow_ups(member, [FollowUpIn(lead_id, kind, note, occurred_at, mutation)])[0]
        if isinstance(outcome, FloorError):
            raise outcome
        return outcome

    def log_follow_ups(self, member: StaffMember, entries: list[FollowUpIn]) -> list[FloorChange | FloorError]:
        """Record many follow-ups of one person in one transaction (a desk's offline work); each its answer."""
        with write_transaction(self.engine) as conn:
            return log_follow_ups(conn, self.vault, self.registry.audit, member, entries, self.clock.now())

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
