"""`salesfloor setup`: the first-run wizard, or a scripted install from a setup file; `salesfloor settings`.

Walks through the office, its people (an Excel or CSV list with --staff), channel secrets and field
mappings, the WeCom robot, e-mail and the report time, the dispatch calendar, weights and 报备
protection, and the alerts; each section is checked as it is left, the whole once more by the
hub's own loaders before anything is written. Then creates the people (all or none), prints their
one-time enrollment codes and writes hub.toml and the rules file. Secrets are read without echo and
never printed; mobiles are shown masked. `salesfloor settings` opens the admin screen (app/settings_app.py).
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import click

from app.context import AppContext
from models.db import write_transaction
from models.office_checks import check_fields, validate_office
from models.office_forms import join_dates, split_dates
from models.office_setup import MAPPING_KEYS, OfficePaths, OfficeSettings, StaffEntry, load_office_settings
from models.office_setupfile import apply_setup_file
from models.office_staff import (
    StaffImportError,
    check_staff,
    create_staff,
    existing_staff,
    parse_role,
    read_staff_file,
)
from models.office_texts import Problem
from models.office_toml import OfficeFileError, read_toml
from models.office_write import write_office
from models.privacy import mask_mobile
from models.staff import ROLE_LABELS_ZH, Role
from sync.hub.config import load_hub_config

pass_app = click.make_pass_decorator(AppContext)
KEEP = ""  # an empty answer to a secret keeps the one on file
CLEAR = "-"  # and a dash removes it
# (what each wizard step edits, by field prefix) in order
STEPS = (
    ("office", ("office_name",)),
    ("staff", ("staff",)),
    ("channels", ("channels",)),
    ("wecom", ("wecom",)),
    ("email", ("smtp", "report_at")),
    ("dispatch", ("calendar", "dispatch")),
    ("weights", ("weights", "protection")),
    ("alerts", ("alerts",)),
)
TITLES = {
    "office": ("案场", "Office"),
    "staff": ("人员", "People"),
    "channels": ("渠道密钥与字段映射", "Channel secrets and field mappings"),
    "wecom": ("企业微信群机器人", "WeCom robot"),
    "email": ("邮件与日报", "E-mail and the daily report"),
    "dispatch": ("派单与日历", "Dispatch and calendar"),
    "weights": ("贡献权重与报备保护", "Contribution weights and 报备 protection"),
    "alerts": ("客户提醒", "Alerts"),
}
MAPPING_LABELS = {
    "name": "姓名",
    "agency_code": "分销机构代码",
    "broker_code": "经纪人编号",
    "broker_name": "经纪人姓名",
    "report_code": "报备编号",
    "national_id": "身份证号",
    "mobile": "手机号",
    "landline": "座机",
    "browser_fp": "浏览器指纹",
}


def office_paths(app: AppContext, config_file: str | None = None) -> OfficePaths:
    """hub.toml (or --config) and the rules file (--rules, else rules.toml) in the data dir."""
    settings = app.settings
    return OfficePaths.in_data_dir(settings.data_dir, settings.rules_file, Path(config_file) if config_file else None)


class Wizard:
    """The interactive walk through each section, checked as each is left."""

    def __init__(self, settings: OfficeSettings, lang: str, existing: dict[str, int], staff_file: str | None):
        """Start from the settings on file; `existing` are the people the hub already has."""
        self.settings, self.lang, self.existing, self.staff_file = settings, lang, existing, staff_file

    def t(self, zh: str, en: str) -> str:
        """The text in the wizard's language."""
        return en if self.lang == "en" else zh

    def problems(self, prefixes: tuple[str, ...]) -> list[Problem]:
        """The checks' problems with fields under these prefixes."""
        found = check_fields(self.settings, self.existing)
        return [p for p in found if p.field.split(".", 1)[0] in prefixes]

    def say_problems(self, problems: list[Problem]) -> None:
        """Each problem on its own line."""
        for p in problems:
            click.secho(f"  ✗ {p.text('en' if self.lang == 'en' else 'zh')}", fg="red")

    def run(self, only: set[str] | None = None) -> OfficeSettings:
        """Every section (or only these), each asked again until its fields pass."""
        for name, prefixes in STEPS:
            if only is not None and name not in only:
                continue
            click.echo("")
            click.secho(f"== {self.t(*TITLES[name])} ==", bold=True)
            while True:
                self.settings = getattr(self, f"ask_{name}")(self.settings)
                problems = self.problems(prefixes)
                if not problems:
                    break
                self.say_problems(problems)
                click.echo(
                    self.t("请改正后再填一遍这一部分（回车保留刚才的值）。", "Please go through this section again.")
                )
        return self.settings

    def ask_office(self, s: OfficeSettings) -> OfficeSettings:
        """The office's name."""
        name = click.prompt(self.t("案场名称", "Office name"), default=s.office_name or None)
        return replace(s, office_name=name.strip())

    def ask_staff(self, s: OfficeSettings) -> OfficeSettings:
        """People from the --staff list, then any typed in (asked again: the ones with a problem are dropped)."""
        people: list[StaffEntry] = []
        for person in s.staff:
            if not check_staff([person], self.existing) and person.name.strip() not in {p.name for p in people}:
                people.append(replace(person, name=person.name.strip()))
        if len(people) < len(s.staff):
            dropped = len(s.staff) - len(people)
            click.echo(self.t(f"已去掉有问题的 {dropped} 人，请重新添加。", f"{dropped} left out; add them again."))
        path = self.staff_file
        while path and not people:
            found = read_staff_file(Path(path), self.existing)
            if not found.problems:
                people = list(found.entries)
                click.echo(self.t(f"从 {path} 读到 {len(people)} 人：", f"{len(people)} people from {path}:"))
                show_people(people, self.lang)
                break
            self.say_problems(list(found.problems))
            click.echo(self.t("名单里有问题，一个人也没有导入。", "The list has problems; nobody was imported."))
            path = click.prompt(
                self.t(
                    "改好后回车重新读取，或输入另一个文件（输入 - 跳过）",
                    "Fix it and press Enter, or another file (- skips)",
                ),
                default=path,
            )
            path = None if path.strip() == CLEAR else path
        self.staff_file = None
        while click.confirm(self.t("手动添加一个人？", "Add a person by hand?"), default=not people):
            name = click.prompt(self.t("  姓名", "  Name"))
            role = click.prompt(self.t("  角色", "  Role"), default=self.t("置业顾问", "consultant"))
            role_ = parse_role(role)
            agency = ""
            if role_ is Role.BROKER:
                agency = click.prompt(self.t("  分销机构代码", "  Agency code"))
            mobile = click.prompt(
                self.t("  本人手机（可不填）", "  Own mobile (optional)"), default="", show_default=False
            )
            people.append(StaffEntry(name.strip(), role_.value if role_ else role, mobile.strip(), agency.strip()))
        return replace(s, staff=tuple(people))

    def ask_channels(self, s: OfficeSettings) -> OfficeSettings:
        """Each source's secret (no echo) and, if asked, its field mapping."""
        click.echo(self.t("密钥从各平台后台复制；回车保留原值，输入 - 清除。", "Secrets: Enter keeps, - clears."))
        for ch in s.channels:
            click.echo(f"\n{ch.source} · {ch.description} · POST /webhooks/{ch.source} ({ch.auth})")
            if ch.auth != "none":
                state = self.t("已设置", "set") if ch.secret else self.t("未设置", "not set")
                answer = click.prompt(
                    self.t(f"  密钥（{state}）", f"  Secret ({state})"),
                    default=KEEP,
                    show_default=False,
                    hide_input=True,
                )
                ch = replace(ch, secret="" if answer.strip() == CLEAR else (answer.strip() or ch.secret))
            for key in MAPPING_KEYS:
                if ch.mapping.get(key):
                    click.echo(f"    {self.mapping_label(key)} ← {', '.join(ch.mapping[key])}")
            if click.confirm(self.t("  修改字段映射？", "  Change the field mapping?"), default=False):
                mapping = {}
                for key in MAPPING_KEYS:
                    now = ", ".join(ch.mapping.get(key, ()))
                    typed = click.prompt(f"    {self.mapping_label(key)}", default=now or CLEAR)
                    paths = () if typed.strip() == CLEAR else tuple(p.strip() for p in typed.split(",") if p.strip())
                    if paths:
                        mapping[key] = paths
                ch = replace(ch, mapping=mapping)
            s = s.with_channel(ch)
        return s

    def mapping_label(self, key: str) -> str:
        """A mapping key in the wizard's language."""
        return key if self.lang == "en" else MAPPING_LABELS.get(key, key)

    def ask_wecom(self, s: OfficeSettings) -> OfficeSettings:
        """The default robot's webhook address (no echo: it holds the key) and the rate."""
        robots = dict(s.wecom_robots)
        state = self.t("已设置", "set") if robots.get("default") else self.t("未设置", "not set")
        answer = click.prompt(
            self.t(f"群机器人 Webhook 地址（{state}；回车保留，- 清除）", f"Robot webhook address ({state})"),
            default=KEEP,
            show_default=False,
            hide_input=True,
        )
        if answer.strip() == CLEAR:
            robots.pop("default", None)
        elif answer.strip():
            robots["default"] = answer.strip()
        per_minute = click.prompt(self.t("每分钟最多发送", "Messages per minute"), default=s.wecom_per_minute, type=int)
        return replace(s, wecom_robots=tuple(robots.items()), wecom_per_minute=per_minute)

    def ask_email(self, s: OfficeSettings) -> OfficeSettings:
        """SMTP server, login (password without echo), sender, recipients and the report time."""
        m = s.smtp
        host = click.prompt(
            self.t("发信服务器（如 smtp.exmail.qq.com，- 表示不发邮件）", "Mail server (- for no e-mail)"),
            default=m.host or CLEAR,
        ).strip()
        if host == CLEAR:
            return replace(s, smtp=replace(m, host="", recipients=()))
        security = click.prompt(
            self.t("加密方式", "Security"), type=click.Choice(["starttls", "ssl", "none"]), default=m.security
        )
        port = click.prompt(
            self.t("端口", "Port"), type=int, default=m.port if m.host else 465 if security == "ssl" else 587
        )
        username = click.prompt(self.t("登录账号", "Login"), default=m.username or m.sender or "", show_default=True)
        state = self.t("已设置", "set") if m.password else self.t("未设置", "not set")
        answer = click.prompt(
            self.t(f"密码（{state}）", f"Password ({state})"), default=KEEP, show_default=False, hide_input=True
        )
        password = "" if answer == CLEAR else (answer or m.password)
        sender = click.prompt(self.t("发件人", "Sender"), default=m.sender or username or "")
        typed = click.prompt(
            self.t("日报收件人（逗号分隔）", "Report recipients (comma separated)"), default=", ".join(m.recipients)
        )
        recipients = tuple(r.strip() for r in typed.replace("，", ",").split(",") if r.strip())
        report_at = click.prompt(self.t("日报发送时间", "Daily report at"), default=s.report_at)
        smtp = replace(m, host=host, port=port, security=security, username=username, password=password)
        return replace(s, smtp=replace(smtp, sender=sender, recipients=recipients), report_at=report_at.strip())

    def ask_dispatch(self, s: OfficeSettings) -> OfficeSettings:
        """Auto-assign weekdays, holidays and make-up workdays, idle minutes, grab seconds, fallback chain."""
        days = click.prompt(
            self.t("自动派单的星期（1=周一 … 7=周日，其余日子抢单）", "Auto-assign weekdays (1=Monday … 7=Sunday)"),
            default=",".join(str(d) for d in s.auto_assign_weekdays),
        )
        weekdays = tuple(
            int(d) if d.strip().isdigit() else d.strip() for d in days.replace("，", ",").split(",") if d.strip()
        )
        holidays = click.prompt(
            self.t("节假日（抢单；区间写 2026-10-01~2026-10-07）", "Holidays (grab pool; ranges a~b)"),
            default=join_dates(s.holidays) or CLEAR,
        )
        workdays = click.prompt(
            self.t("调休工作日（自动派单）", "Make-up workdays (auto-assign)"), default=join_dates(s.workdays) or CLEAR
        )
        idle = click.prompt(self.t("空闲多少分钟算空闲顾问", "Idle after minutes"), type=int, default=s.idle_minutes)
        grab = click.prompt(self.t("抢单时限（秒）", "Grab offer seconds"), type=int, default=s.grab_seconds)
        chain = click.prompt(
            self.t("无人抢单后依次（reoffer 再抢 / assign 派空闲 / manager 转经理）", "Unclaimed: steps in order"),
            default=", ".join(s.grab_fallback),
        )
        return replace(
            s,
            auto_assign_weekdays=weekdays,
            holidays=() if holidays.strip() == CLEAR else split_dates(holidays),
            workdays=() if workdays.strip() == CLEAR else split_dates(workdays),
            idle_minutes=idle,
            grab_seconds=grab,
            grab_fallback=tuple(x.strip() for x in chain.replace("，", ",").split(",") if x.strip()),
        )

    def ask_weights(self, s: OfficeSettings) -> OfficeSettings:
        """Contribution weights and 报备 protection, each changed only if asked."""
        for key, value in s.weights.items():
            click.echo(f"  {key:<28} {value}")
        weights = dict(s.weights)
        if click.confirm(self.t("修改贡献权重？", "Change the weights?"), default=False):
            weights = {k: click.prompt(f"  {k}", default=v) for k, v in weights.items()}
        p = s.protection
        click.echo(
            self.t(
                f"  报备有效 {p.report_valid_days} 天 · 至少提前 {p.min_report_lead_minutes} 分钟 · "
                f"带看保护 {p.visit_protection_days} 天 · 认购保护 {p.deal_protection_days} 天",
                f"  report valid {p.report_valid_days} d · lead {p.min_report_lead_minutes} min · "
                f"visit {p.visit_protection_days} d · deal {p.deal_protection_days} d",
            )
        )
        if click.confirm(self.t("修改报备保护？", "Change 报备 protection?"), default=False):
            p = replace(
                p,
                report_valid_days=click.prompt(
                    self.t("  报备有效期（天）", "  Report valid (days)"), type=int, default=p.report_valid_days
                ),
                min_report_lead_minutes=click.prompt(
                    self.t("  报备至少提前（分钟）", "  Report lead time (minutes)"),
                    type=int,
                    default=p.min_report_lead_minutes,
                ),
                report_required=click.confirm(
                    self.t("  分销带看须先报备？", "  Report required?"), default=p.report_required
                ),
                visit_protection_days=click.prompt(
                    self.t("  带看保护期（天）", "  Visit protection (days)"), type=int, default=p.visit_protection_days
                ),
                deal_protection_days=click.prompt(
                    self.t("  认购保护期（天）", "  Deal protection (days)"), type=int, default=p.deal_protection_days
                ),
                visit_decides=click.confirm(self.t("  到访为王？", "  First visit decides?"), default=p.visit_decides),
            )
        return replace(s, weights=weights, protection=p)

    def ask_alerts(self, s: OfficeSettings) -> OfficeSettings:
        """Switches and thresholds of the three alert levels."""
        click.echo(self.t("建议先只开一级提醒，顾问信任后再开二、三级。", "Start with red only; add the others later."))
        a = s.alerts
        red = click.confirm(self.t("一级（红）：久未跟进，强制弹窗", "Red: no follow-up, forced popup"), default=a.red)
        hours = click.prompt(self.t("  未跟进多少小时", "  Hours without follow-up"), type=int, default=a.red_hours)
        yellow = click.confirm(
            self.t("二级（黄）：看价格页、反复看 VR，企业微信提醒", "Yellow: price page, VR"), default=a.yellow
        )
        dwell = click.prompt(
            self.t("  价格页停留超过（秒）", "  Price page seconds"), type=int, default=a.price_dwell_s
        )
        paths = click.prompt(self.t("  价格页路径（逗号分隔）", "  Price page paths"), default=", ".join(a.price_paths))
        vr = click.prompt(self.t("  同一房源 VR 连续查看次数", "  VR views in a row"), type=int, default=a.vr_repeat)
        blue = click.confirm(
            self.t("三级（蓝）：收藏户型，只进报表", "Blue: favourite plan, report only"), default=a.blue
        )
        price_paths = tuple(x.strip() for x in paths.replace("，", ",").split(",") if x.strip())
        alerts = replace(a, red=red, yellow=yellow, blue=blue, red_hours=hours, price_dwell_s=dwell, vr_repeat=vr)
        return replace(s, alerts=replace(alerts, price_paths=price_paths))


