"""What a desktop client shows, as plain data: the sync engine produces change sets of these, the
views render them. No Qt, no sockets: both sides import this module and nothing of each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LeadRow:
    """One lead (or visit) with its dispatch state, masked."""

    lead_id: int  # negative while a locally registered visit waits for the hub (-mutation_id)
    customer_id: int | None
    channel: str
    kind: str
    occurred_at: datetime
    received_at: datetime
    name_masked: str = ""
    mobile_masked: str = ""
    state: str = ""  # new | offered | assigned | manager | "" (report, no dispatch)
    consultant_id: int | None = None
    consultant_name: str = ""
    assigned_at: datetime | None = None
    first_follow_up_at: datetime | None = None
    reason: str = ""
    agency_id: int | None = None
    pending: bool = False  # shown optimistically, not yet confirmed by the hub


@dataclass(frozen=True)
class StaffRow:
    """A person on the floor."""

    id: int
    name: str
    role: str
    status: str
    agency_id: int | None = None
    last_follow_up_at: datetime | None = None  # from followup.logged events: the board's "idle for"


@dataclass(frozen=True)
class OutboxItem:
    """One user action as the outbox holds it."""

    mutation_id: int
    type: str
    summary: str  # what the user did, in words ("登记到访 李*")
    created_at: datetime
    state: str  # pending | applied | refused
    message: str = ""  # the hub's refusal or correction, shown to the user
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GrabOfferState:
    """A grab-pool offer as this consultant sees it."""

    round_id: int
    lead: LeadRow
    deadline: datetime
    state: str  # open | claiming | won | lost | expired
    winner_name: str = ""


@dataclass(frozen=True)
class AlertRow:
    """An alert as screens show it (red popup, workbench, lobby wall): masked name and a suggestion."""

    alert_id: int
    customer_id: int
    level: str  # red | yellow | blue
    rule: str
    state: str  # open | acknowledged | resolved
    since: datetime
    name_masked: str = ""
    suggestion: str = ""
    owner_id: int | None = None
    by: str = ""


@dataclass(frozen=True)
class ConnectionState:
    """For the status bar: online, or offline since when, and how much waits to be sent."""

    online: bool
    since: datetime
    waiting: int
    last_seq: int = 0
    detail: str = ""


@dataclass(frozen=True)
class Me:
    """Who is signed in on this client."""

    id: int
    name: str
    role: str
    agency_id: int | None = None
    status: str = "off"


@dataclass
class DeskChange:
    """What changed since the last change set; `reset` means replace everything shown."""

    reset: bool = False
    me: Me | None = None
    leads: list[LeadRow] = field(default_factory=list)  # upserts by lead_id
    removed_leads: list[int] = field(default_factory=list)  # e.g. a local placeholder replaced by the real lead
    staff: list[StaffRow] = field(default_factory=list)
    outbox: list[OutboxItem] = field(default_factory=list)
    offers: list[GrabOfferState] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)  # upserts by alert_id (resolved ones say so)
    notices: list[str] = field(default_factory=list)  # corrections and refusals the user must see
    connection: ConnectionState | None = None

    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not (
            self.reset
            or self.me
            or self.leads
            or self.removed_leads
            or self.staff
            or self.outbox
            or self.offers
            or self.alerts
            or self.notices
            or self.connection
        )
