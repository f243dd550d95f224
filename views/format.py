"""How the floor reads values: channel and state names (translatable), business-time clocks, ages."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from models.clock import business_time


def channel_label(channel: str) -> str:
    """抖音 / 小红书 / … for a channel code."""
    labels = {
        "douyin": QCoreApplication.translate("Labels", "Douyin"),
        "xiaohongshu": QCoreApplication.translate("Labels", "Xiaohongshu"),
        "anjuke": QCoreApplication.translate("Labels", "Anjuke"),
        "mini_program": QCoreApplication.translate("Labels", "Mini program"),
        "agency": QCoreApplication.translate("Labels", "Agency"),
        "walk_in": QCoreApplication.translate("Labels", "Walk-in"),
    }
    return labels.get(channel, channel)


def kind_label(kind: str) -> str:
    """线上留资 / 报备 / 带看 / 自然到访 for a touch kind."""
    labels = {
        "online_lead": QCoreApplication.translate("Labels", "Online lead"),
        "report": QCoreApplication.translate("Labels", "Report"),
        "accompanied_visit": QCoreApplication.translate("Labels", "Accompanied visit"),
        "walk_in": QCoreApplication.translate("Labels", "Walk-in"),
    }
    return labels.get(kind, kind)


def state_label(state: str, pending: bool = False) -> str:
    """What is happening to a lead, in words."""
    if pending:
        return QCoreApplication.translate("Labels", "Waiting to send")
    labels = {
        "new": QCoreApplication.translate("Labels", "New"),
        "offered": QCoreApplication.translate("Labels", "In grab pool"),
        "assigned": QCoreApplication.translate("Labels", "Assigned"),
        "manager": QCoreApplication.translate("Labels", "Manager queue"),
        "": QCoreApplication.translate("Labels", "Recorded"),
    }
    return labels.get(state, state)


def status_label(status: str) -> str:
    """在岗 / 暂停 / 离岗."""
    return {
        "on_duty": QCoreApplication.translate("Labels", "On duty"),
        "paused": QCoreApplication.translate("Labels", "Paused"),
        "off": QCoreApplication.translate("Labels", "Off"),
    }.get(status, status)


def role_label(role: str) -> str:
    """A role's name on screen."""
    labels = {
        "reception": QCoreApplication.translate("Labels", "Reception"),
        "consultant": QCoreApplication.translate("Labels", "Consultant"),
        "channel_specialist": QCoreApplication.translate("Labels", "Channel specialist"),
        "broker": QCoreApplication.translate("Labels", "Broker"),
        "manager": QCoreApplication.translate("Labels", "Manager"),
        "wall": QCoreApplication.translate("Labels", "Lobby wall"),
        "admin": QCoreApplication.translate("Labels", "Administrator"),
    }
    return labels.get(role, role)


def follow_up_label(kind: str) -> str:
    """电话 / 微信 / 到访 / 备注."""
    return {
        "call": QCoreApplication.translate("Labels", "Call"),
        "wechat": QCoreApplication.translate("Labels", "WeChat"),
        "visit": QCoreApplication.translate("Labels", "Visit"),
        "note": QCoreApplication.translate("Labels", "Note"),
    }.get(kind, kind)


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
