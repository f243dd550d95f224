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
        <location filename="../../views/workbench.py" line="60"/>
        <source>Select a lead to see the customer&apos;s timeline.</source>
        <translation>选择一条线索，查看客户的完整轨迹。</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="62"/>
        <source>Note (optional)</source>
        <translation>跟进内容（可选）</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="64"/>
        <source>Quick reply…</source>
        <translation>快捷话术…</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="77"/>
        <source>Log a follow-up</source>
        <translation>记录跟进</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="89"/>
        <source>Told the customer</source>
        <translation>已告知客户</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/workbench.py" line="126"/>
        <source>%n lead(s) waiting for your first call</source>
        <translation><numerusform>%n 条线索等待首次跟进</numerusform></translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="132"/>
        <source>%s — click to pause</source>
        <translation>%s — 点击暂停</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="132"/>
        <source>Go on duty</source>
        <translation>上岗接单</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="152"/>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="174"/>
        <source>Policy to offer: %1 (variant %2)</source>
        <translation>本客户适用政策：%1（方案 %2）</translation>
    </message>
    <message>
        <location filename="../../views/workbench.py" line="175"/>
        <source> · told</source>
        <translation> · 已告知</translation>
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
        <location filename="../../views/dashboard.py" line="60"/>
        <source>All channels</source>
        <translation>全部渠道</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="64"/>
        <source>All consultants</source>
        <translation>全部顾问</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="65"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="71"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="73"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="83"/>
        <source>5-minute rate by day</source>
        <translation>每日5分钟达标率</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="87"/>
        <source>First response (minutes)</source>
        <translation>首次响应时长（分钟）</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="99"/>
        <source>5-minute rate by consultant (click a bar)</source>
        <translation>顾问5分钟达标率（点击柱状图查看明细）</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="107"/>
        <source>Click a consultant&apos;s bar to see who was answered late</source>
        <translation>点击顾问柱状图，查看超时未跟进的客户</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="109"/>
        <source>Consultant leaderboard</source>
        <translation>顾问排行榜</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="112"/>
        <location filename="../../views/dashboard.py" line="241"/>
        <source>Late or unanswered</source>
        <translation>超时或未跟进</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="114"/>
        <source>Export leaderboard…</source>
        <translation>导出排行榜…</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="115"/>
        <source>Export list…</source>
        <translation>导出明细…</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="149"/>
        <source>No figures: %s</source>
        <translation>暂无数据：%s</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="90"/>
        <source>Channel mix (leads) and contribution (signed deals)</source>
        <translation>渠道占比（线索）与贡献（签约）</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="97"/>
        <source>share of leads</source>
        <translation>线索占比</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="98"/>
        <source>share of deal contribution</source>
        <translation>成交贡献占比</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="153"/>
        <source>5-min rate %1 · leads %2 · late %3 · signed %4 · conversion %5</source>
        <translation>5分钟达标率 %1 · 线索 %2 · 漏跟 %3 · 签约 %4 · 转化率 %5</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="180"/>
        <source>Alerts: red %1 · yellow %2 · blue %3</source>
        <translation>预警：一级 %1 · 二级 %2 · 三级 %3</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="213"/>
        <source>%s: answered late or not yet</source>
        <translation>%s：超时或未跟进</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="237"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="238"/>
        <source>Leads</source>
        <translation>线索</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="239"/>
        <source>Answered</source>
        <translation>已跟进</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="240"/>
        <source>5-minute rate</source>
        <translation>5分钟达标率</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="242"/>
        <source>Median first response (min)</source>
        <translation>首响中位数（分钟）</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="243"/>
        <source>Visits</source>
        <translation>到访</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="244"/>
        <source>Signed</source>
        <translation>已签约</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="245"/>
        <source>Conversion</source>
        <translation>转化率</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="270"/>
        <source>Received</source>
        <translation>进线时间</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="270"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="270"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="270"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
</context>
<context>
    <name>DealDesk</name>
    <message>
        <location filename="../../views/deal_desk.py" line="74"/>
        <source>Deals</source>
        <translation>成交</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="75"/>
        <source>Settlement</source>
        <translation>结算</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="76"/>
        <source>Dispute</source>
        <translation>争议</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="137"/>
        <source>Recorded; the split appears once the hub has it.</source>
        <translation>已记录；服务器确认后显示佣金分配。</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="146"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="154"/>
        <source>Open the statement first.</source>
        <translation>请先打开结算单。</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="165"/>
        <location filename="../../views/deal_desk.py" line="186"/>
        <source>Not written: %1</source>
        <translation>未能写入：%1</translation>
    </message>
    <message>
        <location filename="../../views/deal_desk.py" line="167"/>
        <source>Written to %1</source>
        <translation>已保存到 %1</translation>
    </message>
