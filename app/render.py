"""Terminal rendering of customers and summaries (rich). Everything personal arrives already masked."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from models.clock import business_time
from models.leads import CHANNEL_LABELS_ZH, TOUCH_LABELS_ZH, Channel, TouchKind
from models.lookup import CustomerDetail
from models.messages import KIND_ZH

console = Console()


def channel_zh(channel: str | None) -> str:
    """Chinese label of a channel value."""
    if not channel:
        return "-"
    try:
        return CHANNEL_LABELS_ZH[Channel(channel)]
    except ValueError:
        return channel


def kind_zh(kind: str) -> str:
    """Chinese label of a touch kind value."""
    try:
        return TOUCH_LABELS_ZH[TouchKind(kind)]
    except ValueError:
        return kind


def short_time(when) -> str:
    """'11-21 09:12' in business time."""
    return business_time(when).strftime("%m-%d %H:%M") if when else "-"


def print_customer(detail: CustomerDetail) -> None:
    """A customer's card: identity, timeline, contributions and 判客."""
    status = "" if detail.status == "active" else f"（已合并到 #{detail.merged_into}）"
    review = " [yellow]待复核[/yellow]" if detail.needs_review else ""
    console.rule(f"客户 #{detail.customer_id} {detail.name}{status}{review}")
    console.print(f"首次来源：{channel_zh(detail.first_channel)} {short_time(detail.first_contact_at)}")
    table = Table(title="接触时间线", show_lines=False)
    for col in ("时间", "渠道", "类型", "线索", "标识", "合并依据"):
        table.add_column(col)
    for ln in detail.leads:
        idents = "\n".join(
            f"{KIND_ZH.get(i['kind'], i['kind'])} {i['value']}" + ("" if i["status"] == "valid" else f" ⚠{i['reason']}")
            for i in ln.identifiers
        )
        table.add_row(
            short_time(ln.occurred_at),
            channel_zh(ln.channel),
            kind_zh(ln.kind),
            f"#{ln.lead_id}",
            idents,
            ln.match_reason,
        )
    console.print(table)
    shares = "  ".join(
        f"{channel_zh(c.channel.value)}{'·' + c.agency_name if c.agency_name else ''} {c.share * 100:.1f}%"
        for c in detail.contributions
    )
    console.print(f"渠道贡献：{shares or '-'}")
    j = detail.judgement
    owner = {
        "agency": f"分销 {j.agency_name}（{j.broker_name or '-'}）",
        "own": f"案场自有（{channel_zh(j.channel.value if j.channel else None)}）",
        "none": "-",
    }[j.owner]
    console.print(f"判客结果：[bold]{owner}[/bold]")
    for r in j.reasons:
        console.print(f"  · {r.text()}")
    if detail.history:
        console.print("合并/拆分记录：")
    for h in detail.history:
        op = {"merge": "合并", "split": "拆分"}.get(h["op"], h["op"])
        console.print(
            f"  · {short_time(h['at'])} {op} #{h['other_customer_id']} → #{h['customer_id']}：{h['explanation']}"
        )
