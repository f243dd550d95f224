"""Consultant capability radar (销售能力画像): one consultant against the team over the script dimensions,
the tags they use most and least beside the team, and which tags go with faster or slower deals.

Plain data in (`RadarProfile`, `CycleFinding` from models.skill_radar), intents out (`consultant_chosen`).
The radar's items are built once and fed: polygons get new points, labels new text.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsPolygonItem,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.deal_wire import from_wire
from models.skill_radar import CycleFinding, RadarProfile, TagScore

Index = QModelIndex | QPersistentModelIndex
MINE_COLOUR = QColor(30, 136, 229)
TEAM_COLOUR = QColor(120, 144, 156)
RINGS = (0.25, 0.5, 0.75, 1.0)


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    """A p-value as people read it: 'p = 0.04', 'p < 0.001'."""
    if value is None:
        return "p = —"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}" if value < 0.01 else f"p = {value:.2f}"


class TagTableModel(QAbstractTableModel):
    """Tags with the consultant's rate, the team's and the ratio of the two."""

    def __init__(self, parent=None):
        """An empty table."""
        super().__init__(parent)
        self._rows: list[TagScore] = []
        self._dimension_names: dict[str, str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Tags shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Tag, dimension, mine, team, ratio."""
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("Tag"), self.tr("Dimension"), self.tr("Mine"), self.tr("Team"), self.tr("× team"))
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text, numbers right-aligned."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        cells = (
            row.name,
            self._dimension_names.get(row.dimension, row.dimension),
            _num(row.mine, 2),
            _num(row.team, 2),
            _num(row.index, 2),
        )
        return cells[column] if 0 <= column < len(cells) else None

    def set_rows(self, rows: tuple[TagScore, ...] | list[TagScore], dimension_names: dict[str, str]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self._dimension_names = dict(dimension_names)
        self.endResetModel()

    def rows(self) -> list[TagScore]:
        """The rows shown, in order."""
        return list(self._rows)


class FindingModel(QAbstractTableModel):
    """Tag against deal cycle: sample sizes, medians and the finding in plain words."""

    def __init__(self, parent=None):
        """An empty table."""
        super().__init__(parent)
        self._rows: list[CycleFinding] = []
        self.min_each = 10

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Findings shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Tag, heard / not heard, median cycles, finding."""
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("Tag"), self.tr("Customers heard / not"), self.tr("Median days"), self.tr("Finding"))
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text; a real difference is coloured (green faster, red slower)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        f, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return {"faster": QBrush(QColor(46, 125, 50)), "slower": QBrush(QColor(198, 40, 40))}.get(f.verdict)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == 0:
            return f.name
        if column == 1:
            return f"{f.users} / {f.non_users}"
        if column == 2:
            return f"{_num(f.users_median)} / {_num(f.non_users_median)}"
        return self.finding_text(f) if column == 3 else None

    def finding_text(self, f: CycleFinding) -> str:
        """The finding in one plain sentence."""
        if f.verdict == "not_enough_data":
            return self.tr("Not enough data: needs %1 customers on each side").replace("%1", str(self.min_each))
        if f.verdict == "no_difference":
            return self.tr("No clear difference (%1)").replace("%1", _p(f.p_value))
        text = self.tr("Customers who heard it close %1 days faster (%2)")
        if f.verdict == "slower":
            text = self.tr("Customers who heard it close %1 days slower (%2)")
        return text.replace("%1", _num(abs(f.days_faster or 0))).replace("%2", _p(f.p_value))

    def set_rows(self, rows: list[CycleFinding], min_each: int) -> None:
        """Replace the findings."""
        self.beginResetModel()
        self._rows = list(rows)
        self.min_each = min_each
        self.endResetModel()


class RadarChart(pg.PlotWidget):
    """A spider chart: rings, spokes, axis labels and two filled polygons, all made once."""

    def __init__(self, parent=None):
        """Build the empty chart."""
        super().__init__(parent, background="w")
        for axis in ("left", "bottom"):
            self.hideAxis(axis)
        self.setAspectLocked(True)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setRange(xRange=(-1.7, 1.7), yRange=(-1.5, 1.5), padding=0)
        self._grid: list[pg.PlotDataItem] = []
        self.labels: list[pg.TextItem] = []
        self.team = self._polygon(TEAM_COLOUR, 60)
        self.mine = self._polygon(MINE_COLOUR, 90)

    def _polygon(self, colour: QColor, alpha: int) -> QGraphicsPolygonItem:
        item = QGraphicsPolygonItem()
        fill = QColor(colour)
        fill.setAlpha(alpha)
        pen = QPen(colour, 2.5)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setBrush(QBrush(fill))
        self.addItem(item)
        return item

    @staticmethod
    def corner(i: int, n: int, r: float) -> QPointF:
        """Axis i of n at radius r, the first axis straight up, going clockwise."""
        angle = math.pi / 2 - 2 * math.pi * i / n
        return QPointF(r * math.cos(angle), r * math.sin(angle))

    def _axes(self, n: int) -> None:
        """Rings, spokes and labels for n axes (made again only if n changes)."""
        if len(self.labels) == n:
            return
        for item in [*self._grid, *self.labels]:
            self.removeItem(item)
        self._grid, self.labels = [], []
        pen = pg.mkPen("#cfd8dc", width=1)
        for r in RINGS:
            points = [self.corner(i % n, n, r) for i in range(n + 1)]
            self._grid.append(self.plot([p.x() for p in points], [p.y() for p in points], pen=pen))
        for i in range(n):
            tip = self.corner(i, n, 1.0)
            self._grid.append(self.plot([0, tip.x()], [0, tip.y()], pen=pen))
            at = self.corner(i, n, 1.12)
            anchor = (0.5 - 0.5 * max(-1.0, min(1.0, at.x() * 2)), 0.5 + 0.5 * max(-1.0, min(1.0, at.y() * 2)))
            label = pg.TextItem("", color="#37474f", anchor=anchor)
            label.setPos(at.x(), at.y())
            self.addItem(label)
            self.labels.append(label)
        for item in (self.team, self.mine):
            item.setZValue(10)

    def feed(self, names: list[str], mine: list[float], team: list[float]) -> None:
        """Show values already scaled to 0..1 per axis, with one label per axis."""
        n = len(names)
        self._axes(n)
        self.mine.setPolygon(QPolygonF([self.corner(i, n, v) for i, v in enumerate(mine)]))
        self.team.setPolygon(QPolygonF([self.corner(i, n, v) for i, v in enumerate(team)]))
        for label, name in zip(self.labels, names, strict=True):
            label.setText(name)


class RadarView(QWidget):
    """Consultant picker, the radar against the team, top/bottom tags, tag-versus-cycle findings."""

    consultant_chosen = Signal(int)
    """Ask for the radar profile of this staff id."""

    def __init__(self, parent: QWidget | None = None):
        """Build the widgets once."""
        super().__init__(parent)
        self.picker = QComboBox()
        self.picker.setMinimumWidth(160)
        self.picker.activated.connect(self._picked)
        self.summary = QLabel()
        self.risks = QLabel()
        self.risks.setStyleSheet("color: #c62828")
        self.risks.setWordWrap(True)
        self.legend = QLabel()
        self.chart = RadarChart()
        self.chart.setMinimumSize(420, 380)
        self.top_model, self.bottom_model = TagTableModel(self), TagTableModel(self)
        self.finding_model = FindingModel(self)
        self.top_table = self._table(self.top_model)
        self.bottom_table = self._table(self.bottom_model)
        self.finding_table = self._table(self.finding_model)
        header = self.finding_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Consultant")))
        bar.addWidget(self.picker)
        bar.addWidget(self.summary, 1)
        left = QVBoxLayout()
        left.addWidget(self.chart, 1)
        left.addWidget(self.legend)
        left.addWidget(self.risks)
        right = QVBoxLayout()
        for title, table in (
            (self.tr("Used most, beside the team"), self.top_table),
            (self.tr("Used least, beside the team (coaching)"), self.bottom_table),
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(table)
            right.addWidget(box)
        body = QHBoxLayout()
        body.addLayout(left, 5)
        body.addLayout(right, 6)
        self.findings_box = QGroupBox(self.tr("Tags and deal cycle (all consultants)"))
        QVBoxLayout(self.findings_box).addWidget(self.finding_table)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 3)
        layout.addWidget(self.findings_box, 2)
        self._legend("1k_chars")

    def _legend(self, per: str) -> None:
        unit = self.tr("tags per call") if per == "call" else self.tr("tags per 1,000 characters")
        mine, team = self.tr("This consultant"), self.tr("Team")
        note = self.tr("(axis labels: consultant / team, %1; outer ring: the best consultant)").replace("%1", unit)
        self.legend.setText(
            f"<span style='color:{MINE_COLOUR.name()}'>■</span> {mine}　"
            f"<span style='color:{TEAM_COLOUR.name()}'>■</span> {team}　{note}"
        )

    @staticmethod
    def _table(model: QAbstractTableModel) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.verticalHeader().hide()
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.setAlternatingRowColors(True)
        return table

    def set_consultants(self, consultants: list[tuple[int, str, int]]) -> None:
        """Fill the picker with (staff id, name, calls); the current choice is kept when still there."""
        chosen = self.picker.currentData()
        self.picker.blockSignals(True)
        self.picker.clear()
        for staff_id, name, calls in consultants:
            self.picker.addItem(self.tr("%1 (%2 calls)").replace("%1", name).replace("%2", str(calls)), staff_id)
        self.picker.setCurrentIndex(max(self.picker.findData(chosen), 0))
        self.picker.blockSignals(False)

    def _picked(self, index: int) -> None:
        staff_id = self.picker.itemData(index)
        if staff_id is not None:
            self.consultant_chosen.emit(int(staff_id))

    def choose(self, staff_id: int) -> None:
        """Select a consultant in the picker and ask for their profile."""
        index = self.picker.findData(staff_id)
        if index >= 0:
            self.picker.setCurrentIndex(index)
            self._picked(index)

    def show_report(self, result: dict) -> None:
        """Show the hub's `radar.report` answer: the picker, the chosen profile and the findings."""
        self.set_consultants([tuple(p) for p in result.get("consultants") or []])
        if result.get("profile"):
            profile = from_wire(RadarProfile, result["profile"])
            index = self.picker.findData(profile.staff_id)
            if index >= 0:
                self.picker.blockSignals(True)
                self.picker.setCurrentIndex(index)
                self.picker.blockSignals(False)
            self.show_profile(profile)
        findings = [from_wire(CycleFinding, f) for f in result.get("findings") or []]
        self.show_findings(findings, int(result.get("min_each") or 10))

    def show_profile(self, profile: RadarProfile) -> None:
        """Feed the chart, the tables and the summary from one consultant's profile."""
        dims = profile.dimensions
        scale = [max(d.best, d.mine, d.team) or 1.0 for d in dims]
        names = [f"{d.name}\n{_num(d.mine)} / {_num(d.team)}" for d in dims]
        self.chart.feed(
            names,
            [d.mine / s for d, s in zip(dims, scale, strict=True)],
            [d.team / s for d, s in zip(dims, scale, strict=True)],
        )
        self._legend(profile.per)
        dimension_names = {d.key: d.name for d in dims}
        self.top_model.set_rows(profile.top, dimension_names)
        self.bottom_model.set_rows(profile.bottom, dimension_names)
        self.summary.setText(
            self.tr("%1: %2 calls, %3 characters · team: %4 consultants, %5 calls")
            .replace("%1", profile.name)
            .replace("%2", str(profile.calls))
            .replace("%3", f"{profile.chars:,}")
            .replace("%4", str(profile.team_size))
            .replace("%5", str(profile.team_calls))
        )
        risky = "、".join(f"{r.name}×{r.hits}" for r in profile.risks)
        self.risks.setText(self.tr("Non-compliant phrases heard: %1").replace("%1", risky) if risky else "")
        index = self.picker.findData(profile.staff_id)
        if index >= 0 and index != self.picker.currentIndex():
            self.picker.blockSignals(True)
            self.picker.setCurrentIndex(index)
            self.picker.blockSignals(False)

    def show_findings(self, findings: list[CycleFinding], min_each: int) -> None:
        """Show tag-versus-cycle findings (claims first); `min_each` is the sample asked of each side."""
        self.finding_model.set_rows(findings, min_each)
        claims = sum(1 for f in findings if f.verdict in ("faster", "slower"))
        self.findings_box.setTitle(
            self.tr("Tags and deal cycle (all consultants): %1 of %2 tags show a clear difference")
            .replace("%1", str(claims))
            .replace("%2", str(len(findings)))
        )
