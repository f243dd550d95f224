"""pytest-qt tests for the desk's views: item models (qtmodeltester), each screen's intents and rendering."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView, QWidget

from app.screenshots import NOW, STAFF, floor_change, sample_card, sample_leads
from models.clock import BUSINESS_TZ
from models.desk_state import ConnectionState, DeskChange, GrabOfferState, LeadRow, Me
from models.quick_replies import load_quick_replies
from views.desk_window import DeskWindow, lookup_text
from views.grab_popup import GrabPopup
from views.lead_model import COLUMNS, LEAD_ROLE, URGENT, LeadTableModel
from views.manager import StaffBoardModel
from views.reception import ReceptionDesk
from views.workbench import ConsultantWorkbench


def clock():
    """The screens' frozen 'now'."""
    return NOW


def lead(i: int, minutes_ago: float, **kw) -> LeadRow:
    """A fresh lead received some minutes ago."""
    at = NOW - timedelta(minutes=minutes_ago)
    base = dict(
        lead_id=i,
        customer_id=i,
        channel="douyin",
        kind="online_lead",
        occurred_at=at,
        received_at=at,
        name_masked="李*",
        mobile_masked="138****5678",
        state="assigned",
        consultant_id=1,
    )
    return LeadRow(**{**base, **kw})


def test_lead_model_passes_the_model_tester_through_resets_upserts_and_removals(qtmodeltester):
    model = LeadTableModel(lambda r: r.lead_id != 99, clock)
    model.apply(DeskChange(reset=True, leads=sample_leads()))
    qtmodeltester.check(model)
    model.apply(DeskChange(leads=[lead(500, 1), lead(99, 1)], removed_leads=[100, 101]))
    qtmodeltester.check(model)
    assert {r.lead_id for r in model.rows()} >= {500} and 99 not in {r.lead_id for r in model.rows()}
    assert 100 not in {r.lead_id for r in model.rows()}
    model.apply(DeskChange(leads=[replace(lead(500, 1), first_follow_up_at=NOW)]))
    qtmodeltester.check(model)


def urgency_order(model: LeadTableModel) -> list[int]:
    """Lead ids in the order the table shows them."""
    return [model.index(i, 0).data(LEAD_ROLE).lead_id for i in range(model.rowCount())]


def test_the_lead_model_sorts_itself_and_keeps_new_and_changed_rows_in_place(qtbot, qtmodeltester):
    model = LeadTableModel(None, clock)
    qtmodeltester.check(model, force_py=True)  # watches every signal from here on
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.apply(DeskChange(reset=True, leads=[lead(1, 2), lead(2, 20), lead(3, 8, first_follow_up_at=NOW)]))
    model.sort(COLUMNS.index("age"), Qt.SortOrder.AscendingOrder)
    assert urgency_order(model) == [2, 1, 3]  # unanswered oldest first, then the answered
    view.selectRow(1)  # lead 1
    model.apply(DeskChange(leads=[lead(4, 40)]))  # older and unanswered: goes to the top
    assert urgency_order(model) == [4, 2, 1, 3]
    assert view.currentIndex().data(LEAD_ROLE).lead_id == 1  # the selection follows its lead
    model.apply(DeskChange(leads=[replace(lead(2, 20), first_follow_up_at=NOW)]))  # answered: drops
    assert urgency_order(model) == [4, 1, 3, 2]  # answered ones newest first
    assert view.currentIndex().data(LEAD_ROLE).lead_id == 1
    model.sort(COLUMNS.index("time"), Qt.SortOrder.DescendingOrder)
    assert urgency_order(model) == [1, 3, 2, 4]  # newest first
    model.apply(DeskChange(leads=[lead(5, 5)], removed_leads=[3]))
    assert urgency_order(model) == [1, 5, 2, 4]


