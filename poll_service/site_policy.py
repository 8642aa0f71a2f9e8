"""The site's Content-Security-Policy and framing refusal: one definition, sent everywhere.

The theme, the build and the service's pages write no inline script, no inline style, no
``style=`` or ``on…=`` attribute, and load nothing from another host, so the policy lets a page
use only the site's own files: an injected script or style does nothing, and no other site
may frame a page (a framed "Voter" button would vote for whoever clicks it). ``X-Frame-Options``
says the same to browsers too old for ``frame-ancestors``.

Sent by the service for the pages it writes (results, errors) and, in development, for the
built site it serves (``make serve``); the preview (tools/preview_web.py) imports it from here,
since the service never imports tools/. docs/deploy.md's nginx configuration carries the same
string, and tests/poll_service/test_site_policy.py fails when the two differ.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

# connect-src, font-src… fall back to default-src: the poll script talks to /api/ on the
# same origin (POLL_API_URL empty). A service on another origin must be added to connect-src
# and form-action (docs/deploy.md says how).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
))
# The search page (SEARCH_URL of pelicanconf.py) runs Pagefind, which compiles its WebAssembly
# in a worker whose own policy is that of its script, under /pagefind/: 'wasm-unsafe-eval' for
# those alone (it allows WebAssembly, not eval), the rest unchanged.
SEARCH_PAGE = "/rechercher/"
SEARCH_BUNDLE = "/pagefind/"
SEARCH_PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
}


def protect(response: Response, path: str = "") -> Response:
    """Add the policy and the framing refusal, unless the response already sets its own.

    ``path``, the address asked (from its first slash), picks the search page's policy.
    """
    search = path in (SEARCH_PAGE, SEARCH_PAGE + "index.html") or path.startswith(SEARCH_BUNDLE)
    headers = {**HEADERS, "Content-Security-Policy": SEARCH_PAGE_POLICY} if search else HEADERS
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def _protect_html(response: Response) -> Response:
    # JSON and the SVG chart carry their own, stricter policy or need none; every HTML page of
    # the service (results, errors) gets the site's.
    if response.mimetype == "text/html":
        protect(response)
    return response


def init_app(app: Flask) -> None:
    """Send the policy with every HTML page of the service."""
    app.after_request(_protect_html)
