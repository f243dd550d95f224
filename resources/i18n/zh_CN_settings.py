"""Simplified Chinese for the admin settings screen (设置): sections, fields, hints, status line."""

ZH_CN = {
    # the model's messages follow this (models.office_texts renders them in zh)
    "text-language:en": "zh",
    "Office settings": "案场设置",
    "The hub reads these files when it starts: changes take effect when the hub restarts.": (
        "中心在启动时读取这些设置：修改保存后，重启中心才生效。"
    ),
    "Revert": "撤销修改",
    "Save (Ctrl+S)": "保存（Ctrl+S）",
    "Showing the settings on file.": "当前显示的是已保存的设置。",
    "Unsaved changes.": "有未保存的修改。",
    "%n problem(s): see the fields marked in red.": "%n 处需要修改：见标红的项。",
    "Saved at %1. Changes take effect when the hub restarts.": "已于 %1 保存。重启中心后生效。",
    # sections
    "Office": "案场",
    "Channels": "渠道",
    "WeCom": "企业微信",
    "E-mail": "邮件",
    "Dispatch & calendar": "派单与日历",
    "Weights & 报备": "权重与报备",
    "Alerts": "客户提醒",
    # office
    "Office name": "案场名称",
    "e.g. 星河湾营销中心": "如：星河湾营销中心",
    "Files": "设置文件",
    "People": "人员",
    "People are added with the setup wizard (salesfloor setup --staff FILE) or salesfloor hub user add.": (
        "人员通过首次设置向导（salesfloor setup --staff 名单文件）或 salesfloor hub user add 添加。"
    ),
    # channels
    "Source": "来源",
    "%1 — POST /webhooks/%2, signed with %3": "%1 — 推送地址 POST /webhooks/%2，签名方式 %3",
    "Secret": "密钥",
    "not set: copy it from the platform": "未设置：从平台后台复制",
    "Field mapping": "字段映射",
    "Dots between names (data.phone); header:Name for a header; several paths separated by commas.": (
        "用点分隔层级（data.phone）；请求头写 header:名称；多个路径用逗号分隔，取第一个有值的。"
    ),
    "Lead field": "线索字段",
    "JSON paths (first found wins)": "JSON 路径（取第一个有值的）",
    "Name": "姓名",
    "Agency code": "机构代码",
    "Broker code": "经纪人编号",
    "Broker name": "经纪人姓名",
    "Report code": "报备编号",
    "ID number": "身份证号",
    "Mobile": "手机号",
    "Landline": "座机",
    "Browser fingerprint": "浏览器指纹",
    "IDFA (iPhone ad id)": "IDFA（苹果广告标识）",
    "GAID/OAID (Android ad id)": "GAID/OAID（安卓广告标识）",
    "Douyin OpenID": "抖音 OpenID",
    "Anjuke member id": "安居客会员 ID",
    "WeChat UnionID": "微信 UnionID",
    "WeChat OpenID": "微信 OpenID",
    # WeCom
    "Robots": "群机器人",
    "Robot": "机器人名称",
    "Webhook address": "Webhook 地址",
    "Add robot": "添加机器人",
    "Remove robot": "删除机器人",
    "Group robot → Add robot in WeCom gives the address; its key is kept secret here.": (
        "在企业微信群里“添加群机器人”即可得到地址；地址中的 key 在此处不显示。"
    ),
    "Messages per minute": "每分钟最多发送",
    "WeCom allows 20.": "企业微信上限为 20 条。",
    # e-mail
    "Mail server": "发信服务器",
    "Empty: no e-mail.": "留空则不发邮件。",
    "Security": "加密方式",
    "None": "不加密",
    "Port": "端口",
    "Login": "登录账号",
    "Password": "密码",
    "Sender": "发件人",
    "Report recipients": "日报收件人",
    "Daily report at": "日报发送时间",
    "Yesterday's figures, Beijing time.": "发送前一天的数据，北京时间。",
    # dispatch and calendar
    "Mon": "周一",
    "Tue": "周二",
    "Wed": "周三",
    "Thu": "周四",
    "Fri": "周五",
    "Sat": "周六",
    "Sun": "周日",
    "Auto-assign on": "自动派单日",
    "Leads are assigned to an idle consultant on these days; other days run the grab pool.": (
        "这些日子线索自动派给空闲顾问，其余日子进入抢单池。"
    ),
    "Holidays (grab pool)": "节假日（抢单）",
    "Make-up workdays (调休)": "调休工作日（自动派单）",
    " min": " 分钟",
    " s": " 秒",
    " h": " 小时",
    " days": " 天",
    " times": " 次",
    "Idle after": "空闲判定",
    "A consultant on duty with no follow-up for this long can take a lead.": (
        "在岗顾问超过这段时间没有跟进，即视为空闲，可接新线索。"
    ),
    "Grab offer open for": "抢单时限",
    "—": "—",
    "Offer again": "再次抢单",
    "Assign an idle consultant": "派给空闲顾问",
    "Manager's queue": "转案场经理",
    "Nobody grabbed it": "无人抢单时",
    "Steps in order.": "按顺序执行。",
    # weights and protection
    "Any channel": "其他渠道",
    "Contribution weights": "贡献权重",
    "A blank cell uses the “any channel” weight of its column; weights are normalised per customer.": (
        "留空的格子使用同一列“其他渠道”的权重；每位客户的权重会归一化。"
    ),
    "报备 valid for": "报备有效期",
    "报备 at least before the visit": "报备须早于到访",
    "An agency visit needs a valid 报备 to be protected": "分销带看须有有效报备才受保护",
    "Visit protection": "带看保护期",
    "Deal protection": "认购保护期",
    "The first visit decides (到访为王)": "到访为王（首次到访决定归属）",
    # alerts
    "Start with red only; add yellow and blue after two weeks, once consultants trust the red ones.": (
        "建议先只开一级提醒，两周后顾问信任了再开二级和三级。"
    ),
    "Red: no follow-up — a forced popup for the owner and the manager": "一级（红）：久未跟进——顾问和经理强制弹窗",
    "No follow-up for": "未跟进超过",
    "Yellow: price page or repeated VR views — WeCom to the owner": "二级（黄）：看价格页或反复看 VR——企业微信提醒顾问",
    "Price page longer than": "价格页停留超过",
    "Price page paths": "价格页路径",
    "Same unit's VR in a row": "同一房源 VR 连续查看",
    "Blue: a floor plan saved as favourite — report only": "三级（蓝）：收藏户型——只进报表",
}
