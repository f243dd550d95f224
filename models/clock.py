"""Injected clocks: every time rule reads `clock.now()` so tests can run instantly."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Anything that can tell the current, timezone-aware time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...


class SystemClock:
    """The real wall clock, in UTC."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


@dataclass
class FakeClock:
    """A clock that only moves when told to (tests, simulators, replays)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 1, 0, tzinfo=UTC))

    def now(self) -> datetime:
        """Return the frozen current time."""
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta given as keyword arguments and return the new time."""
        self.current = self.current + timedelta(**delta)
        return self.current

    def set(self, when: datetime) -> None:
        """Jump to a given aware time."""
        self.current = ensure_aware(when)


def ensure_aware(when: datetime) -> datetime:
    """Interpret a naive datetime as business time (Asia/Shanghai); return it aware."""
    if when.tzinfo is None:
        return when.replace(tzinfo=BUSINESS_TZ)
    return when


def to_utc(when: datetime) -> datetime:
    """Normalise any datetime to aware UTC (naive means business time)."""
    return ensure_aware(when).astimezone(UTC)


def business_time(when: datetime) -> datetime:
    """Show a datetime in the business time zone."""
    return ensure_aware(when).astimezone(BUSINESS_TZ)


class ScaledClock:
    """Starts at a given moment and runs `factor` times faster than real time (demos, simulated hours)."""

    def __init__(self, start: datetime, factor: float = 1.0):
        """From `start` on, every real second is `factor` seconds of this clock."""
        self.start = start
        self.factor = factor
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        """The scaled current time, timezone-aware."""
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.factor)
