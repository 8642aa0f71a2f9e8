"""The real stack for browser tests: `make serve` (build, init-db, sync-polls, site + API).

It runs once per session on a free port, in its own process group with its own output
folder and SQLite database, and the browser (Debian's Chromium, see tests/conftest.py) talks
to it through pytest-playwright's fixtures, with ``base_url`` pointing at it.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tools.processes import free_port, stop_group

# Not `from conftest import ROOT`: with several conftest.py files and no packages, the name
# "conftest" means whichever pytest imported last.
ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "jeton-des-tests-de-bout-en-bout-0123456789"
START_TIMEOUT = 180  # seconds: make serve builds the whole site first


def answers(url: str) -> bool:
    """Tell whether ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run `make serve` for the session; yield its address."""
    # Every browser context of these tests comes from 127.0.0.1: one vote per cookie, not
    # per address, or the second test's visitor would be the first one's neighbour.
    yield from make_serve(tmp_path_factory.mktemp("stack"), {"POLL_DEDUP": "cookie"})


def make_serve(folder: Path, settings: dict[str, str]) -> Iterator[str]:
    """Run `make serve` with these POLL_* settings until the generator is closed; yield its address."""
    port = free_port()
    log_path = folder / "serve.log"
    env = {**os.environ, "POLL_ADMIN_TOKEN": ADMIN_TOKEN, "POLL_RATE_LIMIT": "100/60", **settings}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["make", "serve", f"PORT={port}", f"OUTPUTDIR={folder / 'output'}",
             f"POLL_DATABASE_URL=sqlite:///{folder / 'polls.sqlite3'}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: make, flask and all, killed together
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(f"{url}/don-en-ligne/") or not answers(f"{url}/api/polls/don-en-ligne"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make serve did not come up on {url}:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.5)
        yield url
    finally:
        stop_group(process)


@pytest.fixture(scope="session")
def base_url(stack: str) -> str:
    """Point pytest-playwright's page.goto("/...") at the stack."""
    return stack


@pytest.fixture(scope="session")
def admin(stack: str) -> Callable[[str, str], None]:
    """Return a function calling the stack's admin API: admin("close", "don-en-ligne")."""

    def call(action: str, poll_id: str) -> None:
        request = urllib.request.Request(f"{stack}/api/admin/polls/{poll_id}/{action}", method="POST",
                                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 204), response.status

    return call
