"""Office setup: the settings model read from and written to hub.toml, the rules file and channel files,
checked field by field and by the hub's own loaders; staff lists from Excel/CSV; `salesfloor setup`."""

from __future__ import annotations

import logging
import re
import stat
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app.cmd_setup import setup_command
from app.context import AppContext
from app.settings import load_settings
from models.channel_mapping import delivery_to_lead
from models.clock import BUSINESS_TZ, FakeClock
from models.db import write_transaction
from models.hub_schema import staff as staff_table
from models.office_checks import check_fields, check_with_loaders, field_of, save_office, validate_office
from models.office_forms import join_dates, split_dates
from models.office_setup import OfficePaths, OfficeSettings, SmtpForm, StaffEntry, load_office_sources
from models.office_setup import load_office_settings as load
from models.office_setupfile import apply_setup_file
from models.office_staff import StaffImportError, create_staff, parse_role, read_staff_file
from models.office_toml import dumps
from models.office_write import OfficeTexts
from models.rules import load_rules
from models.staff import Role, enroll
from sync.hub.config import load_hub_config

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=BUSINESS_TZ)
SECRET = "dy-secret-7f3a9c2e51"
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-4d2b"
PASSWORD = "smtp-pass-93kd"


@pytest.fixture
def paths(tmp_path) -> OfficePaths:
    """The files of an office whose data dir is empty."""
    return OfficePaths.in_data_dir(tmp_path / "data")


def filled(paths: OfficePaths) -> OfficeSettings:
    """The settings a careful manager would enter."""
    s = load(paths)
    s = s.with_channel(replace(s.channel("douyin"), secret=SECRET))
    return replace(
        s,
        office_name="星河湾营销中心",
        wecom_robots=(("default", ROBOT),),
        smtp=SmtpForm(
            "smtp.exmail.qq.com", 465, "ssl", "report@xhw.example", PASSWORD, "report@xhw.example", ("zj@xhw.example",)
        ),
        report_at="08:00",
        auto_assign_weekdays=(1, 2, 3, 4),
        idle_minutes=20,
        grab_seconds=20,
        grab_fallback=("reoffer", "manager"),
        weights={**s.weights, "douyin.online_lead": "0.5"},
        protection=replace(s.protection, report_valid_days=10),
        alerts=replace(s.alerts, yellow=True, red_hours=24),
    )


# ---- the files ---------------------------------------------------------------------------------


def test_toml_writer_round_trips_what_the_office_files_hold():
    data = {
        "office": {"name": '星河湾 "一期"\\ \t'},
        "calendar": {"holidays": [f"2026-10-{d:02d}" for d in range(1, 31)], "auto_assign_weekdays": [1, 2]},
        "weights": {"*.online_lead": "0.3", "douyin.online_lead": "0.4"},
        "alerts": {"red": True, "yellow": False, "red_hours": 48},
        "wecom": {"robots": {"前台群": "https://x"}},
        "empty": {},
    }
    text = dumps(data, {"calendar": "派单日历"}, "header")
    assert tomllib.loads(text) == data
    assert "# 派单日历\n[calendar]" in text
    assert max(len(line) for line in text.splitlines()) < 110  # long lists are spread over lines


def test_an_empty_data_dir_gives_the_shipped_defaults(paths):
    s = load(paths)
    rules = load_rules()
    assert s.idle_minutes == rules.dispatch.idle_minutes and s.grab_seconds == rules.dispatch.grab_seconds
    assert s.protection == rules.protection and s.alerts == rules.alerts
    assert "2026-10-01" in s.holidays and s.weights["douyin.online_lead"] == "0.4"
    assert {c.source for c in s.channels} >= {"douyin", "xiaohongshu", "anjuke", "mini_program", "generic"}
    assert [p.field for p in check_fields(s)] == ["office_name"]  # only the name is missing


