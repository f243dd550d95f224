"""Manager dashboard (pyqtgraph): the 5-minute rate by day against the 95% target, the response-time
histogram, the channel mix, the consultant leaderboard, and a drill-down from any bar to the leads
behind it. Plot items are built once and fed with setData/setOpts; nothing is rebuilt on refresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.clock import business_time
from models.table_export import TableData, Typed
from views.export import install_export
from views.format import age_text, channel_label

TARGET = 0.95
CHANNELS = ("douyin", "xiaohongshu", "anjuke", "mini_program", "agency", "walk_in")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class DashboardView(QWidget):
    """Filters on top, four charts, a drill-down list."""

    report_requested = Signal(dict)
    """Ask the hub for `kpi.report` with these fields."""
    drill_requested = Signal(dict)
    """Ask the hub for `kpi.late` with these fields (a day, maybe a consultant)."""

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        """Build filters and plot items once."""
        super().__init__(parent)
        pg.setConfigOptions(antialias=True, background="w", foreground="#37474f")
        self._now = now
        self._consultants: list[tuple[str, float]] = []
        self._people: list[dict] = []
        self._late: list[dict] = []
        today = business_time(now()).date()
        self.start = QDateEdit(QDate(today - timedelta(days=13)))
        self.end = QDateEdit(QDate(today))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.channel = QComboBox()
        self.channel.addItem(self.tr("All channels"), None)
        for c in CHANNELS:
            self.channel.addItem(channel_label(c), c)
        self.consultant = QComboBox()
        self.consultant.addItem(self.tr("All consultants"), None)
        self.refresh = QPushButton(self.tr("Refresh"))
        self.refresh.clicked.connect(self.request)
        self.headline = QLabel()
        self.headline.setStyleSheet("font-size: 20px; font-weight: bold")
        bar = QHBoxLayout()
        for w in (
            QLabel(self.tr("From")),
            self.start,
            QLabel(self.tr("to")),
            self.end,
            self.channel,
            self.consultant,
            self.refresh,
        ):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.headline)

        self.trend = pg.PlotWidget(title=self.tr("5-minute rate by day"))
        self.trend.setYRange(0, 1.05)
        self.trend_curve = self.trend.plot([], [], pen=pg.mkPen("#1e88e5", width=3), symbol="o", symbolBrush="#1e88e5")
        self.trend.addItem(pg.InfiniteLine(TARGET, angle=0, pen=pg.mkPen("#d32f2f", style=Qt.PenStyle.DashLine)))
        self.histogram = pg.PlotWidget(title=self.tr("First response (minutes)"))
        self.hist_bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#43a047")
        self.histogram.addItem(self.hist_bars)
        self.channels = pg.PlotWidget(title=self.tr("Channel mix (leads) and contribution (signed deals)"))
        self.channels.setYRange(0, 1.05)
        legend = self.channels.addLegend(offset=(-10, 10))
        self.channel_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush="#8e24aa")
        self.contribution_bars = pg.BarGraphItem(x=[], height=[], width=0.4, brush="#00897b")
        self.channels.addItem(self.channel_bars)
        self.channels.addItem(self.contribution_bars)
        legend.addItem(self.channel_bars, self.tr("share of leads"))
        legend.addItem(self.contribution_bars, self.tr("share of deal contribution"))
        self.board = pg.PlotWidget(title=self.tr("5-minute rate by consultant (click a bar)"))
        self.board_bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#fb8c00")
        self.board.addItem(self.board_bars)
        self.board.setYRange(0, 1.05)
        self.board.scene().sigMouseClicked.connect(self._board_clicked)
        self.alert_label = QLabel()
        self.alert_label.setStyleSheet("font-size: 16px")
        self.drill = QListWidget()
        self.drill_title = QLabel(self.tr("Click a consultant's bar to see who was answered late"))
        self.board_export = install_export(
            self.board, self.tr("Consultant leaderboard"), self.leaderboard_table, now, context_menu=False
        )
        self.board.getPlotItem().vb.menu.addAction(self.board_export.action)  # the chart's own right-click menu
        self.drill_export = install_export(self.drill, self.tr("Late or unanswered"), self.late_table, now)
        exports = QHBoxLayout()
        exports.addWidget(self.board_export.button(self.tr("Export leaderboard…")))
        exports.addWidget(self.drill_export.button(self.tr("Export list…")))
        grid = QGridLayout()
        grid.addWidget(self.trend, 0, 0)
        grid.addWidget(self.histogram, 0, 1)
        grid.addWidget(self.board, 1, 0)
        grid.addWidget(self.channels, 1, 1)
        side = QVBoxLayout()
        side.addWidget(self.alert_label)
        side.addWidget(self.drill_title)
        side.addWidget(self.drill)
        side.addLayout(exports)
        body = QHBoxLayout()
        body.addLayout(grid, 3)
        body.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

    def fields(self) -> dict:
        """The `kpi.report` fields for the current filters."""
        return {
            "start": self.start.date().toString("yyyy-MM-dd"),
            "end": self.end.date().toString("yyyy-MM-dd"),
            "channel": self.channel.currentData(),
            "consultant_id": self.consultant.currentData(),
        }

    def request(self) -> None:
        """Ask for fresh figures."""
        self.report_requested.emit(self.fields())

    def show_report(self, report: dict) -> None:
        """Feed every chart from a `kpi.report` answer (or show its error)."""
        if "error" in report:
            self.headline.setText(self.tr("No figures: %s") % report.get("message", report["error"]))
            return
        total = report.get("total") or {}
        self.headline.setText(
            self.tr("5-min rate %1 · leads %2 · late %3 · signed %4 · conversion %5")
            .replace("%1", _pct(total.get("rate_5")))
            .replace("%2", str(total.get("leads", 0)))
            .replace("%3", str(total.get("unanswered_late", 0)))
            .replace("%4", str(total.get("signings", 0)))
            .replace("%5", _pct(total.get("conversion")))
        )
        days = [r for r in report.get("by_day", []) if r["rate_5"] is not None]
        xs = [(date.fromisoformat(r["key"]) - date.fromisoformat(days[0]["key"])).days for r in days] if days else []
        self.trend_curve.setData(xs, [r["rate_5"] for r in days])
        self.trend.getAxis("bottom").setTicks([[(x, r["key"][5:]) for x, r in zip(xs, days, strict=True)]])
        counts = report.get("histogram", {}).get("counts", [])
        edges = report.get("histogram", {}).get("edges_min", [])
        labels = [f"≤{e}" for e in edges] + [f">{edges[-1]}" if edges else ""]
        self.hist_bars.setOpts(x=list(range(len(counts))), height=counts)
        self.histogram.getAxis("bottom").setTicks([list(enumerate(labels[: len(counts)]))])
        contribution = {k: float(v) for k, v in (report.get("contribution") or {}).items()}
        by_channel = report.get("by_channel", [])
        keys = [r["key"] for r in by_channel] + sorted(set(contribution) - {r["key"] for r in by_channel})
        leads = {r["key"]: r["leads"] for r in by_channel}
        all_leads = sum(leads.values()) or 1
        xs = list(range(len(keys)))
        self.channel_bars.setOpts(x=[x - 0.2 for x in xs], height=[leads.get(k, 0) / all_leads for k in keys])
        self.contribution_bars.setOpts(x=[x + 0.2 for x in xs], height=[contribution.get(k, 0.0) for k in keys])
        self.channels.getAxis("bottom").setTicks([[(i, channel_label(k)) for i, k in enumerate(keys)]])
        levels = report.get("alerts") or {}
        self.alert_label.setText(
            self.tr("Alerts: red %1 · yellow %2 · blue %3")
            .replace("%1", str(levels.get("red", 0)))
            .replace("%2", str(levels.get("yellow", 0)))
            .replace("%3", str(levels.get("blue", 0)))
        )
        people = sorted(report.get("by_consultant", []), key=lambda r: -(r["rate_5"] or 0))
        self._fill_consultants(people)
        self._people = people
        self._consultants = [(r["key"], r.get("consultant_id")) for r in people]
        self.board_bars.setOpts(x=list(range(len(people))), height=[r["rate_5"] or 0 for r in people])
        self.board.getAxis("bottom").setTicks(
            [[(i, f"{r['key']} ({r['unanswered_late']})") for i, r in enumerate(people)]]
        )

    def _fill_consultants(self, people: list[dict]) -> None:
        """Keep the consultant filter's choices in step with who appears (selection kept)."""
        chosen = self.consultant.currentData()
        known = {self.consultant.itemData(i) for i in range(self.consultant.count())}
        for r in people:
            if r.get("consultant_id") is not None and r["consultant_id"] not in known:
                self.consultant.addItem(r["key"], r["consultant_id"])
        index = self.consultant.findData(chosen)
        self.consultant.setCurrentIndex(max(index, 0))

    def _board_clicked(self, event) -> None:
        point = self.board.getPlotItem().vb.mapSceneToView(event.scenePos())
        index = round(point.x())
        if 0 <= index < len(self._consultants):
            self.drill_consultant(index)

    def drill_consultant(self, index: int) -> None:
        """Ask for the late leads of the end day for the consultant at bar `index`."""
        name, staff_id = self._consultants[index]
        self.drill_title.setText(self.tr("%s: answered late or not yet") % name)
        self.drill_requested.emit({"day": self.end.date().toString("yyyy-MM-dd"), "consultant_id": staff_id})

    def show_late(self, result: dict) -> None:
        """List the drill-down's leads (masked)."""
        self.drill.clear()
        self._late = []
        if "error" in result:
            self.drill.addItem(result.get("message", result["error"]))
            return
        now = self._now()
        self._late = list(result.get("leads", []))
        for card in self._late:
            received = datetime.fromisoformat(card["received_at"])
            waited = age_text((now - received).total_seconds())
            self.drill.addItem(
                f"{business_time(received):%H:%M} {card['name_masked'] or '—'} {card['mobile_masked']} "
                f"{channel_label(card['channel'])} · {waited}"
            )
        self.drill_title.setText(self.drill_title.text() + f" — {self.drill.count()}")

    def leaderboard_table(self) -> TableData:
        """The leaderboard as exported: one row per consultant, rates and times typed."""
        headers = [
            self.tr("Consultant"),
            self.tr("Leads"),
            self.tr("Answered"),
            self.tr("5-minute rate"),
            self.tr("Late or unanswered"),
            self.tr("Median first response (min)"),
            self.tr("Visits"),
            self.tr("Signed"),
            self.tr("Conversion"),
        ]
        rows = []
        for r in self._people:
            median = r.get("median_s")
            rows.append(
                [
                    r["key"],
                    Typed(r.get("leads", 0), str(r.get("leads", 0))),
                    Typed(r.get("answered"), "" if r.get("answered") is None else str(r["answered"])),
                    Typed(r.get("rate_5"), _pct(r.get("rate_5"))),
                    Typed(r.get("unanswered_late", 0), str(r.get("unanswered_late", 0))),
                    Typed(
                        None if median is None else round(median / 60, 1),
                        "" if median is None else f"{median / 60:.1f}",
                    ),
                    Typed(r.get("visits"), "" if r.get("visits") is None else str(r["visits"])),
                    Typed(r.get("signings", 0), str(r.get("signings", 0))),
                    Typed(r.get("conversion"), _pct(r.get("conversion"))),
                ]
            )
        return TableData(self.board_export.title, headers, rows)

    def late_table(self) -> TableData:
        """The drill-down as exported: when, who (masked), mobile (masked), channel."""
        headers = [self.tr("Received"), self.tr("Customer"), self.tr("Mobile"), self.tr("Channel")]
        rows = []
        for card in self._late:
            received = datetime.fromisoformat(card["received_at"])
            rows.append(
                [
                    Typed(received, f"{business_time(received):%Y-%m-%d %H:%M}"),
                    card.get("name_masked") or "—",
                    card.get("mobile_masked") or "",
                    channel_label(card.get("channel", "")),
                ]
            )
        title = self.drill_title.text().rsplit(" — ", 1)[0] or self.drill_export.title
        return TableData(title, headers, rows)
