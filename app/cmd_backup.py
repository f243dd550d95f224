"""`salesfloor hub backup` / `restore`: online, consistent backups of the office database."""

from __future__ import annotations

from pathlib import Path

import click

from app.context import AppContext
from models.backup import BackupError, restore_backup, take_backup
from models.clock import BUSINESS_TZ
from models.db import make_engine

pass_app = click.make_pass_decorator(AppContext)


@click.command("backup")
@click.argument("output", required=False, type=click.Path(dir_okay=False))
@pass_app
def backup_command(app: AppContext, output: str | None) -> None:
    """Back up the office database to a zip file; the hub may keep running (one consistent snapshot).

    Personal data stays encrypted in the backup: keep the master key (salesfloor key) safe, apart from it.
    """
    now = app.clock.now()
    stamp = now.astimezone(BUSINESS_TZ).strftime("%Y%m%d-%H%M%S")
    path = Path(output) if output else app.settings.data_dir / "backups" / f"salesfloor-{stamp}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        summary = take_backup(app.engine, path, app.vault.fingerprint(), now)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {summary.path}")
    click.echo(f"  {len(summary.tables)} tables, {summary.rows} rows, schema {summary.revision}")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Delete every row of the target database first.")
@pass_app
def restore_command(app: AppContext, backup: str, replace: bool) -> None:
    """Restore BACKUP into the database given by --db (a new, empty one unless --replace); stop the hub first."""
    url = app.settings.db_url
    if url.startswith("sqlite"):
        app.settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        summary = restore_backup(engine, Path(backup), app.vault.fingerprint(), replace)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"restored {summary.rows} rows in {len(summary.tables)} tables from {summary.path}")
    click.echo(f"  taken at {summary.taken_at}; the database is now at the newest schema")
