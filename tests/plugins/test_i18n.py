"""The i18n plugin: dates in words and catalogs, with no dependency on the machine's locales."""

from __future__ import annotations

from datetime import datetime

import pytest
from babel.support import NullTranslations

from sitebuild import ROOT
from i18n import format_day, load_translations
from poll_spec import PARIS

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


def test_a_day_is_put_into_words_once_whatever_its_time_and_zone() -> None:
    late = datetime(2026, 3, 1, 23, 59)  # naive, another time of the same day
    assert format_day(late, "fr") == format_day(DAY, "fr") == "1er mars 2026"
    assert format_day(DAY.date(), "fr", "short") == "01/03/2026"


def test_an_edited_catalog_is_read_again(tmp_path) -> None:
    """The dev server builds many times in one process: a catalog edit must show."""
    folder = tmp_path / "translations" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = folder / "messages.po"
    entry = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Rubriques"\nmsgstr "{}"\n'
    catalog.write_text(entry.format("Sections"), encoding="utf-8")
    assert load_translations(str(tmp_path), "en").gettext("Rubriques") == "Sections"
    catalog.write_text(entry.format("Categories"), encoding="utf-8")
    assert load_translations(str(tmp_path), "en").gettext("Rubriques") == "Categories"
