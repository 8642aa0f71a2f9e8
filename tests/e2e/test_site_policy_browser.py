"""The Content-Security-Policy in a real browser, on `make serve` and on `make devserver`.

A page of another origin (a second HTTP server on 127.0.0.1, another port) frames an article:
the browser refuses to show it. The site's own pages load, reload and take a vote without a
single policy violation (console "Refused to…" lines and ``securitypolicyviolation`` events),
so the policy costs the visitor nothing.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tools.processes import free_port, stop_group

from .conftest import ROOT, answers

pytestmark = pytest.mark.slow

ARTICLE = "don-en-ligne/"
HEADING = "Le don en ligne, une affaire de confiance plus que de technique"
# Recorded from the very start of every document, frames included.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class _FramingPage(http.server.BaseHTTPRequestHandler):
    """Another site: /cadre?src=URL is a page framing URL."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        source = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = (f'<!doctype html><html lang="fr"><title>Un autre site</title>'
                f'<iframe src="{html.escape(source)}" title="encadré"></iframe></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def other_site() -> Iterator[str]:
    """A second origin on loopback that frames whatever it is given."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FramingPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def devserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`make devserver` on a copy of the sample site; yield its address and content folder."""
    folder = tmp_path_factory.mktemp("devserver-policy")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    log = folder / "devserver.log"
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.devserver", "--port", str(port), "--content", str(content),
             "-o", str(folder / "output"), "--cache", str(folder / "cache"),
             "--database", f"sqlite:///{folder / 'polls.sqlite3'}"],
            cwd=folder, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while not answers(url + ARTICLE):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make devserver did not come up:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield url, content
    finally:
        stop_group(process, signal.SIGINT, timeout=20)


@pytest.fixture(params=["make serve", "make devserver"])
def site(request: pytest.FixtureRequest) -> str:
    """The address of the site under test, ending with a slash."""
    if request.param == "make serve":
        return request.getfixturevalue("stack") + "/"
    return request.getfixturevalue("devserver")[0]


@pytest.fixture
def watched(page: Page) -> tuple[Page, list[str]]:
    """A page whose policy violations are recorded: console lines here, events in the page."""
    page.set_default_timeout(15_000)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Refused to" in message.text or "Content Security Policy" in message.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    return page, refused


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__violations")


def test_another_site_cannot_frame_an_article(watched: tuple[Page, list[str]], site: str, other_site: str) -> None:
    page, refused = watched
    page.goto(f"{other_site}/cadre?src={site}{ARTICLE}")
    page.wait_for_load_state("load")
    deadline = time.monotonic() + 10
    while not refused and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    # Chromium: "Framing '<site>' violates … "frame-ancestors 'none'". The request has been blocked."
    assert any(site in line and "frame-ancestors 'none'" in line and "blocked" in line for line in refused), refused
    [framed] = [frame for frame in page.frames if frame != page.main_frame]
    assert framed.url != f"{site}{ARTICLE}" or HEADING not in framed.content()
    # The article's own heading never reached the screen, wherever the frame ended up.
    assert page.frame_locator("iframe").get_by_role("heading", name=HEADING).count() == 0


def test_the_site_itself_loads_without_a_policy_violation(watched: tuple[Page, list[str]], site: str) -> None:
    page, refused = watched
    for path in ["", ARTICLE, "adherer/", "archives/", "page-qui-n-existe-pas/", "polls/don-en-ligne/"]:
        page.goto(site + path)
        page.wait_for_load_state("load")
        assert violations(page) == [], (path, violations(page))
    assert refused == []


def test_the_poll_votes_with_javascript_under_the_policy(watched: tuple[Page, list[str]], site: str) -> None:
    page, refused = watched
    page.goto(site + ARTICLE)
    page.get_by_label("Oui, de temps en temps").check()
    page.get_by_role("button", name="Voter").click()
    expect(page.locator("#sondage-don-en-ligne .poll__status")).to_have_text("Merci, votre vote est enregistré.")
    expect(page.locator("#sondage-don-en-ligne .poll__results .results li")).to_have_count(4)
    assert violations(page) == [] and refused == []


def test_the_preview_reloads_and_shows_its_problems_under_the_policy(
        watched: tuple[Page, list[str]], devserver: tuple[str, Path]) -> None:
    page, refused = watched
    url, content = devserver
    page.goto(url + ARTICLE)
    page.wait_for_function("() => window.LiveReload !== undefined")  # livereload.js ran
    article = content / "don-en-ligne.md"
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("Date: 2026-11-18 09:30", "Date: 18/11/2026"), encoding="utf-8")
    try:
        # The page reloads by itself (livereload's socket) and shows the banner (its script file).
        banner = page.get_by_role("alert")
        expect(banner).to_contain_text("L'aperçu n'est pas à jour", timeout=60_000)
        expect(banner).to_contain_text("content/don-en-ligne.md:2")
        assert violations(page) == []
    finally:
        article.write_text(good, encoding="utf-8")
    expect(page.get_by_role("alert")).to_have_count(0, timeout=60_000)
    assert violations(page) == [] and refused == []
