"""pytest-qt tests for the policy sandbox screen: every item model (qtmodeltester), the keyboard-first
define dialog checked by the model's rules, start/stop intents by state, and the live comparison fed
without rebuilding its plot items."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from app.i18n import install_translator
from models.clock import BUSINESS_TZ
from models.sandbox_design import ExperimentError, ExperimentSummary, Variant, plan_from_dict
from models.sandbox_stats import SampleRule, VariantCounts, compare
from views.sandbox import ExperimentListModel, SandboxScreen
from views.sandbox_comparison import VariantTableModel
from views.sandbox_dialog import ExperimentDialog

NOW = datetime(2026, 12, 18, 10, 30, tzinfo=BUSINESS_TZ)


def experiment(eid: int, state: str, **change) -> ExperimentSummary:
    """An experiment over December, started on 12-01 unless a draft."""
    start = datetime(2026, 12, 1, 9, 0, tzinfo=BUSINESS_TZ)
    values = {
        "experiment_id": eid,
        "name": f"实验{eid}",
        "policy_key": "discount",
        "hypothesis": "送车位比 9.5 折更能促成认购",
        "share_bp": 500,
        "allow_overlap": False,
        "starts_at": start,
        "stops_at": start + timedelta(days=30),
        "state": state,
        "created_by": "张经理",
        "created_at": start - timedelta(days=2),
        "variants": (Variant("A", "9.5折", 1, 10 * eid), Variant("B", "送车位", 1, 10 * eid + 1)),
        "started_at": None if state == "draft" else start,
        "exposures": 1230,
        "conversions": 82,
    }
    values.update(change)
    return ExperimentSummary(**values)


EXPERIMENTS = [
    experiment(4, "draft", exposures=0, conversions=0, share_bp=1250),
    experiment(3, "running"),
    experiment(2, "stopped", stopped_at=datetime(2026, 12, 10, 18, 0, tzinfo=BUSINESS_TZ)),
]


def comparison(a=(620, 32), b=(610, 50), eid: int = 3):
    """A two-variant comparison as the hub answers it."""
    counts = [VariantCounts("A", "9.5折", *a), VariantCounts("B", "送车位", *b)]
    return compare(counts, SampleRule(), eid, NOW)


def cells(model, column: int) -> list[str]:
    """A column's display texts."""
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


@pytest.fixture
def screen(qtbot):
    """The sandbox screen with three experiments."""
    view = SandboxScreen(lambda: NOW)
    qtbot.addWidget(view)
    view.apply_experiments(EXPERIMENTS)
    return view


def test_the_experiment_list_passes_the_model_tester_and_shows_state_and_window(qtmodeltester):
    model = ExperimentListModel(lambda: NOW)
    qtmodeltester.check(model)
    model.set_experiments(EXPERIMENTS)
    qtmodeltester.check(model)
    assert cells(model, 2) == ["Draft", "Running", "Stopped"]
    assert cells(model, 3) == ["12.5%", "5%", "5%"]
    assert cells(model, 4)[1:] == ["12-01 – 12-31", "12-01 – 12-10"]  # a stop cuts the window short
    assert cells(model, 5)[0] == "A 9.5折 · B 送车位" and cells(model, 6) == ["0", "1230", "1230"]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "送车位比 9.5 折更能促成认购"
    assert model.data(model.index(1, 2), Qt.ItemDataRole.ForegroundRole).color().green() > 100
    model.upsert(replace(EXPERIMENTS[0], state="running", started_at=NOW))
    model.upsert(experiment(5, "draft"))
    qtmodeltester.check(model)
    assert cells(model, 0)[:2] == ["实验5", "实验4"] and cells(model, 2)[:2] == ["Draft", "Running"]
    ended = ExperimentListModel(lambda: NOW + timedelta(days=20))
    ended.set_experiments(EXPERIMENTS[1:2])
    assert cells(ended, 2) == ["Window over"]


