"""Hub configuration: addresses, TLS, timeouts, allowed origins, channel secrets and reports (hub.toml)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.hub.forms import FormConfigError, FormPage, parse_form_pages
from sync.notify.email import SmtpSettings
from sync.protocol import MAX_MESSAGE_BYTES


class HubConfigError(ValueError):
    """hub.toml is unusable; the message names the key."""


REPORT_LANGUAGES = ("zh_CN", "en")


@dataclass(frozen=True)
class ReportSettings:
    """[report]: who receives a personal daily report, and in which language."""

    consultants: dict[str, str] = field(default_factory=dict)  # staff name (or "#id") -> e-mail address
    language: str = "zh_CN"


@dataclass(frozen=True)
class HubConfig:
    """Everything the hub process needs besides the database and the rules."""

    host: str = "127.0.0.1"
    ws_port: int = 8765
    http_port: int = 8766
    tls_cert: Path | None = None
    tls_key: Path | None = None
    allowed_origins: tuple[str, ...] = ()  # browsers must come from one of these; desktop clients send none
    hello_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0  # an authenticated socket that says nothing (not even ping) is closed
    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_body_bytes: int = 256 * 1024
    replay_window_s: int = 300
    revocation_poll_s: float = 1.0
    slow_client_bytes: int = 4 * 1024 * 1024
    snapshot_days: int = 3
    alert_sweep_s: float = 60.0
    secrets: dict[str, str] = field(default_factory=dict)  # channel source -> shared secret
    wecom_robots: dict[str, str] = field(default_factory=dict)  # robot name -> webhook URL (holds the key)
    wecom_per_minute: int = 20
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    report_at: str = "07:30"  # the daily report, Asia/Shanghai
    report: ReportSettings = field(default_factory=ReportSettings)
    channels_dir: Path | None = None  # the office's own channel mappings (salesfloor setup), over the shipped ones
    forms: dict[str, FormPage] = field(default_factory=dict)  # landing page -> who may post its form

    def secret(self, source: str) -> str | None:
        """A channel's secret: SALESFLOOR_SECRET_<SOURCE> in the environment wins over hub.toml."""
        return os.environ.get(f"SALESFLOOR_SECRET_{source.upper()}") or self.secrets.get(source)


_NUMBERS = (
    "ws_port",
    "http_port",
    "hello_timeout_s",
    "idle_timeout_s",
    "max_message_bytes",
    "max_body_bytes",
    "replay_window_s",
    "revocation_poll_s",
    "slow_client_bytes",
    "snapshot_days",
    "alert_sweep_s",
)


