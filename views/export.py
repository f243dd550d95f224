"""Export any table to XLSX or CSV: a context-menu action, a "Export…" button and Ctrl+E on the table.

What is exported is what the table shows: its header titles, visible columns in their on-screen order,
rows as sorted and filtered, cells as displayed (masked stays masked). A model may give a typed value
(number, date, Decimal) for a cell under `EXPORT_ROLE` (and says so with a class attribute
`exports_typed = True`); the workbook then holds that value while the CSV keeps the displayed text.
The table is read on the GUI thread in short slices (the window keeps painting) and the file is
written on a worker thread (`models.table_export`); the outcome comes back by signal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from time import monotonic

from PySide6.QtCore import QObject, QRunnable, QStandardPaths, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMessageBox, QPushButton, QTableView, QWidget

from models.clock import business_time
from models.table_export import Cell, ExportError, TableData, Typed, export_format, write_table

EXPORT_ROLE = Qt.ItemDataRole.UserRole + 64
SHORTCUT = "Ctrl+E"
SLICE_S = 0.025  # read for this long, then let the window paint
MAX_RESTARTS = 3


class TableReader(QObject):
    """Reads what a view shows into TableData, a slice of rows per event-loop turn; starts over if
    rows are inserted, removed or re-sorted meanwhile (a live queue), and gives up after a few tries."""

    table_read = Signal(object)
    """The TableData, complete."""
    read_failed = Signal(str)
    """Why the table could not be read."""

    _STRUCTURE = ("rowsInserted", "rowsRemoved", "rowsMoved", "modelReset", "layoutChanged", "columnsInserted")

    def __init__(self, view: QAbstractItemView, title: str, parent: QObject | None = None):
        """Bind to the view; `start()` begins."""
        super().__init__(parent)
        self.view = view
        self.title = title
        self._restarts = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._slice)

    def start(self) -> None:
        """Begin (or begin again) from the first row."""
        model = self.view.model()
        self._changed = False
        for name in self._STRUCTURE:
            getattr(model, name).connect(self._structure_changed)
        self._columns = visible_columns(self.view)
        self._typed = exports_typed(model)
        headers = [header_text(self.view, c) for c in self._columns]
        if not isinstance(self.view, QTableView) and headers == [""]:
            headers = [self.title]  # a list has no header: its column is named after the table
        self._data = TableData(self.title, headers)
        self._next = 0
        self._timer.start(0)

    def _structure_changed(self, *_args) -> None:
        self._changed = True

    def _disconnect(self) -> None:
        model = self.view.model()
        for name in self._STRUCTURE:
            getattr(model, name).disconnect(self._structure_changed)

    def _slice(self) -> None:
        if self._changed:
            self._disconnect()
            self._restarts += 1
            if self._restarts > MAX_RESTARTS:
                self.read_failed.emit(self.tr("the table kept changing while it was read; try again"))
                return
            self.start()
            return
        model = self.view.model()
        count = model.rowCount()
        hidden = self.view.isRowHidden if isinstance(self.view, QTableView) else None
        columns, typed, rows = self._columns, self._typed, self._data.rows
        deadline = monotonic() + SLICE_S
        row = self._next
        while row < count:
            if not (hidden is not None and hidden(row)):
                rows.append([cell(model, row, column, typed) for column in columns])
            row += 1
            if row % 100 == 0 and monotonic() > deadline:
                break
        self._next = row
        if row < count:
            self._timer.start(0)
            return
        self._disconnect()
        self.table_read.emit(self._data)


def visible_columns(view: QAbstractItemView) -> list[int]:
    """Logical columns shown, left to right as on screen (moved columns moved, hidden ones left out)."""
    if not isinstance(view, QTableView):
        return [view.modelColumn()] if hasattr(view, "modelColumn") else [0]
    header = view.horizontalHeader()
    columns = (header.logicalIndex(v) for v in range(header.count()))
    return [c for c in columns if not header.isSectionHidden(c) and not view.isColumnHidden(c)]


def header_text(view: QAbstractItemView, column: int) -> str:
    """A column's title as the header shows it (a list's title is its window's or the model's)."""
    title = view.model().headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    return "" if title is None else str(title)


def exports_typed(model) -> bool:
    """Whether the model (under any proxies) answers EXPORT_ROLE."""
    while hasattr(model, "sourceModel") and model.sourceModel() is not None:
        model = model.sourceModel()
    return bool(getattr(model, "exports_typed", False))


def cell(model, row: int, column: int, typed: bool = False) -> Cell:
    """A cell as displayed; typed when the model gives EXPORT_ROLE (if `typed`) or a number for display."""
    index = model.index(row, column)
    shown = model.data(index, Qt.ItemDataRole.DisplayRole)
    text = "" if shown is None else str(shown)
    value = model.data(index, EXPORT_ROLE) if typed else None
    if value is not None:
        return Typed(value, text)
    if isinstance(shown, int | float) and not isinstance(shown, bool):
        return Typed(shown, text)
    return text


class _WriteSignals(QObject):
    """A worker's way back to the GUI thread."""

    written = Signal(str, int)
    failed = Signal(object)


