"""pytest-qt tests for the deal screens: every item model (qtmodeltester), the keyboard-first record
dialog, status actions by role, and the dispute view, fed with a real office's figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from models.deal_demo import build_deal_office
from models.deal_records import dispute_timeline
from views.deal_table import RECORD_ROLE
from views.deals import DealsScreen, RecordDealDialog
from views.dispute import DisputeView
from views.settlement import SettlementScreen, cycle_text


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Five customers, deals, statements and a dispute pack, built by the real models."""
    return build_deal_office(tmp_path_factory.mktemp("office"))


def texts(model, column: int) -> list[str]:
    """A column's display texts."""
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_every_deal_screen_model_passes_the_model_tester(qtbot, qtmodeltester, office):
    deals = DealsScreen(lambda: office.now)
    qtbot.addWidget(deals)
    deals.apply_deals(office.deals)
    qtmodeltester.check(deals.model)
    deals.apply_deals([replace(office.deals[0], consultant_name="陈晨")], reset=False)
    qtmodeltester.check(deals.model)
    deals.show_detail(office.detail)
    qtmodeltester.check(deals.split_model)
    settlement = SettlementScreen(lambda: office.now)
    qtbot.addWidget(settlement)
    settlement.apply_statements(office.statements)
    qtmodeltester.check(settlement.model)
    settlement.show_detail(office.statement)
    qtmodeltester.check(settlement.line_model)
    dispute = DisputeView()
    qtbot.addWidget(dispute)
    dispute.show_pack(office.pack)
    qtmodeltester.check(dispute.model)


def test_deals_list_shows_masked_customers_amounts_and_owners(qtbot, office):
    screen = DealsScreen(lambda: office.now)
    qtbot.addWidget(screen)
    screen.apply_deals(office.deals)
    model = screen.model
    assert model.rowCount() == 5
    assert set(texts(model, 0)) == {"B-1203", "A-801", "3-1-1502", "5-2-301", "7-1101"}
    assert all(t.split(" ")[0].endswith("*") for t in texts(model, 1))  # 李* #1: masked
    row = model.row_of(office.detail.deal.deal_id)
    assert model.data(model.index(row, 3)) == "3,150,000.00" and model.data(model.index(row, 8)) == "链家地产"
    assert model.data(model.index(model.row_of(office.deals[1].deal_id), 8)) in ("Office", "我爱我家", "链家地产")
    with qtbot.waitSignal(screen.deal_selected) as picked:
        screen.table.selectRow(screen.proxy.mapFromSource(model.index(row, 0)).row())
    assert picked.args == [office.detail.deal.deal_id]


def test_split_pane_explains_every_line_and_adds_up_to_the_pool(qtbot, office):
    screen = DealsScreen(lambda: office.now)
    qtbot.addWidget(screen)
    screen.show_detail(office.detail)
    split = screen.split_model
    assert texts(split, 0) == ["抖音（王磊）", "链家地产（张经纪）"]
    assert texts(split, 1) == ["0.4", "0.8"] and texts(split, 2) == ["15,750.00", "31,500.00"]
    assert screen.total.text() == "Pool 47,250.00 · split 47,250.00"
    assert "判客归属链家地产" in screen.reasons.text() and "贡献权重 0.8 / 1.2" in screen.reasons.text()
    assert split.data(split.index(1, 0), Qt.ItemDataRole.ToolTipRole).startswith("判客归属链家地产")
    assert "到访为王" in screen.judgement.text()


