"""The bare Flask "hello" app the poll service is compared with, under the same gunicorn.

It does the least a Flask view can do, on the same paths and methods wrk sends to the
service, so the ratio isolates what our code costs per request.
"""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    """Create the hello app: any GET or POST under /api/ answers a short text."""
    app = Flask(__name__)

    @app.route("/healthz")
    @app.route("/api/<path:anything>", methods=["GET", "POST"])
    def hello(anything: str = "") -> str:
        """Say hello, whatever was asked."""
        return "hello"

    return app
