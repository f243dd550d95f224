"""A customer's card as HTML for a QTextBrowser: timeline, identifiers (masked), 判客, contributions."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import QCoreApplication

from views.format import channel_label, day_time, kind_label


def _t(text: str) -> str:
    return QCoreApplication.translate("CustomerCard", text)


def customer_html(card: dict) -> str:
    """Render the hub's `customer.get` result (or {'error', 'message'}) as simple, readable HTML."""
    if "error" in card:
        return f"<p style='color:#d32f2f'>{escape(card.get('message') or card['error'])}</p>"
    first = card.get("first_contact_at")
    when = day_time(datetime.fromisoformat(first)) if first else ""
    parts = [
        f"<h2>{escape(card.get('name') or _t('(no name)'))} <small>#{card['customer_id']}</small></h2>",
        f"<p>{escape(_t('First contact'))}: {escape(channel_label(card.get('first_channel') or ''))} {when}</p>",
    ]
    if card.get("needs_review"):
        parts.append(f"<p style='color:#8a6d00'>{escape(_t('Held for review: possible shared phone'))}</p>")
    judgement = card.get("judgement") or {}
    if judgement.get("text"):
        parts.append(
            f"<p><b>{escape(_t('Attribution'))}</b><br>{escape(judgement['text']).replace(chr(10), '<br>')}</p>"
        )
    shares = card.get("contributions") or []
    if shares:
        items = ", ".join(
            f"{escape(channel_label(c['channel']))}{(' ' + escape(c['agency'])) if c.get('agency') else ''} "
            f"{float(c['share']):.0%}"
            for c in shares
        )
        parts.append(f"<p><b>{escape(_t('Contribution'))}</b>: {items}</p>")
    parts.append(f"<h3>{escape(_t('Timeline'))}</h3><ul>")
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
