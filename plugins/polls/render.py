"""Render a poll as HTML: the live form of the page and the static version for feeds.

Both come from one macro file, ``poll_spec/templates/polls/_poll.html``, so the page, the
feeds and the poll service share one markup. In a build, the macros run in the generator's
Jinja2 environment (overlaid with a loader for the poll service's templates and with
autoescaping on), so ``_()`` speaks the theme's catalog and dates use the i18n filters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping

from jinja2 import ChoiceLoader, Environment

import poll_spec
from poll_spec import PARIS, Poll
from poll_spec.formatting import format_clock, format_day
from poll_spec import markup
from poll_spec.markup import MACROS, TEMPLATES

from .extension import PLACEHOLDER_RE
PRIVACY_PATH = "/confidentialite/"
# The plugin's code that shapes a page's poll HTML (see PollRenderer.fingerprint).
CODE = sorted(Path(__file__).parent.glob("*.py"))


@dataclass(frozen=True)
class Moment:
    """A poll date ready to print: ISO value for machines, words (and a time) for people."""

    iso: str
    day: str
    hour: str | None = None


class PollRenderer:
    """Render polls with one Jinja2 environment and the site's settings."""

    def __init__(self, env: Environment | None = None, settings: Mapping[str, Any] | None = None):
        self._base_env = env
        settings = settings or {}
        self.api_url = (settings.get("POLL_API_URL") or "").rstrip("/")
        self.site_url = (settings.get("SITEURL") or "").rstrip("/")
        self.lang = settings.get("DEFAULT_LANG") or "fr"
        self.theme = settings.get("THEME")

    @cached_property
    def env(self) -> Environment:
        """The environment the macros run in, created on first use.

        Lazily, because the i18n plugin installs gettext at ``generator_init`` like us, and an
        overlay made before that would not see the catalog's extension.
        """
        if self._base_env is None:
            return markup.standalone_environment()
        loader = ChoiceLoader([markup.loader(), self._base_env.loader])  # type: ignore[list-item]
        # Pelican's environment does not autoescape; poll texts come from writers and must be
        # escaped wherever they appear, so the macros get an escaping overlay of their own.
        return self._base_env.overlay(loader=loader, autoescape=True)

    @cached_property
    def fingerprint(self) -> str:
        """Summarize everything a rendered form depends on besides the poll itself.

        plugins/fast_build counts it among the inputs of every page showing a poll, so a change
        of the macros, the catalog or this code renders those pages again.
        """
        digest = hashlib.sha256(repr((self.api_url, self.site_url, self.lang)).encode())
        sources = [TEMPLATES / MACROS, *sorted(Path(poll_spec.__file__).parent.glob("*.py")), *CODE]
        if self.theme:
            sources.append(Path(self.theme) / "translations" / self.lang / "LC_MESSAGES" / "messages.po")
        for path in sources:
            digest.update(path.read_bytes() if path.is_file() else b"-")
        return digest.hexdigest()[:16]

    @cached_property
    def _macros(self) -> Any:
        return self.env.get_template(MACROS).module

    def form(self, poll: Poll, now: datetime | None = None) -> str:
        """Render ``poll`` as its page shows it at ``now`` (the build's time).

        Open: the form that votes (it posts to the service without JavaScript). Closed or not
        yet open: when voting closed or opens, and the link to the results. No ``now``: open.
        """
        return str(self._macros.form(
            poll,
            api=self.api_url,
            privacy_url=self.site_url + PRIVACY_PATH,
            opens=self.moment(poll.opens) if poll.opens else None,
            closes=self.moment(poll.closes, closing=True) if poll.closes else None,
            status=poll.status_at(now) if now else "open",
        ))

    def static(self, poll: Poll, page_url: str, now: datetime | None = None) -> str:
        """Render the script-free version of ``poll``: question, answers, vote or results link, image."""
        base = self.api_url or self.site_url
        return str(self._macros.static(
            poll,
            vote_url=f"{page_url}#sondage-{poll.id}",
            image_url=f"{base}/api/polls/{poll.id}/results.svg",
            status=poll.status_at(now) if now else "open",
            opens=self.moment(poll.opens) if poll.opens else None,
            closes=self.moment(poll.closes, closing=True) if poll.closes else None,
            results_url=f"{base}/polls/{poll.id}/",
        ))

    def moment(self, value: datetime, closing: bool = False) -> Moment:
        """Describe a poll date in words; a closing at midnight reads as "until the day before".

        A date written with another offset is shown in Paris time, as the service applies it.
        """
        value = value.astimezone(PARIS)
        if closing and value.timetz().replace(tzinfo=None) == time(0, 0):
            # parse_datetime turns "closes: 2027-06-30" into midnight of 1 July: a writer and a
            # reader both think of the last day on which one may vote.
            last = value - timedelta(seconds=1)
            return Moment(last.isoformat(), self.day(last))
        hour = None if value.time() == time(0, 0) else format_clock(value, self.lang)
        return Moment(value.isoformat(), self.day(value), hour)

    def day(self, value: datetime) -> str:
        """Write a date in words in the site's language, through the i18n filter when present."""
        date_long = self.env.filters.get("date_long")
        if date_long is not None:
            return str(date_long(value))
        return format_day(value, self.lang)


def replace_placeholders(html: str, polls: Mapping[str, Poll], render: Callable[[Poll], str]) -> str:
    """Put ``render(poll)`` in place of each poll's placeholder (an unknown id leaves nothing)."""
    return PLACEHOLDER_RE.sub(lambda match: render(polls[match["id"]]) if match["id"] in polls else "", html)
