"""Sales-script tags: the taxonomy in `resources/tags/`, and one Aho-Corasick automaton that finds them.

Counting rule (the same in the benchmark's `re` baseline): on the normalised text, matches are the
leftmost-longest phrases that do not overlap, scanning left to right — "首付分期" counts once as
首付分期, not also as 首付. A phrase declared under `[shared]` counts for every tag it names.

Normalisation (`normalise`): NFKC (full-width letters, digits and punctuation to ASCII), lower case,
and traditional characters folded to simplified (resources/tags/simplified.toml). Positions refer to
the normalised text.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick

TAGS_DIR = Path(__file__).resolve().parent.parent / "resources" / "tags"
TAXONOMY_FILE = TAGS_DIR / "taxonomy.toml"
FOLD_FILE = TAGS_DIR / "simplified.toml"


class TaxonomyError(ValueError):
    """The taxonomy file is inconsistent; the message names the tag or phrase."""


@dataclass(frozen=True)
class Dimension:
    """One axis of the capability radar (e.g. 抗性处理)."""

    key: str
    name: str
    en: str
    about: str = ""


@dataclass(frozen=True)
class Tag:
    """A sales-script tag and the phrases that signal it."""

    key: str
    name: str
    dimension: str
    phrases: tuple[str, ...]
    risk: bool = False  # a non-compliant claim: counted and shown, never part of a dimension score


@dataclass(frozen=True)
class Taxonomy:
    """Dimensions and tags in file order, the declared shared phrases, and a digest of the whole."""

    dimensions: tuple[Dimension, ...]
    tags: tuple[Tag, ...]
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest: str = ""

    def __post_init__(self) -> None:
        """Index the tags by key."""
        object.__setattr__(self, "_index", {t.key: t for t in self.tags})

    def tag(self, key: str) -> Tag:
        """A tag by key (KeyError when unknown)."""
        return self._index[key]  # type: ignore[attr-defined]

    def dimension(self, key: str) -> Dimension:
        """A dimension by key (KeyError when unknown)."""
        return next(d for d in self.dimensions if d.key == key)

    def tags_of(self, dimension: str) -> list[Tag]:
        """The tags of one dimension, in file order."""
        return [t for t in self.tags if t.dimension == dimension]


@lru_cache(maxsize=1)
def _fold_table() -> tuple[dict[int, int], re.Pattern[str]]:
    """The traditional → simplified translation table and a pattern that finds any traditional character."""
    with FOLD_FILE.open("rb") as fh:
        pairs = tomllib.load(fh)["pairs"].split()
    table = {ord(p[0]): ord(p[1]) for p in pairs}
    return table, re.compile("[" + "".join(p[0] for p in pairs) + "]")


@lru_cache(maxsize=1)
def _compatibility() -> re.Pattern[str]:
    """BMP characters NFKC turns into an ASCII letter or digit or an ideograph (Ｌ, ７, ㎡, ①, ⼈ …).

    Listed one by one so `re` compiles a bitmap (a class of ranges is tested range by range).
    """
    wanted = []
    for cp in range(0x80, 0x10000):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp) and any((c.isascii() and c.isalnum()) or "\u3400" <= c <= "\u9fff" for c in folded):
            wanted.append(re.escape(chr(cp)))
    return re.compile("[" + "".join(wanted) + "]")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # mathematical letters, CJK extensions: NFKC to be safe


def normalise(text: str) -> str:
    """NFKC, lower case, traditional → simplified; cheap when the text is already in that form.

    NFKC runs when the text holds a character it would turn into something a phrase can contain
    (an ASCII letter or digit, an ideograph). Phrases hold no punctuation, so a call whose only
    compatibility characters are full-width punctuation (，：？) is matched as it stands.
    """
    if _compatibility().search(text) or _ASTRAL.search(text):
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    table, traditional = _fold_table()
    if traditional.search(text):
        text = text.translate(table)
    return text


def _parse(data: dict, source: str) -> Taxonomy:
    """Build and check a taxonomy from the parsed TOML."""
    dims = []
    for key, d in (data.get("dimensions") or {}).items():
        if not d.get("name"):
            raise TaxonomyError(f"{source}: dimension {key!r} has no name")
        dims.append(Dimension(key, d["name"], d.get("en", key), d.get("about", "")))
    if not dims:
        raise TaxonomyError(f"{source}: no [dimensions]")
    dim_keys = {d.key for d in dims}
    tags: list[Tag] = []
    for dim, entries in (data.get("tags") or {}).items():
        if dim not in dim_keys:
            raise TaxonomyError(f"{source}: [tags.{dim}] is not a declared dimension")
        for key, t in entries.items():
            phrases = tuple(t.get("phrases", ()))
            if not t.get("name") or len(phrases) < 2:
                raise TaxonomyError(f"{source}: tag {key!r} needs a name and at least 2 phrases")
            tags.append(Tag(key, t["name"], dim, phrases, bool(t.get("risk", False))))
    keys = Counter(t.key for t in tags)
    if dup := [k for k, n in keys.items() if n > 1]:
        raise TaxonomyError(f"{source}: tag keys used twice: {dup}")
    shared = {normalise(p): tuple(ts) for p, ts in (data.get("shared") or {}).items()}
    owners: dict[str, list[str]] = {}
    for t in tags:
        for p in t.phrases:
            norm = normalise(p).strip()
            if not norm:
                raise TaxonomyError(f"{source}: tag {t.key!r} has an empty phrase")
            if t.key in owners.get(norm, []):
                raise TaxonomyError(f"{source}: tag {t.key!r} lists {p!r} twice")
            owners.setdefault(norm, []).append(t.key)
    for phrase, tag_keys in owners.items():
        if len(tag_keys) > 1 and sorted(shared.get(phrase, ())) != sorted(tag_keys):
            raise TaxonomyError(f"{source}: phrase {phrase!r} belongs to {tag_keys}; declare it under [shared]")
    for phrase, tag_keys in shared.items():
        if sorted(owners.get(phrase, [])) != sorted(tag_keys):
            raise TaxonomyError(f"{source}: shared phrase {phrase!r} must be listed in exactly the tags {tag_keys}")
    return Taxonomy(tuple(dims), tuple(tags), shared)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and check a taxonomy file (default: the shipped one); raise TaxonomyError when inconsistent."""
    path = Path(path) if path else TAXONOMY_FILE
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TaxonomyError(f"{path.name}: {exc}") from None
    taxonomy = _parse(data, path.name)
    digest = hashlib.sha256(raw + FOLD_FILE.read_bytes()).hexdigest()[:16]
    return Taxonomy(taxonomy.dimensions, taxonomy.tags, taxonomy.shared, digest)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, read once."""
    return load_taxonomy()


@dataclass(frozen=True)
class TagHit:
    """One match: where in the normalised text, which phrase, and the tags it signals."""

    start: int
    end: int
    phrase: str
    tags: tuple[str, ...]


def _bytes(text: str) -> str:
    """The UTF-8 bytes of a text, one Latin-1 character per byte (what the automaton walks)."""
    return text.encode("utf-8").decode("latin-1")


class Tagger:
    """Finds a taxonomy's tags in text with one Aho-Corasick automaton (no per-tag loop).

    The automaton walks the UTF-8 bytes of the text: pyahocorasick looks a node's children up one by
    one, and over bytes a node has a few dozen children instead of hundreds of ideographs (about
    twice as fast). UTF-8 is self-synchronising, so a phrase's bytes only match on character boundaries.
    """

    def __init__(self, taxonomy: Taxonomy | None = None):
        """Build the automaton over every phrase of the taxonomy (normalised as text is)."""
        self.taxonomy = taxonomy or default_taxonomy()
        owners: dict[str, list[str]] = {}
        for t in self.taxonomy.tags:
            for p in t.phrases:
                owners.setdefault(normalise(p).strip(), []).append(t.key)
        self.phrases: list[str] = list(owners)
        self.phrase_tags: list[tuple[str, ...]] = [tuple(owners[p]) for p in self.phrases]
        self._automaton = ahocorasick.Automaton()
        for index, phrase in enumerate(self.phrases):
            encoded = _bytes(phrase)
            self._automaton.add_word(encoded, (len(encoded), index))
        self._automaton.make_automaton()

    def _matches(self, text: str) -> list[tuple[int, int, int]]:
        """(byte start, byte length, phrase index) of the leftmost-longest non-overlapping matches."""
        longest: dict[int, tuple[int, int]] = {}
        get = longest.get
        for end, (length, index) in self._automaton.iter(_bytes(text)):
            start = end - length + 1
            if length > get(start, (0, 0))[0]:
                longest[start] = (length, index)
        out = []
        free_from = 0
        for start in sorted(longest):
            if start >= free_from:
                length, index = longest[start]
                out.append((start, length, index))
                free_from = start + length
        return out

    def phrase_counts(self, text: str, *, normalised: bool = False) -> Counter[str]:
        """How often each phrase matched (keys are normalised phrases)."""
        if not normalised:
            text = normalise(text)
        counts: Counter[int] = Counter(index for _, _, index in self._matches(text))
        return Counter({self.phrases[i]: n for i, n in counts.items()})

    def count(self, text: str, *, normalised: bool = False) -> Counter[str]:
        """Tag key → number of matches in the text."""
        if not normalised:
            text = normalise(text)
        by_phrase: Counter[int] = Counter(index for _, _, index in self._matches(text))
        out: Counter[str] = Counter()
        for index, n in by_phrase.items():
            for key in self.phrase_tags[index]:
                out[key] += n
        return out

    def hits(self, text: str, *, normalised: bool = False) -> list[TagHit]:
        """Every match with its position (in characters) in the normalised text (see `normalise`)."""
        if not normalised:
            text = normalise(text)
        data = text.encode("utf-8")
        out = []
        chars = done = 0  # characters before byte offset `done`
        for start, _length, index in self._matches(text):
            chars += len(data[done:start].decode("utf-8"))
            phrase = self.phrases[index]
            out.append(TagHit(chars, chars + len(phrase), phrase, self.phrase_tags[index]))
            done = start
        return out

    def count_many(self, texts: Iterable[str]) -> Counter[str]:
        """Tag counts summed over several texts (no match spans two texts)."""
        total: Counter[str] = Counter()
        for text in texts:
            total.update(self.count(text))
        return total


@lru_cache(maxsize=1)
def default_tagger() -> Tagger:
    """A tagger over the shipped taxonomy, built once."""
    return Tagger(default_taxonomy())
