"""Lead files as rows: open a CSV (any common encoding) or XLSX export and number its rows as a spreadsheet does.

Knows nothing of mappings or leads; cells come back as read (XLSX keeps numbers and dates typed) and
`cell_text` renders any of them as text.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any


class SourceFileError(ValueError):
    """A lead file cannot be read or does not fit its mapping; the message says why."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode an exported text file: UTF-16 by BOM, else UTF-8 (BOM optional), else GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise SourceFileError("the file is neither UTF-8 nor GB18030 (GBK) text") from None


def cell_text(value: Any) -> str:
    """A cell as text: integral numbers without '.0', date-times as 'YYYY-MM-DD HH:MM:SS'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """The rows of a file, numbered as a spreadsheet shows them, plus what was learned opening it."""

    rows: Iterator[tuple[int, list[Any]]]
    file_type: str
    encoding: str | None = None
    total_hint: int | None = None
    closer: Any = None

    def close(self) -> None:
        """Release the underlying file (XLSX workbooks stay open in read-only mode)."""
        if self.closer is not None:
            self.closer()


def _open_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    lines = text.count("\n")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise SourceFileError(f"CSV is malformed near line {reader.line_num}: {exc}") from None

    return Table(rows(), "csv", encoding, lines)


def _open_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SourceFileError(f"cannot open the workbook: {exc}") from None
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise SourceFileError(f"no sheet {sheet!r}; the workbook has {book.sheetnames}")
    ws = book[sheet] if sheet is not None else book.worksheets[0]
    rows = ((n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1))
    return Table(rows, "xlsx", None, ws.max_row, book.close)


def open_table(path: Path, sheet: str | None = None) -> Table:
    """Open a CSV (any common encoding) or XLSX file by content; old binary .xls is refused."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise SourceFileError(f"file not found: {path}") from None
    except OSError as exc:
        raise SourceFileError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceFileError("this is an old binary .xls workbook; save it as .xlsx or CSV first")
    if head.startswith(b"PK"):
        return _open_xlsx(path, sheet)
    if sheet is not None:
        raise SourceFileError("--sheet applies to XLSX workbooks only")
    return _open_csv(path.read_bytes())


def unique_headers(cells: list[Any]) -> list[str]:
    """Header names, made unique: an empty header is 'column N', a repeated one gets '#2', '#3'."""
    out: list[str] = []
    for i, cell in enumerate(cells, start=1):
        name = cell_text(cell).strip() or f"column {i}"
        base, n = name, 1
        while name in out:
            n += 1
            name = f"{base}#{n}"
        out.append(name)
    return out
