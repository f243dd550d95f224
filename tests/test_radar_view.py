"""pytest-qt tests for the capability radar screen: item models, the picker's intent, the chart, the findings."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator

from app.i18n import install_translator
from models.skill_radar import ConsultantUsage, CycleFinding, build_profile
from views.radar import FindingModel, RadarView, TagTableModel

USAGE = [
    ConsultantUsage(1, "王磊", 40, 16000, {"urgency": 30, "push_close": 12, "greeting": 40, "promise_school": 1}),
    ConsultantUsage(2, "李敏", 35, 21000, {"objection_defuse": 25, "greeting": 36, "escrow": 9, "school_district": 14}),
    ConsultantUsage(3, "陈晨", 20, 9000, {"layout_walkthrough": 22, "school_district": 6, "greeting": 20}),
]
FINDINGS = [
    CycleFinding("competitor_price", "对比竞品价格", 29, 371, 24.8, 37.8, 0.0002, "faster"),
    CycleFinding("layout_dislike", "户型抗性", 23, 377, 46.7, 37.3, 0.004, "slower"),
    CycleFinding("urgency", "紧迫感营造", 32, 368, 36.0, 37.1, 0.41, "no_difference"),
    CycleFinding("school_district", "学区", 6, 394, 30.0, 37.5, None, "not_enough_data"),
]


def test_the_tag_table_passes_the_model_tester_and_shows_rates(qtmodeltester):
    model = TagTableModel()
    qtmodeltester.check(model)
    profile = build_profile(USAGE, 1)
    model.set_rows(profile.top, {d.key: d.name for d in profile.dimensions})
    qtmodeltester.check(model)
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(5)] == [
        "Tag",
        "Dimension",
        "Mine",
        "Team",
        "× team",
    ]
    first = [model.data(model.index(0, c)) for c in range(5)]
    assert first[:2] == ["紧迫感营造", "促成逼定"] and first[2] == f"{30 * 1000 / 16000:.2f}"  # ties: the busier first
    assert model.data(model.index(0, 3), Qt.ItemDataRole.TextAlignmentRole) is not None
    model.set_rows([], {})
    qtmodeltester.check(model)


def test_the_finding_model_passes_the_model_tester_and_speaks_plainly(qtmodeltester):
    model = FindingModel()
    model.set_rows(FINDINGS, 10)
    qtmodeltester.check(model)
    texts = [model.data(model.index(r, 3)) for r in range(model.rowCount())]
    assert texts == [
        "Customers who heard it close 13.0 days faster (p < 0.001)",
        "Customers who heard it close 9.4 days slower (p = 0.004)",
        "No clear difference (p = 0.41)",
        "Not enough data: needs 10 customers on each side",
    ]
    assert model.data(model.index(3, 1)) == "6 / 394"
    assert model.data(model.index(0, 3), Qt.ItemDataRole.ForegroundRole).color().green() > 100


def test_choosing_a_consultant_asks_for_their_profile(qtbot):
    view = RadarView()
    qtbot.addWidget(view)
    view.set_consultants([(u.staff_id, u.name, u.calls) for u in USAGE])
    assert [view.picker.itemText(i) for i in range(3)] == ["王磊 (40 calls)", "李敏 (35 calls)", "陈晨 (20 calls)"]
    with qtbot.waitSignal(view.consultant_chosen) as asked:
        view.choose(2)
    assert asked.args == [2]
    view.set_consultants([(u.staff_id, u.name, u.calls) for u in reversed(USAGE)])
    assert view.picker.currentData() == 2  # a refreshed list keeps the choice
    with qtbot.assertNotEmitted(view.consultant_chosen):
        view.show_profile(build_profile(USAGE, 3))  # showing a profile is not a new request
    assert view.picker.currentData() == 3


def test_the_radar_is_fed_not_rebuilt_and_scales_each_axis_to_the_best(qtbot):
    view = RadarView()
    qtbot.addWidget(view)
    items = (view.chart.mine, view.chart.team)
    view.show_profile(build_profile(USAGE, 1))
    labels = list(view.chart.labels)
    view.show_profile(build_profile(USAGE, 2))
    assert (view.chart.mine, view.chart.team) == items and view.chart.labels == labels and len(labels) == 8
    profile = build_profile(USAGE, 2)
    radius = [math.hypot(p.x(), p.y()) for p in view.chart.mine.polygon()]
    for d, r in zip(profile.dimensions, radius, strict=True):
        assert r == pytest.approx(d.mine / (max(d.best, d.team) or 1.0))
    objection = [d.key for d in profile.dimensions].index("objection")
    assert radius[objection] == pytest.approx(1.0)  # 李敏 is the team's best at objections
    assert labels[objection].textItem.toPlainText().startswith("抗性处理")
    assert (
        "李敏: 35 calls, 21,000 characters" in view.summary.text() and "3 consultants, 95 calls" in view.summary.text()
    )
    assert view.risks.text() == ""
    view.show_profile(build_profile(USAGE, 1))
    assert "承诺学位（违规）×1" in view.risks.text()
    assert view.bottom_model.rows()[0].key in {"objection_defuse", "school_district", "escrow", "layout_walkthrough"}


def test_findings_are_shown_with_a_count_of_clear_differences(qtbot):
    view = RadarView()
    qtbot.addWidget(view)
    view.show_findings(FINDINGS, 10)
    assert view.finding_model.rowCount() == 4
    assert view.findings_box.title().endswith("2 of 4 tags show a clear difference")


def test_the_screen_reads_in_chinese(qtbot, qapp):
    assert install_translator(qapp, "zh_CN") == "zh_CN"
    try:
        view = RadarView()
        qtbot.addWidget(view)
        view.show_profile(build_profile(USAGE, 1))
        view.show_findings(FINDINGS, 10)
        model = view.finding_model
        assert model.data(model.index(0, 3)) == "听到该话术的客户成交快 13.0 天（p < 0.001）"
        assert model.data(model.index(3, 3)) == "数据不足：每组至少需要 10 位客户"
        assert view.top_model.headerData(4, Qt.Orientation.Horizontal) == "为团队的倍数"
        assert "每千字标签数" in view.legend.text() and "本人" in view.legend.text()
        assert view.findings_box.title() == "话术与成交周期（全体顾问）：4 个标签中 2 个差别明显"
    finally:
        for translator in qapp.findChildren(QTranslator):
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("RadarView", "Team") == "Team"