def test_a_large_change_set_is_sorted_once_and_ends_in_order(qtmodeltester):
    model = LeadTableModel(None, clock)
    model.apply(DeskChange(reset=True, leads=[lead(i, i % 97) for i in range(1, 1001)]))
    model.sort(COLUMNS.index("age"), Qt.SortOrder.AscendingOrder)
    answered = [replace(lead(i, i % 97), first_follow_up_at=NOW) for i in range(1, 600)]
    fresh = [lead(i, i % 13) for i in range(2000, 2300)]
    model.apply(DeskChange(leads=answered + fresh))
    qtmodeltester.check(model)
    expected = sorted(model.all_rows(), key=lambda r: (model._sort_value(r, "age"), r.lead_id))
    assert urgency_order(model) == [r.lead_id for r in expected]


def test_unanswered_past_five_minutes_turns_red_and_answered_says_so():
    model = LeadTableModel(None, clock)
    model.apply(
        DeskChange(
            reset=True, leads=[lead(1, 4.9), lead(2, 5.1), lead(3, 9, first_follow_up_at=NOW - timedelta(minutes=6))]
        )
    )
    age = COLUMNS.index("age")
    colors = [model.data(model.index(i, age), Qt.ItemDataRole.ForegroundRole) for i in range(3)]
    assert colors[0] is None and colors[1].color() == URGENT and colors[2] is None
    assert model.data(model.index(0, age)) == "4:54"
    assert model.data(model.index(2, age)) == "answered in 3:00"


def test_staff_board_model(qtmodeltester):
    board = StaffBoardModel(clock)
    board.update(STAFF, sample_leads())
    qtmodeltester.check(board)
    assert board.rowCount() == 4  # consultants only
    titles = [board.headerData(i, Qt.Orientation.Horizontal) for i in range(board.columnCount())]
    assert titles == ["Consultant", "Status", "Idle for", "Waiting", "Answered today", "Median first response"]
    assert board.data(board.index(0, 2)) == "47 min"  # 王磊 idle since his last follow-up


def test_reception_hints_as_the_mobile_settles_and_registers_with_enter(qtbot):
    desk = ReceptionDesk(clock)
    qtbot.addWidget(desk)
    with qtbot.waitSignal(desk.hint_requested, timeout=2000) as hint:
        qtbot.keyClicks(desk.mobile, "138 1234 5678")
    assert hint.args == ["138 1234 5678"]
    desk.name.setText("李敏")  # QTest types ASCII only; an input method types Chinese
    with qtbot.waitSignal(desk.visit_requested, timeout=1000) as visit:
        qtbot.keyClick(desk.name, Qt.Key.Key_Return)
    assert visit.args[0] == {
        "person": {"name": "李敏", "mobile": "138 1234 5678", "national_id": ""},
        "kind": "walk_in",
    }
    assert desk.name.text() == "" and desk.mobile.text() == ""


def test_reception_refuses_an_accompanied_visit_without_agency(qtbot):
    desk = ReceptionDesk(clock)
    qtbot.addWidget(desk)
    desk.kind.setCurrentIndex(1)
    qtbot.keyClicks(desk.mobile, "13812345678")
    with qtbot.assertNotEmitted(desk.visit_requested):
        qtbot.keyClick(desk.mobile, Qt.Key.Key_Return)
    assert "agency" in desk.error.text()
    qtbot.keyClicks(desk.agency, "ANJU01")
    with qtbot.waitSignal(desk.visit_requested) as visit:
        qtbot.keyClick(desk.agency, Qt.Key.Key_Return)
    assert visit.args[0]["agency_code"] == "ANJU01" and visit.args[0]["kind"] == "accompanied_visit"


def test_reception_queue_shows_only_todays_visits():
    desk = ReceptionDesk(clock)
    yesterday = lead(7, 60 * 24, kind="walk_in")
    desk.apply(DeskChange(reset=True, leads=[lead(1, 3, kind="walk_in"), lead(2, 3), yesterday]))
    assert [r.lead_id for r in desk.model.rows()] == [1]


