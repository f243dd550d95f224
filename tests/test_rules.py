"""The project rules file: overrides merge over the defaults; mistakes name the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.rules import RulesError, load_rules


def write(tmp_path, text: str):
    path = tmp_path / "project.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_override_keeps_other_defaults(tmp_path):
    rules = load_rules(
        write(tmp_path, '[protection]\nreport_required = true\n[weights]\n"douyin.online_lead" = "0.5"\n')
    )
    assert rules.protection.report_required is True
    assert rules.protection.visit_protection_days == 30
    assert rules.weight("douyin", "online_lead") == Decimal("0.5")
    assert rules.weight("agency", "accompanied_visit") == Decimal("0.6")


def test_identity_limits_and_block_list(tmp_path):
    rules = load_rules(
        write(tmp_path, '[identity]\nblocked_values = ["DEMO-IPAD"]\n[identity.max_distinct]\nmobile = 3\n')
    )
    assert rules.match.max_distinct["mobile"] == 3
    assert rules.identifiers.is_blocked("demo-ipad")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[protection]\nvisit_days = 3\n", "unknown key 'visit_days'"),
        ("[protection]\nreport_valid_days = -1\n", "report_valid_days must be a whole number"),
        ("[protection]\nvisit_decides = 1\n", "visit_decides must be true or false"),
        ('[weights]\n"tiktok.online_lead" = "0.3"\n', "'tiktok.online_lead' is not 'channel.kind'"),
        ('[weights]\n"douyin.online_lead" = "lots"\n', "is not a number"),
        ("[identity.max_distinct]\npassport = 2\n", "unknown identifier kind 'passport'"),
        ("[dispatchh]\nx = 1\n", "unknown section"),
        ("[dispatch]\nx = 1\n", "dispatch: unknown key"),
        ("[protection\n", "not valid TOML"),
    ],
)
def test_mistakes_are_named(tmp_path, text, message):
    with pytest.raises(RulesError, match=message):
        load_rules(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "nope.toml")
