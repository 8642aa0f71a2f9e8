"""The i18n plugin: dates in words and catalogs, with no dependency on the machine's locales."""

from __future__ import annotations

from datetime import datetime

import pytest
from babel.support import NullTranslations

from sitebuild import ROOT
from i18n import format_day, load_translations
from poll_service.definition import PARIS

DAY = datetime(2026, 3, 1, 9, 30, tzinfo=PARIS)


@pytest.mark.parametrize("lang, style, expected", [
    ("fr", "long", "1er mars 2026"),
    ("fr", "short", "01/03/2026"),
    ("en", "long", "1 March 2026"),
])
def test_dates_are_formatted_by_babel_in_the_site_language(lang: str, style: str, expected: str) -> None:
    assert format_day(DAY, lang, style) == expected


def test_the_english_catalog_translates_the_interface() -> None:
    translations = load_translations(str(ROOT / "theme"), "en")
    assert translations.gettext("Aller au contenu") == "Skip to content"


def test_a_language_without_catalog_falls_back_to_the_french_ids() -> None:
    translations = load_translations(str(ROOT / "theme"), "de")
    assert isinstance(translations, NullTranslations)
    assert translations.gettext("Aller au contenu") == "Aller au contenu"
