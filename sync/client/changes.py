"""Collecting what one replica transaction changed into a `DeskChange` (upserts and removals netted)."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.desk_state import AlertRow, DeskChange, GrabOfferState, LeadRow, Me, OutboxItem, StaffRow


@dataclass
class Changes:
    """What a replica operation changed; `waiting` is the outbox's pending count when it may have moved."""

    reset: bool = False
    me: Me | None = None
    leads: dict[int, LeadRow] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    staff: dict[int, StaffRow] = field(default_factory=dict)
    outbox: dict[int, OutboxItem] = field(default_factory=dict)
    offers: dict[int, GrabOfferState] = field(default_factory=dict)
    alerts: dict[int, AlertRow] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    waiting: int | None = None
    last_seq: int | None = None
    resubscribe: bool = False  # the stream must start again from a snapshot

    def lead(self, row: LeadRow) -> None:
        """Upsert one lead (cancels an earlier removal of the same id)."""
        self.leads[row.lead_id] = row
        self.removed.discard(row.lead_id)

    def remove_lead(self, lead_id: int) -> None:
        """Remove one lead (cancels an earlier upsert of the same id)."""
        self.leads.pop(lead_id, None)
        self.removed.add(lead_id)

    def merge(self, other: Changes) -> None:
        """Fold a later change into this one."""
        if other.reset:
            self.__dict__.update({**other.__dict__, "notices": self.notices + other.notices})
            return
        self.me = other.me or self.me
        for lead_id in other.removed:
            self.remove_lead(lead_id)
        for row in other.leads.values():
            self.lead(row)
        self.staff.update(other.staff)
        self.outbox.update(other.outbox)
        self.offers.update(other.offers)
        self.alerts.update(other.alerts)
        self.notices += other.notices
        self.waiting = other.waiting if other.waiting is not None else self.waiting
        self.last_seq = other.last_seq if other.last_seq is not None else self.last_seq
        self.resubscribe = self.resubscribe or other.resubscribe

    def desk_change(self) -> DeskChange:
        """The change set the views receive (connection is filled in by the engine)."""
        return DeskChange(
            reset=self.reset,
            me=self.me,
            leads=list(self.leads.values()),
            removed_leads=sorted(self.removed),
            staff=list(self.staff.values()),
            outbox=sorted(self.outbox.values(), key=lambda o: o.mutation_id),
            offers=list(self.offers.values()),
            alerts=sorted(self.alerts.values(), key=lambda a: a.alert_id),
            notices=list(self.notices),
        )
