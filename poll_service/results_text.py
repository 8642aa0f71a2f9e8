"""The French words of a poll's results: counts, percentages, dates, and why results are hidden.

The results page and the SVG chart both read one ``PollState`` (``visitor.poll_state``) and
these sentences, so the page and the image never disagree. Numbers, percentages and dates go
through Babel (``poll_spec.formatting``, the project's one locale map), like the site's.
``init_app`` makes them, the chart's layout and the shared poll markup available to Jinja.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from flask import Flask
from jinja2 import ChoiceLoader

from poll_spec import markup
from poll_spec.dates import PARIS
from poll_spec.formatting import format_clock, format_day, format_number, format_percentage

from . import svg_chart
from .store.state import OptionResult, PollState


def percent(value: float | None) -> str:
    """Format a percentage: "40,5 %"."""
    return format_percentage(value)


def votes(value: int | None) -> str:
    """Format a vote count: "1 vote", "12 votes"."""
    count = value or 0
    return f"{format_number(count)} vote{'s' if count > 1 else ''}"


def moment_text(moment: datetime) -> str:
    """Format a moment in Paris: "1er novembre 2026", with its time when not midnight."""
    local = moment.astimezone(PARIS)
    if local.time() == time(0, 0):
        return format_day(local)
    return f"{format_day(local)} à {format_clock(local)}"


def status_text(state: PollState) -> str:
    """Say in one French sentence whether and until when the poll takes votes."""
    if state.status == "not_open":
        return f"Ce sondage ouvrira le {moment_text(state.opens)}." if state.opens else "Ce sondage n'est pas encore ouvert."
    if state.status == "closed":
        return "Ce sondage est fermé."
    if state.closes is None:
        return "Ce sondage est ouvert."
    local = state.closes.astimezone(PARIS)
    if local.time() == time(0, 0):  # "closes: 2026-12-31" means until the end of that day
        return f"Ce sondage est ouvert jusqu'au {format_day(local - timedelta(days=1))} inclus."
    return f"Ce sondage est ouvert jusqu'au {moment_text(local)}."


def voters_text(total: int) -> str:
    """Say how many people answered."""
    if total == 0:
        return "Personne n'a encore répondu."
    if total == 1:
        return "1 personne a répondu."
    return f"{format_number(total)} personnes ont répondu."


def hidden_text(state: PollState) -> str:
    """Explain why the results are not shown yet."""
    if state.results == "after-vote":
        return "Les résultats s'affichent après votre vote, ou à la fermeture du sondage."
    return "Les résultats seront publiés à la fermeture du sondage."


def safe_url(url: str | None) -> str | None:
    """Return the article URL if it is a plain web address or a site path, else None."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith("//"):
        return url
    if re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        return url
    return None


def init_app(app: Flask) -> None:
    """Make the sentences, the chart's layout and the shared poll markup available to templates.

    The poll form comes from poll_spec's polls/_poll.html, the macro file the site's build
    uses too (markup written once). Its texts are French message ids behind ``_()``: null
    translations give them back as they are.
    """
    app.jinja_loader = ChoiceLoader([app.jinja_loader, markup.loader()])  # type: ignore[assignment,list-item]
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    app.jinja_env.filters.update(percent=percent, votes=votes, xml_text=svg_chart.xml_text)
    app.jinja_env.globals.update(
        status_text=status_text,
        voters_text=voters_text,
        hidden_text=hidden_text,
        safe_url=safe_url,
        svg_layout=svg_layout,
        svg_summary=svg_summary,
        SVG_WIDTH=svg_chart.WIDTH,
    )


def option_detail(option: OptionResult) -> str:
    """Write an option's count: "40,5 % (12 votes)"."""
    return f"{percent(option.percent)} ({votes(option.votes)})"


def svg_layout(state: PollState) -> tuple[list[svg_chart.SvgRow], int]:
    """Lay the chart out with these words."""
    return svg_chart.layout(state, option_detail)


def svg_summary(state: PollState) -> str:
    """Describe the chart in these words."""
    return svg_chart.summary(state, option_detail, hidden_text(state), voters_text(state.total_voters))
