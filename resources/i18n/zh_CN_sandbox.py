"""Simplified Chinese for the policy sandbox (政策沙盒): experiments, the define dialog, the live comparison."""

ZH_CN = {
    # the domain texts (errors, verdicts) follow this: models.sandbox_texts renders them in zh
    "text-language:en": "zh",
    # the list
    "Experiments": "实验",
    "Experiment": "实验",
    "Policy": "政策",
    "Share": "曝光比例",
    "Window": "时间窗",
    "Variants": "分组",
    "Exposed": "曝光人数",
    "Converted": "成交人数",
    "Created by": "创建人",
    "Draft": "草稿",
    "Scheduled": "待开始",
    "Running": "进行中",
    "Window over": "已到期",
    "Stopped": "已停止",
    "New… (Ctrl+N)": "新建…（Ctrl+N）",
    "Edit… (F2)": "修改…（F2）",
    "Start (Ctrl+R)": "开始（Ctrl+R）",
    "Stop (Ctrl+Shift+R)": "停止（Ctrl+Shift+R）",
    "Stop experiment": "停止实验",
    "Stop “%1”? Nobody else will be exposed and later deals will not count.": (
        "确定停止“%1”？停止后不再曝光新客户，之后的成交也不再计入。"
    ),
    # the comparison
    "Live comparison": "实时对比",
    "%1 of customers · %2 – %3 · policy %4": "%1 的客户 · %2 – %3 · 政策类别 %4",
    "Hypothesis: %1": "假设：%1",
    "Variant": "分组",
    "Rate": "成交率",
    "95% interval": "95% 置信区间",
    "Against the control": "与对照组相比",
    "control": "对照组",
    "exact test": "精确检验",
    "z-test": "z 检验",
    "%1 pp": "%1 个百分点",
    "conversion rate (%)": "成交率（%）",
    "Bars: conversion rate with its 95% interval; the first variant is the control. A verdict is given once every "
    "variant has %1 exposed customers and %2 have converted in all. Updated %3.": (
        "柱高为成交率，竖线为 95% 置信区间；第一组为对照组。每组曝光满 %1 人且合计成交满 %2 人后才给出结论。更新于 %3。"
    ),
    # the dialog
    "New experiment": "新建实验",
    "Edit experiment": "修改实验",
    "Experiment name": "实验名称",
    "Policy key": "政策类别",
    "Hypothesis": "假设",
    "Exposed share (%)": "曝光比例（%）",
    "Start time": "开始时间",
    "Stop time": "结束时间",
    "Name (A: the control)": "名称（A 为对照组）",
    "Policy offered": "提供的政策",
    "Weight": "权重",
    "Add variant (Ctrl+Shift+N)": "添加分组（Ctrl+Shift+N）",
    "Allow overlap with a running experiment on this policy key": "允许与同类别进行中的实验时间重叠",
    "Save draft (Enter)": "保存草稿（Enter）",
    "e.g. December discount against parking": "如：十二月折扣与送车位对比",
    "what the variants change, e.g. discount": "各组改变的政策，如 discount（折扣）",
    "what you expect, e.g. a free parking space sells more than 5% off": "预期结果，如：送车位比 9.5 折更能促成认购",
    "percent of customers, e.g. 5": "客户百分比，如 5",
    "e.g. 9.5折": "如 9.5折",
    "e.g. 送车位": "如 送车位",
}
