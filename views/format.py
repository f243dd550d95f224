"""How the floor reads values: channel and state names (translatable), business-time clocks, ages."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from models.clock import business_time


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def channel_label(channel: str) -> str:
    """抖音 / 小红书 / … for a channel code."""
    labels = {
        "douyin": _t("Douyin"),
        "xiaohongshu": _t("Xiaohongshu"),
        "anjuke": _t("Anjuke"),
        "mini_program": _t("Mini program"),
        "agency": _t("Agency"),
        "walk_in": _t("Walk-in"),
    }
    return labels.get(channel, channel)


def kind_label(kind: str) -> str:
    """线上留资 / 报备 / 带看 / 自然到访 for a touch kind."""
    labels = {
        "online_lead": _t("Online lead"),
        "report": _t("Report"),
        "accompanied_visit": _t("Accompanied visit"),
        "walk_in": _t("Walk-in"),
    }
    return labels.get(kind, kind)


def state_label(state: str, pending: bool = False) -> str:
    """What is happening to a lead, in words."""
    if pending:
        return _t("Waiting to send")
    labels = {
        "new": _t("New"),
        "offered": _t("In grab pool"),
        "assigned": _t("Assigned"),
        "manager": _t("Manager queue"),
        "": _t("Recorded"),
    }
    return labels.get(state, state)


def status_label(status: str) -> str:
    """在岗 / 暂停 / 离岗."""
    return {"on_duty": _t("On duty"), "paused": _t("Paused"), "off": _t("Off")}.get(status, status)


def role_label(role: str) -> str:
    """A role's name on screen."""
    labels = {
        "reception": _t("Reception"),
        "consultant": _t("Consultant"),
        "channel_specialist": _t("Channel specialist"),
        "broker": _t("Broker"),
        "manager": _t("Manager"),
        "wall": _t("Lobby wall"),
        "admin": _t("Administrator"),
    }
    return labels.get(role, role)


def follow_up_label(kind: str) -> str:
    """电话 / 微信 / 到访 / 备注."""
    return {"call": _t("Call"), "wechat": _t("WeChat"), "visit": _t("Visit"), "note": _t("Note")}.get(kind, kind)


def hhmm(when: datetime | None) -> str:
    """Business time as HH:MM ('' for none)."""
    return business_time(when).strftime("%H:%M") if when else ""


def day_time(when: datetime | None) -> str:
    """Business time as MM-DD HH:MM."""
    return business_time(when).strftime("%m-%d %H:%M") if when else ""


def age_text(seconds: float) -> str:
    """'0:42', '4:59', '1:05:10' — a live counter."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