def test_record_dialog_is_keyboard_first_and_checks_fields(qtbot, office):
    screen = DealsScreen(lambda: office.now)
    qtbot.addWidget(screen)
    screen.set_consultants(office.consultants)
    dialog = screen.open_record_dialog()
    assert dialog.customer.hasFocus() or dialog.focusWidget() is dialog.customer
    qtbot.keyClicks(dialog.customer, "4")
    dialog.unit.insert(" ６")  # full-width digit as a Chinese input method types it
    qtbot.keyClicks(dialog.unit, "-2-1801 ")
    qtbot.keyClicks(dialog.amount, "2,880,000.005")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert "more than two decimals" in dialog.error.text() and dialog.isVisible()
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, "2880000")
    with qtbot.waitSignal(screen.record_requested) as recorded:
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    fields = recorded.args[0]
    assert fields["customer_id"] == 4 and fields["unit"] == "6-2-1801" and fields["amount"] == "2880000.00"
    assert fields["stage"] == "signing" and fields["pool"] is None
    assert (fields["consultant_id"], fields["consultant_name"]) == office.consultants[0]
    assert fields["at"] == "2026-11-21T10:30:00+08:00"
    assert not dialog.isVisible()


def test_record_dialog_refuses_a_bad_unit_and_a_pool_above_the_amount(qtbot, office):
    dialog = RecordDealDialog(lambda: office.now, office.consultants)
    qtbot.addWidget(dialog)
    dialog.customer.setText("#2")
    dialog.unit.setText("3栋;1502")
    dialog.amount.setText("1000000")
    with qtbot.assertNotEmitted(dialog.submitted):
        qtbot.keyClick(dialog.unit, Qt.Key.Key_Return)
    assert "may only contain" in dialog.error.text()
    dialog.unit.setText("3-1502")
    dialog.pool.setText("2000000")
    with qtbot.assertNotEmitted(dialog.submitted):
        qtbot.keyClick(dialog.pool, Qt.Key.Key_Return)
    assert "more than the signed amount" in dialog.error.text()
    dialog.customer.setText("")
    with qtbot.assertNotEmitted(dialog.submitted):
        qtbot.keyClick(dialog.pool, Qt.Key.Key_Return)
    assert dialog.error.text() == "Give the customer's number."


def test_a_selected_subscription_prefills_its_signing(qtbot, office):
    screen = DealsScreen(lambda: office.now)
    qtbot.addWidget(screen)
    screen.set_consultants(office.consultants)
    screen.apply_deals(office.deals)
    subscribed = next(d for d in office.deals if d.state == "subscribed")
    screen.table.selectRow(
        screen.proxy.mapFromSource(screen.model.index(screen.model.row_of(subscribed.deal_id), 0)).row()
    )
    dialog = screen.open_record_dialog()
    assert (dialog.customer.text(), dialog.unit.text(), dialog.amount.text()) == (
        str(subscribed.customer_id),
        "B-1203",
        "2460000.00",
    )
    assert dialog.consultant.currentData() == subscribed.consultant_id and dialog.stage.currentData() == "signing"
    with qtbot.waitSignal(screen.dispute_requested) as asked:
        screen.dispute_button.click()
    assert asked.args == [subscribed.deal_id]


def select(screen: SettlementScreen, agency: str) -> None:
    """Select the statement of an agency."""
    row = next(i for i, s in enumerate(screen.model.records()) if s.agency_name == agency)
    screen.table.selectRow(screen.proxy.mapFromSource(screen.model.index(row, 0)).row())


def test_status_actions_follow_the_next_step_and_the_role(qtbot, office, monkeypatch):
    screen = SettlementScreen(lambda: office.now, "manager")
    qtbot.addWidget(screen)
    screen.apply_statements(office.statements)
    pending = next(s for s in office.statements if s.status == "pending")
    with qtbot.waitSignal(screen.statement_selected) as picked:
        select(screen, pending.agency_name)
    assert picked.args == [pending.statement_id]
    assert screen.confirm_button.isEnabled() and not screen.pay_button.isEnabled()
    with qtbot.waitSignal(screen.transition_requested) as moved:
        screen.confirm_button.click()
    assert moved.args == [pending.statement_id, "confirmed"]
    screen.apply_statements([replace(pending, status="confirmed")], reset=False)
    assert not screen.confirm_button.isEnabled() and screen.pay_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    with qtbot.assertNotEmitted(screen.transition_requested):
        screen.pay_button.click()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(screen.transition_requested) as paid:
        screen.pay_button.click()
    assert paid.args == [pending.statement_id, "paid"]
    select(screen, "我爱我家")  # already paid: nothing to do but export
    assert not screen.confirm_button.isEnabled() and not screen.pay_button.isEnabled()
    with qtbot.waitSignal(screen.export_requested) as exported:
        screen.xlsx_button.click()
    assert exported.args[1] == "xlsx"


