"""`salesfloor hub`: run the office hub, and manage the people who may connect to it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from pathlib import Path

import click

from app.context import AppContext
from models.db import write_transaction
from models.staff import ROLE_LABELS_ZH, Role, StaffError, add_staff, find_staff, issue_enrollment, list_staff, revoke
from sync.hub.config import HubConfigError, load_hub_config

pass_app = click.make_pass_decorator(AppContext)


@click.group("hub", invoke_without_command=True)
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1; 0.0.0.0 for the office LAN).")
@click.option("--ws-port", type=int, default=None, help="Websocket port for desktop clients (default 8765).")
@click.option("--http-port", type=int, default=None, help="HTTP port for channel webhooks (default 8766).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="hub.toml to use.")
@click.pass_context
def hub_command(ctx: click.Context, host, ws_port, http_port, config_file) -> None:
    """Run the hub (websocket sync, channel webhooks, dispatch) until Ctrl+C."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    path = Path(config_file) if config_file else app.settings.data_dir / "hub.toml"
    try:
        config = load_hub_config(path, host=host, ws_port=ws_port, http_port=http_port)
    except HubConfigError as exc:
        raise click.ClickException(str(exc)) from None
    config = replace(config, channels_dir=path.parent / "channels")  # `salesfloor setup` writes the office's there
    from sync.hub.server import serve_forever

    logging.getLogger("websockets").setLevel(logging.WARNING)
    app.registry  # noqa: B018 - open the database and keys before listening
    background = []
    qt = None  # the headless Qt instance painting report charts lives as long as the hub runs
    if config.smtp.recipients or config.report.consultants:
        qt, job = _daily_reports(app, config)
        background.append(job)
    with contextlib.suppress(KeyboardInterrupt):  # Windows, where signal handlers are not available
        asyncio.run(serve_forever(app.registry, config, background))
    del qt


def _daily_reports(app: AppContext, config):
    """The daily report job; charts are painted offscreen, so the hub needs a (headless) Qt instance."""
    import os
    from datetime import time

    from PySide6.QtGui import QGuiApplication

    from app.report_job import daily_reports

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qt = QGuiApplication.instance() or QGuiApplication([])  # created on the main thread
    hours, minutes = (int(x) for x in config.report_at.split(":"))
    return qt, daily_reports(app.registry, time(hours, minutes), config.smtp.recipients, config.report)


@hub_command.group("user")
def user() -> None:
    """People who may connect: add, list, new enrollment code, revoke."""


@user.command("add")
@click.option("--name", required=True, help="Display name, e.g. 王磊.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", default=None, help="Agency code (required for brokers).")
@click.option("--mobile", default=None, help="The person's own mobile (for WeCom @-mentions); stored encrypted.")
@pass_app
def user_add(app: AppContext, name: str, role: str, agency: str | None, mobile: str | None) -> None:
    """Add a person and print their one-time enrollment code."""
    try:
        with write_transaction(app.engine) as conn:
            member, code = add_staff(conn, app.vault, name, role, app.clock.now(), agency, mobile)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"#{member.id} {member.name} · {ROLE_LABELS_ZH[member.role]} ({member.role.value})")
    click.echo(f"enrollment code (one use, 7 days): {code}")


@user.command("list")
@pass_app
def user_list(app: AppContext) -> None:
    """Everyone with role, status and whether they are active."""
    with app.engine.connect() as conn:
        people = list_staff(conn)
    if not people:
        click.echo("nobody yet: salesfloor hub user add --name … --role …")
    for m in people:
        flag = "" if m.active else "  [revoked]"
        click.echo(f"#{m.id:<4} {m.name:<8} {m.role.value:<18} {m.status.value:<8} {m.mobile_masked}{flag}")


@user.command("code")
@click.argument("who")
@pass_app
def user_code(app: AppContext, who: str) -> None:
    """A new one-time enrollment code for WHO (id or name), e.g. for a new computer."""
    try:
        with write_transaction(app.engine) as conn:
            member = find_staff(conn, who)
            if not member.active:
                raise StaffError(f"{member.name} is revoked")
            code = issue_enrollment(conn, member.id, app.clock.now())
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"enrollment code for #{member.id} {member.name} (one use, 7 days): {code}")


@user.command("revoke")
@click.argument("who")
@pass_app
def user_revoke(app: AppContext, who: str) -> None:
    """Revoke every token of WHO (id or name); their open connections close within 2 seconds."""
    try:
        with write_transaction(app.engine) as conn:
            member = find_staff(conn, who)
            count = revoke(conn, member.id, app.clock.now())
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked #{member.id} {member.name}: {count} token(s)")


def _attach_subcommands() -> None:
    """Hub subcommands that live in their own modules."""
    from app.cmd_backup import backup_command, restore_command
    from app.cmd_transcripts import transcripts_group

    hub_command.add_command(backup_command)
    hub_command.add_command(restore_command)
    hub_command.add_command(transcripts_group)


_attach_subcommands()
