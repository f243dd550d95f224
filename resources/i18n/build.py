"""`python -m resources.i18n.build`: extract UI strings (pyside6-lupdate), fill Simplified Chinese from
zh_CN.py, compile the .qm (pyside6-lrelease). Fails listing any string that has no translation."""

from __future__ import annotations

import html
import importlib
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS = HERE / "salesfloor_zh_CN.ts"


def translations() -> dict[str, str]:
    """Every Simplified Chinese translation: zh_CN.py plus one zh_CN_<area>.py per screen family."""
    merged: dict[str, str] = {}
    for path in sorted(HERE.glob("zh_CN*.py")):
        module = importlib.import_module(f"resources.i18n.{path.stem}")
        merged.update(module.ZH_CN)
    return merged
BIN = Path(sys.executable).parent


def sources() -> list[Path]:
    """Python files with translatable strings."""
    return sorted([*(ROOT / "views").glob("*.py"), *(ROOT / "app").glob("*.py")])


def fill(text: str) -> tuple[str, list[str]]:
    """Put a translation into every message of a .ts text; return it and the sources left without one."""
    missing: list[str] = []
    zh_cn = translations()

    def one(match: re.Match) -> str:
        block = match.group(0)
        source = html.unescape(re.search(r"<source>(.*?)</source>", block, re.S).group(1))
        zh = zh_cn.get(source)
        if zh is None:
            missing.append(source)
            return block
        if 'numerus="yes"' in block:
            translation = f"<translation><numerusform>{html.escape(zh, quote=False)}</numerusform></translation>"
        else:
            translation = f"<translation>{html.escape(zh, quote=False)}</translation>"
        return re.sub(r"<translation[^>]*>.*?</translation>|<translation[^>]*/>", translation, block, flags=re.S)

    return re.sub(r"<message[^>]*>.*?</message>", one, text, flags=re.S), missing


def main() -> int:
    """Regenerate the .ts and .qm; exit 1 if a string lacks a translation."""
    subprocess.run(
        [str(BIN / "pyside6-lupdate"), *map(str, sources()), "-no-obsolete", "-ts", str(TS)],
        check=True,
        capture_output=True,
    )
    text, missing = fill(TS.read_text(encoding="utf-8"))
    TS.write_text(text, encoding="utf-8")
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True, capture_output=True
    )
    if missing:
        print("no translation for:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
