"""`salesfloor hub transcripts import FILE...`: bring call transcripts in, tagged for the capability radar.

Every call read is created, replayed (already imported) or skipped with a reason; calls whose
consultant or customer could not be matched are kept and listed. Nothing printed shows a mobile.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.context import AppContext
from models.privacy import redact
from models.tabular import SourceFileError
from models.transcripts import CallIn, ImportReport, import_transcript_file, retag

pass_app = click.make_pass_decorator(AppContext)
SHOWN = 20  # problems printed per file


@click.group("transcripts")
def transcripts_group() -> None:
    """Call transcripts: import them, recount their tags."""


def report_lines(report: ImportReport) -> list[str]:
    """The summary of one file, one line each, free of personal data."""
    encoding = f", {report.encoding}" if report.encoding else ""
    lines = [
        f"{report.file} ({report.file_type}{encoding}): {report.read} call(s) read · {report.created} created · "
        f"{report.replayed} already imported · {len(report.skipped)} skipped"
        + (f" · {report.relinked} relinked" if report.relinked else "")
    ]
    lines += [f"  skipped {p.ref}: {p.reason}" for p in report.skipped[:SHOWN]]
    lines += [f"  warning {p.ref}: {p.reason}" for p in report.warnings[:SHOWN]]
    hidden = max(len(report.skipped) - SHOWN, 0) + max(len(report.warnings) - SHOWN, 0)
    if hidden:
        lines.append(f"  ... {hidden} more")
    return [redact(line) for line in lines]


@transcripts_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--consultant", default="", help="Consultant for files that do not name one (a staff name).")
@click.option("--customer", default="", help="Customer's mobile for files that do not give one.")
@click.option("--sheet", metavar="NAME", help="Worksheet of an XLSX file (default: the first).")
@pass_app
def import_transcripts(app: AppContext, files: tuple[Path, ...], consultant: str, customer: str, sheet: str | None):
    """Import transcripts: .txt (one call; 顾问：/客户： lines or not) or CSV/XLSX rows, any common encoding."""
    defaults = CallIn("file", consultant=consultant.strip(), customer=customer.strip())
    failed = unaccounted = 0
    totals = [0, 0, 0]
    for path in files:
        try:
            report = import_transcript_file(app.engine, app.vault, path, app.clock.now(), defaults, sheet=sheet)
        except (SourceFileError, OSError) as exc:
            click.echo(redact(f"{path.name}: not imported: {exc}"), err=True)
            failed += 1
            continue
        for line in report_lines(report):
            click.echo(line)
        totals = [totals[0] + report.created, totals[1] + report.replayed, totals[2] + len(report.skipped)]
        unaccounted += 0 if report.accounted else 1
    if len(files) > 1:
        click.echo(f"{len(files)} files: {totals[0]} created, {totals[1]} already imported, {totals[2]} skipped")
    if unaccounted:
        click.echo("error: some calls read were neither created, replayed nor skipped", err=True)
        sys.exit(1)
    if failed:
        sys.exit(2)


@transcripts_group.command("retag")
@pass_app
def retag_transcripts(app: AppContext) -> None:
    """Recount the tags of calls counted with an older taxonomy (after resources/tags changed)."""
    click.echo(f"{retag(app.engine, app.vault)} call(s) recounted")
