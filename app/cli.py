"""The `salesfloor` command: one entry point, subcommands per concern."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from app import __version__
from app.context import AppContext
from app.logging_setup import configure_logging
from models.audit import AuditLog
from models.lookup import customer_detail, evidence_bundle, open_reviews, resolve_customer_id
from models.privacy import MasterKeyError
from models.registry import OperationError
from models.rules import RulesError

pass_ctx = click.make_pass_decorator(AppContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesfloor")
@click.option("--db", envvar="SALESFLOOR_DB", help="Database URL (default: SQLite in the data dir).")
@click.option(
    "--data-dir",
    envvar="SALESFLOOR_DATA_DIR",
    type=click.Path(file_okay=False),
    help="Where the database and key file live.",
)
@click.option(
    "--rules",
    envvar="SALESFLOOR_RULES",
    type=click.Path(dir_okay=False),
    help="Project rules file (TOML) overriding resources/rules/default.toml.",
)
@click.option(
    "--key-source",
    type=click.Choice(["auto", "env", "file", "keyring"]),
    default=None,
    help="Where the master key comes from.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def cli(ctx: click.Context, db, data_dir, rules, key_source, verbose) -> None:
    """案场销管台 salesfloor — one customer per person, dispatch in seconds."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)
    ctx.obj = AppContext.from_options(db=db, data_dir=data_dir, rules=rules, key_source=key_source)


@cli.command()
@click.option("--leads", default=300, show_default=True, help="How many leads the synthetic day has.")
@click.option("--seed", default=20261121, show_default=True, help="Random seed of the synthetic day.")
@click.option("--fresh/--keep", default=True, show_default=True, help="Start from an empty demo database.")
@pass_ctx
def demo(app: AppContext, leads: int, seed: int, fresh: bool) -> None:
    """Ingest a synthetic day of leads and print customers, merges and attribution."""
    from app.demo import run_demo

    run_demo(app, leads=leads, seed=seed, fresh=fresh)


@cli.command()
@click.option("--leads", default=240, show_default=True, help="Leads the simulated channels send during the run.")
@click.option("--minutes", default=60.0, show_default=True, help="Over how many minutes they arrive.")
@click.option("--mode", type=click.Choice(["auto", "grab"]), default=None, help="Dispatch mode (default: today's).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None, help="Screen language (default zh_CN).")
@click.option("--seconds", default=90.0, show_default=True, help="Without a screen: run this long, save PNGs, stop.")
@pass_ctx
def office(app: AppContext, leads: int, minutes: float, mode: str | None, lang: str | None, seconds: float) -> None:
    """The whole office on this machine: hub, simulated channels, reception, consultants, manager, wall."""
    from app.office import run_office

    sys.exit(run_office(app.settings.data_dir, lang, leads=leads, minutes=minutes, mode=mode, seconds=seconds))


@cli.command()
@click.option("--hub", default=None, help="The hub's HTTP address for a new sign-in, e.g. http://192.168.1.20:8766.")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None, help="Screen language (default zh_CN).")
@pass_ctx
def desk(app: AppContext, hub: str | None, lang: str | None) -> None:
    """Open the desktop client (reception, consultant, manager by the signed-in role)."""
    from app.desk import run_desk

    sys.exit(run_desk(app.settings.data_dir / "desk", hub, lang))


