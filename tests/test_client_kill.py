"""SIGKILL at a random point: every action whose change set was emitted is in the outbox exactly once.

Five lanes run at once, each SIGKILLing ten child processes in a row on one replica file (so the file
is killed while being created, mid-write, and reopened after a kill); 50 kills in all. A child submits
offline (no hub needed) and prints "saved <mutation_id>" after each change set; the parent kills it
after a random number of those lines and counts what the pipe still held (printed, so owed too).
Children are forked by a fork server subprocess (tests/clientkit.py) that has imported everything
once, so a run costs milliseconds rather than an interpreter start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from sync.client.engine import ClientSettings, SyncEngine
from tests.clientkit import CLOSED_URL, Recorder

pytestmark = pytest.mark.asyncio
LANES, RUNS, COUNT = 5, 10, 20
ROOT = Path(__file__).resolve().parent.parent


class Zygote:
    """The fork server subprocess (tests/clientkit.py) and its output, demultiplexed by run tag."""

    def __init__(self, proc: asyncio.subprocess.Process):
        """Wrap a started fork server."""
        self.proc = proc
        self.lines: dict[str, asyncio.Queue] = {}
        self.killed = 0  # children that died of SIGKILL (the others finished first)
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, tmp_path: Path) -> Zygote:
        """Start `python -m tests.clientkit` with its bytecode cached outside the tree."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.clientkit",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        return cls(proc)

    async def _read(self) -> None:
        while line := await self.proc.stdout.readline():
            tag, _, rest = line.decode().strip().partition(" ")
            self.lines.setdefault(tag, asyncio.Queue()).put_nowait(rest)

    async def close(self) -> None:
        """End the fork server (its stdin closes) and wait for it."""
        self.proc.stdin.close()
        async with asyncio.timeout(10):
            await self.proc.wait()
            await self.reader

    async def run_and_kill(self, replica: Path, tag: str, kill_after: int) -> list[int]:
        """Fork a child; SIGKILL it after `kill_after` saved lines; return every mutation id it printed."""
        lines = self.lines.setdefault(tag, asyncio.Queue())
        self.proc.stdin.write(f"spawn {replica} {tag} {COUNT}\n".encode())
        await self.proc.stdin.drain()
        pid, saved, killed = None, [], False
        async with asyncio.timeout(20):
            while True:
                word, _, arg = (await lines.get()).partition(" ")
                if word == "pid":
                    pid = int(arg)
                elif word == "saved":
                    saved.append(int(arg))
                elif word == "exit":  # reaped: everything it wrote is read
                    self.killed += os.WIFSIGNALED(int(arg)) and os.WTERMSIG(int(arg)) == signal.SIGKILL
                    return saved
                if pid is not None and len(saved) >= kill_after and not killed:
                    with contextlib.suppress(ProcessLookupError):  # it may have finished and exited first
                        os.kill(pid, signal.SIGKILL)
                    killed = True


def outbox_rows(replica: Path) -> tuple[str, list[tuple[int, str, int | None, str]], int]:
    """integrity_check, [(mutation_id, tag, placeholder id, type)], next_mutation_id — read with plain sqlite3."""
    db = sqlite3.connect(replica)
    try:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = []
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone():
            return check, rows, 1  # killed before the tables were committed
        for mid, type_, fields in db.execute("SELECT mutation_id, type, fields FROM outbox ORDER BY mutation_id"):
            body = json.loads(fields)
            tag = body["person"]["name"] if type_ == "visit.register" else body["note"]
            holder = db.execute("SELECT lead_id FROM leads WHERE lead_id = ?", (-mid,)).fetchone()
            rows.append((mid, tag, holder[0] if holder else None, type_))
        nxt = int(db.execute("SELECT value FROM meta WHERE key = 'next_mutation_id'").fetchone()[0])
        return check, rows, nxt
    finally:
        db.close()


async def lane(zygote: Zygote, tmp_path: Path, lane_no: int) -> set[int]:
    """Ten kills in a row on one replica; checks after each; returns every printed mutation id."""
    rng = random.Random(1000 + lane_no)
    replica = tmp_path / f"lane{lane_no}.db"
    printed: set[int] = set()
    for run in range(RUNS):
        tag = f"L{lane_no}R{run}"
        saved = await zygote.run_and_kill(replica, tag, rng.randint(0, COUNT))
        printed.update(saved)
        if not replica.exists():
            assert not printed
            continue
        check, rows, nxt = outbox_rows(replica)
        assert check == "ok"
        mids = [r[0] for r in rows]
        assert printed <= set(mids), f"{tag}: printed but not in the outbox: {sorted(printed - set(mids))}"
        tags = [r[1] for r in rows]
        assert len(tags) == len(set(tags)), f"{tag}: an action stored twice"
        mine = [t for t in tags if t.startswith(tag + "-")]
        assert mine == [f"{tag}-{i}" for i in range(len(mine))], f"{tag}: not a prefix of the submits"
        assert len(mine) >= len(saved)
        assert all(r[2] == -r[0] for r in rows if r[3] == "visit.register"), "a visit without its placeholder"
        assert nxt > max(mids, default=0)
    return printed


async def test_sigkill_at_random_points_never_loses_or_doubles_a_saved_action(tmp_path):
    zygote = await Zygote.start(tmp_path)
    try:
        async with asyncio.TaskGroup() as group:  # one lane failing stops the others
            lanes = [group.create_task(lane(zygote, tmp_path, n)) for n in range(LANES)]
    finally:
        await zygote.close()
    printed = [task.result() for task in lanes]
    print(f"{zygote.killed} of {LANES * RUNS} children SIGKILLed, {sum(map(len, printed))} actions saved")
    assert zygote.killed >= LANES * RUNS * 3 // 4
    assert sum(len(p) for p in printed) > 0
    loop = asyncio.get_running_loop()
    for n, expected in enumerate(printed):  # restart: the engine shows each of them, pending, once
        rec = Recorder(loop)
        cfg = ClientSettings(CLOSED_URL, "t", "kill-desk", tmp_path / f"lane{n}.db", reconnect_min_s=5)
        engine = SyncEngine(cfg, rec)
        engine.start()
        try:
            first = await rec.until(lambda v: v.resets and v)
            pending = {m for m, item in first.outbox.items() if item.state == "pending"}
            assert expected <= pending and first.connection.waiting == len(pending)
            assert all(-m in first.leads for m in pending if first.outbox[m].type == "visit.register")
        finally:
            await asyncio.to_thread(engine.stop)
