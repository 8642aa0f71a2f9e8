"""The ``flask --app poll_service`` commands: init-db, sync-polls, export, purge-voters, reset-votes.

Each is a thin click wrapper over a plain function of ``store``, ``schema`` or ``poll_spec``; messages are in
French, and a refusal exits with a non-zero status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from poll_spec.manifest import ManifestError, read_manifest

from .admin import csv_text
from .db import get_engine, transaction
from .errors import PollError
from .schema import LATEST_VERSION, migrate
from .store.reset import reset_votes
from .store.retention import purge_voters
from .store.state import export_rows
from .store.sync import SyncRefused, sync_polls


class Refused(click.ClickException):
    """A command that refuses, saying why in French (click would put an English "Error:" first)."""

    def show(self, file: Any = None) -> None:
        """Print the message alone, on standard error."""
        click.echo(self.format_message(), err=True, file=file)


def init_db() -> list[int]:
    """Create or migrate the database of the current app; return the steps applied."""
    return migrate(get_engine())


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database, or bring it to the current schema (keeps every vote)."""
    applied = init_db()
    if applied:
        steps = ", ".join(str(step) for step in applied)
        click.echo(f"Base de données prête (schéma version {LATEST_VERSION} ; étapes appliquées : {steps}).")
    else:
        click.echo(f"Base de données déjà à jour (schéma version {LATEST_VERSION}).")


@click.command("sync-polls")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
def sync_polls_command(path: Path) -> None:
    """Create or update the polls described in PATH (output/polls.json)."""
    try:
        polls = read_manifest(path)
    except ManifestError as error:
        raise Refused(str(error)) from None
    try:
        with get_engine().connect() as conn, transaction(conn, write=True):
            report = sync_polls(conn, polls)
    except SyncRefused as refused:
        message = "\n".join(refused.problems)
        raise Refused(f"Synchronisation refusée, rien n'a été modifié.\n{message}") from None
    # The service's workers are other processes: they read the change within
    # POLL_READ_CACHE_SECONDS. This process's own memory (tests, devserver) forgets at once.
    current_app.extensions["poll_cache"].forget_all()
    for line in report:
        click.echo(line)
    click.echo(f"{len(polls)} sondage(s) synchronisé(s).")


@click.command("export")
@with_appcontext
@click.argument("poll_id")
def export_command(poll_id: str) -> None:
    """Write POLL_ID's counts as CSV to the standard output (no voter identifier)."""
    try:
        with get_engine().connect() as conn, transaction(conn):
            rows = export_rows(conn, poll_id)
    except PollError as error:
        raise Refused(f"{error.message} (« {poll_id} »)") from None
    click.echo(csv_text(rows), nl=False)


@click.command("purge-voters")
@with_appcontext
def purge_voters_command() -> None:
    """Delete voter identifiers of polls closed longer than POLL_RETENTION_DAYS ago."""
    days = current_app.config["POLL_RETENTION_DAYS"]
    now = current_app.config["POLL_CLOCK"]()
    with get_engine().connect() as conn, transaction(conn, write=True):
        report = purge_voters(conn, now, days)
    rewrite_tables()
    # The keys of days before yesterday are destroyed even on a day without votes.
    keys = current_app.extensions["poll_key_ring"].destroy_expired(now)
    for poll_id, count in report.voters_by_poll.items():
        click.echo(f"{poll_id} : {count} identifiant(s) de votant supprimé(s).")
    if keys:
        click.echo(f"{keys} clé(s) d'adresse expirée(s) détruite(s).")
    if not report.voters_by_poll and not keys:
        click.echo(f"Rien à supprimer (conservation : {days} jours après la fermeture).")


def preview_database_refusal(config: dict[str, Any], dialect: str, database: str | None) -> str | None:
    """Say why ``reset-votes`` must not empty this database, or None when it is a preview's.

    The rule: a preview's database is a SQLite file of a service run with POLL_ENV=development
    (``make serve``, ``make devserver``). A service running with POLL_ENV=production (any
    server, docs/deploy.md) is refused whatever its database; PostgreSQL, the database of a
    site served by several hosts, is always refused; and so is a file that does not exist.
    """
    if config["POLL_ENV"] != "development":
        return (f"make reset-votes n'efface que les votes de l'aperçu : ce service tourne avec "
                f"POLL_ENV={config['POLL_ENV']} (production). Rien n'a été effacé.")
    if dialect != "sqlite" or not database or database == ":memory:":
        return ("make reset-votes n'efface qu'une base SQLite d'aperçu (instance/polls.sqlite3) : "
                "celle-ci n'en est pas une (POLL_DATABASE_URL). Rien n'a été effacé.")
    if not Path(database).is_file():
        return f"Aucune base de votes à vider : « {database} » n'existe pas encore. Rien n'a été effacé."
    return None


@click.command("reset-votes")
@with_appcontext
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def reset_votes_command(yes: bool) -> None:
    """Empty the preview's votes (never a production database); asks first unless --yes."""
    engine = get_engine()
    database = engine.url.database
    refusal = preview_database_refusal(current_app.config, engine.dialect.name, database)
    if refusal:
        raise Refused(refusal)
    if not yes:
        click.echo(f"Effacer tous les votes de l'aperçu ({database}) ? Les sondages restent, leurs "
                   "compteurs repartent de zéro.")
        try:
            answer = click.prompt("Tapez « oui » pour confirmer", default="", show_default=False, prompt_suffix=" : ")
        except click.Abort:  # no one to answer (standard input closed) or Ctrl-C: the answer is no
            click.echo()
            answer = ""
        if answer.strip().lower() not in ("oui", "o", "yes", "y"):
            raise Refused("Rien n'a été effacé.")
    with engine.connect() as conn, transaction(conn, write=True):
        count = reset_votes(conn)
    current_app.extensions["poll_cache"].forget_all()
    voters_word = "votant effacé" if count <= 1 else "votants effacés"
    click.echo(f"Votes de l'aperçu effacés ({count} {voters_word}) : les sondages repartent de zéro.")


def rewrite_tables() -> None:
    """On PostgreSQL, rewrite the tables that keep traces of the day's votes.

    A deleted or updated row stays in a table's files, as a dead row version, until its
    space is reused; and each row carries the id of the transaction that wrote it, so voter
    rows of one batch share one, next to the counters' old versions of that batch. Every row
    of ``voters`` is first written again in one transaction (one id for all), then the table
    is rewritten in the order of its key (digests: random) and ``polls`` and ``options``
    without their old versions; the old files are deleted. (SQLite needs nothing more: its
    deleted rows were overwritten, its write-ahead log emptied, and ``voters`` has no rowid.)
    """
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE voters SET kind = kind")
    # CLUSTER and VACUUM cannot run inside a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CLUSTER voters USING voters_pkey")
        conn.exec_driver_sql("VACUUM FULL polls, options")


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    for command in (init_db_command, sync_polls_command, export_command, purge_voters_command,
                    reset_votes_command):
        app.cli.add_command(command)
