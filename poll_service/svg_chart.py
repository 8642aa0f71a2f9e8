"""The results as an SVG bar chart: where each bar and label goes (templates/results.svg)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .store.state import OptionResult, PollState

WIDTH = 640
ROW_HEIGHT = 46
LABEL_CHARS = 80
# Characters XML 1.0 forbids: one in a label would make the whole SVG unreadable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


def layout(state: PollState, detail: Callable[[OptionResult], str]) -> tuple[list[SvgRow], int]:
    """Place each option on the chart; return the rows and the image height.

    ``detail`` writes an option's count in words (shown only when results are visible).
    """
    rows = []
    usable = WIDTH - 140
    for index, option in enumerate(state.options):
        top = 84 + index * ROW_HEIGHT
        label = xml_text(option.label)
        if len(label) > LABEL_CHARS:
            label = label[: LABEL_CHARS - 1].rstrip() + "…"
        rows.append(
            SvgRow(
                label=label,
                detail=detail(option) if state.results_visible else "",
                label_y=top,
                bar_y=top + 8,
                bar_width=round(usable * (option.percent or 0) / 100, 1),
            )
        )
    height = 84 + max(len(rows), 1) * ROW_HEIGHT
    return rows, height


def summary(state: PollState, detail: Callable[[OptionResult], str], hidden: str, voters: str) -> str:
    """Describe the chart in words, for screen readers (the SVG's <desc>)."""
    if not state.results_visible:
        return f"{hidden} {voters}"
    parts = [f"{xml_text(o.label)} : {detail(o)}" for o in state.options]
    return f"{' ; '.join(parts)}. {voters}"
