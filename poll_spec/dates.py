"""Poll dates: Europe/Paris unless written with an offset; a closing day lasts until its end."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_datetime(value: str, end_of_day: bool = False) -> datetime:
    """Read an ISO date or date-time; Europe/Paris unless it carries an offset.

    A bare date that closes a poll means "until the end of that day", so it becomes
    midnight of the next day. Raise ``ValueError`` on anything else.
    """
    value = value.strip()
    if _DAY_RE.fullmatch(value):
        day = date.fromisoformat(value)
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0, 0), tzinfo=PARIS)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


def paris_day(moment: datetime) -> date:
    """Return the Europe/Paris calendar day of an aware datetime."""
    return moment.astimezone(PARIS).date()