def _cell(text: str, width: int) -> str:
    """Text padded to a width in terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def show_people(people, lang: str, codes: dict[int, str] | None = None) -> None:
    """A table of people: name, role, masked mobile (and the enrollment code once created)."""
    for i, person in enumerate(people):
        role = parse_role(person.role)
        label = role.value if lang == "en" or role is None else ROLE_LABELS_ZH[role]
        code = codes[i] if codes else ""
        line = f"  {_cell(person.name, 10)}{_cell(label, 20 if lang == 'en' else 12)}"
        click.echo(f"{line}{_cell(mask_mobile(person.mobile) or '-', 14)}{code}".rstrip())


def _finish(app: AppContext, paths: OfficePaths, settings: OfficeSettings, lang: str) -> list[Problem]:
    """Check everything with the hub's loaders, create the people (all or none), write the files."""
    with app.engine.connect() as conn:
        existing = existing_staff(conn)
    problems, texts = validate_office(settings, paths, load_hub_config, existing)
    if texts is None:
        return problems
    created, written = [], []
    try:
        with write_transaction(app.engine) as conn:  # the files are written before the people commit:
            if settings.staff:  # a file that cannot be written leaves nobody half set up
                created = create_staff(conn, app.vault, settings.staff, app.clock.now())
            written = write_office(texts, paths)
    except StaffImportError as exc:
        return list(exc.problems)
    except OSError as exc:
        return [Problem("", "file", {"message": f"{exc.filename}: {exc.strerror}"})]
    if created:
        click.echo("")
        click.secho(
            "一次性注册码（7 天内有效，每人一个）：" if lang != "en" else "One-time enrollment codes (7 days):",
            bold=True,
        )
        show_people(settings.staff, lang, {i: code for i, (_member, code) in enumerate(created)})
    for path in written:
        click.echo(("已写入 " if lang != "en" else "wrote ") + str(path))
    return []


