"""`make screenshots`: render every desk screen offscreen from a realistic floor state, as PNGs."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.i18n import install_translator
from models.clock import BUSINESS_TZ
from models.desk_state import AlertRow, ConnectionState, DeskChange, GrabOfferState, LeadRow, Me, StaffRow
from models.quick_replies import load_quick_replies
from views.desk_window import DeskWindow
from views.wall import WallWindow

NOW = datetime(2026, 11, 21, 10, 30, tzinfo=BUSINESS_TZ)
STAFF = [
    StaffRow(1, "王磊", "consultant", "on_duty", last_follow_up_at=NOW - timedelta(minutes=47)),
    StaffRow(2, "李敏", "consultant", "on_duty", last_follow_up_at=NOW - timedelta(minutes=8)),
    StaffRow(3, "陈晨", "consultant", "paused"),
    StaffRow(4, "赵丽", "consultant", "off"),
    StaffRow(5, "张经理", "manager", "on_duty"),
    StaffRow(6, "前台小周", "reception", "on_duty"),
]
NAMES = ["李*", "张*", "王*", "刘*", "陈*", "杨*", "黄*", "赵*", "吴*", "周*", "徐*", "孙*"]
CHANNELS = ["douyin", "xiaohongshu", "anjuke", "mini_program", "agency", "walk_in"]


def sample_leads() -> list[LeadRow]:
    """A Saturday morning: fresh leads (some past five minutes), answered ones, visits, the manager queue."""
    rows = []
    for i in range(18):
        channel = CHANNELS[i % len(CHANNELS)]
        kind = {"agency": "accompanied_visit", "walk_in": "walk_in"}.get(channel, "online_lead")
        received = NOW - timedelta(minutes=3 + i * 9)
        consultant = (1, 2, 3, None)[i % 4]
        answered = received + timedelta(minutes=2 + i % 5) if i % 3 == 0 else None
        rows.append(
            LeadRow(
                lead_id=100 + i,
                customer_id=400 + i,
                channel=channel,
                kind=kind,
                occurred_at=received,
                received_at=received,
                name_masked=NAMES[i % len(NAMES)],
                mobile_masked=f"1{38 + i % 9}****{5678 + i * 7:04d}"[-11:],
                state="assigned" if consultant else "manager",
                consultant_id=consultant,
                consultant_name=next((s.name for s in STAFF if s.id == consultant), ""),
                assigned_at=received,
                first_follow_up_at=answered,
                reason="王磊（空闲 47 分钟），空闲顾问中最久未分配" if consultant == 1 else "",
            )
        )
    rows.append(replace(rows[1], lead_id=-7, customer_id=None, pending=True, state="", name_masked="孙*"))
    return rows


def floor_change(role: str) -> DeskChange:
    """The change set a signed-in client of this role would start from."""
    me = {"consultant": Me(1, "王磊", "consultant", status="on_duty"), "reception": Me(6, "前台小周", "reception")}
    return DeskChange(
        reset=True,
        me=me.get(role, Me(5, "张经理", role)),
        leads=sample_leads(),
        staff=STAFF,
        connection=ConnectionState(role != "reception", NOW - timedelta(minutes=12), 1 if role == "reception" else 0),
    )


def sample_card() -> dict:
    """A merged customer as the hub's customer.get answers it (masked)."""
    return {
        "customer_id": 400,
        "name": "李*",
        "needs_review": False,
        "first_channel": "douyin",
        "first_contact_at": "2026-11-20T02:02:00+00:00",
        "judgement": {
            "owner": "agency",
            "agency": "安家分销",
            "text": "到访为王：2026-11-20 19:10 由安家分销（刘强）带看首次到访\n保护期至 2026-12-20 19:10",
        },
        "contributions": [
            {"channel": "douyin", "agency": "", "share": "0.31"},
            {"channel": "agency", "agency": "安家分销", "share": "0.46"},
            {"channel": "mini_program", "agency": "", "share": "0.23"},
        ],
        "leads": [
            {
                "lead_id": 100,
                "channel": "douyin",
                "kind": "online_lead",
                "occurred_at": "2026-11-20T02:02:00+00:00",
                "match_reason": "无匹配标识，新建客户",
                "identifiers": [{"kind": "mobile", "value": "138****5678", "status": "valid", "reason": ""}],
            },
            {
                "lead_id": 131,
                "channel": "mini_program",
                "kind": "online_lead",
                "occurred_at": "2026-11-20T06:40:00+00:00",
                "match_reason": "与线索 #100（抖音，11-20 10:02）手机号相同：138****5678",
                "identifiers": [{"kind": "wx_union_id", "value": "o6_A***23", "status": "valid", "reason": ""}],
            },
            {
                "lead_id": 152,
                "channel": "agency",
                "kind": "accompanied_visit",
                "occurred_at": "2026-11-20T11:10:00+00:00",
                "match_reason": "与线索 #100（抖音，11-20 10:02）手机号相同：138****5678",
                "identifiers": [
                    {"kind": "national_id", "value": "440401********1768", "status": "valid", "reason": ""}
                ],
            },
        ],
    }


