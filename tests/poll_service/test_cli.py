"""The click commands: init-db, sync-polls and export."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from poll_service.db import get_engine


TOKEN = {"Authorization": "Bearer jeton-admin-de-test-0123456789abcdef"}


def write(path: Path, polls: list[dict]) -> Path:
    path.write_text(json.dumps({"polls": polls}, ensure_ascii=False), encoding="utf-8")
    return path


def options_of(client, poll_id: str) -> list[tuple[str, str, int | None]]:
    body = client.get("/api/polls/" + poll_id).get_json()
    return [(o["key"], o["label"], o["votes"]) for o in body["options"]]


def test_init_db_is_idempotent(runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "déjà à jour" in result.output


def test_sync_polls_creates_new_polls(runner, client, polls, tmp_path):
    polls.append(
        {
            "id": "nouveau",
            "question": "Une nouvelle question ?",
            "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
            "multiple": False,
            "opens": None,
            "closes": None,
            "results": "always",
            "source": "content/nouveau.md",
            "url": "/nouveau/",
        }
    )
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    assert result.exit_code == 0, result.output
    assert "nouveau : créé (2 réponses)." in result.output
    assert "don-en-ligne : inchangé." in result.output
    assert options_of(client, "nouveau") == [("a", "A", 0), ("b", "B", 0)]


def test_sync_polls_updates_labels_question_and_dates_and_keeps_votes(runner, client, vote, polls, tmp_path):
    vote(client, "don-en-ligne", "oui")
    polls[0]["question"] = "Faites-vous appel au don en ligne ?"
    polls[0]["options"][0]["label"] = "Oui, souvent"
    polls[0]["options"].append({"key": "ne-sait-pas", "label": "Je ne sais pas"})
    polls[0]["closes"] = "2027-01-31"
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    assert result.exit_code == 0, result.output
    assert "don-en-ligne : mis à jour." in result.output
    body = client.get("/api/polls/don-en-ligne").get_json()
    assert body["question"] == "Faites-vous appel au don en ligne ?"
    assert body["closes"] == "2027-01-31T23:00:00+00:00"  # end of 31 January, Paris time
    assert options_of(client, "don-en-ligne") == [
        ("oui", "Oui, souvent", 1),
        ("parfois", "Oui, de temps en temps", 0),
        ("bientot", "Non, mais nous y pensons", 0),
        ("non", "Non", 0),
        ("ne-sait-pas", "Je ne sais pas", 0),
    ]


def test_sync_polls_refuses_to_drop_an_option_that_has_votes(runner, client, vote, polls, tmp_path):
    vote(client, "don-en-ligne", "oui")
    polls[0]["options"] = polls[0]["options"][1:]
    polls[1]["question"] = "Changement qui ne doit pas passer ?"
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    assert result.exit_code != 0
    assert "Synchronisation refusée, rien n'a été modifié." in result.output
    assert "la réponse « oui » (Oui, régulièrement) a déjà 1 vote(s)" in result.output
    assert options_of(client, "don-en-ligne")[0] == ("oui", "Oui, régulièrement", 1)
    assert client.get("/api/polls/outils").get_json()["question"] == "Quels outils utilisez-vous ?"


def test_sync_polls_refuses_to_rename_an_option_key_that_has_votes(runner, client, vote, polls, tmp_path):
    vote(client, "don-en-ligne", "oui")
    polls[0]["options"][0]["key"] = "oui-souvent"
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    assert result.exit_code != 0 and "« oui »" in result.output
    assert [key for key, _, _ in options_of(client, "don-en-ligne")] == ["oui", "parfois", "bientot", "non"]


def test_sync_polls_removes_an_option_that_has_no_votes(runner, client, polls, tmp_path):
    polls[0]["options"] = [o for o in polls[0]["options"] if o["key"] != "bientot"]
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    assert result.exit_code == 0, result.output
    assert [key for key, _, _ in options_of(client, "don-en-ligne")] == ["oui", "parfois", "non"]


def test_sync_polls_never_deletes_an_option_that_got_a_vote_after_it_was_read(app, runner, client, polls, tmp_path):
    # The vote arrives between the sync's read of the counts and its delete. It is written by
    # the sync's own connection, as the delete would see it: with the poll's row locked, no
    # other connection can (the next test shows that lock at work on PostgreSQL).
    polls[0]["options"] = [o for o in polls[0]["options"] if o["key"] != "bientot"]
    with app.app_context():
        engine = get_engine()

    def vote_just_before_the_delete(_conn, cursor, statement, *_args):
        if statement.startswith("DELETE FROM options"):
            cursor.execute("UPDATE options SET votes = votes + 1 WHERE poll_id = 'don-en-ligne' AND key = 'bientot'")

    event.listen(engine, "before_cursor_execute", vote_just_before_the_delete)
    try:
        result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    finally:
        event.remove(engine, "before_cursor_execute", vote_just_before_the_delete)
    assert result.exit_code != 0
    assert "Synchronisation refusée, rien n'a été modifié." in result.output
    assert "la réponse « bientot » (Non, mais nous y pensons) a déjà 1 vote(s)" in result.output
    assert [key for key, _, _ in options_of(client, "don-en-ligne")] == ["oui", "parfois", "bientot", "non"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_vote_racing_sync_polls_on_postgresql_waits_and_is_never_lost(app, runner, vote, polls, tmp_path, database_url):
    polls[0]["options"] = [o for o in polls[0]["options"] if o["key"] != "bientot"]
    with app.app_context():
        engine = get_engine()
    # Autocommit: pg_stat_activity is read once per transaction.
    watcher = create_engine(database_url, isolation_level="AUTOCOMMIT")
    outcome: dict = {}
    voter = threading.Thread(target=lambda: outcome.update(vote=vote(app.test_client(), "don-en-ligne", "bientot")))

    def vote_before_the_delete(_conn, _cursor, statement, *_args):
        if not statement.startswith("DELETE FROM options") or voter.ident is not None:
            return
        # A vote for the option being removed, after the sync read it had no votes: it must
        # either wait for the sync (the poll's row is locked) or finish first.
        voter.start()
        deadline = time.monotonic() + 20
        with watcher.connect() as conn:
            while voter.is_alive() and time.monotonic() < deadline:
                waiting = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
                if waiting:
                    return
                time.sleep(0.01)

    event.listen(engine, "before_cursor_execute", vote_before_the_delete)
    try:
        result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    finally:
        event.remove(engine, "before_cursor_execute", vote_before_the_delete)
        voter.join(timeout=30)
        watcher.dispose()
    assert result.exit_code == 0, result.output
    # The vote waited for the sync, then found its answer gone: refused, and not counted.
    response = outcome["vote"]
    assert (response.status_code, response.get_json()["error"]) == (422, "invalid_choice")
    body = app.test_client().get("/api/polls/don-en-ligne").get_json()
    assert body["total_voters"] == 0
    assert [o["key"] for o in body["options"]] == ["oui", "parfois", "non"]


def test_sync_polls_keeps_a_poll_missing_from_the_manifest(runner, client, vote, polls, tmp_path):
    vote(client, "don-en-ligne", "oui")
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls[1:]))])
    assert result.exit_code == 0, result.output
    assert "don-en-ligne : absent de la définition, conservé avec ses votes." in result.output
    assert client.get("/api/polls/don-en-ligne").get_json()["total_voters"] == 1


def test_sync_polls_validates_with_the_poll_definition_rules(runner, polls, tmp_path):
    polls[0]["results"] = "jamais"
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    assert result.exit_code != 0 and "Mode de résultats inconnu « jamais »" in result.output


def test_sync_polls_refuses_a_poll_defined_twice(runner, polls, tmp_path):
    result = runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls + polls[:1]))])
    assert result.exit_code != 0 and "déjà défini" in result.output


@pytest.mark.parametrize(
    "content, message",
    [(None, "Fichier introuvable"), ("{pas du json", "Impossible de lire"), ('{"autre": []}', "la clé « polls »")],
    ids=["missing", "not-json", "no-polls-key"],
)
def test_sync_polls_explains_an_unreadable_manifest(runner, tmp_path, content, message):
    path = tmp_path / "polls.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["sync-polls", str(path)])
    assert result.exit_code != 0 and message in result.output


def test_export_writes_the_counts_as_csv(runner, client, vote):
    vote(client, "outils", "tableur", "forum")
    result = runner.invoke(args=["export", "outils"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == [
        ["clé", "réponse", "votes"],
        ["tableur", "Un tableur", "1"],
        ["agenda", "Un agenda partagé", "0"],
        ["forum", "Un forum", "1"],
    ]


def test_export_of_an_unknown_poll_fails_with_a_french_message(runner):
    result = runner.invoke(args=["export", "inconnu"])
    assert result.exit_code != 0 and "Ce sondage n'existe pas." in result.output


def test_export_neutralises_formulas_in_labels(runner, polls, tmp_path):
    polls[0]["options"][0]["label"] = "=HYPERLINK(\"http://evil.example\")"
    runner.invoke(args=["sync-polls", str(write(tmp_path / "polls.json", polls))])
    result = runner.invoke(args=["export", "don-en-ligne"])
    assert list(csv.reader(io.StringIO(result.output)))[1][1] == "'=HYPERLINK(\"http://evil.example\")"