@cli.command()
@click.option("--hub", default=None, help="The hub's HTTP address for a new sign-in (a `wall` account).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None, help="Screen language (default zh_CN).")
@click.option("--screen", type=int, default=0, show_default=True, help="Which screen to fill (0 = primary).")
@pass_ctx
def wall(app: AppContext, hub: str | None, lang: str | None, screen: int) -> None:
    """Open the lobby wall full screen (F11 toggles, Esc asks before leaving)."""
    from app.wall import run_wall

    sys.exit(run_wall(app.settings.data_dir / "wall", hub, lang, screen))


@cli.group()
def audit() -> None:
    """The evidence log (hash chain)."""


@audit.command("verify")
@pass_ctx
def audit_verify(app: AppContext) -> None:
    """Check every row of the evidence chain; exit 1 if anything was edited or deleted."""
    log = AuditLog(app.vault.audit_key)
    with app.engine.connect() as conn:
        problems = log.verify(conn)
        seq, digest = log.head(conn)
    if problems:
        for p in problems:
            click.echo(f"TAMPERED: {p}", err=True)
        sys.exit(1)
    click.echo(f"intact: {seq} rows, head {digest}")


@audit.command("export")
@click.argument("customer", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@pass_ctx
def audit_export(app: AppContext, customer: int, output: str | None) -> None:
    """Write the evidence bundle of a customer (JSON) for an agency dispute."""
    with app.engine.connect() as conn:
        cid = resolve_customer_id(conn, customer)
        bundle = evidence_bundle(
            conn, app.vault, app.rules.protection, AuditLog(app.vault.audit_key), cid, app.clock.now()
        )
    text = json.dumps(bundle, ensure_ascii=False, indent=2, default=str)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote evidence bundle of customer #{cid} to {output}")
    else:
        click.echo(text)


@cli.group()
def customer() -> None:
    """Look at customers; merge and split by hand."""


@customer.command("show")
@click.argument("customer_id", type=int)
@pass_ctx
def customer_show(app: AppContext, customer_id: int) -> None:
    """Show a customer's merged timeline, attribution and 判客 (masked)."""
    from app.render import print_customer

    with app.engine.connect() as conn:
        cid = resolve_customer_id(conn, customer_id)
        detail = customer_detail(conn, app.vault, app.rules.protection, cid, app.clock.now())
    print_customer(detail)


@customer.command("merge")
@click.argument("keep", type=int)
@click.argument("absorb", type=int)
@click.option("--actor", required=True, help="Who decides (name of the staff member).")
@click.option("--note", default="", help="Why.")
@click.option("--review", type=int, default=None, help="Review item this merge settles.")
@pass_ctx
def customer_merge(app: AppContext, keep: int, absorb: int, actor: str, note: str, review: int | None) -> None:
    """Merge customer ABSORB into KEEP."""
    changes = app.registry.merge(keep, absorb, actor, note, review)
    click.echo(f"merged: {changes.merged or 'no change'}")


@customer.command("split")
@click.argument("customer_id", type=int)
@click.argument("lead_ids", type=int, nargs=-1, required=True)
@click.option("--actor", required=True, help="Who decides (name of the staff member).")
@click.option("--note", default="", help="Why.")
@pass_ctx
def customer_split(app: AppContext, customer_id: int, lead_ids: tuple[int, ...], actor: str, note: str) -> None:
    """Split LEAD_IDS out of CUSTOMER_ID into a new customer."""
    changes = app.registry.split(customer_id, list(lead_ids), actor, note)
    click.echo(f"split: {changes.split}")


@cli.group()
def review() -> None:
    """The review queue: held-back links and conflicting customers."""


@review.command("list")
@pass_ctx
def review_list(app: AppContext) -> None:
    """List open review items with their evidence (masked)."""
    with app.engine.connect() as conn:
        items = open_reviews(conn)
    if not items:
        click.echo("review queue is empty")
    for item in items:
        ev = item["evidence"]
        click.echo(
            f"#{item['id']} [{item['kind']}] customer #{item['customer_id']}: {ev.get('text', '')} "
            f"leads {ev.get('lead_ids', [])}"
        )


@review.command("close")
@click.argument("review_id", type=int)
@click.argument("decision", type=click.Choice(["kept_apart", "dismissed"]))
@click.option("--actor", required=True)
@click.option("--note", default="")
@pass_ctx
def review_close(app: AppContext, review_id: int, decision: str, actor: str, note: str) -> None:
    """Close a review item without merging."""
    app.registry.close_review(review_id, decision, actor, note)
    click.echo(f"review #{review_id}: {decision}")


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(app: AppContext) -> None:
    """Apply migrations up to the newest schema."""
    app.engine  # noqa: B018 - opening the engine migrates
    click.echo(f"schema up to date: {app.settings.db_url.split('@')[-1]}")


def _attach_subcommands() -> None:
    """Subcommands that live in their own modules."""
    from app.cmd_hub import hub_command
    from app.cmd_import import import_command
    from app.cmd_setup import settings_command, setup_command
    from app.cmd_simulate import simulate_command

    cli.add_command(import_command)
    cli.add_command(hub_command)
    cli.add_command(simulate_command)
    cli.add_command(setup_command)
    cli.add_command(settings_command)


_attach_subcommands()


def main() -> None:
    """Console-script entry point: run the CLI and turn domain errors into clear messages."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (MasterKeyError, RulesError, OperationError, LookupError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if isinstance(code, int) and code:  # ctx.exit(n) in non-standalone mode returns n
        sys.exit(code)


if __name__ == "__main__":
    main()
