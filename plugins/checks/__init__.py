"""checks: every content mistake at once, in French, before anything is built.

``python -m checks content/`` (``make check``) and this plugin (``make html``, ``make publish``,
``make devserver``) run the same ``check_site``: a volunteer reads the same report, with
"content/x.md:LINE : what is wrong and how to fix it", wherever the mistake is caught.

- errors stop the build (exit status 1);
- warnings are printed and the build goes on.

The report is written to standard error as plain lines, not through Pelican's logging: its
rich handler would re-wrap the lines and prefix them with times and levels.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

from pelican import signals

from .checker import CheckResult, check_site
from .config import CheckConfig
from .problems import format_report, summary

log = logging.getLogger(__name__)


class ContentCheckFailed(SystemExit):
    """The content has errors: the build stops with exit status 1 after the report.

    A ``SystemExit`` because Pelican's command line prints a full traceback for any other
    exception, which would bury the French report under Python internals. The dev server
    catches it by this name and waits for the next save.
    """

    def __init__(self, result: CheckResult):
        super().__init__(1)
        self.result = result

    def __str__(self) -> str:
        return f"checks: {summary(self.result.problems)}"


# In the cache folder, next to Pelican's content cache.
MEMORY_FILE = "checks-documents.pickle"


def memory_file(settings: dict[str, Any]) -> Path | None:
    """Return where a development build keeps what it read of each file, or None.

    Only with ``FAST_REBUILD`` (pelicanconf.py, make devserver) and the content cache on:
    ``make publish`` (publishconf.py) reads and checks every file afresh.
    """
    if not (settings.get("FAST_REBUILD") and settings.get("CACHE_CONTENT")):
        return None
    memory = Path(settings["CACHE_PATH"]) / MEMORY_FILE
    if not settings.get("LOAD_CONTENT_CACHE"):  # --ignore-cache: forget, then keep anew
        memory.unlink(missing_ok=True)
    return memory


def run_checks(settings: dict[str, Any]) -> CheckResult:
    """Check the content of a site; print the report; raise ``ContentCheckFailed`` on errors."""
    started = time.perf_counter()
    result = check_site(CheckConfig.from_settings(settings), memory_file(settings))
    log.debug("checks: %d fichiers vérifiés en %.2f s", result.checked, time.perf_counter() - started)
    if result.problems:
        sys.stderr.write(format_report(result.problems, result.checked))
        sys.stderr.flush()
    if result.errors:
        raise ContentCheckFailed(result)
    return result


# The settings of the Pelican.run() under way, between its two signals (see register).
_asked: dict[str, Any] | None = None


def note_build(pelican: Any) -> None:
    """Remember that a build asks for its generators (nothing is checked yet; returns none)."""
    global _asked  # noqa: PLW0603 (one build at a time in a process)
    _asked = pelican.settings


def check_before_build(generator: Any) -> None:
    """Run the checks when the first generator of a build is made, before any file is read."""
    global _asked  # noqa: PLW0603
    if _asked is None or generator.settings is not _asked:
        return  # a generator made outside Pelican.run(), or not the first of its build
    _asked = None
    run_checks(generator.settings)


def register() -> None:
    """Connect the check to the start of every build."""
    # Pelican.run() asks for its generator classes (get_generators), then makes one generator of
    # each with its own settings object (generator_init), before any file is read or written.
    # Only that sequence is a build: asking for the classes alone (Pelican's own tests do) or
    # making a generator alone checks nothing. `initialized` is no use: it is sent once per
    # Pelican instance, and the dev server rebuilds many times with one instance.
    signals.get_generators.connect(note_build)
    signals.generator_init.connect(check_before_build)
