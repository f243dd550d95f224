"""Cold start of the desk: process start to the first painted window, in a fresh interpreter each time.

`python -c` runs what `salesfloor desk` runs (QApplication, translator, QSettings, DeskApp, the sync
engine on a replica that already holds leads, the window shown) with an application-wide event filter:
the first QEvent.Paint of any widget of the main window schedules a zero timer that prints time.time(),
so the mark falls after that whole frame is painted. The desk dials the discard port (nothing listens)
and starts offline from its replica, as it does when the hub is down; "leads" marks the first frame
painted after the window applied the replica's reset change set. The baseline is a bare QWidget of
the same size, same method, same run. Each figure is the median over interleaved runs; the clock
starts just before the spawn.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import figure, progress

WATCH = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Watch(QObject):
    def __init__(self, window, leads_too):
        super().__init__()
        self.window, self.painted, self.leads, self.leads_too = window, False, None, leads_too
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is self.window:
            if not self.painted:
                self.painted = True
                QTimer.singleShot(0, lambda: self.say("paint"))
            if self.leads == 0:
                self.leads = -1
                QTimer.singleShot(0, lambda: self.say("leads"))
        return False
    def changed(self, change):
        if change.reset and change.leads and self.leads is None:
            self.leads = 0
            self.window.update()
    def say(self, what):
        print(what, repr(time.time()), flush=True)
        if what == "leads" or not self.leads_too:
            QApplication.quit()
"""
DESK_ENTRY = (
    WATCH
    + """
from pathlib import Path
from PySide6.QtCore import QSettings
from app.desk import DeskApp, HubAddress
from app.i18n import install_translator
data = Path(sys.argv[1])
app = QApplication(sys.argv[:1])
app.setApplicationName("salesfloor")
app.setOrganizationName("salesfloor")
install_translator(app, None)
desk = DeskApp(QSettings(str(data / "desk.ini"), QSettings.Format.IniFormat), data)
watch = Watch(desk.window, True)
app.installEventFilter(watch)
desk.bridge.changed.connect(watch.changed)
desk.start_engine(HubAddress("http://127.0.0.1:9", sys.argv[2]), "offline")
QTimer.singleShot(30000, app.quit)
app.exec()
desk.stop()
"""
)
BARE_ENTRY = (
    WATCH
    + """
app = QApplication(sys.argv[:1])
window = QWidget()
watch = Watch(window, False)
app.installEventFilter(watch)
window.resize(1180, 720)
window.show()
QTimer.singleShot(30000, app.quit)
app.exec()
"""
)
OFFLINE_WS = "ws://127.0.0.1:9/"  # the discard port: the desk starts offline from its replica


def launch(entry: str, *args: str) -> dict[str, float]:
    """Spawn `python -c entry`; seconds from just before the spawn to each line it prints (time.time)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", entry, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    marks = {}
    for line in out.stdout.splitlines():
        what, at = line.split()
        marks[what] = float(at) - started
    if "paint" not in marks:
        raise RuntimeError(f"no first paint reported: {out.stderr[-2000:]}")
    return marks


def desk_folder(folder: Path, name: str, replica: Path) -> Path:
    """A desk data dir whose replica for OFFLINE_WS is a copy of `replica` (named as app.desk names it)."""
    data = folder / name
    data.mkdir()
    target = data / f"replica-{uuid.uuid5(uuid.NAMESPACE_URL, OFFLINE_WS).hex[:12]}.db"
    target.write_bytes(replica.read_bytes())
    return data


def cold_start(folder: Path, replicas: dict[str, tuple[Path, int]], runs: int) -> dict[str, Any]:
    """Median over runs (interleaved) of the desk on each replica and of the bare-widget baseline."""
    marks: dict[str, list[dict[str, float]]] = {name: [] for name in [*replicas, "bare"]}
    for run in range(runs):
        for name, (replica, _) in replicas.items():
            marks[name].append(launch(DESK_ENTRY, str(desk_folder(folder, f"{name}-{run}", replica)), OFFLINE_WS))
        marks["bare"].append(launch(BARE_ENTRY))
    progress(f"cold start: {runs} runs each of {', '.join(marks)}")

    def median(name: str, what: str) -> float | None:
        values = [m[what] for m in marks[name] if what in m]
        return round(statistics.median(values), 3) if len(values) == len(marks[name]) else None

    (name, (_, n)), *others = replicas.items()
    extra = {}
    for other, (_, m) in others:
        extra[f"{other}_paint_s"] = median(other, "paint")
        extra[f"{other}_leads_shown_s"] = median(other, "leads")
        extra[f"{other}_leads"] = m
    value = median(name, "paint")
    return figure(
        "cold_start_s",
        value,
        "s",
        baseline=median("bare", "paint"),
        target=1.5,
        higher_is_better=False,
        leads=n,
        role=name,
        leads_shown_s=median(name, "leads"),
        runs=runs,
        paint_s_all=[round(m["paint"], 3) for m in marks[name]],
        **extra,
    )
