"""i18n: the theme's interface strings and dates in the site's language, through Babel.

Templates call ``_("…")`` (Jinja2's i18n extension) and the ``date_long`` / ``date_short``
filters. The catalogs are the theme's ``translations/<lang>/LC_MESSAGES/messages.po``, read
with Babel at build time, so neither compiled ``.mo`` files nor the machine's installed
locales are needed. Message ids are French: a missing catalog still shows French.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from pelican import signals

log = logging.getLogger(__name__)


def load_translations(theme: str, lang: str) -> NullTranslations:
    """Return the theme's gettext translations for ``lang`` (French ids need none).

    Read again when the catalog changes: the dev server builds many times in one process.
    """
    po_path = Path(theme) / "translations" / lang / "LC_MESSAGES" / "messages.po"
    try:
        stat = po_path.stat()
    except OSError:
        if lang != "fr":
            log.warning("i18n: no catalog for %r at %s, the interface stays in French", lang, po_path)
        return NullTranslations()
    return _read_catalog(str(po_path), lang, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _read_catalog(po_path: str, lang: str, size: int, mtime_ns: int) -> NullTranslations:
    with open(po_path, "rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def babel_locale(lang: str) -> str:
    """Map a site language ("fr", "en") to the Babel locale used for dates."""
    return {"fr": "fr_FR", "en": "en_GB"}.get(lang, lang)


def format_day(value: date | datetime, lang: str, style: str = "long") -> str:
    """Format a date as words in ``lang``: "25 novembre 2026", "1er mars 2026".

    Only the calendar day counts (Babel's ``format_date`` ignores the time and the zone), so
    the words are computed once per day: a build shows each article's date on its page and
    on every list it appears in, about eight times per date.
    """
    return _day_words(value.year, value.month, value.day, lang, style)


@lru_cache(maxsize=16384)
def _day_words(year: int, month: int, day: int, lang: str, style: str) -> str:
    text = format_date(date(year, month, day), format=style, locale=babel_locale(lang))
    # French writes the first day of a month as an ordinal; CLDR's pattern does not.
    if lang == "fr" and style == "long" and day == 1:
        text = text.replace("1", "1er", 1)
    return text


def install(generator) -> None:
    """Give the generator's Jinja2 environment the catalog and the date filters."""
    settings = generator.settings
    lang = settings.get("DEFAULT_LANG", "fr")
    env = generator.env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(load_translations(settings["THEME"], lang), newstyle=True)
    env.filters["date_long"] = lambda value: format_day(value, lang, "long")
    env.filters["date_short"] = lambda value: format_day(value, lang, "short")
    env.globals["OG_LOCALE"] = babel_locale(lang)


def register() -> None:
    """Connect to generator_init: each generator builds its own Jinja2 environment."""
    signals.generator_init.connect(install)
