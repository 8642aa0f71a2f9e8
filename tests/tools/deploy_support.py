"""What the deployment tests share: running the real command, site variants, votes on a database.

The tests deploy copies of the real production build (the ``published_site`` fixture), some
edited as a writer's next ``make publish`` would change them: a page, a new poll, an answer
removed. Votes are cast through the service's real API on the database the deployment synced.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from poll_service import create_app
from poll_service.db import dispose
from poll_spec import PARIS

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SECRET = "cle-secrete-de-test-0123456789abcdef"
SITE_URL = "https://tisser.example.org"
# A day both sample polls are open, whatever today's date.
VOTING_DAY = datetime(2026, 11, 20, 12, 0, tzinfo=PARIS)


def deploy_env(**values: str) -> dict[str, str]:
    """Return this process's environment without any DEPLOY_* or POLL_* of the machine, plus ``values``."""
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith(("DEPLOY_", "POLL_"))}
    return {**kept, **values}


def run_tool(*args: str, env: dict[str, str], settings: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m tools.deploy`` from the project, as ``make deploy`` does."""
    chosen = ["--settings", str(settings)] if settings else ["--settings", os.devnull]
    return subprocess.run([sys.executable, "-m", "tools.deploy", *chosen, *args], cwd=ROOT, env=env,
                          capture_output=True, encoding="utf-8", timeout=300)


def site_variant(source: Path, folder: Path, *, marker: str, new_poll: str | None = None,
                 without_option: tuple[str, str] | None = None) -> Path:
    """Copy the build ``source`` to ``folder``, changed as a new ``make publish`` would change it.

    ``marker`` is written to ``deploiement.txt`` and to the home page (one changed page, the
    rest unchanged); ``new_poll`` adds a poll to polls.json; ``without_option`` = (poll, key)
    removes that answer.
    """
    shutil.copytree(source, folder)
    (folder / "deploiement.txt").write_text(marker, encoding="utf-8")
    home = folder / "index.html"
    home.write_text(home.read_text(encoding="utf-8").replace("</body>", f"<!-- {marker} --></body>"),
                    encoding="utf-8")
    manifest_path = folder / "polls.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if new_poll:
        manifest["polls"].append({
            "id": new_poll, "question": f"Question du sondage {new_poll} ?",
            "options": [{"key": "oui", "label": "Oui"}, {"key": "non", "label": "Non"}],
            "multiple": False, "opens": None, "closes": None, "results": "always",
            "source": f"content/{new_poll}.md", "url": f"/{new_poll}/",
        })
    if without_option:
        poll_id, key = without_option
        for poll in manifest["polls"]:
            if poll["id"] == poll_id:
                poll["options"] = [option for option in poll["options"] if option["key"] != key]
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def poll_ids(database: Path) -> set[str]:
    """Return the ids of the polls in a SQLite database of the service (empty when it has none)."""
    if not database.exists():
        return set()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        try:
            return {row[0] for row in conn.execute("SELECT id FROM polls")}
        except sqlite3.OperationalError:  # init-db has not created the table yet
            return set()


def service_app(database: Path, keys: Path) -> Any:
    """Return the real service app on ``database``, its clock on a voting day."""
    return create_app({
        "TESTING": True, "POLL_DATABASE_URL": f"sqlite:///{database}", "POLL_SECRET_KEY": SECRET,
        "POLL_SITE_URL": "http://localhost",  # the test client's origin
        "POLL_KEY_DIR": str(keys), "POLL_RATE_LIMIT": "0", "POLL_VOTE_BATCH_WAIT_MS": "0",
        "POLL_CLOCK": lambda: VOTING_DAY,
    })


def vote(database: Path, keys: Path, poll_id: str, choice: str) -> int:
    """Vote ``choice`` on ``poll_id`` through the API; return the HTTP status of the answer."""
    app = service_app(database, keys)
    try:
        response = app.test_client().post(f"/api/polls/{poll_id}/votes", json={"choices": [choice]},
                                          headers={"Origin": "http://localhost"})
        return response.status_code
    finally:
        dispose(app)


def votes_for(database: Path, keys: Path, poll_id: str) -> dict[str, int]:
    """Return the votes of each answer of ``poll_id``, read through the API."""
    app = service_app(database, keys)
    try:
        body = app.test_client().get(f"/api/polls/{poll_id}").get_json()
        return {option["key"]: option["votes"] for option in body["options"]}
    finally:
        dispose(app)


def live_release(target: Path) -> str:
    """Return the name of the release ``<target>/current`` points at."""
    return os.readlink(target / "current").removeprefix("releases/")


def release_names(target: Path) -> list[str]:
    """Return every folder under ``<target>/releases``, sorted."""
    return sorted(path.name for path in (target / "releases").iterdir())
