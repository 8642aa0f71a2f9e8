"""make devserver never leaves the writer stuck, and stays apart from make publish.

Real servers on 127.0.0.1 (as tests/tools/test_devserver.py): a fresh checkout with every
article broken serves the French problems and recovers by itself; a busy port is told
before anything is built or written; a draft that is published, or an article deleted,
stops answering at its old address; ``make publish`` meanwhile leaves the preview alone.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_devserver import DEADLINE, get, wait_until
from tools.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent
DRAFT = """Title: Une fête en préparation
Date: 2026-11-25 10:00
Category: Vie associative
Summary: Bientôt.
Status: draft

Le texte en préparation.
"""


def make_devserver(tmp: Path, port: int, content: Path) -> subprocess.Popen:
    """Start ``make devserver`` as a writer does, its files under ``tmp`` (no instance/ there yet)."""
    log = (tmp / "devserver.log").open("w", encoding="utf-8")
    return subprocess.Popen(
        ["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV}", "-o", f"{VENV}/.installed",
         "devserver", f"PORT={port}", f"OUTPUTDIR={tmp / 'output'}", f"CONTENTDIR={content}",
         f"POLL_DATABASE_URL=sqlite:///{tmp / 'instance' / 'polls.sqlite3'}"],
        cwd=tmp, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def status(url: str) -> int:
    return get(url)[0]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


@pytest.mark.slow
def test_a_fresh_checkout_with_every_article_broken_serves_the_problems_then_recovers(
        tmp_path: Path, content: Path) -> None:
    articles = sorted(content.glob("*.md"))
    good = {article: article.read_text(encoding="utf-8") for article in articles}
    for article, text in good.items():
        article.write_text(re.sub(r"^Date: .*$", "Date: 31/02/2026", text, count=1, flags=re.MULTILINE),
                           encoding="utf-8")
    port = free_port()
    server = make_devserver(tmp_path, port, content)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: status(url) == 503, "the preview answers while nothing could be built")
        answer, body = get(url + "don-en-ligne/")
        assert answer == 503
        assert "L'aperçu n'a pas pu construire cette page" in body
        assert '<script src="/_apercu/problemes.js"></script>' in body  # the banner
        banner = get(url + "_apercu/problemes.js")[1]
        assert "L'aperçu n'est pas à jour" in banner and "don-en-ligne.md:2 : La date" in banner
        assert "livereload.js" in body  # it reloads by itself once fixed
        for article, text in good.items():
            article.write_text(text, encoding="utf-8")
        wait_until(lambda: get(url + "don-en-ligne/")[0] == 200 and get(url + "_apercu/problemes.js")[1] == "",
                   "the preview recovers once the files are fixed")
        assert "_apercu/problemes.js" not in get(url + "don-en-ligne/")[1]
    finally:
        stop_group(server, signal.SIGINT, timeout=20)
    log = (tmp_path / "devserver.log").read_text(encoding="utf-8")
    assert "POLL_SITE_DIR" not in log and "Traceback" not in log, log


@pytest.mark.slow
def test_a_second_devserver_on_a_busy_port_says_so_and_touches_nothing(tmp_path: Path, content: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = make_devserver(tmp_path, port, content)
        assert server.wait(timeout=120) != 0
    log = (tmp_path / "devserver.log").read_text(encoding="utf-8")
    assert log == (f"Le port {port} est déjà pris (un autre make serve ou make devserver ?) : rien n'a été "
                   f"construit. Arrêtez-le, ou choisissez un autre port : make devserver PORT={port + 1}\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["content", "devserver.log"]


def fingerprint(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_published_or_deleted_texts_leave_their_old_address_and_publish_leaves_the_preview_alone(
        tmp_path: Path, content: Path) -> None:
    draft = content / "une-fete-en-preparation.md"
    draft.write_text(DRAFT, encoding="utf-8")
    port = free_port()
    server = make_devserver(tmp_path, port, content)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until(lambda: status(url + "brouillons/une-fete-en-preparation/") == 200, "the draft is previewed")
        # make publish while the preview runs: the preview's folder and pages stay as they were.
        log = tmp_path / "devserver.log"
        before = fingerprint(tmp_path / "output")
        published = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV}", "-o",
                                    f"{VENV}/.installed", "publish", f"PUBLICDIR={tmp_path / 'public'}",
                                    f"CONTENTDIR={content}"], capture_output=True, encoding="utf-8", timeout=300)
        assert published.returncode == 0, published.stderr
        time.sleep(1.5)  # more than the watcher's debounce: a change of the preview would have started
        assert fingerprint(tmp_path / "output") == before
        assert "Modifié" not in log.read_text(encoding="utf-8")
        page = get(url + "don-en-ligne/")[1]
        assert 'href="/theme/' in page and "tisser.example.org/theme" not in page
        # The draft is published: its preview address stops answering, its new one answers.
        draft.write_text(DRAFT.replace("Status: draft\n", ""), encoding="utf-8")
        wait_until(lambda: status(url + "une-fete-en-preparation/") == 200, "the published text answers")
        wait_until(lambda: status(url + "brouillons/une-fete-en-preparation/") == 404,
                   "the old preview address stops answering")
        assert not (tmp_path / "output" / "brouillons" / "une-fete-en-preparation").exists()
        # Deleted: its address stops answering too.
        draft.unlink()
        wait_until(lambda: status(url + "une-fete-en-preparation/") == 404, "a deleted text stops answering",
                   DEADLINE)
    finally:
        stop_group(server, signal.SIGINT, timeout=20)