def test_the_variant_table_passes_the_model_tester_and_changes_in_place(qtbot, qtmodeltester):
    model = VariantTableModel()
    qtmodeltester.check(model)
    model.set_rows(comparison().rows)
    qtmodeltester.check(model)
    assert cells(model, 4) == ["5.2%", "8.2%"] and cells(model, 5)[0] == "3.7% – 7.2%"
    assert cells(model, 6) == ["control", "+3.0 pp · p=0.033 (z-test)"]
    assert model.data(model.index(1, 6), Qt.ItemDataRole.ForegroundRole).color().green() > 100
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        model.set_rows(comparison(b=(700, 60)).rows)  # the same variants: live figures, no reset
    assert cells(model, 2) == ["620", "700"]
    small = compare([VariantCounts("A", "", 40, 1), VariantCounts("B", "", 40, 3), VariantCounts("C", "", 40, 2)])
    with qtbot.waitSignal(model.modelReset):
        model.set_rows(small.rows)
    qtmodeltester.check(model)
    assert cells(model, 6)[1].endswith("(exact test)") and cells(model, 4)[0] == "2.5%"


def hide_leftover_modals() -> None:
    """Hide application-modal windows earlier tests of the suite left open (a red alert, message boxes):
    while one is up, no other window receives its shortcuts."""
    for _ in range(20):
        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        modal.hide()