def test_saved_settings_are_what_the_hub_and_the_rules_loader_read(paths):
    s = filled(paths)
    result = save_office(s, paths, load_hub_config)
    assert result.problems == () and set(result.written) == {paths.hub_file, paths.rules_file}
    hub = load_hub_config(paths.hub_file)
    assert hub.secrets == {"douyin": SECRET} and hub.wecom_robots == {"default": ROBOT}
    assert (hub.smtp.host, hub.smtp.port, hub.smtp.security, hub.smtp.recipients) == (
        "smtp.exmail.qq.com",
        465,
        "ssl",
        ("zj@xhw.example",),
    )
    assert hub.report_at == "08:00"
    rules = load_rules(paths.rules_file)
    assert (rules.dispatch.idle_minutes, rules.dispatch.grab_seconds) == (20, 20)
    assert [s.value for s in rules.dispatch.grab_fallback] == ["reoffer", "manager"]
    assert rules.calendar.auto_assign_weekdays == frozenset({1, 2, 3, 4})
    assert str(rules.weight("douyin", "online_lead")) == "0.5" and rules.protection.report_valid_days == 10
    assert rules.alerts.yellow and rules.alerts.red_hours == 24
    assert stat.S_IMODE(paths.hub_file.stat().st_mode) == 0o600  # it holds secrets
    assert load(paths) == s  # read back, field for field


def test_saving_keeps_what_it_does_not_manage_and_the_previous_file(paths):
    paths.hub_file.parent.mkdir(parents=True)
    paths.hub_file.write_text(
        '[hub]\nhost = "0.0.0.0"\nws_port = 9000\n\n[report]\nlanguage = "en"\n\n'
        '[report.consultants]\n"王磊" = "wl@xhw.example"\n\n[channels.douyin]\nsecret = "old-secret-123"\n'
    )
    paths.rules_file.write_text('[identity]\nmax_leads_per_identifier = 50\n\n[commission]\npool_rate = "0.02"\n')
    before = paths.hub_file.read_text()
    s = load(paths)
    assert s.channel("douyin").secret == "old-secret-123"
    assert save_office(replace(s, office_name="星河湾"), paths, load_hub_config).problems == ()
    hub = load_hub_config(paths.hub_file)
    assert (hub.host, hub.ws_port, hub.report.language) == ("0.0.0.0", 9000, "en")
    assert hub.report.consultants == {"王磊": "wl@xhw.example"} and hub.secrets == {"douyin": "old-secret-123"}
    rules = load_rules(paths.rules_file)
    assert rules.match.max_leads_per_identifier == 50 and str(rules.commission.pool_rate) == "0.02"
    assert paths.hub_file.with_name("hub.toml.bak").read_text() == before
    assert stat.S_IMODE(paths.hub_file.with_name("hub.toml.bak").stat().st_mode) == 0o600


