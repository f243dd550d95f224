"""Policy sandbox (政策沙盒) for managers: the experiments with their state, a keyboard-first define/edit
dialog, start and stop, and the live comparison of the selected experiment (table, bars with their
95 % intervals, the verdict in plain words).

Plain data in (`ExperimentSummary`, `Comparison`), intents out (`experiment_selected`,
`define_requested`, `start_requested`, `stop_requested`). The chart's items are made once and fed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.clock import business_time
from models.sandbox_design import ExperimentSummary
from models.sandbox_stats import Comparison
from views.sandbox_comparison import ComparisonChart, VariantTableModel
from views.sandbox_dialog import ExperimentDialog, text_language

Index = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
PHASE_COLOURS = {"running": "#2e7d32", "scheduled": "#1565c0", "ended": "#6d4c41", "stopped": "#757575"}
VERDICT_COLOURS = {"better": "#2e7d32", "worse": "#c62828"}


def _day(at: datetime | None, clock: bool = True) -> str:
    return "" if at is None else business_time(at).strftime("%m-%d %H:%M" if clock else "%m-%d")


def phase_label(phase: str) -> str:
    """草稿 / 待开始 / 进行中 / 已到期 / 已停止 for an experiment's phase."""
    return {
        "draft": QCoreApplication.translate("Sandbox", "Draft"),
        "scheduled": QCoreApplication.translate("Sandbox", "Scheduled"),
        "running": QCoreApplication.translate("Sandbox", "Running"),
        "ended": QCoreApplication.translate("Sandbox", "Window over"),
        "stopped": QCoreApplication.translate("Sandbox", "Stopped"),
    }.get(phase, phase)


def share_text(share_bp: int) -> str:
    """500 → '5%', 1250 → '12.5%'."""
    return f"{share_bp / 100:g}%"


