"""Cross-site protection and CORS: a table of headers, allowed or blocked."""

from __future__ import annotations

import pytest

from poll_service.csrf import origin_allowed

SITE = "https://www.exemple.org/"
ALLOWED = ("https://partenaire.example",)


@pytest.mark.parametrize(
    "headers, allowed",
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "none"}, True),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://partenaire.example"}, True),
        # An Origin decides whenever it is there: no other header can vouch for a foreign one.
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}, False),
        # A browser told to send no referrer: a same-origin form says "null", a sandboxed frame too.
        ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, True),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "null"}, False),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://www.exemple.org"}, True),
        ({"Origin": "https://www.exemple.org"}, True),
        ({"Origin": "https://WWW.Exemple.org:443"}, True),
        ({"Origin": "http://www.exemple.org"}, False),
        ({"Origin": "https://www.exemple.org:8443"}, False),
        ({"Origin": "https://www.exemple.org.evil.example"}, False),
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({"Origin": "https://www.exemple.org:99999"}, False),
        ({"Origin": "https://evil.example", "Referer": "https://www.exemple.org/article/"}, False),
        ({"Referer": "https://www.exemple.org/don-en-ligne/"}, True),
        ({"Referer": "https://partenaire.example/page"}, True),
        ({"Referer": "https://evil.example/https://www.exemple.org/"}, False),
        ({"Referer": "javascript:alert(1)"}, False),
        ({}, False),
    ],
)
def test_an_unsafe_request_passes_only_from_the_site_or_an_allowed_origin(headers, allowed):
    assert origin_allowed(headers, SITE, ALLOWED) is allowed


def test_a_same_origin_browser_vote_passes_on_sec_fetch_site_alone(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes", json={"choices": ["oui"]}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 201


def test_a_vote_with_a_referer_and_no_origin_passes_only_from_the_site(client):
    # Through the real view: a browser that sends no Origin (an old one, or a privacy extension)
    # still sends the page's address; another site's page is refused.
    def post(referer: str):
        return client.post(
            "/api/polls/don-en-ligne/votes", json={"choices": ["oui"]}, headers={"Referer": referer}
        )

    stranger = post("https://evil.example/http://localhost/don-en-ligne/")
    assert (stranger.status_code, stranger.get_json()["error"]) == (403, "bad_origin")
    assert client.get("/api/polls/don-en-ligne").get_json()["total_voters"] == 0
    assert post("http://localhost/don-en-ligne/").status_code == 201


def test_cors_headers_are_sent_only_to_an_allowed_origin(make_app):
    client = make_app(POLL_ALLOWED_ORIGINS="https://partenaire.example").test_client()
    friend = client.get("/api/polls/don-en-ligne", headers={"Origin": "https://partenaire.example"})
    assert friend.headers["Access-Control-Allow-Origin"] == "https://partenaire.example"
    assert friend.headers["Access-Control-Allow-Credentials"] == "true"
    stranger = client.get("/api/polls/don-en-ligne", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert "Origin" in stranger.headers["Vary"]


def test_an_allowed_origin_may_vote_after_a_preflight(make_app):
    client = make_app(POLL_ALLOWED_ORIGINS="https://partenaire.example").test_client()
    preflight = client.options(
        "/api/polls/don-en-ligne/votes",
        headers={
            "Origin": "https://partenaire.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    response = client.post(
        "/api/polls/don-en-ligne/votes",
        json={"choices": ["oui"]},
        headers={"Origin": "https://partenaire.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 201


def test_no_cors_headers_without_allowed_origins(client):
    response = client.get("/api/polls/don-en-ligne", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_from_a_partners_page_one_connection_votes_once(make_app, vote):
    # A cross-site request carries no SameSite=Lax cookie: every vote from the partner's page
    # comes without one. The address (cookie+ip, the default) is what holds there.
    app = make_app(POLL_ALLOWED_ORIGINS="https://partenaire.example", POLL_TRUSTED_PROXIES=1)
    partner = {"Origin": "https://partenaire.example", "Sec-Fetch-Site": "cross-site", "X-Forwarded-For": "192.0.2.44"}
    statuses = [vote(app.test_client(), "don-en-ligne", "oui", headers=partner).status_code for _ in range(5)]
    assert statuses == [201, 409, 409, 409, 409]
    assert app.test_client().get("/api/polls/don-en-ligne").get_json()["total_voters"] == 1
