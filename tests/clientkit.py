"""Test helpers for the desk's sync engine: a recorder that folds change sets into what a view would
show and lets async tests wait for a condition, and the child process the kill test SIGKILLs.

    python -m tests.clientkit     # a fork server: 'spawn REPLICA TAG COUNT' lines in, tagged child output out
"""

from __future__ import annotations

import asyncio
import os
import selectors
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.desk_state import AlertRow, ConnectionState, DeskChange, GrabOfferState, LeadRow, Me, OutboxItem, StaffRow
from sync.client.engine import ClientSettings, SyncEngine

CLOSED_URL = "ws://127.0.0.1:9/"  # the discard port: nothing listens, connecting fails at once


@dataclass
class DeskView:
    """What the views would show after applying every change set in order."""

    leads: dict[int, LeadRow] = field(default_factory=dict)
    staff: dict[int, StaffRow] = field(default_factory=dict)
    outbox: dict[int, OutboxItem] = field(default_factory=dict)
    offers: dict[int, GrabOfferState] = field(default_factory=dict)
    alerts: dict[int, AlertRow] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    me: Me | None = None
    connection: ConnectionState | None = None
    resets: int = 0

    def apply(self, change: DeskChange) -> None:
        """Fold one change set in, as a view model would."""
        if change.reset:
            self.resets += 1
            self.leads, self.staff, self.outbox, self.offers, self.alerts = {}, {}, {}, {}, {}
        self.me = change.me or self.me
        for lead_id in change.removed_leads:
            self.leads.pop(lead_id, None)
        self.leads.update({row.lead_id: row for row in change.leads})
        self.staff.update({row.id: row for row in change.staff})
        self.outbox.update({item.mutation_id: item for item in change.outbox})
        self.offers.update({offer.round_id: offer for offer in change.offers})
        self.alerts.update({a.alert_id: a for a in change.alerts})
        self.notices += change.notices
        self.connection = change.connection or self.connection


class Recorder:
    """An on_change callback: keeps every change set and the folded view; async tests await conditions."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None):
        """Bind to the test's event loop (the hub runs there) to wake waiters thread-safely."""
        self.loop = loop
        self.changes: list[DeskChange] = []
        self.view = DeskView()
        self._lock = threading.Lock()
        self._wake = asyncio.Event()
        self.threads: set[str] = set()

    def __call__(self, change: DeskChange) -> None:
        """Called from the engine's thread."""
        with self._lock:
            self.threads.add(threading.current_thread().name)
            self.changes.append(change)
            self.view.apply(change)
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake.set)

    async def until(self, predicate, timeout: float = 10.0, what: str = "condition") -> Any:
        """Wait (without blocking the loop) until predicate(view) is truthy; returns its value."""
        async with asyncio.timeout(timeout):
            while True:
                self._wake.clear()
                with self._lock:
                    value = predicate(self.view)
                if value:
                    return value
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    raise AssertionError(f"timed out waiting for {what}; view: {self.view}") from None


def settings(tmp_path: Path, url: str, token: str, client_id: str, name: str = "replica.db") -> ClientSettings:
    """Engine settings for tests: quick reconnects."""
    return ClientSettings(url, token, client_id, tmp_path / name, reconnect_min_s=0.05, reconnect_max_s=0.3)


def online(view: DeskView) -> bool:
    """The engine is connected and has its identity."""
    return bool(view.connection and view.connection.online and view.me)


def visit(name: str, mobile: str) -> dict[str, Any]:
    """The fields of a walk-in registration."""
    return {"person": {"name": name, "mobile": mobile}, "kind": "walk_in"}


def child(replica: str, tag: str, count: int, say) -> None:
    """Submit `count` actions offline; say 'saved <mutation_id>' once each one's change set arrives."""
    done = threading.Event()
    earlier: set[int] = set()
    printed: set[int] = set()

    def on_change(change: DeskChange) -> None:
        if change.reset:  # what earlier runs left: not saved by this one
            earlier.update(item.mutation_id for item in change.outbox)
            return
        for item in change.outbox:
            if item.state == "pending" and item.mutation_id not in printed | earlier:
                printed.add(item.mutation_id)
                say(f"saved {item.mutation_id}")
        if len(printed) >= count:
            done.set()

    cfg = ClientSettings(CLOSED_URL, "token", "kill-desk", Path(replica), reconnect_min_s=5, reconnect_max_s=5)
    engine = SyncEngine(cfg, on_change)
    engine.start()
    say("ready")
    for i in range(count):
        if i % 3 == 2:
            engine.submit("followup.log", {"lead_id": 1000 + i, "kind": "note", "note": f"{tag}-{i}"})
        else:
            engine.submit("visit.register", visit(f"{tag}-{i}", f"1391234{i % 10000:04d}"))
    done.wait(30)
    engine.stop()


def zygote() -> None:
    """A fork server: for each 'spawn REPLICA TAG COUNT' line on stdin, fork a child running `child`.

    Forking from a process that has already imported everything makes each run cost milliseconds
    instead of an interpreter start. No threads run here (so forking is safe); output goes through
    os.write of whole lines, tagged, so the children's lines interleave safely on one pipe. Reports
    '<tag> pid N' after the fork and '<tag> exit STATUS' once the child is reaped: every line the
    child wrote precedes that one on the pipe.
    """
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    running: dict[int, str] = {}
    pending = b""
    with selectors.DefaultSelector() as sel:
        sel.register(0, selectors.EVENT_READ)
        sel.register(wake_r, selectors.EVENT_READ)
        while True:
            for key, _ in sel.select():
                if key.fd == wake_r:
                    os.read(wake_r, 512)
                    _reap(running)
                    continue
                data = os.read(0, 4096)
                if not data:
                    return
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    _, replica, tag, count = line.decode().split()
                    pid = os.fork()
                    if pid == 0:
                        signal.set_wakeup_fd(-1)
                        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                        try:
                            child(replica, tag, int(count), lambda text, tag=tag: _say(f"{tag} {text}"))
                        finally:
                            os._exit(0)
                    running[pid] = tag
                    _say(f"{tag} pid {pid}")


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def _reap(running: dict[int, str]) -> None:
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _say(f"{running.pop(pid)} exit {status}")


if __name__ == "__main__":
    zygote()
