"""Fixtures shared by the whole suite: real Pelican builds of the real content."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import blinker
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


@pytest.fixture(autouse=True)
def _disconnect_what_the_test_connected() -> Iterator[None]:
    """Leave blinker's signals as the test found them.

    Pelican's signals are process-wide and a plugin's ``register()`` is never undone: a test
    building in this process with plugins/checks would leave checks running in the next test's
    build, even one whose settings leave it out (a test's result then depended on the order).
    """
    before = {name: set(sig.receivers) for name, sig in list(blinker.default_namespace.items())}
    yield
    for name, sig in list(blinker.default_namespace.items()):
        for key in set(sig.receivers) - before.get(name, set()):
            receiver = sig.receivers.get(key)
            if isinstance(receiver, weakref.ref):  # blinker keeps weak references by default
                receiver = receiver()
            if receiver is not None:
                sig.disconnect(receiver)
