"""What a view needs from the current request: the time, the voter, the rate limit.

The time always comes from ``app.config["POLL_CLOCK"]`` so tests can move it; the client
address from ``request.remote_addr``, which ProxyFix has already set from X-Forwarded-For
when (and only as far as) POLL_TRUSTED_PROXIES allows.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, request
from werkzeug.wrappers import Response

from . import voters
from .errors import PollError
from .store import DEDUP_COOKIE, Identity


def now() -> datetime:
    """Return the current time from the app's clock."""
    return current_app.config["POLL_CLOCK"]()


def identity(issue_cookie: bool = False) -> Identity:
    """Return the current voter; with ``issue_cookie``, give a cookie-less voter a new id.

    The new id is kept on ``g`` and set as a cookie by ``set_voter_cookie`` once the vote
    has been recorded.
    """
    secret = current_app.config["SECRET_KEY"]
    dedup = current_app.config["POLL_DEDUP"]
    cookie_id = voters.read_cookie(secret, request.cookies.get(voters.COOKIE_NAME))
    if cookie_id is None and issue_cookie and dedup in DEDUP_COOKIE:
        cookie_id = g.new_voter_id = voters.new_cookie_id()
    return Identity(
        cookie_digest=voters.cookie_digest(secret, cookie_id) if cookie_id else None,
        address=voters.normalise_address(request.remote_addr),
        dedup=dedup,
    )


def set_voter_cookie(response: Response) -> Response:
    """Send the voter cookie issued during this request, if any."""
    cookie_id = g.pop("new_voter_id", None)
    if cookie_id:
        response.set_cookie(
            voters.COOKIE_NAME,
            voters.sign_cookie(current_app.config["SECRET_KEY"], cookie_id),
            max_age=voters.COOKIE_MAX_AGE,
            path="/",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


def check_rate_limit() -> None:
    """Refuse the request when its (hashed) address has sent too many votes lately."""
    limiter = current_app.extensions["poll_rate_limiter"]
    if not limiter.allow(voters.normalise_address(request.remote_addr) or ""):
        raise PollError("rate_limited")
