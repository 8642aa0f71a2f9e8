"""Slugs and Paris dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from poll_spec import PARIS, parse_datetime, slugify
from poll_spec.dates import paris_day
from poll_spec.slugs import is_poll_id


@pytest.mark.parametrize(("text", "slug"), [("Oui, régulièrement", "oui-regulierement"), ("  L'été !  ", "l-ete"), ("", "")])
def test_slugify_keeps_ascii_words_joined_by_hyphens(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(("value", "ok"), [("don-en-ligne", True), ("Don", False), ("a--b", False), ("a" * 65, False), (3, False)])
def test_a_poll_id_is_a_short_slug(value: object, ok: bool) -> None:
    assert is_poll_id(value) is ok


def test_a_date_without_offset_is_in_paris_and_a_closing_day_ends_at_midnight() -> None:
    assert parse_datetime("2026-07-01 09:30") == datetime(2026, 7, 1, 9, 30, tzinfo=PARIS)
    assert parse_datetime("2026-12-31", end_of_day=True) == datetime(2027, 1, 1, tzinfo=PARIS)
    assert parse_datetime("2026-07-01T09:30+00:00").utcoffset() == timedelta(0)


def test_the_paris_day_changes_at_paris_midnight() -> None:
    assert paris_day(datetime(2026, 11, 20, 23, 30, tzinfo=timezone.utc)).isoformat() == "2026-11-21"