class ExperimentListModel(QAbstractTableModel):
    """Experiments: name, policy, state, share, window, variants, people exposed and converted, by whom."""

    def __init__(self, now: Callable[[], datetime], parent=None):
        """An empty list; `now` decides whether a running experiment's window is open."""
        super().__init__(parent)
        self._now = now
        self._rows: list[ExperimentSummary] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Experiments shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Nine columns."""
        return 0 if parent.isValid() else 9

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Experiment"),
            self.tr("Policy"),
            self.tr("State"),
            self.tr("Share"),
            self.tr("Window"),
            self.tr("Variants"),
            self.tr("Exposed"),
            self.tr("Converted"),
            self.tr("Created by"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text; the state coloured; numbers right-aligned; the hypothesis as the name's tooltip."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (3, 6, 7):
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            colour = PHASE_COLOURS.get(e.phase(self._now()))
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 5):
            return e.hypothesis or None if column == 0 else "\n".join(f"{v.name}: {v.policy}" for v in e.variants)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        cells = (
            e.name,
            e.policy_key,
            phase_label(e.phase(self._now())),
            share_text(e.share_bp),
            f"{_day(e.starts_at, False)} – {_day(e.window_end, False)}",
            " · ".join(f"{v.name} {v.policy}" for v in e.variants),
            str(e.exposures),
            str(e.conversions),
            e.created_by,
        )
        return cells[column] if 0 <= column < len(cells) else None

    def set_experiments(self, experiments: Sequence[ExperimentSummary]) -> None:
        """Replace the list."""
        self.beginResetModel()
        self._rows = list(experiments)
        self.endResetModel()

    def upsert(self, experiment: ExperimentSummary) -> None:
        """Change one experiment in place, or add it at the top."""
        row = self.row_of(experiment.experiment_id)
        if row < 0:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, experiment)
            self.endInsertRows()
            return
        self._rows[row] = experiment
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def row_of(self, experiment_id: int) -> int:
        """The row of an experiment, -1 if absent."""
        return next((i for i, e in enumerate(self._rows) if e.experiment_id == experiment_id), -1)

    def experiment_at(self, row: int) -> ExperimentSummary | None:
        """The experiment on a row."""
        return self._rows[row] if 0 <= row < len(self._rows) else None


class SandboxScreen(QWidget):
    """The experiments on the left; the selected one's live comparison on the right."""

    experiment_selected = Signal(int)
    """An experiment was selected: ask for its comparison."""
    define_requested = Signal(dict)
    """Save a definition (new draft when experiment_id is None, else an edit of that draft)."""
    start_requested = Signal(int)
    """Start this draft."""
    stop_requested = Signal(int)
    """Stop this running experiment (the user confirmed)."""

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """Build the list, the comparison panel and the shortcuts; `now` is the injected clock."""
        super().__init__(parent)
        self._now = now
        self.dialog: ExperimentDialog | None = None
        self.model = ExperimentListModel(now, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.new_button = QPushButton(self.tr("New… (Ctrl+N)"))
        self.edit_button = QPushButton(self.tr("Edit… (F2)"))
        self.start_button = QPushButton(self.tr("Start (Ctrl+R)"))
        self.stop_button = QPushButton(self.tr("Stop (Ctrl+Shift+R)"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        bar = QHBoxLayout()
        for button, action, keys in (
            (self.new_button, self.open_new_dialog, "Ctrl+N"),
            (self.edit_button, self.open_edit_dialog, "F2"),
            (self.start_button, self._start, "Ctrl+R"),
            (self.stop_button, self._stop, "Ctrl+Shift+R"),
        ):
            button.clicked.connect(lambda _=False, act=action: act())
            QShortcut(QKeySequence(keys), self, action)
            bar.addWidget(button)
        bar.addWidget(self.message, 1)
        list_box = QGroupBox(self.tr("Experiments"))
        list_layout = QVBoxLayout(list_box)
        list_layout.addLayout(bar)
        list_layout.addWidget(self.table)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.hypothesis = QLabel()
        self.hypothesis.setWordWrap(True)
        self.hypothesis.setStyleSheet("color: #555")
        self.variant_model = VariantTableModel(self)
        self.variant_table = QTableView()
        self.variant_table.setModel(self.variant_model)
        self.variant_table.verticalHeader().hide()
        self.variant_table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.variant_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.variant_table.horizontalHeader().setStretchLastSection(True)
        self.chart = ComparisonChart()
        self.chart.setMinimumHeight(220)
        self.verdict = QLabel()
        self.verdict.setObjectName("sandboxVerdict")
        self.verdict.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #777")
        panel = QGroupBox(self.tr("Live comparison"))
        panel_layout = QVBoxLayout(panel)
        panel_layout.addWidget(self.heading)
        panel_layout.addWidget(self.hypothesis)
        panel_layout.addWidget(self.variant_table)
        panel_layout.addWidget(self.chart, 1)
        panel_layout.addWidget(self.verdict)
        panel_layout.addWidget(self.note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(list_box)
        splitter.addWidget(panel)
        splitter.setSizes([700, 580])
        QVBoxLayout(self).addWidget(splitter)
        self._actions()

    # --- the list --------------------------------------------------------------------------------

    def apply_experiments(self, experiments: Sequence[ExperimentSummary], reset: bool = True) -> None:
        """Show these experiments (all of them, or `reset=False` to change or add only these)."""
        chosen = self.selected_experiment()
        if reset:
            self.model.set_experiments(experiments)
        else:
            for e in experiments:
                self.model.upsert(e)
        if chosen is not None:
            row = self.model.row_of(chosen.experiment_id)
            if row >= 0 and row != self.table.currentIndex().row():
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
        self._actions()
        shown = self.selected_experiment()
        if shown is not None:
            self._heading(shown)

    def selected_experiment(self) -> ExperimentSummary | None:
        """The experiment of the current row."""
        return self.model.experiment_at(self.table.currentIndex().row())

    def select(self, experiment_id: int) -> None:
        """Select an experiment's row (which asks for its comparison)."""
        row = self.model.row_of(experiment_id)
        if row >= 0:
            self.table.selectRow(row)

    def _selected(self) -> None:
        self._actions()
        e = self.selected_experiment()
        if e is not None:
            self._heading(e)
            self.experiment_selected.emit(e.experiment_id)

    def _actions(self) -> None:
        e = self.selected_experiment()
        state = e.state if e else ""
        self.edit_button.setEnabled(state == "draft")
        self.start_button.setEnabled(state == "draft")
        self.stop_button.setEnabled(state == "running")

    def show_message(self, text: str, error: bool = False) -> None:
        """A line beside the buttons: what the hub answered ('' clears it)."""
        self.message.setStyleSheet("color: #d32f2f" if error else "color: #2e7d32")
        self.message.setText(text)

    # --- actions ---------------------------------------------------------------------------------

    def open_new_dialog(self) -> ExperimentDialog:
        """Open the dialog for a new experiment; returns it."""
        return self._open(None)

    def open_edit_dialog(self) -> ExperimentDialog | None:
        """Open the dialog on the selected draft (None when it is not a draft)."""
        e = self.selected_experiment()
        return self._open(e) if e is not None and e.state == "draft" else None

    def _open(self, current: ExperimentSummary | None) -> ExperimentDialog:
        self.dialog = ExperimentDialog(self._now, current, self)
        self.dialog.submitted.connect(self.define_requested)
        self.dialog.open()
        return self.dialog

    def _start(self) -> None:
        e = self.selected_experiment()
        if e is not None and e.state == "draft":
            self.start_requested.emit(e.experiment_id)

    def _stop(self) -> None:
        e = self.selected_experiment()
        if e is not None and e.state == "running" and self.confirm_stop(e):
            self.stop_requested.emit(e.experiment_id)

    def confirm_stop(self, e: ExperimentSummary) -> bool:
        """Ask before stopping: a stopped experiment cannot run again."""
        text = self.tr("Stop “%1”? Nobody else will be exposed and later deals will not count.").replace("%1", e.name)
        answer = QMessageBox.question(self, self.tr("Stop experiment"), text)
        return answer == QMessageBox.StandardButton.Yes

    # --- the comparison --------------------------------------------------------------------------

    def _heading(self, e: ExperimentSummary) -> None:
        phase = e.phase(self._now())
        colour = PHASE_COLOURS.get(phase, "#333")
        self.heading.setText(
            f"<b>{e.name}</b> · <span style='color:{colour}'>{phase_label(phase)}</span> · "
            + self.tr("%1 of customers · %2 – %3 · policy %4")
            .replace("%1", share_text(e.share_bp))
            .replace("%2", _day(e.starts_at))
            .replace("%3", _day(e.window_end))
            .replace("%4", e.policy_key)
        )
        self.hypothesis.setText(self.tr("Hypothesis: %1").replace("%1", e.hypothesis) if e.hypothesis else "")

    def show_comparison(self, comparison: Comparison) -> None:
        """Feed the table, the chart and the verdict (the plot items stay the same)."""
        e = self.model.experiment_at(self.model.row_of(comparison.experiment_id))
        if e is not None:
            self._heading(e)
        rule = comparison.rule
        self.variant_model.set_rows(comparison.rows, rule.alpha)
        header = self.variant_table.horizontalHeader().height()
        self.variant_table.setFixedHeight(
            header + 4 + sum(map(self.variant_table.rowHeight, range(len(comparison.rows))))
        )
        self.chart.feed(comparison.rows, rule.alpha)
        colour = VERDICT_COLOURS.get(comparison.verdict.kind, "#455a64")
        self.verdict.setStyleSheet(f"color: {colour}; font-size: 15px; font-weight: bold")
        self.verdict.setText(comparison.verdict.text(text_language()))
        updated = _day(comparison.as_of)
        self.note.setText(
            self.tr(
                "Bars: conversion rate with its 95% interval; the first variant is the control. A verdict is given "
                "once every variant has %1 exposed customers and %2 have converted in all. Updated %3."
            )
            .replace("%1", str(rule.min_exposures))
            .replace("%2", str(rule.min_conversions))
            .replace("%3", updated or "—")
        )
