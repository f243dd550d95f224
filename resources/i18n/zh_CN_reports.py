"""Simplified Chinese for the export of tables and the dashboard's report tables (merged by build.py)."""

ZH_CN = {
    # views/export.py
    "Export…": "导出…",
    "Export": "导出",
    "Export table": "导出表格",
    "Save this table as an Excel workbook or a CSV file (%1)": "将此表格保存为 Excel 工作簿或 CSV 文件（%1）",
    "Excel workbook (*.xlsx)": "Excel 工作簿 (*.xlsx)",
    "CSV, UTF-8 (*.csv)": "CSV，UTF-8 编码 (*.csv)",
    "Exported %n row(s) to": "已导出 %n 行至",
    "Could not export to %1: %2": "无法导出到 %1：%2",
    "only .xlsx and .csv files can be written": "只能导出为 .xlsx 或 .csv 文件",
    "no permission to write there": "没有写入该位置的权限",
    "the folder does not exist": "文件夹不存在",
    "part of the path is a file, not a folder": "路径中有一部分是文件而不是文件夹",
    "the disk is full": "磁盘已满",
    "a folder of that name exists": "已有同名文件夹",
    "Open folder": "打开所在文件夹",
    "the table kept changing while it was read; try again": "读取期间表格一直在变化，请重试",
    # views/dashboard.py: the exported leaderboard and drill-down
    "Consultant leaderboard": "顾问排行榜",
    "Late or unanswered": "超时或未跟进",
    "Export leaderboard…": "导出排行榜…",
    "Export list…": "导出明细…",
    "Answered": "已跟进",
    "5-minute rate": "5分钟达标率",
    "Median first response (min)": "首响中位数（分钟）",
}
