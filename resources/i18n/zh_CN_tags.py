"""Simplified Chinese for the capability radar (views/radar.py) and the transcript import command."""

ZH_CN = {
    "%1 (%2 calls)": "%1（%2 通电话）",
    "%1: %2 calls, %3 characters · team: %4 consultants, %5 calls": "%1：%2 通电话，%3 字 · 团队：%4 位顾问，%5 通电话",
    "(axis labels: consultant / team, %1; outer ring: the best consultant)": (
        "（轴标注：本人 / 团队，%1；最外圈为团队最高值）"
    ),
    "Consultant": "置业顾问",
    "Customers heard / not": "听到 / 未听到的客户",
    "Customers who heard it close %1 days faster (%2)": "听到该话术的客户成交快 %1 天（%2）",
    "Customers who heard it close %1 days slower (%2)": "听到该话术的客户成交慢 %1 天（%2）",
    "Dimension": "维度",
    "Finding": "结论",
    "Median days": "成交周期中位数（天）",
    "Mine": "本人",
    "No clear difference (%1)": "无明显差别（%1）",
    "Non-compliant phrases heard: %1": "出现违规话术：%1",
    "Not enough data: needs %1 customers on each side": "数据不足：每组至少需要 %1 位客户",
    "Tag": "话术标签",
    "Tags and deal cycle (all consultants)": "话术与成交周期（全体顾问）",
    "Tags and deal cycle (all consultants): %1 of %2 tags show a clear difference": (
        "话术与成交周期（全体顾问）：%2 个标签中 %1 个差别明显"
    ),
    "Team": "团队",
    "This consultant": "本人",
    "Used least, beside the team (coaching)": "相对团队用得最少（辅导重点）",
    "Used most, beside the team": "相对团队用得最多",
    "tags per 1,000 characters": "每千字标签数",
    "tags per call": "每通电话标签数",
    "× team": "为团队的倍数",
}