def sample_report() -> dict:
    """A fortnight's kpi.report answer as the hub sends it."""
    days = [(NOW - timedelta(days=13 - i)).date().isoformat() for i in range(14)]
    rates = [0.62, 0.66, 0.71, 0.69, 0.78, 0.83, 0.8, 0.86, 0.9, 0.88, 0.93, 0.95, 0.97, 0.96]

    def row(key, rate, leads, late=0, cid=None):
        return {"key": key, "leads": leads, "rate_5": rate, "unanswered_late": late, "consultant_id": cid}

    return {
        "total": row("all", 0.86, 3904, 41),
        "by_day": [row(d, r, 280) for d, r in zip(days, rates, strict=True)],
        "by_consultant": [row("王磊", 0.97, 420, 2, 1), row("李敏", 0.91, 388, 5, 2), row("陈晨", 0.78, 301, 11, 3)],
        "by_channel": [
            row(c, None, n)
            for c, n in (
                ("douyin", 1180),
                ("xiaohongshu", 580),
                ("anjuke", 600),
                ("mini_program", 590),
                ("agency", 560),
                ("walk_in", 394),
            )
        ],
        "histogram": {"edges_min": [1, 2, 5, 10, 30, 60, 120], "counts": [820, 1210, 1100, 320, 200, 90, 60, 40]},
        "alerts": {"red": 6, "yellow": 23, "blue": 41},
    }


def sample_alerts() -> list[AlertRow]:
    """Alerts of the three levels as the wall receives them (masked names only)."""
    texts = [
        ("red", "张*客户-49小时未跟进-建议今天电话回访并约看房", "王磊"),
        ("yellow", "李*客户-浏览价格表3分钟-建议明日提供首付分期方案", ""),
        ("yellow", "王*客户-反复查看128㎡三居VR-建议邀约到访看样板间", ""),
        ("blue", "刘*客户-收藏143㎡四居户型-建议发送户型详细资料与一房一价", ""),
        ("red", "陈*客户-52小时未跟进-建议今天电话回访并约看房", ""),
    ]
    return [
        AlertRow(
            i + 1,
            400 + i,
            level,
            "rule",
            "acknowledged" if by else "open",
            NOW - timedelta(minutes=7 * i),
            text.split("客户")[0],
            text,
            1,
            by,
        )
        for i, (level, text, by) in enumerate(texts)
    ]


def wall_shot(app: QApplication):
    """The lobby wall at 1920x1080 with today's figures and the alert stream."""
    wall = WallWindow(lambda: NOW)
    wall.resize(1920, 1080)
    wall.apply(
        DeskChange(reset=True, leads=sample_leads(), alerts=sample_alerts(), connection=ConnectionState(True, NOW, 0))
    )
    wall.show()
    app.processEvents()
    pixmap = wall.grab()
    wall.close()
    return pixmap


