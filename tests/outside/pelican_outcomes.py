"""A pytest plugin for Pelican's own suite: record each test's outcome, register our plugins.

Loaded with ``-p pelican_outcomes`` in the unpacked sdist. With ``OUTSIDE_WITH_OURS=1`` every
plugin of our pelicanconf.py is registered before the first test, as a build registers them:
their handlers then receive every signal Pelican's tests send. Outcomes go to the JSON file
named by ``OUTSIDE_OUTCOMES``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_outcomes: dict[str, str] = {}
_registered: list[str] = []


def register_our_plugins() -> None:
    """Import and register the plugins our site uses (found after the sdist on the path)."""
    sys.path += [str(ROOT), str(ROOT / "plugins")]
    for name in importlib.import_module("pelicanconf").PLUGINS:
        importlib.import_module(name).register()
        _registered.append(name)


def pytest_configure(config: pytest.Config) -> None:
    """Register our plugins when asked, before any test module is imported."""
    if os.environ.get("OUTSIDE_WITH_OURS") == "1":
        register_our_plugins()


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A module that cannot be collected is an error of its own."""
    if report.failed:
        _outcomes[report.nodeid] = "error"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep one outcome per test: a failing phase wins, then a skip, then the call's pass."""
    if report.failed:
        _outcomes[report.nodeid] = "failed" if report.when == "call" else "error"
    elif report.skipped and _outcomes.get(report.nodeid) not in ("failed", "error"):
        _outcomes[report.nodeid] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    elif report.when == "call" and report.nodeid not in _outcomes:
        _outcomes[report.nodeid] = "xpassed" if hasattr(report, "wasxfail") else "passed"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the outcomes."""
    Path(os.environ["OUTSIDE_OUTCOMES"]).write_text(json.dumps({"outcomes": _outcomes, "ours": _registered}, indent=0), encoding="utf-8")