def test_problems_are_named_field_by_field_in_plain_words_without_secrets(paths):
    s = filled(paths)
    s = s.with_channel(replace(s.channel("anjuke"), secret="short"))
    bad = replace(
        s,
        office_name=" ",
        wecom_robots=(("default", "qyapi.weixin.qq.com/send?key=robot-key-4d2b"), ("", ROBOT)),
        wecom_per_minute=50,
        smtp=replace(s.smtp, port=0, recipients=("zj at xhw",)),
        report_at="25:00",
        auto_assign_weekdays=(1, 8),
        holidays=("2026-10-01", "2026-13-01"),
        workdays=("2026-10-01",),
        idle_minutes=-5,
        grab_fallback=("reoffer", "later"),
        weights={**s.weights, "douyin.online_lead": "heavy", "tiktok.online_lead": "1", "*.walk_in": ""},
        protection=replace(s.protection, report_valid_days=-1),
        alerts=replace(s.alerts, vr_repeat=1, price_paths=()),
    )
    problems = check_fields(bad)
    fields = {p.field for p in problems}
    assert fields >= {
        "office_name",
        "channels.anjuke.secret",
        "wecom.robots",
        "wecom.per_minute",
        "smtp.port",
        "smtp.recipients",
        "report_at",
        "calendar.auto_assign_weekdays",
        "calendar.holidays",
        "calendar.workdays",
        "dispatch.idle_minutes",
        "dispatch.grab_fallback",
        "weights.douyin.online_lead",
        "weights.tiktok.online_lead",
        "weights.*.walk_in",
        "protection.report_valid_days",
        "alerts.vr_repeat",
        "alerts.price_paths",
    }
    by_field = {p.field: p for p in problems}
    assert by_field["dispatch.idle_minutes"].text() == "空闲时长（分钟）应为 0 到 1440 之间的整数"
    assert by_field["dispatch.idle_minutes"].text("en") == "Idle minutes must be a whole number from 0 to 1440"
    assert "2026-13-01" in by_field["calendar.holidays"].text() and "2026-10-01" in by_field["calendar.workdays"].text()
    assert by_field["wecom.per_minute"].section == "wecom" and by_field["report_at"].section == "email"
    every = " ".join(p.text(lang) for p in problems for lang in ("zh", "en"))
    assert "robot-key-4d2b" not in every and "short" not in every and SECRET not in every
    assert validate_office(bad, paths, load_hub_config) == (problems, None)
    assert save_office(bad, paths, load_hub_config).problems and not paths.hub_file.exists()  # nothing written


def test_the_hubs_own_loaders_have_the_last_word_and_name_the_field():
    texts = OfficeTexts(
        "[wecom]\nper_minute = 50\n", "[dispatch]\nidle_minutes = -1\n", {"douyin": 'channel = "tiktok"\n'}
    )
    problems = check_with_loaders(texts, load_hub_config)
    assert [p.field for p in problems] == ["wecom.per_minute", "dispatch.idle_minutes", "channels.douyin.mapping"]
    assert all(p.code == "loader" and "salesfloor-setup-" not in p.text() for p in problems)
    assert problems[0].text("en").startswith("The settings were refused: [wecom] per_minute")
    bad_toml = check_with_loaders(OfficeTexts("[hub\n", "", {}), load_hub_config)
    assert bad_toml[0].text("en").startswith("The settings were refused: hub.toml: not valid TOML")
    assert field_of("[smtp] security must be starttls, ssl or none") == "smtp.security"
    assert field_of("weights: 'x.y' is not 'channel.kind'") == "weights.x.y"
    assert field_of("calendar: ['2026-10-01'] are both holidays and workdays") == ""


def test_dates_are_typed_as_lists_and_ranges():
    assert split_dates("2026-10-01～2026-10-03，2026-10-05、 2026-10-05 bad") == (
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-05",
        "bad",
    )
    assert split_dates("2026-10-03 ~ 2026-10-01") == ("2026-10-03~2026-10-01",)  # backwards: kept to be named
    assert join_dates(("2026-10-02", "2026-10-01", "2026-10-03", "2026-10-05", "2026-10-06", "x")) == (
        "2026-10-01~2026-10-03, 2026-10-05, 2026-10-06, x"
    )
    assert split_dates(join_dates(tuple(split_dates("2026-02-15~2026-02-23")))) == split_dates("2026-02-15~2026-02-23")


