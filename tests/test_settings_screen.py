"""pytest-qt tests for the admin settings screen: its item models (qtmodeltester), inline problems from
the model's checks, Save through the hub's own loaders, Revert, secrets kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import QLineEdit

from app.i18n import install_translator
from app.settings_app import SettingsController
from models.office_setup import OfficePaths
from models.rules import load_rules
from sync.hub.config import load_hub_config
from views.settings_screen import SettingsScreen
from views.settings_tables import MappingModel, RobotsModel, WeightsModel, masked_address

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-4d2b"
SECRET = "dy-secret-7f3a9c2e51"


@pytest.fixture
def paths(tmp_path) -> OfficePaths:
    """An office that ran setup: a name, a Douyin secret, a robot."""
    paths = OfficePaths.in_data_dir(tmp_path)
    paths.hub_file.write_text(
        f'[office]\nname = "星河湾"\n\n[channels.douyin]\nsecret = "{SECRET}"\n\n[wecom.robots]\ndefault = "{ROBOT}"\n'
    )
    return paths


@pytest.fixture
def screen(qtbot, paths):
    """The screen with its controller, showing the files."""
    view = SettingsScreen()
    qtbot.addWidget(view)
    controller = SettingsController(view, paths)
    controller.load()
    view.show()
    view.controller = controller  # kept alive with the screen
    return view


def visible_error(view: SettingsScreen, key: str) -> str:
    """The problem line under a field ('' when hidden)."""
    label = view._errors[key]
    return "" if label.isHidden() else label.text()


def test_every_table_passes_the_model_tester(qtmodeltester):
    weights = WeightsModel()
    weights.set_weights({"douyin.online_lead": "0.4", "*.walk_in": "0.5"})
    weights.mark({(0, 0)})
    qtmodeltester.check(weights)
    mapping = MappingModel()
    mapping.set_mapping({"name": ("name",), "mobile": ("phone", "mobile")})
    qtmodeltester.check(mapping)
    robots = RobotsModel()
    robots.reset([["default", ROBOT]])
    robots.add()
    qtmodeltester.check(robots)
    assert weights.weights() == {"douyin.online_lead": "0.4", "*.walk_in": "0.5"}
    assert mapping.mapping() == {"name": ("name",), "mobile": ("phone", "mobile")}
    assert robots.robots() == (("default", ROBOT),)  # the empty new row is no robot


def test_the_screen_shows_the_files_and_keeps_secrets_out_of_sight(screen, paths):
    assert screen.office_name.text() == "星河湾"
    assert "restart" in screen.restart_note.text()
    assert screen.files.text() == f"{paths.hub_file}\n{paths.rules_file}"
    screen.source.setCurrentIndex(screen.source.findData("douyin"))
    assert screen.secret.echoMode() == QLineEdit.EchoMode.Password and screen.secret.text() == SECRET
    assert screen.smtp_password.echoMode() == QLineEdit.EchoMode.Password
    shown = screen.robots.data(screen.robots.index(0, 1))
    assert "robot-key" not in shown and shown == masked_address(ROBOT)
    assert screen.robots.data(screen.robots.index(0, 1), Qt.ItemDataRole.EditRole) == ROBOT
    assert screen.idle_minutes.value() == 30 and screen.weights.weights()["douyin.online_lead"] == "0.4"
    assert not screen.save_button.isEnabled() and not screen.revert_button.isEnabled()


def test_problems_appear_under_their_fields_as_one_types(qtbot, screen):
    with qtbot.waitSignal(screen.settings_edited):
        screen.office_name.selectAll()
        qtbot.keyClick(screen.office_name, Qt.Key.Key_Delete)
    assert visible_error(screen, "office_name") == "Give the office a name"
    assert screen.save_button.isEnabled()
    assert "1 problem" in screen.status.text()
    assert screen.sections.item(0).text().endswith("●")
    screen.holidays.setPlainText("2026-10-01~2026-10-07, 2026-13-01")
    assert "'2026-13-01' is not a date" in visible_error(screen, "calendar.holidays")
    weights = screen.weights
    weights.setData(weights.index(0, 0), "heavy")
    assert "is not a number" in visible_error(screen, "weights")
    assert weights.data(weights.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    qtbot.keyClicks(screen.office_name, "Riverside II")
    screen.holidays.setPlainText("2026-10-01~2026-10-07")
    weights.setData(weights.index(0, 0), "0.45")
    assert visible_error(screen, "office_name") == "" and visible_error(screen, "weights") == ""
    assert weights.data(weights.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert screen.status.text() == "Unsaved changes." and not screen.sections.item(0).text().endswith("●")


def test_a_channel_secret_and_mapping_are_checked_under_the_channel(qtbot, screen):
    screen.source.setCurrentIndex(screen.source.findData("anjuke"))
    qtbot.keyClicks(screen.secret, "abc")
    assert (
        visible_error(screen, "channels.secret")
        == "anjuke: the secret has at least 8 characters (copy it from the platform)"
    )
    mapping = screen.mapping
    mapping.setData(mapping.index(6, 1), "customer phone")  # the mobile's paths
    assert "path 'customer phone' of mobile" in visible_error(screen, "channels")
    screen.source.setCurrentIndex(screen.source.findData("douyin"))  # the other source's edits are kept
    settings = screen.current()
    assert settings.channel("anjuke").secret == "abc" and settings.channel("douyin").secret == SECRET
    assert settings.channel("anjuke").mapping["mobile"] == ("customer phone",)


def test_save_writes_what_the_hub_reads_and_says_when_it_takes_effect(qtbot, screen, paths):
    screen.idle_minutes.setValue(20)
    screen.yellow.setChecked(True)
    screen.fallback[1].setCurrentIndex(screen.fallback[1].findData("manager"))
    screen.fallback[2].setCurrentIndex(0)
    with qtbot.waitSignal(screen.save_requested):
        qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    rules = load_rules(paths.rules_file)
    assert rules.dispatch.idle_minutes == 20 and rules.alerts.yellow
    assert [s.value for s in rules.dispatch.grab_fallback] == ["reoffer", "manager"]
    hub = load_hub_config(paths.hub_file)
    assert hub.secrets == {"douyin": SECRET} and hub.wecom_robots == {"default": ROBOT}
    assert "Changes take effect when the hub restarts." in screen.status.text()
    assert not screen.save_button.isEnabled() and paths.hub_file.with_name("hub.toml.bak").exists()


def test_what_the_hubs_loader_refuses_is_shown_and_nothing_is_written(qtbot, paths):
    def refuse(path: Path):
        raise ValueError("[wecom] per_minute must be a whole number from 1 to 20 (WeCom's limit)")

    view = SettingsScreen()
    qtbot.addWidget(view)
    controller = SettingsController(view, paths, hub_loader=refuse)
    controller.load()
    before = paths.hub_file.read_text()
    view.per_minute.setValue(19)
    assert controller.save(view.current()) is False
    assert visible_error(view, "wecom.per_minute").startswith("The settings were refused: [wecom] per_minute")
    assert paths.hub_file.read_text() == before and not paths.rules_file.exists()


def test_revert_shows_the_files_again(qtbot, screen):
    qtbot.keyClicks(screen.office_name, " II")
    screen.robots.add()
    assert screen.save_button.isEnabled() and screen.robots.rowCount() == 2
    with qtbot.waitSignal(screen.revert_requested):
        qtbot.mouseClick(screen.revert_button, Qt.MouseButton.LeftButton)
    assert screen.office_name.text() == "星河湾" and screen.robots.rowCount() == 1
    assert not screen.save_button.isEnabled() and screen.status.text() == "Showing the settings on file."
    screen.robots.remove(0)
    assert screen.current().wecom_robots == () and screen.save_button.isEnabled()
    assert screen.robots.rowCount(screen.robots.index(0, 0)) == 0 and screen.robots.rowCount(QModelIndex()) == 0


def test_in_chinese_the_problems_are_chinese_too(qtbot, qapp, screen):
    assert install_translator(qapp, "zh_CN") == "zh_CN"
    try:
        view = SettingsScreen()
        qtbot.addWidget(view)
        SettingsController(view, screen.controller.paths).load()
        assert view.save_button.text() == "保存（Ctrl+S）" and "重启中心才生效" in view.restart_note.text()
        view.office_name.clear()
        qtbot.keyClicks(view.office_name, " ")
        assert visible_error(view, "office_name") == "请填写案场名称，如“星河湾营销中心”"
        assert view.status.text().startswith("1 处需要修改")
    finally:
        for translator in qapp.findChildren(QTranslator):
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("SettingsScreen", "Revert") == "Revert"


def test_salesfloor_settings_opens_the_screen_on_the_data_dirs_files(tmp_path, monkeypatch):
    import click
    from click.testing import CliRunner

    import app.settings_app
    from app.cmd_setup import settings_command, setup_command
    from app.context import AppContext
    from app.settings import load_settings

    opened = []
    monkeypatch.setattr(app.settings_app, "run_settings", lambda paths, lang: opened.append((paths, lang)) or 0)
    group = click.Group("salesfloor", commands=[setup_command, settings_command])  # as cli.py registers them
    context = AppContext(load_settings(data_dir=tmp_path, rules=str(tmp_path / "project.toml")))
    result = CliRunner().invoke(group, ["settings", "--lang", "en"], obj=context)
    assert result.exit_code == 0, result.output
    assert opened == [(OfficePaths(tmp_path / "hub.toml", tmp_path / "project.toml", tmp_path / "channels"), "en")]
    assert "settings" in CliRunner().invoke(group, ["--help"]).output


def test_wrong_types_on_file_show_without_crashing_the_screen(qtbot):
    from dataclasses import replace

    from models.office_setup import OfficeSettings
    from views.settings_screen import SettingsScreen

    screen = SettingsScreen()
    qtbot.addWidget(screen)
    base = OfficeSettings()
    odd = replace(base, idle_minutes="5", grab_seconds=None, alerts=replace(base.alerts, red="yes"))
    screen.show_settings(odd)  # the checks name these; the screen must still open
    assert screen.idle_minutes.value() == 0 and not screen.red.isChecked()
    screen.idle_minutes.setValue(20)
    assert screen.save_button.isEnabled() or screen._dirty  # edits count again after loading
