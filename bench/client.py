"""Desk client benchmarks: cold start to the first painted window, a fresh desk's first sync, offline replay.

The hub runs in a process of its own (`python -m bench.client hub DB PORT`: SQLite in a temp dir, the
real clock, timers on), as it does in an office; the desk's sync engine runs here on its own threads.
The hub database is filled by direct inserts (customers, leads, one mobile identifier each, and
`lead_dispatch` rows assigning every lead to one of 20 consultants), received over the last two days
so the whole set is inside the snapshot window; ingesting through the customer core would cost about
50 s per 100,000 leads and measures something else (bench identity).

Figures: `cold_start_s` (bench/desk_start.py: process start to first paint of the real DeskWindow on
the replicas this run produced, baseline: an empty QWidget, same method), `first_sync_100k_s` (a fresh
manager desk, since=0, from engine.start() to the reset change set holding every lead; the hub
sends the snapshot in pages, capped at MAX_SNAPSHOT_LEADS: past it the figure is incomplete, missed),
`replay_10k_s` (a synced consultant desk queues `followup.log` mutations while the hub is down; from
the restarted hub listening (its own time.time()) to the desk's outbox empty; baseline: the same
follow_ups rows inserted with one executemany; `lost`/`duplicated` compare the hub's rows, by their
decrypted notes, with what was submitted). The desk reconnects with its backoff capped at 0.25 s
(`reconnect_s` says how much of the figure that is).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from websockets.sync.client import connect

from bench import desk_start
from bench.common import bench_vault, figure, fresh_sqlite, progress
from models.clock import SystemClock
from models.db import make_engine, sqlite_url, write_transaction
from models.desk_state import DeskChange
from models.hub_schema import follow_ups, lead_dispatch
from models.registry import CustomerRegistry
from models.rules import load_rules
from models.schema import customers, identifiers, leads
from models.snapshot import MAX_SNAPSHOT_LEADS
from models.staff import add_staff, enroll, set_status
from sync.client.engine import ClientSettings, SyncEngine
from sync.hub.config import HubConfig
from sync.hub.server import start_hub
from sync.protocol import PROTOCOL_VERSION

SIZES = {True: (20_000, 2_000, 3), False: (100_000, 10_000, 5)}  # (snapshot leads, replayed mutations, runs)
CONSULTANTS = 20
REPLAY_LEADS = 500  # leads assigned to the consultant whose desk replays its offline work
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CHANNELS = ("douyin", "xiaohongshu", "anjuke", "mini_program", "agency", "walk_in")
WAIT_S = 600.0  # every wait below is bounded by this


# --- the hub ----------------------------------------------------------------------------------------


def serve_hub(db_path: str, port: int) -> None:
    """The child: a real hub on the bench database; says when it listens, stops when stdin closes."""

    async def main() -> None:
        engine = make_engine(sqlite_url(db_path))
        registry = CustomerRegistry(engine, bench_vault(), load_rules(), SystemClock())
        running = await start_hub(registry, HubConfig(ws_port=port, http_port=0), timers=True)
        print(json.dumps({"ws_url": running.ws_url, "ready_at": time.time()}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await running.stop()
        engine.dispose()

    asyncio.run(main())


class HubProcess:
    """The hub child process: started, read until it listens, stopped by closing its stdin."""

    def __init__(self, db_path: Path, port: int):
        """Start the child and wait for its 'listening' line."""
        cmd = [sys.executable, "-m", "bench.client", "hub", str(db_path), str(port)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        if not ready:
            self.stop()
            raise RuntimeError("the hub did not start within 60 s")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the hub exited with {self.proc.wait()}")
        answer = json.loads(line)
        self.ws_url, self.ready_at = answer["ws_url"], answer["ready_at"]

    def stop(self) -> None:
        """Ask the hub to stop; kill it if it does not within 30 s."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    """A TCP port nothing listens on right now (the desk dials it before the hub takes it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the hub's data ---------------------------------------------------------------------------------


def add_people(engine: sa.Engine) -> dict[str, Any]:
    """A manager, consultants on duty, each with a bearer token; returns ids and tokens."""
    vault, now = bench_vault(), SystemClock().now()
    out: dict[str, Any] = {"consultants": []}
    with write_transaction(engine) as conn:
        member, code = add_staff(conn, vault, "张经理", "manager", now)
        out["manager"] = (member.id, enroll(conn, code, "bench", now)[1])
        for i in range(CONSULTANTS):
            member, code = add_staff(conn, vault, f"顾问{i:02d}", "consultant", now)
            set_status(conn, member.id, "on_duty", now)
            out["consultants"].append((member.id, enroll(conn, code, "bench", now)[1]))
    return out


def add_leads(engine: sa.Engine, n: int, consultants: list[int]) -> list[int]:
    """n dispatched leads received over the last two days (direct inserts); ids of the first consultant's."""
    vault, rng, now = bench_vault(), random.Random(5), SystemClock().now()
    blob = vault.encrypt("{}", "bench")  # never read by a snapshot: one opaque blob stands in for each payload
    times = sorted(now - timedelta(seconds=rng.uniform(60, 2 * 86400)) for _ in range(n))
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(leads.c.id), 0))).scalar_one() + 1
    rows: dict[str, list[dict[str, Any]]] = {"c": [], "l": [], "i": [], "d": []}
    mine = []
    for k, received in enumerate(times):
        i, name = first + k, f"{SURNAMES[k % len(SURNAMES)]}*"
        channel = CHANNELS[k % len(CHANNELS)]
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10)}****{rng.randrange(10_000):04d}"
        key = hashlib.sha256(f"bench-{i}".encode()).hexdigest()[:32]
        if k >= n - REPLAY_LEADS:  # the newest: inside the snapshot whatever its cap
            consultant = consultants[0]
            mine.append(i)
        else:
            consultant = consultants[1 + k % (len(consultants) - 1)]
        at = {"created_at": received, "updated_at": received}
        rows["c"].append({"id": i, "name_masked": name, "first_lead_id": i, "first_channel": channel, **at})
        rows["l"].append(
            {
                "id": i,
                "source": channel,
                "source_message_id": f"bench-{i}",
                "customer_id": i,
                "channel": channel,
                "kind": "walk_in" if channel == "walk_in" else "online_lead",
                "occurred_at": received - timedelta(seconds=30),
                "received_at": received,
                "name_masked": name,
                "payload_enc": blob,
                "payload_digest": key,
            }
        )
        rows["i"].append(
            {"lead_id": i, "kind": "mobile", "status": "valid", "blind_index": key, "match_key": f"m:{key}"}
            | {"value_enc": blob, "masked": mobile}
        )
        rows["d"].append(
            {"lead_id": i, "state": "assigned", "mode": "auto", "consultant_id": consultant, "created_at": received}
            | {"assigned_at": received + timedelta(seconds=20), "reason": "空闲最久，自动派单"}
        )
    with write_transaction(engine) as conn:
        for table, key in ((customers, "c"), (leads, "l"), (identifiers, "i"), (lead_dispatch, "d")):
            for start in range(0, n, 5000):
                conn.execute(table.insert(), rows[key][start : start + 5000])
    return mine


