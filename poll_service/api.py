"""The public JSON API: read a poll, vote, the SVG chart, and the health check."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from . import visitor
from .db import get_db, transaction
from .errors import FORM_TYPES, JSON_TYPE, PollError, error_response
from .schema import LATEST_VERSION, current_version
from .settings import now
from .store.state import status_of
from .store.votes import AlreadyVoted, Ballot
from .writer import get_writer

bp = Blueprint("api", __name__)
logger = logging.getLogger(__name__)


@bp.get("/api/polls/<poll_id>")
def show(poll_id: str) -> Response:
    """Return a poll, its counts (when visible) and whether this visitor has voted."""
    snapshot, moment, voted = visitor.poll_snapshot(poll_id)
    # Every visitor of a given status and vote gets the same bytes: serialised once per state.
    body = snapshot.derived(
        ("json", status_of(snapshot, moment), voted),
        lambda: jsonify(snapshot.state(moment, voted).to_json()).get_data(),
    )
    response = current_app.response_class(body, mimetype=current_app.json.mimetype)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/api/polls/<poll_id>/votes")
def vote(poll_id: str) -> Response:
    """Record a vote: JSON answers 201 with the poll, the no-JavaScript form a 303."""
    visitor.check_client_address()
    visitor.check_rate_limit()
    mimetype = request.mimetype
    is_form = mimetype in FORM_TYPES
    if not is_form and mimetype != JSON_TYPE:
        raise PollError("unsupported_media_type")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length
    if length is not None and length > limit:
        raise PollError("payload_too_large")
    # A chunked body has no length: werkzeug stops reading at the limit without saying whether
    # more followed. Reading one byte further tells a body that exactly fills the limit (taken)
    # from a longer one (refused), never parsed truncated. Forms reuse this cache.
    request.max_content_length = limit + 1
    if len(request.get_data(cache=True)) > limit:
        raise PollError("payload_too_large")
    choices = request.form.getlist("choices") if is_form else _json_choices()
    ballot = Ballot(poll_id, tuple(choices), visitor.identity(issue_cookie=True))
    cache = current_app.extensions["poll_cache"]
    token = cache.token(poll_id)
    moment = now()
    # Answered once the batch holding this vote is committed (writer.py): never before.
    outcome = get_writer().submit(ballot, moment)
    if isinstance(outcome, AlreadyVoted):
        logger.info("Vote refused on poll %r: %s", poll_id, outcome.code)
        # The results this voter may now see come with the refusal: no second request.
        response = error_response(outcome.code, outcome.message, extra={"poll": outcome.poll.to_json()})
        # Their own cookie had voted: let reads say so from now on.
        return visitor.remember_vote(response, poll_id) if outcome.by_cookie else response
    if isinstance(outcome, PollError):
        # The poll and the reason only: who voted is exactly what must not be logged.
        logger.info("Vote refused on poll %r: %s", poll_id[:64], outcome.code)
        raise outcome
    snapshot = outcome
    # This worker's readers see the vote at once; the others within POLL_READ_CACHE_SECONDS.
    cache.publish(poll_id, token, snapshot)
    logger.info("Vote recorded on poll %r", poll_id)
    if is_form:
        # A path, never an absolute address: the browser resolves it against the address it
        # used, so no Host header (forged or not) ever reaches the Location.
        response = redirect(url_for("results_page.results", poll_id=poll_id), 303)
    else:
        # Every vote of a batch answers the same poll: serialised once per batch.
        body = snapshot.derived(
            ("json", status_of(snapshot, moment), True),
            lambda: jsonify(snapshot.state(moment, True).to_json()).get_data(),
        )
        response = current_app.response_class(body, status=201, mimetype=current_app.json.mimetype)
    response.headers["Cache-Control"] = "no-store"
    return visitor.remember_vote(response, poll_id)


def _json_choices() -> list[str]:
    try:
        # Parsed here rather than by request.get_json: a deeply nested body raises
        # RecursionError, which Flask would not turn into a 400.
        payload = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise PollError("bad_request", "Corps JSON illisible : envoyez {\"choices\": [\"clé\"]}.") from None
    choices = payload.get("choices") if isinstance(payload, dict) else None
    if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
        raise PollError("invalid_choice", "Le vote doit avoir la forme {\"choices\": [\"clé\", …]}.")
    return choices


@bp.get("/api/polls/<poll_id>/results.svg")
def results_svg(poll_id: str) -> Response:
    """Return the results as an accessible SVG bar chart."""
    state = visitor.poll_state(poll_id)
    response = Response(render_template("results.svg", poll=state), mimetype="image/svg+xml")
    # What a visitor sees of an after-vote poll depends on their cookie: no shared cache.
    response.headers["Cache-Control"] = "private, no-cache" if state.results == "after-vote" else "public, max-age=30"
    # Opened on its own, the image may run nothing, load nothing and be framed by no one.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


@bp.get("/healthz")
def health() -> Response:
    """Say whether the service runs and its database answers with the current schema."""
    try:
        with transaction(get_db()) as conn:
            version = current_version(conn)
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        response = jsonify(status="error", message="Base de données injoignable.")
        response.status_code = 503
        return response
    if version != LATEST_VERSION:
        response = jsonify(
            status="error",
            message=f"Schéma en version {version}, {LATEST_VERSION} attendue : lancez init-db.",
        )
        response.status_code = 503
        return response
    return jsonify(status="ok", schema_version=version)
