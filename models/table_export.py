"""Tables to files: what a screen shows, written as CSV (UTF-8 with BOM, so Excel reads Chinese) or as
an XLSX workbook (bold frozen header, typed numbers and dates, column widths from the content).

Pure Python with no Qt: the screen reads its table into `TableData` and hands it over; writing may run
on any thread. A file is written beside its destination and moved into place only when complete, so a
failed export never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from models.clock import business_time

FORMATS = ("xlsx", "csv")
WIDTH_SAMPLE_ROWS = 500
MAX_COLUMN_WIDTH = 60
_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,8})")  # up to 9 digits: longer runs are codes and phone numbers
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,8})\.(\d{1,6})")
_PERCENT = re.compile(r"-?(?:0|[1-9]\d{0,2})(?:\.(\d{1,3}))?%")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Typed:
    """A cell whose model gave a typed value (number, date) besides the text it displays."""

    value: Any
    text: str


Cell = str | Typed


@dataclass
class TableData:
    """A table as a screen shows it: visible columns in their order, rows in their sorted order."""

    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


class ExportError(Exception):
    """A table could not be written; `reason` is one of the REASONS codes, `path` the destination."""

    REASONS = ("format", "permission", "no_folder", "not_a_folder", "disk_full", "exists_as_folder", "other")

    def __init__(self, path: str, reason: str, detail: str = ""):
        """Where, why (a code the screen translates) and the system's own words."""
        super().__init__(f"cannot write {path}: {reason}{f' ({detail})' if detail else ''}")
        self.path = path
        self.reason = reason
        self.detail = detail


def export_format(path: str | Path) -> str:
    """'xlsx' or 'csv' from the file name; anything else is an ExportError('format')."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(str(path), "format", suffix)
    return suffix


def cell_text(cell: Cell) -> str:
    """What the screen displays in a cell."""
    return cell.text if isinstance(cell, Typed) else cell


def display_width(text: str) -> int:
    """Columns a text takes in a fixed-width sense: CJK and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def column_widths(table: TableData, sample: int = WIDTH_SAMPLE_ROWS) -> list[float]:
    """Spreadsheet column widths from the header and the first `sample` rows, within 6..60."""
    widths = [display_width(h) for h in table.headers]
    for row in table.rows[:sample]:
        for i, cell in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], display_width(cell_text(cell)))
    return [float(min(MAX_COLUMN_WIDTH, max(6, w + 2))) for w in widths]


def csv_safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (=, @, or +/- not starting a number)."""
    if len(text) < 2:  # a lone sign or symbol cannot be a formula
        return text
    if text[0] in ("=", "@", "\t", "\r") or (text[0] in ("+", "-") and not _looks_numeric(text)):
        return "'" + text
    return text


def _looks_numeric(text: str) -> bool:
    return bool(_INTEGER.fullmatch(text) or _DECIMAL.fullmatch(text) or _PERCENT.fullmatch(text))


def xlsx_value(cell: Cell) -> tuple[Any, str | None]:
    """(value, number format) for a spreadsheet cell: typed values as they are, displayed numbers and
    percentages as numbers, times in business time (Excel has no time zones), everything else as text."""
    if isinstance(cell, Typed):
        return _typed(cell.value, cell.text)
    if _INTEGER.fullmatch(cell):
        return int(cell), None
    if m := _DECIMAL.fullmatch(cell):
        return float(cell), "0." + "0" * len(m.group(1))
    if m := _PERCENT.fullmatch(cell):
        places = len(m.group(1) or "")
        return float(cell[:-1]) / 100, "0" + ("." + "0" * places if places else "") + "%"
    return cell, None


def _typed(value: Any, text: str) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool | int | float):
        return value, None
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent) if isinstance(value.as_tuple().exponent, int) else 2
        return value, "#,##0" + ("." + "0" * places if places else "")
    if isinstance(value, datetime):
        local = business_time(value).replace(tzinfo=None) if value.tzinfo else value
        return local, "yyyy-mm-dd hh:mm" + (":ss" if local.second else "")
    if isinstance(value, date):
        return value, "yyyy-mm-dd"
    if isinstance(value, time):
        return value, "hh:mm"
    return text, None


def sheet_title(title: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    return _SHEET_FORBIDDEN.sub("_", title).strip("'")[:31] or "Sheet1"


def write_csv(fh, table: TableData) -> int:
    """Write the table as CSV text to an open text file; returns the number of rows."""
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_safe(cell_text(cell)) for cell in row])
    return len(table.rows)


def write_xlsx(fh, table: TableData) -> int:
    """Write the table as a one-sheet workbook to an open binary file; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(table.title))
    sheet.freeze_panes = "A2"
    for i, width in enumerate(column_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold, centred = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header = []
    for text in table.headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font, cell.alignment = bold, centred
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, WriteOnlyCell, cell) for cell in row])
    book.save(fh)
    return len(table.rows)


def _xlsx_cell(sheet, make, cell: Cell):
    value, number_format = xlsx_value(cell)
    if isinstance(value, str):
        out = make(sheet, value=value)
        out.data_type = "s"  # text starting with "=" stays text, never a formula
        return out
    if number_format is None:
        return value
    out = make(sheet, value=value)
    out.number_format = number_format
    return out


def write_table(path: str | Path, table: TableData) -> int:
    """Write the table to `path` (.xlsx or .csv), replacing it only once complete; returns the row count."""
    kind = export_format(path)
    rows: list[int] = []

    def write(fh: BinaryIO) -> None:
        if kind == "csv":
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            rows.append(write_csv(text, table))
            text.flush()
            text.detach()  # the binary file stays open for save_atomically to close
        else:
            rows.append(write_xlsx(fh, table))

    save_atomically(path, write)
    return rows[0]


def save_atomically(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Write a file through `write(binary file)` into a temporary file beside it, then put it in place:
    a failure leaves the old file (or none), never half a file. ExportError says what went wrong."""
    target = Path(path)
    if target.is_dir():
        raise ExportError(str(path), "exists_as_folder")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _error(str(path), exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # as any new file would be (mkstemp makes it private)
        os.replace(temp, target)
    except OSError as exc:
        _discard(temp)
        raise _error(str(path), exc) from None
    except BaseException:
        _discard(temp)
        raise
    return target


def cells_as_text(sheet) -> None:
    """Every text cell of a sheet stays text: one starting with "=" is never run as a formula."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _discard(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)


def _error(path: str, exc: OSError) -> ExportError:
    """An OSError as the reasons a person can act on."""
    reason = {
        errno.EACCES: "permission",
        errno.EPERM: "permission",
        errno.EROFS: "permission",
        errno.ENOENT: "no_folder",
        errno.ENOTDIR: "not_a_folder",
        errno.ENOSPC: "disk_full",
        errno.EDQUOT: "disk_full",
        errno.EISDIR: "exists_as_folder",
    }.get(exc.errno or 0, "other")
    return ExportError(path, reason, exc.strerror or type(exc).__name__)


def table_from_rows(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], text: Callable[[Any], str] = str
) -> TableData:
    """A TableData from plain values (numbers, dates, text); `text` renders a typed value for CSV."""
    out: list[list[Cell]] = []
    for row in rows:
        out.append([v if isinstance(v, str) else Typed(v, "" if v is None else text(v)) for v in row])
    return TableData(title, list(headers), out)
