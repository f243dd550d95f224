"""`salesfloor demo`: a synthetic Saturday of leads through the real customer core, printed as a report."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.context import AppContext
from app.render import channel_zh, console, print_customer, short_time
from models.attribution import contributions, judge
from models.clock import BUSINESS_TZ, FakeClock
from models.db import sqlite_url
from models.lookup import customer_detail, open_reviews
from models.registry import CustomerRegistry, load_touches
from models.schema import customers, leads, merge_history
from models.synthetic import generate_leads

DEMO_DAY = datetime(2026, 11, 21, 8, 0, tzinfo=BUSINESS_TZ)


def run_demo(app: AppContext, leads: int = 300, seed: int = 20261121, fresh: bool = True) -> None:
    """Ingest one synthetic day lead by lead, then print what the customer core made of it."""
    # The demo never writes synthetic people into a real office database: it has its own file.
    path = app.settings.data_dir / "demo.db"
    if app.settings.db_url != sqlite_url(app.settings.data_dir / "salesfloor.db"):
        console.print(f"演示使用独立的演示数据库 {path}，不写入 --db 指定的数据库")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    app = AppContext(replace(app.settings, db_url=sqlite_url(path)))
    clock = FakeClock(DEMO_DAY)
    registry = CustomerRegistry(app.engine, app.vault, app.rules, clock)
    day = sorted(generate_leads(leads, seed, DEMO_DAY, days=0.5), key=lambda s: s.lead.occurred_at)
    console.rule("案场销管台 salesfloor · 演示：一个周六的线索")
    console.print(f"数据库：{app.settings.db_url.split('@')[-1]}")
    with Progress(
        TextColumn("入库"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False
    ) as bar:
        task = bar.add_task("ingest", total=len(day))
        for item in day:
            clock.set(item.lead.occurred_at)
            registry.ingest(item.lead, actor=f"channel:{item.lead.source}")
            bar.advance(task)
    _summary(app, registry, len(day))


def _summary(app: AppContext, registry: CustomerRegistry, n_leads: int) -> None:
    now = registry.clock.now()
    with app.engine.connect() as conn:
        active = conn.execute(sa.select(customers.c.id).where(customers.c.status == "active")).scalars().all()
        firsts = Counter(
            conn.execute(sa.select(customers.c.first_channel).where(customers.c.status == "active")).scalars().all()
        )
        per_customer = Counter(conn.execute(sa.select(leads.c.customer_id)).scalars().all())
        problems = conn.execute(sa.select(sa.func.sum(leads.c.problems))).scalar() or 0
        merges = conn.execute(
            sa.select(merge_history).where(merge_history.c.op == "merge").order_by(merge_history.c.id)
        ).all()
        reviews = open_reviews(conn)
        touches = load_touches(conn, list(active))
        verdicts = {cid: judge(ts, app.rules.protection, now) for cid, ts in touches.items()}
        # show one customer that a bridging lead merged, and the one with the most touches
        top = [m.customer_id for m in merges[:1]]
        top += [cid for cid, _ in per_customer.most_common(2) if cid not in top][: 2 - len(top)]
        details = [customer_detail(conn, app.vault, app.rules.protection, cid, now) for cid in top]
        problems_chain = registry.audit.verify(conn)
        head = registry.audit.head(conn)
    dup = n_leads - len(active)
    table = Table(title="今日概况")
    table.add_column("指标")
    table.add_column("数值", justify="right")
    table.add_row("新线索", str(n_leads))
    table.add_row("唯一客户", str(len(active)))
    table.add_row("合并到已有客户的线索（重复录入）", f"{dup}（{dup / max(n_leads, 1):.1%}）")
    table.add_row("客户合并（跨渠道桥接）", str(len(merges)))
    table.add_row("无效/屏蔽标识（已保留待核实）", str(problems))
    table.add_row("待复核（家庭共用手机等）", str(len(reviews)))
    console.print(table)

    mix = Table(title="渠道：首次接触与贡献权重")
    for col in ("渠道", "首次接触客户数", "贡献（归一化合计）", "判客归属"):
        mix.add_column(col, justify="right")
    credit: Counter = Counter()
    owners: Counter = Counter()
    for cid, ts in touches.items():
        for c in contributions(ts):
            credit[c.channel.value] += c.share
        v = verdicts[cid]
        owners[v.channel.value if v.channel else "-"] += 1
    for channel in sorted(set(firsts) | set(credit), key=lambda c: -firsts.get(c, 0)):
        mix.add_row(
            channel_zh(channel),
            str(firsts.get(channel, 0)),
            f"{credit.get(channel, 0):.2f}",
            str(owners.get(channel, 0)),
        )
    console.print(mix)

    console.rule("合并说明（前 8 条）")
    for m in merges[:8]:
        console.print(f"{short_time(m.at)} 客户 #{m.other_customer_id} → #{m.customer_id}：{m.explanation}")
    if not merges:
        console.print("今日无跨客户合并")
    console.rule("待复核队列")
    for item in reviews[:8]:
        console.print(
            f"#{item['id']} {item['evidence'].get('text', item['kind'])} 线索 {item['evidence'].get('lead_ids', [])}"
        )
    if not reviews:
        console.print("无")
    for detail in details:
        print_customer(detail)
    console.rule("存证链")
    state = "完整" if not problems_chain else f"被篡改：{problems_chain}"
    console.print(f"存证链{state}，共 {head[0]} 条，链头 {head[1][:16]}…")
    console.print(
        "下一步：salesfloor customer show <客户号> · salesfloor audit export <客户号> · salesfloor review list"
    )
