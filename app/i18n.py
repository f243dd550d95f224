"""Translations: Simplified Chinese by default, English available (Qt .qm files in resources/i18n)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

I18N = Path(__file__).resolve().parent.parent / "resources" / "i18n"
LANGUAGES = ("zh_CN", "en")


def chosen_language(explicit: str | None = None) -> str:
    """--lang, then SALESFLOOR_LANG, then zh_CN (the office's language)."""
    lang = explicit or os.environ.get("SALESFLOOR_LANG") or "zh_CN"
    return lang if lang in LANGUAGES else "zh_CN"


def install_translator(app: QCoreApplication, lang: str | None = None) -> str:
    """Load the translation for a language onto the application; English needs none."""
    lang = chosen_language(lang)
    if lang == "en":
        return lang
    qt_own = QTranslator(app)  # Qt's standard buttons and dialogs (Yes/No, Cancel, file dialogs)
    if qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
    translator = QTranslator(app)
    if translator.load(str(I18N / f"salesfloor_{lang}.qm")):
        app.installTranslator(translator)
        QLocale.setDefault(QLocale(lang))
    return lang
