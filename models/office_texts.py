"""The office settings' problems in plain words, Simplified Chinese and English, and the fields' names.

Secrets never appear in a message: a problem names the source or robot, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from models.sandbox_texts import render

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "office_name": ("案场名称", "office name"),
    "report_at": ("日报发送时间", "daily report time"),
    "wecom.per_minute": ("每分钟发送上限", "messages per minute"),
    "dispatch.idle_minutes": ("空闲时长（分钟）", "idle minutes"),
    "dispatch.grab_seconds": ("抢单时限（秒）", "grab seconds"),
    "protection.report_valid_days": ("报备有效期（天）", "report valid (days)"),
    "protection.min_report_lead_minutes": ("报备至少提前（分钟）", "report lead time (minutes)"),
    "protection.report_required": ("分销带看须先报备", "report required for agency visits"),
    "protection.visit_protection_days": ("带看保护期（天）", "visit protection (days)"),
    "protection.deal_protection_days": ("认购保护期（天）", "deal protection (days)"),
    "protection.visit_decides": ("到访为王", "first visit decides"),
    "alerts.red": ("一级提醒（红）", "red alerts"),
    "alerts.yellow": ("二级提醒（黄）", "yellow alerts"),
    "alerts.blue": ("三级提醒（蓝）", "blue alerts"),
    "alerts.red_hours": ("未跟进小时数", "hours without follow-up"),
    "alerts.price_dwell_s": ("价格页停留秒数", "price page seconds"),
    "alerts.vr_repeat": ("VR 连续查看次数", "VR views in a row"),
    "alerts.price_paths": ("价格页路径", "price page paths"),
}

TEXTS: dict[str, dict[str, str]] = {
    "office_name_missing": {"zh": "请填写案场名称，如“星河湾营销中心”", "en": "Give the office a name"},
    "office_name_long": {"zh": "案场名称最多 {max} 个字", "en": "The office name has at most {max} characters"},
    "staff_name_missing": {"zh": "{where_zh}：缺少姓名", "en": "{where_en}: the name is missing"},
    "staff_name_long": {"zh": "{where_zh}：姓名最多 32 个字", "en": "{where_en}: a name has at most 32 characters"},
    "staff_role": {
        "zh": "{where_zh}：角色“{role}”无法识别，可填：置业顾问、前台、渠道专员、分销经纪人、案场经理、大屏、管理员",
        "en": "{where_en}: role {role!r} is unknown; use consultant, reception, channel_specialist, broker, "
        "manager, wall or admin",
    },
    "staff_mobile": {
        "zh": "{where_zh}：手机号不是有效的大陆手机号（可不填）",
        "en": "{where_en}: the mobile is not a valid mainland mobile number (it may be left empty)",
    },
    "staff_agency": {
        "zh": "{where_zh}：分销经纪人须填写所属分销机构代码",
        "en": "{where_en}: a broker needs the code of their agency",
    },
    "staff_duplicate": {
        "zh": "{where_zh}：“{name}”与{other_zh}重名",
        "en": "{where_en}: {name} is also on {other_en}",
    },
    "staff_exists": {
        "zh": "{where_zh}：“{name}”已在系统中（#{id}），不会重复创建",
        "en": "{where_en}: {name} already exists (#{id}) and is not created again",
    },
    "staff_refused": {"zh": "{where_zh}：无法创建（{reason}）", "en": "{where_en}: cannot be created ({reason})"},
    "staff_file": {"zh": "人员名单无法读取：{reason}", "en": "The staff list cannot be read: {reason}"},
    "staff_no_name_column": {
        "zh": "人员名单前 20 行里找不到“姓名”列（可用列名：姓名、名字、name）",
        "en": "No name column in the first 20 rows of the staff list (姓名, 名字 or name)",
    },
    "staff_empty": {"zh": "人员名单里没有人", "en": "The staff list has nobody in it"},
    "secret_short": {
        "zh": "{source}：密钥至少 {min} 个字符（从渠道后台复制）",
        "en": "{source}: the secret has at least {min} characters (copy it from the platform)",
    },
    "secret_space": {"zh": "{source}：密钥不能含空格", "en": "{source}: the secret cannot contain spaces"},
    "mapping_path": {
        "zh": "{source}：“{key}”的字段路径“{path}”无效（用点分隔，如 data.phone，不能含空格）",
        "en": "{source}: path {path!r} of {key} is not a JSON path (dots between names, no spaces)",
    },
    "mapping_key": {
        "zh": "{source}：“{key}”不是线索字段或标识",
        "en": "{source}: {key!r} is neither a lead field nor an identifier",
    },
    "mapping_empty": {
        "zh": "{source}：至少映射姓名或一种标识（如手机号），否则无法识别客户",
        "en": "{source}: map the name or at least one identifier (e.g. the mobile), or nobody can be recognised",
    },
    "robot_name": {"zh": "每个机器人都要有名称（如 default）", "en": "Every robot needs a name (e.g. default)"},
    "robot_duplicate": {"zh": "机器人名称“{name}”重复", "en": "Robot name {name!r} is used twice"},
    "robot_url": {
        "zh": "机器人“{name}”的地址应为群机器人 Webhook 地址：https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        "en": "Robot {name!r} needs its webhook address: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    },
    "per_minute": {
        "zh": "每分钟发送上限应为 1 到 20 的整数（企业微信的限制）",
        "en": "Messages per minute must be a whole number from 1 to 20 (WeCom's limit)",
    },
    "smtp_host_missing": {
        "zh": "填写了收件人，还要填写发信服务器（如 smtp.exmail.qq.com）",
        "en": "Recipients are set: give the mail server too (e.g. smtp.exmail.qq.com)",
    },
    "smtp_host": {
        "zh": "发信服务器只填主机名，如 smtp.exmail.qq.com",
        "en": "The mail server is a host name such as smtp.exmail.qq.com",
    },
    "smtp_port": {"zh": "端口应为 1 到 65535 的整数", "en": "The port is a whole number from 1 to 65535"},
    "smtp_security": {"zh": "加密方式应为 STARTTLS、SSL 或不加密", "en": "Security is STARTTLS, SSL or none"},
    "smtp_sender": {"zh": "发件人应为邮箱地址", "en": "The sender must be an e-mail address"},
    "smtp_recipient": {"zh": "收件人“{address}”不是邮箱地址", "en": "Recipient {address!r} is not an e-mail address"},
    "report_at": {"zh": "日报发送时间应写成 07:30 这样的时间", "en": "The report time is a time like 07:30"},
    "weekday": {
        "zh": "自动派单的星期应为 1（周一）到 7（周日）",
        "en": "Auto-assign weekdays are 1 (Monday) to 7 (Sunday)",
    },
    "date_bad": {
        "zh": "“{value}”不是日期，请写成 2026-10-01，区间写成 2026-10-01~2026-10-07",
        "en": "{value!r} is not a date: write 2026-10-01, or a range 2026-10-01~2026-10-07",
    },
    "date_both": {
        "zh": "{dates} 既是节假日又是调休工作日",
        "en": "{dates} are both holidays and make-up workdays",
    },
    "whole": {
        "zh": "{label_zh}应为 {min} 到 {max} 之间的整数",
        "en": "{label_en} must be a whole number from {min} to {max}",
    },
    "switch": {"zh": "{label_zh}只能是“是”或“否”", "en": "{label_en} is either on or off"},
    "fallback_empty": {
        "zh": "无人抢单后的处理至少要有一步（如转经理）",
        "en": "An unclaimed lead needs at least one step (e.g. manager)",
    },
    "fallback_step": {
        "zh": "“{step}”不是可用的步骤：reoffer（再次抢单）、assign（派给空闲顾问）、manager（转经理）",
        "en": "{step!r} is not a step: reoffer, assign or manager",
    },
    "weight_key": {
        "zh": "“{key}”不是“渠道.类型”的写法",
        "en": "{key!r} is not 'channel.kind'",
    },
    "weight_number": {"zh": "{key} 的权重“{value}”不是数字", "en": "Weight of {key}: {value!r} is not a number"},
    "weight_range": {"zh": "{key} 的权重应在 0 到 100 之间", "en": "Weight of {key} must be from 0 to 100"},
    "weight_removed": {
        "zh": "{key} 是默认权重，不能留空；不计入请填 0",
        "en": "{key} is a shipped weight and cannot be left empty; write 0 to leave it out",
    },
    "price_paths": {
        "zh": "价格页路径至少填一个（如 price）",
        "en": "Give at least one price page path (e.g. price)",
    },
    "loader": {"zh": "设置未通过检查：{message}", "en": "The settings were refused: {message}"},
    "file": {"zh": "文件无法读取：{message}", "en": "A file cannot be read: {message}"},
    "setup_unknown": {
        "zh": "设置文件里有无法识别的项：{keys}",
        "en": "The setup file has keys nobody reads: {keys}",
    },
}


def staff_where(row: int, from_file: bool) -> dict[str, str]:
    """'第 3 行' / 'row 3' for a file's row, '第 3 人' / 'person 3' for one typed in."""
    if from_file:
        return {"where_zh": f"第 {row} 行", "where_en": f"row {row}"}
    return {"where_zh": f"第 {row} 人", "where_en": f"person {row}"}


def field_label(key: str) -> dict[str, str]:
    """A field's name in both languages, as message parameters (English capitalised: it starts the sentence)."""
    zh, en = FIELD_LABELS.get(key, (key, key))
    return {"label_zh": zh, "label_en": en[:1].upper() + en[1:]}


SECTIONS = ("office", "channels", "wecom", "email", "dispatch", "weights", "alerts")
_SECTION_OF = {
    "office_name": "office",
    "staff": "office",
    "channels": "channels",
    "wecom": "wecom",
    "smtp": "email",
    "report_at": "email",
    "calendar": "dispatch",
    "dispatch": "dispatch",
    "weights": "weights",
    "protection": "weights",
    "alerts": "alerts",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the settings: the field it concerns (dotted, '' for the whole) and why."""

    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """The message in Simplified Chinese (default) or English."""
        return render(TEXTS, self.code, self.params, lang)

    @property
    def section(self) -> str:
        """Which section of the wizard or the settings screen holds the field ('' when none)."""
        return _SECTION_OF.get(self.field.split(".", 1)[0], "")
