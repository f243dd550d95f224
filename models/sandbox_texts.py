"""What the policy sandbox says to people: errors, assignment and conversion reasons, verdicts.

As in `models.messages`, the domain layer cannot use Qt's tr(): each text is a code with parameters,
rendered here in Simplified Chinese (default) or English, so screens, the hub and the docs agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "name_missing": {"zh": "请填写实验名称", "en": "give the experiment a name"},
    "name_long": {"zh": "实验名称不能超过 {max} 个字", "en": "the name is longer than {max} characters"},
    "key_missing": {
        "zh": "请填写政策类别（如 discount）：同一类别的实验不能同时进行",
        "en": "give the policy key (e.g. discount): experiments on one key may not run at the same time",
    },
    "key_long": {"zh": "政策类别不能超过 {max} 个字", "en": "the policy key is longer than {max} characters"},
    "hypothesis_long": {"zh": "假设说明不能超过 {max} 个字", "en": "the hypothesis is longer than {max} characters"},
    "variants_few": {
        "zh": "至少需要两个分组：对照组 A 与一个新政策",
        "en": "at least two variants are needed: the control A and one new policy",
    },
    "variants_many": {"zh": "分组不能超过 {max} 个", "en": "at most {max} variants"},
    "variant_name_missing": {"zh": "第 {n} 组缺少名称", "en": "variant {n} has no name"},
    "variant_name_long": {
        "zh": "分组名称「{name}」超过 {max} 个字",
        "en": "variant name {name!r} is longer than {max} characters",
    },
    "variant_name_duplicate": {"zh": "分组名称「{name}」重复", "en": "variant name {name!r} is used twice"},
    "variant_policy_missing": {
        "zh": "分组「{name}」缺少政策说明（如“9.5折”“送车位”）",
        "en": "variant {name!r} has no policy text (e.g. 9.5折, 送车位)",
    },
    "variant_policy_long": {
        "zh": "分组「{name}」的政策说明超过 {max} 个字",
        "en": "the policy text of variant {name!r} is longer than {max} characters",
    },
    "weight_invalid": {
        "zh": "分组「{name}」的权重须为 1–{max} 的整数",
        "en": "the weight of variant {name!r} must be a whole number from 1 to {max}",
    },
    "share_invalid": {
        "zh": "曝光比例「{value}」不是数字：填 5 表示 5% 的客户",
        "en": "exposed share {value!r} is not a number: give 5 for 5 % of customers",
    },
    "share_range": {
        "zh": "曝光比例须大于 0% 且不超过 100%（现为 {value}%）",
        "en": "the exposed share must be more than 0 % and at most 100 % (got {value} %)",
    },
    "share_precision": {
        "zh": "曝光比例最多保留两位小数（现为 {value}%）",
        "en": "the exposed share takes at most two decimals (got {value} %)",
    },
    "time_invalid": {
        "zh": "时间「{value}」无效，请按 2026-12-01 09:00 填写",
        "en": "{value!r} is not a date and time like 2026-12-01 09:00",
    },
    "window_order": {
        "zh": "结束时间 {stop} 须晚于开始时间 {start}",
        "en": "the stop {stop} must be after the start {start}",
    },
    "window_past": {"zh": "结束时间 {stop} 已过（现在 {now}）", "en": "the stop {stop} is already past (now {now})"},
    "overlap": {
        "zh": "与进行中的实验 #{other}「{name}」（{start} – {stop}）同属政策类别「{key}」且时间重叠；"
        "确需并行请勾选“允许重叠”",
        "en": "overlaps running experiment #{other} {name!r} ({start} – {stop}) on policy {key!r}; "
        "declare the overlap to run both",
    },
    "unknown_experiment": {"zh": "实验 #{id} 不存在", "en": "experiment #{id} does not exist"},
    "not_draft": {
        "zh": "实验「{name}」{state}，只有草稿可以修改",
        "en": "only a draft can be edited; {name!r} is {state_en}",
    },
    "not_startable": {
        "zh": "实验「{name}」{state}，只有草稿可以开始",
        "en": "only a draft can be started; {name!r} is {state_en}",
    },
    "not_stoppable": {
        "zh": "实验「{name}」{state}，只有进行中的实验可以停止",
        "en": "only a running experiment can be stopped; {name!r} is {state_en}",
    },
    "not_running": {"zh": "实验「{name}」{state}，不能曝光", "en": "{name!r} is {state_en}: nobody can be exposed"},
    "not_open_yet": {
        "zh": "实验「{name}」{start} 才开始，此前不能曝光",
        "en": "{name!r} opens at {start}: nobody can be exposed before",
    },
    "ended": {"zh": "实验「{name}」已于 {stop} 结束", "en": "{name!r} ended at {stop}"},
    "time_future": {"zh": "时间 {at} 晚于现在（{now}）", "en": "{at} is in the future (now {now})"},
    "unknown_customer": {"zh": "客户 #{id} 不存在", "en": "customer #{id} does not exist"},
    "through_invalid": {
        "zh": "曝光方式「{value}」无效，可选：{choices}",
        "en": "exposure channel {value!r} is not one of {choices}",
    },
    "kind_invalid": {
        "zh": "成交类型须为认购（subscription）或签约（signing）",
        "en": "a conversion is a subscription or a signing, not {value!r}",
    },
    # assignments and conversions
    "assigned": {"zh": "分到 {variant} 组：{policy}", "en": "in variant {variant}: {policy}"},
    "sticky": {
        "zh": "已在 {variant} 组（{at} 首次曝光）：{policy}",
        "en": "already in variant {variant} (first exposed {at}): {policy}",
    },
    "holdout": {
        "zh": "不在 {share}% 的曝光客户内：按常规政策接待",
        "en": "outside the {share} % exposed: offer the standard policy",
    },
    "counted": {"zh": "计入 {variant} 组的{kind_zh}", "en": "counted as a {kind} in variant {variant}"},
    "duplicate": {"zh": "该{kind_zh}已记录，不重复计算", "en": "this {kind} was recorded already: counted once"},
    "not_exposed": {"zh": "客户未曝光于该实验，不计入", "en": "the customer was not exposed: not counted"},
    "before_exposure": {
        "zh": "{kind_zh} {at} 早于首次曝光 {exposed}，不计入",
        "en": "the {kind} at {at} precedes the first exposure {exposed}: not counted",
    },
    "after_window": {
        "zh": "{kind_zh} {at} 晚于实验结束 {stop}，不计入",
        "en": "the {kind} at {at} is after the experiment ended {stop}: not counted",
    },
}
VERDICTS: dict[str, dict[str, str]] = {
    "empty": {"zh": "还没有分组数据", "en": "no variants to compare yet"},
    "not_enough": {
        "zh": "样本不足：每组至少 {min_exposures} 人曝光、合计至少 {min_conversions} 人成交后再判断"
        "（目前最少的一组 {least} 人，成交 {conversions} 人）",
        "en": "not enough data: wait for {min_exposures} exposed customers in every variant and "
        "{min_conversions} conversions in all (now {least} in the smallest, {conversions} converted)",
    },
    "better": {
        "zh": "{variant} 的成交率高于 {control}（{rate} 对 {control_rate}，{p}），建议扩大到更多客户",
        "en": "{variant} converts better than {control} ({rate} vs {control_rate}, {p}): "
        "consider offering it to more customers",
    },
    "worse": {
        "zh": "{variant} 的成交率低于 {control}（{rate} 对 {control_rate}，{p}），建议停用 {variant}",
        "en": "{variant} converts worse than {control} ({rate} vs {control_rate}, {p}): consider dropping {variant}",
    },
    "no_difference": {"zh": "两组差异不显著（{p}）", "en": "no significant difference between the two ({p})"},
    "no_difference_many": {
        "zh": "各组与 {control} 的差异均不显著（最小 {p}）",
        "en": "no variant differs significantly from {control} (smallest {p})",
    },
}
STATE_ZH = {"draft": "草稿", "scheduled": "待开始", "running": "进行中", "ended": "已到期", "stopped": "已停止"}
KIND_ZH = {"subscription": "认购", "signing": "签约"}


def render(catalog: Mapping[str, Mapping[str, str]], code: str, params: Mapping[str, Any], lang: str = "zh") -> str:
    """One message of a catalog in zh (default) or en; an unknown code renders as itself."""
    entry = catalog.get(code)
    if entry is None:
        return code
    return entry["en" if lang == "en" else "zh"].format(**params)
