"""reset-votes: the preview's votes emptied on demand, a production database never."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from poll_service import create_app

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent
POLL = {"id": "essai", "question": "On essaie ?", "options": [{"key": "oui", "label": "Oui"},
                                                             {"key": "non", "label": "Non"}],
        "multiple": False, "opens": None, "closes": None, "results": "always", "source": "content/essai.md",
        "url": "/essai/"}


def app_with_votes(database: Path, env: str = "development", voters: int = 2) -> Flask:
    """A service on ``database`` holding the poll "essai" and ``voters`` votes for "oui"."""
    app = create_app({"POLL_ENV": env, "POLL_DATABASE_URL": f"sqlite:///{database}",
                      "POLL_SECRET_KEY": "cle-de-test-des-votes-0123456789", "POLL_SITE_URL": "http://localhost",
                      # make reset-votes empties the database from another process: read it afresh.
                      "POLL_READ_CACHE_SECONDS": 0})
    manifest = database.parent / "polls.json"
    manifest.write_text(json.dumps({"polls": [POLL]}), encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["sync-polls", str(manifest)]).exit_code == 0
    for visitor in range(voters):
        answer = app.test_client().post("/api/polls/essai/votes", json={"choices": ["oui"]},
                                        headers={"Origin": "http://localhost"},
                                        environ_base={"REMOTE_ADDR": f"192.0.2.{visitor + 1}"})
        assert answer.status_code == 201, answer.get_json()
    return app


def tally(app: Flask) -> tuple[int, int]:
    """Return the voters of "essai" and whether a voter already seen still counts as having voted."""
    body = app.test_client().get("/api/polls/essai").get_json()
    again = app.test_client().post("/api/polls/essai/votes", json={"choices": ["non"]},
                                   headers={"Origin": "http://localhost"}, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    return body["total_voters"], again.status_code


def test_reset_votes_with_yes_empties_the_counts_and_the_voters(tmp_path: Path) -> None:
    app = app_with_votes(tmp_path / "polls.sqlite3")
    result = app.test_cli_runner().invoke(args=["reset-votes", "--yes"])
    assert result.exit_code == 0, result.output
    assert result.output == "Votes de l'aperçu effacés (2 votants effacés) : les sondages repartent de zéro.\n"
    # Zero voters; the visitor who had voted may vote again (201), and the poll is still there.
    assert tally(app) == (0, 201)


def test_reset_votes_asks_first_and_a_no_keeps_everything(tmp_path: Path) -> None:
    database = tmp_path / "polls.sqlite3"
    app = app_with_votes(database)
    result = app.test_cli_runner().invoke(args=["reset-votes"], input="non\n")
    assert result.exit_code != 0
    assert result.output == (f"Effacer tous les votes de l'aperçu ({database}) ? Les sondages restent, leurs "
                             "compteurs repartent de zéro.\nTapez « oui » pour confirmer : non\nRien n'a été effacé.\n")
    assert tally(app)[0] == 2


def test_reset_votes_asks_first_and_a_yes_empties(tmp_path: Path) -> None:
    app = app_with_votes(tmp_path / "polls.sqlite3")
    result = app.test_cli_runner().invoke(args=["reset-votes"], input="oui\n")
    assert result.exit_code == 0, result.output
    assert tally(app)[0] == 0


def test_reset_votes_refuses_a_production_service_even_with_yes(tmp_path: Path) -> None:
    app = app_with_votes(tmp_path / "polls.sqlite3", env="production")
    result = app.test_cli_runner().invoke(args=["reset-votes", "--yes"])
    assert result.exit_code != 0
    assert result.output == ("make reset-votes n'efface que les votes de l'aperçu : ce service tourne avec "
                             "POLL_ENV=production (production). Rien n'a été effacé.\n")
    assert tally(app)[0] == 2


def test_reset_votes_refuses_a_database_that_is_not_a_sqlite_file(tmp_path: Path) -> None:
    app = create_app({"POLL_ENV": "development", "POLL_SECRET_KEY": "cle-de-test-des-votes-0123456789",
                      "POLL_DATABASE_URL": "postgresql+psycopg://tisser@127.0.0.1:1/tisser"})
    result = app.test_cli_runner().invoke(args=["reset-votes", "--yes"])
    assert result.exit_code != 0
    assert "n'efface qu'une base SQLite d'aperçu" in result.output


def make_reset_votes(database: Path, *args: str, env: dict[str, str] | None = None,
                     stdin: str = "") -> subprocess.CompletedProcess:
    """Run ``make reset-votes`` as a writer would (POLL_ENV unset unless ``env`` sets it)."""
    environment = {key: value for key, value in os.environ.items() if key != "POLL_ENV"}
    return subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", f"VENV={VENV}", "-o",
                           f"{VENV}/.installed", "reset-votes", f"POLL_DATABASE_URL=sqlite:///{database}", *args],
                          input=stdin, capture_output=True, encoding="utf-8", timeout=120,
                          env={**environment, **(env or {})})


@pytest.mark.slow
def test_make_reset_votes_yes_empties_the_preview_in_french_only(tmp_path: Path) -> None:
    database = tmp_path / "instance" / "polls.sqlite3"
    database.parent.mkdir()
    app = app_with_votes(database)
    refused = make_reset_votes(database, stdin="")  # nobody answers: nothing is emptied
    assert refused.returncode != 0
    assert refused.stderr == "Rien n'a été effacé.\n"
    assert tally(app)[0] == 2
    done = make_reset_votes(database, "YES=1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Votes de l'aperçu effacés (2 votants effacés) : les sondages repartent de zéro.\n"
    assert done.stderr == ""
    assert tally(app)[0] == 0


@pytest.mark.slow
def test_make_reset_votes_on_a_server_saying_production_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "polls.sqlite3"
    app = app_with_votes(database)
    # Not even the service's own settings are needed: make refuses before starting it.
    result = make_reset_votes(database, "YES=1", env={"POLL_ENV": "production"})
    assert result.returncode != 0
    assert result.stderr == ("make reset-votes n'efface que les votes de l'aperçu : ce service tourne avec "
                             "POLL_ENV=production (production). Rien n'a été effacé.\n")
    assert "make:" not in result.stdout + result.stderr  # no "make: *** Error" line
    assert tally(app)[0] == 2
