"""Serve a built site and the poll service together, compressed as nginx does in production.

``python -m bench.site_server --site DIR --port P`` runs the service in development mode
(POLL_SITE_DIR: the site next to the API, as ``make serve``) behind ``gzip_middleware``,
which compresses text responses like the ``gzip`` lines of docs/deploy.md. Lighthouse
(bench/lighthouse.py) measures the pages through it.
"""

from __future__ import annotations

import argparse
import gzip
from collections.abc import Callable, Iterable
from typing import Any

# The types nginx compresses with the configuration of docs/deploy.md (text/html always).
COMPRESSED_TYPES = ("text/html", "text/css", "text/plain", "application/javascript", "text/javascript",
                    "application/json", "image/svg+xml", "application/atom+xml", "application/rss+xml",
                    "application/xml")
LEVEL = 6


def gzip_middleware(app: Callable) -> Callable:
    """Wrap a WSGI app: gzip its text responses when the client accepts gzip."""

    def wrapped(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", ""):
            return app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body_iter = app(environ, capture)
        try:
            body = b"".join(body_iter)
        finally:
            close = getattr(body_iter, "close", None)
            if close:
                close()
        headers = captured["headers"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "").split(";")[0].strip()
        if kind in COMPRESSED_TYPES and body and not any(k.lower() == "content-encoding" for k, _ in headers):
            body = gzip.compress(body, LEVEL, mtime=0)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(body))),
                        ("Vary", "Accept-Encoding")]
        start_response(captured["status"], headers)
        return [body]

    return wrapped


def main() -> None:
    """Serve ``--site`` and the service on 127.0.0.1 until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True, help="POLL_DATABASE_URL")
    args = parser.parse_args()
    from werkzeug.serving import make_server  # noqa: PLC0415

    from poll_service import create_app  # noqa: PLC0415

    app = create_app({"POLL_ENV": "development", "POLL_SITE_DIR": args.site,
                      "POLL_DATABASE_URL": args.database})
    make_server("127.0.0.1", args.port, gzip_middleware(app.wsgi_app), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
