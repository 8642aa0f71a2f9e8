"""The admin API: list polls, export counts as CSV, close and reopen. Bearer token only.

Without POLL_ADMIN_TOKEN every admin request is refused. The token is compared in constant
time. Exports hold options and counts, never a voter identifier.
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
from .store.state import export_rows, list_polls, set_admin_state

bp = Blueprint("admin", __name__, url_prefix="/api/admin")

# Spreadsheets run a cell starting with these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.before_request
def require_token() -> None:
    """Refuse the request unless it carries the admin bearer token."""
    expected = current_app.config["POLL_ADMIN_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Bytes: compare_digest refuses non-ASCII str, and a header may hold anything.
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), expected.encode()
    ):
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
