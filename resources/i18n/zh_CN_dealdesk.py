"""Simplified Chinese for the desk's deal screens glue (tabs, messages)."""

ZH_CN = {
    "Skills": "能力画像",
    "Policy sandbox": "政策沙盒",
    "Told the customer": "已告知客户",
    "Policy to offer: %1 (variant %2)": "本客户适用政策：%1（方案 %2）",
    " · told": " · 已告知",
    "Channel mix (leads) and contribution (signed deals)": "渠道占比（线索）与贡献（签约）",
    "share of leads": "线索占比",
    "share of deal contribution": "成交贡献占比",
    "5-min rate %1 · leads %2 · late %3 · signed %4 · conversion %5": (
        "5分钟达标率 %1 · 线索 %2 · 漏跟 %3 · 签约 %4 · 转化率 %5"
    ),
    "Signed": "签约",
    "Conversion": "转化率",
    "Deals": "成交",
    "Settlement": "结算",
    "Dispute": "争议",
    "Recorded; the split appears once the hub has it.": "已记录；服务器确认后显示佣金分配。",
    "Export": "导出",
    "Open the statement first.": "请先打开结算单。",
    "Not written: %1": "未能写入：%1",
    "Written to %1": "已保存到 %1",
}