def main(out: str = "screenshots", lang: str = "zh_CN") -> None:
    """Write one PNG per screen."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_translator(app, lang)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    replies = load_quick_replies()
    shots = []
    for role in ("reception", "consultant", "manager"):
        window = DeskWindow(lambda: NOW, replies)
        window.resize(1280, 760)
        window.apply(floor_change(role))
        if role == "manager":
            window.tabs.setCurrentWidget(window.dashboard)
            window.show_query_result("kpi.report", sample_report())
            window.dashboard.drill_title.setText("陈晨：超时或未跟进")
            window.show_query_result(
                "kpi.late",
                {
                    "leads": [
                        {
                            "received_at": (NOW - timedelta(minutes=m)).isoformat(),
                            "name_masked": n,
                            "mobile_masked": p,
                            "channel": c,
                        }
                        for m, n, p, c in ((47, "赵*", "139****2231", "douyin"), (26, "孙*", "137****0912", "anjuke"))
                    ]
                },
            )
            window.show()
            app.processEvents()
            shots.append((f"dashboard-{lang}.png", window.grab()))
            window.tabs.setCurrentWidget(window.manager)
        if role == "consultant":
            window.workbench.table.selectRow(0)
            window.show_query_result("customer.get", sample_card())
        if role == "reception":
            window.reception.mobile.setText("138 1234 5678")
            window.show_query_result(
                "customer.lookup",
                {
                    "customers": [
                        {
                            "customer_id": 400,
                            "name": "李*",
                            "mobile_masked": "138****5678",
                            "first_channel": "douyin",
                            "first_contact_at": "2026-11-20T02:02:00+00:00",
                            "owner_id": 1,
                            "owner_name": "王磊",
                            "judgement": "到访为王：2026-11-20 19:10 由安家分销（刘强）带看首次到访",
                        }
                    ]
                },
            )
        window.show()
        app.processEvents()
        shots.append((f"desk-{role}-{lang}.png", window.grab()))
        if role == "consultant":
            offer = GrabOfferState(88, sample_leads()[0], NOW + timedelta(seconds=11), "open")
            window.grab_popup.show_offer(offer)
            app.processEvents()
            shots.append((f"grab-popup-{lang}.png", window.grab_popup.grab()))
            window.grab_popup.show_offer(replace(offer, state="lost", winner_name="李敏"))
            app.processEvents()
            shots.append((f"grab-popup-lost-{lang}.png", window.grab_popup.grab()))
            reds = [replace(a, owner_id=1, state="open") for a in sample_alerts() if a.level == "red"]
            window.apply(DeskChange(alerts=reds))
            app.processEvents()
            shots.append((f"red-alert-{lang}.png", window.red.grab()))
            window.red.show_alerts([])
        window.close()
    shots.append((f"wall-{lang}.png", wall_shot(app)))
    shots += report_shots(app, lang)
    shots += deal_shots(lang)
    shots += sandbox_shots(lang)
    shots += settings_shots(lang)
    shots += radar_shots(lang)
    shots += office_shots(lang)
    for name, pixmap in shots:
        pixmap.save(str(folder / name))
        print(folder / name)


def sample_consultant_day():
    """王磊's Saturday as his own daily report sees it (masked leads, team rate beside his)."""
    from models.consultant_report import ConsultantDay, LateLead
    from models.metrics import KpiRow

    mine = KpiRow("1", 14, 13, 11, 14, 13, 14, 1, 1, 3, 138.0, 412.0)
    team = KpiRow("all", 61, 57, 52, 60, 56, 60, 3, 4, 9, 151.0, 520.0)
    late = (
        LateLead(131, NOW - timedelta(hours=1, minutes=18), "赵*", "139****2231", "douyin", 11 * 60),
        LateLead(140, NOW - timedelta(minutes=52), "欧***", "137****0912", "anjuke", 26 * 60),
        LateLead(152, NOW - timedelta(minutes=12), "孙*", "136****4410", "xiaohongshu", None),
    )
    return ConsultantDay(
        1,
        "王磊",
        NOW.date(),
        mine,
        team,
        late,
        {"call": 9, "wechat": 6, "visit": 3, "note": 2},
        {"red": 1, "yellow": 2, "blue": 0},
    )


def report_shots(app: QApplication, lang: str) -> list:
    """A consultant's daily report as the mail shows it, and the export menu on the manager's lead table."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QMenu, QTextBrowser

    from app.report_job import consultant_mail
    from views.export import exporter_of
    from views.manager import ManagerView

    browser = QTextBrowser()
    browser.resize(760, 540)
    browser.setHtml(consultant_mail(sample_consultant_day(), "en" if lang == "en" else "zh_CN")["html"])
    browser.show()
    app.processEvents()
    shots = [(f"consultant-report-{lang}.png", browser.grab())]
    browser.close()

    manager = ManagerView(lambda: NOW)
    manager.resize(1100, 640)
    manager.apply(floor_change("manager"), STAFF)
    manager.show()
    app.processEvents()
    table = manager.table
    table.selectRow(2)
    spot = table.viewport().mapTo(manager, table.visualRect(table.model().index(2, 1)).center())
    menu = QMenu(manager)
    menu.addActions(table.actions())
    menu.popup(manager.mapToGlobal(spot))
    app.processEvents()
    picture = manager.grab()
    painter = QPainter(picture)
    painter.drawPixmap(spot + QPoint(2, 2), menu.grab())
    painter.end()
    menu.close()
    assert exporter_of(table) is not None
    shots.append((f"export-menu-{lang}.png", picture))
    manager.close()
    return shots


def select_deal(screen, deal_id: int) -> None:
    """Select a deal's row on the deals screen, whatever the sort order."""
    row = screen.proxy.mapFromSource(screen.model.index(screen.model.row_of(deal_id), 0)).row()
    screen.table.selectRow(row)


