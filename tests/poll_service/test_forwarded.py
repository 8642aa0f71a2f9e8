"""No forwarded header believed beyond POLL_TRUSTED_PROXIES, and never the Host header.

The origin check compares with POLL_SITE_URL, redirects are paths, the cookie's Secure comes
from the configured site: a forged Host, X-Forwarded-Host or Forwarded changes none of them.
(With a real gunicorn and its documented configuration: test_gunicorn_config.py.)
"""

from __future__ import annotations

ORIGIN = "http://localhost"  # POLL_SITE_URL of the test apps (conftest.py)

EVERY_FORWARDED_HEADER = {
    "X-Forwarded-For": "198.51.100.1",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Protocol": "ssl",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Prefix": "/evil",
    "X-Real-IP": "198.51.100.1",
    "Forwarded": 'for=198.51.100.1;proto=https;host=evil.example, for="[2001:db8::1]"',
}


def forged(number: int) -> dict[str, str]:
    """Every forwarded header, naming a different client each time."""
    headers = dict(EVERY_FORWARDED_HEADER)
    headers["X-Forwarded-For"] = headers["X-Real-IP"] = f"198.51.100.{number}"
    headers["Forwarded"] = f"for=198.51.100.{number};proto=https;host=evil.example"
    return headers


def test_no_forwarded_header_is_believed_without_a_trusted_proxy(make_app, vote):
    app = make_app()  # POLL_TRUSTED_PROXIES=0
    first = vote(app.test_client(), "don-en-ligne", "oui", headers=forged(1))
    assert first.status_code == 201
    assert "Secure" not in first.headers["Set-Cookie"]  # the site is http://localhost
    # Another "client" by every header, the same peer: the same voter.
    second = vote(app.test_client(), "don-en-ligne", "non", headers=forged(2))
    assert (second.status_code, second.get_json()["error"]) == (409, "already_voted")
    # And an Origin that the forwarded headers would make "the site" is still foreign.
    third = vote(app.test_client(), "outils", "forum", headers={**forged(3), "Origin": "https://evil.example"})
    assert (third.status_code, third.get_json()["error"]) == (403, "bad_origin")


def test_a_forged_host_is_not_the_site(make_app, vote):
    app = make_app()
    client = app.test_client()
    refused = vote(client, "don-en-ligne", "oui", headers={"Origin": "http://evil.example"}, base_url="http://evil.example")
    assert (refused.status_code, refused.get_json()["error"]) == (403, "bad_origin")
    # DNS rebinding's shape: the page's origin and the Host agree, and both are someone else.
    rebound = vote(client, "don-en-ligne", "oui", headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"},
                   base_url="http://evil.example")
    assert rebound.status_code == 403
    # The configured site votes, whatever Host the request names.
    assert vote(client, "don-en-ligne", "oui", headers={"Origin": ORIGIN}, base_url="http://evil.example").status_code == 201


def test_the_form_redirect_and_the_pages_links_never_name_the_host(make_app):
    app = make_app()
    response = app.test_client().post(
        "/api/polls/don-en-ligne/votes",
        data={"choices": "oui"},
        headers={"Origin": ORIGIN, "X-Forwarded-Host": "evil.example", "Accept": "text/html"},
        base_url="http://evil.example:8443",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/polls/don-en-ligne/"
    for url in ("/polls/don-en-ligne/", "/polls/inconnu/", "/api/polls/don-en-ligne/results.svg"):
        page = app.test_client().get(url, base_url="http://evil.example:8443", headers={"X-Forwarded-Host": "evil.example"})
        assert "evil" not in page.get_data(as_text=True), url


def test_a_trusted_proxy_is_believed_for_the_address_and_scheme_only(make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_SITE_URL="https://www.exemple.org")
    headers = {"X-Forwarded-For": "192.0.2.7", "X-Forwarded-Host": "evil.example", "Origin": "https://evil.example"}
    response = vote(app.test_client(), "don-en-ligne", "oui", headers=headers)
    assert (response.status_code, response.get_json()["error"]) == (403, "bad_origin")
    ok = vote(app.test_client(), "don-en-ligne", "oui", headers={**headers, "Origin": "https://www.exemple.org"})
    assert ok.status_code == 201 and "Secure" in ok.headers["Set-Cookie"]
    # Its X-Forwarded-For names the voter: the same address again is the same voter.
    again = vote(app.test_client(), "don-en-ligne", "oui", headers={"X-Forwarded-For": "192.0.2.7", "Origin": "https://www.exemple.org"})
    assert again.status_code == 409


def test_every_configured_address_of_the_site_may_vote(make_app, vote):
    app = make_app(POLL_SITE_URL="https://www.exemple.org, https://exemple.org", POLL_DEDUP="cookie")
    for origin in ("https://www.exemple.org", "https://exemple.org"):
        assert vote(app.test_client(), "don-en-ligne", "oui", headers={"Origin": origin}).status_code == 201
    assert vote(app.test_client(), "don-en-ligne", "oui", headers={"Origin": "http://localhost"}).status_code == 403
