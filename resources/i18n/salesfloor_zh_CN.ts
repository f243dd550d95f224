<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertTicker</name>
    <message>
        <location filename="../../views/wall.py" line="111"/>
        <source>No open alerts</source>
        <translation>当前无预警</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="135"/>
        <source>acknowledged by %s</source>
        <translation>%s 已确认</translation>
    </message>
</context>
<context>
    <name>ConsultantWorkbench</name>
    <message>
        <location filename="../../views/workbench.py" line="58"/>
        <source>Select a lead to see the customer&apos;s timeline.</source>
        <translation>选择一条线索，查看客户的完整轨迹。</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="60"/>
        <source>Note (optional)</source>
        <translation>跟进内容（可选）</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="62"/>
        <source>Quick reply…</source>
        <translation>快捷话术…</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="75"/>
        <source>Log a follow-up</source>
        <translation>记录跟进</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/workbench.py" line="117"/>
        <source>%n lead(s) waiting for your first call</source>
        <translation><numerusform>%n 条线索等待首次跟进</numerusform></translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="123"/>
        <source>%s — click to pause</source>
        <translation>%s — 点击暂停</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="123"/>
        <source>Go on duty</source>
        <translation>上岗接单</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="143"/>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
</context>
<context>
    <name>CustomerCard</name>
    <message>
        <location filename="../../views/customer_card.py" line="16"/>
        <source>(no name)</source>
        <translation>（未留姓名）</translation>
    </message>
    <message>
        <location filename="../../views/customer_card.py" line="17"/>
        <source>First contact</source>
        <translation>首次接触</translation>
    </message>
    <message>
        <location filename="../../views/customer_card.py" line="18"/>
        <source>Held for review: possible shared phone</source>
        <translation>待复核：疑似共用手机号</translation>
    </message>
    <message>
        <location filename="../../views/customer_card.py" line="19"/>
        <source>Attribution</source>
        <translation>判客</translation>
    </message>
    <message>
        <location filename="../../views/customer_card.py" line="20"/>
        <source>Contribution</source>
        <translation>渠道贡献</translation>
    </message>
    <message>
        <location filename="../../views/customer_card.py" line="21"/>
        <source>Timeline</source>
        <translation>客户轨迹</translation>
    </message>
</context>
<context>
    <name>DashboardView</name>
    <message>
        <location filename="../../views/dashboard.py" line="56"/>
        <source>All channels</source>
        <translation>全部渠道</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="60"/>
        <source>All consultants</source>
        <translation>全部顾问</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="61"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="67"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="69"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="79"/>
        <source>5-minute rate by day</source>
        <translation>每日5分钟达标率</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="83"/>
        <source>First response (minutes)</source>
        <translation>首次响应时长（分钟）</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="86"/>
        <source>Leads by channel</source>
        <translation>渠道线索量</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="89"/>
        <source>5-minute rate by consultant (click a bar)</source>
        <translation>顾问5分钟达标率（点击柱状图查看明细）</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="97"/>
        <source>Click a consultant&apos;s bar to see who was answered late</source>
        <translation>点击顾问柱状图，查看超时未跟进的客户</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="130"/>
        <source>No figures: %s</source>
        <translation>暂无数据：%s</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="134"/>
        <source>5-min rate %1 · leads %2 · late %3</source>
        <translation>5分钟达标率 %1 · 线索 %2 · 漏跟 %3</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="153"/>
        <source>Alerts: red %1 · yellow %2 · blue %3</source>
        <translation>预警：一级 %1 · 二级 %2 · 三级 %3</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="185"/>
        <source>%s: answered late or not yet</source>
        <translation>%s：超时或未跟进</translation>
    </message>
</context>
<context>
    <name>DeskWindow</name>
    <message>
        <location filename="../../views/desk_window.py" line="73"/>
        <source>salesfloor desk</source>
        <translation>案场销管台</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="113"/>
        <source>connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="118"/>
        <location filename="../../views/desk_window.py" line="123"/>
        <location filename="../../views/desk_window.py" line="128"/>
        <source>Reception</source>
        <translation>前台</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="119"/>
        <source>My leads</source>
        <translation>我的线索</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="121"/>
        <location filename="../../views/desk_window.py" line="126"/>
        <location filename="../../views/desk_window.py" line="130"/>
        <location filename="../../views/desk_window.py" line="132"/>
        <source>Floor</source>
        <translation>案场</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="122"/>
        <location filename="../../views/desk_window.py" line="127"/>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="147"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="150"/>
        <source>Offline since %s</source>
        <translation>离线（自 %s）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/desk_window.py" line="153"/>
        <source>%n change(s) waiting</source>
        <translation><numerusform>%n 条待发送</numerusform></translation>
    </message>
