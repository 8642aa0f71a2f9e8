"""Run Python-Markdown's own suite (unittest) from its sdist, recording each test's outcome.

``python markdown_outcomes.py`` in the unpacked sdist; with ``OUTSIDE_WITH_OURS=1`` every
``Markdown`` instance also gets our poll extension, as Pelican's reader gives it. Outcomes go
to the JSON file named by ``OUTSIDE_OUTCOMES``.
"""

from __future__ import annotations

import json
import os
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class RecordingResult(unittest.TextTestResult):
    """A text result that also keeps one outcome per test id (a failing subtest fails it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, str] = {}

    def _set(self, test: unittest.TestCase, outcome: str) -> None:
        if self.outcomes.get(test.id()) in ("failed", "error"):
            return
        self.outcomes[test.id()] = outcome

    def addSuccess(self, test):  # noqa: N802 (unittest's names)
        super().addSuccess(test)
        self._set(test, "passed")

    def addFailure(self, test, err):  # noqa: N802
        super().addFailure(test, err)
        self._set(test, "failed")

    def addError(self, test, err):  # noqa: N802
        super().addError(test, err)
        self._set(getattr(test, "test_case", test) if hasattr(test, "id") else test, "error")

    def addSkip(self, test, reason):  # noqa: N802
        super().addSkip(test, reason)
        self._set(test, "skipped")

    def addExpectedFailure(self, test, err):  # noqa: N802
        super().addExpectedFailure(test, err)
        self._set(test, "xfailed")

    def addUnexpectedSuccess(self, test):  # noqa: N802
        super().addUnexpectedSuccess(test)
        self._set(test, "xpassed")

    def addSubTest(self, test, subtest, err):  # noqa: N802
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._set(test, "failed")


_given = 0  # Markdown instances given our extension


def add_our_extension() -> None:
    """Give every Markdown instance the poll extension, after the ones it asks for."""
    sys.path += [str(ROOT), str(ROOT / "plugins")]  # after the sdist: its markdown and tests win
    from markdown import core  # noqa: PLC0415

    original = core.Markdown.__init__

    def with_polls(self, **kwargs):
        global _given  # noqa: PLW0603 (one counter for the whole run)
        _given += 1
        kwargs["extensions"] = [*kwargs.get("extensions", ()), "polls.extension"]
        original(self, **kwargs)

    core.Markdown.__init__ = with_polls


def main() -> int:
    """Discover and run the suite in ./tests; write the outcomes; return 0 (outcomes tell)."""
    sys.path.insert(0, os.getcwd())
    if os.environ.get("OUTSIDE_WITH_OURS") == "1":
        add_our_extension()
    suite = unittest.defaultTestLoader.discover("tests", top_level_dir=os.getcwd())
    runner = unittest.TextTestRunner(resultclass=RecordingResult, verbosity=0, stream=sys.stdout)
    result = runner.run(suite)
    Path(os.environ["OUTSIDE_OUTCOMES"]).write_text(json.dumps({"outcomes": result.outcomes, "ours": _given}, indent=0), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
