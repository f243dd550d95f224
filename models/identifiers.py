"""Identifiers: normalise, validate, classify — never lose what was typed.

Every raw identifier that arrives on a lead becomes exactly one `Identifier`, valid or not.
An invalid or blocked identifier keeps its raw text (encrypted at rest) and a reason for staff;
it is never used for matching.

Policies (see docs/identity.md):
- Mobile numbers are parsed with `phonenumbers` (region CN) into E.164. Fixed lines become the
  separate kind `landline` (kept, shown, but not matched: office and family lines are shared).
- 居民身份证: 18 characters, ISO 7064 MOD 11-2 check character, a real birth date not in the future.
  An area code missing from python-stdnum's table is ACCEPTED with the warning `area_code_unknown`
  (the table lags behind re-districting; rejecting would lock out real people). A legacy 15-digit
  number is ACCEPTED with the warning `legacy_15_digit` and upgraded to its 18-digit form, so it
  matches the same person's second-generation card.
- Device ids by kind; values on the block list (all-zero IDFA/GAID, `null`, `unknown`, `-1`, …)
  never match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import phonenumbers
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent


class IdentifierKind(StrEnum):
    """What an identifier is; the order of STRENGTH below says how much a shared one proves."""

    NATIONAL_ID = "national_id"
    MOBILE = "mobile"
    LANDLINE = "landline"
    IDFA = "idfa"
    GAID = "gaid"
    DOUYIN_OPEN_ID = "douyin_open_id"
    ANJUKE_MEMBER_ID = "anjuke_member_id"
    WX_UNION_ID = "wx_union_id"
    WX_OPEN_ID = "wx_open_id"
    BROWSER_FP = "browser_fp"


DEVICE_KINDS = frozenset(
    {
        IdentifierKind.IDFA,
        IdentifierKind.GAID,
        IdentifierKind.DOUYIN_OPEN_ID,
        IdentifierKind.ANJUKE_MEMBER_ID,
        IdentifierKind.WX_UNION_ID,
        IdentifierKind.WX_OPEN_ID,
        IdentifierKind.BROWSER_FP,
    }
)

# Strength of a shared identifier as evidence of "same person" (higher is stronger). When a
# would-be customer breaks a limit, links of the weakest kind are held back first.
STRENGTH: dict[IdentifierKind, int] = {
    IdentifierKind.BROWSER_FP: 1,
    IdentifierKind.IDFA: 2,
    IdentifierKind.GAID: 2,
    IdentifierKind.WX_OPEN_ID: 3,
    IdentifierKind.DOUYIN_OPEN_ID: 4,
    IdentifierKind.ANJUKE_MEMBER_ID: 4,
    IdentifierKind.WX_UNION_ID: 5,
    IdentifierKind.LANDLINE: 5,
    IdentifierKind.MOBILE: 6,
    IdentifierKind.NATIONAL_ID: 9,
}


class Status(StrEnum):
    """Outcome of validation."""

    VALID = "valid"
    INVALID = "invalid"
    BLOCKED = "blocked"


DEFAULT_BLOCKLIST = frozenset(
    {"", "0", "-1", "null", "(null)", "nil", "none", "unknown", "undefined", "nan", "n/a", "na", "test"}
)
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TOKEN_RE = re.compile(r"^[0-9A-Za-z_\-.:=+/@]{4,128}$")
_PHONE_JUNK = re.compile(r"[\s\-().·/]")


@dataclass(frozen=True)
class Identifier:
    """One identifier as found on a lead, after validation.

    `value` is the canonical form when valid, else the raw text as typed. `reason` says why an
    identifier is not usable; `warnings` flag accepted-with-caution cases.
    """

    kind: IdentifierKind
    value: str
    status: Status
    reason: str = ""
    warnings: tuple[str, ...] = field(default=())

    matchable: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Decide once whether this identifier may link leads (valid and not a landline)."""
        object.__setattr__(self, "matchable", self.status == "valid" and self.kind != "landline")


