"""The admin API: list polls, export counts as CSV, close and reopen. Bearer token only.

Without POLL_ADMIN_TOKEN every admin request is refused; a configured token has at least 32
characters (settings.py). The token is compared in constant time, and failed attempts are
throttled per client network (hashed, in memory): after FAILURES_ALLOWED wrong tokens in
FAILURES_WINDOW seconds, every admin request from that network, even with the right token, gets
429 rate_limited until the window has passed, so guessing gains nothing from speed. Like the
vote limit, this counts per process; the nginx example also keeps /api/admin/ to the server
itself (docs/deploy.md). Exports hold options and counts, never a voter identifier.
"""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Iterable

from flask import Blueprint, Response, current_app, jsonify, request

from .db import get_db, transaction
from .errors import PollError
from .settings import now
from .visitor import client_network
from .store.state import export_rows, list_polls, set_admin_state

bp = Blueprint("admin", __name__, url_prefix="/api/admin")

# Wrong tokens allowed per client network and window before every admin request is refused.
FAILURES_ALLOWED = 10
FAILURES_WINDOW = 60

# Spreadsheets run a cell starting with these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.before_request
def require_token() -> None:
    """Refuse the request unless it carries the admin bearer token; throttle wrong guesses."""
    expected = current_app.config["POLL_ADMIN_TOKEN"]
    if not expected:
        raise PollError("unauthorized")
    failures = current_app.extensions["poll_admin_failures"]
    # No address (a unix socket without a trusted proxy): all such requests share one count.
    network = client_network() or ""
    if failures.exhausted(network):
        raise PollError("rate_limited", "Trop de jetons d'administration refusés depuis votre connexion : réessayez dans une minute.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Bytes: compare_digest refuses non-ASCII str, and a header may hold anything.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), expected.encode()
    ):
        failures.allow(network)
        raise PollError("unauthorized")


@bp.get("/polls")
def polls() -> Response:
    """List every poll with its state and counts."""
    with transaction(get_db()) as conn:
        return jsonify(polls=list_polls(conn, now()))


@bp.get("/polls/<poll_id>/votes.csv")
def votes_csv(poll_id: str) -> Response:
    """Export a poll's counts as CSV."""
    with transaction(get_db()) as conn:
        rows = export_rows(conn, poll_id)
    response = Response(csv_text(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{poll_id}-votes.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/polls/<poll_id>/close")
def close(poll_id: str) -> Response:
    """Close a poll now, whatever its dates."""
    return _set_state(poll_id, "closed")


@bp.post("/polls/<poll_id>/reopen")
def reopen(poll_id: str) -> Response:
    """Reopen a poll now, whatever its dates, until it is closed again."""
    return _set_state(poll_id, "open")


def _set_state(poll_id: str, state: str) -> Response:
    cache = current_app.extensions["poll_cache"]
    token = cache.token(poll_id)
    conn = get_db()
    with transaction(conn, write=True):
        set_admin_state(conn, poll_id, state, now())
    # Visible at once in this worker; the others read it within POLL_READ_CACHE_SECONDS.
    cache.publish(poll_id, token, None)
    with transaction(conn):
        listed = [p for p in list_polls(conn, now()) if p["id"] == poll_id]
    return jsonify(listed[0])


def csv_cell(value: object) -> object:
    """Neutralise a text cell a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[tuple[str, str, int]]) -> str:
    """Return the CSV of (key, label, votes) rows, with a French header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["clé", "réponse", "votes"])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