class WriteJob(QRunnable):
    """Writes one table to one file on a pool thread."""

    def __init__(self, path: str, table: TableData):
        """The signals object is made here, on the GUI thread, so its slots run there."""
        super().__init__()
        self.path = path
        self.table = table
        self.signals = _WriteSignals()

    def run(self) -> None:
        """Write; report the row count or the error (never raise into the pool)."""
        try:
            rows = write_table(self.path, self.table)
        except ExportError as exc:
            self.signals.failed.emit(exc)
        except Exception as exc:  # an unexpected failure still reaches the person, not only a log
            self.signals.failed.emit(ExportError(self.path, "other", f"{type(exc).__name__}: {exc}"))
        else:
            self.signals.written.emit(self.path, rows)


class TableExporter(QObject):
    """The export of one table: the action (context menu, Ctrl+E), buttons, the dialog, the outcome."""

    export_started = Signal(str)
    """Reading and writing begun, to this path."""
    export_finished = Signal(str, int)
    """The file was written: path and number of rows."""
    export_failed = Signal(str)
    """The file could not be written: the message shown."""

    last_folder = ""  # shared by every table in the session

    def __init__(
        self,
        view: QWidget,
        title: str,
        source: Callable[[], TableData] | None = None,
        now: Callable[[], datetime] | None = None,
        context_menu: bool = True,
    ):
        """Install on `view`: a QTableView/QListView is read as shown; other widgets (a chart) give `source`.
        `context_menu` adds the action to the widget's right-click menu (charts have a menu of their own)."""
        super().__init__(view)
        self.view = view
        self.title = title
        self.source = source
        self._now = now or (lambda: datetime.now().astimezone())
        self._reader: TableReader | None = None
        self._job: WriteJob | None = None
        self.notify = True
        self.notice: QMessageBox | None = None
        self.action = QAction(self.tr("Export…"), view)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.setToolTip(
            self.tr("Save this table as an Excel workbook or a CSV file (%1)").replace("%1", SHORTCUT)
        )
        self.action.triggered.connect(self.export)
        view.addAction(self.action)
        if context_menu and view.contextMenuPolicy() == Qt.ContextMenuPolicy.DefaultContextMenu:
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def button(self, text: str | None = None) -> QPushButton:
        """An "Export…" button for the table's toolbar, enabled while no export is running."""
        button = QPushButton(text or self.action.text())
        button.setToolTip(self.action.toolTip())
        button.clicked.connect(self.action.trigger)
        self.action.enabledChanged.connect(button.setEnabled)  # a bound slot: gone with the button
        return button

    def default_path(self, suffix: str = "xlsx") -> str:
        """Where the dialog proposes to save: the last folder used, else Documents; title and time."""
        folder = TableExporter.last_folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        stamp = business_time(self._now()).strftime("%Y%m%d-%H%M")
        name = re.sub(r'[\\/:*?"<>|\s]+', "_", self.title).strip("_") or "table"
        return str(Path(folder) / f"{name}-{stamp}.{suffix}")

    def export(self) -> None:
        """Ask where (.xlsx or .csv), then export there."""
        xlsx, csv = self.tr("Excel workbook (*.xlsx)"), self.tr("CSV, UTF-8 (*.csv)")
        path, chosen = QFileDialog.getSaveFileName(
            self.view.window(), self.tr("Export table"), self.default_path(), f"{xlsx};;{csv}", xlsx
        )
        if not path:
            return
        if Path(path).suffix.lower() not in (".xlsx", ".csv"):
            path += ".csv" if chosen == csv else ".xlsx"
        self.export_to(path)

    def export_to(self, path: str) -> None:
        """Read the table and write it to `path` in the background; the outcome comes by signal."""
        try:
            export_format(path)
        except ExportError as exc:
            self._failed(exc)
            return
        self.action.setEnabled(False)
        self.export_started.emit(path)
        if self.source is not None:
            self._write(path, self.source())
            return
        self._reader = TableReader(self.view, self.title, self)  # type: ignore[arg-type]
        self._reader.table_read.connect(lambda table: self._write(path, table))
        self._reader.read_failed.connect(lambda why: self._failed(ExportError(path, "other", why)))
        self._reader.start()

    def _write(self, path: str, table: TableData) -> None:
        self._job = WriteJob(path, table)
        self._job.signals.written.connect(self._written)
        self._job.signals.failed.connect(self._failed)
        QThreadPool.globalInstance().start(self._job)

    def _written(self, path: str, rows: int) -> None:
        self._done()
        TableExporter.last_folder = str(Path(path).parent)
        message = self.tr("Exported %n row(s) to", "", rows) + f"\n{path}"
        self.export_finished.emit(path, rows)
        self._tell(QMessageBox.Icon.Information, message, path)

    def _failed(self, error: ExportError) -> None:
        self._done()
        message = self.tr("Could not export to %1: %2").replace("%1", error.path).replace("%2", self.reason(error))
        self.export_failed.emit(message)
        self._tell(QMessageBox.Icon.Warning, message, None)

    def _done(self) -> None:
        self.action.setEnabled(True)
        self._reader = None  # the finished job is kept until the next one: its signals are still delivering

    def reason(self, error: ExportError) -> str:
        """Why, in words a person can act on."""
        words = {
            "format": self.tr("only .xlsx and .csv files can be written"),
            "permission": self.tr("no permission to write there"),
            "no_folder": self.tr("the folder does not exist"),
            "not_a_folder": self.tr("part of the path is a file, not a folder"),
            "disk_full": self.tr("the disk is full"),
            "exists_as_folder": self.tr("a folder of that name exists"),
        }
        said = words.get(error.reason)
        return said if said else (error.detail or error.reason)

    def _tell(self, icon: QMessageBox.Icon, message: str, path: str | None) -> None:
        """A non-blocking note over the window: where the file went (with a way to open its folder)."""
        if not self.notify:
            return
        if self.notice is not None:
            self.notice.close()
        box = QMessageBox(icon, self.tr("Export"), message, QMessageBox.StandardButton.Ok, self.view.window())
        if path is not None:
            folder = box.addButton(self.tr("Open folder"), QMessageBox.ButtonRole.ActionRole)
            folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent))))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(lambda _r: setattr(self, "notice", None))
        self.notice = box
        box.show()


def install_export(
    view: QWidget,
    title: str,
    source: Callable[[], TableData] | None = None,
    now: Callable[[], datetime] | None = None,
    context_menu: bool = True,
) -> TableExporter:
    """Give a table (or any widget with a `source` of rows) its export action, menu entry and Ctrl+E."""
    return TableExporter(view, title, source, now, context_menu)


def exporter_of(view: QWidget) -> TableExporter | None:
    """The exporter installed on a widget, if any."""
    return view.findChild(TableExporter)