# --- the desk ---------------------------------------------------------------------------------------


class DeskProbe:
    """An on_change callback: notes what the bench times (snapshot, online, outbox) and wakes its waits."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.cond = threading.Condition()
        self.online = False
        self.waiting = -1
        self.states: dict[int, str] = {}
        self.snapshot_at: float | None = None
        self.snapshot_leads = 0
        self.expect_leads = 0
        self.first_online_at: float | None = None
        self.empty_at: float | None = None

    def __call__(self, change: DeskChange) -> None:
        """Called on the engine's thread."""
        now = time.time()
        with self.cond:
            full = change.reset and self.expect_leads and len(change.leads) >= self.expect_leads
            if full and self.snapshot_at is None:
                self.snapshot_at, self.snapshot_leads = now, len(change.leads)
            for item in change.outbox:
                self.states[item.mutation_id] = item.state
            if change.connection is not None:
                self.online, self.waiting = change.connection.online, change.connection.waiting
                if self.online and self.first_online_at is None:
                    self.first_online_at = now
                if self.waiting == 0 and self.empty_at is None and self.first_online_at is not None:
                    self.empty_at = now
            self.cond.notify_all()

    def until(self, predicate, what: str) -> None:
        """Block until predicate() holds (checked on every change set), at most WAIT_S."""
        with self.cond:
            if not self.cond.wait_for(predicate, WAIT_S):
                raise RuntimeError(f"timed out waiting for {what}")


def desk(url: str, token: str, client_id: str, replica: Path, probe: DeskProbe) -> SyncEngine:
    """A started sync engine (reconnect backoff capped at 0.25 s, so replay measures the drain)."""
    cfg = ClientSettings(url, token, client_id, replica, reconnect_min_s=0.05, reconnect_max_s=0.25)
    engine = SyncEngine(cfg, probe)
    engine.start()
    return engine


