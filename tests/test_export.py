"""Export any table to XLSX and CSV: the files hold what the table shows (sorted, filtered, visible
columns in screen order, masked cells), written off the GUI thread; an unwritable path says why."""

from __future__ import annotations

import csv
import time as wallclock
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QTableView

from models.clock import BUSINESS_TZ
from models.desk_state import DeskChange, LeadRow, StaffRow
from models.table_export import ExportError, TableData, Typed, column_widths, write_table
from views.dashboard import DashboardView
from views.export import TableExporter, exporter_of
from views.manager import ManagerView

NOW = datetime(2026, 11, 21, 10, 30, tzinfo=BUSINESS_TZ)
STAFF = [
    StaffRow(1, "王磊", "consultant", "on_duty", last_follow_up_at=NOW - timedelta(minutes=47)),
    StaffRow(2, "李敏", "consultant", "on_duty", last_follow_up_at=NOW - timedelta(minutes=8)),
    StaffRow(5, "张经理", "manager", "on_duty"),
]


def lead_rows(n: int = 6) -> list[LeadRow]:
    """Leads 100.. with masked names and mobiles; every even one already answered."""
    names = ["李*", "张*", "欧***", "王*", "刘*", "陈*"]
    rows = []
    for i in range(n):
        received = NOW - timedelta(minutes=3 + i * 7)
        rows.append(
            LeadRow(
                lead_id=100 + i,
                customer_id=400 + i,
                channel=("douyin", "anjuke", "walk_in")[i % 3],
                kind="walk_in" if i % 3 == 2 else "online_lead",
                occurred_at=received,
                received_at=received,
                name_masked=names[i % len(names)],
                mobile_masked=f"138****{1000 + i:04d}",
                state="assigned",
                consultant_id=1 + i % 2,
                consultant_name=("王磊", "李敏")[i % 2],
                assigned_at=received,
                first_follow_up_at=received + timedelta(minutes=2) if i % 2 == 0 else None,
            )
        )
    return rows


@pytest.fixture
def manager(qtbot):
    """The manager's screen with six leads and the status board."""
    view = ManagerView(lambda: NOW)
    qtbot.addWidget(view)
    view.apply(DeskChange(reset=True, leads=lead_rows(), staff=STAFF), STAFF)
    view.resize(1100, 700)
    return view


def shown(view: QTableView) -> tuple[list[str], list[list[str]]]:
    """What the view shows: visible headers in screen order and each visible row's text."""
    model, header = view.model(), view.horizontalHeader()
    columns = [header.logicalIndex(v) for v in range(header.count())]
    columns = [c for c in columns if not header.isSectionHidden(c)]
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in columns]
    rows = [[model.index(r, c).data() or "" for c in columns] for r in range(model.rowCount())]
    return titles, rows


def export(qtbot, exporter: TableExporter, path: Path) -> int:
    """Export to `path` and wait for the worker; returns the rows written."""
    exporter.notify = False
    with qtbot.waitSignal(exporter.export_finished, timeout=20_000) as done:
        exporter.export_to(str(path))
    return done.args[1]


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens Chinese correctly
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_a_sorted_filtered_table_is_exported_as_shown(qtbot, manager, tmp_path):
    table = manager.table
    manager.filter.setCurrentIndex(manager.filter.findData("waiting"))  # only the three unanswered
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # by customer, descending
    header = table.horizontalHeader()
    header.hideSection(6)  # consultant column hidden
    header.moveSection(1, 0)  # mobile first
    titles, rows = shown(table)
    assert len(rows) == 3 and titles[0] == "Mobile" and "Consultant" not in titles
    exporter = exporter_of(table)
    assert export(qtbot, exporter, tmp_path / "leads.xlsx") == 3
    assert export(qtbot, exporter, tmp_path / "leads.csv") == 3

    assert read_csv(tmp_path / "leads.csv") == [titles, *rows]
    sheet = load_workbook(tmp_path / "leads.xlsx").active
    cells = [[("" if c.value is None else str(c.value)) for c in r] for r in sheet.iter_rows()]
    assert cells == [titles, *rows]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert [r[0] for r in rows] == ["138****1005", "138****1003", "138****1001"]  # masked, 陈* 王* 张* descending
    assert sheet.column_dimensions["A"].width >= 11  # "138****1005" fits


