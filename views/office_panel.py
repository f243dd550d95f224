"""The demo office's control window: what is running, the day's figures, weekday/weekend mode,
bring any window forward; closing it closes the whole office."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


class OfficePanel(QWidget):
    """Mode switch, live figures and one button per window of the demo office."""

    mode_requested = Signal(str)
    """'auto' (weekday: idle consultant) or 'grab' (weekend: grab pool)."""
    raise_requested = Signal(str)
    """Bring the named window to the front."""
    closing = Signal()
    """The panel closes: stop everything."""

    FIGURES = ("posted", "visits", "behaviour", "customers", "merged", "dispatched", "answered", "rate_5")

    def __init__(self, windows: list[tuple[str, str]], mode: str, parent: QWidget | None = None):
        """`windows`: (key, label) of each window to offer; `mode` the dispatch mode in force."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("salesfloor demo office"))
        title = QLabel(self.tr("The whole office on one machine: the hub, simulated channels and every screen."))
        title.setWordWrap(True)
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)

        modes = QGroupBox(self.tr("Dispatch"))
        self.weekday = QRadioButton(self.tr("Weekday: to an idle consultant"))
        self.weekend = QRadioButton(self.tr("Weekend: grab pool, 15 s"))
        group = QButtonGroup(self)
        group.addButton(self.weekday)
        group.addButton(self.weekend)
        (self.weekend if mode == "grab" else self.weekday).setChecked(True)
        self.weekday.toggled.connect(lambda on: on and self.mode_requested.emit("auto"))
        self.weekend.toggled.connect(lambda on: on and self.mode_requested.emit("grab"))
        box = QVBoxLayout(modes)
        box.addWidget(self.weekday)
        box.addWidget(self.weekend)

        figures = QGroupBox(self.tr("So far"))
        grid = QGridLayout(figures)
        labels = {
            "posted": self.tr("Channel leads posted"),
            "visits": self.tr("Visitors registered"),
            "behaviour": self.tr("Behaviour events"),
            "customers": self.tr("Customers"),
            "merged": self.tr("Leads merged into a customer"),
            "dispatched": self.tr("Leads dispatched"),
            "answered": self.tr("Leads answered"),
            "rate_5": self.tr("Answered within 5 minutes"),
        }
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(self.FIGURES):
            grid.addWidget(QLabel(labels[key]), row, 0)
            self.values[key] = QLabel("0")
            self.values[key].setFont(bold)
            grid.addWidget(self.values[key], row, 1)

        shown = QGroupBox(self.tr("Windows"))
        buttons = QHBoxLayout(shown)
        for key, label in windows:
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, k=key: self.raise_requested.emit(k))
            buttons.addWidget(button)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.close_button = QPushButton(self.tr("Close the office"))
        self.close_button.clicked.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(modes)
        layout.addWidget(figures)
        layout.addWidget(shown)
        layout.addWidget(self.status)
        layout.addWidget(self.close_button)

    def show_figures(self, figures: dict) -> None:
        """Update the counters (a dict with the FIGURES keys; rate_5 a share or None)."""
        for key in self.FIGURES:
            value = figures.get(key)
            percent = "—" if value is None else f"{value:.0%}"
            text = percent if key == "rate_5" else str(value or 0)
            self.values[key].setText(text)
        errors = figures.get("errors") or []
        self.status.setText(self.tr("Last problem: %1").replace("%1", errors[-1]) if errors else "")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the panel closes the office."""
        self.closing.emit()
        super().closeEvent(event)
