"""The settings screen's tables: contribution weights as a grid, a source's field mapping, WeCom robots.

Each is a small `QAbstractTableModel` over lists of text; a cell with a problem has a red background.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor

from models.leads import Channel, TouchKind
from models.office_setup import MAPPING_KEYS
from views.format import channel_label, kind_label

PROBLEM_CELL = QColor("#ffcdd2")


def mapping_label(key: str) -> str:
    """A lead field or identifier kind on screen."""
    labels = {
        "name": QCoreApplication.translate("SettingsScreen", "Name"),
        "agency_code": QCoreApplication.translate("SettingsScreen", "Agency code"),
        "broker_code": QCoreApplication.translate("SettingsScreen", "Broker code"),
        "broker_name": QCoreApplication.translate("SettingsScreen", "Broker name"),
        "report_code": QCoreApplication.translate("SettingsScreen", "Report code"),
        "national_id": QCoreApplication.translate("SettingsScreen", "ID number"),
        "mobile": QCoreApplication.translate("SettingsScreen", "Mobile"),
        "landline": QCoreApplication.translate("SettingsScreen", "Landline"),
        "browser_fp": QCoreApplication.translate("SettingsScreen", "Browser fingerprint"),
        "idfa": QCoreApplication.translate("SettingsScreen", "IDFA (iPhone ad id)"),
        "gaid": QCoreApplication.translate("SettingsScreen", "GAID/OAID (Android ad id)"),
        "douyin_open_id": QCoreApplication.translate("SettingsScreen", "Douyin OpenID"),
        "anjuke_member_id": QCoreApplication.translate("SettingsScreen", "Anjuke member id"),
        "wx_union_id": QCoreApplication.translate("SettingsScreen", "WeChat UnionID"),
        "wx_open_id": QCoreApplication.translate("SettingsScreen", "WeChat OpenID"),
    }
    return labels.get(key, key)


def masked_address(url: str) -> str:
    """A robot's webhook address without its key (the key is the secret)."""
    head, sep, _key = url.partition("key=")
    return f"{head}{sep}••••••" if sep else (url[:24] + "…" if len(url) > 24 else url)


class SettingsTable(QAbstractTableModel):
    """A small table of text cells: rows of values, editable columns, cells marked as having a problem."""

    def __init__(self, headers: Sequence[str], editable: Sequence[int]):
        """Column titles and which columns may be edited."""
        super().__init__()
        self._headers, self._editable = list(headers), set(editable)
        self.rows: list[list[str]] = []
        self.row_titles: list[str] = []
        self.problem_cells: set[tuple[int, int]] = set()

    def reset(self, rows: list[list[str]], row_titles: list[str] | None = None) -> None:
        """Replace every row."""
        self.beginResetModel()
        self.rows, self.row_titles, self.problem_cells = rows, row_titles or [], set()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Rows (none under an item)."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Columns (none under an item)."""
        return 0 if parent.isValid() else len(self._headers)

    def shown(self, row: int, column: int) -> str:
        """What a cell displays (the stored text unless a subclass hides part of it)."""
        return self.rows[row][column]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, the full text for editing, and a red background on a problem."""
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.shown(index.row(), index.column())
        if role == Qt.ItemDataRole.EditRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and (index.row(), index.column()) in self.problem_cells:
            return PROBLEM_CELL
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Store an edited cell (trimmed)."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() not in self._editable:
            return False
        self.rows[index.row()][index.column()] = str(value).strip()
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        """Editable where the column is."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() in self._editable else base

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles; row titles when given."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return self.row_titles[section] if 0 <= section < len(self.row_titles) else None

    def mark(self, cells: set[tuple[int, int]]) -> None:
        """Mark the cells that have a problem (and unmark the rest)."""
        changed = cells ^ self.problem_cells
        self.problem_cells = set(cells)
        for row, column in changed:
            index = self.index(row, column)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.BackgroundRole])


class WeightsModel(SettingsTable):
    """Contribution weights as a grid: a row per channel (and 'any channel'), a column per touch kind."""

    CHANNELS = (*(c.value for c in Channel), "*")
    KINDS = tuple(k.value for k in TouchKind)

    def __init__(self):
        """An empty grid."""
        super().__init__([kind_label(k) for k in self.KINDS], range(len(self.KINDS)))
        self.set_weights({})

    def set_weights(self, weights: dict[str, str]) -> None:
        """Fill the grid; a blank cell has no weight of its own."""
        rows = [[weights.get(f"{c}.{k}", "") for k in self.KINDS] for c in self.CHANNELS]
        titles = [
            channel_label(c) if c != "*" else QCoreApplication.translate("SettingsScreen", "Any channel")
            for c in self.CHANNELS
        ]
        self.reset(rows, titles)

    def weights(self) -> dict[str, str]:
        """The filled cells by 'channel.kind'."""
        return {
            f"{c}.{k}": self.rows[r][col]
            for r, c in enumerate(self.CHANNELS)
            for col, k in enumerate(self.KINDS)
            if self.rows[r][col]
        }

    def cell_of(self, key: str) -> tuple[int, int] | None:
        """The grid cell of a 'channel.kind' key."""
        channel, _, kind = key.partition(".")
        if channel in self.CHANNELS and kind in self.KINDS:
            return self.CHANNELS.index(channel), self.KINDS.index(kind)
        return None


class MappingModel(SettingsTable):
    """One source's field mapping: each lead field and identifier with the JSON paths it is read from."""

    def __init__(self):
        """An empty mapping."""
        super().__init__(
            [
                QCoreApplication.translate("SettingsScreen", "Lead field"),
                QCoreApplication.translate("SettingsScreen", "JSON paths (first found wins)"),
            ],
            [1],
        )
        self.set_mapping({})

    def set_mapping(self, mapping: dict[str, tuple[str, ...]]) -> None:
        """Show a mapping."""
        self.reset([[mapping_label(k), ", ".join(mapping.get(k, ()))] for k in MAPPING_KEYS])

    def mapping(self) -> dict[str, tuple[str, ...]]:
        """The mapped keys and their paths."""
        out = {}
        for key, (_label, text) in zip(MAPPING_KEYS, self.rows, strict=True):
            paths = tuple(p.strip() for p in text.replace("，", ",").split(",") if p.strip())
            if paths:
                out[key] = paths
        return out


class RobotsModel(SettingsTable):
    """WeCom group robots: a name and its webhook address (shown without the key)."""

    def __init__(self):
        """No robots."""
        super().__init__(
            [
                QCoreApplication.translate("SettingsScreen", "Robot"),
                QCoreApplication.translate("SettingsScreen", "Webhook address"),
            ],
            [0, 1],
        )

    def shown(self, row: int, column: int) -> str:
        """The address without its key."""
        text = self.rows[row][column]
        return masked_address(text) if column == 1 and text else text

    def robots(self) -> tuple[tuple[str, str], ...]:
        """(name, address) of every row that has either."""
        return tuple((n, u) for n, u in self.rows if n or u)

    def add(self) -> None:
        """A new empty row."""
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(["default" if not self.rows else "", ""])
        self.endInsertRows()

    def remove(self, row: int) -> None:
        """Remove a row."""
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            self.problem_cells.clear()
