"""What a deal must look like before it is stored: unit (房号), amounts and dates, with clear errors."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.clock import business_time, to_utc
from models.commission import FEN, CommissionError, money

UNIT_MAX = 32
UNIT_CHARS = re.compile(r"^[0-9A-Z\u4e00-\u9fff#\-/_.]+$")
MAX_AMOUNT = Decimal("1000000000.00")  # 10亿: a larger figure for one unit is a typo
STAGES = ("subscription", "signing")


class DealError(ValueError):
    """A deal that cannot be recorded as given; the message names the field and the problem."""


def normalise_unit(text: Any) -> str:
    """'３栋 1单元-1502' → '3栋1单元-1502': full-width to half-width, no spaces, letters upper case."""
    if not isinstance(text, str):
        raise DealError("unit (房号) must be text such as 3-1-1502")
    unit = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    if not unit:
        raise DealError("unit (房号) is empty; give it as on the sales control chart, e.g. 3-1-1502")
    if len(unit) > UNIT_MAX:
        raise DealError(f"unit {unit[:40]!r} is longer than {UNIT_MAX} characters")
    if not UNIT_CHARS.match(unit):
        raise DealError(f"unit {unit!r} may only contain letters, digits, Chinese characters and - # / . _")
    return unit


def deal_amount(value: Any, what: str = "amount") -> Decimal:
    """A positive amount of yuan, exact to the fen, below 1,000,000,000.00."""
    try:
        amount = money(value, what)
    except CommissionError as exc:
        raise DealError(str(exc)) from None
    if amount <= 0:
        raise DealError(f"{what} must be more than zero")
    if amount > MAX_AMOUNT:
        raise DealError(f"{what} {amount} is more than {MAX_AMOUNT} for one unit; check the figure")
    return amount


def pool_amount(value: Any, signed: Decimal, rate: Decimal) -> tuple[Decimal, Decimal | None]:
    """The commission pool: as given (rate None), else `rate` × the signed amount rounded to the fen."""
    if value is None or value == "":
        return (signed * rate).quantize(FEN, rounding=ROUND_HALF_UP), rate
    try:
        pool = money(value, "commission pool")
    except CommissionError as exc:
        raise DealError(str(exc)) from None
    if pool > signed:
        raise DealError(f"commission pool {pool} is more than the signed amount {signed}")
    return pool, None


def deal_time(value: Any, what: str, now: datetime) -> datetime:
    """An aware UTC time (a datetime or ISO 8601 text; naive means business time) no later than now."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise DealError(f"{what} {value[:32]!r} is not a date and time like 2026-11-21T10:30+08:00") from None
    if not isinstance(value, datetime):
        raise DealError(f"{what} must be a date and time")
    at = to_utc(value)
    if at > now:
        raise DealError(f"{what} {stamp(at)} is in the future (now {stamp(now)})")
    return at


def stamp(at: datetime) -> str:
    """Business time as YYYY-MM-DD HH:MM for messages."""
    return business_time(at).strftime("%Y-%m-%d %H:%M")


def cycle_days(first_touch_at: datetime, signed_at: datetime) -> int:
    """A deal's cycle: calendar days in business time from the first touch to the signing."""
    return (business_time(signed_at).date() - business_time(first_touch_at).date()).days


def check_stage(stage: Any) -> str:
    """'subscription' (认购) or 'signing' (签约)."""
    if stage not in STAGES:
        raise DealError(f"stage must be one of {list(STAGES)}, got {str(stage)[:20]!r}")
    return stage


def check_consultant(name: Any) -> str:
    """The consultant's name as shown on the deal (required)."""
    if not isinstance(name, str) or not name.strip():
        raise DealError("consultant is required: who closed the deal")
    if len(name.strip()) > 64:
        raise DealError("consultant name is longer than 64 characters")
    return name.strip()
