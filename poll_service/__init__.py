"""The poll service: a small Flask app that records votes of the site's polls.

Only the factory lives here; nothing runs at import time. ``flask --app poll_service ...``
and ``gunicorn 'poll_service:create_app()'`` both find it. The site's build never imports
this package: what both share is ``poll_spec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app from the environment, or from ``config`` (a mapping, for tests)."""
    from . import admin, api, built_site, cache, cli, csrf, db, errors, frame, logs, results_page, results_text, settings, share, site_policy, writer
    from .address_keys import KeyRing
    from .ratelimit import RateLimiter
    from .visitor import NoSession

    options = settings.load(config)
    app = Flask(__name__)
    app.session_interface = NoSession()
    app.config.update(options)
    app.config.update(
        SECRET_KEY=options["POLL_SECRET_KEY"],
        MAX_CONTENT_LENGTH=options["POLL_MAX_BODY_BYTES"],
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    hops = options["POLL_TRUSTED_PROXIES"]
    if hops:
        # X-Forwarded-For (and -Proto) are believed for exactly this many proxies, never more;
        # at 0 no forwarded header of any kind is read (nor -Host, -Port, -Prefix, Forwarded).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]
    limit, window = options["POLL_RATE_LIMIT"]
    tracked, clock = options["POLL_RATE_LIMIT_NETWORKS"], options["POLL_MONOTONIC_CLOCK"]
    app.extensions["poll_rate_limiter"] = RateLimiter(limit, window, clock, tracked)
    app.extensions["poll_admin_failures"] = RateLimiter(admin.FAILURES_ALLOWED, admin.FAILURES_WINDOW, clock, tracked)
    app.extensions["poll_key_ring"] = KeyRing(options["POLL_KEY_DIR"], options["POLL_SECRET_KEY"])

    logs.install()
    db.init_app(app)
    cache.init_app(app)
    writer.init_app(app)
    errors.init_app(app)
    frame.init_app(app)
    csrf.init_app(app)
    site_policy.init_app(app)
    results_text.init_app(app)
    cli.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(results_page.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(share.bp)
    if options["POLL_SITE_DIR"]:
        app.register_blueprint(built_site.bp)
    return app
