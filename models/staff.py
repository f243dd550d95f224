"""Staff accounts: roles, one-time enrollment codes, bearer tokens (stored only as hashes), status.

A code or token is shown once and never stored: the database keeps its SHA-256 (they are random,
high-entropy secrets, so a plain hash suffices). Revocation stamps `revoked_at`; the hub polls for
fresh revocations and closes that person's live connections.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.dispatch import StaffStatus
from models.hub_schema import staff, staff_credentials
from models.identifiers import Status, parse_phone
from models.privacy import Vault, mask_mobile
from models.schema import agencies

ENROLLMENT_DAYS = 7
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


class Role(StrEnum):
    """What a person does in the office; the hub checks every command against it."""

    RECEPTION = "reception"
    CONSULTANT = "consultant"
    CHANNEL_SPECIALIST = "channel_specialist"
    BROKER = "broker"
    MANAGER = "manager"
    WALL = "wall"
    ADMIN = "admin"


ROLE_LABELS_ZH = {
    Role.RECEPTION: "前台",
    Role.CONSULTANT: "置业顾问",
    Role.CHANNEL_SPECIALIST: "渠道专员",
    Role.BROKER: "分销经纪人",
    Role.MANAGER: "案场经理",
    Role.WALL: "大屏",
    Role.ADMIN: "管理员",
}


class StaffError(ValueError):
    """A staff operation that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class StaffMember:
    """A person (or the lobby wall) known to the hub."""

    id: int
    name: str
    role: Role
    agency_id: int | None
    status: StaffStatus
    active: bool = True
    mobile_masked: str = ""


def token_hash(token: str) -> str:
    """The stored form of a bearer token (random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def code_hash(code: str) -> str:
    """The stored form of an enrollment code as typed: case, spaces and dashes do not matter."""
    return token_hash("".join(ch for ch in code.upper() if ch.isalnum()))


def new_code() -> str:
    """A one-time enrollment code such as 'K7QD-M2XP' (40 bits; single use, expires)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _row_member(r) -> StaffMember:
    return StaffMember(r.id, r.name, Role(r.role), r.agency_id, StaffStatus(r.status), r.active, r.mobile_masked)


def add_staff(
    conn: Connection,
    vault: Vault,
    name: str,
    role: str,
    now: datetime,
    agency_code: str | None = None,
    mobile: str | None = None,
) -> tuple[StaffMember, str]:
    """Create a person and return them with a one-time enrollment code."""
    name = name.strip()
    if not name:
        raise StaffError("a name is required")
    try:
        role_ = Role(role)
    except ValueError:
        raise StaffError(f"unknown role {role!r}; expected one of {[r.value for r in Role]}") from None
    agency_id = None
    if role_ is Role.BROKER and not agency_code:
        raise StaffError("a broker belongs to an agency: give --agency CODE")
    if agency_code:
        row = conn.execute(sa.select(agencies.c.id).where(agencies.c.code == agency_code)).first()
        if row is None:
            agency_id = conn.execute(
                agencies.insert().values(code=agency_code, name=agency_code, created_at=now)
            ).inserted_primary_key[0]
        else:
            agency_id = row.id
    mobile_enc, masked = None, ""
    if mobile:
        parsed = parse_phone(mobile)
        if parsed.status is not Status.VALID or parsed.kind != "mobile":
            raise StaffError(f"mobile is not valid: {parsed.reason or 'a landline cannot receive WeCom mentions'}")
        mobile_enc, masked = vault.encrypt(parsed.value, "staff.mobile"), mask_mobile(parsed.value)
    status = StaffStatus.OFF.value
    staff_id = conn.execute(
        staff.insert().values(
            name=name,
            role=role_.value,
            agency_id=agency_id,
            status=status,
            status_at=now,
            mobile_enc=mobile_enc,
            mobile_masked=masked,
            created_at=now,
        )
    ).inserted_primary_key[0]
    code = issue_enrollment(conn, staff_id, now)
    return StaffMember(staff_id, name, role_, agency_id, StaffStatus.OFF, True, masked), code


def issue_enrollment(conn: Connection, staff_id: int, now: datetime) -> str:
    """A fresh one-time enrollment code for an existing person (e.g. a new laptop)."""
    code = new_code()
    conn.execute(
        staff_credentials.insert().values(
            staff_id=staff_id,
            kind="enrollment",
            secret_hash=code_hash(code),
            created_at=now,
            expires_at=now + timedelta(days=ENROLLMENT_DAYS),
        )
    )
    return code