def test_buttons_follow_the_state_and_start_stop_are_intents(screen, qtbot, monkeypatch):
    hide_leftover_modals()
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus)  # window shortcuts need the keys in the window
    screen.select(4)
    assert screen.edit_button.isEnabled() and screen.start_button.isEnabled() and not screen.stop_button.isEnabled()
    with qtbot.waitSignal(screen.start_requested) as started:
        qtbot.keyClick(screen.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert started.args == [4]
    with qtbot.waitSignal(screen.experiment_selected) as chosen:
        screen.select(3)
    assert chosen.args == [3]
    assert not screen.edit_button.isEnabled() and screen.stop_button.isEnabled()
    assert screen.open_edit_dialog() is None  # only a draft can be edited
    asked = []
    monkeypatch.setattr(screen, "confirm_stop", lambda e: asked.append(e.experiment_id) or False)
    with qtbot.assertNotEmitted(screen.stop_requested):
        screen.stop_button.click()
    monkeypatch.setattr(screen, "confirm_stop", lambda e: asked.append(e.experiment_id) or True)
    with qtbot.waitSignal(screen.stop_requested) as stopped:
        screen.stop_button.click()
    assert stopped.args == [3] and asked == [3, 3]
    screen.apply_experiments([replace(EXPERIMENTS[1], state="stopped", stopped_at=NOW)], reset=False)
    assert screen.selected_experiment().state == "stopped" and not screen.stop_button.isEnabled()
    assert "Stopped" in screen.heading.text()


def test_the_dialog_is_keyboard_first_and_emits_what_the_model_accepts(screen, qtbot):
    hide_leftover_modals()
    dialog = screen.open_new_dialog()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.focusWidget() is dialog.name
    dialog.name.insert("十二月优惠对比")  # what an input method commits (QTest types ASCII only)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.policy_key
    qtbot.keyClicks(dialog.focusWidget(), "discount")
    dialog.rows[0].policy.setText("9.5折")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # B is still blank: one variant only
    assert dialog.isVisible() and dialog.focusWidget() is dialog.rows[1].name
    assert dialog.error.text() == "at least two variants are needed: the control A and one new policy"
    qtbot.keyClicks(dialog.rows[1].name, "B2")
    qtbot.keyClick(dialog.rows[1].name, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.rows[1].policy
    assert dialog.error.text() == "variant 'B2' has no policy text (e.g. 9.5折, 送车位)"
    dialog.rows[1].policy.insert("送车位")
    dialog.share.setText("0")
    qtbot.keyClick(dialog.rows[1].policy, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.share and "more than 0 %" in dialog.error.text()
    dialog.share.selectAll()
    qtbot.keyClicks(dialog.share, "10")
    dialog.activateWindow()
    dialog.share.setFocus()
    qtbot.waitUntil(dialog.share.hasFocus)  # window shortcuts need the keys in the window
    qtbot.keyClick(dialog.share, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(dialog.rows) == 3 and dialog.rows[2].name.placeholderText() == "C"
    assert dialog.focusWidget() is dialog.rows[2].policy  # a blank third row is left out
    with qtbot.waitSignal(screen.define_requested) as defined:
        qtbot.keyClick(dialog.share, Qt.Key.Key_Return)
    fields = defined.args[0]
    assert fields["experiment_id"] is None and fields["share"] == "10"
    assert [(v["name"], v["policy"]) for v in fields["variants"]] == [("A", "9.5折"), ("B2", "送车位")]
    plan = plan_from_dict(fields, NOW)
    assert plan.share_bp == 1000 and plan.stops_at - plan.starts_at == timedelta(days=30)
    assert not dialog.isVisible()


def test_a_draft_opens_filled_and_a_hub_refusal_lands_on_its_field(screen, qtbot):
    screen.select(4)
    dialog = screen.open_edit_dialog()
    assert dialog.name.text() == "实验4" and dialog.share.text() == "12.5"
    assert [(r.name.text(), r.policy.text()) for r in dialog.rows] == [("A", "9.5折"), ("B", "送车位")]
    assert dialog.starts.dateTime().toPython() == datetime(2026, 12, 1, 9, 0)
    dialog.stops.setDateTime(dialog.stops.dateTime().addDays(10))
    with qtbot.waitSignal(screen.define_requested) as defined:
        dialog.submit()
    assert defined.args[0]["experiment_id"] == 4 and defined.args[0]["stops_at"].startswith("2027-01-10T09:00")
    again = screen.open_edit_dialog()
    again.show_error(
        ExperimentError("overlap", "allow_overlap", other=3, name="实验3", key="discount", start="", stop="")
    )
    assert again.focusWidget() is again.allow_overlap and "declare the overlap" in again.error.text()


def test_the_comparison_is_fed_without_rebuilding_plot_items(screen):
    screen.select(3)
    chart = screen.chart
    items = (chart.bars, chart.errors, list(chart.labels))
    before = set(map(id, chart.getPlotItem().items))
    screen.show_comparison(comparison())
    assert chart.bars.opts["height"] == pytest.approx([100 * 32 / 620, 100 * 50 / 610])
    rows = comparison().rows
    assert list(chart.errors.opts["top"]) == pytest.approx([100 * (r.ci_high - r.rate) for r in rows])
    assert [label.isVisible() for label in chart.labels[:3]] == [True, True, False]
    assert chart.labels[1].textItem.toPlainText() == "8.2%"
    assert chart.getAxis("bottom")._tickLevels == [[(0, "A\n9.5折"), (1, "B\n送车位")]]
    screen.show_comparison(comparison(a=(700, 30), b=(690, 70)))
    assert (chart.bars, chart.errors, list(chart.labels)) == items
    assert set(map(id, chart.getPlotItem().items)) == before
    assert chart.bars.opts["height"][1] == pytest.approx(100 * 70 / 690)
    assert screen.verdict.text().startswith("B converts better than A (10.1% vs 4.3%")
    assert "100 exposed customers and 10 have converted" in screen.note.text() and "12-18 10:30" in screen.note.text()
    screen.show_comparison(comparison(a=(60, 3), b=(61, 5)))
    assert screen.verdict.text().startswith("not enough data")


def test_the_screen_reads_in_chinese(qtbot, qapp):
    assert install_translator(qapp, "zh_CN") == "zh_CN"
    try:
        view = SandboxScreen(lambda: NOW)
        qtbot.addWidget(view)
        view.apply_experiments(EXPERIMENTS)
        view.select(3)
        view.show_comparison(comparison())
        assert view.verdict.text() == comparison().verdict.text("zh")
        assert view.verdict.text() == "B 的成交率高于 A（8.2% 对 5.2%，p=0.033），建议扩大到更多客户"
        assert cells(view.model, 2) == ["草稿", "进行中", "已停止"]
        assert cells(view.variant_model, 6) == ["对照组", "+3.0 个百分点 · p=0.033 (z 检验)"]
        assert view.variant_model.headerData(5, Qt.Orientation.Horizontal) == "95% 置信区间"
        assert "每组曝光满 100 人且合计成交满 10 人后才给出结论" in view.note.text()
        dialog = ExperimentDialog(lambda: NOW)
        qtbot.addWidget(dialog)
        dialog.submit()
        assert dialog.error.text() == "请填写实验名称" and dialog.windowTitle() == "新建实验"
    finally:
        for translator in qapp.findChildren(QTranslator):
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("Sandbox", "Running") == "Running"
