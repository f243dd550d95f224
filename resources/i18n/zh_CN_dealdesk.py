"""Simplified Chinese for the desk's deal screens glue (tabs, messages)."""

ZH_CN = {
    "Skills": "能力画像",
    "Deals": "成交",
    "Settlement": "结算",
    "Dispute": "争议",
    "Recorded; the split appears once the hub has it.": "已记录；服务器确认后显示佣金分配。",
    "Export": "导出",
    "Open the statement first.": "请先打开结算单。",
    "Not written: %1": "未能写入：%1",
    "Written to %1": "已保存到 %1",
}
