"""Fixtures shared by the whole suite: real Pelican builds of the real content."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sitebuild import build


def _built(tmp_path_factory: pytest.TempPathFactory, settings: str) -> Path:
    output = tmp_path_factory.mktemp(Path(settings).stem) / "output"
    result = build(output, settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built with the development settings (pelicanconf.py)."""
    return _built(tmp_path_factory, "pelicanconf.py")


@pytest.fixture(scope="session")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built with the production settings (publishconf.py)."""
    return _built(tmp_path_factory, "publishconf.py")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's Chromium (Playwright cannot download its own browser here)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        # Without these, Chromium tries Google's hosts, which this closed network refuses.
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"],
    }


@pytest.fixture(autouse=True)
def _forget_pelican_log_dedup() -> None:
    """Let each test see its own log lines.

    Tests that run Pelican in this process install Pelican's process-wide filter, which
    drops any log line already emitted once, by any logger: the poll service's tests read
    the service's logs, so the filter's memory is cleared between tests.
    """
    pelican_log = sys.modules.get("pelican.log")
    if pelican_log is not None:
        pelican_log.LimitFilter._raised_messages.clear()
        pelican_log.LimitFilter._group_count.clear()
