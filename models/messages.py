"""Explanations shown to staff and written to the evidence log: a code, parameters, and a text.

The domain layer cannot use Qt's tr(); reasons are stored as (code, params) and rendered here in
Simplified Chinese (default) or English, so the UI and the evidence bundle say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATALOG: dict[str, dict[str, str]] = {
    "same_identifier": {
        "zh": "与线索 #{lead_id}（{channel}，{at}）{kind}相同：{masked}",
        "en": "same {kind_en} {masked} as lead #{lead_id} ({channel}, {at})",
    },
    "manual_link": {"zh": "人工合并（{actor}）：{note}", "en": "merged by hand ({actor}): {note}"},
    "replay": {"zh": "重复推送，沿用首次结果：{text}", "en": "replayed message, first result kept: {text}"},
    "new_customer": {"zh": "无匹配标识，新建客户", "en": "no shared identifier: new customer"},
    "bridge_merge": {
        "zh": "线索 #{lead_id} 同时匹配客户 #{a} 与 #{b}，合并",
        "en": "lead #{lead_id} matches both customer #{a} and #{b}: merged",
    },
    "split": {"zh": "拆分出客户 #{new}（{actor}）：{note}", "en": "split out as customer #{new} ({actor}): {note}"},
    "auto_split": {
        "zh": "规则复核后拆分：{detail}",
        "en": "split after the rules re-checked the links: {detail}",
    },
    "held_saturated": {
        "zh": "{kind}{masked}被 {count} 条线索共用，不作为合并依据",
        "en": "{kind_en} {masked} is shared by {count} leads: not used to merge",
    },
    "held_family": {
        "zh": "{kind}{masked}被不同身份证号的线索共用（疑似家庭共用/经纪人手机），待复核",
        "en": "{kind_en} {masked} is shared by leads with different ID numbers (family or broker phone): review",
    },
    "held_limit": {
        "zh": "合并后客户的标识超出上限，{kind}{masked}暂不合并，待复核",
        "en": "merging would exceed a per-customer limit: {kind_en} {masked} held back for review",
    },
    "flag_limit_id_backed": {
        "zh": "客户 #{customer} 身份证相同但标识数量超限，待复核",
        "en": "customer #{customer} shares an ID number but exceeds a limit: review",
    },
    "flag_lead_with_two_ids": {
        "zh": "线索含两个不同身份证号，待复核",
        "en": "a lead carries two different ID numbers: review",
    },
    # 判客 reasons
    "first_visit_agency": {
        "zh": "到访为王：{at} 由{agency}（{broker}）带看首次到访",
        "en": "the visit decides: first visit {at} accompanied by {agency} ({broker})",
    },
    "first_visit_walk_in": {
        "zh": "到访为王：{at} 自然到访，归案场自有渠道（首次接触：{channel}）",
        "en": "the visit decides: walk-in at {at}, owned by the office (first contact: {channel})",
    },
    "report_valid": {
        "zh": "报备有效：{agency} 于 {at} 报备，早于到访 {minutes} 分钟",
        "en": "valid report by {agency} at {at}, {minutes} min before the visit",
    },
    "report_missing": {
        "zh": "报备无效：{agency} 带看前无有效报备（需提前 {minutes} 分钟且在 {days} 天内）",
        "en": "no valid report by {agency} before the visit (needs {minutes} min lead time, within {days} days)",
    },
    "report_not_required": {
        "zh": "本项目不要求带看前报备",
        "en": "this project does not require a report before an accompanied visit",
    },
    "visit_during_protection": {
        "zh": "{at} {who}到访，但仍在{owner}保护期内（至 {until}），归属不变",
        "en": "visit at {at} ({who_en}) falls within {owner}'s protection (until {until}): owner unchanged",
    },
    "protection_until": {"zh": "保护期至 {until}", "en": "protected until {until}"},
    "deal_extends": {
        "zh": "{at} 认购，成交保护期延至 {until}",
        "en": "deal at {at} extends protection until {until}",
    },
    "protection_lapsed": {
        "zh": "{agency} 的保护期已于 {until} 结束，归还案场",
        "en": "{agency}'s protection ended {until}: back to the office",
    },
    "first_contact_own": {
        "zh": "首次接触：{at} 来自{channel}",
        "en": "first contact {at} via {channel}",
    },
    "report_pending": {
        "zh": "{agency} 于 {at} 报备，待到访（报备有效至 {until}）",
        "en": "reported by {agency} at {at}, awaiting a visit (valid until {until})",
    },
    "report_expired": {
        "zh": "{agency} 于 {at} 的报备已过期（{until}），未到访",
        "en": "report by {agency} at {at} expired {until} without a visit",
    },
    "report_after_own_contact": {
        "zh": "{agency} 报备晚于案场自有渠道首次接触（{channel}，{at}），报备不成立",
        "en": "report by {agency} came after the office's own first contact ({channel}, {at}): not valid",
    },
    "no_touches": {"zh": "尚无接触记录", "en": "no touches yet"},
    # dispatch (派单) reasons
    "dispatch_idle": {
        "zh": "{name}（{idle}），{tie_zh}",
        "en": "{name} {idle_en}; {tie_en}",
    },
    "dispatch_none_idle": {
        "zh": "暂无空闲顾问，分配给最快空闲的 {name}（约 {minutes} 分钟后空闲）",
        "en": "nobody is idle: {name} is idle soonest (in about {minutes} min)",
    },
    "dispatch_nobody_on_duty": {"zh": "无在岗顾问", "en": "no consultant on duty"},
    "dispatch_returning": {
        "zh": "老客户回访，回到归属顾问 {name}",
        "en": "returning customer: back to their consultant {name}",
    },
    "dispatch_grab_offer": {
        "zh": "抢单池：推送给 {count} 名在岗顾问，{seconds} 秒倒计时",
        "en": "grab pool: offered to {count} consultants on duty, {seconds} s countdown",
    },
    "dispatch_claimed": {"zh": "{name} 抢单成功（{ms} 毫秒）", "en": "claimed by {name} ({ms} ms)"},
    "dispatch_reoffer": {
        "zh": "无人抢单，第 {attempt} 轮重新推送给 {count} 名顾问",
        "en": "unclaimed: round {attempt} offered again to {count} consultants",
    },
    "dispatch_unclaimed_assign": {"zh": "无人抢单，改为系统分配：{detail}", "en": "unclaimed, assigned: {detail}"},
    "dispatch_to_manager": {
        "zh": "{attempts} 轮无人抢单，转案场经理处理",
        "en": "unclaimed after {attempts} rounds: to the manager",
    },
    "dispatch_manual": {"zh": "{actor} 改派给 {name}：{note}", "en": "{actor} reassigned to {name}: {note}"},
    "dispatch_judged": {"zh": "判客：{text}", "en": "attribution: {text}"},
}

KIND_ZH = {
    "mobile": "手机号",
    "national_id": "身份证号",
    "landline": "座机",
    "idfa": "IDFA",
    "gaid": "GAID",
    "douyin_open_id": "抖音open_id",
    "anjuke_member_id": "安居客member_id",
    "wx_union_id": "微信union_id",
    "wx_open_id": "微信open_id",
    "browser_fp": "浏览器指纹",
}
TIE_ZH = {"least_recent": "空闲顾问中最久未分配", "only_idle": "唯一空闲顾问"}
TIE_EN = {"least_recent": "least recent assignment among idle", "only_idle": "the only idle consultant"}
KIND_EN = {
    "mobile": "mobile",
    "national_id": "ID number",
    "landline": "landline",
    "idfa": "IDFA",
    "gaid": "GAID",
    "douyin_open_id": "Douyin open_id",
    "anjuke_member_id": "Anjuke member_id",
    "wx_union_id": "WeChat union_id",
    "wx_open_id": "WeChat open_id",
    "browser_fp": "browser fingerprint",
}


@dataclass(frozen=True)
class Reason:
    """A machine-readable explanation with a human rendering."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """Render in 'zh' (default) or 'en'."""
        return render(self.code, lang, **self.params)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the evidence log."""
        return {"code": self.code, "params": self.params, "text": self.text()}


def render(code: str, lang: str = "zh", **params: Any) -> str:
    """Fill a catalog template; unknown codes render as the code itself."""
    templates = CATALOG.get(code)
    if templates is None:
        return code
    if "tie" in params:
        params = {**params, "tie_zh": TIE_ZH.get(params["tie"], ""), "tie_en": TIE_EN.get(params["tie"], "")}
    if "kind" in params:
        params = {**params, "kind_en": KIND_EN.get(params["kind"], params["kind"])}
        params["kind"] = KIND_ZH.get(params["kind"], params["kind"]) if lang == "zh" else params["kind_en"]
    template = templates.get(lang) or templates["zh"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return f"{code} {params}"
