"""make devserver, started for real: a save shows in the served page, polls work, Ctrl-C stops.

The server runs in its own process group on a free port, on a copy of the sample site, and is
stopped at teardown. Every wait polls with HTTP GET up to a generous deadline; no timing is
asserted.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tools.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds: the machine may be busy; a rebuild takes well under one


def get(url: str) -> tuple[int, str]:
    """GET a URL; return the status and the body (also for errors)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_until(check: Callable[[], bool], what: str, deadline: float = DEADLINE) -> None:
    """Poll ``check`` until it is true; fail with ``what`` after the deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if check():
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    pytest.fail(f"within {deadline} s: {what}")


@dataclass
class DevServer:
    """A running ``python -m tools.devserver`` and its files."""

    process: subprocess.Popen
    url: str
    content: Path
    log: Path

    def page(self, path: str) -> str:
        status, body = get(self.url + path)
        assert status == 200, (path, status)
        return body


def start(tmp: Path, port: int) -> DevServer:
    """Start the dev server on a copy of the sample site, as `make devserver` does."""
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    log = tmp / "devserver.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)])}
    command = [sys.executable, "-m", "tools.devserver", "--port", str(port), "--content", str(content),
               "-o", str(tmp / "output"), "--cache", str(tmp / "cache"),
               "--database", f"sqlite:///{tmp / 'polls.sqlite3'}"]
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, cwd=tmp, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group
    server = DevServer(process, f"http://127.0.0.1:{port}/", content, log)
    wait_until(lambda: get(server.url)[0] == 200, "the dev server answers")
    return server


def stop(process: subprocess.Popen) -> int:
    """Send Ctrl-C to the server's process group; kill it if it does not stop."""
    return stop_group(process, signal.SIGINT, timeout=20)


@pytest.fixture(scope="module")
def devserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """One dev server for the module's tests."""
    server = start(tmp_path_factory.mktemp("devserver"), free_port())
    yield server
    stop(server.process)


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


@pytest.mark.slow
def test_a_saved_article_shows_in_the_served_page(devserver: DevServer) -> None:
    append(devserver.content / "don-en-ligne.md", "Une phrase toute neuve pour l'aperçu.")
    wait_until(lambda: "Une phrase toute neuve pour l'aperçu." in devserver.page("don-en-ligne/"),
               "the edit shows in /don-en-ligne/")


@pytest.mark.slow
def test_pages_carry_the_live_reload_script_and_are_told_to_reload(devserver: DevServer) -> None:
    assert "livereload.js?port=" in devserver.page("")
    # In a thread of its own: Playwright's sync API may already run an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        received = pool.submit(asyncio.run, reload_message_after_save(devserver)).result()
    assert received["command"] == "reload"


async def reload_message_after_save(devserver: DevServer) -> dict:
    """Connect as livereload.js does, save an article, return the message the page gets."""
    from tornado.websocket import websocket_connect

    socket_url = devserver.url.replace("http://", "ws://") + "livereload"
    connection = await websocket_connect(socket_url)
    await connection.write_message(json.dumps({"command": "hello", "protocols": []}))
    await connection.read_message()  # the server's hello
    await connection.write_message(json.dumps({"command": "info", "url": devserver.url}))
    await asyncio.sleep(0.5)
    append(devserver.content / "don-en-ligne.md", "Encore une phrase.")
    message = await asyncio.wait_for(connection.read_message(), DEADLINE)
    connection.close()
    return json.loads(message)


@pytest.mark.slow
def test_a_new_poll_can_be_voted_on_after_the_save(devserver: DevServer) -> None:
    append(devserver.content / "don-en-ligne.md",
           "```poll\nid: essai-apercu\nquestion: On essaie ?\noptions:\n  - oui: Oui\n  - non: Non\n```")
    wait_until(lambda: get(devserver.url + "api/polls/essai-apercu")[0] == 200, "the new poll is synced")
    request = urllib.request.Request(devserver.url + "api/polls/essai-apercu/votes", method="POST",
                                     data=json.dumps({"choices": ["oui"]}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Origin": devserver.url.rstrip("/")})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        assert json.loads(response.read())["total_voters"] == 1


@pytest.mark.slow
def test_a_mistake_is_shown_in_the_page_until_it_is_fixed(devserver: DevServer) -> None:
    article = devserver.content / "don-en-ligne.md"
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("Date: 2026-11-18 09:30", "Date: 18/11/2026"), encoding="utf-8")
    # The pages load the banner's script (a file: the site's policy refuses inline scripts).
    banner = '<script src="/_apercu/problemes.js"></script>'
    wait_until(lambda: banner in devserver.page("don-en-ligne/"), "the pages load the banner")
    assert banner in devserver.page("")
    script = devserver.page("_apercu/problemes.js")
    assert "n'est pas écrite comme le site l'attend" in script
    assert "content/don-en-ligne.md:2 : La date" in script
    article.write_text(good, encoding="utf-8")
    wait_until(lambda: banner not in devserver.page("don-en-ligne/"), "the banner goes away once fixed")
    assert devserver.page("_apercu/problemes.js") == ""


@pytest.mark.slow
def test_ctrl_c_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    server = start(tmp_path, port)
    assert stop(server.process) == 0
    log = server.log.read_text(encoding="utf-8")
    assert f"Aperçu : http://127.0.0.1:{port}/" in log
    assert "Aperçu arrêté." in log
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))  # nothing listens any more


@pytest.mark.slow
def test_an_open_page_reloads_by_itself_and_its_poll_takes_a_vote(devserver: DevServer, page: Page) -> None:
    page.goto(devserver.url + "don-en-ligne/")
    page.wait_for_function("() => window.LiveReload !== undefined")
    page.wait_for_timeout(1000)  # livereload.js says hello to the server
    page.evaluate("window.avantEnregistrement = true")  # gone once the page reloads
    append(devserver.content / "don-en-ligne.md", "Une phrase vue dans le navigateur.")
    page.wait_for_function("() => window.avantEnregistrement === undefined", timeout=DEADLINE * 1000)
    page.get_by_text("Une phrase vue dans le navigateur.").wait_for(timeout=DEADLINE * 1000)
    # The donation poll's form: an earlier test of this module added a second poll to the page.
    form = page.locator("#sondage-don-en-ligne")
    form.get_by_label("Oui, régulièrement").check()
    form.get_by_role("button", name="Voter").click()
    form.get_by_text("Merci, votre vote est enregistré.").wait_for(timeout=DEADLINE * 1000)
