"""Every error the service can answer, and the handlers that guarantee no input yields a 500.

The API answers ``{"error": code, "message": text}`` with a French text. A visitor who used the
no-JavaScript form (or who opens an HTML page) gets the same status with a small French page.
Messages never echo what the client sent (no cookie, no header, no body).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from . import frame

logger = logging.getLogger(__name__)

# code -> (HTTP status, French message). The first eleven are the public contract (DESIGN.md).
ERRORS: dict[str, tuple[int, str]] = {
    "unknown_poll": (404, "Ce sondage n'existe pas."),
    "poll_not_open": (409, "Ce sondage n'est pas encore ouvert : revenez à sa date d'ouverture."),
    "poll_closed": (409, "Ce sondage est fermé : il n'accepte plus de votes."),
    "already_voted": (409, "Vous avez déjà voté à ce sondage. Merci de votre participation !"),
    "invalid_choice": (422, "Cette réponse ne fait pas partie du sondage."),
    "too_many_choices": (422, "Trop de réponses cochées pour ce sondage."),
    "bad_origin": (403, "Vote refusé : la demande ne vient pas du site qui publie ce sondage."),
    "unauthorized": (401, "Jeton d'administration absent ou incorrect."),
    "payload_too_large": (413, "Requête trop volumineuse."),
    "unsupported_media_type": (
        415,
        "Format non pris en charge : envoyez le vote en JSON (Content-Type: application/json) "
        "ou depuis le formulaire du site.",
    ),
    "rate_limited": (429, "Trop de votes envoyés depuis votre connexion : réessayez dans une minute."),
    "bad_request": (400, "Requête illisible."),
    "not_found": (404, "Cette adresse n'existe pas."),
    "method_not_allowed": (405, "Cette adresse n'accepte pas cette méthode."),
    "unavailable": (503, "Le service de vote est momentanément indisponible : réessayez dans un instant."),
    "internal_error": (500, "Erreur interne du service de vote."),
}

_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
# What the no-JavaScript form posts; a vote otherwise comes as JSON.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPE = "application/json"


class PollError(Exception):
    """An expected refusal: a code of ``ERRORS``, optionally with a more precise message."""

    def __init__(self, code: str, message: str | None = None):
        super().__init__(code)
        self.code = code
        self.status, default = ERRORS[code]
        self.message = message or default


def error_response(code: str, message: str | None = None, extra: Mapping[str, Any] | None = None) -> Response:
    """Build the response for an error code, JSON or HTML as the client expects.

    ``extra`` adds members to the JSON body (already_voted adds the poll with its results).
    """
    status, default = ERRORS[code]
    message = message or default
    if _wants_html():
        poll_id = (request.view_args or {}).get("poll_id")
        body = frame.page(message, render_template("error.html", status=status, message=message, poll_id=poll_id))
        response = Response(body, status, mimetype="text/html")
    else:
        response = jsonify(error=code, message=message, **(extra or {}))
        response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sondages"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_html() -> bool:
    """HTML outside the API, and for a browser that posted the no-JavaScript form."""
    if not request.path.startswith(("/api/", "/healthz")):
        return True
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        best = request.accept_mimetypes.best_match(["application/json", "text/html"])
        return best == "text/html"
    return False


def _handle_poll_error(error: PollError) -> Response:
    return error_response(error.code, error.message)


def _handle_http_exception(error: HTTPException) -> Response:
    code = _BY_STATUS.get(error.code or 500)
    if code is not None:
        response = error_response(code)
        if error.code == 405 and isinstance(error.valid_methods, list):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    if error.code and error.code < 500:
        response = error_response("bad_request")
        response.status_code = error.code  # e.g. 408 or 431: keep werkzeug's status
        return response
    return _handle_unexpected(error)


def _handle_database_error(error: SQLAlchemyError) -> Response:
    # The class name only: a driver's message may quote the statement's parameters.
    logger.error("Database error: %s", type(error).__name__)
    return error_response("unavailable")


def _handle_unexpected(error: BaseException) -> Response:
    logger.error("Unexpected error: %s", type(error).__name__, exc_info=error)
    return error_response("internal_error")


def init_app(app: Flask) -> None:
    """Register the handlers; the last one catches anything unexpected."""
    app.register_error_handler(PollError, _handle_poll_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(SQLAlchemyError, _handle_database_error)
    app.register_error_handler(Exception, _handle_unexpected)