def deal_shots(lang: str) -> list:
    """Deals with a split, the record-deal dialog, statements and a dispute, from a real office's figures."""
    import tempfile

    from models.deal_demo import build_deal_office
    from views.deals import DealsScreen
    from views.dispute import DisputeView
    from views.settlement import SettlementScreen

    with tempfile.TemporaryDirectory() as folder:
        office = build_deal_office(Path(folder))
    shots = []
    deals = DealsScreen(lambda: office.now)
    deals.resize(1280, 640)
    deals.set_consultants(office.consultants)
    deals.apply_deals(office.deals)
    select_deal(deals, office.detail.deal.deal_id)
    deals.show_detail(office.detail)
    deals.show()
    QApplication.processEvents()
    shots.append((f"deals-{lang}.png", deals.grab()))
    select_deal(deals, office.deals[0].deal_id)
    dialog = deals.open_record_dialog()
    dialog.amount.setText("2460000")
    QApplication.processEvents()
    shots.append((f"record-deal-{lang}.png", dialog.grab()))
    dialog.reject()
    deals.close()
    settlement = SettlementScreen(lambda: office.now, "manager")
    settlement.resize(1280, 640)
    settlement.apply_statements(office.statements)
    settlement.show_cycle(office.cycle)
    settlement.table.selectRow(0)
    settlement.show_detail(office.statement)
    settlement.show()
    QApplication.processEvents()
    shots.append((f"settlement-{lang}.png", settlement.grab()))
    settlement.close()
    dispute = DisputeView()
    dispute.resize(1280, 720)
    dispute.show_pack(office.pack)
    dispute.show()
    QApplication.processEvents()
    shots.append((f"dispute-{lang}.png", dispute.grab()))
    dispute.close()
    return shots


def sandbox_shots(lang: str) -> list:
    """The policy sandbox with a live comparison computed by the real models, and the define dialog."""
    import random
    import tempfile

    from models.clock import FakeClock
    from models.db import open_database, sqlite_url
    from models.privacy import Vault
    from models.sandbox import Sandbox
    from models.schema import customers
    from views.sandbox import SandboxScreen

    clock = FakeClock(NOW - timedelta(days=25))
    day = timedelta(days=1)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(sqlite_url(Path(folder) / "sandbox.db"))
        with engine.begin() as conn:
            conn.execute(customers.insert(), [{"created_at": clock.now(), "updated_at": clock.now()}] * 2600)
        sandbox = Sandbox(engine, Vault(bytes(range(32))), clock)
        gift = sandbox.define(
            {
                "name": "到访礼品",
                "policy_key": "gift",
                "share": "50",
                "starts_at": NOW - 24 * day,
                "stops_at": NOW - 10 * day,
                "variants": [{"name": "A", "policy": "无礼品"}, {"name": "B", "policy": "米面油"}],
            },
            "张经理",
        )
        discount = sandbox.define(
            {
                "name": "十一月优惠对比",
                "policy_key": "discount",
                "hypothesis": "送车位比 9.5 折更能促成认购，尤其是改善型客户",
                "share": "100",
                "starts_at": NOW - 20 * day,
                "stops_at": NOW + 10 * day,
                "variants": [{"name": "A", "policy": "9.5折"}, {"name": "B", "policy": "送车位"}],
            },
            "张经理",
        )
        for e in (gift, discount):
            sandbox.start(e.experiment_id, "张经理")
        luck = random.Random(7)
        clock.set(NOW - 9 * day)
        for cid in range(1, 1301):
            sandbox.expose(gift.experiment_id, cid, "consultant", "王磊", at=NOW - 20 * day)
        clock.set(NOW)
        sandbox.stop(gift.experiment_id, "张经理")
        rates = {"A": 0.05, "B": 0.08}
        for cid in range(1301, 2601):
            offer = sandbox.expose(discount.experiment_id, cid, "consultant", "李敏", at=NOW - 15 * day)
            if luck.random() < rates[offer.variant_name]:
                sandbox.record_conversion(discount.experiment_id, cid, "subscription", NOW - 5 * day, "王磊")
        sandbox.define(
            {
                "name": "春节首付分期",
                "policy_key": "down_payment",
                "share": "10",
                "starts_at": NOW + 30 * day,
                "stops_at": NOW + 60 * day,
                "variants": [{"name": "A", "policy": "首付三成"}, {"name": "B", "policy": "首付两成，一年内分期补足"}],
            },
            "张经理",
        )
        experiments, comparison = sandbox.experiments(), sandbox.comparison(discount.experiment_id)
        engine.dispose()
    screen = SandboxScreen(lambda: NOW)
    screen.resize(1280, 720)
    screen.apply_experiments(experiments)
    screen.select(discount.experiment_id)
    screen.show_comparison(comparison)
    screen.show()
    QApplication.processEvents()
    shots = [(f"sandbox-{lang}.png", screen.grab())]
    dialog = screen.open_new_dialog()
    dialog.name.setText("十二月车位对比")
    dialog.policy_key.setText("parking")
    dialog.rows[0].policy.setText("车位 9 折")
    dialog.rows[1].policy.setText("车位 8 折")
    dialog.share.setText("0")
    dialog.submit()  # refused: the error under the form, the cursor on the share
    QApplication.processEvents()
    shots.append((f"sandbox-dialog-{lang}.png", dialog.grab()))
    dialog.reject()
    screen.close()
    return shots


