"""The voter cookie: a random id, when it was first set, the polls this browser voted on.

Signed with POLL_SECRET_KEY; the database keeps only an HMAC of the random id
(``cookie_digest``). The poll list lets a read say "you have voted" without asking the
database; it never holds an answer.

The signature is itsdangerous' ``Signer`` format (HMAC-SHA1 under a key derived from the
secret and a salt, URL-safe base64 after a "."), computed here with ``hmac`` directly: every
vote signs a cookie, and the derived key is made once per secret instead of at each call.
Cookies signed by earlier versions read the same; the comparison is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache

COOKIE_NAME = "votant"
# 13 months, the longest lifetime the CNIL accepts for a cookie; never extended on reuse.
COOKIE_MAX_AGE = 395 * 24 * 3600
# The cookie remembers this many polls at most (the latest); 40 ids of 64 characters still
# fit well within the 4 KB a browser keeps per cookie.
MAX_COOKIE_POLLS = 40
MAX_COOKIE_CHARS = 4000
_SALT = "poll-service.voter-cookie.v2"
# The first format held the random id only; such cookies are still read (see VoterCookie).
_LEGACY_SALT = "poll-service.voter-cookie"
# What a cookie value is made of (URL-safe base64, digits, poll slugs, "."): no quoting needed.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class VoterCookie:
    """The content of a validly signed voter cookie.

    ``issued`` is when it was first set (Unix seconds): a rewritten cookie keeps the expiry
    it had. ``polls`` are the polls this browser voted on, oldest first. A cookie of the first
    format has ``issued`` None and no poll list: whether it voted is asked of the database.
    """

    voter_id: str
    issued: int | None
    polls: tuple[str, ...] = ()

    @property
    def legacy(self) -> bool:
        """True for a cookie of the first format (a random id and nothing else)."""
        return self.issued is None

    def expires_at(self) -> int | None:
        """Return when the browser drops this cookie (Unix seconds), if known."""
        return None if self.issued is None else self.issued + COOKIE_MAX_AGE

    def with_poll(self, poll_id: str) -> VoterCookie:
        """Return this cookie with ``poll_id`` added as its latest poll (at most MAX_COOKIE_POLLS)."""
        polls = tuple(p for p in self.polls if p != poll_id) + (poll_id,)
        return VoterCookie(self.voter_id, self.issued, polls[-MAX_COOKIE_POLLS:])


def new_cookie_id() -> str:
    """Return a fresh random voter id."""
    return secrets.token_urlsafe(18)


@lru_cache(maxsize=16)
def _key(secret_key: str, salt: str) -> bytes:
    """Return the signing key itsdangerous' Signer derives (its default "django-concat")."""
    return hashlib.sha1(salt.encode() + b"signer" + secret_key.encode()).digest()


def _signature(key: bytes, payload: bytes) -> bytes:
    return base64.urlsafe_b64encode(hmac.digest(key, payload, "sha1")).rstrip(b"=")


def _unsign(secret_key: str, salt: str, value: str) -> str | None:
    """Return the payload of ``value`` when its signature is right, else None."""
    payload, dot, signature = value.rpartition(".")
    if not dot:
        return None
    try:
        data = payload.encode("ascii")
        expected = _signature(_key(secret_key, salt), data)
        if not hmac.compare_digest(expected, signature.encode("ascii")):
            return None
    except (UnicodeError, binascii.Error):
        return None
    return payload


def sign_cookie(secret_key: str, cookie: VoterCookie) -> str:
    """Return the cookie value carrying ``cookie`` (always in the current format)."""
    if cookie.issued is None:
        raise ValueError("a cookie is written with the time it was first set")
    # "." separates the fields: ids are URL-safe base64, times digits, poll ids slugs.
    payload = ".".join((cookie.voter_id, str(cookie.issued), *cookie.polls[-MAX_COOKIE_POLLS:]))
    return f"{payload}.{_signature(_key(secret_key, _SALT), payload.encode()).decode()}"


def cookie_header(value: str, max_age: int, secure: bool) -> str:
    """Return the ``Set-Cookie`` header of the voter cookie: HttpOnly, SameSite=Lax, the whole site.

    Written as werkzeug's ``dump_cookie`` writes it (with Expires beside Max-Age, for old
    browsers), at a tenth of its cost: every vote sets the cookie.
    """
    if not _PLAIN_VALUE.fullmatch(value):
        raise ValueError("a voter cookie value is URL-safe base64, digits, slugs and dots")
    expires = formatdate(time.time() + max_age, usegmt=True)
    secure_flag = "; Secure" if secure else ""
    return (f"{COOKIE_NAME}={value}; Expires={expires}; Max-Age={max_age}{secure_flag}; "
            "HttpOnly; Path=/; SameSite=Lax")


def read_cookie(secret_key: str, value: str | None) -> VoterCookie | None:
    """Return the content of a cookie value, or None when it is absent, forged or garbled."""
    if not value or len(value) > MAX_COOKIE_CHARS:
        return None
    payload = _unsign(secret_key, _SALT, value)
    if payload is None:
        legacy = _unsign(secret_key, _LEGACY_SALT, value)
        return VoterCookie(legacy, None) if legacy else None
    voter_id, _, rest = payload.partition(".")
    issued, _, polls = rest.partition(".")
    if not voter_id or not issued.isdigit():
        return None
    return VoterCookie(voter_id, int(issued), tuple(polls.split(".")) if polls else ())


def cookie_digest(secret_key: str, cookie_id: str) -> str:
    """Return what the database stores for a voter id."""
    return hmac.digest(secret_key.encode(), b"cookie:" + cookie_id.encode(), "sha256").hex()
