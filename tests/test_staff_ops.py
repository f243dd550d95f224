"""Staff merges and splits: the right side keeps the customer, splits stick, and the stored partition
always equals a full rebuild, whatever mix of ingests, merges and splits came before."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.clock import BUSINESS_TZ
from models.leads import LeadIn
from models.rebuild import verify_against_database
from models.registry import CustomerRegistry, OperationError
from models.schema import customers, leads

ID_A = "11010519491231002X"
ID_B = "440401199001011766"


def lead(msg: str, *idents: tuple[str, str], minute: int = 0) -> LeadIn:
    """A Douyin lead at 10:mm on 2026-11-20 carrying the given identifiers."""
    when = datetime(2026, 11, 20, 10, minute % 60, tzinfo=BUSINESS_TZ)
    return LeadIn("douyin", msg, "douyin", "online_lead", when, "李敏", list(idents))


def owners(engine) -> dict[int, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(leads.c.id, leads.c.customer_id)).all())


def test_split_keeps_the_customer_with_the_leads_that_stay(registry, engine):
    first = registry.ingest(lead("1", ("mobile", "13812345678")))
    second = registry.ingest(lead("2", ("mobile", "13812345678"), ("wx_union_id", "oU_li_0001")))
    third = registry.ingest(lead("3", ("wx_union_id", "oU_li_0001")))
    changes = registry.split(first.customer_id, [first.lead_id], actor="经理")
    ((kept, new),) = changes.split
    assert kept == first.customer_id
    found = owners(engine)
    assert found[second.lead_id] == found[third.lead_id] == first.customer_id
    assert found[first.lead_id] == new
    assert verify_against_database(engine, registry.rules.match) == []


def test_split_out_of_the_middle_keeps_the_rest_together(registry, engine):
    a = registry.ingest(lead("a", ("mobile", "13812345678")))
    b = registry.ingest(lead("b", ("mobile", "13812345678"), ("wx_union_id", "oU_shared_01")))
    c = registry.ingest(lead("c", ("wx_union_id", "oU_shared_01")))
    registry.split(a.customer_id, [b.lead_id], actor="经理")
    found = owners(engine)
    assert found[a.lead_id] == found[c.lead_id] != found[b.lead_id]
    assert verify_against_database(engine, registry.rules.match) == []


def test_split_out_person_still_matches_on_their_own_identifiers(registry, engine):
    li = registry.ingest(lead("li", ("mobile", "13812345678"), ("wx_open_id", "o_shared_pc_1")))
    wang = registry.ingest(lead("wang", ("mobile", "13912345678"), ("wx_open_id", "o_shared_pc_1")))
    changes = registry.split(li.customer_id, [wang.lead_id], actor="经理", note="共用电脑")
    wang_customer = changes.split[0][1]
    again = registry.ingest(lead("wang2", ("mobile", "13912345678")))
    assert again.customer_id == wang_customer
    assert registry.ingest(lead("li2", ("mobile", "13812345678"))).customer_id == li.customer_id


def test_split_re_resolves_other_customers_behind_a_held_identifier(registry, engine):
    registry.ingest(lead("1", ("national_id", ID_A), ("mobile", "13655556666")))
    two = registry.ingest(lead("2", ("national_id", ID_A)))
    registry.ingest(lead("3", ("national_id", ID_B), ("mobile", "13655556666")))
    registry.ingest(lead("4", ("mobile", "13655556666")))
    registry.split(two.customer_id, [1], actor="经理")
    assert verify_against_database(engine, registry.rules.match) == []


def test_merge_keeps_the_customer_named_keep(registry, engine):
    older = registry.ingest(lead("1", ("mobile", "13812345678")))
    newer = registry.ingest(lead("2", ("mobile", "13912345678")))
    changes = registry.merge(newer.customer_id, older.customer_id, actor="经理")
    assert changes.merged == [(newer.customer_id, older.customer_id)]
    with engine.connect() as conn:
        status = dict(conn.execute(sa.select(customers.c.id, customers.c.status)).all())
    assert status == {older.customer_id: "merged", newer.customer_id: "active"}
    with pytest.raises(OperationError, match="already merged"):
        registry.merge(older.customer_id, newer.customer_id, actor="经理")


def test_identifier_over_the_cap_stops_linking_in_the_database(engine, vault, rules, clock):
    capped = replace(rules, match=replace(rules.match, max_leads_per_identifier=3))
    registry = CustomerRegistry(engine, vault, capped, clock)
    results = [registry.ingest(lead(f"x{i}", ("mobile", "13800000000"))) for i in range(3)]
    assert len({r.customer_id for r in results}) == 1
    registry.ingest(lead("x3", ("mobile", "13800000000")))
    assert len(set(owners(engine).values())) == 4  # the fourth lead pushed it over: nobody links through it
    assert verify_against_database(engine, capped.match) == []


MOBILES = ["13800000001", "13800000002", "13800000003"]
IDS = [ID_A, ID_B]
UNIONS = ["oU_fuzz_0001", "oU_fuzz_0002"]


def _random_lead(rnd: random.Random, i: int) -> LeadIn:
    idents = []
    if rnd.random() < 0.7:
        idents.append(("mobile", rnd.choice(MOBILES)))
    if rnd.random() < 0.3:
        idents.append(("national_id", rnd.choice(IDS)))
    if rnd.random() < 0.4:
        idents.append(("wx_union_id", rnd.choice(UNIONS)))
    return lead(f"f{i}", *idents, minute=i)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000))
def test_any_mix_of_ingests_merges_and_splits_matches_a_rebuild(engine, vault, rules, clock, seed):
    """Random operations on a small identifier pool (lots of collisions), checked after every step."""
    with engine.begin() as conn:
        for table in (
            "review_items",
            "merge_history",
            "manual_links",
            "audit_log",
            "audit_head",
            "reports",
            "touches",
            "identifiers",
            "leads",
            "customers",
        ):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    tight = replace(rules, match=replace(rules.match, max_distinct={**rules.match.max_distinct, "mobile": 2}))
    registry = CustomerRegistry(engine, vault, tight, clock)
    rnd = random.Random(seed)
    for step in range(12):
        op = rnd.random()
        if op < 0.6:
            registry.ingest_many([_random_lead(rnd, step * 10 + k) for k in range(rnd.randint(1, 3))])
        else:
            by_customer: dict[int, list[int]] = {}
            for lead_id, cid in owners(engine).items():
                by_customer.setdefault(cid, []).append(lead_id)
            active = sorted(by_customer)
            if op < 0.8 and len(active) >= 2:
                keep, absorb = rnd.sample(active, 2)
                registry.merge(keep, absorb, actor="fuzz")
            else:
                big = [c for c, ls in by_customer.items() if len(ls) >= 2]
                if big:
                    cid = rnd.choice(big)
                    chosen = rnd.sample(by_customer[cid], rnd.randint(1, len(by_customer[cid]) - 1))
                    registry.split(cid, chosen, actor="fuzz")
        assert verify_against_database(engine, tight.match) == [], f"step {step}"
