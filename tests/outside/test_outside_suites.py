"""Python-Markdown's and Pelican's own suites pass as well with our code active as without it.

Each suite (from the sdist of the pinned version) runs twice side by side: as published, and
with our poll extension in every Markdown instance (Python-Markdown) or our plugins registered
(Pelican). A test whose outcome differs fails this test unless allowed-differences.toml lists
it with its reason; an entry that no longer differs must be removed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from outside_suites import HERE, differences, run_both, sdist, unexplained

# Our pytest plugins (playwright, hypothesis, timeout...) have no business in their suites.
QUIET = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1",
         "PYTHONPATH": str(HERE), "PYTHONWARNINGS": ""}


def compare(suite: str, baseline: dict[str, str], ours: dict[str, str], at_least: int, logs: Path) -> None:
    """Fail on a difference the allow-list does not explain, or on an entry it no longer needs."""
    assert len(baseline) >= at_least, f"only {len(baseline)} tests ran in {suite}'s suite"
    problems = unexplained(suite, differences(baseline, ours))
    assert not problems, "\n".join([*problems, f"(what each run printed: {logs}/baseline.log, ours.log)"])


def test_python_markdown_suite_is_unchanged_by_the_poll_extension(tmp_path: Path) -> None:
    baseline, ours = run_both([sys.executable, str(HERE / "markdown_outcomes.py")], sdist("Markdown"),
                              tmp_path, QUIET)
    compare("markdown", baseline, ours, at_least=1000, logs=tmp_path)


def test_pelican_suite_is_unchanged_by_our_plugins(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pytest", "pelican/tests", "-q", "-p", "pelican_outcomes",
               "-p", "no:cacheprovider", "-c", "pyproject.toml", "--rootdir", ".", "--basetemp", str(tmp_path / "pytest")]
    baseline, ours = run_both(command, sdist("pelican"), tmp_path, QUIET)
    compare("pelican", baseline, ours, at_least=300, logs=tmp_path)
