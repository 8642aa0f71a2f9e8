"""The poll itself: frozen dataclasses for a poll, its answers and a reference to it.

A ``Poll`` is what the one validator (``poll_spec.validator``) returns, whether it read a
```poll block or an entry of output/polls.json; nothing else builds one for real use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

RESULTS_MODES = ("always", "after-vote", "after-close")


class PollSyntaxError(ValueError):
    """A writer's mistake in a poll, with the line it is on and a message in French."""

    def __init__(self, message: str, line: int | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.source = source

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"ligne {self.line}"
        return f"{where} : {self.message}" if where else self.message


@dataclass(frozen=True)
class PollOption:
    """One answer of a poll: a stable key (what votes are counted under) and its label."""

    key: str
    label: str


@dataclass(frozen=True)
class Poll:
    """A validated poll definition.

    ``max_choices`` is 1 for a single-choice poll; ``multiple`` in the manifest is ``False``
    for single choice, else this number.
    """

    id: str
    question: str
    options: tuple[PollOption, ...]
    max_choices: int = 1
    opens: datetime | None = None
    closes: datetime | None = None
    results: str = "always"
    source: str | None = None
    line: int | None = None
    url: str | None = None

    @property
    def multiple(self) -> bool:
        """True when a voter may tick more than one answer."""
        return self.max_choices > 1

    def status_at(self, now: datetime) -> str:
        """Return "open", "not_open" or "closed" at ``now``, by the poll's dates alone.

        The service also heeds an administrator's close or reopen; a build knows only the dates.
        """
        if self.opens is not None and now < self.opens:
            return "not_open"
        if self.closes is not None and now >= self.closes:
            return "closed"
        return "open"

    def option_keys(self) -> list[str]:
        """Return the option keys in their order."""
        return [option.key for option in self.options]

    def to_manifest(self) -> dict[str, Any]:
        """Return the poll as an entry of output/polls.json."""
        return {
            "id": self.id,
            "question": self.question,
            "options": [{"key": o.key, "label": o.label} for o in self.options],
            "multiple": self.max_choices if self.multiple else False,
            "opens": self.opens.isoformat() if self.opens else None,
            "closes": self.closes.isoformat() if self.closes else None,
            "results": self.results,
            "source": self.source,
            "url": self.url,
        }


@dataclass(frozen=True)
class PollReference:
    """A block holding only ``id:``: it shows a poll defined in another article."""

    id: str
    source: str | None = None
    line: int | None = None