def test_workbench_shows_my_leads_most_urgent_first_and_logs_in_two_clicks(qtbot):
    bench = ConsultantWorkbench(clock, load_quick_replies())
    qtbot.addWidget(bench)
    mine = [lead(1, 2), lead(2, 20), lead(3, 8, first_follow_up_at=NOW), lead(4, 30, consultant_id=2)]
    bench.apply(DeskChange(reset=True, me=Me(1, "王磊", "consultant", status="on_duty"), leads=mine))
    order = [bench.model.index(i, 0).data(LEAD_ROLE).lead_id for i in range(bench.model.rowCount())]
    assert order == [2, 1, 3]
    with qtbot.waitSignal(bench.customer_requested) as asked:
        bench.table.selectRow(0)
    assert asked.args == [2]
    bench.replies.setCurrentIndex(1)
    bench.replies.activated.emit(1)
    with qtbot.waitSignal(bench.follow_up_requested) as logged:
        qtbot.mouseClick(bench.kind_buttons.button(0), Qt.MouseButton.LeftButton)
    assert logged.args[0]["lead_id"] == 2 and logged.args[0]["kind"] == "call" and logged.args[0]["note"]
    with qtbot.waitSignal(bench.status_requested) as status:
        qtbot.mouseClick(bench.duty, Qt.MouseButton.LeftButton)
    assert status.args == ["paused"]
    bench.show_customer(sample_card())
    assert "138****5678" in bench.card.toPlainText() and "13812345678" not in bench.card.toPlainText()


def test_grab_popup_counts_down_claims_once_and_shows_who_won(qtbot):
    popup = GrabPopup(clock)
    qtbot.addWidget(popup)
    assert popup.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert popup.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    offer = GrabOfferState(88, lead(1, 0), NOW + timedelta(seconds=15), "open")
    popup.show_offer(offer)
    assert popup.isVisible() and popup.bar.value() == 15000
    with qtbot.waitSignal(popup.claim_requested) as claim:
        qtbot.mouseClick(popup.button, Qt.MouseButton.LeftButton)
    assert claim.args == [88]
    with qtbot.assertNotEmitted(popup.claim_requested):
        popup.claim_by_key()  # already claiming: a second press does nothing
    popup.show_offer(replace(offer, state="lost", winner_name="李敏"))
    assert popup.button.text() == "Taken by 李敏"


def test_grab_popup_does_not_take_focus_from_typing(qtbot):
    window = DeskWindow(clock, load_quick_replies())
    qtbot.addWidget(window)
    window.apply(floor_change("consultant"))
    window.show()
    qtbot.waitExposed(window)
    window.workbench.table.selectRow(0)
    window.workbench.note.setFocus()
    qtbot.keyClicks(window.workbench.note, "visit on Sat")
    window.show_offer(GrabOfferState(9, lead(1, 0), NOW + timedelta(seconds=15), "open"))
    qtbot.keyClicks(window.workbench.note, "urday 10am")
    assert window.workbench.note.text() == "visit on Saturday 10am"
    assert window.grab_popup.isVisible()


def test_desk_window_shows_the_role_connection_and_notices(qtbot):
    window = DeskWindow(clock, load_quick_replies())
    qtbot.addWidget(window)
    window.apply(floor_change("manager"))
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == ["Floor", "Dashboard", "Reception", "Skills", "Policy sandbox", "Deals", "Settlement", "Dispute"]
    window.apply(DeskChange(connection=ConnectionState(False, datetime(2026, 11, 21, 10, 5, tzinfo=BUSINESS_TZ), 3)))
    assert window.connection.text() == "Offline since 10:05 · 3 change(s) waiting"
    window.apply(DeskChange(notices=["离线登记的访客 李* 已归属 王磊"]))
    assert window.notices.isVisibleTo(window) and "王磊" in window.notices.label.text()
    window.notices.dismiss.click()
    assert not window.notices.isVisibleTo(window)
    with qtbot.waitSignal(window.mutation_requested) as sent:
        window.manager.reassign_requested.emit({"lead_id": 1, "to_staff_id": 2, "note": "请假"})
    assert sent.args[0] == "lead.reassign"