def test_a_changed_field_mapping_becomes_the_office_channel_file_the_hub_can_serve(paths):
    s = filled(paths)
    douyin = s.channel("douyin")
    mapping = {**douyin.mapping, "mobile": ("content.tel", "telephone")}
    assert save_office(s.with_channel(replace(douyin, mapping=mapping)), paths, load_hub_config).problems == ()
    office_file = paths.channels_dir / "douyin.toml"
    assert office_file.exists() and not (paths.channels_dir / "anjuke.toml").exists()
    sources = load_office_sources(paths.channels_dir)
    assert sources["douyin"].identifiers["mobile"] == ("content.tel", "telephone")
    lead = delivery_to_lead(sources["douyin"], {"clue_id": "c1", "content": {"tel": "13800138000"}}, {}, b"{}", NOW)
    assert lead.identifiers == [("mobile", "13800138000")]
    assert load(paths).channel("douyin").mapping["mobile"] == ("content.tel", "telephone")
    assert save_office(s, paths, load_hub_config).problems == ()  # back to the shipped mapping
    assert not office_file.exists() and office_file.with_name("douyin.toml.bak").exists()
    unmapped = s.with_channel(replace(douyin, mapping={"broker_name": ("x",)}))
    assert [p.code for p in check_fields(unmapped)] == ["mapping_empty"]
    spaced = s.with_channel(replace(douyin, mapping={"mobile": ("a b",)}))
    assert [p.text("en") for p in check_fields(spaced)] == [
        "douyin: path 'a b' of mobile is not a JSON path (dots between names, no spaces)"
    ]


# ---- people ------------------------------------------------------------------------------------


def test_roles_by_chinese_or_english_name():
    assert parse_role("置业顾问") is Role.CONSULTANT and parse_role(" Consultant ") is Role.CONSULTANT
    assert parse_role("") is Role.CONSULTANT and parse_role("案场经理") is Role.MANAGER
    assert parse_role("Channel Specialist") is Role.CHANNEL_SPECIALIST and parse_role("channel_specialist")
    assert parse_role("前台") is Role.RECEPTION and parse_role("保安") is None


def test_a_staff_workbook_with_a_title_row_imports_everyone(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["星河湾案场人员名单"])
    sheet.append(["序号", "姓名", "岗位", "手机号码"])
    sheet.append([1, "王磊", "置业顾问", 13800138000])
    sheet.append([2, "李敏", "Consultant", None])
    sheet.append([None, None, None, None])
    sheet.append([3, "张经理", "经理", "139 0013 9000"])
    sheet.append([4, "小周", "", ""])
    book.save(tmp_path / "staff.xlsx")
    found = read_staff_file(tmp_path / "staff.xlsx")
    assert found.problems == ()
    assert [(e.name, e.role, e.row) for e in found.entries] == [
        ("王磊", "consultant", 3),
        ("李敏", "consultant", 4),
        ("张经理", "manager", 6),
        ("小周", "consultant", 7),
    ]
    assert found.entries[0].mobile == "13800138000" and "13800138000" not in repr(found.entries[0])


def test_a_staff_list_with_problems_imports_nobody_and_names_each_row(tmp_path):
    rows = "姓名,角色,手机\n王磊,置业顾问,13800138000\n李敏,保安,\n王磊,consultant,\n陈晨,顾问,1380013\n"
    rows += ",前台,\n刘强,经纪人,\n"
    (tmp_path / "staff.csv").write_bytes(rows.encode("gb18030"))
    found = read_staff_file(tmp_path / "staff.csv", existing={"陈晨": 12})
    assert found.entries == ()
    texts = [p.text() for p in found.problems]
    assert texts == [
        "第 3 行：角色“保安”无法识别，可填：置业顾问、前台、渠道专员、分销经纪人、案场经理、大屏、管理员",
        "第 4 行：“王磊”与第 2 行重名",
        "第 5 行：手机号不是有效的大陆手机号（可不填）",
        "第 5 行：“陈晨”已在系统中（#12），不会重复创建",
        "第 6 行：缺少姓名",
        "第 7 行：分销经纪人须填写所属分销机构代码",
    ]
    assert "1380013" not in " ".join(texts + [p.text("en") for p in found.problems])
    (tmp_path / "nobody.csv").write_text("工号,部门\n1,销售\n")
    assert read_staff_file(tmp_path / "nobody.csv").problems[0].code == "staff_no_name_column"
    assert read_staff_file(tmp_path / "missing.xlsx").problems[0].code == "staff_file"


