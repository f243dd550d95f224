"""A customer's card as HTML for a QTextBrowser: timeline, identifiers (masked), 判客, contributions."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QCoreApplication

from views.format import channel_label, day_time, kind_label


def _labels() -> dict[str, str]:
    """The card's headings, translated."""
    return {
        "no_name": QCoreApplication.translate("CustomerCard", "(no name)"),
        "first": QCoreApplication.translate("CustomerCard", "First contact"),
        "review": QCoreApplication.translate("CustomerCard", "Held for review: possible shared phone"),
        "attribution": QCoreApplication.translate("CustomerCard", "Attribution"),
        "contribution": QCoreApplication.translate("CustomerCard", "Contribution"),
        "timeline": QCoreApplication.translate("CustomerCard", "Timeline"),
    }


def customer_html(card: dict) -> str:
    """Render the hub's `customer.get` result (or {'error', 'message'}) as simple, readable HTML."""
    if "error" in card:
        return f"<p style='color:#d32f2f'>{escape(card.get('message') or card['error'])}</p>"
    label = {k: escape(v) for k, v in _labels().items()}
    first = card.get("first_contact_at")
    when = day_time(datetime.fromisoformat(first)) if first else ""
    name = escape(card.get("name") or "") or label["no_name"]
    channel = escape(channel_label(card.get("first_channel") or ""))
    parts = [
        f"<h2>{name} <small>#{card['customer_id']}</small></h2>",
        f"<p>{label['first']}: {channel} {when}</p>",
    ]
    if card.get("needs_review"):
        parts.append(f"<p style='color:#8a6d00'>{label['review']}</p>")
    judgement = card.get("judgement") or {}
    if judgement.get("text"):
        reasons = escape(judgement["text"]).replace("\n", "<br>")
        parts.append(f"<p><b>{label['attribution']}</b><br>{reasons}</p>")
    shares = card.get("contributions") or []
    if shares:
        items = ", ".join(
            f"{escape(channel_label(c['channel']))}{(' ' + escape(c['agency'])) if c.get('agency') else ''} "
            f"{float(c['share']):.0%}"
            for c in shares
        )
        parts.append(f"<p><b>{label['contribution']}</b>: {items}</p>")
    parts.append(f"<h3>{label['timeline']}</h3><ul>")
    for lead in card.get("leads", []):
        at = day_time(datetime.fromisoformat(lead["occurred_at"]))
        ids = " · ".join(escape(i["value"]) for i in lead.get("identifiers", []) if i.get("status") == "valid")
        line = f"{at} {escape(channel_label(lead['channel']))} {escape(kind_label(lead['kind']))}"
        if ids:
            line += f" <span style='color:#666'>{ids}</span>"
        if lead.get("match_reason"):
            line += f"<br><small style='color:#666'>{escape(lead['match_reason'])}</small>"
        parts.append(f"<li>{line}</li>")
    parts.append("</ul>")
    return "".join(parts)
