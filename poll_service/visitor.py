"""The current visitor: their cookie, who they are for the dedup rule, the poll as they see it.

The time comes from ``settings.now()`` (the app's POLL_CLOCK, so tests can move it); the
client address from ``request.remote_addr``, which ProxyFix has already set from X-Forwarded-For
when (and only as far as) POLL_TRUSTED_PROXIES allows.

Reads (``poll_state``) need no database in the common case: the poll's definition and counts
come from the process's short cache (cache.py), and whether the visitor voted from the poll
list of their signed voter cookie. The database is asked only when the cache is older than
POLL_READ_CACHE_SECONDS, or when the cookie cannot tell: in ``ip`` mode (no cookie at all)
and for a cookie of the first format (a random id without a poll list).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface
from werkzeug.wrappers import Response

from . import address_keys, voter_cookie as cookies
from .db import get_db, transaction
from .errors import PollError
from .settings import now
from .store.state import PollSnapshot, PollState, load_snapshot
from .store.votes import DEDUP_ADDRESS, DEDUP_COOKIE, Identity, has_voted

logger = logging.getLogger(__name__)


class NoSession(SessionInterface):
    """No Flask session: the voter cookie is the service's only cookie.

    Flask's default session would look for (and verify) a signed session cookie on every
    request, for nothing; ``flask.session`` is an empty null session instead.
    """

    def open_session(self, app: Flask, request: Any) -> None:
        return None

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        return None


def key_ring() -> address_keys.KeyRing:
    """Return this app's address keys (kept in POLL_KEY_DIR, never in the database)."""
    return current_app.extensions["poll_key_ring"]


def voter_cookie() -> cookies.VoterCookie | None:
    """Return the request's validly signed, unexpired voter cookie, read once per request."""
    if "poll_cookie" not in g:
        # Most readers have no cookie at all: no need to parse an absent header.
        value = request.cookies.get(cookies.COOKIE_NAME) if request.environ.get("HTTP_COOKIE") else None
        cookie = cookies.read_cookie(current_app.config["POLL_SECRET_KEY"], value)
        expires = cookie.expires_at() if cookie else None
        if expires is not None and now().timestamp() >= expires:
            cookie = None  # the browser should have dropped it: as if it had
        g.poll_cookie = cookie
    return g.poll_cookie


def identity(issue_cookie: bool = False) -> Identity:
    """Return the current voter as the dedup rule sees them: the one place digests are made.

    With ``issue_cookie``, a cookie-less voter gets a new id; the new cookie is kept on ``g``
    and sent by ``remember_vote`` once the vote has been recorded. The raw address is hashed
    here and goes no further.
    """
    secret = current_app.config["POLL_SECRET_KEY"]
    dedup = current_app.config["POLL_DEDUP"]
    cookie = voter_cookie() if dedup in DEDUP_COOKIE else None
    if cookie is None and issue_cookie and dedup in DEDUP_COOKIE:
        cookie = g.poll_new_cookie = cookies.VoterCookie(cookies.new_cookie_id(), int(now().timestamp()))
    address = client_address() if dedup in DEDUP_ADDRESS else None
    return Identity(
        cookie_digest=cookies.cookie_digest(secret, cookie.voter_id) if cookie else None,
        address_digests=key_ring().digests(address, now()) if address else (),
    )


def voted_from_cookie(poll_id: str) -> bool | None:
    """Say from the voter cookie alone whether the visitor voted on the poll; None: ask the database.

    In ``cookie+ip`` mode this answers for the browser: a browser without the poll in its
    cookie is told it has not voted even if its address has (the vote itself would then be
    refused with already_voted, which carries the results).
    """
    if current_app.config["POLL_DEDUP"] not in DEDUP_COOKIE:
        return None
    cookie = voter_cookie()
    if cookie is None:
        return False
    if cookie.legacy:
        return None
    return poll_id in cookie.polls


def poll_snapshot(poll_id: str) -> tuple[PollSnapshot, datetime, bool]:
    """Return the poll's snapshot, the time, and whether the current visitor voted on it."""
    cache = current_app.extensions["poll_cache"]
    moment = now()
    voted = voted_from_cookie(poll_id)
    snapshot = cache.get(poll_id)
    if snapshot is None or voted is None:
        token = cache.token(poll_id)
        with transaction(get_db()) as conn:
            if snapshot is None:
                snapshot = load_snapshot(conn, poll_id)
                cache.keep(poll_id, token, snapshot)
            if voted is None:
                voted = has_voted(conn, poll_id, identity())
    return snapshot, moment, voted


def poll_state(poll_id: str) -> PollState:
    """Return the poll as the current visitor sees it (raise unknown_poll)."""
    snapshot, moment, voted = poll_snapshot(poll_id)
    return snapshot.state(moment, voted)


def remember_vote(response: Response, poll_id: str) -> Response:
    """Send the voter cookie with ``poll_id`` in its poll list, when it is not there yet.

    A new cookie (issued by ``identity``) gets the full lifetime; a rewritten one keeps the
    expiry it had. A cookie of the first format is left as it is (its expiry is unknown).
    """
    if current_app.config["POLL_DEDUP"] not in DEDUP_COOKIE:
        return response  # ip mode sets no cookie at all
    cookie = g.pop("poll_new_cookie", None) or voter_cookie()
    if cookie is None or cookie.legacy or poll_id in cookie.polls:
        return response
    remaining = min(cookies.COOKIE_MAX_AGE, cookie.expires_at() - int(now().timestamp()))
    response.set_cookie(
        cookies.COOKIE_NAME,
        cookies.sign_cookie(current_app.config["POLL_SECRET_KEY"], cookie.with_poll(poll_id)),
        max_age=max(remaining, 1),
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


def client_address() -> str | None:
    """Return the request's client address in one spelling, parsed once per request."""
    if "poll_address" not in g:
        g.poll_address = address_keys.normalise_address(request.remote_addr)
    return g.poll_address


def check_client_address() -> None:
    """Refuse a vote (503 unavailable) when the dedup rule needs the client address and there is none.

    The server gives no address when gunicorn listens on a unix socket and no trusted proxy's
    X-Forwarded-For replaces it: votes would then go without the address check, and the rate
    limit would count every visitor as one. That is a configuration error, logged as such.
    """
    dedup = current_app.config["POLL_DEDUP"]
    if dedup in DEDUP_ADDRESS and not client_address():
        # No address, no cookie in the message: there is nothing about the visitor to log.
        logger.error(
            "Configuration error: vote refused, the server gave no client address (empty REMOTE_ADDR) "
            "and POLL_DEDUP=%s needs one; listen on TCP, or set POLL_TRUSTED_PROXIES behind a proxy "
            "that sends X-Forwarded-For (docs/deploy.md)",
            dedup,
        )
        raise PollError("unavailable")


def check_rate_limit() -> None:
    """Refuse the request when its (hashed) address has sent too many votes lately."""
    limiter = current_app.extensions["poll_rate_limiter"]
    if limiter.limit > 0 and not limiter.allow(client_address() or ""):
        raise PollError("rate_limited")
