"""Development only: serve the built site next to the API, as nginx does in production.

``/`` is index.html, ``/foo/`` is foo/index.html, a file is sent as it is, and anything else
is the site's 404.html with status 404. The blueprint is registered only when POLL_SITE_DIR
is set, which the settings allow only with POLL_ENV=development (``make serve``);
``static_site`` is the same serving as a bare WSGI application (the preview without polls).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join
from werkzeug.utils import redirect, send_file
from werkzeug.wrappers import Request, Response

from .site_policy import protect

bp = Blueprint("built_site", __name__)
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def site_response(root: Path, path: str, environ: dict[str, Any]) -> Response | None:
    """Return the file, index page, redirect or 404 page answering ``path``; None: no 404 page.

    Each answer carries the site's Content-Security-Policy, as nginx sends it in production.
    """
    response = _find(root, path, environ)
    return None if response is None else protect(response, "/" + path)


def _find(root: Path, path: str, environ: dict[str, Any]) -> Response | None:
    found = safe_join(str(root), path) if path else str(root)
    if found is not None:
        target = Path(found)
        if target.is_dir():
            if path and not path.endswith("/"):
                return redirect(f"/{path}/", 308)
            target = target / "index.html"
        if target.is_file():
            return send_file(target, environ, max_age=0)
    page = Path(root) / "404.html"
    if page.is_file():
        response = send_file(page, environ, max_age=0)
        response.status_code = 404
        return response
    return None


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def serve(path: str) -> Response:
    """Send a file of the built site, or its 404 page."""
    if path.startswith(("api/", "polls/")):
        # As behind nginx: /api/ and /polls/ are the service's. An unknown API address answers
        # JSON, not the site's page; the page frame in polls/ is never sent as it is.
        abort(404)
    response = site_response(Path(current_app.config["POLL_SITE_DIR"]), path, request.environ)
    if response is None:
        abort(404)
    return response


def static_site(root: Path) -> WSGIApp:
    """Return a WSGI application serving only the built site at ``root``."""

    @Request.application
    def app(request: Request) -> Response:
        return site_response(root, request.path.lstrip("/"), request.environ) or NotFound()

    return app