</context>
<context>
    <name>Deals</name>
    <message>
        <location filename="../../views/deals.py" line="37"/>
        <source>Subscribed</source>
        <translation>已认购</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="38"/>
        <source>Signed</source>
        <translation>已签约</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="45"/>
        <source>Unit</source>
        <translation>房号</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="47"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="50"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="52"/>
        <location filename="../../views/deals.py" line="107"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="58"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="62"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="64"/>
        <source>Cycle (days)</source>
        <translation>周期（天）</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="70"/>
        <source>Commission pool</source>
        <translation>佣金池</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="76"/>
        <source>Attributed to</source>
        <translation>判客归属</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="95"/>
        <source>Commission party</source>
        <translation>分佣对象</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="101"/>
        <source>Contribution weight</source>
        <translation>贡献权重</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="77"/>
        <source>Office</source>
        <translation>案场</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="87"/>
        <source>On statement</source>
        <translation>已入对账单</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="88"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="89"/>
        <source>Paid</source>
        <translation>已付款</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="109"/>
        <source>Settlement</source>
        <translation>结算</translation>
    </message>
</context>
<context>
    <name>DealsScreen</name>
    <message>
        <location filename="../../views/deals.py" line="131"/>
        <source>Record deal… (Ctrl+N)</source>
        <translation>录入成交…（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="133"/>
        <source>Dispute pack (Ctrl+D)</source>
        <translation>争议证据包（Ctrl+D）</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="142"/>
        <source>Deals</source>
        <translation>成交</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="161"/>
        <source>Why each party gets its share</source>
        <translation>分佣理由</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="163"/>
        <source>Commission split</source>
        <translation>佣金拆分</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="217"/>
        <source>Pool %1 · split %2</source>
        <translation>佣金池 %1 · 已拆分 %2</translation>
    </message>
    <message>
        <location filename="../../views/deals.py" line="219"/>
        <source>Not signed yet: no commission split.</source>
        <translation>尚未签约，暂无佣金拆分。</translation>
    </message>
</context>
<context>
    <name>DeskWindow</name>
    <message>
        <location filename="../../views/desk_window.py" line="78"/>
        <source>salesfloor desk</source>
        <translation>案场销管台</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="142"/>
        <source>connecting…</source>
        <translation>连接中…</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="147"/>
        <location filename="../../views/desk_window.py" line="152"/>
        <location filename="../../views/desk_window.py" line="159"/>
        <source>Reception</source>
        <translation>前台</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="148"/>
        <source>My leads</source>
        <translation>我的线索</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="148"/>
        <location filename="../../views/desk_window.py" line="153"/>
        <location filename="../../views/desk_window.py" line="160"/>
        <source>Skills</source>
        <translation>能力画像</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="150"/>
        <location filename="../../views/desk_window.py" line="157"/>
        <location filename="../../views/desk_window.py" line="163"/>
        <location filename="../../views/desk_window.py" line="166"/>
        <source>Floor</source>
        <translation>案场</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="151"/>
        <location filename="../../views/desk_window.py" line="158"/>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="154"/>
        <location filename="../../views/desk_window.py" line="161"/>
        <source>Policy sandbox</source>
        <translation>政策沙盒</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="197"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="200"/>
        <source>Offline since %s</source>
        <translation>离线（自 %s）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/desk_window.py" line="203"/>
        <source>%n change(s) waiting</source>
        <translation><numerusform>%n 条待发送</numerusform></translation>
    </message>
</context>
<context>
    <name>Dispute</name>
    <message>
        <location filename="../../views/dispute.py" line="36"/>
        <source>Lead received</source>
        <translation>线索入库</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="37"/>
        <source>Attribution</source>
        <translation>判客</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="38"/>
        <source>Customers merged</source>
        <translation>客户合并</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="39"/>
        <source>Customer split</source>
        <translation>客户拆分</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="40"/>
        <source>Merged by hand</source>
        <translation>人工合并</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="41"/>
        <source>Split by hand</source>
        <translation>人工拆分</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="42"/>
        <source>Held for review</source>
        <translation>待复核</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="43"/>
        <source>Review closed</source>
        <translation>复核关闭</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="44"/>
        <source>Subscription</source>
        <translation>认购</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="45"/>
        <source>Signing</source>
        <translation>签约</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="46"/>
        <source>Commission split</source>
        <translation>佣金拆分</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="47"/>
        <source>On a statement</source>
        <translation>生成对账单</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="48"/>
        <source>Statement confirmed</source>
        <translation>对账确认</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="49"/>
        <source>Commission paid</source>
        <translation>佣金付款</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="50"/>
        <source>Visit logged</source>
        <translation>顾问登记到访</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="66"/>
        <source>verified</source>
        <translation>校验通过</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="68"/>
        <source>does not match</source>
        <translation>校验不符</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="76"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="78"/>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="79"/>
        <source>Who</source>
        <translation>相关方</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="81"/>
        <source>Details and reasons</source>
        <translation>详情与理由</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="86"/>
        <source>Chain row</source>
        <translation>证据链序号</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="91"/>
        <source>Hash</source>
        <translation>哈希</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="96"/>
        <source>Chain check</source>
        <translation>校验</translation>
    </message>
