"""A WSGI app that answers what gunicorn put in its environ: the scheme, the address, the paths.

Run under gunicorn by test_gunicorn_config.py to see which forwarded headers gunicorn itself
believes; not part of the service.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

SHOWN = ("wsgi.url_scheme", "REMOTE_ADDR", "SCRIPT_NAME", "PATH_INFO", "HTTP_HOST")


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer 200 with the environ entries a proxy could forge."""
    body = json.dumps({name: environ.get(name) for name in SHOWN}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
