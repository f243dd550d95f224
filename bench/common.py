"""Shared bench helpers: result records, the bench key, progress output and a fresh database."""

from __future__ import annotations

import base64
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from models.clock import BUSINESS_TZ, FakeClock
from models.db import open_database, sqlite_url
from models.privacy import KEY_BYTES, Vault

KEY_ENV = "SALESFLOOR_BENCH_KEY"
# Not a secret: benches only encrypt synthetic people. Override with SALESFLOOR_BENCH_KEY (base64).
BENCH_KEY = base64.urlsafe_b64encode(bytes(range(100, 100 + KEY_BYTES))).decode()
START = datetime(2026, 11, 20, tzinfo=BUSINESS_TZ)


def bench_vault() -> Vault:
    """A vault whose key comes from SALESFLOOR_BENCH_KEY, or the fixed bench key."""
    return Vault(base64.urlsafe_b64decode(os.environ.get(KEY_ENV, BENCH_KEY).encode()))


def bench_clock(days: float) -> FakeClock:
    """A frozen clock on the evening after the generated period."""
    return FakeClock(START + timedelta(days=days, hours=22))


def progress(message: str) -> None:
    """Progress goes to stderr; stdout carries only result lines."""
    print(message, file=sys.stderr, flush=True)


def fresh_sqlite(folder: Path, name: str) -> Engine:
    """A new, migrated SQLite file (WAL) in a temporary folder."""
    return open_database(sqlite_url(folder / f"{name}.db"))


def figure(
    name: str,
    value: Any,
    unit: str,
    *,
    baseline: float | None = None,
    target: float | None = None,
    higher_is_better: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One result line: value and unit, baseline and ratio when measured, target and ok when set."""
    out: dict[str, Any] = {"name": name, "value": _round(value), "unit": unit}
    if baseline is not None:
        out["baseline"] = _round(baseline)
        out["ratio"] = round(value / baseline, 4) if baseline else None
    if target is not None:
        out["target"] = target
        out["ok"] = bool(value >= target) if higher_is_better else bool(value <= target)
    out.update(extra)
    return out


def _round(value: Any) -> Any:
    """Keep result lines readable."""
    if isinstance(value, float):
        return round(value, 6) if abs(value) < 10 else round(value, 1)
    return value
