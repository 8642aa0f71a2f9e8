"""The voter cookie's signature and header, written without itsdangerous and werkzeug on the
vote's path, stay byte for byte what those libraries write and read (cookies already in
browsers keep working)."""

from __future__ import annotations

import pytest
from itsdangerous import Signer
from werkzeug.http import dump_cookie

from poll_service.voter_cookie import COOKIE_NAME, VoterCookie, cookie_header, read_cookie, sign_cookie

SECRET = "un-secret-de-test-assez-long-0123456789"
COOKIE = VoterCookie("AbCdEfGhIjKlMnOpQrStUvWx", 1796580306, ("don-en-ligne", "outils"))
PAYLOAD = "AbCdEfGhIjKlMnOpQrStUvWx.1796580306.don-en-ligne.outils"


def test_a_cookie_is_signed_as_itsdangerous_signs_it_and_reads_back():
    value = sign_cookie(SECRET, COOKIE)
    assert value == Signer(SECRET, salt="poll-service.voter-cookie.v2").sign(PAYLOAD).decode()
    assert read_cookie(SECRET, value) == COOKIE


def test_a_cookie_signed_by_itsdangerous_is_read():
    value = Signer(SECRET, salt="poll-service.voter-cookie.v2").sign(PAYLOAD).decode()
    assert read_cookie(SECRET, value) == COOKIE
    legacy = Signer(SECRET, salt="poll-service.voter-cookie").sign("ancien-votant").decode()
    assert read_cookie(SECRET, legacy) == VoterCookie("ancien-votant", None)


@pytest.mark.parametrize("forge", [
    lambda v: v[:-1] + ("A" if v[-1] != "A" else "B"),  # signature changed
    lambda v: v.replace("outils", "agenda"),  # a poll added to the list by hand
    lambda v: v.rsplit(".", 1)[0],  # no signature
    lambda v: v + "=",  # padding: not the signature we write
    lambda v: v[:-2] + "é",  # not ASCII
    lambda v: "",
    lambda v: ".",
])
def test_a_forged_or_garbled_cookie_is_refused(forge):
    assert read_cookie(SECRET, forge(sign_cookie(SECRET, COOKIE))) is None


def test_a_cookie_signed_with_another_key_is_refused():
    assert read_cookie("une-autre-cle", sign_cookie(SECRET, COOKIE)) is None


@pytest.mark.parametrize("secure", [True, False])
def test_the_set_cookie_header_is_werkzeugs(secure):
    value = sign_cookie(SECRET, COOKIE)
    expected = dump_cookie(COOKIE_NAME, value, max_age=3600, path="/", secure=secure, httponly=True,
                           samesite="Lax")
    written = cookie_header(value, 3600, secure)
    # Expires is computed from the clock by both: equal but for a second that may tick between.
    drop = lambda header: [part for part in header.split("; ") if not part.startswith("Expires=")]  # noqa: E731
    assert drop(written) == drop(expected)
    assert "HttpOnly" in written and "SameSite=Lax" in written and ("Secure" in written) is secure
    assert written.split("; ")[1].startswith("Expires=")


def test_a_value_that_would_need_quoting_is_refused():
    with pytest.raises(ValueError):
        cookie_header('a"b;c', 60, True)
