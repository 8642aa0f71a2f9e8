"""i18n: the theme's interface strings and dates in the site's language, through Babel.

Templates call ``_("…")`` (Jinja2's i18n extension) and the ``date_long`` / ``date_short``
filters (days in words through ``poll_spec.formatting``, Babel with the project's one
locale map). The catalogs are the theme's ``translations/<lang>/LC_MESSAGES/messages.po``, read
with Babel at build time, so neither compiled ``.mo`` files nor the machine's installed
locales are needed. Message ids are French: a missing catalog still shows French.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from pelican import signals

# The one locale map and the day in words, shared with the polls and the poll service.
from poll_spec.formatting import babel_locale, format_day

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
