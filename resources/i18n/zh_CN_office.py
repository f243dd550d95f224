"""Simplified Chinese for the demo office's control window."""

ZH_CN = {
    "salesfloor demo office": "案场销管台 · 演示案场",
    "The whole office on one machine: the hub, simulated channels and every screen.": (
        "整个案场在一台电脑上：服务器、模拟渠道和每一块屏幕。"
    ),
    "Dispatch": "派单方式",
    "Weekday: to an idle consultant": "工作日：派给空闲顾问",
    "Weekend: grab pool, 15 s": "周末：抢单池，15 秒",
    "So far": "截至目前",
    "Channel leads posted": "渠道推送线索",
    "Visitors registered": "前台登记到访",
    "Behaviour events": "浏览行为事件",
    "Customers": "客户数",
    "Leads merged into a customer": "合并到已有客户的线索",
    "Leads dispatched": "已派单线索",
    "Leads answered": "已跟进线索",
    "Answered within 5 minutes": "5分钟内跟进",
    "Windows": "窗口",
    "Last problem: %1": "最近的问题：%1",
    "Close the office": "关闭演示案场",
}