def settings_shots(lang: str) -> list:
    """The admin settings screen on a set-up office's files: a channel, and a holiday typed wrong."""
    import tempfile

    from app.settings_app import SettingsController
    from models.office_setup import OfficePaths
    from views.settings_screen import SettingsScreen

    with tempfile.TemporaryDirectory() as folder:
        paths = OfficePaths.in_data_dir(Path(folder))
        paths.hub_file.write_text(
            '[office]\nname = "星河湾营销中心"\n\n[channels.douyin]\nsecret = "demo-secret-0000"\n\n'
            '[wecom.robots]\ndefault = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo"\n',
            encoding="utf-8",
        )
        screen = SettingsScreen()
        screen.resize(1100, 720)
        SettingsController(screen, paths).load()
        screen.show()
        screen.open_section("channels")
        screen.source.setCurrentIndex(screen.source.findData("douyin"))
        QApplication.processEvents()
        shots = [(f"settings-channels-{lang}.png", screen.grab())]
        screen.open_section("dispatch")
        screen.holidays.setPlainText("2026-10-01~2026-10-07, 2026-12-32")  # checked as typed: the 32nd is named
        screen.idle_minutes.setValue(20)
        QApplication.processEvents()
        shots.append((f"settings-{lang}.png", screen.grab()))
        screen.close()
    return shots


def radar_shots(lang: str) -> list:
    """The capability radar of one consultant beside the team, and tag-versus-cycle findings."""
    import random

    from models.skill_radar import ConsultantUsage, build_profile, cycle_findings
    from models.tags import default_taxonomy
    from views.radar import RadarView

    taxonomy, luck = default_taxonomy(), random.Random(11)
    names = ("王磊", "李敏", "陈晨", "赵雪", "刘洋")
    usage = []
    for i, name in enumerate(names, start=1):
        hits = {t.key: luck.randint(0, 12) for t in taxonomy.tags if luck.random() < 0.5 and not t.risk}
        usage.append(ConsultantUsage(i, name, 30 + 7 * i, 52_000 + 9_000 * i, hits))
    tag_use, cycles = {}, {}
    common = [t.key for t in taxonomy.tags if not t.risk][:12]
    for customer in range(1, 121):
        heard = {k for k in common if luck.random() < 0.5}
        tag_use[customer] = heard
        cycles[customer] = luck.uniform(14, 40) - (6 if common[0] in heard else 0)
    view = RadarView()
    view.resize(1280, 820)
    view.set_consultants([(u.staff_id, u.name, u.calls) for u in usage])
    view.show_profile(build_profile(usage, 1))
    view.show_findings(cycle_findings(tag_use, cycles), 10)
    view.show()
    QApplication.processEvents()
    shots = [(f"radar-{lang}.png", view.grab())]
    view.close()
    return shots


def office_shots(lang: str) -> list:
    """The demo office's control window (`make run`), with a morning's figures."""
    from views.office_panel import OfficePanel

    panel = OfficePanel([(n, n) for n in ("小周", "王磊", "李敏", "张经理", "大屏")], "auto")
    panel.resize(640, 560)
    panel.show_figures(
        {"posted": 41, "visits": 6, "behaviour": 9, "customers": 172, "merged": 58}
        | {"dispatched": 231, "answered": 214, "rate_5": 0.91}
    )
    panel.show()
    QApplication.processEvents()
    shots = [(f"office-panel-{lang}.png", panel.grab())]
    panel.close()
    return shots


if __name__ == "__main__":
    main(*sys.argv[1:])