</context>
<context>
    <name>DuplicateHint</name>
    <message>
        <location filename="../../views/desk_window.py" line="244"/>
        <source>No hint: %s</source>
        <translation>暂无提示：%s</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="251"/>
        <source>Offline: possibly an existing customer (%s); the hub will check</source>
        <translation>离线：可能是已存在客户（%s），联网后由系统确认</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="260"/>
        <source>Not a valid mobile: %s</source>
        <translation>手机号无效：%s</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="262"/>
        <source>New customer</source>
        <translation>新客户</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="265"/>
        <source>Attribution</source>
        <translation>判客</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="268"/>
        <source>Existing customer %1 %2 · first source %3 %4 · consultant %5</source>
        <translation>已存在客户 %1 %2 · 首次来源 %3 %4 · 归属顾问 %5</translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <location filename="../../views/enroll_dialog.py" line="18"/>
        <source>Sign in to the office hub</source>
        <translation>登录案场服务器</translation>
    </message>
    <message>
        <location filename="../../views/enroll_dialog.py" line="24"/>
        <source>Ask your manager for a one-time enrollment code.</source>
        <translation>请向案场经理索取一次性登记码。</translation>
    </message>
    <message>
        <location filename="../../views/enroll_dialog.py" line="30"/>
        <source>Hub address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location filename="../../views/enroll_dialog.py" line="31"/>
        <source>Enrollment code</source>
        <translation>登记码</translation>
    </message>
    <message>
        <location filename="../../views/enroll_dialog.py" line="32"/>
        <source>This computer</source>
        <translation>本机名称</translation>
    </message>
    <message>
        <location filename="../../views/enroll_dialog.py" line="39"/>
        <source>Give the hub address and the code.</source>
        <translation>请填写服务器地址和登记码。</translation>
    </message>
    <message>
        <location filename="../../views/enroll_dialog.py" line="42"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
</context>
<context>
    <name>GrabPopup</name>
    <message>
        <location filename="../../views/grab_popup.py" line="33"/>
        <source>Grab pool</source>
        <translation>抢单池</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="68"/>
        <source>New lead: %s</source>
        <translation>新线索：%s</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="68"/>
        <source>(no name)</source>
        <translation>（未留姓名）</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="76"/>
        <source>Grab it (%s)</source>
        <translation>抢单（%s）</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="83"/>
        <source>Claiming…</source>
        <translation>抢单中…</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="95"/>
        <source>Got it!</source>
        <translation>抢单成功！</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="97"/>
        <source>Taken by %s</source>
        <translation>已被 %s 抢到</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="98"/>
        <source>Time is up</source>
        <translation>已超时</translation>
    </message>
    <message>
        <location filename="../../views/grab_popup.py" line="106"/>
        <source>%1 s left</source>
        <translation>剩余 %1 秒</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../views/format.py" line="15"/>
        <source>Douyin</source>
        <translation>抖音</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="16"/>
        <source>Xiaohongshu</source>
        <translation>小红书</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="17"/>
        <source>Anjuke</source>
        <translation>安居客</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="18"/>
        <source>Mini program</source>
        <translation>小程序</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="19"/>
        <source>Agency</source>
        <translation>分销机构</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="20"/>
        <location filename="../../views/format.py" line="31"/>
        <source>Walk-in</source>
        <translation>自然到访</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="28"/>
        <source>Online lead</source>
        <translation>线上留资</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="29"/>
        <source>Report</source>
        <translation>报备</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="30"/>
        <source>Accompanied visit</source>
        <translation>带看</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="39"/>
        <source>Waiting to send</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="41"/>
        <source>New</source>
        <translation>新线索</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="42"/>
        <source>In grab pool</source>
        <translation>抢单中</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="43"/>
        <source>Assigned</source>
        <translation>已分配</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="44"/>
        <source>Manager queue</source>
        <translation>待经理处理</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="45"/>
        <source>Recorded</source>
        <translation>已登记</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="53"/>
        <source>On duty</source>
        <translation>在岗</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="54"/>
        <source>Paused</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="55"/>
        <source>Off</source>
        <translation>离岗</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="62"/>
        <source>Reception</source>
        <translation>前台</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="63"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="64"/>
        <source>Channel specialist</source>
        <translation>渠道专员</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="65"/>
        <source>Broker</source>
        <translation>经纪人</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="66"/>
        <source>Manager</source>
        <translation>案场经理</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="67"/>
        <source>Lobby wall</source>
        <translation>案场大屏</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="68"/>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="76"/>
        <source>Call</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="77"/>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="78"/>
        <source>Visit</source>
        <translation>到访</translation>
    </message>
    <message>
        <location filename="../../views/format.py" line="79"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>LeadTableModel</name>
    <message>
        <location filename="../../views/lead_model.py" line="54"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="55"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="56"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="57"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="58"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="59"/>
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="60"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="61"/>
        <source>Received</source>
        <translation>进线时间</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="114"/>
        <source>(no name)</source>
        <translation>（未留姓名）</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="127"/>
        <source>answered in %s</source>
        <translation>%s 内已跟进</translation>
    </message>