def enroll(conn: Connection, code: str, device: str, now: datetime) -> tuple[StaffMember, str]:
    """Exchange a one-time code for a bearer token; the code cannot be used again."""
    row = conn.execute(
        sa.select(staff_credentials, staff.c.active)
        .join(staff, staff.c.id == staff_credentials.c.staff_id)
        .where(staff_credentials.c.secret_hash == code_hash(code), staff_credentials.c.kind == "enrollment")
    ).first()
    if row is None:
        raise StaffError("unknown enrollment code")
    if row.used_at is not None:
        raise StaffError("this enrollment code was already used; ask a manager for a new one")
    if row.revoked_at is not None or not row.active:
        raise StaffError("this enrollment code was revoked")
    if row.expires_at is not None and row.expires_at < now:
        raise StaffError("this enrollment code has expired; ask a manager for a new one")
    done = conn.execute(
        staff_credentials.update()
        .where(staff_credentials.c.id == row.id, staff_credentials.c.used_at.is_(None))
        .values(used_at=now)
    )
    if done.rowcount != 1:
        raise StaffError("this enrollment code was already used; ask a manager for a new one")
    token = secrets.token_urlsafe(32)
    conn.execute(
        staff_credentials.insert().values(
            staff_id=row.staff_id, kind="token", secret_hash=token_hash(token), label=device[:64], created_at=now
        )
    )
    return get_staff(conn, row.staff_id), token


def authenticate(conn: Connection, token: str) -> tuple[StaffMember, int] | None:
    """The person behind a bearer token and the credential id, or None if unknown or revoked."""
    if not token or len(token) > 256:
        return None
    row = conn.execute(
        sa.select(staff, staff_credentials.c.id.label("credential_id"))
        .join(staff_credentials, staff_credentials.c.staff_id == staff.c.id)
        .where(
            staff_credentials.c.secret_hash == token_hash(token),
            staff_credentials.c.kind == "token",
            staff_credentials.c.revoked_at.is_(None),
            staff.c.active.is_(True),
        )
    ).first()
    return (_row_member(row), row.credential_id) if row else None


def get_staff(conn: Connection, staff_id: int) -> StaffMember:
    """One person by id."""
    row = conn.execute(sa.select(staff).where(staff.c.id == staff_id)).first()
    if row is None:
        raise StaffError(f"no staff member #{staff_id}")
    return _row_member(row)


def find_staff(conn: Connection, who: str) -> StaffMember:
    """A person by id or exact name; an ambiguous name is an error that lists the ids."""
    if who.isdigit():
        return get_staff(conn, int(who))
    rows = conn.execute(sa.select(staff).where(staff.c.name == who.strip())).all()
    if not rows:
        raise StaffError(f"no staff member named {who!r}")
    if len(rows) > 1:
        raise StaffError(f"{len(rows)} people are named {who!r}: use the id ({', '.join(str(r.id) for r in rows)})")
    return _row_member(rows[0])


def list_staff(conn: Connection, roles: tuple[Role, ...] = ()) -> list[StaffMember]:
    """Everyone (or everyone in the given roles), by id."""
    q = sa.select(staff).order_by(staff.c.id)
    if roles:
        q = q.where(staff.c.role.in_([r.value for r in roles]))
    return [_row_member(r) for r in conn.execute(q)]


def revoke(conn: Connection, staff_id: int, now: datetime, deactivate: bool = True) -> int:
    """Revoke every credential of a person (and by default deactivate them); returns how many."""
    get_staff(conn, staff_id)
    done = conn.execute(
        staff_credentials.update()
        .where(staff_credentials.c.staff_id == staff_id, staff_credentials.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if deactivate:
        conn.execute(staff.update().where(staff.c.id == staff_id).values(active=False, status=StaffStatus.OFF.value))
    return done.rowcount


def revoked_since(conn: Connection, since: datetime) -> list[tuple[int, int]]:
    """(staff id, credential id) of tokens revoked at or after a moment (the hub polls this)."""
    q = sa.select(staff_credentials.c.staff_id, staff_credentials.c.id).where(
        staff_credentials.c.revoked_at >= since, staff_credentials.c.kind == "token"
    )
    return [(r.staff_id, r.id) for r in conn.execute(q)]


def set_status(conn: Connection, staff_id: int, status: str, now: datetime) -> StaffMember:
    """Set a consultant's on duty / paused / off status."""
    try:
        value = StaffStatus(status)
    except ValueError:
        raise StaffError(f"unknown status {status!r}; expected one of {[s.value for s in StaffStatus]}") from None
    member = get_staff(conn, staff_id)
    if not member.active:
        raise StaffError(f"{member.name} is deactivated")
    conn.execute(staff.update().where(staff.c.id == staff_id).values(status=value.value, status_at=now))
    return get_staff(conn, staff_id)


def staff_mobile(conn: Connection, vault: Vault, staff_id: int) -> str | None:
    """A staff member's own mobile, decrypted (for WeCom @-mentions); None if not on file."""
    blob = conn.execute(sa.select(staff.c.mobile_enc).where(staff.c.id == staff_id)).scalar()
    return vault.decrypt(blob, "staff.mobile") if blob else None
