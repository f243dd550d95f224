"""Temporary: seed scenario smoke test."""
from datetime import datetime

from models.clock import BUSINESS_TZ
from models.leads import LeadIn


def test_three_touches_one_customer(registry):
    t = lambda h, m: datetime(2026, 11, 20, h, m, tzinfo=BUSINESS_TZ)  # noqa: E731
    r1 = registry.ingest(LeadIn("douyin", "1", "douyin", "online_lead", t(9, 0), "李敏", [("mobile", "13812345678")]))
    r2 = registry.ingest(LeadIn("mp", "1", "mini_program", "online_lead", t(14, 0), "李敏", [("mobile", "+86 138-1234-5678")]))
    assert r1.customer_id == r2.customer_id