@click.command("setup")
@click.option("--staff", "staff_file", type=click.Path(dir_okay=False), help="People to create: an Excel or CSV list.")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, exists=True), help="A setup file (TOML).")
@click.option("--non-interactive", is_flag=True, help="Ask nothing: take --from and --staff, check, write.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="hub.toml to write (default: data dir).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True, help="Language.")
@pass_app
def setup_command(app: AppContext, staff_file, from_file, non_interactive, config_file, lang) -> None:
    """First-run wizard: office, people, channels, WeCom, e-mail, calendar, weights, alerts."""
    paths = office_paths(app, config_file)
    say = (lambda zh, en: en) if lang == "en" else (lambda zh, en: zh)
    try:
        settings = load_office_settings(paths)
        if from_file:
            settings, problems = apply_setup_file(settings, read_toml(Path(from_file)))
            if problems:
                _fail(problems, lang)
    except OfficeFileError as exc:
        raise click.ClickException(str(exc)) from None
    with app.engine.connect() as conn:
        existing = existing_staff(conn)
    if non_interactive:
        if staff_file:
            found = read_staff_file(Path(staff_file), existing)
            if found.problems:
                _fail(list(found.problems), lang)
            settings = replace(settings, staff=(*settings.staff, *found.entries))
        problems = _finish(app, paths, settings, lang)
        if problems:
            _fail(problems, lang)
        _after(app, paths, say, config_file)
        return
    click.secho(say("案场销管台 · 首次设置", "salesfloor · first-run setup"), bold=True)
    click.echo(say(f"设置文件：{paths.hub_file}、{paths.rules_file}", f"Files: {paths.hub_file}, {paths.rules_file}"))
    wizard = Wizard(settings, "en" if lang == "en" else "zh", existing, staff_file)
    settings = wizard.run()
    while True:
        if not click.confirm(
            say("\n保存以上设置并创建人员？", "\nSave these settings and create the people?"), default=True
        ):
            raise click.Abort()
        problems = _finish(app, paths, settings, lang)
        if not problems:
            break
        wizard.say_problems(problems)
        sections = {name for name, prefixes in STEPS if any(p.field.split(".", 1)[0] in prefixes for p in problems)}
        settings = wizard.run(sections or {"office"})
    _after(app, paths, say, config_file)