def test_numbers_become_numbers_in_the_workbook(qtbot, manager, tmp_path):
    exporter = manager.board_export
    export(qtbot, exporter, tmp_path / "board.xlsx")
    sheet = load_workbook(tmp_path / "board.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Consultant", "Status", "Idle for", "Waiting", "Answered today", "Median first response")
    assert rows[1][:5] == ("王磊", "On duty", "47 min", 0, 3)  # "3" shown, 3 stored
    assert rows[2][3] == 3 and isinstance(rows[2][3], int)
    assert [r[0] for r in rows[1:]] == ["王磊", "李敏"]  # the manager is not on the consultant board


def test_the_menu_the_button_and_ctrl_e(qtbot, manager, tmp_path, monkeypatch):
    table = manager.table
    exporter = exporter_of(table)
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert exporter.action in table.actions() and exporter.action.text() == "Export…"
    asked = []

    def save_dialog(parent, caption, proposed, filters, selected):
        asked.append((proposed, filters))
        return str(tmp_path / "by-key"), "CSV, UTF-8 (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    exporter.notify = False
    manager.show()
    qtbot.waitExposed(manager)
    manager.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    with qtbot.waitSignal(exporter.export_finished, timeout=20_000) as done:
        qtbot.keyClick(table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert done.args == [str(tmp_path / "by-key.csv"), 6]  # the chosen filter gives the suffix
    assert asked[0][0].endswith(".xlsx") and "Leads-20" in Path(asked[0][0]).name and "*.csv" in asked[0][1]
    assert manager.export_button.text() == "Export…" and manager.export_button.isVisible()
    with qtbot.waitSignal(exporter.export_finished, timeout=20_000):
        manager.export_button.click()
    assert len(asked) == 2


def test_an_unwritable_path_gives_a_clear_error(qtbot, manager, tmp_path):
    exporter = exporter_of(manager.table)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    exporter.notify = False
    with qtbot.waitSignal(exporter.export_failed, timeout=20_000) as failed:
        exporter.export_to(str(blocker / "leads.xlsx"))
    assert failed.args[0] == f"Could not export to {blocker / 'leads.xlsx'}: part of the path is a file, not a folder"
    with qtbot.waitSignal(exporter.export_failed, timeout=20_000) as failed:
        exporter.export_to(str(tmp_path / "missing" / "leads.csv"))
    assert failed.args[0].endswith("the folder does not exist")
    with qtbot.waitSignal(exporter.export_failed, timeout=20_000) as failed:
        exporter.export_to(str(tmp_path / "leads.pdf"))
    assert failed.args[0].endswith("only .xlsx and .csv files can be written")
    assert exporter.action.isEnabled() and list(tmp_path.iterdir()) == [blocker]  # no half-written file


def test_the_person_is_told_where_the_file_went(qtbot, manager, tmp_path):
    exporter = exporter_of(manager.table)
    with qtbot.waitSignal(exporter.export_finished, timeout=20_000):
        exporter.export_to(str(tmp_path / "told.csv"))
    assert exporter.notice is not None and str(tmp_path / "told.csv") in exporter.notice.text()
    assert "6 row(s)" in exporter.notice.text() and not exporter.notice.isModal()
    exporter.notice.close()


def test_the_dashboard_leaderboard_and_drill_down(qtbot, tmp_path):
    dash = DashboardView(lambda: NOW)
    qtbot.addWidget(dash)
    people = [
        {"key": "王磊", "leads": 42, "answered": 40, "rate_5": 0.97, "unanswered_late": 2, "consultant_id": 1,
         "median_s": 150.0, "visits": 3, "signings": 2, "conversion": 2 / 42},
        {"key": "李敏", "leads": 38, "answered": 30, "rate_5": 0.815, "unanswered_late": 5, "consultant_id": 2,
         "median_s": None, "visits": 0, "signings": 0, "conversion": 0.0},
    ]  # fmt: skip
    dash.show_report({"total": people[0], "by_day": [], "by_consultant": people, "by_channel": [], "histogram": {}})
    received = datetime(2026, 11, 21, 1, 43, tzinfo=UTC)
    card = {
        "received_at": received.isoformat(),
        "name_masked": "赵*",
        "mobile_masked": "139****2231",
        "channel": "douyin",
    }
    dash.show_late({"leads": [card]})
    assert dash.board_export.action in dash.board.getPlotItem().vb.menu.actions()
    export(qtbot, dash.board_export, tmp_path / "board.xlsx")
    rows = list(load_workbook(tmp_path / "board.xlsx").active.iter_rows(values_only=True))
    assert rows[1][:8] == ("王磊", 42, 40, 0.97, 2, 2.5, 3, 2) and rows[2][3] == 0.815 and rows[2][5] is None
    assert abs(rows[1][8] - 2 / 42) < 1e-9  # conversion typed as a share
    export(qtbot, dash.board_export, tmp_path / "board.csv")
    assert read_csv(tmp_path / "board.csv")[2] == ["李敏", "38", "30", "82%", "5", "", "0", "0", "0%"]  # as shown
    export(qtbot, dash.drill_export, tmp_path / "late.xlsx")
    [_head, row] = list(load_workbook(tmp_path / "late.xlsx").active.iter_rows(values_only=True))
    assert row == (datetime(2026, 11, 21, 9, 43), "赵*", "139****2231", "Douyin")  # business time, masked


def test_a_big_export_leaves_the_window_responsive(qtbot, manager, tmp_path):
    """The rows are read in slices between events and written on a pool thread: the event loop keeps
    running throughout (how long it takes is a matter for benchmarks, not for this test)."""
    n = 30_000
    base = lead_rows(1)[0]
    many = [replace(base, lead_id=1000 + i, mobile_masked=f"138****{i % 10000:04d}") for i in range(n)]
    manager.apply(DeskChange(reset=True, leads=many, staff=STAFF), STAFF)
    exporter = exporter_of(manager.table)
    exporter.notify = False
    beats: list[float] = []
    heart = QTimer()
    heart.timeout.connect(lambda: beats.append(wallclock.monotonic()))
    heart.start(20)
    with qtbot.waitSignal(exporter.export_finished, timeout=180_000) as done:
        exporter.export_to(str(tmp_path / "big.xlsx"))
        assert not (tmp_path / "big.xlsx").exists()  # export_to returned at once; the work goes on
        assert not manager.export_button.isEnabled()  # one export at a time
    heart.stop()
    assert done.args[1] == n and manager.export_button.isEnabled()
    assert len(beats) >= 3  # the window's own events were handled while the export ran
    book = load_workbook(tmp_path / "big.xlsx", read_only=True)
    rows = book.active.iter_rows(values_only=True)
    assert next(rows)[1] == "Mobile" and sum(1 for _ in rows) == n
    book.close()


def test_files_straight_from_rows(tmp_path):
    table = TableData(
        "佣金/11月",
        ["渠道", "金额", "时间", "备注"],
        [
            [
                "链家",
                Typed(Decimal("1234.50"), "1,234.50"),
                Typed(datetime(2026, 11, 21, 2, 30, tzinfo=UTC), "x"),
                "=1+1",
            ],
            ["-", "12", "12.5%", "@SUM(A1)"],
        ],
    )
    assert write_table(tmp_path / "t.xlsx", table) == 2 and write_table(tmp_path / "t.csv", table) == 2
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet.title == "佣金_11月"
    assert sheet["B2"].value == 1234.5 and sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == datetime(2026, 11, 21, 10, 30)  # Asia/Shanghai, as Excel has no zones
    assert sheet["D2"].value == "=1+1" and sheet["D2"].data_type == "s"  # text, never a formula
    assert sheet["C3"].value == 0.125 and sheet["C3"].number_format == "0.0%"
    assert read_csv(tmp_path / "t.csv")[1:] == [["链家", "1,234.50", "x", "'=1+1"], ["-", "12", "12.5%", "'@SUM(A1)"]]
    assert column_widths(TableData("t", ["客户"], [["欧阳娜娜娜"]])) == [12.0]  # CJK counts double
    with pytest.raises(ExportError) as caught:
        write_table(tmp_path, table)
    assert caught.value.reason == "format"
