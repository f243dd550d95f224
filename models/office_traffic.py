"""A sales office's traffic for the demo office: channel webhooks, front-desk visits, behaviour.

Pure: from the synthetic generator's leads (real-looking Chinese names, the same person arriving
through several channels, agencies reporting customers) to the bodies each channel really posts,
spread over time at a pace a viewer can follow, plus how fast each consultant answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime

from models.leads import Channel, LeadIn, TouchKind
from models.synthetic import generate_leads

# what each channel's webhook calls its fields (resources/channels/*.toml)
_BODY_IDENTIFIERS = {
    "douyin": {"mobile": "telephone", "douyin_open_id": "open_id"},
    "anjuke": {"mobile": "customer_phone", "anjuke_member_id": "member_id", "idfa": "idfa", "gaid": "gaid"},
    "xiaohongshu": {"mobile": "phone", "browser_fp": "fingerprint", "idfa": "idfa", "gaid": "gaid"},
    "mini_program": {"mobile": "phone", "wx_union_id": "unionid", "wx_open_id": "openid", "browser_fp": "fingerprint"},
    "generic": {"mobile": "mobile", "national_id": "national_id"},
}
WEBHOOK_SOURCE = {
    Channel.DOUYIN: "douyin",
    Channel.ANJUKE: "anjuke",
    Channel.XIAOHONGSHU: "xiaohongshu",
    Channel.MINI_PROGRAM: "mini_program",
    Channel.AGENCY: "generic",
}
PLAN_IDS = ("A1-89㎡", "B2-105㎡", "C3-128㎡", "D1-143㎡")


@dataclass(frozen=True)
class Arrival:
    """Something that happens at the office `at_s` seconds into the run; its body is made when it happens."""

    at_s: float
    kind: str  # "webhook", "visit" (registered at the front desk) or "behaviour"
    lead: LeadIn
    message_id: str
    behaviour: dict | None = None

    def source_and_body(self, now: datetime) -> tuple[str, dict]:
        """Where it goes and what is posted, stamped `now`."""
        lead = replace(self.lead, occurred_at=now)
        if self.kind == "visit":
            return "reception", visit_fields(lead)
        if self.kind == "behaviour":
            return "mini_program", {**(self.behaviour or {}), "occurred_at": now.isoformat()}
        return webhook_body(lead, self.message_id)


def _stamp(at: datetime) -> int:
    return int(at.timestamp())


def webhook_body(lead: LeadIn, message_id: str) -> tuple[str, dict]:
    """The source and the JSON body its channel would post for this lead."""
    source = WEBHOOK_SOURCE[lead.channel]
    ids = {_BODY_IDENTIFIERS[source][k]: v for k, v in lead.identifiers if k in _BODY_IDENTIFIERS[source]}
    at = lead.occurred_at
    if source == "douyin":
        return source, {"content": {"clue_id": message_id, "create_time": _stamp(at), "name": lead.name, **ids}}
    if source == "anjuke":
        return source, {"data": {"lead_id": message_id, "create_time": _stamp(at), "customer_name": lead.name, **ids}}
    if source == "xiaohongshu":
        return source, {"form_id": message_id, "submit_time": _stamp(at), "name": lead.name, **ids}
    if source == "mini_program":
        return source, {"record_id": message_id, "submit_time": _stamp(at), "name": lead.name, **ids}
    agency = {"agency_code": lead.agency_code, "broker_code": lead.broker_code, "report_code": lead.report_code}
    body = {"message_id": message_id, "occurred_at": at.isoformat(), "name": lead.name, **agency, **ids}
    return source, {k: v for k, v in body.items() if v is not None}


def visit_fields(lead: LeadIn) -> dict:
    """What reception types for a walk-in or an accompanied visit (the desk's `visit.register`)."""
    found = dict(lead.identifiers)
    accompanied = lead.kind is TouchKind.ACCOMPANIED_VISIT
    fields = {
        "kind": "accompanied_visit" if accompanied else "walk_in",
        "person": {"name": lead.name, "mobile": found.get("mobile", ""), "national_id": found.get("national_id", "")},
    }
    if accompanied:
        fields |= {"agency_code": lead.agency_code or "", "broker_code": lead.broker_code or ""}
    return fields


def _behaviour(lead: LeadIn, rng: random.Random, at_s: float, n: int) -> Arrival | None:
    """A page view of the price page (some for minutes) or a saved floor plan, from an online lead's device."""
    found = dict(lead.identifiers)
    link = {k: found[k] for k in ("wx_union_id", "browser_fp", "mobile") if k in found}
    if not link or lead.channel not in (Channel.MINI_PROGRAM, Channel.XIAOHONGSHU) or rng.random() > 0.5:
        return None
    body: dict = {"message_id": f"demo-ev-{n}", "identifiers": link}
    if rng.random() < 0.6:
        body |= {"kind": "page_view", "page_path": "/price", "dwell_s": rng.choice((40, 95, 150, 210))}
    else:
        body |= {"kind": "favourite_plan", "plan_id": rng.choice(PLAN_IDS), "dwell_s": 0}
    return Arrival(at_s, "behaviour", lead, body["message_id"], body)


def office_traffic(n_leads: int, seed: int, start: datetime, span_s: float) -> list[Arrival]:
    """n leads (and the behaviour that follows some of them) spread over `span_s` seconds, in time order."""
    rng = random.Random(seed)
    leads = [s.lead for s in generate_leads(n_leads, seed, start, days=1.0)]
    gaps = [rng.expovariate(1.0) for _ in leads]
    scale = span_s / max(sum(gaps), 1e-9)
    out: list[Arrival] = []
    at = 0.0
    for i, (lead, gap) in enumerate(zip(leads, gaps, strict=True)):
        at += gap * scale
        message_id = f"demo-{seed}-{i}"
        visit = lead.channel is Channel.WALK_IN or lead.kind in (TouchKind.ACCOMPANIED_VISIT, TouchKind.WALK_IN)
        out.append(Arrival(at, "visit" if visit else "webhook", lead, message_id))
        event = None if visit else _behaviour(lead, rng, at + scale * rng.uniform(0.2, 0.8), i)
        if event is not None:
            out.append(event)
    return sorted(out, key=lambda a: a.at_s)


def response_delay_s(rng: random.Random) -> float | None:
    """How long a consultant takes to call a new lead back: mostly minutes, some late, a few never."""
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.20:
        return rng.uniform(5 * 60, 40 * 60)
    return min(rng.lognormvariate(4.4, 0.6), 290.0)  # median about 80 s


def grab_delay_s(rng: random.Random) -> float:
    """How long a consultant takes to hit 抢单 when the pool offers a lead."""
    return rng.uniform(1.5, 12.0)
