"""Turn a ``PollState`` into French text, the results page and the SVG chart.

Both outputs are Jinja templates with autoescaping on (Flask escapes .html and .svg), and both
read the same ``PollState`` (``context.poll_state``), so the page and the image never disagree.
French formatting is written out here rather than taken from the machine's locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import Flask

from .definition import PARIS
from .store import PollState

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
# Characters XML 1.0 forbids: one in a label would make the whole SVG unreadable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NBSP = "\u00a0"

SVG_WIDTH = 640
SVG_ROW = 46
SVG_LABEL_CHARS = 80


def number(value: float, decimals: int = 0) -> str:
    """Format a number the French way: "1 234", "40,5"."""
    text = f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return text


def percent(value: float | None) -> str:
    """Format a percentage: "40,5 %"."""
    return f"{number(value or 0, 1)}{NBSP}%"


def votes(value: int | None) -> str:
    """Format a vote count: "1 vote", "12 votes"."""
    count = value or 0
    return f"{number(count)} vote{'s' if count > 1 else ''}"


def day(moment: datetime) -> str:
    """Format the Paris day of a moment: "1er novembre 2026"."""
    local = moment.astimezone(PARIS)
    first = "1er" if local.day == 1 else str(local.day)
    return f"{first} {MONTHS[local.month - 1]} {local.year}"


def moment_text(moment: datetime) -> str:
    """Format a moment: "1er novembre 2026", or with its time when not midnight."""
    local = moment.astimezone(PARIS)
    if local.time() == time(0, 0):
        return day(local)
    return f"{day(local)} à {local.hour}{NBSP}h{NBSP}{local.minute:02d}"


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
        return f"Ce sondage est ouvert jusqu'au {day(local - timedelta(days=1))} inclus."
    return f"Ce sondage est ouvert jusqu'au {moment_text(local)}."


def voters_text(total: int) -> str:
    """Say how many people answered."""
    if total == 0:
        return "Personne n'a encore répondu."
    if total == 1:
        return "1 personne a répondu."
    return f"{number(total)} personnes ont répondu."


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


def xml_text(value: str) -> str:
    """Drop the characters XML cannot carry (escaping is the template's job)."""
    return _XML_FORBIDDEN.sub("", value)


@dataclass(frozen=True)
class SvgRow:
    """One option of the chart, laid out."""

    label: str
    detail: str
    label_y: int
    bar_y: int
    bar_width: float


def svg_layout(state: PollState) -> tuple[list[SvgRow], int]:
    """Place each option on the chart; return the rows and the image height."""
    rows = []
    usable = SVG_WIDTH - 140
    for index, option in enumerate(state.options):
        top = 84 + index * SVG_ROW
        label = xml_text(option.label)
        if len(label) > SVG_LABEL_CHARS:
            label = label[: SVG_LABEL_CHARS - 1].rstrip() + "…"
        rows.append(
            SvgRow(
                label=label,
                detail=f"{percent(option.percent)} ({votes(option.votes)})" if state.results_visible else "",
                label_y=top,
                bar_y=top + 8,
                bar_width=round(usable * (option.percent or 0) / 100, 1),
            )
        )
    height = 84 + max(len(rows), 1) * SVG_ROW
    return rows, height


def svg_summary(state: PollState) -> str:
    """Describe the chart in words, for screen readers (the SVG's <desc>)."""
    if not state.results_visible:
        return f"{hidden_text(state)} {voters_text(state.total_voters)}"
    parts = [f"{xml_text(o.label)} : {percent(o.percent)} ({votes(o.votes)})" for o in state.options]
    return f"{' ; '.join(parts)}. {voters_text(state.total_voters)}"


def init_app(app: Flask) -> None:
    """Make the formatting helpers available to the templates.

    The poll form comes from polls/_poll.html, the macro file the site's build uses too
    (markup written once). Its texts are French message ids behind ``_()``: null
    translations give them back as they are.
    """
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    app.jinja_env.filters.update(percent=percent, votes=votes, xml_text=xml_text)
    app.jinja_env.globals.update(
        status_text=status_text,
        voters_text=voters_text,
        hidden_text=hidden_text,
        safe_url=safe_url,
        svg_layout=svg_layout,
        svg_summary=svg_summary,
        SVG_WIDTH=SVG_WIDTH,
    )
