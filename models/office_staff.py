"""People for a new office: read from an Excel or CSV list, checked, created all together or not at all.

A list has a name column (姓名 / name), optionally a role (角色 / 岗位 / role, in Chinese or English;
empty means 置业顾问), the person's own mobile (手机 / mobile) and, for brokers, the agency code
(分销机构 / agency). Every problem names its spreadsheet row; a list with any problem imports nobody.
Mobiles never appear in a message.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Connection

from models.identifiers import Status, parse_phone
from models.import_mapping import norm_header
from models.office_setup import StaffEntry
from models.office_texts import Problem, staff_where
from models.privacy import Vault
from models.staff import ROLE_LABELS_ZH, Role, StaffError, StaffMember, add_staff, list_staff
from models.tabular import SourceFileError, cell_text, open_table

HEADER_ROWS = 20
MAX_NAME = 32
COLUMNS = {
    "name": ("姓名", "名字", "员工姓名", "顾问姓名", "name", "fullname"),
    "role": ("角色", "岗位", "职位", "职务", "role", "position"),
    "mobile": ("手机", "手机号", "手机号码", "电话", "联系电话", "mobile", "phone", "cellphone"),
    "agency": ("分销机构", "机构代码", "所属机构", "agency", "agencycode"),
}
ROLE_WORDS: dict[str, Role] = {
    **{r.value: r for r in Role},
    **{label: r for r, label in ROLE_LABELS_ZH.items()},
    "顾问": Role.CONSULTANT,
    "销售": Role.CONSULTANT,
    "销售顾问": Role.CONSULTANT,
    "置业": Role.CONSULTANT,
    "接待": Role.RECEPTION,
    "前台接待": Role.RECEPTION,
    "receptionist": Role.RECEPTION,
    "渠道": Role.CHANNEL_SPECIALIST,
    "拓客": Role.CHANNEL_SPECIALIST,
    "channelspecialist": Role.CHANNEL_SPECIALIST,
    "经纪人": Role.BROKER,
    "分销": Role.BROKER,
    "经理": Role.MANAGER,
    "销售经理": Role.MANAGER,
    "administrator": Role.ADMIN,
}


class StaffImportError(ValueError):
    """People that cannot be created as asked; `problems` says which and why."""

    def __init__(self, problems: Sequence[Problem]):
        """Keep the problems; the message is their English text."""
        self.problems = tuple(problems)
        super().__init__("; ".join(p.text("en") for p in self.problems))


@dataclass(frozen=True)
class StaffImport:
    """What a staff list gave: the people, or (if anything was wrong) nobody and the problems."""

    entries: tuple[StaffEntry, ...]
    problems: tuple[Problem, ...]


def parse_role(text: str) -> Role | None:
    """A role by its Chinese or English name ('置业顾问', 'Consultant', 'channel specialist'); empty: consultant."""
    key = unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "").replace("-", "")
    if not key:
        return Role.CONSULTANT
    return ROLE_WORDS.get(key) or ROLE_WORDS.get(key.replace("_", ""))


def _where(index: int, entry: StaffEntry) -> dict[str, str]:
    """Where a person came from, in both languages."""
    return staff_where(entry.row or index, bool(entry.row))


def check_staff(entries: Sequence[StaffEntry], existing: Mapping[str, int] | None = None) -> list[Problem]:
    """Everything wrong with people to create; `existing` maps names already in the hub to their ids."""
    existing = existing or {}
    problems: list[Problem] = []
    seen: dict[str, dict[str, str]] = {}
    for i, entry in enumerate(entries, start=1):
        where = _where(i, entry)
        name = entry.name.strip()
        if not name:
            problems.append(Problem("staff", "staff_name_missing", where))
            continue
        if len(name) > MAX_NAME:
            problems.append(Problem("staff", "staff_name_long", where))
        if parse_role(entry.role) is None:
            problems.append(Problem("staff", "staff_role", {**where, "role": entry.role}))
        elif parse_role(entry.role) is Role.BROKER and not entry.agency.strip():
            problems.append(Problem("staff", "staff_agency", where))
        if entry.mobile.strip():
            parsed = parse_phone(entry.mobile)
            if parsed.status is not Status.VALID or parsed.kind != "mobile":
                problems.append(Problem("staff", "staff_mobile", where))
        if name in seen:
            other = {"other_zh": seen[name]["where_zh"], "other_en": seen[name]["where_en"]}
            problems.append(Problem("staff", "staff_duplicate", {**where, **other, "name": name}))
        elif name in existing:
            problems.append(Problem("staff", "staff_exists", {**where, "name": name, "id": existing[name]}))
        seen.setdefault(name, where)
    return problems


def _find_header(rows) -> dict[str, int] | None:
    """The header row's column positions (by COLUMNS); the rows before it are skipped."""
    for _ in range(HEADER_ROWS):
        try:
            _number, cells = next(rows)
        except StopIteration:
            return None
        names = [norm_header(cell_text(c)) for c in cells]
        found = {}
        for key, words in COLUMNS.items():
            wanted = {norm_header(w) for w in words}
            at = next((i for i, n in enumerate(names) if n in wanted), None)
            if at is not None:
                found[key] = at
        if "name" in found:
            return found
    return None


def read_staff_file(path: Path, existing: Mapping[str, int] | None = None, sheet: str | None = None) -> StaffImport:
    """People from an Excel (.xlsx) or CSV list (any common encoding); nobody if any row is wrong."""
    try:
        table = open_table(Path(path), sheet)
    except SourceFileError as exc:
        return StaffImport((), (Problem("staff", "staff_file", {"reason": str(exc)}),))
    try:
        columns = _find_header(table.rows)
        if columns is None:
            return StaffImport((), (Problem("staff", "staff_no_name_column"),))
        entries = []
        for number, cells in table.rows:
            texts = {k: cell_text(cells[i]).strip() if i < len(cells) else "" for k, i in columns.items()}
            if not any(texts.values()):
                continue
            role = parse_role(texts.get("role", ""))
            entries.append(
                StaffEntry(
                    texts["name"],
                    role.value if role else texts.get("role", ""),
                    texts.get("mobile", ""),
                    texts.get("agency", ""),
                    number,
                )
            )
    except SourceFileError as exc:
        return StaffImport((), (Problem("staff", "staff_file", {"reason": str(exc)}),))
    finally:
        table.close()
    if not entries:
        return StaffImport((), (Problem("staff", "staff_empty"),))
    problems = check_staff(entries, existing)
    return StaffImport(() if problems else tuple(entries), tuple(problems))


def existing_staff(conn: Connection) -> dict[str, int]:
    """Names of the active people the hub already knows, with their ids."""
    return {m.name: m.id for m in list_staff(conn) if m.active}


def create_staff(
    conn: Connection, vault: Vault, entries: Sequence[StaffEntry], now: datetime
) -> list[tuple[StaffMember, str]]:
    """Create everyone with a one-time enrollment code each; StaffImportError (nobody created) if anyone is wrong.

    Run it inside one write transaction: a failure part-way raises, and the transaction rolls back.
    """
    problems = check_staff(entries, existing_staff(conn))
    if problems:
        raise StaffImportError(problems)
    created = []
    for i, entry in enumerate(entries, start=1):
        try:
            created.append(
                add_staff(
                    conn,
                    vault,
                    entry.name,
                    parse_role(entry.role).value,
                    now,
                    entry.agency.strip() or None,
                    entry.mobile.strip() or None,
                )
            )
        except StaffError as exc:
            raise StaffImportError(
                [Problem("staff", "staff_refused", {**_where(i, entry), "reason": str(exc)})]
            ) from None
    return created