def test_duplicate_hint_text_from_hub_and_offline_answers():
    found = {
        "customers": [
            {
                "customer_id": 1,
                "name": "李*",
                "mobile_masked": "138****5678",
                "first_channel": "douyin",
                "first_contact_at": "2026-11-20T02:02:00+00:00",
                "owner_id": 1,
                "owner_name": "王磊",
                "judgement": "首次接触：2026-11-20 10:02 来自抖音",
            }
        ]
    }
    text = lookup_text(found)
    assert "李* 138****5678" in text and "Douyin 11-20 10:02" in text and "王磊" in text
    assert lookup_text({"customers": [], "problems": []}) == "New customer"
    assert "possibly" in lookup_text({"local": [lead(1, 3)]})
    assert lookup_text({"local": []}) == ""


@pytest.fixture(autouse=True)
def _no_leftover_windows(qapp):
    """Close top-level windows a test left open."""
    yield
    for w in qapp.topLevelWidgets():
        if isinstance(w, QWidget) and w.isVisible():
            w.close()


def test_every_ui_string_has_a_chinese_translation():
    """The shipped .ts has no unfinished message: `make translations` fails otherwise."""
    from pathlib import Path

    ts = (Path(__file__).resolve().parent.parent / "resources" / "i18n" / "salesfloor_zh_CN.ts").read_text("utf-8")
    assert ts.count("<message") > 100 and 'type="unfinished"' not in ts


def test_the_chinese_translation_loads(qapp):
    from PySide6.QtCore import QCoreApplication, QTranslator

    from app.i18n import install_translator

    assert install_translator(qapp, "zh_CN") == "zh_CN"
    try:
        assert QCoreApplication.translate("Labels", "Douyin") == "抖音"
        assert QCoreApplication.translate("DeskWindow", "Online") == "在线"
    finally:
        for translator in qapp.findChildren(QTranslator):
            qapp.removeTranslator(translator)


def test_dashboard_feeds_its_plots_without_rebuilding_them_and_drills_down(qtbot):
    from app.screenshots import sample_report
    from views.dashboard import DashboardView

    board = DashboardView(clock)
    qtbot.addWidget(board)
    items = (board.trend_curve, board.hist_bars, board.channel_bars, board.board_bars)
    with qtbot.waitSignal(board.report_requested) as asked:
        board.refresh.click()
    assert asked.args[0]["end"] == "2026-11-21" and asked.args[0]["start"] == "2026-11-08"
    board.show_report(sample_report())
    board.show_report(sample_report())  # a refresh feeds the same items
    assert (board.trend_curve, board.hist_bars, board.channel_bars, board.board_bars) == items
    xs, ys = board.trend_curve.getData()
    assert len(xs) == 14 and ys[-1] == 0.96
    assert list(board.board_bars.opts["height"]) == [0.97, 0.91, 0.78]
    assert "86%" in board.headline.text()
    with qtbot.waitSignal(board.drill_requested) as drill:
        board.drill_consultant(2)
    assert drill.args[0] == {"day": "2026-11-21", "consultant_id": 3}
    board.show_late(
        {
            "leads": [
                {
                    "received_at": "2026-11-21T01:43:00+00:00",
                    "name_masked": "赵*",
                    "mobile_masked": "139****2231",
                    "channel": "douyin",
                }
            ]
        }
    )
    assert board.drill.count() == 1 and "139****2231" in board.drill.item(0).text()
    board.show_report({"error": "offline", "message": "未连接到服务器"})
    assert "未连接" in board.headline.text()


def test_the_workbench_shows_a_customers_policy_offer_and_records_telling_it(qtbot):
    bench = ConsultantWorkbench(clock, load_quick_replies())
    qtbot.addWidget(bench)
    bench.show()
    offer = {"experiment_id": 3, "customer_id": 12, "exposed": True, "variant_name": "B", "policy": "送车位"}
    bench.show_offers([offer, {**offer, "experiment_id": 4, "exposed": False}])
    assert "送车位" in bench.offers.text() and bench.offered.isVisible()
    with qtbot.waitSignal(bench.exposure_requested) as told:
        bench.offered.click()
    assert told.args == [3, 12] and not bench.offered.isVisible()
    bench.show_offers([{**offer, "first_exposed_at": "2026-11-20T10:00:00+08:00"}])
    assert not bench.offered.isVisible() and bench.offers.isVisible()
    bench.show_offers([])
    assert not bench.offers.isVisible()
