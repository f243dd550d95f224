"""`python -m bench wall`: the lobby wall's frame times while 500 alerts a minute arrive, and its memory
over a simulated hour.

Frames are driven the way the wall's own 16 ms timer drives them (advance the scroll, repaint), each
repaint done synchronously on the offscreen platform and timed with perf_counter. Alerts arrive at
500 per minute of wall time as change sets through `WallWindow.apply`, as the sync engine delivers
them. The baseline is the same loop on an empty widget painting a background. Memory: RSS after a
warm-up minute against RSS after a simulated hour of arrivals (30,000 alerts, resolved as they age).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bench.common import figure, progress

FRAME_BUDGET_MS = 1000 / 60
ALERTS_PER_MIN = 500
LEVELS = ("red", "yellow", "yellow", "blue")


def _rss_kib() -> int:
    """This process's resident set size (Linux /proc)."""
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _alert(i: int, now: datetime):
    from models.desk_state import AlertRow

    level = LEVELS[i % len(LEVELS)]
    text = f"{'李王张刘陈'[i % 5]}*客户-浏览价格表{1 + i % 9}分钟-建议明日提供首付分期方案"
    return AlertRow(i, 10_000 + i, level, "price_dwell", "open", now, text[:2], text, 1)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _frames(widget, frames: int, feed=None) -> list[float]:
    """Advance and repaint `frames` times; `feed(frame)` may apply alerts between frames."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    times = []
    advance = getattr(widget, "_advance", None)
    for frame in range(frames):
        if feed is not None:
            feed(frame)
        start = time.perf_counter()
        if advance is not None:
            advance()
        widget.repaint()
        times.append((time.perf_counter() - start) * 1000)
        app.processEvents()
    return times


def run(quick: bool) -> Iterator[dict[str, Any]]:
    """Frame p99 and share over budget against an empty widget; RSS growth over a simulated hour."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    from models.desk_state import ConnectionState, DeskChange
    from views.wall import WallWindow

    app = QApplication.instance() or QApplication([])
    now = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    frames = 1800 if quick else 7200  # 30 s or 2 min of 60 fps
    wall = WallWindow(lambda: now)
    wall.ticker.timer.stop()  # the bench drives the frames itself, exactly as the timer would
    wall.resize(1920, 1080)
    wall.apply(DeskChange(reset=True, connection=ConnectionState(True, now, 0)))
    wall.show()
    app.processEvents()
    counter = iter(range(10**9))
    per_frame = ALERTS_PER_MIN / 60 / 60  # alerts per 16.7 ms frame
    due = [0.0]

    def feed(_frame: int, arriving: float = per_frame) -> None:
        due[0] += arriving
        batch = []
        while due[0] >= 1:
            due[0] -= 1
            i = next(counter)
            batch.append(_alert(i, now))
            if i >= 120:  # the floor answers: older alerts resolve, as follow-ups come in
                batch.append(replace(_alert(i - 120, now), state="resolved"))
        if batch:
            wall.apply(DeskChange(alerts=batch))

    _frames(wall.ticker, 120, feed)  # warm-up: fonts, glyph caches
    progress(f"wall: {frames} frames with {ALERTS_PER_MIN} alerts/min arriving")
    times = _frames(wall.ticker, frames, feed)
    empty = QWidget()
    empty.resize(1920, 1080)
    empty.setStyleSheet("background: #101418")
    empty.show()
    app.processEvents()
    _frames(empty, 120)
    base = _frames(empty, frames)
    p99, base_p99 = _p99(times), _p99(base)
    over = 100 * sum(t > FRAME_BUDGET_MS for t in times) / len(times)
    base_over = 100 * sum(t > FRAME_BUDGET_MS for t in base) / len(base)
    yield figure(
        "wall_frame_ms_p99",
        p99,
        "ms",
        baseline=base_p99,
        target=FRAME_BUDGET_MS,
        higher_is_better=False,
        frames=frames,
        alerts_per_min=ALERTS_PER_MIN,
    )
    yield figure(
        "wall_frames_over_budget_pct", over, "%", baseline=base_over, target=1.0, higher_is_better=False, frames=frames
    )
    empty.close()

    minutes = 10 if quick else 60
    progress(f"wall: a simulated {minutes} min of arrivals for memory")
    frames_per_min = 60  # one frame a second of wall time is enough to exercise painting
    start_rss = None
    for minute in range(minutes + 1):
        for _ in range(frames_per_min):
            feed(0, ALERTS_PER_MIN / frames_per_min)  # a second's worth of alerts, then a frame
            wall.ticker._advance()
            wall.ticker.repaint()
        app.processEvents()
        if minute == 1:
            start_rss = _rss_kib()
    end_rss = _rss_kib()
    growth = 100 * (end_rss - start_rss) / start_rss if start_rss else 0.0
    yield figure(
        "wall_rss_growth_pct",
        growth,
        "%",
        target=5.0,
        higher_is_better=False,
        simulated_minutes=minutes,
        rss_start_kib=start_rss,
        rss_end_kib=end_rss,
        alerts=next(counter),
    )
    wall.close()
