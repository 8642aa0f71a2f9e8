"""The HTML results page: French, readable without JavaScript, every text escaped.

Its content is set in the site's page frame (frame.py), so it looks like the site's other pages.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, send_file

from . import frame, visitor

bp = Blueprint("results_page", __name__)
STYLESHEET = Path(__file__).with_name("static") / "results.css"


@bp.get("/polls/<poll_id>/")
def results(poll_id: str) -> Response:
    """Show a poll's results (or why they are hidden) with links to the article and privacy page."""
    state = visitor.poll_state(poll_id)
    body = frame.page(f"Résultats : {state.question}", render_template("results.html", poll=state))
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-cache"
    # The site's Content-Security-Policy comes with every HTML page (site_policy).
    return response


@bp.get("/polls/resultats.css")
def stylesheet() -> Response:
    """Send the style of the service's pages (a file: the policy refuses inline styles)."""
    # Under /polls/, which nginx already sends to the service; no poll id holds a dot.
    return send_file(STYLESHEET, mimetype="text/css", max_age=3600)
