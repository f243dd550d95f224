"""Dates as people type them: lists and ranges ('2026-10-01~2026-10-07', full-width separators too)."""

from __future__ import annotations

import re
from datetime import date, timedelta

RANGE_DAYS = 366
_RANGE = re.compile(r"\s*(?:~|～|\.\.|至)\s*")
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_day(text: str) -> date | None:
    """An ISO date ('2026-10-01'), or None."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def split_dates(text: str) -> tuple[str, ...]:
    """Dates as typed ('2026-10-01, 2026-10-02' or a range '2026-10-01~2026-10-07'), ranges spelt out; bad ones kept."""
    out: list[str] = []
    for token in _SEPARATORS.split(_RANGE.sub("~", text.strip())):
        if not token:
            continue
        first, _, last = token.partition("~")
        start, stop = parse_day(first), parse_day(last) if last else None
        if last and start and stop and timedelta(0) <= stop - start <= timedelta(days=RANGE_DAYS):
            out.extend((start + timedelta(days=n)).isoformat() for n in range((stop - start).days + 1))
        else:
            out.append(token)
    return tuple(dict.fromkeys(out))


def join_dates(days: tuple[str, ...]) -> str:
    """Dates as one line, runs of three days or more written as a range ('2026-10-01~2026-10-07')."""
    good = sorted({d for d in (parse_day(x) for x in days) if d})
    bad = [x for x in days if parse_day(x) is None]
    parts: list[str] = []
    run: list[date] = []
    for day in [*good, None]:
        if run and (day is None or day - run[-1] != timedelta(days=1)):
            parts += [f"{run[0]}~{run[-1]}"] if len(run) >= 3 else [d.isoformat() for d in run]
            run = []
        if day is not None:
            run.append(day)
    return ", ".join([*parts, *bad])