</context>
<context>
    <name>DisputeView</name>
    <message>
        <location filename="../../views/dispute.py" line="125"/>
        <source>Printable page</source>
        <translation>打印版（HTML）</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="126"/>
        <source>Export XLSX</source>
        <translation>导出 XLSX</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="127"/>
        <source>Export JSON</source>
        <translation>导出 JSON</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="137"/>
        <source>Attribution and split</source>
        <translation>判客与分佣</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="144"/>
        <source>Timeline: touches, reports, visits and decisions</source>
        <translation>时间线：接触、报备、到访与判定</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="162"/>
        <source>deal #%1 signed %2</source>
        <translation>成交 #%1 签约于 %2</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="166"/>
        <source>Evidence chain verified (head #%1)</source>
        <translation>证据链校验通过（链头 #%1）</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="169"/>
        <source>Evidence chain does NOT verify</source>
        <translation>证据链校验失败</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="174"/>
        <source>Attribution at signing</source>
        <translation>签约时判客</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="174"/>
        <source>Attribution today</source>
        <translation>当前判客</translation>
    </message>
    <message>
        <location filename="../../views/dispute.py" line="184"/>
        <source>Commission pool</source>
        <translation>佣金池</translation>
    </message>
</context>
<context>
    <name>DuplicateHint</name>
    <message>
        <location filename="../../views/desk_window.py" line="308"/>
        <source>No hint: %s</source>
        <translation>暂无提示：%s</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="315"/>
        <source>Offline: possibly an existing customer (%s); the hub will check</source>
        <translation>离线：可能是已存在客户（%s），联网后由系统确认</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="324"/>
        <source>Not a valid mobile: %s</source>
        <translation>手机号无效：%s</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="326"/>
        <source>New customer</source>
        <translation>新客户</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="329"/>
        <source>Attribution</source>
        <translation>判客</translation>
    </message>
    <message>
        <location filename="../../views/desk_window.py" line="332"/>
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
    <name>ExperimentDialog</name>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="74"/>
        <source>Edit experiment</source>
        <translation>修改实验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="74"/>
        <source>New experiment</source>
        <translation>新建实验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="78"/>
        <source>e.g. December discount against parking</source>
        <translation>如：十二月折扣与送车位对比</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="80"/>
        <source>what the variants change, e.g. discount</source>
        <translation>各组改变的政策，如 discount（折扣）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="82"/>
        <source>what you expect, e.g. a free parking space sells more than 5% off</source>
        <translation>预期结果，如：送车位比 9.5 折更能促成认购</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="86"/>
        <source>percent of customers, e.g. 5</source>
        <translation>客户百分比，如 5</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="90"/>
        <source>Allow overlap with a running experiment on this policy key</source>
        <translation>允许与同类别进行中的实验时间重叠</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="93"/>
        <source>Policy offered</source>
        <translation>提供的政策</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="93"/>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="93"/>
        <source>Name (A: the control)</source>
        <translation>名称（A 为对照组）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="97"/>
        <source>Add variant (Ctrl+Shift+N)</source>
        <translation>添加分组（Ctrl+Shift+N）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="105"/>
        <source>Save draft (Enter)</source>
        <translation>保存草稿（Enter）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="106"/>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="111"/>
        <source>Experiment name</source>
        <translation>实验名称</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="115"/>
        <source>Start time</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="116"/>
        <source>Stop time</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="112"/>
        <source>Policy key</source>
        <translation>政策类别</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="113"/>
        <source>Hypothesis</source>
        <translation>假设</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="114"/>
        <source>Exposed share (%)</source>
        <translation>曝光比例（%）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="117"/>
        <source>Variants</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="153"/>
        <source>e.g. 9.5折</source>
        <translation>如 9.5折</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="153"/>
        <source>e.g. 送车位</source>
        <translation>如 送车位</translation>
    </message>
</context>
<context>
    <name>ExperimentListModel</name>
    <message>
        <location filename="../../views/sandbox.py" line="90"/>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="91"/>
        <source>Policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="92"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="93"/>
        <source>Share</source>
        <translation>曝光比例</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="94"/>
        <source>Window</source>
        <translation>时间窗</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="95"/>
        <source>Variants</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="96"/>
        <source>Exposed</source>
        <translation>曝光人数</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="97"/>
        <source>Converted</source>
        <translation>成交人数</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="98"/>
        <source>Created by</source>
        <translation>创建人</translation>
    </message>
</context>
<context>
    <name>FindingModel</name>
    <message>
        <location filename="../../views/radar.py" line="122"/>
        <source>Tag</source>
        <translation>话术标签</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="122"/>
        <source>Customers heard / not</source>
        <translation>听到 / 未听到的客户</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="122"/>
        <source>Median days</source>
        <translation>成交周期中位数（天）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="122"/>
        <source>Finding</source>
        <translation>结论</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="145"/>
        <source>Not enough data: needs %1 customers on each side</source>
        <translation>数据不足：每组至少需要 %1 位客户</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="147"/>
        <source>No clear difference (%1)</source>
        <translation>无明显差别（%1）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="148"/>
        <source>Customers who heard it close %1 days faster (%2)</source>
        <translation>听到该话术的客户成交快 %1 天（%2）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="150"/>
        <source>Customers who heard it close %1 days slower (%2)</source>
        <translation>听到该话术的客户成交慢 %1 天（%2）</translation>
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
    <name>LeadTable</name>
    <message>
        <location filename="../../views/lead_model.py" line="337"/>
        <source>Leads</source>
        <translation>线索</translation>
    </message>
</context>
<context>
    <name>LeadTableModel</name>
    <message>
        <location filename="../../views/lead_model.py" line="64"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="65"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="66"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="67"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="68"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="69"/>
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="70"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="71"/>
        <source>Received</source>
        <translation>进线时间</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="124"/>
        <source>(no name)</source>
        <translation>（未留姓名）</translation>
    </message>
    <message>
        <location filename="../../views/lead_model.py" line="137"/>
        <source>answered in %s</source>
        <translation>%s 内已跟进</translation>
    </message>
</context>
<context>
    <name>ManagerView</name>
    <message>
        <location filename="../../views/manager.py" line="162"/>
        <source>All leads</source>
        <translation>全部线索</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="163"/>
        <source>Not yet answered</source>
        <translation>未跟进</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="164"/>
        <source>Unassigned / unclaimed</source>
        <translation>未分配 / 无人抢</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="166"/>
        <source>Reassign…</source>
        <translation>改派…</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="160"/>
        <location filename="../../views/manager.py" line="174"/>
        <source>Leads</source>
        <translation>线索</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="184"/>
        <location filename="../../views/manager.py" line="185"/>
        <source>Consultants</source>
        <translation>置业顾问</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../views/desk_window.py" line="39"/>
        <source>Got it</source>
        <translation>知道了</translation>
    </message>
</context>
<context>
    <name>OfficePanel</name>
    <message>
        <location filename="../../views/office_panel.py" line="36"/>
        <source>salesfloor demo office</source>
        <translation>案场销管台 · 演示案场</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="37"/>
        <source>The whole office on one machine: the hub, simulated channels and every screen.</source>
        <translation>整个案场在一台电脑上：服务器、模拟渠道和每一块屏幕。</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="43"/>
        <source>Dispatch</source>
        <translation>派单方式</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="44"/>
        <source>Weekday: to an idle consultant</source>
        <translation>工作日：派给空闲顾问</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="45"/>
        <source>Weekend: grab pool, 15 s</source>
        <translation>周末：抢单池，15 秒</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="56"/>
        <source>So far</source>
        <translation>截至目前</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="59"/>
        <source>Channel leads posted</source>
        <translation>渠道推送线索</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="60"/>
        <source>Visitors registered</source>
        <translation>前台登记到访</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="61"/>
        <source>Behaviour events</source>
        <translation>浏览行为事件</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="62"/>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="63"/>
        <source>Leads merged into a customer</source>
        <translation>合并到已有客户的线索</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="64"/>
        <source>Leads dispatched</source>
        <translation>已派单线索</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="65"/>
        <source>Leads answered</source>
        <translation>已跟进线索</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="66"/>
        <source>Answered within 5 minutes</source>
        <translation>5分钟内跟进</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="75"/>
        <source>Windows</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="84"/>
        <source>Close the office</source>
        <translation>关闭演示案场</translation>
    </message>
    <message>
        <location filename="../../views/office_panel.py" line="103"/>
        <source>Last problem: %1</source>
        <translation>最近的问题：%1</translation>
    </message>
</context>
<context>
    <name>RadarView</name>
    <message>
        <location filename="../../views/radar.py" line="258"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="267"/>
        <source>Used most, beside the team</source>
        <translation>相对团队用得最多</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="268"/>
        <source>Used least, beside the team (coaching)</source>
        <translation>相对团队用得最少（辅导重点）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="276"/>
        <source>Tags and deal cycle (all consultants)</source>
        <translation>话术与成交周期（全体顾问）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="285"/>
        <source>tags per call</source>
        <translation>每通电话标签数</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="285"/>
        <source>tags per 1,000 characters</source>
        <translation>每千字标签数</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="286"/>
        <source>This consultant</source>
        <translation>本人</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="286"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="287"/>
        <source>(axis labels: consultant / team, %1; outer ring: the best consultant)</source>
        <translation>（轴标注：本人 / 团队，%1；最外圈为团队最高值）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="310"/>
        <source>%1 (%2 calls)</source>
        <translation>%1（%2 通电话）</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="355"/>
        <source>%1: %2 calls, %3 characters · team: %4 consultants, %5 calls</source>
        <translation>%1：%2 通电话，%3 字 · 团队：%4 位顾问，%5 通电话</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="363"/>
        <source>Non-compliant phrases heard: %1</source>
        <translation>出现违规话术：%1</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="375"/>
        <source>Tags and deal cycle (all consultants): %1 of %2 tags show a clear difference</source>
        <translation>话术与成交周期（全体顾问）：%2 个标签中 %1 个差别明显</translation>
    </message>
</context>
<context>
    <name>ReassignDialog</name>
    <message>
        <location filename="../../views/manager.py" line="121"/>
        <source>Reassign %s</source>
        <translation>改派 %s</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="126"/>
        <source>Why (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="131"/>
        <source>To</source>
        <translation>改派给</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="132"/>
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
    <name>RecordDealDialog</name>
    <message>
        <location filename="../../views/deal_dialog.py" line="41"/>
        <source>Record deal</source>
        <translation>录入成交</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="44"/>
        <source>Signing (签约)</source>
        <translation>签约</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="45"/>
        <source>Subscription (认购)</source>
        <translation>认购</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="47"/>
        <source>customer number, e.g. 400</source>
        <translation>客户编号，如 400</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="49"/>
        <source>e.g. 3-1-1502</source>
        <translation>如 3-1-1502</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="51"/>
        <source>yuan, e.g. 3150000.00</source>
        <translation>单位：元，如 3150000.00</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="59"/>
        <source>empty: the project&apos;s pool rate</source>
        <translation>留空：按项目佣金比例计算</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="65"/>
        <source>Record (Enter)</source>
        <translation>录入（Enter）</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="66"/>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="70"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="71"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="72"/>
        <source>Unit</source>
        <translation>房号</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="73"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="74"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="75"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="76"/>
        <source>Commission pool</source>
        <translation>佣金池</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="102"/>
        <source>Give the customer&apos;s number.</source>
        <translation>请填写客户编号。</translation>
    </message>
    <message>
        <location filename="../../views/deal_dialog.py" line="119"/>
        <source>Choose the consultant.</source>
        <translation>请选择置业顾问。</translation>
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
    <name>Sandbox</name>
    <message>
        <location filename="../../views/sandbox.py" line="55"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="56"/>
        <source>Scheduled</source>
        <translation>待开始</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="57"/>
        <source>Running</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="58"/>
        <source>Window over</source>
        <translation>已到期</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="59"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="114"/>
        <source>conversion rate (%)</source>
        <translation>成交率（%）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_dialog.py" line="35"/>
        <source>text-language:en</source>
        <translation>zh</translation>
    </message>
</context>
<context>
    <name>SandboxScreen</name>
    <message>
        <location filename="../../views/sandbox.py" line="185"/>
        <source>New… (Ctrl+N)</source>
        <translation>新建…（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="186"/>
        <source>Edit… (F2)</source>
        <translation>修改…（F2）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="187"/>
        <source>Start (Ctrl+R)</source>
        <translation>开始（Ctrl+R）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="188"/>
        <source>Stop (Ctrl+Shift+R)</source>
        <translation>停止（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="202"/>
        <source>Experiments</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="227"/>
        <source>Live comparison</source>
        <translation>实时对比</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="321"/>
        <source>Stop “%1”? Nobody else will be exposed and later deals will not count.</source>
        <translation>确定停止“%1”？停止后不再曝光新客户，之后的成交也不再计入。</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="322"/>
        <source>Stop experiment</source>
        <translation>停止实验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="332"/>
        <source>%1 of customers · %2 – %3 · policy %4</source>
        <translation>%1 的客户 · %2 – %3 · 政策类别 %4</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="338"/>
        <source>Hypothesis: %1</source>
        <translation>假设：%1</translation>
    </message>
    <message>
        <location filename="../../views/sandbox.py" line="358"/>
        <source>Bars: conversion rate with its 95% interval; the first variant is the control. A verdict is given once every variant has %1 exposed customers and %2 have converted in all. Updated %3.</source>
        <translation>柱高为成交率，竖线为 95% 置信区间；第一组为对照组。每组曝光满 %1 人且合计成交满 %2 人后才给出结论。更新于 %3。</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <location filename="../../views/settings_screen.py" line="50"/>
        <source>text-language:en</source>
        <translation>zh</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="76"/>
        <source>Office settings</source>
        <translation>案场设置</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="87"/>
        <source>Office</source>
        <translation>案场</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="88"/>
        <source>Channels</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="89"/>
        <source>WeCom</source>
        <translation>企业微信</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="90"/>
        <source>E-mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="91"/>
        <source>Dispatch &amp; calendar</source>
        <translation>派单与日历</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="92"/>
        <source>Weights &amp; 报备</source>
        <translation>权重与报备</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="93"/>
        <source>Alerts</source>
        <translation>客户提醒</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="102"/>
        <source>The hub reads these files when it starts: changes take effect when the hub restarts.</source>
        <translation>中心在启动时读取这些设置：修改保存后，重启中心才生效。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="108"/>
        <source>Revert</source>
        <translation>撤销修改</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="109"/>
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="204"/>
        <source>e.g. 星河湾营销中心</source>
        <translation>如：星河湾营销中心</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="205"/>
        <source>Office name</source>
        <translation>案场名称</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="209"/>
        <source>Files</source>
        <translation>设置文件</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="212"/>
        <source>People are added with the setup wizard (salesfloor setup --staff FILE) or salesfloor hub user add.</source>
        <translation>人员通过首次设置向导（salesfloor setup --staff 名单文件）或 salesfloor hub user add 添加。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="216"/>
        <source>People</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="223"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="227"/>
        <source>not set: copy it from the platform</source>
        <translation>未设置：从平台后台复制</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="228"/>
        <source>Secret</source>
        <translation>密钥</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="232"/>
        <source>Dots between names (data.phone); header:Name for a header; several paths separated by commas.</source>
        <translation>用点分隔层级（data.phone）；请求头写 header:名称；多个路径用逗号分隔，取第一个有值的。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="233"/>
        <source>Field mapping</source>
        <translation>字段映射</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="241"/>
        <source>Add robot</source>
        <translation>添加机器人</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="241"/>
        <source>Remove robot</source>
        <translation>删除机器人</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="252"/>
        <source>Group robot → Add robot in WeCom gives the address; its key is kept secret here.</source>
        <translation>在企业微信群里“添加群机器人”即可得到地址；地址中的 key 在此处不显示。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="253"/>
        <source>Robots</source>
        <translation>群机器人</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="256"/>
        <source>Messages per minute</source>
        <translation>每分钟最多发送</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="256"/>
        <source>WeCom allows 20.</source>
        <translation>企业微信上限为 20 条。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="263"/>
        <source>Mail server</source>
        <translation>发信服务器</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="263"/>
        <source>Empty: no e-mail.</source>
        <translation>留空则不发邮件。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="265"/>
        <source>None</source>
        <translation>不加密</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="268"/>
        <source>Security</source>
        <translation>加密方式</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="270"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="272"/>
        <source>Login</source>
        <translation>登录账号</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="274"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="276"/>
        <source>Sender</source>
        <translation>发件人</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="278"/>
        <source>Report recipients</source>
        <translation>日报收件人</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="283"/>
        <source>Daily report at</source>
        <translation>日报发送时间</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="283"/>
        <source>Yesterday&apos;s figures, Beijing time.</source>
        <translation>发送前一天的数据，北京时间。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="293"/>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="294"/>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="295"/>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="296"/>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="297"/>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="298"/>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="299"/>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="305"/>
        <source>Leads are assigned to an idle consultant on these days; other days run the grab pool.</source>
        <translation>这些日子线索自动派给空闲顾问，其余日子进入抢单池。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="306"/>
        <source>Auto-assign on</source>
        <translation>自动派单日</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="311"/>
        <source>Holidays (grab pool)</source>
        <translation>节假日（抢单）</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="313"/>
        <source>Make-up workdays (调休)</source>
        <translation>调休工作日（自动派单）</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="314"/>
        <location filename="../../views/settings_screen.py" line="347"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="315"/>
        <source>A consultant on duty with no follow-up for this long can take a lead.</source>
        <translation>在岗顾问超过这段时间没有跟进，即视为空闲，可接新线索。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="316"/>
        <source>Idle after</source>
        <translation>空闲判定</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="317"/>
        <location filename="../../views/settings_screen.py" line="374"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="318"/>
        <source>Grab offer open for</source>
        <translation>抢单时限</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="323"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="324"/>
        <source>Offer again</source>
        <translation>再次抢单</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="325"/>
        <source>Assign an idle consultant</source>
        <translation>派给空闲顾问</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="326"/>
        <source>Manager&apos;s queue</source>
        <translation>转案场经理</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="336"/>
        <source>Nobody grabbed it</source>
        <translation>无人抢单时</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="336"/>
        <source>Steps in order.</source>
        <translation>按顺序执行。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="343"/>
        <source>A blank cell uses the “any channel” weight of its column; weights are normalised per customer.</source>
        <translation>留空的格子使用同一列“其他渠道”的权重；每位客户的权重会归一化。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="344"/>
        <source>Contribution weights</source>
        <translation>贡献权重</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="345"/>
        <location filename="../../views/settings_screen.py" line="353"/>
        <location filename="../../views/settings_screen.py" line="355"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="346"/>
        <source>报备 valid for</source>
        <translation>报备有效期</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="349"/>
        <source>报备 at least before the visit</source>
        <translation>报备须早于到访</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="351"/>
        <source>An agency visit needs a valid 报备 to be protected</source>
        <translation>分销带看须有有效报备才受保护</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="354"/>
        <source>Visit protection</source>
        <translation>带看保护期</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="356"/>
        <source>Deal protection</source>
        <translation>认购保护期</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="357"/>
        <source>The first visit decides (到访为王)</source>
        <translation>到访为王（首次到访决定归属）</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="364"/>
        <source>Start with red only; add yellow and blue after two weeks, once consultants trust the red ones.</source>
        <translation>建议先只开一级提醒，两周后顾问信任了再开二级和三级。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="368"/>
        <source>Red: no follow-up — a forced popup for the owner and the manager</source>
        <translation>一级（红）：久未跟进——顾问和经理强制弹窗</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="370"/>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="371"/>
        <source>No follow-up for</source>
        <translation>未跟进超过</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="372"/>
        <source>Yellow: price page or repeated VR views — WeCom to the owner</source>
        <translation>二级（黄）：看价格页或反复看 VR——企业微信提醒顾问</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="375"/>
        <source>Price page longer than</source>
        <translation>价格页停留超过</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="377"/>
        <source>Price page paths</source>
        <translation>价格页路径</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="378"/>
        <source> times</source>
        <translation> 次</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="379"/>
        <source>Same unit&apos;s VR in a row</source>
        <translation>同一房源 VR 连续查看</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="380"/>
        <source>Blue: a floor plan saved as favourite — report only</source>
        <translation>三级（蓝）：收藏户型——只进报表</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="444"/>
        <source>Showing the settings on file.</source>
        <translation>当前显示的是已保存的设置。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/settings_screen.py" line="467"/>
        <source>%n problem(s): see the fields marked in red.</source>
        <translation><numerusform>%n 处需要修改：见标红的项。</numerusform></translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="471"/>
        <location filename="../../views/settings_screen.py" line="578"/>
        <source>Unsaved changes.</source>
        <translation>有未保存的修改。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="476"/>
        <source>Saved at %1. Changes take effect when the hub restarts.</source>
        <translation>已于 %1 保存。重启中心后生效。</translation>
    </message>
    <message>
        <location filename="../../views/settings_screen.py" line="555"/>
        <source>%1 — POST /webhooks/%2, signed with %3</source>
        <translation>%1 — 推送地址 POST /webhooks/%2，签名方式 %3</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="24"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="25"/>
        <source>Agency code</source>
        <translation>机构代码</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="26"/>
        <source>Broker code</source>
        <translation>经纪人编号</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="27"/>
        <source>Broker name</source>
        <translation>经纪人姓名</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="28"/>
        <source>Report code</source>
        <translation>报备编号</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="29"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="30"/>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="31"/>
        <source>Landline</source>
        <translation>座机</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="32"/>
        <source>Browser fingerprint</source>
        <translation>浏览器指纹</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="33"/>
        <source>IDFA (iPhone ad id)</source>
        <translation>IDFA（苹果广告标识）</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="34"/>
        <source>GAID/OAID (Android ad id)</source>
        <translation>GAID/OAID（安卓广告标识）</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="35"/>
        <source>Douyin OpenID</source>
        <translation>抖音 OpenID</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="36"/>
        <source>Anjuke member id</source>
        <translation>安居客会员 ID</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="37"/>
        <source>WeChat UnionID</source>
        <translation>微信 UnionID</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="38"/>
        <source>WeChat OpenID</source>
        <translation>微信 OpenID</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="137"/>
        <source>Any channel</source>
        <translation>其他渠道</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="166"/>
        <source>Lead field</source>
        <translation>线索字段</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="167"/>
        <source>JSON paths (first found wins)</source>
        <translation>JSON 路径（取第一个有值的）</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="194"/>
        <source>Robot</source>
        <translation>机器人名称</translation>
    </message>
    <message>
        <location filename="../../views/settings_tables.py" line="195"/>
        <source>Webhook address</source>
        <translation>Webhook 地址</translation>
    </message>
</context>
<context>
    <name>Settlement</name>
    <message>
        <location filename="../../views/settlement.py" line="38"/>
        <source>Pending</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="39"/>
        <location filename="../../views/settlement.py" line="77"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="40"/>
        <location filename="../../views/settlement.py" line="80"/>
        <source>Paid</source>
        <translation>已付款</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="52"/>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="56"/>
        <source>Agency</source>
        <translation>分销机构</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="58"/>
        <source>Settlement period</source>
        <translation>结算周期</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="63"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="68"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="71"/>
        <source>Deals</source>
        <translation>成交</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="88"/>
        <source>Deal</source>
        <translation>成交</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="90"/>
        <source>Unit</source>
        <translation>房号</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="91"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="93"/>
        <source>Signed</source>
        <translation>已签约</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="98"/>
        <source>Signed amount</source>
        <translation>签约金额</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="103"/>
        <source>Broker</source>
        <translation>经纪人</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="105"/>
        <source>Commission</source>
        <translation>佣金</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="112"/>
        <source>Signing → paid (days)</source>
        <translation>签约→付款（天）</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="118"/>
        <source>How the commission was split</source>
        <translation>分佣说明</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="128"/>
        <source>Settlement cycle: nothing paid yet (target %1 days)</source>
        <translation>结佣周期：尚无已付款（目标 %1 天）</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="133"/>
        <source>Settlement cycle: median %1 days · %2 of %3 paid within %4 days</source>
        <translation>结佣周期：中位数 %1 天 · %3 笔中 %2 笔在 %4 天内付款</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="141"/>
        <source> · %1 waiting (oldest %2 days)</source>
        <translation> · %1 笔待付（最久 %2 天）</translation>
    </message>
</context>
<context>
    <name>SettlementScreen</name>
    <message>
        <location filename="../../views/settlement.py" line="171"/>
        <source>Prepare statements</source>
        <translation>生成对账单</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="176"/>
        <source>Signed from</source>
        <translation>签约日期</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="178"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="186"/>
        <source>Confirm statement</source>
        <translation>确认对账</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="187"/>
        <location filename="../../views/settlement.py" line="294"/>
        <source>Mark paid</source>
        <translation>标记已付款</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="188"/>
        <source>Export XLSX</source>
        <translation>导出 XLSX</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="189"/>
        <source>Printable page</source>
        <translation>打印版（HTML）</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="204"/>
        <source>Statements</source>
        <translation>结佣对账单</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="210"/>
        <source>Deals on the statement</source>
        <translation>对账单明细</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="245"/>
        <source>%1 deals · total %2</source>
        <translation>%1 笔成交 · 合计 %2</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="283"/>
        <source>The period must run forwards.</source>
        <translation>结束日期不能早于开始日期。</translation>
    </message>
    <message>
        <location filename="../../views/settlement.py" line="292"/>
        <source>Mark statement #%1 (%2, %3) paid? This cannot be undone.</source>
        <translation>确认对账单 #%1（%2，%3）已付款？此操作不可撤销。</translation>
    </message>
</context>
<context>
    <name>StaffBoardModel</name>
    <message>
        <location filename="../../views/manager.py" line="60"/>
        <source>Consultant</source>
        <translation>置业顾问</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="61"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="62"/>
        <source>Idle for</source>
        <translation>空闲时长</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="63"/>
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="64"/>
        <source>Answered today</source>
        <translation>今日已跟进</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="65"/>
        <source>Median first response</source>
        <translation>首响中位数</translation>
    </message>
    <message>
        <location filename="../../views/manager.py" line="84"/>
        <source>no follow-up yet</source>
        <translation>今日未跟进</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/manager.py" line="85"/>
        <source>%n min</source>
        <translation><numerusform>%n 分钟</numerusform></translation>
    </message>
</context>
<context>
    <name>TableExporter</name>
    <message>
        <location filename="../../views/export.py" line="200"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="204"/>
        <source>Save this table as an Excel workbook or a CSV file (%1)</source>
        <translation>将此表格保存为 Excel 工作簿或 CSV 文件（%1）</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="230"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="230"/>
        <source>CSV, UTF-8 (*.csv)</source>
        <translation>CSV，UTF-8 编码 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="232"/>
        <source>Export table</source>
        <translation>导出表格</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/export.py" line="266"/>
        <source>Exported %n row(s) to</source>
        <translation><numerusform>已导出 %n 行至</numerusform></translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="272"/>
        <source>Could not export to %1: %2</source>
        <translation>无法导出到 %1：%2</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="283"/>
        <source>only .xlsx and .csv files can be written</source>
        <translation>只能导出为 .xlsx 或 .csv 文件</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="284"/>
        <source>no permission to write there</source>
        <translation>没有写入该位置的权限</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="285"/>
        <source>the folder does not exist</source>
        <translation>文件夹不存在</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="286"/>
        <source>part of the path is a file, not a folder</source>
        <translation>路径中有一部分是文件而不是文件夹</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="287"/>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="288"/>
        <source>a folder of that name exists</source>
        <translation>已有同名文件夹</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="299"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../views/export.py" line="301"/>
        <source>Open folder</source>
        <translation>打开所在文件夹</translation>
    </message>
</context>
<context>
    <name>TableReader</name>
    <message>
        <location filename="../../views/export.py" line="81"/>
        <source>the table kept changing while it was read; try again</source>
        <translation>读取期间表格一直在变化，请重试</translation>
    </message>
</context>
<context>
    <name>TagTableModel</name>
    <message>
        <location filename="../../views/radar.py" line="68"/>
        <source>Tag</source>
        <translation>话术标签</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="68"/>
        <source>Dimension</source>
        <translation>维度</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="68"/>
        <source>Mine</source>
        <translation>本人</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="68"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location filename="../../views/radar.py" line="68"/>
        <source>× team</source>
        <translation>为团队的倍数</translation>
    </message>
</context>
<context>
    <name>VariantTableModel</name>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="44"/>
        <source>Variant</source>
        <translation>分组</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="45"/>
        <source>Policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="46"/>
        <source>Exposed</source>
        <translation>曝光人数</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="47"/>
        <source>Converted</source>
        <translation>成交人数</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="48"/>
        <source>Rate</source>
        <translation>成交率</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="49"/>
        <source>95% interval</source>
        <translation>95% 置信区间</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="50"/>
        <source>Against the control</source>
        <translation>与对照组相比</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="57"/>
        <source>control</source>
        <translation>对照组</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="60"/>
        <source>exact test</source>
        <translation>精确检验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="60"/>
        <source>z-test</source>
        <translation>z 检验</translation>
    </message>
    <message>
        <location filename="../../views/sandbox_comparison.py" line="61"/>
        <source>%1 pp</source>
        <translation>%1 个百分点</translation>
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
        <location filename="../../app/desk.py" line="189"/>
        <source>Token not saved</source>
        <translation>未能保存登录凭据</translation>
    </message>
</context>
<context>
    <name>self.window</name>
    <message>
        <location filename="../../app/wall.py" line="51"/>
        <source>Leave the wall?</source>
        <translation>退出大屏？</translation>
    </message>
    <message>
        <location filename="../../app/wall.py" line="51"/>
        <source>Close the lobby wall?</source>
        <translation>确定关闭案场大屏吗？</translation>
    </message>
</context>
</TS>
