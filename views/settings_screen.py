"""The admin settings screen: the office's settings in sections, checked inline, saved or reverted.

The tables it edits (weights, a source's field mapping, WeCom robots) are `views.settings_tables`.

Plain data in (`show_settings(OfficeSettings)`, `show_problems(problems)`, `show_saved`), intents out
(`settings_edited`, `save_requested`, `revert_requested`); no file is read or written here. Secrets
are typed into password fields and robot addresses are shown without their key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, QTime, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from models.office_forms import join_dates, split_dates
from models.office_setup import ChannelSettings, OfficeSettings, SmtpForm
from models.office_texts import SECTIONS, Problem
from views.format import channel_label
from views.settings_tables import MappingModel, RobotsModel, SettingsTable, WeightsModel

ERROR_STYLE = "color: #c62828"
FALLBACK_STEPS = ("", "reoffer", "assign", "manager")


def text_language() -> str:
    """'zh' when the Chinese translation is installed, else 'en': the model's messages follow the screen."""
    return "zh" if QCoreApplication.translate("SettingsScreen", "text-language:en") == "zh" else "en"


def _number(value) -> int:
    """A value read from a file for a number box: wrong types (kept so the checks can name them) show as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _flag(value) -> bool:
    """A value read from a file for a check box: anything but true/false shows unticked."""
    return value is True


class SettingsScreen(QWidget):
    """Sections on the left, a form on the right, Save / Revert and a status line below."""

    settings_edited = Signal(object)
    """The settings as the form holds them now (OfficeSettings), after any edit: to be checked."""
    save_requested = Signal(object)
    """Save these settings (OfficeSettings)."""
    revert_requested = Signal()
    """Throw the edits away and show the files again."""

    def __init__(self, parent: QWidget | None = None):
        """The empty screen; `show_settings` fills it."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Office settings"))
        self._loading = False
        self._base = OfficeSettings()
        self._loaded = OfficeSettings()
        self._channels: dict[str, ChannelSettings] = {}
        self._source = ""
        self._errors: dict[str, QLabel] = {}
        self.sections = QListWidget()
        self.sections.setFixedWidth(190)
        self.pages = QStackedWidget()
        titles = {
            "office": self.tr("Office"),
            "channels": self.tr("Channels"),
            "wecom": self.tr("WeCom"),
            "email": self.tr("E-mail"),
            "dispatch": self.tr("Dispatch & calendar"),
            "weights": self.tr("Weights & 报备"),
            "alerts": self.tr("Alerts"),
        }
        self._titles = [titles[s] for s in SECTIONS]
        for section, title in zip(SECTIONS, self._titles, strict=True):
            self.sections.addItem(title)
            self.pages.addWidget(self._scrolled(getattr(self, f"_page_{section}")()))
        self.sections.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sections.setCurrentRow(0)
        self.restart_note = QLabel(
            self.tr("The hub reads these files when it starts: changes take effect when the hub restarts.")
        )
        self.restart_note.setWordWrap(True)
        self.restart_note.setStyleSheet("background: #fff8e1; color: #6d4c00; padding: 6px; border-radius: 3px")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.revert_button = QPushButton(self.tr("Revert"))
        self.save_button = QPushButton(self.tr("Save (Ctrl+S)"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        self.revert_button.clicked.connect(self.revert_requested)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self._save)
        body = QHBoxLayout()
        body.addWidget(self.sections)
        body.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.restart_note)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self._set_dirty(False)

    # ---- building ------------------------------------------------------------------------------

    def _form(self) -> tuple[QWidget, QFormLayout]:
        """A page holding a form at its top."""
        page, form = QWidget(), QFormLayout()
        column = QVBoxLayout(page)
        column.addLayout(form)
        column.addStretch(1)
        return page, form

    def _scrolled(self, page: QWidget) -> QScrollArea:
        """A page that scrolls when the window is small."""
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(page)
        return area

    def _row(self, form: QFormLayout, label: str, editor: QWidget, key: str, hint: str = "") -> None:
        """A labelled editor with its hint and its (hidden until needed) problem line under it."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setStyleSheet("color: #666")
            column.addWidget(note)
        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet(ERROR_STYLE)
        error.hide()
        column.addWidget(error)
        self._errors[key] = error
        form.addRow(label, box)

    def _line(self, password: bool = False, placeholder: str = "") -> QLineEdit:
        """A one-line editor that reports edits."""
        editor = QLineEdit()
        editor.setPlaceholderText(placeholder)
        if password:
            editor.setEchoMode(QLineEdit.EchoMode.Password)
        editor.textEdited.connect(self._edited)
        return editor

    def _spin(self, low: int, high: int, suffix: str = "") -> QSpinBox:
        """A whole-number editor within bounds."""
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        spin.setMaximumWidth(180)
        spin.valueChanged.connect(self._edited)
        return spin

    def _check(self, text: str) -> QCheckBox:
        """A switch."""
        box = QCheckBox(text)
        box.toggled.connect(self._edited)
        return box

    def _table(self, model: SettingsTable, height: int, row_titles: bool = False) -> QTableView:
        """A table view of one of the screen's models, as tall as its rows (at least `height`)."""
        view = QTableView()
        view.setModel(model)
        view.setMinimumHeight(height)
        view.setWordWrap(False)
        view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        view.verticalHeader().setVisible(row_titles)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        model.dataChanged.connect(self._edited)
        model.rowsInserted.connect(self._edited)
        model.rowsRemoved.connect(self._edited)
        return view

    def _page_office(self) -> QWidget:
        page, form = self._form()
        self.office_name = self._line(placeholder=self.tr("e.g. 星河湾营销中心"))
        self._row(form, self.tr("Office name"), self.office_name, "office_name")
        self.files = QLabel()
        self.files.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files.setWordWrap(True)
        form.addRow(self.tr("Files"), self.files)
        people = QLabel(
            self.tr(
                "People are added with the setup wizard (salesfloor setup --staff FILE) or salesfloor hub user add."
            )
        )
        people.setWordWrap(True)
        form.addRow(self.tr("People"), people)
        return page

    def _page_channels(self) -> QWidget:
        page, form = self._form()
        self.source = QComboBox()
        self.source.currentIndexChanged.connect(self._source_changed)
        form.addRow(self.tr("Source"), self.source)
        self.source_info = QLabel()
        self.source_info.setWordWrap(True)
        form.addRow("", self.source_info)
        self.secret = self._line(password=True, placeholder=self.tr("not set: copy it from the platform"))
        self._row(form, self.tr("Secret"), self.secret, "channels.secret")
        self.mapping = MappingModel()
        self.mapping_view = self._table(self.mapping, 300)
        self.mapping_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hint = self.tr("Dots between names (data.phone); header:Name for a header; several paths separated by commas.")
        self._row(form, self.tr("Field mapping"), self.mapping_view, "channels", hint)
        return page

    def _page_wecom(self) -> QWidget:
        page, form = self._form()
        self.robots = RobotsModel()
        self.robots_view = self._table(self.robots, 110)
        buttons = QHBoxLayout()
        add, remove = QPushButton(self.tr("Add robot")), QPushButton(self.tr("Remove robot"))
        add.clicked.connect(self.robots.add)
        remove.clicked.connect(lambda: self.robots.remove(self.robots_view.currentIndex().row()))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.robots_view)
        column.addLayout(buttons)
        hint = self.tr("Group robot → Add robot in WeCom gives the address; its key is kept secret here.")
        self._row(form, self.tr("Robots"), box, "wecom.robots", hint)
        self.per_minute = self._spin(1, 20)
        self._row(
            form, self.tr("Messages per minute"), self.per_minute, "wecom.per_minute", self.tr("WeCom allows 20.")
        )
        return page

    def _page_email(self) -> QWidget:
        page, form = self._form()
        self.smtp_host = self._line(placeholder="smtp.exmail.qq.com")
        self._row(form, self.tr("Mail server"), self.smtp_host, "smtp.host", self.tr("Empty: no e-mail."))
        self.smtp_security = QComboBox()
        for text, value in (("STARTTLS", "starttls"), ("SSL", "ssl"), (self.tr("None"), "none")):
            self.smtp_security.addItem(text, value)
        self.smtp_security.currentIndexChanged.connect(self._edited)
        self._row(form, self.tr("Security"), self.smtp_security, "smtp.security")
        self.smtp_port = self._spin(1, 65535)
        self._row(form, self.tr("Port"), self.smtp_port, "smtp.port")
        self.smtp_username = self._line()
        self._row(form, self.tr("Login"), self.smtp_username, "smtp.username")
        self.smtp_password = self._line(password=True)
        self._row(form, self.tr("Password"), self.smtp_password, "smtp.password")
        self.smtp_sender = self._line(placeholder="report@office.example")
        self._row(form, self.tr("Sender"), self.smtp_sender, "smtp.sender")
        self.smtp_recipients = self._line(placeholder="director@office.example, manager@office.example")
        self._row(form, self.tr("Report recipients"), self.smtp_recipients, "smtp.recipients")
        self.report_at = QTimeEdit()
        self.report_at.setDisplayFormat("HH:mm")
        self.report_at.timeChanged.connect(self._edited)
        self._row(
            form, self.tr("Daily report at"), self.report_at, "report_at", self.tr("Yesterday's figures, Beijing time.")
        )
        return page

    def _page_dispatch(self) -> QWidget:
        page, form = self._form()
        days = QWidget()
        row = QHBoxLayout(days)
        row.setContentsMargins(0, 0, 0, 0)
        names = (
            self.tr("Mon"),
            self.tr("Tue"),
            self.tr("Wed"),
            self.tr("Thu"),
            self.tr("Fri"),
            self.tr("Sat"),
            self.tr("Sun"),
        )
        self.weekdays = [self._check(name) for name in names]
        for box in self.weekdays:
            row.addWidget(box)
        row.addStretch(1)
        hint = self.tr("Leads are assigned to an idle consultant on these days; other days run the grab pool.")
        self._row(form, self.tr("Auto-assign on"), days, "calendar.auto_assign_weekdays", hint)
        self.holidays = QPlainTextEdit()
        self.holidays.setFixedHeight(70)
        self.holidays.setPlaceholderText("2026-10-01~2026-10-07, 2026-12-31")
        self.holidays.textChanged.connect(self._edited)
        self._row(form, self.tr("Holidays (grab pool)"), self.holidays, "calendar.holidays")
        self.workdays = self._line(placeholder="2026-10-10")
        self._row(form, self.tr("Make-up workdays (调休)"), self.workdays, "calendar.workdays")
        self.idle_minutes = self._spin(0, 24 * 60, self.tr(" min"))
        hint = self.tr("A consultant on duty with no follow-up for this long can take a lead.")
        self._row(form, self.tr("Idle after"), self.idle_minutes, "dispatch.idle_minutes", hint)
        self.grab_seconds = self._spin(1, 3600, self.tr(" s"))
        self._row(form, self.tr("Grab offer open for"), self.grab_seconds, "dispatch.grab_seconds")
        chain = QWidget()
        row = QHBoxLayout(chain)
        row.setContentsMargins(0, 0, 0, 0)
        labels = (
            self.tr("—"),
            self.tr("Offer again"),
            self.tr("Assign an idle consultant"),
            self.tr("Manager's queue"),
        )
        self.fallback = []
        for _ in range(4):
            combo = QComboBox()
            for label, step in zip(labels, FALLBACK_STEPS, strict=True):
                combo.addItem(label, step)
            combo.currentIndexChanged.connect(self._edited)
            self.fallback.append(combo)
            row.addWidget(combo)
        self._row(form, self.tr("Nobody grabbed it"), chain, "dispatch.grab_fallback", self.tr("Steps in order."))
        return page

    def _page_weights(self) -> QWidget:
        page, form = self._form()
        self.weights = WeightsModel()
        self.weights_view = self._table(self.weights, 200, row_titles=True)
        hint = self.tr("A blank cell uses the “any channel” weight of its column; weights are normalised per customer.")
        self._row(form, self.tr("Contribution weights"), self.weights_view, "weights", hint)
        self.report_valid_days = self._spin(0, 3650, self.tr(" days"))
        self._row(form, self.tr("报备 valid for"), self.report_valid_days, "protection.report_valid_days")
        self.min_report_lead = self._spin(0, 7 * 24 * 60, self.tr(" min"))
        self._row(
            form, self.tr("报备 at least before the visit"), self.min_report_lead, "protection.min_report_lead_minutes"
        )
        self.report_required = self._check(self.tr("An agency visit needs a valid 报备 to be protected"))
        form.addRow("", self.report_required)
        self.visit_days = self._spin(0, 3650, self.tr(" days"))
        self._row(form, self.tr("Visit protection"), self.visit_days, "protection.visit_protection_days")
        self.deal_days = self._spin(0, 3650, self.tr(" days"))
        self._row(form, self.tr("Deal protection"), self.deal_days, "protection.deal_protection_days")
        self.visit_decides = self._check(self.tr("The first visit decides (到访为王)"))
        form.addRow("", self.visit_decides)
        return page

    def _page_alerts(self) -> QWidget:
        page, form = self._form()
        advice = QLabel(
            self.tr("Start with red only; add yellow and blue after two weeks, once consultants trust the red ones.")
        )
        advice.setWordWrap(True)
        form.addRow(advice)
        self.red = self._check(self.tr("Red: no follow-up — a forced popup for the owner and the manager"))
        form.addRow(self.red)
        self.red_hours = self._spin(1, 24 * 30, self.tr(" h"))
        self._row(form, self.tr("No follow-up for"), self.red_hours, "alerts.red_hours")
        self.yellow = self._check(self.tr("Yellow: price page or repeated VR views — WeCom to the owner"))
        form.addRow(self.yellow)
        self.price_dwell = self._spin(1, 3600, self.tr(" s"))
        self._row(form, self.tr("Price page longer than"), self.price_dwell, "alerts.price_dwell_s")
        self.price_paths = self._line(placeholder="price, jiage")
        self._row(form, self.tr("Price page paths"), self.price_paths, "alerts.price_paths")
        self.vr_repeat = self._spin(2, 100, self.tr(" times"))
        self._row(form, self.tr("Same unit's VR in a row"), self.vr_repeat, "alerts.vr_repeat")
        self.blue = self._check(self.tr("Blue: a floor plan saved as favourite — report only"))
        form.addRow(self.blue)
        return page

    # ---- data in -------------------------------------------------------------------------------

    def show_settings(self, settings: OfficeSettings, files: Sequence[str] = ()) -> None:
        """Fill every field from the settings (as on file); nothing is unsaved afterwards."""
        try:
            self._fill(settings, files)
        finally:
            self._loading = False  # edits count again even if a field could not be shown

    def _fill(self, settings: OfficeSettings, files: Sequence[str]) -> None:
        self._loading = True
        self._base = settings
        self.office_name.setText(settings.office_name)
        self.files.setText("\n".join(files))
        self._channels = {c.source: c for c in settings.channels}
        self.source.blockSignals(True)
        self.source.clear()
        for ch in settings.channels:
            self.source.addItem(f"{ch.source} · {channel_label(ch.channel)}", ch.source)
        self.source.blockSignals(False)
        self._source = ""
        self._source_changed()
        self.robots.reset([[n, u] for n, u in settings.wecom_robots])
        self.per_minute.setValue(_number(settings.wecom_per_minute))
        m = settings.smtp
        self.smtp_host.setText(str(m.host or ""))
        self.smtp_security.setCurrentIndex(max(0, self.smtp_security.findData(m.security)))
        self.smtp_port.setValue(_number(m.port))
        self.smtp_username.setText(str(m.username or ""))
        self.smtp_password.setText(str(m.password or ""))
        self.smtp_sender.setText(str(m.sender or ""))
        self.smtp_recipients.setText(", ".join(map(str, m.recipients)))
        self.report_at.setTime(QTime.fromString(settings.report_at, "HH:mm"))
        for day, box in enumerate(self.weekdays, start=1):
            box.setChecked(day in settings.auto_assign_weekdays)
        self.holidays.setPlainText(join_dates(settings.holidays))
        self.workdays.setText(join_dates(settings.workdays))
        self.idle_minutes.setValue(_number(settings.idle_minutes))
        self.grab_seconds.setValue(_number(settings.grab_seconds))
        steps = list(settings.grab_fallback)[: len(self.fallback)]
        for i, combo in enumerate(self.fallback):
            combo.setCurrentIndex(max(0, combo.findData(steps[i] if i < len(steps) else "")))
        self.weights.set_weights(settings.weights)
        p = settings.protection
        self.report_valid_days.setValue(_number(p.report_valid_days))
        self.min_report_lead.setValue(_number(p.min_report_lead_minutes))
        self.report_required.setChecked(_flag(p.report_required))
        self.visit_days.setValue(_number(p.visit_protection_days))
        self.deal_days.setValue(_number(p.deal_protection_days))
        self.visit_decides.setChecked(_flag(p.visit_decides))
        a = settings.alerts
        for box, on in ((self.red, a.red), (self.yellow, a.yellow), (self.blue, a.blue)):
            box.setChecked(_flag(on))
        self.red_hours.setValue(_number(a.red_hours))
        self.price_dwell.setValue(_number(a.price_dwell_s))
        self.price_paths.setText(", ".join(map(str, a.price_paths)))
        self.vr_repeat.setValue(_number(a.vr_repeat))
        self._loading = False
        self._loaded = self.current()
        self._set_dirty(False)
        self.status.setText(self.tr("Showing the settings on file."))
        self.status.setStyleSheet("")

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Each problem under its field, its section marked, the grids' cells coloured; none clears them."""
        lang = text_language()
        found: dict[str, list[str]] = {}
        for p in problems:
            key = next((k for k in _prefixes(p.field) if k in self._errors), "")
            found.setdefault(key, []).append(p.text(lang))
        for key, label in self._errors.items():
            label.setText("\n".join(found.get(key, [])))
            label.setVisible(key in found)
        self.weights.mark(
            {c for p in problems if p.field.startswith("weights.") and (c := self.weights.cell_of(p.field[8:]))}
        )
        sections = {p.section for p in problems}
        for row, section in enumerate(SECTIONS):
            item = self.sections.item(row)
            item.setText(self._titles[row] + ("  ●" if section in sections else ""))
            item.setForeground(QColor("#c62828") if section in sections else QColor())
        if problems:
            general = "\n".join(found.get("", []))
            count = self.tr("%n problem(s): see the fields marked in red.", "", len(problems))
            self.status.setText(f"{count}\n{general}".strip())
            self.status.setStyleSheet(ERROR_STYLE)
        elif self.save_button.isEnabled():
            self.status.setText(self.tr("Unsaved changes."))
            self.status.setStyleSheet("")

    def show_saved(self, when: str) -> None:
        """Say the settings were saved, and when they take effect."""
        self.status.setText(self.tr("Saved at %1. Changes take effect when the hub restarts.").replace("%1", when))
        self.status.setStyleSheet("color: #2e7d32")

    def show_error(self, text: str) -> None:
        """A problem with the files themselves (unreadable, not TOML)."""
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE)

    # ---- data out ------------------------------------------------------------------------------

    def current(self) -> OfficeSettings:
        """The settings as the form holds them now."""
        self._keep_source()
        smtp = SmtpForm(
            self.smtp_host.text().strip(),
            self.smtp_port.value(),
            self.smtp_security.currentData(),
            self.smtp_username.text().strip(),
            self.smtp_password.text(),
            self.smtp_sender.text().strip(),
            tuple(r.strip() for r in self.smtp_recipients.text().replace("，", ",").split(",") if r.strip()),
        )
        p, a = self._base.protection, self._base.alerts
        return replace(
            self._base,
            office_name=self.office_name.text().strip(),
            channels=tuple(self._channels.get(c.source, c) for c in self._base.channels),
            wecom_robots=self.robots.robots(),
            wecom_per_minute=self.per_minute.value(),
            smtp=smtp,
            report_at=self.report_at.time().toString("HH:mm"),
            auto_assign_weekdays=tuple(d for d, box in enumerate(self.weekdays, start=1) if box.isChecked()),
            holidays=split_dates(self.holidays.toPlainText()),
            workdays=split_dates(self.workdays.text()),
            idle_minutes=self.idle_minutes.value(),
            grab_seconds=self.grab_seconds.value(),
            grab_fallback=tuple(c.currentData() for c in self.fallback if c.currentData()),
            weights=self.weights.weights(),
            protection=replace(
                p,
                report_valid_days=self.report_valid_days.value(),
                min_report_lead_minutes=self.min_report_lead.value(),
                report_required=self.report_required.isChecked(),
                visit_protection_days=self.visit_days.value(),
                deal_protection_days=self.deal_days.value(),
                visit_decides=self.visit_decides.isChecked(),
            ),
            alerts=replace(
                a,
                red=self.red.isChecked(),
                yellow=self.yellow.isChecked(),
                blue=self.blue.isChecked(),
                red_hours=self.red_hours.value(),
                price_dwell_s=self.price_dwell.value(),
                price_paths=tuple(
                    x.strip() for x in self.price_paths.text().replace("，", ",").split(",") if x.strip()
                ),
                vr_repeat=self.vr_repeat.value(),
            ),
        )

    # ---- behaviour -----------------------------------------------------------------------------

    def _keep_source(self) -> None:
        """Put the shown source's secret and mapping back into the per-source state."""
        if self._source in self._channels:
            ch = self._channels[self._source]
            self._channels[self._source] = replace(
                ch, secret=self.secret.text().strip(), mapping=self.mapping.mapping()
            )

    def _source_changed(self) -> None:
        """Show the chosen source's secret and mapping."""
        was_loading, self._loading = self._loading, True
        self._keep_source()
        self._source = self.source.currentData() or ""
        ch = self._channels.get(self._source)
        if ch is not None:
            self.source_info.setText(
                self.tr("%1 — POST /webhooks/%2, signed with %3")
                .replace("%1", ch.description)
                .replace("%2", ch.source)
                .replace("%3", ch.auth)
            )
            self.secret.setText(ch.secret)
            self.secret.setEnabled(ch.auth != "none")
            self.mapping.set_mapping(ch.mapping)
        self._loading = was_loading

    def _edited(self, *_args) -> None:
        """An edit: say whether anything is unsaved and ask for the settings to be checked."""
        if self._loading:
            return
        settings = self.current()
        self._set_dirty(settings != self._loaded)
        self.settings_edited.emit(settings)

    def _set_dirty(self, dirty: bool) -> None:
        """Save and Revert only mean something when there are edits."""
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if dirty:
            self.status.setText(self.tr("Unsaved changes."))
            self.status.setStyleSheet("")

    def _save(self) -> None:
        """Ask for the form's settings to be saved."""
        if self.save_button.isEnabled():
            self.save_requested.emit(self.current())

    def open_section(self, section: str) -> None:
        """Show one section ('office', 'channels', … as in SECTIONS)."""
        self.sections.setCurrentRow(SECTIONS.index(section))


def _prefixes(field: str) -> list[str]:
    """A dotted field and its parents, longest first; a channel's own fields fall back to the page's."""
    parts = field.split(".")
    out = [".".join(parts[:n]) for n in range(len(parts), 0, -1)] if field else []
    if parts[0] == "channels" and len(parts) == 3:
        out.insert(1, f"channels.{parts[2]}")  # channels.douyin.secret -> channels.secret
    return out