</context>
<context>
    <name>ManagerView</name>
    <message>
        <location filename="../../views/manager.py" line="161"/>
        <source>All leads</source>
        <translation>全部线索</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="162"/>
        <source>Not yet answered</source>
        <translation>未跟进</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="163"/>
        <source>Unassigned / unclaimed</source>
        <translation>未分配 / 无人抢</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="165"/>
        <source>Reassign…</source>
        <translation>改派…</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="171"/>
        <source>Leads</source>
        <translation>线索</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="181"/>
        <source>Consultants</source>
        <translation>置业顾问</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../views/desk_window.py" line="34"/>
        <source>Got it</source>
        <translation>知道了</translation>
    </message>
</context>
<context>
    <name>ReassignDialog</name>
    <message>
        <location filename="../../views/manager.py" line="120"/>
        <source>Reassign %s</source>
        <translation>改派 %s</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="125"/>
        <source>Why (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="130"/>
        <source>To</source>
        <translation>改派给</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="131"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>ReceptionDesk</name>
    <message>
        <location filename="../../views/reception.py" line="43"/>
        <source>e.g. Li Min</source>
        <translation>如：李敏</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="45"/>
        <source>11-digit mobile, any format</source>
        <translation>11 位手机号，任意格式</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="47"/>
        <source>optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="49"/>
        <source>Walk-in</source>
        <translation>自然到访</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="50"/>
        <source>Accompanied by an agency</source>
        <translation>分销带看</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="60"/>
        <source>Register visit (Enter)</source>
        <translation>登记到访（回车）</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="64"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="65"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="67"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="68"/>
        <source>Visit</source>
        <translation>到访</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="69"/>
        <source>Agency code</source>
        <translation>机构代码</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="70"/>
        <source>Broker</source>
        <translation>经纪人</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="71"/>
        <source>Report code</source>
        <translation>报备编号</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="74"/>
        <source>Register a visitor</source>
        <translation>登记来访</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="79"/>
        <source>Today&apos;s visitors</source>
        <translation>今日来访</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="123"/>
        <source>Give at least a name or a mobile.</source>
        <translation>请至少填写姓名或手机号。</translation>
    </message>
    <message>
        <location filename="../../views/reception.py" line="126"/>
        <source>An accompanied visit needs the agency code.</source>
        <translation>带看到访需要填写分销机构代码。</translation>
    </message>
</context>
<context>
    <name>RedAlertDialog</name>
    <message>
        <location filename="../../views/red_alert.py" line="24"/>
        <source>Red alert</source>
        <translation>一级预警</translation>
    </message>
    <message>
        <location filename="../../views/red_alert.py" line="26"/>
        <source>These customers have waited too long</source>
        <translation>以下客户已长时间未跟进</translation>
    </message>
    <message>
        <location filename="../../views/red_alert.py" line="30"/>
        <source>I have seen them</source>
        <translation>我已知晓</translation>
    </message>
    <message>
        <location filename="../../views/red_alert.py" line="56"/>
        <source>Sending…</source>
        <translation>正在提交…</translation>
    </message>
    <message>
        <location filename="../../views/red_alert.py" line="62"/>
        <source>Not acknowledged: %s</source>
        <translation>未能确认：%s</translation>
    </message>
</context>
<context>
    <name>StaffBoardModel</name>
    <message>
        <location filename="../../views/manager.py" line="59"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="60"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="61"/>
        <source>Idle for</source>
        <translation>空闲时长</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="62"/>
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="63"/>
        <source>Answered today</source>
        <translation>今日已跟进</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="64"/>
        <source>Median first response</source>
        <translation>首响中位数</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="83"/>
        <source>no follow-up yet</source>
        <translation>今日未跟进</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/manager.py" line="84"/>
        <source>%n min</source>
        <translation><numerusform>%n 分钟</numerusform></translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <location filename="../../views/wall.py" line="171"/>
        <source>Lobby wall</source>
        <translation>案场大屏</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="173"/>
        <source>Sales floor today</source>
        <translation>今日案场</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="185"/>
        <source>New leads</source>
        <translation>新增线索</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="186"/>
        <source>Visits</source>
        <translation>到访</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="187"/>
        <source>Answered within 5 min</source>
        <translation>5分钟响应率</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="188"/>
        <source>In grab pool</source>
        <translation>抢单中</translation>
    </message>
    <message>
        <location filename="../../views/wall.py" line="224"/>
        <source>Not updating since %s</source>
        <translation>数据已停止更新（自 %s）</translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <location filename="../../app/desk.py" line="182"/>
        <source>Token not saved</source>
        <translation>未能保存登录凭据</translation>
    </message>
</context>
<context>
    <name>self.window</name>
    <message>
        <location filename="../../app/wall.py" line="50"/>
        <source>Leave the wall?</source>
        <translation>退出大屏？</translation>
    </message>
    <message>
        <location filename="../../app/wall.py" line="50"/>
        <source>Close the lobby wall?</source>
        <translation>确定关闭案场大屏吗？</translation>
    </message>
</context>
</TS>
