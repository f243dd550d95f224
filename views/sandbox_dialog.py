"""The "define experiment" dialog (政策沙盒): keyboard-first, checked by the model's own rules.

Tab moves through the fields, Enter in any one-line field submits, Ctrl+Enter submits from the
hypothesis, Esc cancels; an error names its field in the screen's language and puts the cursor there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QDateTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from models.clock import BUSINESS_TZ, business_time
from models.sandbox_design import MAX_VARIANTS, MAX_WEIGHT, ExperimentError, ExperimentSummary, plan_from_dict


def text_language() -> str:
    """'zh' when the Chinese translation is installed, else 'en': the model's texts follow the screen."""
    return "zh" if QCoreApplication.translate("Sandbox", "text-language:en") == "zh" else "en"


class VariantRow:
    """One variant's three fields: name (the next letter unless typed), policy text, weight."""

    def __init__(self, letter: str, name: str = "", policy: str = "", weight: int = 1):
        """The editors, filled."""
        self.name = QLineEdit(name)
        self.name.setPlaceholderText(letter)
        self.name.setMaxLength(32)
        self.policy = QLineEdit(policy)
        self.weight = QSpinBox()
        self.weight.setRange(1, MAX_WEIGHT)
        self.weight.setValue(weight)

    def is_blank(self) -> bool:
        """Nothing typed in name or policy."""
        return not self.name.text().strip() and not self.policy.text().strip()

    def value(self) -> dict:
        """The variant as the model reads it."""
        name = self.name.text() or self.name.placeholderText()
        return {"name": name, "policy": self.policy.text(), "weight": self.weight.value()}


