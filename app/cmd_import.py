"""`salesfloor import FILE --source NAME`: bring a platform's lead export into the registry.

Every row read is accounted for: created, replayed (already imported) or rejected with a reason.
Personal data never reaches the terminal or the rejects report in plain text.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.context import AppContext
from models.import_mapping import Mapping, MappingError, load_mapping
from models.import_mapping import mapping_for_source as shipped_mapping
from models.importer import LeadReader, RowRejection
from models.leads import LeadIn
from models.privacy import mask_identifier, mask_name, redact
from models.reconcile import chunks
from models.registry import CustomerRegistry
from models.schema import leads
from models.tabular import SourceFileError

pass_app = click.make_pass_decorator(AppContext)
SHOWN = 20  # rejections and warnings printed on the terminal; the rejects file has them all


@dataclass
class FlaggedIdentifier:
    """An identifier imported but flagged unusable (the lead was created; the identifier never matches)."""

    row: int
    kind: str
    masked: str
    reason: str
    raw: dict[str, str]


@dataclass
class ImportTally:
    """What became of every row read."""

    read: int = 0
    created: int = 0
    joined: int = 0  # created leads now with a customer that has leads from before this import
    new_customers: int = 0  # customers made of this import's leads only
    replayed: int = 0
    rejected: int = 0
    rejections: list[RowRejection] = field(default_factory=list)
    warnings: list[FlaggedIdentifier] = field(default_factory=list)
    lead_ids: set[int] = field(default_factory=set)

    @property
    def accounted(self) -> bool:
        """True when every row read was created, replayed or rejected."""
        return self.read == self.created + self.replayed + self.rejected

    def reject(self, rejection: RowRejection) -> None:
        """Count a rejected row."""
        self.rejected += 1
        self.rejections.append(rejection)


def _raw(lead: LeadIn) -> dict[str, str]:
    """The raw row a lead was made from (its payload)."""
    try:
        return json.loads(lead.payload)
    except ValueError:
        return {}


def _ingest(
    registry: CustomerRegistry, batch: list[tuple[int, LeadIn]], tally: ImportTally, actor: str, id_column: str
) -> None:
    """Ingest one batch; a row whose message id was already stored with other content is rejected."""
    if not batch:
        return
    pairs = []
    for (number, lead), result in zip(
        batch, registry.ingest_many([lead for _, lead in batch], actor).results, strict=True
    ):
        if result.conflict:
            tally.reject(RowRejection(number, id_column, f"replay conflict: {result.conflict}", _raw(lead)))
        else:
            pairs.append(((number, lead), result))
    before = set(tally.lead_ids)
    tally.lead_ids |= {r.lead_id for _, r in pairs if not r.replayed}
    for (number, lead), result in pairs:
        if result.replayed or result.lead_id in before:
            tally.replayed += 1
        else:
            before.add(result.lead_id)
            tally.created += 1
        raw = _raw(lead) if result.problems else {}
        tally.warnings += [
            FlaggedIdentifier(number, kind, masked, reason, raw) for kind, masked, reason in result.problems
        ]


def ingest_rows(
    registry: CustomerRegistry,
    rows: Iterable[tuple[int, LeadIn | RowRejection]],
    batch_size: int = 500,
    actor: str = "import",
    on_progress: Callable[[ImportTally], None] | None = None,
) -> ImportTally:
    """Ingest rows (a LeadReader or any such pairs) in batches of one transaction each; account for every row."""
    id_column = getattr(rows, "message_id_column", "source_message_id")
    tally = ImportTally()
    batch: list[tuple[int, LeadIn]] = []
    for number, item in rows:
        tally.read += 1
        if isinstance(item, RowRejection):
            tally.reject(item)
        else:
            batch.append((number, item))
        if len(batch) >= batch_size:
            _ingest(registry, batch, tally, actor, id_column)
            batch = []
            if on_progress:
                on_progress(tally)
    _ingest(registry, batch, tally, actor, id_column)
    _settle(registry, tally)
    if on_progress:
        on_progress(tally)
    return tally


def _settle(registry: CustomerRegistry, tally: ImportTally) -> None:
    """Count new customers and leads that joined existing ones, from where the created leads ended up."""
    mine: Counter[int] = Counter()
    with registry.engine.connect() as conn:
        for part in chunks(sorted(tally.lead_ids)):
            mine.update(conn.execute(sa.select(leads.c.customer_id).where(leads.c.id.in_(part))).scalars())
        total: dict[int, int] = {}
        for part in chunks(sorted(mine)):
            q = sa.select(leads.c.customer_id, sa.func.count()).where(leads.c.customer_id.in_(part))
            total.update((cid, n) for cid, n in conn.execute(q.group_by(leads.c.customer_id)))
    tally.new_customers = sum(1 for cid, n in mine.items() if total.get(cid, n) == n)
    tally.joined = sum(n for cid, n in mine.items() if total.get(cid, n) > n)


def masked_row(raw: dict[str, str], reader: LeadReader) -> dict[str, str]:
    """The raw row with identifiers and names masked and anything mobile- or ID-shaped redacted."""
    names = set(reader.columns.get("name", []))
    out = {}
    for header, text in raw.items():
        kind = reader.identifier_columns.get(header)
        if kind is not None and text.strip():
            out[header] = mask_identifier(kind.value, text.strip())
        elif header in names:
            out[header] = mask_name(text)
        else:
            out[header] = redact(text)
    return out


def write_rejects(path: Path, tally: ImportTally, reader: LeadReader) -> None:
    """Write rejected rows and identifier warnings to a CSV (UTF-8 with BOM, so Excel shows Chinese)."""
    columns_of = {}
    for header, kind in reader.identifier_columns.items():
        columns_of.setdefault(kind.value, []).append(header)
    rows = [(r.row, "rejected", r.column, r.reason, r.raw) for r in tally.rejections]
    rows += [
        (
            w.row,
            "imported, identifier flagged",
            "/".join(columns_of.get(w.kind, [w.kind])),
            f"{w.kind} {w.masked}: {w.reason}",
            w.raw,
        )
        for w in tally.warnings
    ]
    rows.sort(key=lambda r: r[0])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "outcome", "column", "reason", *reader.headers])
        for number, outcome, column, reason, raw in rows:
            masked = masked_row(raw, reader)
            writer.writerow([number, outcome, column, redact(reason), *(masked.get(h, "") for h in reader.headers)])


def _fail(message: str) -> NoReturn:
    """A wrong file or mapping: say why (redacted) and exit 2."""
    click.echo(f"error: {redact(message)}", err=True)
    sys.exit(2)


def _summary(tally: ImportTally, reader: LeadReader, rejects: Path | None) -> list[str]:
    """The closing report, one line each, free of personal data."""
    lines = [
        f"  rows read                       {tally.read:>7}",
        f"  leads created                   {tally.created:>7}",
        f"    as new customers              {tally.new_customers:>7}   (customers made of this file's rows only)",
        f"    merged into existing ones     {tally.joined:>7}   (leads whose customer was known before)",
        f"  replays (already imported)      {tally.replayed:>7}",
        f"  rows rejected                   {tally.rejected:>7}" + (f"   -> {rejects}" if rejects else ""),
        f"  identifiers flagged unusable    {len(tally.warnings):>7}   (kept on the lead, never matched)",
    ]
    if reader.blank_rows or reader.preamble_rows:
        lines.append(f"  blank rows skipped {reader.blank_rows}, lines above the header {reader.preamble_rows}")
    for r in tally.rejections[:SHOWN]:
        lines.append(f"  rejected row {r.row} [{r.column}]: {r.reason}")
    for w in tally.warnings[:SHOWN]:
        lines.append(f"  warning  row {w.row}: {w.kind} {w.masked}: {w.reason}")
    hidden = max(len(tally.rejections) - SHOWN, 0) + max(len(tally.warnings) - SHOWN, 0)
    if hidden:
        lines.append(f"  ... {hidden} more")
    if (tally.rejections or tally.warnings) and not rejects:
        lines.append("  (--rejects FILE writes every rejected or flagged row, masked, to a CSV)")
    return [redact(line) for line in lines]


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--source",
    required=True,
    metavar="NAME",
    help="Where the file comes from (douyin, anjuke, agency, ...); picks the shipped mapping.",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A custom mapping file (TOML) instead of the shipped one for NAME.",
)
@click.option("--sheet", metavar="NAME", help="Worksheet of an XLSX file (default: the first).")
@click.option(
    "--batch",
    "batch_size",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="Rows per transaction.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write rejected rows and identifier warnings (masked) to this CSV.",
)
@click.option("--actor", default="import", show_default=True, help="Who imports (for the evidence log).")
@pass_app
def import_command(
    app: AppContext,
    file: Path,
    source: str,
    mapping_file: Path | None,
    sheet: str | None,
    batch_size: int,
    rejects: Path | None,
    actor: str,
) -> None:
    """Import a lead export (CSV in UTF-8/GB18030, or XLSX) from a platform, an agency or the front desk."""
    if not file.is_file():
        _fail(f"file not found: {file}")
    if rejects is not None and not rejects.resolve().parent.is_dir():
        _fail(f"cannot write the rejects report: no directory {rejects.resolve().parent}")
    try:
        mapping: Mapping = load_mapping(mapping_file, source) if mapping_file else shipped_mapping(source)
        reader = LeadReader(file, mapping, source, sheet, now=app.clock.now())
    except (MappingError, SourceFileError) as exc:
        _fail(f"{file.name}: {exc}" if isinstance(exc, SourceFileError) else str(exc))
    encoding = f", encoding {reader.table.encoding}" if reader.table.encoding else ""
    click.echo(
        f"importing {file.name} (source {reader.source}, mapping {mapping.name}, "
        f"{reader.table.file_type}{encoding}, header on row {reader.header_row})"
    )
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "created {task.fields[created]} · replayed {task.fields[replayed]} · rejected {task.fields[rejected]}"
        ),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("rows", total=reader.total_hint, created=0, replayed=0, rejected=0)

        def progress(t: ImportTally) -> None:
            bar.update(task, completed=t.read, created=t.created, replayed=t.replayed, rejected=t.rejected)

        try:
            tally = ingest_rows(app.registry, reader, batch_size, actor, progress)
        except SourceFileError as exc:
            _fail(f"{file.name}: {exc} (rows before this point were imported; importing again is safe)")
        bar.update(task, total=tally.read)
    if rejects is not None:
        write_rejects(rejects, tally, reader)
    for line in _summary(tally, reader, rejects if tally.rejections or tally.warnings else None):
        click.echo(line)
    if not tally.accounted:
        click.echo(
            f"error: {tally.read} rows read but only {tally.created + tally.replayed + tally.rejected} accounted for",
            err=True,
        )
        sys.exit(1)
    click.echo(f"all {tally.read} rows accounted for.")
