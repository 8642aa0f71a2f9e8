"""Dates as volunteers write them: read loosely, given back in the site's own form.

The site wants ``2026-11-20 09:30`` (year-month-day hour:minute, Paris time). Writers type
``20/11/2026 à 9h30``, ``mardi 20 novembre 2026``, ``2026-11-20 9h30``: ``read_loosely`` finds the
parts of any of these, so the message can give back the writer's own date, corrected, and say
plainly when that date does not exist (a 31 February, a 25th hour).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

# The only form the site reads (Pelican reads more, but these are the ones our guide teaches).
SITE_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}:?\d{2})?$")
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre")
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
# (Read after _plain: "à" is "a", "T" is "t".)
_TIME = r"(?:\s*(?:,|t|\s)\s*(?:a\s+)?(?P<hour>\d{1,2})\s*(?:[hH:]\s*(?P<minute>\d{1,2})?)(?::\d{2})?)?\s*$"
_NUMERIC_DMY = re.compile(r"^" + _WEEKDAY + r"(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})" + _TIME)
_NUMERIC_YMD = re.compile(r"^(?P<year>\d{4})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<day>\d{1,2})" + _TIME)
_WORDS = re.compile(r"^" + _WEEKDAY + r"(?P<day>\d{1,2})(?:er)?\s+(?P<month>[a-z]+)\.?\s+(?P<year>\d{4})" + _TIME)


@dataclass(frozen=True)
class DateParts:
    """A date as written: its numbers, possibly impossible ones (a 31 February)."""

    year: int
    month: int
    day: int
    hour: int | None = None
    minute: int | None = None

    def site_form(self) -> str:
        """Return the date in the site's form: 2026-11-20, or 2026-11-20 09:30 with a time."""
        text = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.hour is not None:
            text += f" {self.hour:02d}:{self.minute or 0:02d}"
        return text

    def impossible(self) -> str | None:
        """Return why the date does not exist, in French, or None when it does."""
        if not 1 <= self.month <= 12:
            return f"il n'y a pas de mois {self.month} (de 1 à 12)"
        days = calendar.monthrange(self.year, self.month)[1]
        if not 1 <= self.day <= days:
            return f"{MONTH_NAMES[self.month - 1]} {self.year} a {days} jours"
        if self.hour is not None and not (0 <= self.hour <= 23 and 0 <= (self.minute or 0) <= 59):
            return f"il n'y a pas d'heure {self.hour}:{self.minute or 0:02d} (de 00:00 à 23:59)"
        return None


def _plain(text: str) -> str:
    """Lower case without accents: "Février" and "fevrier" are one month."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_loosely(value: str) -> DateParts | None:
    """Return the parts of a date written in a usual French or ISO way, or None."""
    text = " ".join(_plain(value).split())
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY, _WORDS):
        match = pattern.match(text)
        if not match:
            continue
        month = match.group("month")
        number = int(month) if month.isdigit() else MONTHS.get(month.rstrip("."))
        if number is None:
            return None
        hour = match.group("hour")
        minute = match.group("minute")
        return DateParts(int(match.group("year")), number, int(match.group("day")),
                         int(hour) if hour is not None else None, int(minute) if minute else None)
    return None


def parse_date(value: str) -> datetime:
    """Read a date in the site's form (year-month-day, then hour:minute); raise ValueError."""
    if not SITE_DATE_RE.match(value):
        raise ValueError("format")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