def test_a_broker_confirms_only_their_own_agency(qtbot, office):
    pending = next(s for s in office.statements if s.status == "pending")
    screen = SettlementScreen(lambda: office.now, "broker", agency_id=pending.agency_id + 1)
    qtbot.addWidget(screen)
    screen.apply_statements(office.statements)
    select(screen, pending.agency_name)
    assert not screen.confirm_button.isEnabled() and not screen.prepare_button.isVisibleTo(screen)
    screen.set_role("broker", pending.agency_id)
    assert screen.confirm_button.isEnabled() and not screen.pay_button.isEnabled()


def test_prepare_asks_for_a_forward_period_and_shows_the_cycle(qtbot, office):
    screen = SettlementScreen(lambda: office.now, "channel_specialist")
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.prepare_requested) as asked:
        screen.prepare_button.click()
    assert asked.args == [date(2026, 11, 16), date(2026, 11, 21)]  # this week so far
    screen.end.setDate(screen.start.date().addDays(-1))
    with qtbot.assertNotEmitted(screen.prepare_requested):
        screen.prepare_button.click()
    assert screen.message.text() == "The period must run forwards."
    screen.show_cycle(office.cycle)
    assert screen.cycle.text() == cycle_text(office.cycle)
    assert "median 4.7 days · 0 of 1 paid within 3 days · 2 waiting" in screen.cycle.text()
    screen.show_detail(office.statement)
    assert screen.total.text() == "1 deals · total 35,250.00"
    assert texts(screen.line_model, 2) == ["刘*"]


def test_dispute_view_lists_touches_and_decisions_with_verified_hashes(qtbot, office):
    view = DisputeView()
    qtbot.addWidget(view)
    view.show_pack(office.pack)
    records = [view.model.data(view.model.index(r, 0), RECORD_ROLE) for r in range(view.model.rowCount())]
    assert records == dispute_timeline(office.pack)
    kinds = [r.code for r in records if r.kind == "touch"]
    assert kinds == ["online_lead", "report", "accompanied_visit"]
    decisions = [r for r in records if r.kind == "decision"]
    assert {"deal_signed", "commission_split"} <= {r.code for r in decisions}
    assert all(len(r.hash) == 64 and r.hash_ok for r in decisions)
    assert set(texts(view.model, 6)) == {"", "verified"}
    assert view.chain.text().startswith("Evidence chain verified")
    assert "47,250.00" in view.split.text()
    with qtbot.waitSignal(view.export_requested) as asked:
        view.buttons["xlsx"].click()
    assert asked.args == [office.detail.deal.deal_id, "xlsx"]


def test_dispute_view_shows_a_broken_chain(qtbot, office):
    pack = dict(office.pack)
    pack["chain"] = {**pack["chain"], "intact": False, "problems": ["row 5: content does not match its hash (edited)"]}
    pack["decisions"] = [{**d, "hash_ok": d["seq"] != 5} for d in pack["decisions"]]
    view = DisputeView()
    qtbot.addWidget(view)
    view.show_pack(pack)
    assert view.chain.text() == "Evidence chain does NOT verify" and "row 5" in view.chain.toolTip()
    assert "does not match" in texts(view.model, 6)
    assert Decimal(pack["split"]["pool"]) == sum(Decimal(x["amount"]) for x in pack["split"]["lines"])


def test_ctrl_n_opens_the_record_dialog_and_escape_closes_it(qtbot, office):
    screen = DealsScreen(lambda: office.now)
    qtbot.addWidget(screen)
    screen.set_consultants(office.consultants)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus)
    qtbot.keyClick(screen.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible())
    with qtbot.assertNotEmitted(screen.record_requested):
        qtbot.keyClick(screen.dialog.customer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not screen.dialog.isVisible())
