"""Who may do what, and who may see which event: the hub asks these pure functions before acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.staff import Role, StaffMember

ALL = frozenset(Role)
OFFICE = frozenset({Role.MANAGER, Role.ADMIN})
FLOOR = frozenset({Role.RECEPTION, Role.CONSULTANT, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN})

# command type -> the roles that may send it
PERMISSIONS: dict[str, frozenset[Role]] = {
    "ping": ALL,
    "subscribe": ALL,
    "visit.register": frozenset({Role.RECEPTION, Role.MANAGER, Role.ADMIN}),
    "report.file": frozenset({Role.BROKER, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "followup.log": frozenset({Role.CONSULTANT, Role.MANAGER}),
    "grab.claim": frozenset({Role.CONSULTANT}),
    "status.set": frozenset({Role.CONSULTANT, Role.MANAGER, Role.ADMIN}),
    "lead.reassign": OFFICE,
    "alert.ack": frozenset({Role.CONSULTANT, Role.MANAGER, Role.ADMIN}),
    "customer.get": FLOOR | {Role.BROKER},
    "customer.lookup": frozenset({Role.RECEPTION, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "staff.list": FLOOR,
    "kpi.report": frozenset({Role.MANAGER, Role.ADMIN, Role.CHANNEL_SPECIALIST}),
    "kpi.late": frozenset({Role.MANAGER, Role.ADMIN}),
    "batch": ALL,  # each item is checked as if it came alone
    "deal.record": frozenset({Role.CONSULTANT, Role.MANAGER, Role.ADMIN}),  # a consultant: their own deals
    "deal.list": frozenset({Role.CONSULTANT, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "deal.get": frozenset({Role.CONSULTANT, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "dispute.get": frozenset({Role.BROKER, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "settlement.prepare": frozenset({Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "settlement.list": frozenset({Role.BROKER, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "settlement.get": frozenset({Role.BROKER, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "settlement.transition": frozenset({Role.BROKER, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "settlement.cycle": frozenset({Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN}),
    "radar.report": frozenset({Role.CONSULTANT, Role.MANAGER, Role.ADMIN}),  # a consultant: their own
    "experiment.define": OFFICE,
    "experiment.start": OFFICE,
    "experiment.stop": OFFICE,
    "experiment.list": OFFICE,
    "experiment.compare": OFFICE,
    "experiment.expose": frozenset({Role.CONSULTANT, Role.MANAGER}),
    "experiment.offers": frozenset({Role.CONSULTANT, Role.MANAGER, Role.ADMIN}),
}

# roles that see every event of the office (their screens mask what they may not read in full)
SEES_ALL = frozenset({Role.RECEPTION, Role.CHANNEL_SPECIALIST, Role.MANAGER, Role.ADMIN, Role.WALL})
# roles that may read a customer's full mobile and ID number on request (audited)
MAY_REVEAL = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Refusal:
    """Why a command was refused (code for clients, text for people and the audit log)."""

    code: str
    text: str


def check_command(member: StaffMember, command: str, params: dict[str, Any] | None = None) -> Refusal | None:
    """None if the person may send this command with these parameters, else why not."""
    allowed = PERMISSIONS.get(command)
    if allowed is None:
        return Refusal("unknown_command", f"unknown command {command!r}")
    if member.role not in allowed:
        return Refusal("forbidden", f"a {member.role.value} may not {command}")
    params = params or {}
    if command == "status.set" and member.role is Role.CONSULTANT and params.get("staff_id") not in (None, member.id):
        return Refusal("forbidden", "a consultant may set only their own status")
    return None


def can_see(member: StaffMember, event_type: str, staff_id: int | None, agency_id: int | None, payload: dict) -> bool:
    """Whether an event reaches this person's client."""
    if member.role in SEES_ALL:
        return True
    if member.role is Role.BROKER:
        return agency_id is not None and agency_id == member.agency_id
    if member.role is Role.CONSULTANT:
        if event_type == "staff.status":
            return True
        if staff_id == member.id or payload.get("previous_consultant_id") == member.id:
            return True
        return member.id in payload.get("offered", ())
    return False


def may_see_customer(member: StaffMember, owner_id: int | None, agency_ids: set[int]) -> bool:
    """Whether a person may open a customer's card at all."""
    if member.role in SEES_ALL:
        return member.role is not Role.WALL
    if member.role is Role.BROKER:
        return member.agency_id in agency_ids
    return member.role is Role.CONSULTANT and owner_id == member.id
