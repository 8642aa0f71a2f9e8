"""Numbers, percentages and dates through Babel, with the one locale map."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from poll_spec import PARIS
from poll_spec.formatting import LOCALES, babel_locale, format_clock, format_day, format_number, format_percentage


def test_french_numbers_group_thousands_and_use_a_decimal_comma() -> None:
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_number(40.5, decimals=1) == "40,5"


@pytest.mark.parametrize(("lang", "expected"), [("fr", "40,5\u00a0%"), ("en", "40.5%")])
def test_percentages_keep_one_decimal_in_the_sites_language(lang: str, expected: str) -> None:
    assert format_percentage(40.5, lang) == expected
    assert format_percentage(None) == "0,0\u00a0%"


@pytest.mark.parametrize(
    ("day", "lang", "style", "expected"),
    [
        (date(2026, 3, 1), "fr", "long", "1er mars 2026"),
        (date(2026, 11, 25), "fr", "long", "25 novembre 2026"),
        (date(2026, 3, 1), "fr", "short", "01/03/2026"),
        (date(2026, 3, 1), "en", "long", "1 March 2026"),
    ],
)
def test_days_are_written_in_words(day: date, lang: str, style: str, expected: str) -> None:
    assert format_day(day, lang, style) == expected


def test_times_are_paris_times() -> None:
    assert format_clock(datetime(2027, 5, 31, 22, 30, tzinfo=PARIS).astimezone()) == "22:30"


def test_there_is_one_locale_map() -> None:
    assert babel_locale("fr") == LOCALES["fr"] == "fr_FR"
    assert babel_locale("de") == "de"
