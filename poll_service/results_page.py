"""The HTML results page: French, readable without JavaScript, every text escaped."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from . import visitor

bp = Blueprint("results_page", __name__)


@bp.get("/polls/<poll_id>/")
def results(poll_id: str) -> Response:
    """Show a poll's results (or why they are hidden) with links to the article and privacy page."""
    state = visitor.poll_state(poll_id)
    response = Response(render_template("results.html", poll=state), mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response