class ExperimentDialog(QDialog):
    """Define (or edit a draft): name, policy key, hypothesis, share, window, variants, overlap."""

    submitted = Signal(dict)
    """The checked definition: `define_requested`'s fields (experiment_id None for a new one)."""

    def __init__(
        self, now: Callable[[], datetime], current: ExperimentSummary | None = None, parent: QWidget | None = None
    ):
        """The form, empty (A and B rows ready) or filled from a draft."""
        super().__init__(parent)
        self._now = now
        self._experiment_id = current.experiment_id if current else None
        self.setWindowTitle(self.tr("Edit experiment") if current else self.tr("New experiment"))
        self.setMinimumWidth(600)
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText(self.tr("e.g. December discount against parking"))
        self.policy_key = QLineEdit()
        self.policy_key.setPlaceholderText(self.tr("what the variants change, e.g. discount"))
        self.hypothesis = QPlainTextEdit()
        self.hypothesis.setPlaceholderText(self.tr("what you expect, e.g. a free parking space sells more than 5% off"))
        self.hypothesis.setTabChangesFocus(True)
        self.hypothesis.setFixedHeight(56)
        self.share = QLineEdit("5")
        self.share.setPlaceholderText(self.tr("percent of customers, e.g. 5"))
        start = business_time(now()).replace(minute=0, second=0, microsecond=0, tzinfo=None) + timedelta(hours=1)
        self.starts = self._when(start)
        self.stops = self._when(start + timedelta(days=30))
        self.allow_overlap = QCheckBox(self.tr("Allow overlap with a running experiment on this policy key"))
        self.rows: list[VariantRow] = []
        self.grid = QGridLayout()
        titles = (self.tr("Name (A: the control)"), self.tr("Policy offered"), self.tr("Weight"))
        for column, title in enumerate(titles):
            self.grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        self.grid.setColumnStretch(1, 1)
        self.add_button = QPushButton(self.tr("Add variant (Ctrl+Shift+N)"))
        self.add_button.clicked.connect(lambda: self.add_variant())
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, lambda: self.add_variant())
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #d32f2f")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Save draft (Enter)"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel (Esc)"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        form = QFormLayout(self)
        form.addRow(self.tr("Experiment name"), self.name)
        form.addRow(self.tr("Policy key"), self.policy_key)
        form.addRow(self.tr("Hypothesis"), self.hypothesis)
        form.addRow(self.tr("Exposed share (%)"), self.share)
        form.addRow(self.tr("Start time"), self.starts)
        form.addRow(self.tr("Stop time"), self.stops)
        form.addRow(self.tr("Variants"), self.grid)
        form.addRow("", self.add_button)
        form.addRow("", self.allow_overlap)
        form.addRow("", self.error)
        form.addRow(buttons)
        for edit in (self.name, self.policy_key, self.share):
            edit.returnPressed.connect(self.submit)
        if current is None:
            self.add_variant()
            self.add_variant()
        else:
            self._fill(current)
        self.name.setFocus()

    def _when(self, at: datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit(QDateTime(at))
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        return edit

    def _fill(self, e: ExperimentSummary) -> None:
        self.name.setText(e.name)
        self.policy_key.setText(e.policy_key)
        self.hypothesis.setPlainText(e.hypothesis)
        self.share.setText(f"{e.share_bp / 100:g}")
        self.starts.setDateTime(QDateTime(business_time(e.starts_at).replace(tzinfo=None)))
        self.stops.setDateTime(QDateTime(business_time(e.stops_at).replace(tzinfo=None)))
        self.allow_overlap.setChecked(e.allow_overlap)
        for v in e.variants:
            self.add_variant(v.name, v.policy, v.weight)

    def add_variant(self, name: str = "", policy: str = "", weight: int = 1) -> VariantRow | None:
        """Another variant row (at most eight); the cursor goes to its policy."""
        if len(self.rows) >= MAX_VARIANTS:
            return None
        row = VariantRow(chr(ord("A") + len(self.rows)), name, policy, weight)
        row.policy.setPlaceholderText(self.tr("e.g. 9.5折") if not self.rows else self.tr("e.g. 送车位"))
        line = len(self.rows) + 1
        for column, widget in enumerate((row.name, row.policy, row.weight)):
            self.grid.addWidget(widget, line, column)
        for edit in (row.name, row.policy):
            edit.returnPressed.connect(self.submit)
        self.rows.append(row)
        self.add_button.setEnabled(len(self.rows) < MAX_VARIANTS)
        if self.isVisible():  # a layout shows new children only on the next event loop turn
            for widget in (row.name, row.policy, row.weight):
                widget.show()
            row.policy.setFocus()
        return row

    def values(self) -> dict:
        """The form as `define_requested` carries it (blank variant rows left out)."""

        def iso(edit: QDateTimeEdit) -> str:
            return edit.dateTime().toPython().replace(second=0, microsecond=0, tzinfo=BUSINESS_TZ).isoformat()

        return {
            "experiment_id": self._experiment_id,
            "name": self.name.text(),
            "policy_key": self.policy_key.text(),
            "hypothesis": self.hypothesis.toPlainText(),
            "share": self.share.text(),
            "starts_at": iso(self.starts),
            "stops_at": iso(self.stops),
            "allow_overlap": self.allow_overlap.isChecked(),
            "variants": [r.value() for r in self.rows if not r.is_blank()],
        }

    def field_widget(self, field: str) -> QWidget | None:
        """The editor an error's field names ('name', 'share', 'variants[1].policy' …)."""
        simple = {
            "name": self.name,
            "policy_key": self.policy_key,
            "hypothesis": self.hypothesis,
            "share": self.share,
            "starts_at": self.starts,
            "stops_at": self.stops,
            "allow_overlap": self.allow_overlap,
        }
        if field in simple:
            return simple[field]
        if field.startswith("variants["):
            index, _, part = field[len("variants[") :].partition("].")
            filled = [r for r in self.rows if not r.is_blank()]
            blanks = [r for r in self.rows if r.is_blank()]
            pool = filled + blanks
            if index.isdigit() and int(index) < len(pool):
                return getattr(pool[int(index)], part, pool[int(index)].name)
            return self.rows[-1].name if self.rows else None
        return None

    def show_error(self, error: ExperimentError) -> None:
        """Show a refusal (the dialog's own check, or the hub's) and put the cursor on its field."""
        self.error.setText(error.text(text_language()))
        widget = self.field_widget(error.field)
        if widget is not None:
            widget.setFocus()

    def submit(self) -> None:
        """Check the form as the model will, then emit it and close."""
        values = self.values()
        try:
            plan_from_dict(values, self._now())
        except ExperimentError as exc:
            self.show_error(exc)
            return
        self.error.clear()
        self.submitted.emit(values)
        self.accept()
