"""The desk's deal screens wired into the window: role tabs, intents out, the hub's answers in."""

from __future__ import annotations

import pytest

from models.deal_demo import build_deal_office
from models.deal_wire import to_wire
from models.desk_state import DeskChange, Me, StaffRow
from views.desk_window import DeskWindow


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A small office with deals, statements and a dispute pack, built by the real models."""
    return build_deal_office(tmp_path_factory.mktemp("deals"))


def window_for(qtbot, role: str, office, agency_id=None) -> DeskWindow:
    window = DeskWindow(lambda: office.now, [])
    qtbot.addWidget(window)
    staff = [StaffRow(i, name, "consultant", "on_duty") for i, name in office.consultants]
    window.apply(DeskChange(reset=True, me=Me(1, "张经理", role, agency_id, "on_duty"), staff=staff))
    window.show()
    return window


def tab_titles(window: DeskWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_roles_get_their_deal_screens(qtbot, office):
    assert tab_titles(window_for(qtbot, "consultant", office)) == ["My leads", "Skills", "Deals"]
    assert tab_titles(window_for(qtbot, "broker", office, agency_id=1)) == ["Settlement", "Dispute"]
    assert "Settlement" in tab_titles(window_for(qtbot, "channel_specialist", office))


def test_answers_reach_the_deal_screens_and_intents_leave_as_desk_actions(qtbot, office):
    window = window_for(qtbot, "manager", office)
    desk = window.deal_desk
    window.tabs.setCurrentWidget(desk.deals)
    with qtbot.waitSignal(window.query_requested) as asked:
        desk.refresh()
    assert asked.args[0] == "deal.list"
    window.show_query_result("deal.list", {"deals": to_wire(office.deals)})
    assert desk.deals.model.rowCount() == len(office.deals)
    window.show_query_result("deal.get", {"deal": to_wire(office.detail)})
    fields = {"customer_id": 1, "unit": "5-2-801", "amount": "1980000", "at": office.now.isoformat()}
    with qtbot.waitSignal(window.mutation_requested) as sent:
        desk.deals.record_requested.emit({**fields, "stage": "subscription", "consultant_name": "王磊"})
    assert sent.args[0] == "deal.record" and sent.args[1]["unit"] == "5-2-801"
    window.show_query_result("settlement.list", {"statements": to_wire(office.statements)})
    desk.settlement.table.selectRow(0)
    chosen = desk.settlement.selected_statement()
    window.show_query_result("settlement.list", {"statements": to_wire(office.statements)})  # the 30 s refresh
    assert desk.settlement.selected_statement() == chosen  # the selection survives it
    window.show_query_result("settlement.get", {"statement": to_wire(office.statement)})
    window.show_query_result("settlement.cycle", {"cycle": to_wire(office.cycle)})
    statement_id = office.statement.statement.statement_id
    with qtbot.waitSignal(window.mutation_requested) as moved:
        desk.settlement.transition_requested.emit(statement_id, "paid")
    assert moved.args == ["settlement.transition", {"statement_id": statement_id, "to": "paid"}]
    window.show_query_result("dispute.get", {"pack": office.pack})
    assert window.tabs.currentWidget() is desk.dispute and window.tabs.tabText(window.tabs.currentIndex()) == "Dispute"
    window.show_query_result("deal.get", {"error": "forbidden", "message": "deal #9 is not yours"})
    assert "not yours" in desk.deals.message.text()
