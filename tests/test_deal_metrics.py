"""Deals on the dashboard: signings and conversion by consultant and channel, channel contribution."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from models.deal_metrics import channel_contribution, deal_rows
from tests.test_deals import at, office, sign  # noqa: F401  (the office fixture: two customers, a consultant)


def test_signings_by_consultant_and_first_channel_and_each_channels_contribution(office, engine, clock):  # noqa: F811
    book, li, wang, staff_id = office
    clock.set(at(20, 9))
    sign(book, li, "3-1502", "3200000", at(5, 14), staff_id, stage="subscription")
    sign(book, li, "3-1502", "3150000", at(9, 16), staff_id)
    sign(book, wang, "5-801", "2000000", at(12, 10), staff_id, stage="subscription")
    november = (date(2026, 11, 1), date(2026, 11, 30))
    with engine.connect() as conn:
        [total] = deal_rows(conn, *november)
        by_consultant = deal_rows(conn, *november, "consultant")
        by_channel = {r.key: r for r in deal_rows(conn, *november, "channel")}
        week = deal_rows(conn, date(2026, 11, 9), date(2026, 11, 9))
        shares = channel_contribution(conn, *november)
        filtered = deal_rows(conn, *november, None, "walk_in")
        nobody = deal_rows(conn, *november, None, None, staff_id + 1)
        none = channel_contribution(conn, date(2026, 10, 1), date(2026, 10, 31))
    assert (total.subscriptions, total.signings, total.signed_amount) == (2, 1, Decimal("3150000.00"))
    assert [(r.key, r.signings) for r in by_consultant] == [(str(staff_id), 1)]
    assert by_channel["douyin"].signings == 1 and by_channel["walk_in"].subscriptions == 1
    assert [(r.subscriptions, r.signings) for r in week] == [(0, 1)]  # only what happened on 11-09
    assert [(r.subscriptions, r.signings) for r in filtered] == [(1, 0)] and nobody == []  # the report's filters
    # 李敏: Douyin lead (0.4) and the agency's report and visit (0.2 + 0.6) -> 1/3 and 2/3
    assert shares == {"agency": Decimal("0.6667"), "douyin": Decimal("0.3333")} and none == {}
    with pytest.raises(ValueError, match="group"):
        deal_rows(conn, *november, "week")
