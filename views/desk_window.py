"""The desk's main window: what the signed-in role needs, the connection in the status bar, notices
for anything the hub corrected or refused, the grab popup, and remembered geometry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QTabWidget, QVBoxLayout, QWidget

from models.desk_state import AlertRow, ConnectionState, DeskChange, GrabOfferState, Me, StaffRow
from models.quick_replies import QuickReply
from models.sandbox_design import ExperimentSummary
from models.sandbox_stats import Comparison
from views.dashboard import DashboardView
from views.deal_desk import DealDesk
from views.format import channel_label, day_time, hhmm, role_label
from views.grab_popup import CLAIM_KEY, GrabPopup
from views.manager import ManagerView
from views.radar import RadarView
from views.reception import ReceptionDesk
from views.red_alert import RedAlertDialog
from views.sandbox import SandboxScreen
from views.workbench import ConsultantWorkbench


class NoticeBar(QWidget):
    """A dismissible strip for corrections and refusals: shown, never dropped silently."""

    def __init__(self, parent: QWidget | None = None):
        """Hidden until there is something to say."""
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setStyleSheet("#noticeBar { background: #fff4e5; border: 1px solid #f0b429; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.dismiss = QPushButton(self.tr("Got it"))
        self.dismiss.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss)
        self._notices: list[str] = []
        self.hide()

    def add(self, notices: list[str]) -> None:
        """Append notices and show them (newest last)."""
        self._notices.extend(notices)
        self.label.setText("\n".join(self._notices[-5:]))
        self.show()

    def clear(self) -> None:
        """The user has read them."""
        self._notices.clear()
        self.hide()


class DeskWindow(QMainWindow):
    """One window for every role; the tabs depend on the role the hub reports."""

    mutation_requested = Signal(str, dict)
    """A write the user made: (message type, fields)."""
    claim_requested = Signal(int)
    """Claim a grab round."""
    query_requested = Signal(str, dict)
    """A read the screen needs: (message type, fields); the answer comes back via show_*()."""
    ack_requested = Signal(int)
    """Acknowledge a red alert (online only: the hub logs who and when)."""

    def __init__(self, now: Callable[[], datetime], replies: list[QuickReply], settings: QSettings | None = None):
        """Build every screen once; `apply` shows the ones the role needs."""
        super().__init__()
        self._now = now
        self._settings = settings
        self._staff: dict[int, StaffRow] = {}
        self._me: Me | None = None
        self.setWindowTitle(self.tr("salesfloor desk"))
        self.notices = NoticeBar()
        self.tabs = QTabWidget()
        self.tabs.currentChanged.connect(lambda _i: self._refresh_dashboard())
        self.radar = RadarView()
        self.radar.consultant_chosen.connect(lambda i: self.query_requested.emit("radar.report", {"staff_id": i}))
        self.tabs.currentChanged.connect(
            lambda _i: self.tabs.currentWidget() is self.radar and self.query_requested.emit("radar.report", {})
        )
        self.sandbox = SandboxScreen(now)
        self.sandbox.experiment_selected.connect(
            lambda i: self.query_requested.emit("experiment.compare", {"experiment_id": i})
        )
        self.sandbox.define_requested.connect(self._define_experiment)
        for signal, kind in ((self.sandbox.start_requested, "start"), (self.sandbox.stop_requested, "stop")):
            signal.connect(lambda i, k=kind: self._experiment_step(k, i))
        self.tabs.currentChanged.connect(
            lambda _i: self.tabs.currentWidget() is self.sandbox and self.query_requested.emit("experiment.list", {})
        )
        self.deal_desk = DealDesk(now, self)
        self.deal_desk.mutation_requested.connect(self.mutation_requested)
        self.deal_desk.query_requested.connect(self.query_requested)
        self.deal_desk.dispute_shown.connect(lambda: self.tabs.setCurrentWidget(self.deal_desk.dispute))
        self.tabs.currentChanged.connect(lambda _i: self.deal_desk.refresh())
        self.reception = ReceptionDesk(now)
        self.workbench = ConsultantWorkbench(now, replies)
        self.manager = ManagerView(now)
        self.dashboard = DashboardView(now)
        self.dashboard.report_requested.connect(lambda f: self.query_requested.emit("kpi.report", f))
        self.dashboard.drill_requested.connect(lambda f: self.query_requested.emit("kpi.late", f))
        self._dashboard_timer = QTimer(self)
        self._dashboard_timer.setInterval(30_000)  # live: figures refresh while the tab is open
        self._dashboard_timer.timeout.connect(self._refresh_dashboard)
        self._dashboard_timer.start()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.notices)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.connection = QLabel()
        self.who = QLabel()
        self.statusBar().addWidget(self.who)
        self.statusBar().addPermanentWidget(self.connection)
        self.red = RedAlertDialog(self)
        self.red.ack_requested.connect(lambda ids: [self.ack_requested.emit(i) for i in ids])
        self._alerts: dict[int, AlertRow] = {}
        self.grab_popup = GrabPopup(now, self)
        self.grab_popup.claim_requested.connect(self.claim_requested)
        QShortcut(
            QKeySequence(CLAIM_KEY), self, self.grab_popup.claim_by_key, context=Qt.ShortcutContext.ApplicationShortcut
        )
        self.reception.visit_requested.connect(lambda f: self.mutation_requested.emit("visit.register", f))
        self.reception.hint_requested.connect(lambda m: self.query_requested.emit("customer.lookup", {"mobile": m}))
        self.workbench.follow_up_requested.connect(lambda f: self.mutation_requested.emit("followup.log", f))
        self.workbench.status_requested.connect(lambda s: self.mutation_requested.emit("status.set", {"status": s}))
        self.workbench.customer_requested.connect(
            lambda c: self.query_requested.emit("customer.get", {"customer_id": c})
        )
        self.workbench.customer_requested.connect(self._ask_offers)
        self.workbench.exposure_requested.connect(
            lambda e, c: self.mutation_requested.emit("experiment.expose", {"experiment_id": e, "customer_id": c})
        )
        self.manager.reassign_requested.connect(lambda f: self.mutation_requested.emit("lead.reassign", f))
        self.set_connection(ConnectionState(False, now(), 0, detail=self.tr("connecting…")))
        self._restore()

    def _screens_for(self, role: str) -> list[tuple[QWidget, str]]:
        screens = {
            "reception": [(self.reception, self.tr("Reception"))],
            "consultant": [(self.workbench, self.tr("My leads")), (self.radar, self.tr("Skills"))],
            "manager": [
                (self.manager, self.tr("Floor")),
                (self.dashboard, self.tr("Dashboard")),
                (self.reception, self.tr("Reception")),
                (self.radar, self.tr("Skills")),
                (self.sandbox, self.tr("Policy sandbox")),
            ],
            "admin": [
                (self.manager, self.tr("Floor")),
                (self.dashboard, self.tr("Dashboard")),
                (self.reception, self.tr("Reception")),
                (self.radar, self.tr("Skills")),
                (self.sandbox, self.tr("Policy sandbox")),
            ],
            "channel_specialist": [(self.manager, self.tr("Floor"))],
        }
        chosen = screens.get(role, []) + self.deal_desk.screens_for(role)
        return chosen or [(self.manager, self.tr("Floor"))]

    def _ask_offers(self, customer_id: int) -> None:
        self.workbench.show_offers([])
        if self._me is not None and self._me.role in ("consultant", "manager"):
            self.query_requested.emit("experiment.offers", {"customer_id": customer_id})

    def _define_experiment(self, values: dict) -> None:
        """Save an experiment's definition (a queued action), then show the list again."""
        fields = {"definition": {k: v for k, v in values.items() if k != "experiment_id"}}
        self.mutation_requested.emit("experiment.define", fields | {"experiment_id": values.get("experiment_id")})
        QTimer.singleShot(1500, lambda: self.query_requested.emit("experiment.list", {}))

    def _experiment_step(self, step: str, experiment_id: int) -> None:
        self.mutation_requested.emit(f"experiment.{step}", {"experiment_id": experiment_id})
        QTimer.singleShot(1500, lambda: self.query_requested.emit("experiment.list", {}))

    def _refresh_dashboard(self) -> None:
        if self.tabs.currentWidget() is self.dashboard:
            self.dashboard.request()

    def _show_role(self, me: Me) -> None:
        self.tabs.clear()
        for widget, title in self._screens_for(me.role):
            self.tabs.addTab(widget, title)
        self.deal_desk.set_me(me)
        self.who.setText(f"{me.name} · {role_label(me.role)}")

    def set_connection(self, state: ConnectionState) -> None:
        """Online / offline since HH:MM / N changes waiting."""
        if state.online:
            text = self.tr("Online")
            color = "#2e7d32"
        else:
            text = self.tr("Offline since %s") % hhmm(state.since)
            color = "#d32f2f"
        if state.waiting:
            text += " · " + self.tr("%n change(s) waiting", "", state.waiting)
        if state.detail and not state.online:
            text += f" · {state.detail}"
        self.connection.setText(text)
        self.connection.setStyleSheet(f"color: {color}; padding: 0 8px")

    def apply(self, change: DeskChange) -> None:
        """Render a change set from the sync engine."""
        if change.reset:
            self._staff = {}
        for person in change.staff:
            self._staff[person.id] = person
        if change.staff or change.reset:
            self.deal_desk.set_staff(list(self._staff.values()))
        if change.me is not None and (self._me is None or self._me.role != change.me.role):
            self._show_role(change.me)
        if change.me is not None:
            self._me = change.me
        self.reception.apply(change)
        self.workbench.apply(change)
        self.manager.apply(change, list(self._staff.values()))
        for offer in change.offers:
            self.show_offer(offer)
        if change.reset:
            self._alerts.clear()
        for alert in change.alerts:
            self._alerts[alert.alert_id] = alert
        if change.alerts or change.reset:
            self._show_red()
        if change.notices:
            self.notices.add(change.notices)
        if change.connection is not None:
            self.set_connection(change.connection)

    def _show_red(self) -> None:
        """Red alerts still open for me (a consultant's own, or all for a manager) keep the popup up."""
        me = self._me
        if me is None or me.role not in ("consultant", "manager"):
            return
        mine = [
            a
            for a in self._alerts.values()
            if a.level == "red" and a.state == "open" and (me.role == "manager" or a.owner_id == me.id)
        ]
        if mine or self.red.isVisible():
            self.red.show_alerts(sorted(mine, key=lambda a: a.since))

    def show_offer(self, offer: GrabOfferState) -> None:
        """Show a grab offer (consultants only)."""
        if self._me is not None and self._me.role == "consultant":
            self.grab_popup.show_offer(offer)

    def show_query_result(self, kind: str, result: dict) -> None:
        """Route a read's answer to the screen that asked."""
        if self.deal_desk.show_result(kind, result):
            return
        if kind == "customer.get":
            self.workbench.show_customer(result)
        elif kind == "customer.lookup":
            self.reception.show_hint(lookup_text(result))
        elif kind == "kpi.report":
            self.dashboard.show_report(result)
        elif kind == "kpi.late":
            self.dashboard.show_late(result)
        elif kind == "radar.report" and "error" not in result:
            self.radar.show_report(result)
        elif kind == "experiment.list" and "error" not in result:
            self.sandbox.apply_experiments([ExperimentSummary.from_dict(e) for e in result["experiments"]])
        elif kind == "experiment.compare" and "error" not in result:
            self.sandbox.show_comparison(Comparison.from_dict(result["comparison"]))
        elif kind == "experiment.offers" and "error" not in result:
            self.workbench.show_offers(result["offers"])
        elif kind.startswith("experiment.") and "error" in result:
            self.sandbox.show_message(result.get("message") or result["error"], error=True)
        elif kind == "alert.ack" and "error" in result:
            self.red.ack_failed(result.get("message") or result["error"])

    def _restore(self) -> None:
        if self._settings is None:
            self.resize(1180, 720)
            return
        geometry = self._settings.value("desk/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 720)
        for splitter in (self.workbench.splitter, self.manager.splitter):
            state = self._settings.value(f"desk/{splitter.objectName()}")
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember geometry and splitters."""
        if self._settings is not None:
            self._settings.setValue("desk/geometry", self.saveGeometry())
            for splitter in (self.workbench.splitter, self.manager.splitter):
                self._settings.setValue(f"desk/{splitter.objectName()}", splitter.saveState())
        self.grab_popup.close()
        super().closeEvent(event)


def lookup_text(result: dict) -> str:
    """The duplicate hint: '已存在客户 李* 138****5678 · 首次来源 抖音 11-20 · 归属顾问 王磊' and 判客."""

    if "error" in result:
        return QCoreApplication.translate("DuplicateHint", "No hint: %s") % result.get("message", result["error"])
    if "local" in result:
        rows = result["local"]
        if not rows:
            return ""
        names = "、".join(f"{r.name_masked} {r.mobile_masked}" for r in rows[:3])
        return (
            QCoreApplication.translate(
                "DuplicateHint", "Offline: possibly an existing customer (%s); the hub will check"
            )
            % names
        )
    found = result.get("customers") or []
    if not found:
        problems = result.get("problems") or []
        return (
            QCoreApplication.translate("DuplicateHint", "Not a valid mobile: %s") % problems[0]["reason"]
            if problems
            else QCoreApplication.translate("DuplicateHint", "New customer")
        )
    lines = []
    attribution = QCoreApplication.translate("DuplicateHint", "Attribution")
    for c in found:
        when = day_time(datetime.fromisoformat(c["first_contact_at"])) if c.get("first_contact_at") else ""
        line = QCoreApplication.translate(
            "DuplicateHint", "Existing customer %1 %2 · first source %3 %4 · consultant %5"
        )
        for i, value in enumerate(
            (
                c["name"],
                c["mobile_masked"],
                channel_label(c.get("first_channel") or ""),
                when,
                c.get("owner_name") or "—",
            )
        ):
            line = line.replace(f"%{i + 1}", value)
        judgement = (c.get("judgement") or "").split("\n")[0]
        lines.append(f"{line}\n{attribution}: {judgement}" if judgement else line)
    return "\n".join(lines)
