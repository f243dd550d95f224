"""The policy sandbox's live comparison parts: the per-variant table and the bar chart with its 95 %
intervals. Plain data in (`VariantResult` rows); the chart's items are made once and fed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from models.sandbox_design import MAX_VARIANTS
from models.sandbox_stats import VariantResult, format_p, format_rate

Index = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CONTROL, CHALLENGER, BETTER, WORSE = QColor("#90a4ae"), QColor("#1e88e5"), QColor("#43a047"), QColor("#e53935")


class VariantTableModel(QAbstractTableModel):
    """Variants of one experiment: policy, exposed, converted, rate, 95 % interval, against the control."""

    def __init__(self, parent=None):
        """An empty table."""
        super().__init__(parent)
        self._rows: list[VariantResult] = []
        self.alpha = 0.05

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Variants shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Seven columns."""
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Variant"),
            self.tr("Policy"),
            self.tr("Exposed"),
            self.tr("Converted"),
            self.tr("Rate"),
            self.tr("95% interval"),
            self.tr("Against the control"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def against_control(self, r: VariantResult) -> str:
        """'control', or the difference in points with its p-value and test."""
        if r.is_control:
            return self.tr("control")
        if r.diff is None:
            return "—"
        test = self.tr("exact test") if r.test == "fisher" else self.tr("z-test")
        points = self.tr("%1 pp").replace("%1", f"{r.diff * 100:+.1f}")
        return f"{points} · {format_p(r.p_value, self.alpha)} ({test})"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text, numbers right-aligned, a significant difference coloured."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and 2 <= column <= 5:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == 6 and r.p_value is not None and r.p_value < self.alpha:
            return QBrush(BETTER if (r.diff or 0) > 0 else WORSE)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        interval = "—" if r.ci_low is None else f"{format_rate(r.ci_low)} – {format_rate(r.ci_high)}"
        cells = (
            r.name,
            r.policy,
            str(r.exposures),
            str(r.conversions),
            format_rate(r.rate),
            interval,
            self.against_control(r),
        )
        return cells[column] if 0 <= column < len(cells) else None

    def set_rows(self, rows: Sequence[VariantResult], alpha: float = 0.05) -> None:
        """Show new figures: the same variants change in place (selection kept), others reset the table."""
        rows = list(rows)
        self.alpha = alpha
        if rows and [r.name for r in rows] == [r.name for r in self._rows]:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[VariantResult]:
        """The rows shown."""
        return list(self._rows)


class ComparisonChart(pg.PlotWidget):
    """Conversion rate per variant as bars with their 95 % intervals; every item made once, then fed."""

    def __init__(self, parent=None):
        """Build the empty chart."""
        super().__init__(parent, background="w")
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.setMenuEnabled(False)
        self.showGrid(y=True, alpha=0.25)
        self.getAxis("left").setLabel(QCoreApplication.translate("Sandbox", "conversion rate (%)"))
        bottom = self.getAxis("bottom")
        bottom.setHeight(46)  # two lines: the variant and its policy
        bottom.setTextPen("#263238")
        empty = np.zeros(0)
        self.bars = pg.BarGraphItem(x=empty, height=empty, width=0.6, brushes=[])
        self.errors = pg.ErrorBarItem(
            x=empty, y=empty, top=empty, bottom=empty, beam=0.18, pen=pg.mkPen("#37474f", width=1.6)
        )
        self.addItem(self.bars)
        self.addItem(self.errors)
        self.labels: list[pg.TextItem] = []
        for _ in range(MAX_VARIANTS):
            label = pg.TextItem("", color="#263238", anchor=(0.5, 1.0))
            label.setVisible(False)
            self.addItem(label)
            self.labels.append(label)

    def feed(self, rows: Sequence[VariantResult], alpha: float = 0.05) -> None:
        """Show these variants' rates (in %) and intervals."""
        xs = list(range(len(rows)))
        rates = [(r.rate or 0.0) * 100 for r in rows]
        lows = [(r.ci_low or 0.0) * 100 for r in rows]
        highs = [(r.ci_high or 0.0) * 100 for r in rows]
        brushes = []
        for r in rows:
            if r.is_control:
                brushes.append(CONTROL)
            elif r.p_value is not None and r.p_value < alpha:
                brushes.append(BETTER if (r.diff or 0) > 0 else WORSE)
            else:
                brushes.append(CHALLENGER)
        self.bars.setOpts(x=xs, height=rates, width=0.6, brushes=brushes)
        y = np.array(rates, dtype=float)
        self.errors.setData(x=np.array(xs, dtype=float), y=y, top=np.array(highs) - y, bottom=y - np.array(lows))
        top = max([*highs, 1.0]) * 1.22
        for i, label in enumerate(self.labels):
            label.setVisible(i < len(rows))
            if i < len(rows):
                label.setText(format_rate(rows[i].rate))
                label.setPos(i, highs[i] + top * 0.02)
        self.getAxis("bottom").setTicks([[(i, f"{r.name}\n{r.policy}") for i, r in enumerate(rows)]])
        self.setXRange(-0.6, max(len(rows), 1) - 0.4, padding=0)
        self.setYRange(0, top, padding=0)