def _fail(problems: list[Problem], lang: str) -> None:
    """Print every problem (field: text) and stop with exit code 2; nothing was written."""
    for p in problems:
        where = f"{p.field}: " if p.field else ""
        click.echo(f"{where}{p.text('en' if lang == 'en' else 'zh')}", err=True)
    click.echo("未写入任何文件。" if lang != "en" else "Nothing was written.", err=True)
    sys.exit(2)


def _after(app: AppContext, paths: OfficePaths, say, config_file: str | None) -> None:
    """What to do next: start the hub (it reads the files when it starts)."""
    rules = "" if app.settings.rules_file else f" --rules {paths.rules_file}"
    config = f" --config {paths.hub_file}" if config_file else ""
    click.echo(say("设置已保存。启动（或重启）中心后生效：", "Saved. Start (or restart) the hub to use it:"))
    click.echo(f"  salesfloor{rules} hub{config}")


@click.command("settings")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="hub.toml to edit (default: data dir).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None, help="Screen language (default zh_CN).")
@pass_app
def settings_command(app: AppContext, config_file: str | None, lang: str | None) -> None:
    """Open the admin settings screen on the hub's files (hub.toml, the rules file, channel mappings)."""
    from app.settings_app import run_settings

    sys.exit(run_settings(office_paths(app, config_file), lang))