@dataclass(frozen=True)
class IdentifierPolicy:
    """Configurable parts of validation: the block list and the reference date for birth dates."""

    blocklist: frozenset[str] = DEFAULT_BLOCKLIST
    extra_blocked: frozenset[str] = frozenset()

    def is_blocked(self, value: str) -> bool:
        """True when a value is on the block list (case-insensitive)."""
        low = value.strip().lower()
        return low in self.blocklist or low in self.extra_blocked


def nfkc(text: str) -> str:
    """Fold full-width digits, letters and punctuation to ASCII (e.g. '１３８' -> '138')."""
    return unicodedata.normalize("NFKC", text).strip()


_CN_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)
_CN_MOBILE_SHAPE = re.compile(r"(?:\+?86|0086)?(1\d{10})")


def parse_phone(raw: str) -> Identifier:
    """Normalise a phone number to E.164; classify mobile vs landline; explain failures."""
    text = _PHONE_JUNK.sub("", nfkc(raw))
    shape = _CN_MOBILE_SHAPE.fullmatch(text)
    if shape and _CN_MOBILE.fullmatch(shape.group(1)):
        # the common case, decided by phonenumbers' own CN mobile pattern without a full parse
        return Identifier(IdentifierKind.MOBILE, "+86" + shape.group(1), Status.VALID)
    if not text:
        return Identifier(IdentifierKind.MOBILE, raw, Status.INVALID, "empty phone number")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("86") and len(text) == 13 and text[2] == "1":
        text = "+" + text
    if not re.fullmatch(r"\+?\d+", text):
        return Identifier(IdentifierKind.MOBILE, raw, Status.INVALID, "phone number contains non-digits")
    digits = text.lstrip("+")
    if not text.startswith("+") and digits.startswith("1") and len(digits) != 11:
        return Identifier(
            IdentifierKind.MOBILE,
            raw,
            Status.INVALID,
            f"mobile number has {len(digits)} digits; a mainland mobile has 11",
        )
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        return Identifier(IdentifierKind.MOBILE, raw, Status.INVALID, f"not a phone number ({exc.error_type})")
    if not phonenumbers.is_valid_number(number):
        national = str(number.national_number)
        if number.country_code == 86 and national.startswith("1") and len(national) == 11:
            reason = f"no mainland carrier uses the prefix {national[:3]}"
        elif number.country_code == 86 and national.startswith("1"):
            reason = f"mobile number has {len(national)} digits; a mainland mobile has 11"
        else:
            reason = "not a valid phone number for its region"
        return Identifier(IdentifierKind.MOBILE, raw, Status.INVALID, reason)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    ntype = phonenumbers.number_type(number)
    if ntype in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return Identifier(IdentifierKind.MOBILE, e164, Status.VALID)
    return Identifier(IdentifierKind.LANDLINE, e164, Status.VALID, warnings=("landline",))


def _birth_date_problem(number18: str, today: date) -> str:
    """Return why the birth date inside an 18-digit ID is impossible, or '' if it is fine (no digits in it)."""
    try:
        born = ric.get_birth_date(number18)
    except InvalidComponent:
        return "the birth date in it does not exist (month or day out of range)"
    if born > today:
        return "the birth date in it lies in the future"
    if born.year < 1900:
        return "the birth date in it lies before 1900"
    return ""


def upgrade_legacy_id(number15: str) -> str:
    """Turn a first-generation 15-digit ID (YYMMDD, 19xx) into its 18-digit form."""
    body = number15[:6] + "19" + number15[6:]
    return body + ric.calc_check_digit(body + "0")


