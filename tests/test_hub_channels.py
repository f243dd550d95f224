"""Channel webhooks against a real hub on port 0: signatures, dedup, bad input, durability, dispatch."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from models.hub_schema import behaviour_events, dead_letters, lead_dispatch
from models.schema import identifiers, leads
from tests.hubkit import enrolled, open_client, post, running_hub, signed

pytestmark = pytest.mark.asyncio


def douyin_lead(phone="13812345678", open_id="dy_open_abc123", clue="c-1", name="李敏") -> dict:
    """A Douyin push with the record as a JSON string in content, as the platform sends it."""
    content = {"clue_id": clue, "telephone": phone, "open_id": open_id, "name": name, "create_time": 1795480800}
    return {"event": "clue.create", "client_key": "awx", "content": json.dumps(content, ensure_ascii=False)}


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


async def test_webhook_lead_reaches_the_assigned_consultants_client(registry):
    async with running_hub(registry) as hub:
        wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        client = await open_client(hub, token)
        await client.call("subscribe", since=hub.hub.last_seq)
        status, body = await post(hub, "/webhooks/douyin", *signed("douyin", douyin_lead(), msg_id="m-1"))
        assert status == 200 and body["ok"] and not body["replayed"]
        event = await client.next_event("lead.assigned")
        assert event["payload"]["consultant_id"] == wang
        lead = event["payload"]["lead"]
        assert lead["channel"] == "douyin" and lead["mobile_masked"] == "138****5678" and lead["name_masked"] == "李*"
        assert "13812345678" not in json.dumps(event, ensure_ascii=False)
        await client.close()


async def test_same_msg_id_three_times_is_one_lead(registry):
    async with running_hub(registry) as hub:
        answers = [
            await post(hub, "/webhooks/douyin", *signed("douyin", douyin_lead(), msg_id="dup")) for _ in range(3)
        ]
        assert [a[0] for a in answers] == [200, 200, 200]
        assert [a[1]["replayed"] for a in answers] == [False, True, True]
        assert len({a[1]["lead_id"] for a in answers}) == 1
        assert count(registry.engine, leads) == 1
        assert count(registry.engine, lead_dispatch) == 1


async def test_douyin_address_check_echoes_the_challenge(registry):
    async with running_hub(registry) as hub:
        body = {"event": "verify_webhook", "client_key": "", "content": {"challenge": 12345}}
        status, answer = await post(hub, "/webhooks/douyin", *signed("douyin", body, msg_id="v"))
        assert status == 200 and answer == {"challenge": 12345}


async def test_bad_signatures_store_nothing(registry):
    async with running_hub(registry) as hub:
        raw, headers = signed("douyin", douyin_lead(), msg_id="x")
        status, body = await post(hub, "/webhooks/douyin", raw, {"Msg-Id": "x"})
        assert status == 401 and "X-Douyin-Signature" in body["error"]
        status, body = await post(hub, "/webhooks/douyin", raw + b" ", headers)
        assert status == 403 and "does not match" in body["error"]
        raw, headers = signed("anjuke", {"data": {"lead_id": "a1", "customer_phone": "13912345678"}})
        headers["X-Signature"] = "0" * 64
        assert (await post(hub, "/webhooks/anjuke", raw, headers))[0] == 403
        assert count(registry.engine, leads) == 0 and count(registry.engine, dead_letters) == 0


async def test_bad_input_is_answered_clearly_and_kept(registry):
    async with running_hub(registry, max_body_bytes=4096) as hub:
        status, body = await post(hub, "/webhooks/nowhere", b"{}", {})
        assert status == 404 and "unknown source" in body["error"]
        status, body = await post(hub, "/webhooks/douyin", *signed("douyin", b'{"content": [1,', msg_id="bad"))
        assert status == 400 and "not valid JSON" in body["error"] and body["dead_letter"]
        status, body = await post(hub, "/webhooks/douyin", *signed("douyin", b"[1, 2]", msg_id="arr"))
        assert status == 400 and "JSON object" in body["error"]
        no_id = {"event": "x", "content": {"name": "张三"}}
        raw, headers = signed("douyin", no_id, msg_id="m")
        del headers["Msg-Id"]
        status, body = await post(hub, "/webhooks/douyin", raw, headers)
        assert status == 400 and "no message id" in body["error"]
        big = {"event": "x", "content": {"name": "a" * 5000}}
        status, body = await post(hub, "/webhooks/douyin", *signed("douyin", big, msg_id="big"))
        assert status == 413
        assert count(registry.engine, leads) == 0
        assert count(registry.engine, dead_letters) == 3
        with registry.engine.connect() as conn:
            blobs = [r.body_enc for r in conn.execute(sa.select(dead_letters))]
        assert all(b"\xe5\xbc\xa0\xe4\xb8\x89" not in blob for blob in blobs)  # 张三 is encrypted at rest


async def test_a_lead_with_an_invalid_identifier_is_stored_with_the_reason(registry):
    async with running_hub(registry) as hub:
        lead = douyin_lead(phone="138123456789", clue="c-9")
        status, body = await post(hub, "/webhooks/douyin", *signed("douyin", lead, msg_id="m-9"))
        assert status == 200
        with registry.engine.connect() as conn:
            rows = conn.execute(
                sa.select(identifiers.c.kind, identifiers.c.status, identifiers.c.reason).where(
                    identifiers.c.lead_id == body["lead_id"]
                )
            ).all()
        bad = [r for r in rows if r.kind == "mobile"]
        assert bad and bad[0].status == "invalid" and bad[0].reason


async def test_same_msg_id_with_a_different_body_is_refused_and_kept(registry):
    async with running_hub(registry) as hub:
        assert (await post(hub, "/webhooks/douyin", *signed("douyin", douyin_lead(), msg_id="k")))[0] == 200
        other = douyin_lead(phone="13987654321")
        status, body = await post(hub, "/webhooks/douyin", *signed("douyin", other, msg_id="k"))
        assert status == 409 and "different payload" in body["error"] and body["dead_letter"]
        assert count(registry.engine, leads) == 1


async def test_mini_program_signature_window_and_nonce(registry, clock):
    now = clock.now().timestamp()
    record = {"record_id": "r1", "phone": "+86 139-1234-5678", "unionid": "o6_union_1", "submit_time": int(now)}
    async with running_hub(registry) as hub:
        status, body = await post(hub, "/webhooks/mini_program", *signed("mini_program", record, now=now, nonce="a"))
        assert status == 200, body
        status, body = await post(hub, "/webhooks/mini_program", *signed("mini_program", record, now=now, nonce="a"))
        assert status == 403 and "already used" in body["error"]
        stale = now - 301
        status, body = await post(hub, "/webhooks/mini_program", *signed("mini_program", record, now=stale, nonce="b"))
        assert status == 403 and "replay window" in body["error"]
        raw, headers = signed("mini_program", record, now=now, nonce="c")
        del headers["X-Nonce"]
        assert (await post(hub, "/webhooks/mini_program", raw, headers))[0] == 401
        assert count(registry.engine, leads) == 1


async def test_behaviour_events_link_to_the_customer_and_reach_the_owner(registry, clock):
    now = clock.now().timestamp()
    async with running_hub(registry) as hub:
        _wang, token = await enrolled(hub, "王磊", "consultant", status="on_duty")
        record = {"record_id": "r1", "phone": "13912345678", "unionid": "o6_union_1", "submit_time": int(now)}
        await post(hub, "/webhooks/mini_program", *signed("mini_program", record, now=now, nonce="n1"))
        client = await open_client(hub, token)
        await client.call("subscribe", since=hub.hub.last_seq)
        view = {
            "message_id": "ev-1",
            "kind": "page_view",
            "page_path": "/pages/price/index",
            "dwell_s": 135,
            "occurred_at": clock.now().isoformat(),
            "identifiers": {"wx_union_id": "o6_union_1"},
        }
        status, body = await post(hub, "/events/mini_program", *signed("mini_program", view, now=now, nonce="n2"))
        assert status == 200 and body["customer_id"] is not None
        event = await client.next_event("behaviour.recorded")
        assert event["payload"]["dwell_s"] == 135
        bad = {**view, "message_id": "ev-2", "dwell_s": -5}
        status, body = await post(hub, "/events/mini_program", *signed("mini_program", bad, now=now, nonce="n3"))
        assert status == 400 and "dwell_s" in body["error"]
        assert count(registry.engine, behaviour_events) == 1
        await client.close()


async def test_health_reports_without_personal_data(registry):
    async with running_hub(registry) as hub:
        import aiohttp

        async with aiohttp.ClientSession() as http, http.get(hub.http_url + "/healthz") as resp:
            body = await resp.json()
        assert resp.status == 200 and body["ok"] and body["dead_letters"] == 0


async def test_an_offices_own_channel_mapping_replaces_the_shipped_one(registry, tmp_path):
    from models.channel_mapping import CHANNELS_DIR

    shipped = (CHANNELS_DIR / "anjuke.toml").read_text(encoding="utf-8")
    own = tmp_path / "channels"
    own.mkdir()  # this office's Anjuke account sends the number as "lianxi_dianhua"
    (own / "anjuke.toml").write_text(
        shipped.replace('mobile = ["customer_phone", "phone", "mobile"]', 'mobile = ["lianxi_dianhua"]'),
        encoding="utf-8",
    )
    async with running_hub(registry, channels_dir=own) as hub:
        raw, headers = signed("anjuke", {"data": {"lead_id": "own-1", "lianxi_dianhua": "13912345678"}})
        status, body = await post(hub, "/webhooks/anjuke", raw, headers)
        assert status == 200, body
        assert count(registry.engine, identifiers, identifiers.c.kind == "mobile") == 1