def test_people_are_created_together_or_not_at_all(engine, vault):
    people = [StaffEntry("王磊", "consultant", "13800138000"), StaffEntry("刘强", "broker", agency="ANJU01")]
    with write_transaction(engine) as conn:
        created = create_staff(conn, vault, people, NOW)
    assert [(m.name, m.role, m.mobile_masked) for m, _ in created] == [
        ("王磊", Role.CONSULTANT, "138****8000"),
        ("刘强", Role.BROKER, ""),
    ]
    with write_transaction(engine) as conn:
        member, token = enroll(conn, created[0][1], "desk-1", NOW)
    assert member.name == "王磊" and token
    again = [StaffEntry("李敏"), StaffEntry("王磊")]
    with pytest.raises(StaffImportError) as caught, write_transaction(engine) as conn:
        create_staff(conn, vault, again, NOW)
    assert caught.value.problems[0].code == "staff_exists"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(staff_table)).scalar() == 2  # 李敏 not created


def test_a_setup_file_names_keys_nobody_reads(paths):
    s, problems = apply_setup_file(load(paths), {"smtp": {"pasword": "x"}, "colour": {}})
    assert problems[0].text("en") == "The setup file has keys nobody reads: smtp.pasword, colour"
    data = {
        "office": {"name": "星河湾"},
        "staff": [{"name": "王磊", "role": "置业顾问"}, {"name": "李敏", "role": "manager", "mobile": "13900139000"}],
        "channels": {"douyin": {"secret": SECRET, "identifiers": {"mobile": ["tel"]}}},
        "dispatch": {"idle_minutes": 25},
        "calendar": {"holidays": [datetime(2026, 10, 1).date()]},
        "alerts": {"yellow": True},
    }
    s, problems = apply_setup_file(load(paths), data)
    assert problems == [] and s.office_name == "星河湾" and s.idle_minutes == 25 and s.alerts.yellow
    assert [(e.name, e.role) for e in s.staff] == [("王磊", "consultant"), ("李敏", "manager")]
    assert s.channel("douyin").secret == SECRET and s.channel("douyin").mapping == {"mobile": ("tel",)}
    assert s.holidays == ("2026-10-01",)


# ---- salesfloor setup --------------------------------------------------------------------------


@pytest.fixture
def app(db_url, tmp_path, monkeypatch) -> AppContext:
    """The command's context: the test database, a data dir with its own key file, a frozen clock."""
    monkeypatch.delenv("SALESFLOOR_MASTER_KEY", raising=False)
    context = AppContext(load_settings(db=db_url, data_dir=tmp_path / "data", key_source="file"), FakeClock(NOW))
    yield context
    if "engine" in context.__dict__:
        context.engine.dispose()


def staff_count(app: AppContext) -> int:
    """How many people the hub knows."""
    with app.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(staff_table)).scalar()


def answers(*lines: str) -> str:
    """Typed answers, one per prompt."""
    return "\n".join(lines) + "\n"


def channel_answers(count: int, douyin_secret: str = "") -> list[str]:
    """Secret and 'keep the mapping' for each source, in the order the wizard asks (by name)."""
    out = []
    for source in sorted(p.stem for p in Path("resources/channels").glob("*.toml"))[:count]:
        out += [douyin_secret if source == "douyin" else "", "n"]
    return out