def parse_national_id(raw: str, today: date | None = None) -> Identifier:
    """Validate a 居民身份证 number; canonical form is 18 characters with upper-case X."""
    kind = IdentifierKind.NATIONAL_ID
    today = today or date.today()
    text = re.sub(r"[\s\-]", "", nfkc(raw)).upper()
    warnings: list[str] = []
    if re.fullmatch(r"\d{15}", text):
        problem = _birth_date_problem(text[:6] + "19" + text[6:12] + "0000", today)
        if problem:
            return Identifier(kind, raw, Status.INVALID, problem)
        text = upgrade_legacy_id(text)
        warnings.append("legacy_15_digit")
    if len(text) != 18:
        return Identifier(kind, raw, Status.INVALID, f"ID number has {len(text)} characters; it needs 18")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return Identifier(kind, raw, Status.INVALID, "ID number may only hold digits and a final X")
    expected = ric.calc_check_digit(text)
    if text[17] != expected:
        return Identifier(kind, raw, Status.INVALID, f"check character is {text[17]}, expected {expected}")
    problem = _birth_date_problem(text, today)
    if problem:
        return Identifier(kind, raw, Status.INVALID, problem)
    if not _area_code_known(text):
        warnings.append("area_code_unknown")
    return Identifier(kind, text, Status.VALID, warnings=tuple(warnings))


_AREA_KNOWN: dict[tuple[str, str], bool] = {}


def _area_code_known(number18: str) -> bool:
    """Whether python-stdnum's table knows the area code (as of the birth year) of a valid 18-digit ID.

    The answer depends only on the area code and the birth year, and the table lookup is slow (about
    30 µs), so it is remembered per (area, year).
    """
    key = (number18[:6], number18[6:10])
    known = _AREA_KNOWN.get(key)
    if known is None:
        try:
            ric.get_birth_place(number18)
            known = True
        except InvalidComponent:
            known = False
        if len(_AREA_KNOWN) < 200_000:
            _AREA_KNOWN[key] = known
    return known


def parse_device(kind: IdentifierKind, raw: str, policy: IdentifierPolicy) -> Identifier:
    """Validate a device or platform id; block placeholder values so they never match."""
    text = nfkc(raw)
    if policy.is_blocked(text):
        return Identifier(kind, raw, Status.BLOCKED, f"placeholder value {text!r} is on the block list")
    if kind in (IdentifierKind.IDFA, IdentifierKind.GAID):
        low = text.lower()
        if not _UUID_RE.match(low):
            return Identifier(kind, raw, Status.INVALID, f"{kind.value} must be a UUID (8-4-4-4-12 hex)")
        if low == _ZERO_UUID:
            return Identifier(kind, raw, Status.BLOCKED, f"all-zero {kind.value} (tracking limited)")
        return Identifier(kind, low, Status.VALID)
    if not _TOKEN_RE.match(text):
        return Identifier(kind, raw, Status.INVALID, f"{kind.value} must be 4-128 letters, digits or -_.:=+/@")
    return Identifier(kind, text, Status.VALID)


def parse_identifier(
    kind: IdentifierKind | str, raw: str, policy: IdentifierPolicy | None = None, today: date | None = None
) -> Identifier:
    """Validate any raw identifier of a declared kind."""
    kind = IdentifierKind(kind)
    policy = policy or IdentifierPolicy()
    if kind in (IdentifierKind.MOBILE, IdentifierKind.LANDLINE):
        return parse_phone(raw)
    if kind is IdentifierKind.NATIONAL_ID:
        return parse_national_id(raw, today)
    return parse_device(kind, raw, policy)


def parse_all(
    raw: Iterable[tuple[str, str]], policy: IdentifierPolicy | None = None, today: date | None = None
) -> list[Identifier]:
    """Validate (kind, raw) pairs, dropping exact duplicates but never an unusable value."""
    seen: set[tuple[str, str]] = set()
    out: list[Identifier] = []
    for kind, value in raw:
        if value is None:
            continue
        ident = parse_identifier(kind, str(value), policy, today)
        key = (ident.kind.value, ident.value)
        if key not in seen:
            seen.add(key)
            out.append(ident)
    return out
