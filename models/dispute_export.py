"""A dispute pack (see models.dispute) as JSON, as a printable HTML page, and as an XLSX workbook."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from models.clock import business_time
from models.deal_records import decision_text
from models.leads import CHANNEL_LABELS_ZH, TOUCH_LABELS_ZH
from models.messages import KIND_ZH as IDENT_ZH
from models.settlement_export import STATUS_ZH
from models.table_export import cells_as_text, save_atomically

KIND_ZH = {**{k.value: v for k, v in TOUCH_LABELS_ZH.items()}, "follow_up_visit": "顾问登记到访"}
CHANNEL_ZH = {c.value: v for c, v in CHANNEL_LABELS_ZH.items()}
ACTION_ZH = {
    "lead_ingested": "线索入库",
    "attribution": "判客",
    "customers_merged": "客户合并",
    "customer_split": "客户拆分",
    "manual_merge": "人工合并",
    "manual_split": "人工拆分",
    "review_opened": "待复核",
    "review_closed": "复核关闭",
    "deal_subscribed": "认购",
    "deal_signed": "签约",
    "commission_split": "佣金拆分",
    "settlement_prepared": "生成对账单",
    "settlement_confirmed": "对账确认",
    "settlement_paid": "佣金付款",
}


def when(text: str | None) -> str:
    """An ISO time as business time 'YYYY-MM-DD HH:MM'."""
    return business_time(datetime.fromisoformat(text)).strftime("%Y-%m-%d %H:%M") if text else ""


def _yuan(value: str | None) -> str:
    """'3,150,000.00' from a decimal string ('' for none)."""
    return f"{Decimal(value):,.2f}" if value else ""


def _plain(value: str) -> str:
    """A weight without trailing zeros: '0.4000' → '0.4'."""
    return format(Decimal(value).normalize(), "f")


def dispute_json(pack: dict[str, Any]) -> str:
    """The pack as indented UTF-8 JSON (what `salesfloor audit export` writes for a customer)."""
    return json.dumps(pack, ensure_ascii=False, indent=2, sort_keys=True)


def sections(pack: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The pack as titled tables (title, headers, rows): the one layout both HTML and XLSX use."""
    deal = pack["deal"]
    summary = [
        ["成交编号", deal["deal_id"]],
        ["房号", deal["unit"]],
        ["客户", f"#{pack['customer']['customer_id']} {pack['customer']['name']}"],
        ["置业顾问", deal["consultant_name"]],
        ["认购", f"{when(deal['subscribed_at'])} {_yuan(deal['subscription_amount'])}".strip()],
        ["签约", f"{when(deal['signed_at'])} {_yuan(deal['signed_amount'])}".strip()],
        ["成交周期（天）", deal["cycle_days"]],
        ["佣金池（元）", _yuan(pack["split"]["pool"])],
        ["签约时判客", pack["judgement_at_signing"]["text"]],
        ["当前判客", pack["judgement_now"]["text"]],
        ["证据链", "完整" if pack["chain"]["intact"] else "异常：" + "；".join(pack["chain"]["problems"])],
        ["链头", f"#{pack['chain']['head_seq']} {pack['chain']['head_hash']}"],
        ["生成时间", when(pack["generated_at"])],
    ]
    touches = [
        [
            t["lead_id"],
            when(t["at"]),
            CHANNEL_ZH.get(t["channel"], t["channel"]),
            KIND_ZH.get(t["kind"], t["kind"]),
            t["agency"],
            t["broker"],
            _plain(t["weight"]),
            " ".join(f"{IDENT_ZH.get(i['kind'], i['kind'])}:{i['value']}" for i in t["identifiers"]),
            t["match_reason"],
        ]
        for t in pack["touches"]
    ]
    reports = [[r["lead_id"], when(r["at"]), r["agency"], r["broker"], r["code"]] for r in pack["reports"]]
    visits = [[when(v["at"]), KIND_ZH.get(v["kind"], v["kind"]), v["by"], v["lead_id"]] for v in pack["visits"]]
    split = [
        [x["party_name"], _plain(x["weight"]), "是" if x["eligible"] else "否", x["amount"], x["reasons"]]
        for x in pack["split"]["lines"]
    ]
    money = [
        [
            s["statement_id"],
            s["agency"],
            " 至 ".join(s["period"]),
            STATUS_ZH.get(s["status"], s["status"]),
            when(s["confirmed_at"]),
            when(s["paid_at"]),
        ]
        for s in pack["settlement"]
    ]
    decisions = [
        [
            d["seq"],
            when(d["at"]),
            ACTION_ZH.get(d["action"], d["action"]),
            d["actor"],
            decision_text(d["payload"]),
            d["hash"],
            d["prev_hash"],
            "通过" if d["hash_ok"] else "不符",
        ]
        for d in pack["decisions"]
    ]
    return [
        ("概要", ["项目", "内容"], summary),
        ("接触", ["线索", "时间", "渠道", "类型", "机构", "经纪人", "权重", "标识（脱敏）", "归并理由"], touches),
        ("报备", ["线索", "报备时间", "机构", "经纪人", "报备编号"], reports),
        ("到访", ["时间", "类型", "带看/登记人", "线索"], visits),
        ("分佣", ["对象", "权重", "参与", "金额（元）", "理由"], split),
        ("结算", ["对账单", "机构", "周期", "状态", "确认时间", "付款时间"], money),
        ("证据链", ["序号", "时间", "事项", "操作人", "内容", "哈希", "前序哈希", "校验"], decisions),
    ]


def dispute_xlsx(pack: dict[str, Any], path: Path | str) -> Path:
    """Write the pack as a workbook with one sheet per section; returns the path."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sections(pack):
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
        cells_as_text(sheet)  # notes, names and reasons are free text: never a formula
    return save_atomically(path, book.save)


_CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 15px; margin-top: 20px; }
table { border-collapse: collapse; width: 100%; font-size: 11px; }
th, td { border: 1px solid #999; padding: 3px 5px; vertical-align: top; }
th { background: #eee; }
td.hash { font-family: monospace; font-size: 9px; word-break: break-all; }
.ok { color: #2e7d32; font-weight: bold; } .bad { color: #c62828; font-weight: bold; }
@media print { body { margin: 0; } @page { size: A4 landscape; margin: 10mm; } h2 { break-after: avoid; } }
"""


def _cell(value) -> str:
    """A cell's text for HTML: escaped, line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br>")


def dispute_html(pack: dict[str, Any]) -> str:
    """The pack as a self-contained printable HTML page."""
    deal = pack["deal"]
    title = f"成交 #{deal['deal_id']}（{deal['unit']}）佣金争议证据包"
    badge = (
        "<p class='ok'>证据链校验通过</p>"
        if pack["chain"]["intact"]
        else "<p class='bad'>证据链校验失败：" + escape("；".join(pack["chain"]["problems"])) + "</p>"
    )
    parts = [f"<h1>{escape(title)}</h1>", badge]
    for name, headers, rows in sections(pack):
        hashes = {i for i, h in enumerate(headers) if "哈希" in h}
        head = "".join(f"<th>{escape(h)}</th>" for h in headers)
        body = "".join(
            "<tr>"
            + "".join(f"<td{' class=hash' if i in hashes else ''}>{_cell(v)}</td>" for i, v in enumerate(row))
            + "</tr>"
            for row in rows
        )
        parts.append(f"<h2>{escape(name)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>"
    )