# --- first sync ---------------------------------------------------------------------------------------


def first_sync(folder: Path, hub: HubProcess, token: str, n: int) -> dict[str, Any]:
    """A fresh manager desk (empty replica, since=0): engine.start() to the reset change set with every lead."""
    expect = min(n, MAX_SNAPSHOT_LEADS)
    probe, timing = DeskProbe(), {}
    probe.expect_leads = expect
    engine = SyncEngine(ClientSettings(hub.ws_url, token, "bench-manager", folder / "manager.db"), probe)
    apply_snapshot = engine.store.snapshot

    def timed(snap: dict[str, Any]):
        started = time.perf_counter()
        changes = apply_snapshot(snap)
        timing["apply_s"] = timing.get("apply_s", 0.0) + time.perf_counter() - started  # summed over pages
        timing["received"] = timing.get("received", 0) + len(snap["leads"])
        return changes

    engine.store.snapshot = timed  # the DB worker's share of the figure
    progress(f"first sync: a fresh manager desk subscribing from 0 ({n} leads in the hub's window)")
    started = time.time()
    engine.start()
    try:
        probe.until(lambda: probe.snapshot_at is not None, "the snapshot's reset change set")
    finally:
        engine.stop(60)
    seconds = probe.snapshot_at - started
    complete = timing["received"] >= n
    out = figure(
        "first_sync_100k_s",
        seconds,
        "s",
        target=10,
        higher_is_better=False,
        leads=n,
        delivered=probe.snapshot_leads,
        complete=complete,
        snapshot_cap=MAX_SNAPSHOT_LEADS,
        replica_apply_s=round(timing["apply_s"], 3),
    )
    if not complete:
        out["ok"] = False  # the figure is for every lead; a capped snapshot cannot meet it at any speed
    return out


def hub_snapshot_cost(db_path: Path, manager_id: int) -> dict[str, Any]:
    """Profile only: the hub's snapshot query and its JSON, timed here on the same file."""
    from models.snapshot import snapshot_for
    from models.staff import get_staff
    from sync.protocol import encode

    engine = make_engine(sqlite_url(db_path))
    try:
        with engine.connect() as conn:
            member = get_staff(conn, manager_id)
        started = time.perf_counter()
        snap = snapshot_for(engine, member, HubConfig().snapshot_days)
        built = time.perf_counter() - started
        started = time.perf_counter()
        raw = encode({"type": "snapshot", **snap})
        encoded = time.perf_counter() - started
        started = time.perf_counter()
        json.loads(raw)
        parsed = time.perf_counter() - started
    finally:
        engine.dispose()
    return {
        "hub_query_s": round(built, 3),
        "hub_encode_s": round(encoded, 3),
        "desk_parse_s": round(parsed, 3),
        "snapshot_mb": round(len(raw) / 1e6, 2),
    }


# --- offline replay -----------------------------------------------------------------------------------


def replay(folder: Path, db_path: Path, port: int, staffer: tuple[int, str], mine: list[int], m: int):
    """Queue m follow-ups offline on a synced consultant desk, bring the hub up, time until the outbox is empty."""
    staff_id, token = staffer
    probe = DeskProbe()
    probe.expect_leads = len(mine)
    hub = HubProcess(db_path, port)
    engine = desk(hub.ws_url, token, "bench-replay", folder / "consultant.db", probe)
    notes = [f"bench-replay-{i}" for i in range(m)]
    try:
        probe.until(lambda: probe.online and probe.snapshot_at is not None, "the consultant desk in sync")
        hub.stop()
        probe.until(lambda: not probe.online, "the desk offline")
        progress(f"replay: queueing {m} followup.log offline")
        for i, note in enumerate(notes):
            engine.submit("followup.log", {"lead_id": mine[i % len(mine)], "kind": "note", "note": note})
        probe.until(lambda: probe.waiting == m, "every action in the outbox")
        with probe.cond:
            probe.first_online_at = probe.empty_at = None
        progress("replay: hub up, draining the outbox")
        hub = HubProcess(db_path, port)
        probe.until(lambda: probe.empty_at is not None, "the outbox empty")
    finally:
        engine.stop(60)
        hub.stop()
    states = Counter(probe.states.values())
    lost, duplicated, stored = check_replay(db_path, staff_id, notes)
    progress("replay: the same mutations from a bare websocket client (the hub's own pace)")
    hub_alone = hub_one_in_flight(db_path, port, token, mine, m)
    floor = plain_inserts(db_path, staff_id, mine, notes)
    return figure(
        "replay_10k_s",
        probe.empty_at - hub.ready_at,
        "s",
        baseline=floor,
        target=5,
        higher_is_better=False,
        mutations=m,
        type="followup.log",
        lost=lost,
        duplicated=duplicated,
        stored=stored,
        applied=states["applied"],
        refused=states["refused"],
        reconnect_s=round(probe.first_online_at - hub.ready_at, 3),
        hub_one_in_flight_s=round(hub_alone, 3),
    )


