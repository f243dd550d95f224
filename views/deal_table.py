"""One table model for the deal screens' plain records (deals, split lines, statements, dispute events).

Each screen declares its columns (title, cell text, sort key, alignment); the model keeps a list of
frozen records, replaces it whole or upserts one by key, and hands rows back under `RECORD_ROLE`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def yuan(amount: Decimal | None) -> str:
    """'1,234,567.89' ('' for none): exact, two places, thousands separated."""
    return "" if amount is None else f"{amount:,.2f}"


@dataclass(frozen=True)
class Column:
    """A column: its title, the cell text, and optionally a sort key, alignment, tooltip and colour."""

    title: Callable[[], str]
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    align: Qt.AlignmentFlag | None = None
    tip: Callable[[Any], str | None] | None = None
    color: Callable[[Any], QColor | None] | None = None


class RecordTableModel(QAbstractTableModel):
    """Frozen records in a table; `set_records` replaces them, `upsert` changes or adds one by key."""

    def __init__(self, columns: Sequence[Column], key: Callable[[Any], Hashable], parent=None):
        """`key` names a record (deal id, statement id …) for upserts."""
        super().__init__(parent)
        self._columns = tuple(columns)
        self._key = key
        self._rows: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Records shown (flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title() if 0 <= section < len(self._columns) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text, sort keys, alignment, tooltips, colours and the record itself."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == SORT_ROLE:
            value = column.sort(record) if column.sort else column.text(record)
            return float(value) if isinstance(value, Decimal) else value
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align is not None:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole and column.tip is not None:
            return column.tip(record)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(record)
            return QBrush(color) if color is not None else None
        return None

    def set_records(self, records: Sequence[Any]) -> None:
        """Replace every record: rows whose key stays are updated in place, so a refresh keeps the
        user's selection; gone ones are removed, new ones appended (the view's proxy sorts)."""
        fresh = {self._key(r): r for r in records}
        for i in reversed(range(len(self._rows))):
            if self._key(self._rows[i]) not in fresh:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
        kept = {self._key(r): i for i, r in enumerate(self._rows)}
        for key, i in kept.items():
            self._rows[i] = fresh[key]
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1))
        added = [r for k, r in fresh.items() if k not in kept]
        if added:
            n = len(self._rows)
            self.beginInsertRows(QModelIndex(), n, n + len(added) - 1)
            self._rows.extend(added)
            self.endInsertRows()

    def upsert(self, record: Any) -> int:
        """Change the record with the same key, or append it; returns its row."""
        key = self._key(record)
        for i, row in enumerate(self._rows):
            if self._key(row) == key:
                self._rows[i] = record
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self._columns) - 1))
                return i
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(record)
        self.endInsertRows()
        return n

    def records(self) -> list[Any]:
        """The records, in model order."""
        return list(self._rows)

    def row_of(self, key: Hashable) -> int | None:
        """The row of the record with this key, if shown."""
        return next((i for i, r in enumerate(self._rows) if self._key(r) == key), None)


def record_table(
    owner: QWidget, model: RecordTableModel, widths: Sequence[int], sort_column: int | None = None
) -> tuple[QSortFilterProxyModel, QTableView]:
    """A sortable table over a record model, rows selected whole, fixed column widths."""
    proxy = QSortFilterProxyModel(owner)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView(owner)
    view.setModel(proxy)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, width in enumerate(widths):
        header.resizeSection(i, width)
    header.setStretchLastSection(True)
    if sort_column is not None:
        view.setSortingEnabled(True)
        view.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
    return proxy, view


def current_record(view: QTableView) -> Any:
    """The record of the view's current row, or None."""
    index = view.currentIndex()
    return index.data(RECORD_ROLE) if index.isValid() else None
