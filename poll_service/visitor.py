"""The current visitor: their cookie, who they are for the dedup rule, the poll as they see it.

The time comes from ``settings.now()`` (the app's POLL_CLOCK, so tests can move it); the
client address from ``request.remote_addr``, which ProxyFix has already set from X-Forwarded-For
when (and only as far as) POLL_TRUSTED_PROXIES allows, and is reduced at once to the client's
network (client_network.py: the IPv4 address, the IPv6 /64), the only form the dedup rule and
the rate limits ever see.

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
from werkzeug.http import parse_list_header
from werkzeug.wrappers import Response

from . import address_keys, voter_cookie as cookies
from .client_network import network_key
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
    address = client_network() if dedup in DEDUP_ADDRESS else None
    return Identity(
        cookie_digest=cookies.cookie_digest(secret, cookie.voter_id) if cookie else None,
        address_digests=key_ring().digests(address, now()) if address else (),
        new_cookie=cookie is not None and cookie is g.get("poll_new_cookie"),
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
    value = cookies.sign_cookie(current_app.config["POLL_SECRET_KEY"], cookie.with_poll(poll_id))
    response.headers.add("Set-Cookie", cookies.cookie_header(value, max(remaining, 1), secure_site()))
    return response


def secure_site() -> bool:
    """Tell whether the voter cookie gets ``Secure``: the configured site is HTTPS.

    From POLL_SITE_URL, never from a forwarded header; only in development without it, from
    the request itself.
    """
    sites = current_app.config["POLL_SITE_URL"]
    if sites:
        return all(site.startswith("https://") for site in sites)
    return request.is_secure


def client_network() -> str | None:
    """Return the client's network (its IPv4 address, its IPv6 /64); None when the address is
    missing or unparsable. Computed once per request."""
    if "poll_network" not in g:
        address = request.remote_addr
        hops = current_app.config["POLL_TRUSTED_PROXIES"]
        if hops and len(parse_list_header(request.headers.get("X-Forwarded-For", ""))) < hops:
            # The proxies did not name the client (ProxyFix then leaves the last proxy's own
            # address): the proxy is nobody's network, every visitor would share it.
            address = None
        g.poll_network = network_key(address, current_app.config["POLL_IPV6_PREFIX"])
    return g.poll_network


def check_client_address() -> None:
    """Refuse a vote when it needs the client's network and there is none.

    The dedup rule needs it in ``cookie+ip`` and ``ip`` modes, the rate limit whenever it is on.
    The server gives no address at all when gunicorn listens on a unix socket and no proxy is
    trusted: a configuration error (503 unavailable, logged as such). An address that is no
    plain IP address (a port, brackets, a zone, another spelling), or trusted proxies that did
    not name the client, make this request unreadable (400 bad_request): hashing that text would
    make each spelling a new voter. Neither log line holds the value, which may be an address.
    """
    dedup = current_app.config["POLL_DEDUP"]
    needed = dedup in DEDUP_ADDRESS or current_app.extensions["poll_rate_limiter"].limit > 0
    if not needed or client_network():
        return
    if not request.remote_addr and not current_app.config["POLL_TRUSTED_PROXIES"]:
        # No address, no cookie in the message: there is nothing about the visitor to log.
        logger.error(
            "Configuration error: vote refused, the server gave no client address (empty REMOTE_ADDR) "
            "and POLL_DEDUP=%s or POLL_RATE_LIMIT needs one; listen on TCP, or set POLL_TRUSTED_PROXIES "
            "behind a proxy that sends X-Forwarded-For (docs/deploy.md)",
            dedup,
        )
        raise PollError("unavailable")
    logger.warning(
        "Vote refused: the client address is not a plain IP address (a port, brackets, a zone, "
        "another spelling), or the %s trusted proxies did not all send X-Forwarded-For",
        current_app.config["POLL_TRUSTED_PROXIES"],
    )
    raise PollError("bad_request", "Adresse du client illisible : ce vote ne peut pas être compté.")


def check_rate_limit() -> None:
    """Refuse the request when its (hashed) network has sent too many votes lately."""
    limiter = current_app.extensions["poll_rate_limiter"]
    if limiter.limit > 0 and not limiter.allow(client_network() or ""):
        raise PollError("rate_limited")
