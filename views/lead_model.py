"""The one adapter between lead change sets and Qt: a table model fed by `DeskChange`, plus urgency.

A model keeps the rows its filter accepts; `apply()` turns a change set into the minimal inserts,
updates and removals, and `tick()` refreshes only the live age column of unanswered leads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableView

from models.desk_state import DeskChange, LeadRow
from views.export import install_export
from views.format import age_text, channel_label, day_time, kind_label, state_label

FIVE_MINUTES = 300
URGENT = QColor("#d32f2f")
PENDING = QColor("#8a6d00")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
LEAD_ROLE = Qt.ItemDataRole.UserRole + 2
BULK = 200  # a change set larger than this is applied in place and sorted once
COLUMNS = ("customer", "mobile", "channel", "kind", "state", "age", "consultant", "time")
Index = QModelIndex | QPersistentModelIndex


def unanswered(row: LeadRow) -> bool:
    """Assigned or offered, and nobody has followed up yet."""
    return row.state in ("assigned", "offered", "manager", "new") and row.first_follow_up_at is None


def urgency_key(row: LeadRow) -> float:
    """Ascending = most urgent first: unanswered oldest first, then the rest newest first."""
    stamp = row.received_at.timestamp()
    return stamp if unanswered(row) and not row.pending else 1e11 - stamp


class LeadTableModel(QAbstractTableModel):
    """Leads with their dispatch state, for queues, the visitor list and the manager's board."""

    def __init__(self, accept: Callable[[LeadRow], bool] | None = None, now: Callable[[], datetime] | None = None):
        """`accept` decides which rows this table shows; `now` is the injected clock."""
        super().__init__()
        self._accept = accept or (lambda _row: True)
        self._now = now or (lambda: datetime.now().astimezone())
        self._rows: list[LeadRow] = []
        self._pos: dict[int, int] = {}
        self._all: dict[int, LeadRow] = {}  # every row seen, so a new filter can be applied
        self._names: dict[int, str] = {}
        self._sort: tuple[str, bool] | None = None  # (column, descending) once the view has sorted

    def _headers(self) -> tuple[str, ...]:
        return (
            self.tr("Customer"),
            self.tr("Mobile"),
            self.tr("Channel"),
            self.tr("Type"),
            self.tr("State"),
            self.tr("Waiting"),
            self.tr("Consultant"),
            self.tr("Received"),
        )

    # --- Qt model API -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Number of leads shown (flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return self._headers()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text, colours (red past five minutes unanswered), sort keys and the row itself."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.pending:
                return QBrush(PENDING)
            if column in ("age", "customer") and unanswered(row) and self._age(row) >= FIVE_MINUTES:
                return QBrush(URGENT)
            return None
        if role == SORT_ROLE:
            return self._sort_value(row, column)
        if role == LEAD_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and column == "state":
            return row.reason or None
        return None

    # --- feeding ------------------------------------------------------------------------------------

    def _age(self, row: LeadRow) -> float:
        end = row.first_follow_up_at or self._now()
        return (end - row.received_at).total_seconds()

    def _text(self, row: LeadRow, column: str) -> str:
        if column == "customer":
            return row.name_masked or self.tr("(no name)")
        if column == "mobile":
            return row.mobile_masked
        if column == "channel":
            return channel_label(row.channel)
        if column == "kind":
            return kind_label(row.kind)
        if column == "state":
            return state_label(row.state, row.pending)
        if column == "age":
            if row.state == "" or row.pending:
                return ""
            text = age_text(self._age(row))
            return text if unanswered(row) else self.tr("answered in %s") % text
        if column == "consultant":
            return row.consultant_name or self._names.get(row.consultant_id or 0, "")
        return day_time(row.received_at)

    def _sort_value(self, row: LeadRow, column: str):
        if column == "age":
            return urgency_key(row)
        if column == "time":
            return row.received_at.timestamp()
        return self._text(row, column)

    def set_staff_names(self, names: dict[int, str]) -> None:
        """Names to show for consultant ids the rows do not name themselves."""
        self._names = dict(names)
        if self._rows:
            col = COLUMNS.index("consultant")
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def refilter(self, accept: Callable[[LeadRow], bool] | None = None) -> None:
        """Apply a (new) filter to every row seen so far (in the current sort order)."""
        if accept is not None:
            self._accept = accept
        self.beginResetModel()
        self._rows = [r for r in self._all.values() if self._accept(r)]
        if self._sort is not None:
            self._rows.sort(key=self._key, reverse=self._sort[1])
        self._pos = {r.lead_id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def apply(self, change: DeskChange) -> None:
        """Apply a change set with minimal row signals, keeping the sort order."""
        if change.reset:
            self._all = {r.lead_id: r for r in change.leads}
            self.refilter()
            return
        if len(change.removed_leads) > BULK:
            for lead_id in change.removed_leads:
                self._all.pop(lead_id, None)
            self._all.update((r.lead_id, r) for r in change.leads)
            self.refilter()
            return
        for lead_id in change.removed_leads:
            self._all.pop(lead_id, None)
            self._remove(lead_id)
        if len(change.leads) > BULK:
            self._apply_many(change.leads)
            return
        for row in change.leads:
            self._all[row.lead_id] = row
            if not self._accept(row):
                self._remove(row.lead_id)
            elif row.lead_id in self._pos:
                self._update(self._pos[row.lead_id], row)
            else:
                at = self._place(row)
                self.beginInsertRows(QModelIndex(), at, at)
                self._rows.insert(at, row)
                self._renumber(at, len(self._rows))
                self.endInsertRows()

    def _apply_many(self, rows: list[LeadRow]) -> None:
        """A large change set (a replay, a long catch-up): update in place, append, then sort once."""
        fresh = []
        for row in rows:
            self._all[row.lead_id] = row
            if not self._accept(row):
                self._remove(row.lead_id)
            elif row.lead_id in self._pos:
                self._rows[self._pos[row.lead_id]] = row
            else:
                fresh.append(row)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
        if fresh:
            n = len(self._rows)
            self.beginInsertRows(QModelIndex(), n, n + len(fresh) - 1)
            self._rows.extend(fresh)
            self._renumber(n, len(self._rows))
            self.endInsertRows()
        if self._sort is not None:
            self._resort()

    def _update(self, i: int, row: LeadRow) -> None:
        """A changed row: in place, or moved to where its new sort key puts it."""
        old = self._rows[i]
        if self._sort is None or self._key(old) == self._key(row):
            self._rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            return
        del self._rows[i]
        to = self._place(row)
        self._rows.insert(i, old)
        if to == i:
            self._rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            return
        self.beginMoveRows(QModelIndex(), i, i, QModelIndex(), to + 1 if to > i else to)
        del self._rows[i]
        self._rows.insert(to, row)
        self._renumber(min(i, to), max(i, to) + 1)
        self.endMoveRows()
        self.dataChanged.emit(self.index(to, 0), self.index(to, len(COLUMNS) - 1))

    def _remove(self, lead_id: int) -> None:
        i = self._pos.pop(lead_id, None)
        if i is None:
            return
        self.beginRemoveRows(QModelIndex(), i, i)
        del self._rows[i]
        self._renumber(i, len(self._rows))
        self.endRemoveRows()

    def _renumber(self, start: int, end: int) -> None:
        for k in range(start, end):
            self._pos[self._rows[k].lead_id] = k

    # --- sorting (in the model: one key per row, not a comparison call per pair) ---------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; new and changed rows then go straight to their place."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (COLUMNS[column], order == Qt.SortOrder.DescendingOrder)
        self._resort()

    def _key(self, row: LeadRow) -> tuple:
        return (self._sort_value(row, self._sort[0]), row.lead_id)

    def _resort(self) -> None:
        """Reorder every row, keeping selections and other persistent indexes on their leads."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[p.row()].lead_id if 0 <= p.row() < len(self._rows) else None for p in persistent]
        self._rows.sort(key=self._key, reverse=self._sort[1])
        self._pos = {r.lead_id: i for i, r in enumerate(self._rows)}
        moved = [
            self.index(self._pos[lead_id], p.column()) if lead_id in self._pos else QModelIndex()
            for lead_id, p in zip(ids, persistent, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _place(self, row: LeadRow) -> int:
        """Where a row belongs in the current order (binary search; the end when unsorted)."""
        if self._sort is None:
            return len(self._rows)
        key, descending = self._key(row), self._sort[1]
        lo, hi = 0, len(self._rows)
        while lo < hi:
            mid = (lo + hi) // 2
            other = self._key(self._rows[mid])
            if (other > key) if descending else (other < key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def tick(self) -> None:
        """Refresh the live age (and its red) of the shown leads: one signal for the two columns."""
        if self._rows:
            first, last = COLUMNS.index("customer"), COLUMNS.index("age")
            self.dataChanged.emit(self.index(0, first), self.index(len(self._rows) - 1, last))

    def rows(self) -> list[LeadRow]:
        """The rows shown, in model order."""
        return list(self._rows)

    def all_rows(self) -> list[LeadRow]:
        """Every row seen, whatever the filter."""
        return list(self._all.values())

    def row_at(self, i: int) -> LeadRow:
        """The lead in model row i."""
        return self._rows[i]


COLUMN_WIDTHS = (90, 120, 90, 90, 100, 110, 90, 110)


def lead_table(owner, model: LeadTableModel, sort_column: str, order: Qt.SortOrder, title: str | None = None):
    """A table view sorted by its lead model, rows selected whole, widths fixed, and exportable
    (right-click or Ctrl+E: "Export…"; `exporter_of(view).button()` for a toolbar).

    The model sorts itself (a proxy would call `data()` for every comparison: seconds on the GUI
    thread for a manager's 100,000 leads). Fixed widths rather than resize-to-contents: measuring
    every cell on each change would call `data()` for every row of a large queue.
    """
    view = QTableView(owner)
    view.setModel(model)
    view.horizontalHeader().setSortIndicator(COLUMNS.index(sort_column), order)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, width in enumerate(COLUMN_WIDTHS):
        header.resizeSection(i, width)
    header.setStretchLastSection(True)
    install_export(view, title or QCoreApplication.translate("LeadTable", "Leads"))
    ticker = QTimer(view)  # waiting times count up and turn red past five minutes in every lead table
    ticker.timeout.connect(model.tick)
    ticker.start(1000)
    return view