def load_hub_config(path: Path | None, **overrides: Any) -> HubConfig:
    """Read hub.toml if it exists, then apply explicit overrides (command-line options)."""
    data: dict[str, Any] = {}
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise HubConfigError(f"{path}: not valid TOML ({exc})") from None
    hub = dict(data.get("hub", {}))
    hub.update({k: v for k, v in overrides.items() if v is not None})
    known = set(HubConfig.__dataclass_fields__) - {"secrets", "wecom_robots", "wecom_per_minute", "smtp", "report"}
    known.discard("forms")  # [forms.NAME] tables, not a [hub] key
    known.discard("channels_dir")  # where hub.toml lives decides it, not a key
    unknown = set(hub) - known
    if unknown:
        raise HubConfigError(f"[hub]: unknown key(s) {sorted(unknown)}")
    for key in _NUMBERS:
        if key in hub and (isinstance(hub[key], bool) or not isinstance(hub[key], int | float) or hub[key] < 0):
            raise HubConfigError(f"[hub] {key} must be a number >= 0, got {hub[key]!r}")
    for key in ("tls_cert", "tls_key"):
        if hub.get(key):
            hub[key] = Path(hub[key])
    if bool(hub.get("tls_cert")) != bool(hub.get("tls_key")):
        raise HubConfigError("[hub] tls_cert and tls_key go together")
    if "report_at" in hub:
        text = str(hub["report_at"])
        hh, _, mm = text.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
            raise HubConfigError(f'[hub] report_at must be a time like "07:30", got {text!r}')
    if "allowed_origins" in hub:
        hub["allowed_origins"] = tuple(hub["allowed_origins"])
    secrets = {}
    for source, table in data.get("channels", {}).items():
        if not isinstance(table, dict) or not isinstance(table.get("secret", ""), str):
            raise HubConfigError(f"[channels.{source}] must be a table with a text 'secret'")
        if table.get("secret"):
            secrets[source] = table["secret"]
    robots = data.get("wecom", {}).get("robots", {})
    if not isinstance(robots, dict) or not all(isinstance(u, str) and u.startswith("http") for u in robots.values()):
        raise HubConfigError("[wecom] robots must map a name to the robot's webhook URL (https://…)")
    per_minute = data.get("wecom", {}).get("per_minute", 20)
    if isinstance(per_minute, bool) or not isinstance(per_minute, int) or not 1 <= per_minute <= 20:
        raise HubConfigError("[wecom] per_minute must be a whole number from 1 to 20 (WeCom's limit)")
    return HubConfig(
        **hub,
        secrets=secrets,
        wecom_robots=dict(robots),
        wecom_per_minute=per_minute,
        smtp=_smtp(data.get("smtp", {})),
        report=_report(data.get("report", {})),
        forms=_forms(data.get("forms", {})),
    )


def _forms(table: Any) -> dict[str, FormPage]:
    """The [forms.NAME] tables: landing pages whose browsers may post leads (sync/hub/forms.py)."""
    try:
        return parse_form_pages(table)
    except FormConfigError as exc:
        raise HubConfigError(str(exc)) from None


def _report(table: Any) -> ReportSettings:
    """The [report] table: `language`, and [report.consultants] mapping a staff name (or "#id") to an address."""
    if not isinstance(table, dict):
        raise HubConfigError("[report] must be a table")
    unknown = set(table) - {"language", "consultants"}
    if unknown:
        raise HubConfigError(f"[report]: unknown key(s) {sorted(unknown)}")
    language = table.get("language", "zh_CN")
    if language not in REPORT_LANGUAGES:
        raise HubConfigError(f"[report] language must be one of {list(REPORT_LANGUAGES)}, got {language!r}")
    consultants = table.get("consultants", {})
    if not isinstance(consultants, dict):
        raise HubConfigError("[report.consultants] must map a consultant's name to an e-mail address")
    for who, address in consultants.items():
        if not who.strip() or not isinstance(address, str) or "@" not in address.strip(" @"):
            raise HubConfigError(f"[report.consultants] {who!r} must be given an e-mail address, got {address!r}")
    return ReportSettings({who.strip(): address.strip() for who, address in consultants.items()}, language)


def _smtp(table: dict[str, Any]) -> SmtpSettings:
    """The [smtp] table; the password may come from SALESFLOOR_SMTP_PASSWORD instead of the file."""
    known = {"host", "port", "security", "username", "password", "sender", "recipients"}
    unknown = set(table) - known
    if unknown:
        raise HubConfigError(f"[smtp]: unknown key(s) {sorted(unknown)}")
    security = table.get("security", "starttls")
    if security not in ("starttls", "ssl", "none"):
        raise HubConfigError("[smtp] security must be starttls, ssl or none")
    recipients = table.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(r, str) and "@" in r for r in recipients):
        raise HubConfigError("[smtp] recipients must be a list of e-mail addresses")
    port = table.get("port", 465 if security == "ssl" else 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise HubConfigError("[smtp] port must be a port number")
    return SmtpSettings(
        host=str(table.get("host", "")),
        port=port,
        security=security,
        username=str(table.get("username", "")),
        password=os.environ.get("SALESFLOOR_SMTP_PASSWORD") or str(table.get("password", "")),
        sender=str(table.get("sender", "salesfloor@localhost")),
        recipients=tuple(recipients),
    )
