"""A settlement statement as an XLSX workbook and as a printable HTML page (结佣对账单).

Both are built from the plain `StatementDetail`, so the hub or a desk can write them; customer names
are the stored masks, amounts are exact (the lines sum to the total, written as numbers in yuan).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.clock import business_time
from models.deal_records import StatementDetail
from models.table_export import cells_as_text, save_atomically

STATUS_ZH = {"pending": "待确认", "confirmed": "已确认", "paid": "已付款"}
MONEY_FORMAT = "#,##0.00"
LINE_HEADERS = (
    "成交编号",
    "房号",
    "客户",
    "签约时间",
    "签约金额（元）",
    "佣金池（元）",
    "经纪人",
    "贡献权重",
    "应结佣金（元）",
    "说明",
)


def _when(at: datetime | None) -> str:
    return business_time(at).strftime("%Y-%m-%d %H:%M") if at else ""


def statement_title(detail: StatementDetail) -> str:
    """'链家 结佣对账单 2026-11-16 至 2026-11-22'."""
    s = detail.statement
    return f"{s.agency_name} 结佣对账单 {s.period_start.isoformat()} 至 {s.period_end.isoformat()}"


def _head_rows(detail: StatementDetail) -> list[tuple[str, str]]:
    s = detail.statement
    return [
        ("对账单编号", f"#{s.statement_id}"),
        ("分销机构", s.agency_name),
        ("结算周期", f"{s.period_start.isoformat()} 至 {s.period_end.isoformat()}"),
        ("状态", STATUS_ZH.get(s.status, s.status)),
        ("制单", f"{s.created_by} {_when(s.created_at)}"),
        ("确认", f"{s.confirmed_by} {_when(s.confirmed_at)}" if s.confirmed_at else ""),
        ("付款", f"{s.paid_by} {_when(s.paid_at)}" if s.paid_at else ""),
    ]


def statement_xlsx(detail: StatementDetail, path: Path | str) -> Path:
    """Write the statement to an XLSX file: head, one row per deal, the total; returns the path."""
    book = Workbook()
    sheet = book.active
    sheet.title = "对账单"
    sheet.append([statement_title(detail)])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in _head_rows(detail):
        sheet.append([label, value])
    sheet.append([])
    sheet.append(list(LINE_HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for line in detail.lines:
        sheet.append(
            [
                line.deal_id,
                line.unit,
                line.customer_name,
                _when(line.signed_at),
                line.signed_amount,
                line.pool,
                line.broker_name,
                line.weight,
                line.amount,
                line.reasons,
            ]
        )
    sheet.append(["合计", "", "", "", None, None, "", None, detail.statement.total, f"{len(detail.lines)} 笔"])
    total_row = sheet.max_row
    sheet.cell(total_row, 1).font = Font(bold=True)
    sheet.cell(total_row, 9).font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=total_row):
        for col in (5, 6, 9):
            row[col - 1].number_format = MONEY_FORMAT
        row[9].alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate((10, 14, 8, 17, 16, 14, 10, 10, 16, 60), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    cells_as_text(sheet)  # names and reasons are free text: never a formula
    return save_atomically(path, book.save)


_CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #999; padding: 4px 6px; vertical-align: top; }
th { background: #eee; }
td.money { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.head td { border: none; padding: 2px 12px 2px 0; }
tr.total td { font-weight: bold; }
.sign { margin-top: 36px; display: flex; gap: 64px; font-size: 13px; }
@media print { body { margin: 0; } @page { size: A4 landscape; margin: 12mm; } }
"""


def _money(value) -> str:
    return f"{value:,.2f}" if value is not None else ""


def statement_html(detail: StatementDetail) -> str:
    """The statement as a self-contained printable HTML page (A4 landscape), with signature lines."""
    head = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in _head_rows(detail))
    rows = "".join(
        "<tr>"
        f"<td>{line.deal_id}</td><td>{escape(line.unit)}</td><td>{escape(line.customer_name)}</td>"
        f"<td>{_when(line.signed_at)}</td><td class='money'>{_money(line.signed_amount)}</td>"
        f"<td class='money'>{_money(line.pool)}</td><td>{escape(line.broker_name)}</td>"
        f"<td>{line.weight.normalize():f}</td>"
        f"<td class='money'>{_money(line.amount)}</td><td>{escape(line.reasons)}</td>"
        "</tr>"
        for line in detail.lines
    )
    headers = "".join(f"<th>{escape(h)}</th>" for h in LINE_HEADERS)
    total = (
        f"<tr class='total'><td colspan='8'>合计（{len(detail.lines)} 笔）</td>"
        f"<td class='money'>{_money(detail.statement.total)}</td><td></td></tr>"
    )
    title = escape(statement_title(detail))
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_CSS}</style></head><body><h1>{title}</h1><table class='head'>{head}</table><br>"
        f"<table><thead><tr>{headers}</tr></thead><tbody>{rows}{total}</tbody></table>"
        "<div class='sign'><div>分销机构确认（签章）：__________</div><div>案场渠道经理：__________</div>"
        "<div>财务付款：__________</div></div></body></html>"
    )
