"""Numbers, percentages, dates and times in words, through Babel, with the one locale map.

The site's build (the i18n plugin's date filters, the poll form's dates) and the poll
service (its results page and chart) format through these functions, so a date or a count
reads the same everywhere. No machine locale is involved: Babel carries CLDR's data.
"""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, format_decimal, format_percent

from .dates import PARIS

# Site language -> Babel locale: the only such map of the project.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
DEFAULT_LANG = "fr"


def babel_locale(lang: str) -> str:
    """Map a site language ("fr", "en") to its Babel locale ("fr_FR", "en_GB")."""
    return LOCALES.get(lang, lang)


def format_number(value: float, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """Format a number: "1 234", "40,5" in French."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=babel_locale(lang))


def format_percentage(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """Format a percentage given in hundredths (40.5 -> "40,5 %" in French)."""
    return format_percent((value or 0) / 100, format=_percent_pattern(lang, decimals), locale=babel_locale(lang))


@lru_cache(maxsize=16)
def _percent_pattern(lang: str, decimals: int) -> NumberPattern:
    """The locale's percent pattern ("#,##0 %") with exactly ``decimals`` decimals."""
    pattern = copy(Locale.parse(babel_locale(lang)).percent_formats[None])
    pattern.frac_prec = (decimals, decimals)
    return pattern


def format_day(value: date | datetime, lang: str = DEFAULT_LANG, style: str = "long") -> str:
    """Write a calendar day in words: "25 novembre 2026", "1er mars 2026".

    A datetime counts by its own calendar day (convert it to Paris time first when needed).
    """
    return _day_words(value.year, value.month, value.day, lang, style)


@lru_cache(maxsize=16384)
def _day_words(year: int, month: int, day: int, lang: str, style: str) -> str:
    text = format_date(date(year, month, day), format=style, locale=babel_locale(lang))
    # French writes the first day of a month as an ordinal; CLDR's pattern does not.
    if lang == "fr" and style == "long" and day == 1:
        text = text.replace("1", "1er", 1)
    return text


def format_clock(value: datetime, lang: str = DEFAULT_LANG) -> str:
    """Write the time of day of a moment, in Paris time: "09:05"."""
    return format_time(value.astimezone(PARIS), format="short", locale=babel_locale(lang))

