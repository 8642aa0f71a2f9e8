"""Keep other sites out: refuse cross-site writes, answer CORS only to allowed origins.

An unsafe request passes when its ``Origin`` is this site (POLL_SITE_URL, its configured public
addresses: never the request's Host header, which a client or a DNS-rebinding page chooses) or
one of POLL_ALLOWED_ORIGINS, compared as scheme, host and port; an ``Origin`` that is neither refuses it, whatever other
headers say. Without an ``Origin``, or with ``null`` (what a browser set to send no referrer
gives a same-origin form), the browser's own ``Sec-Fetch-Site: same-origin`` (or ``none``)
lets it pass, and failing that the ``Referer`` is judged like an origin. This protects the
no-JavaScript form, which a JSON-only rule cannot (Datasette's way). The admin API is exempt:
it needs a bearer token, which a browser never sends on its own. Every answer also
says ``nosniff`` (no other site can run our JSON as a script) and keeps its URL to itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from .errors import PollError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=512)  # a site sees few origins; a flood of others only evicts
def normalise_origin(value: str | None) -> tuple[str, str, int] | None:
    """Return (scheme, host, port) of an origin or URL, or None if it is not one."""
    if not value or value == "null":
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def origin_allowed(headers: Mapping[str, str], site: str | Iterable[str], allowed: Iterable[str]) -> bool:
    """Tell whether an unsafe request with these headers may act on ``site`` (one or several origins)."""
    claimed = headers.get("Origin")
    # "null" is what a browser sends for a same-origin form when its visitor chose to send no
    # referrer at all: as good as no Origin, and Sec-Fetch-Site tells the rest.
    if claimed is None or claimed == "null":
        if headers.get("Sec-Fetch-Site", "").lower() in ("same-origin", "none"):
            return True
        claimed = headers.get("Referer")
    origin = normalise_origin(claimed)
    if origin is None:
        return False
    sites = (site,) if isinstance(site, str) else tuple(site)
    return origin in {normalise_origin(o) for o in (*sites, *allowed)}


def _check_origin() -> None:
    if request.method in SAFE_METHODS or request.path.startswith("/api/admin/"):
        return
    # The site's configured addresses; only in development (where POLL_SITE_URL may be unset:
    # make serve, the preview) the request's own Host, on 127.0.0.1.
    sites = current_app.config["POLL_SITE_URL"] or (f"{request.scheme}://{request.host}",)
    if not origin_allowed(request.headers, sites, current_app.config["POLL_ALLOWED_ORIGINS"]):
        raise PollError("bad_origin")


def _add_headers(response: Response) -> Response:
    """Add the security headers, and for the poll API ``Vary: Origin`` and CORS when allowed.

    One hook and one pass over the headers: this runs on every response.
    """
    headers = response.headers
    present = {key.lower(): value for key, value in headers.items()}
    if "x-content-type-options" not in present:
        headers.add("X-Content-Type-Options", "nosniff")
    if "referrer-policy" not in present:
        headers.add("Referrer-Policy", "same-origin")
    if not request.path.startswith("/api/polls/"):
        return response
    vary = present.get("vary")
    if not vary:
        headers["Vary"] = "Origin"
    elif "origin" not in {item.strip().lower() for item in vary.split(",")}:
        headers["Vary"] = f"{vary}, Origin"
    origin = request.headers.get("Origin")
    if origin and normalise_origin(origin) in {normalise_origin(o) for o in current_app.config["POLL_ALLOWED_ORIGINS"]}:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, POST"
            headers["Access-Control-Allow-Headers"] = "Content-Type"
            headers["Access-Control-Max-Age"] = "600"
    return response


def init_app(app: Flask) -> None:
    """Check every unsafe request before its view; add CORS and security headers after."""
    app.before_request(_check_origin)
    app.after_request(_add_headers)