def test_the_wizard_walks_every_section_creates_people_and_writes_the_files(app, tmp_path, caplog):
    (tmp_path / "staff.csv").write_text(
        "姓名,角色,手机\n王磊,置业顾问,13800138000\n李敏,consultant,\n", encoding="utf-8"
    )
    sources = len(list(Path("resources/channels").glob("*.toml")))
    typed = answers(
        "星河湾营销中心",
        "y",
        "张经理",
        "案场经理",
        "12345",  # one more person by hand, a wrong mobile: asked again
        "n",
        "y",
        "张经理",
        "案场经理",
        "",
        "n",
        *channel_answers(sources, SECRET),
        ROBOT,
        "20",
        "smtp.exmail.qq.com",
        "ssl",
        "465",
        "report@xhw.example",
        PASSWORD,
        "report@xhw.example",
        "zj@xhw.example",
        "25:00",  # refused: the e-mail section is asked again
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "08:00",
        "1,2,3,4,5",
        "2026-10-01~2026-10-07",
        "-",
        "20",
        "",
        "",
        "n",
        "n",
        "",
        "",
        "y",
        "",
        "",
        "",
        "",
        "y",
    )
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(setup_command, ["--staff", str(tmp_path / "staff.csv")], obj=app, input=typed)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "日报发送时间应写成 07:30 这样的时间" in out and "从 " in out and "读到 2 人" in out
    assert "第 3 人：手机号不是有效的大陆手机号（可不填）" in out and "已去掉有问题的 1 人" in out
    for secret in (SECRET, ROBOT, PASSWORD, "robot-key-4d2b", "13800138000"):
        assert secret not in out and secret not in caplog.text
    assert "138****8000" in out and staff_count(app) == 3
    codes = re.findall(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})$", out, re.M)
    assert len(codes) == 3
    with write_transaction(app.engine) as conn:
        assert enroll(conn, codes[2], "desk", NOW)[0].name == "张经理"
    hub = load_hub_config(app.settings.data_dir / "hub.toml")
    assert hub.secrets == {"douyin": SECRET} and hub.smtp.password == PASSWORD and hub.report_at == "08:00"
    rules = load_rules(app.settings.data_dir / "rules.toml")
    assert rules.dispatch.idle_minutes == 20 and rules.calendar.workdays == frozenset() and rules.alerts.yellow
    assert len(rules.calendar.holidays) == 7
    assert f"--rules {app.settings.data_dir / 'rules.toml'} hub" in out


def test_a_scripted_install_from_a_setup_file(app, tmp_path):
    setup = tmp_path / "office.toml"
    setup.write_text(
        '[office]\nname = "星河湾"\n\n[[staff]]\nname = "王磊"\nrole = "置业顾问"\n\n[[staff]]\nname = "刘强"\n'
        'role = "broker"\nagency = "ANJU01"\n\n'
        f'[channels.douyin]\nsecret = "{SECRET}"\n\n[dispatch]\nidle_minutes = 25\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(setup_command, ["--non-interactive", "--from", str(setup)], obj=app)
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output and staff_count(app) == 2
    assert load_hub_config(app.settings.data_dir / "hub.toml").secrets == {"douyin": SECRET}
    assert load_rules(app.settings.data_dir / "rules.toml").dispatch.idle_minutes == 25


def test_a_scripted_install_with_problems_writes_nothing_and_creates_nobody(app, tmp_path):
    setup = tmp_path / "office.toml"
    setup.write_text(
        '[office]\nname = "星河湾"\n\n[[staff]]\nname = "王磊"\n\n[[staff]]\nname = "王磊"\n\n'
        '[wecom]\nper_minute = 40\n\n[calendar]\nholidays = ["2026-02-30"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(setup_command, ["--non-interactive", "--from", str(setup), "--lang", "en"], obj=app)
    assert result.exit_code == 2
    assert "staff: person 2: 王磊 is also on person 1" in result.output
    assert "wecom.per_minute: Messages per minute must be a whole number from 1 to 20" in result.output
    assert "calendar.holidays: '2026-02-30' is not a date" in result.output
    assert "Nothing was written." in result.output
    assert not (app.settings.data_dir / "hub.toml").exists() and staff_count(app) == 0


def test_a_setup_file_with_a_table_of_the_wrong_shape_is_refused_by_name():
    from models.office_setup import OfficeSettings
    from models.office_setupfile import apply_setup_file

    settings, problems = apply_setup_file(OfficeSettings(), {"channels": "x", "weights": 5, "staff": "王磊"})
    assert [p.code for p in problems] == ["setup_unknown"]
    named = problems[0].params["keys"]
    assert "channels" in named and "weights" in named and "staff" in named and settings.staff == ()
