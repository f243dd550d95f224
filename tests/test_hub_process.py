"""The hub as people run it: `salesfloor hub` in its own process, SIGKILLed mid-countdown, restarted."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import sqlalchemy as sa

from models.clock import SystemClock
from models.db import open_database, sqlite_url, write_transaction
from models.floor import Floor
from models.hub_schema import assignments, grab_rounds
from models.privacy import Vault
from models.registry import CustomerRegistry
from models.rules import load_rules
from models.staff import add_staff
from sync.hub.signatures import douyin_signature
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.asyncio
LISTENING = re.compile(r"websocket ws://127\.0\.0\.1:(\d+)/\s+http http://127\.0\.0\.1:(\d+)")


async def wait_until(predicate, timeout: float = 15.0) -> None:
    """Poll a condition until it holds (the hub works in another process), failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def start_hub_process(tmp_path, env) -> tuple[subprocess.Popen, int]:
    """`salesfloor hub` on free ports; returns the process and its HTTP port."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "--data-dir",
            str(tmp_path),
            "--rules",
            str(tmp_path / "rules.toml"),
            "hub",
            "--ws-port",
            "0",
            "--http-port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    line = proc.stdout.readline()
    match = LISTENING.search(line)
    assert match, f"hub did not start: {line!r}"
    return proc, int(match.group(2))


async def test_sigkilled_hub_mid_countdown_is_finished_by_the_next_one(tmp_path):
    (tmp_path / "rules.toml").write_text(
        '[dispatch]\ngrab_seconds = 2\ngrab_fallback = ["assign"]\n[calendar]\nauto_assign_weekdays = []\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "SALESFLOOR_MASTER_KEY": base64.urlsafe_b64encode(TEST_KEY).decode(),
        "SALESFLOOR_SECRET_DOUYIN": "dy",
        "SALESFLOOR_DB": "",
    }
    engine = open_database(sqlite_url(tmp_path / "salesfloor.db"))
    registry = CustomerRegistry(engine, Vault(TEST_KEY), load_rules(tmp_path / "rules.toml"), SystemClock())
    with write_transaction(engine) as conn:
        wang = add_staff(conn, registry.vault, "王磊", "consultant", registry.clock.now())[0]
    Floor(registry).set_status(wang.id, "on_duty", "test")

    first, port = start_hub_process(tmp_path, env)
    try:
        content = {"clue_id": "c1", "telephone": "13812345678", "name": "李敏"}
        raw = json.dumps({"event": "clue.create", "content": content}, ensure_ascii=False).encode()
        headers = {"Msg-Id": "m-1", "X-Douyin-Signature": douyin_signature("dy", raw)}
        req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/douyin", raw, headers, method="POST")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
        first.send_signal(signal.SIGKILL)  # mid-countdown: the round is open, its deadline stored
        first.wait(5)
    finally:
        first.kill()

    def rounds():
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(grab_rounds.c.attempt, grab_rounds.c.status))]

    assert rounds() == [(1, "open")]
    second, _ = start_hub_process(tmp_path, env)
    try:
        await wait_until(lambda: rounds() == [(1, "expired")])
        with engine.connect() as conn:
            rows = conn.execute(sa.select(assignments.c.consultant_id, assignments.c.how)).all()
        assert [tuple(r) for r in rows] == [(wang.id, "fallback")]
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0  # graceful shutdown on SIGTERM
    engine.dispose()
