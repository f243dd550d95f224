"""Manager (案场经理): every queue, unassigned and unclaimed leads, reassignment with a reason, and the
consultant status board (on duty, idle for, open leads, today's first-response times)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from statistics import median

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.clock import business_time
from models.desk_state import DeskChange, LeadRow, StaffRow
from views.export import exporter_of, install_export
from views.format import age_text, status_label
from views.lead_model import LEAD_ROLE, LeadTableModel, lead_table, unanswered

Index = QModelIndex | QPersistentModelIndex
BOARD = ("name", "status", "idle", "open", "answered", "median")


class StaffBoardModel(QAbstractTableModel):
    """Consultants with status and today's numbers computed from the leads the manager sees."""

    def __init__(self, now: Callable[[], datetime]):
        """`now` is the injected clock."""
        super().__init__()
        self._now = now
        self._staff: list[StaffRow] = []
        self._stats: dict[int, tuple[int, int, float | None]] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Consultants shown."""
        return 0 if parent.isValid() else len(self._staff)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return 0 if parent.isValid() else len(BOARD)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Consultant"),
            self.tr("Status"),
            self.tr("Idle for"),
            self.tr("Waiting"),
            self.tr("Answered today"),
            self.tr("Median first response"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text."""
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        person = self._staff[index.row()]
        waiting, answered, med = self._stats.get(person.id, (0, 0, None))
        column = BOARD[index.column()]
        if column == "name":
            return person.name
        if column == "status":
            return status_label(person.status)
        if column == "idle":
            if person.status != "on_duty":
                return "—"
            if person.last_follow_up_at is None:
                return self.tr("no follow-up yet")
            return self.tr("%n min", "", int((self._now() - person.last_follow_up_at).total_seconds() // 60))
        if column == "open":
            return str(waiting)
        if column == "answered":
            return str(answered)
        return age_text(med) if med is not None else "—"

    def update(self, staff: list[StaffRow], leads: list[LeadRow]) -> None:
        """Recompute from the full staff list and the manager's leads."""
        today = business_time(self._now()).date()
        stats: dict[int, tuple[int, int, float | None]] = {}
        by_consultant: dict[int, list[LeadRow]] = {}
        for row in leads:
            if row.consultant_id is not None:
                by_consultant.setdefault(row.consultant_id, []).append(row)
        for person in staff:
            mine = by_consultant.get(person.id, [])
            waiting = sum(1 for r in mine if unanswered(r))
            times = [
                (r.first_follow_up_at - r.received_at).total_seconds()
                for r in mine
                if r.first_follow_up_at and business_time(r.received_at).date() == today
            ]
            stats[person.id] = (waiting, len(times), median(times) if times else None)
        self.beginResetModel()
        self._staff = [s for s in staff if s.role == "consultant"]
        self._stats = stats
        self.endResetModel()


class ReassignDialog(QDialog):
    """Pick a consultant and say why."""

    def __init__(self, lead: LeadRow, consultants: list[StaffRow], parent: QWidget | None = None):
        """A small form; accepted only with a reason."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reassign %s") % (lead.name_masked or f"#{lead.lead_id}"))
        self.target = QComboBox()
        for c in consultants:
            self.target.addItem(f"{c.name} · {status_label(c.status)}", c.id)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Why (required)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("To"), self.target)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(buttons)

    def _accept(self) -> None:
        if self.reason.text().strip():
            self.accept()
        else:
            self.reason.setFocus()

    def choice(self) -> tuple[int, str]:
        """(consultant id, reason)."""
        return self.target.currentData(), self.reason.text().strip()


class ManagerView(QWidget):
    """All leads with a filter, reassignment, and the status board."""

    reassign_requested = Signal(dict)
    """`lead.reassign` fields (lead_id, to_staff_id, note)."""

    FILTERS = ("all", "waiting", "unassigned")

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """Build the queue, its filter and the board; `now` is the injected clock."""
        super().__init__(parent)
        self._now = now
        self._staff: list[StaffRow] = []
        self.model = LeadTableModel(lambda r: True, now)
        self.table = lead_table(self, self.model, "age", Qt.SortOrder.AscendingOrder, self.tr("Leads"))
        self.filter = QComboBox()
        self.filter.addItem(self.tr("All leads"), "all")
        self.filter.addItem(self.tr("Not yet answered"), "waiting")
        self.filter.addItem(self.tr("Unassigned / unclaimed"), "unassigned")
        self.filter.currentIndexChanged.connect(self._refilter)
        self.reassign = QPushButton(self.tr("Reassign…"))
        self.reassign.clicked.connect(self._reassign)
        bar = QHBoxLayout()
        bar.addWidget(self.filter)
        bar.addStretch(1)
        bar.addWidget(self.reassign)
        self.export_button = exporter_of(self.table).button()
        bar.addWidget(self.export_button)
        queue = QGroupBox(self.tr("Leads"))
        queue_layout = QVBoxLayout(queue)
        queue_layout.addLayout(bar)
        queue_layout.addWidget(self.table)

        self.board_model = StaffBoardModel(now)
        self.board = QTableView()
        self.board.setModel(self.board_model)
        self.board.verticalHeader().hide()
        self.board.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.board_export = install_export(self.board, self.tr("Consultants"), now=now)
        board_box = QGroupBox(self.tr("Consultants"))
        board_layout = QVBoxLayout(board_box)
        board_layout.addWidget(self.board)
        board_bar = QHBoxLayout()
        board_bar.addStretch(1)
        board_bar.addWidget(self.board_export.button())
        board_layout.addLayout(board_bar)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("managerSplitter")
        self.splitter.addWidget(queue)
        self.splitter.addWidget(board_box)
        self.splitter.setSizes([420, 220])
        QVBoxLayout(self).addWidget(self.splitter)

    def _accept(self, row: LeadRow) -> bool:
        mode = self.filter.currentData() if hasattr(self, "filter") else "all"
        if mode == "waiting":
            return unanswered(row)
        if mode == "unassigned":
            return row.state in ("manager", "offered", "new") or (row.state == "assigned" and row.consultant_id is None)
        return True

    def _refilter(self) -> None:
        self.model.refilter(self._accept)

    def _reassign(self) -> None:
        index = self.table.currentIndex()
        lead = index.data(LEAD_ROLE) if index.isValid() else None
        if lead is None or lead.lead_id <= 0:
            return
        consultants = [s for s in self._staff if s.role == "consultant"]
        dialog = ReassignDialog(lead, consultants, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            target, note = dialog.choice()
            self.reassign_requested.emit({"lead_id": lead.lead_id, "to_staff_id": target, "note": note})

    def apply(self, change: DeskChange, staff: list[StaffRow]) -> None:
        """Feed the queue and refresh the board."""
        self._staff = staff
        self.model.apply(change)
        if change.staff or change.reset:
            self.model.set_staff_names({s.id: s.name for s in staff})
        if change.reset or change.leads or change.removed_leads or change.staff:  # not a connection notice
            self.board_model.update(staff, self.model.all_rows())