def hub_one_in_flight(db_path: Path, port: int, token: str, mine: list[int], m: int) -> float:
    """Seconds for a bare websocket client (no replica, no subscription) to get m follow-ups answered, one at a time."""
    hub = HubProcess(db_path, port)
    try:
        with connect(hub.ws_url, additional_headers={"Authorization": f"Bearer {token}"}, compression=None) as ws:
            ws.send(json.dumps({"id": 1, "type": "hello", "protocol": PROTOCOL_VERSION, "client_id": "bench-bare"}))
            json.loads(ws.recv(30))
            started = time.perf_counter()
            for i in range(m):
                fields = {"lead_id": mine[i % len(mine)], "kind": "note", "note": f"bare-{i}", "occurred_at": None}
                msg = {"id": i + 2, "type": "followup.log", "client_id": "bench-bare", "mutation_id": i + 1, **fields}
                ws.send(json.dumps(msg))
                reply = json.loads(ws.recv(30))
                if reply.get("type") != "result":
                    raise RuntimeError(f"the hub refused a bare follow-up: {reply}")
            return time.perf_counter() - started
    finally:
        hub.stop()


def check_replay(db_path: Path, staff_id: int, notes: list[str]) -> tuple[int, int, int]:
    """Lost (submitted, not stored) and duplicated (stored more than once) follow-ups, by their notes."""
    engine, vault = make_engine(sqlite_url(db_path)), bench_vault()
    try:
        with engine.connect() as conn:
            q = sa.select(follow_ups.c.note_enc).where(follow_ups.c.staff_id == staff_id)
            seen = Counter(vault.decrypt(blob, "followup.note") for blob in conn.execute(q).scalars())
    finally:
        engine.dispose()
    lost = sum(1 for note in notes if note not in seen)
    duplicated = sum(count - 1 for count in seen.values() if count > 1)
    return lost, duplicated, sum(seen.values())


def plain_inserts(db_path: Path, staff_id: int, mine: list[int], notes: list[str]) -> float:
    """Seconds for one executemany of the same follow_ups rows (notes encrypted before the clock starts)."""
    engine, vault, now = make_engine(sqlite_url(db_path)), bench_vault(), SystemClock().now()
    rows = [
        {"lead_id": lead, "customer_id": lead, "staff_id": staff_id, "kind": "note", "occurred_at": now}
        | {"note_enc": vault.encrypt(note, "followup.note"), "logged_at": now}
        for lead, note in zip((mine[i % len(mine)] for i in range(len(notes))), notes, strict=True)
    ]
    try:
        started = time.perf_counter()
        with write_transaction(engine) as conn:
            conn.execute(follow_ups.insert(), rows)
        return time.perf_counter() - started
    finally:
        engine.dispose()


# --- all figures ------------------------------------------------------------------------------------


def run(quick: bool) -> Iterator[dict[str, Any]]:
    """All client figures, quick or full sizes."""
    n, m, runs = SIZES[quick]
    with tempfile.TemporaryDirectory(prefix="salesfloor-bench-") as tmp:
        folder = Path(tmp)
        engine = fresh_sqlite(folder, "hub")
        people = add_people(engine)
        progress(f"client: inserting {n} dispatched leads into the hub database")
        mine = add_leads(engine, n, [c for c, _ in people["consultants"]])
        engine.dispose()
        port = free_port()
        hub = HubProcess(folder / "hub.db", port)
        try:
            sync = first_sync(folder, hub, people["manager"][1], n)
        finally:
            hub.stop()
        sync.update(hub_snapshot_cost(folder / "hub.db", people["manager"][0]))
        replayed = replay(folder, folder / "hub.db", port, people["consultants"][0], mine, m)
        replicas = {
            "consultant": (folder / "consultant.db", len(mine)),
            "manager": (folder / "manager.db", sync["delivered"]),
        }
        yield desk_start.cold_start(folder, replicas, runs)
        yield sync
        yield replayed


if __name__ == "__main__":
    if sys.argv[1:2] == ["hub"]:
        serve_hub(sys.argv[2], int(sys.argv[3]))
