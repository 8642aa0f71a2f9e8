"""Development only: serve the built site next to the API, as nginx does in production.

``/`` is index.html, ``/foo/`` is foo/index.html, a file is sent as it is, and anything else
is the site's 404.html with status 404. Registered only when POLL_SITE_DIR is set, which the
settings allow only with POLL_ENV=development (``make serve``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, send_file
from werkzeug.security import safe_join

bp = Blueprint("site", __name__)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def serve(path: str) -> Response:
    """Send a file of the built site, or its 404 page."""
    if path.startswith("api/"):
        abort(404)  # an unknown API address answers JSON, not the site's page
    root = current_app.config["POLL_SITE_DIR"]
    found = safe_join(root, path) if path else root
    if found is not None:
        target = Path(found)
        if target.is_dir():
            if path and not path.endswith("/"):
                return redirect(f"/{path}/", 308)
            target = target / "index.html"
        if target.is_file():
            return send_file(target, max_age=0)
    page = Path(root) / "404.html"
    if page.is_file():
        response = send_file(page, max_age=0)
        response.status_code = 404
        return response
    abort(404)
