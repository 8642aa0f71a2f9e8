"""Voting through the API: what a visitor, a stuffer of ballot boxes or a broken client gets."""

from __future__ import annotations

import logging

import pytest

from poll_service.voter_cookie import COOKIE_NAME

ORIGIN = "http://localhost"


def counts(client, poll_id: str) -> dict[str, int]:
    body = client.get(f"/api/polls/{poll_id}").get_json()
    return {option["key"]: option["votes"] for option in body["options"]}


def test_a_json_vote_is_counted_and_answers_201_with_the_poll(client, vote):
    response = vote(client, "don-en-ligne", "oui")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"id", "question", "options", "total_voters", "open", "results_visible", "has_voted"}
    assert body["has_voted"] is True and body["total_voters"] == 1
    assert {o["key"]: (o["votes"], o["percent"]) for o in body["options"]} == {
        "oui": (1, 100.0),
        "parfois": (0, 0.0),
        "bientot": (0, 0.0),
        "non": (0, 0.0),
    }


def test_the_voter_cookie_is_signed_httponly_and_samesite_lax(client, vote):
    header = vote(client, "don-en-ligne", "oui").headers["Set-Cookie"]
    assert header.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header


def test_the_no_javascript_form_redirects_to_the_results_page(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes", data={"choices": "parfois"}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/polls/don-en-ligne/"
    assert COOKIE_NAME in response.headers["Set-Cookie"]
    assert counts(client, "don-en-ligne")["parfois"] == 1


def test_a_multiple_choice_form_may_repeat_choices_up_to_the_limit(client):
    response = client.post(
        "/api/polls/outils/votes", data={"choices": ["tableur", "forum"]}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 303
    assert counts(client, "outils") == {"tableur": 1, "agenda": 0, "forum": 1}


def test_a_multiple_choice_vote_counts_one_voter_and_each_answer(client, vote):
    body = vote(client, "outils", "tableur", "agenda").get_json()
    assert body["total_voters"] == 1
    assert [(o["key"], o["votes"], o["percent"]) for o in body["options"]] == [
        ("tableur", 1, 100.0),
        ("agenda", 1, 100.0),
        ("forum", 0, 0.0),
    ]


def test_a_repeated_choice_is_counted_once(client, vote):
    assert vote(client, "outils", "forum", "forum").status_code == 201
    assert counts(client, "outils")["forum"] == 1


def test_a_form_error_is_a_french_html_page_for_a_browser(client, vote):
    vote(client, "don-en-ligne", "oui")
    response = client.post(
        "/api/polls/don-en-ligne/votes",
        data={"choices": "non"},
        headers={"Origin": ORIGIN, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "déjà voté" in page and 'href="/polls/don-en-ligne/"' in page


# --- Attacks and mistakes, each with its exact answer ---------------------------------------


def error(response) -> tuple[int, str]:
    body = response.get_json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], response.data
    return response.status_code, body["error"]


def test_a_vote_from_a_foreign_origin_is_refused(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes", json={"choices": ["oui"]}, headers={"Origin": "https://evil.example"}
    )
    assert error(response) == (403, "bad_origin")
    assert counts(client, "don-en-ligne")["oui"] == 0


def test_a_cross_site_form_post_is_refused(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes",
        data={"choices": "oui"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert error(response) == (403, "bad_origin")


def test_a_vote_without_origin_nor_referer_is_refused(client):
    response = client.post("/api/polls/don-en-ligne/votes", json={"choices": ["oui"]})
    assert error(response) == (403, "bad_origin")


def test_a_second_vote_with_the_same_cookie_is_refused(client, vote):
    assert vote(client, "don-en-ligne", "oui").status_code == 201
    assert error(vote(client, "don-en-ligne", "non")) == (409, "already_voted")
    assert counts(client, "don-en-ligne") == {"oui": 1, "parfois": 0, "bientot": 0, "non": 0}


def test_a_second_vote_from_the_same_address_with_a_fresh_cookie_is_refused(app, vote):
    assert vote(app.test_client(), "don-en-ligne", "oui").status_code == 201
    fresh = app.test_client()  # no cookie at all, same address (127.0.0.1)
    assert error(vote(fresh, "don-en-ligne", "non")) == (409, "already_voted")


def test_a_spoofed_forwarded_for_does_not_help_without_trusted_proxies(app, vote):
    assert vote(app.test_client(), "don-en-ligne", "oui").status_code == 201
    spoofed = vote(app.test_client(), "don-en-ligne", "non", headers={"X-Forwarded-For": "198.51.100.7"})
    assert error(spoofed) == (409, "already_voted")


def test_a_forged_cookie_is_ignored_and_the_address_still_counts(app, vote):
    assert vote(app.test_client(), "don-en-ligne", "oui").status_code == 201
    forger = app.test_client()
    forger.set_cookie(COOKIE_NAME, "not-a-signed-value")
    assert error(vote(forger, "don-en-ligne", "non")) == (409, "already_voted")


def test_a_trusted_proxy_tells_voters_apart_by_their_forwarded_address(make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1)
    first = vote(app.test_client(), "don-en-ligne", "oui", headers={"X-Forwarded-For": "198.51.100.1"})
    second = vote(app.test_client(), "don-en-ligne", "non", headers={"X-Forwarded-For": "198.51.100.2"})
    again = vote(app.test_client(), "don-en-ligne", "non", headers={"X-Forwarded-For": "198.51.100.2"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert error(again) == (409, "already_voted")


def test_only_the_trusted_hop_of_forwarded_for_is_believed(make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1)
    # The client prepends a fake address; the proxy appends the real one, which is what counts.
    assert vote(app.test_client(), "don-en-ligne", "oui", headers={"X-Forwarded-For": "10.0.0.1, 198.51.100.9"}).status_code == 201
    again = vote(app.test_client(), "don-en-ligne", "non", headers={"X-Forwarded-For": "10.0.0.2, 198.51.100.9"})
    assert error(again) == (409, "already_voted")


def test_cookie_mode_lets_two_cookies_vote_from_one_address(make_app, vote):
    app = make_app(POLL_DEDUP="cookie")
    assert vote(app.test_client(), "don-en-ligne", "oui").status_code == 201
    assert vote(app.test_client(), "don-en-ligne", "non").status_code == 201


def test_ip_mode_refuses_an_address_whatever_its_cookies(make_app, vote):
    app = make_app(POLL_DEDUP="ip")
    response = vote(app.test_client(), "don-en-ligne", "oui")
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    assert error(vote(app.test_client(), "don-en-ligne", "non")) == (409, "already_voted")


def test_a_vote_on_an_unknown_poll_is_refused(client, vote):
    assert error(vote(client, "nexiste-pas", "oui")) == (404, "unknown_poll")


def test_an_unknown_option_is_refused(client, vote):
    assert error(vote(client, "don-en-ligne", "peut-etre")) == (422, "invalid_choice")


def test_an_empty_choice_list_is_refused(client, vote):
    assert error(vote(client, "don-en-ligne")) == (422, "invalid_choice")


@pytest.mark.parametrize(
    "body",
    [{}, {"choices": "oui"}, {"choices": [1]}, {"choices": None}, ["oui"], "oui", 3],
    ids=["no-choices", "a-string", "a-number-inside", "null", "a-bare-list", "a-bare-string", "a-number"],
)
def test_a_json_body_of_the_wrong_shape_is_refused(client, body):
    response = client.post("/api/polls/don-en-ligne/votes", json=body, headers={"Origin": ORIGIN})
    assert error(response) == (422, "invalid_choice")


def test_malformed_json_is_a_bad_request(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes", data="{choices", content_type="application/json", headers={"Origin": ORIGIN}
    )
    assert error(response) == (400, "bad_request")


def test_deeply_nested_json_is_a_bad_request_not_a_crash(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes", data="[" * 3000, content_type="application/json", headers={"Origin": ORIGIN}
    )
    assert error(response) == (400, "bad_request")


def test_too_many_choices_are_refused(client, vote):
    assert error(vote(client, "don-en-ligne", "oui", "non")) == (422, "too_many_choices")
    assert error(vote(client, "outils", "tableur", "agenda", "forum")) == (422, "too_many_choices")
    assert counts(client, "don-en-ligne")["oui"] == 0


def test_a_vote_on_a_closed_poll_is_refused(client, vote):
    assert error(vote(client, "ancien", "oui")) == (409, "poll_closed")


def test_a_vote_on_a_poll_not_yet_open_is_refused(client, vote):
    assert error(vote(client, "futur", "oui")) == (409, "poll_not_open")


def test_a_poll_closes_at_the_end_of_its_closing_day_in_paris(client, vote, clock):
    from datetime import datetime

    from poll_spec import PARIS

    clock.now = datetime(2026, 12, 31, 23, 59, tzinfo=PARIS)
    assert client.get("/api/polls/don-en-ligne").get_json()["open"] is True
    clock.now = datetime(2027, 1, 1, 0, 0, tzinfo=PARIS)
    assert error(vote(client, "don-en-ligne", "oui")) == (409, "poll_closed")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/merge-patch+json"])
def test_a_vote_in_another_format_is_refused(client, content_type):
    response = client.post(
        "/api/polls/don-en-ligne/votes",
        data='{"choices": ["oui"]}',
        content_type=content_type,
        headers={"Origin": ORIGIN},
    )
    assert error(response) == (415, "unsupported_media_type")


def test_a_vote_without_content_type_is_refused(client):
    response = client.post("/api/polls/don-en-ligne/votes", data=b'{"choices": ["oui"]}', headers={"Origin": ORIGIN})
    assert error(response) == (415, "unsupported_media_type")


def test_an_oversized_json_body_is_refused(client):
    body = '{"choices": ["oui"], "padding": "' + "x" * 10_000 + '"}'
    response = client.post(
        "/api/polls/don-en-ligne/votes", data=body, content_type="application/json", headers={"Origin": ORIGIN}
    )
    assert error(response) == (413, "payload_too_large")


def test_an_oversized_form_is_refused(client):
    response = client.post(
        "/api/polls/don-en-ligne/votes", data={"choices": ["oui"] * 2000}, headers={"Origin": ORIGIN}
    )
    assert error(response) == (413, "payload_too_large")


def test_an_oversized_chunked_body_is_refused(client):
    # A chunked body has no Content-Length: the limit must hold while reading it.
    body = b'{"choices": ["oui"], "x": "' + b"y" * 10_000 + b'"}'
    response = client.post(
        "/api/polls/don-en-ligne/votes",
        data=body,
        content_type="application/json",
        headers={"Origin": ORIGIN, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert error(response) == (413, "payload_too_large")


@pytest.mark.parametrize("dedup", ["cookie+ip", "ip"])
def test_a_vote_without_a_client_address_is_refused_when_the_dedup_needs_one(make_app, vote, caplog, dedup):
    # gunicorn bound to a unix socket, with no trusted proxy header, gives REMOTE_ADDR "".
    app = make_app(POLL_DEDUP=dedup, POLL_RATE_LIMIT="10/60")
    caplog.set_level(logging.INFO)
    no_address = {"REMOTE_ADDR": ""}
    client = app.test_client()
    for _ in range(2):
        response = vote(client, "don-en-ligne", "oui", environ_base=no_address)
        assert error(response) == (503, "unavailable")
        assert "Set-Cookie" not in response.headers
    assert client.get("/api/polls/don-en-ligne").get_json()["total_voters"] == 0
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems and f"POLL_DEDUP={dedup}" in problems[0] and "REMOTE_ADDR" in problems[0]
    # Only the address-less requests are refused.
    assert vote(app.test_client(), "don-en-ligne", "oui").status_code == 201


def test_a_vote_without_a_client_address_counts_by_cookie_in_cookie_mode(make_app, vote):
    app = make_app(POLL_DEDUP="cookie")
    client = app.test_client()
    assert vote(client, "don-en-ligne", "oui", environ_base={"REMOTE_ADDR": ""}).status_code == 201
    assert error(vote(client, "don-en-ligne", "non", environ_base={"REMOTE_ADDR": ""})) == (409, "already_voted")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_of_exactly_the_limit_passes_and_one_byte_more_is_refused(make_app, chunked):
    app = make_app(POLL_MAX_BODY_BYTES=512)

    def post(size: int):
        body = b'{"choices": ["oui"]}'.ljust(size)  # JSON padded with spaces
        headers = {"Origin": ORIGIN, **({"Transfer-Encoding": "chunked"} if chunked else {})}
        environ = {"wsgi.input_terminated": True} if chunked else {}
        return app.test_client().post(
            "/api/polls/don-en-ligne/votes",
            data=body,
            content_type="application/json",
            headers=headers,
            environ_overrides=environ,
        )

    assert post(512).status_code == 201
    assert error(post(513)) == (413, "payload_too_large")


def test_votes_beyond_the_rate_limit_are_refused(make_app, vote):
    app = make_app(POLL_RATE_LIMIT="3/60", POLL_DEDUP="cookie")
    statuses = [vote(app.test_client(), "don-en-ligne", "oui").status_code for _ in range(3)]
    assert statuses == [201, 201, 201]
    assert error(vote(app.test_client(), "don-en-ligne", "oui")) == (429, "rate_limited")


def test_the_rate_limit_counts_each_forwarded_address_apart(make_app, vote):
    app = make_app(POLL_RATE_LIMIT="1/60", POLL_TRUSTED_PROXIES=1)
    for last in range(1, 4):
        response = vote(app.test_client(), "don-en-ligne", "oui", headers={"X-Forwarded-For": f"198.51.100.{last}"})
        assert response.status_code == 201


def test_html_and_sql_in_choices_are_only_unknown_options(client, vote):
    for choice in ["<script>alert(1)</script>", "oui'; DROP TABLE options; --", "oui\" OR 1=1 --"]:
        response = vote(client, "don-en-ligne", choice)
        assert error(response) == (422, "invalid_choice")
        assert "<script>" not in response.get_data(as_text=True)
    assert vote(client, "don-en-ligne", "oui").status_code == 201


def test_the_error_message_never_echoes_the_cookie(app, vote):
    first = app.test_client()
    vote(first, "don-en-ligne", "oui")
    cookie = first.get_cookie(COOKIE_NAME).value
    response = vote(first, "don-en-ligne", "non")
    assert response.status_code == 409 and cookie not in response.get_data(as_text=True)


def test_the_voter_cookie_is_secure_when_the_site_is_https(make_app, vote):
    # From POLL_SITE_URL: an HTTPS site behind nginx talks plain HTTP to the service.
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_SITE_URL="https://localhost")
    response = vote(
        app.test_client(), "don-en-ligne", "oui", headers={"X-Forwarded-For": "198.51.100.1", "Origin": "https://localhost"}
    )
    assert response.status_code == 201 and "Secure" in response.headers["Set-Cookie"]
    # An HTTP site (make serve, these tests) gets no Secure, whatever a proxy claims.
    response = vote(make_app(POLL_TRUSTED_PROXIES=1).test_client(), "don-en-ligne", "oui",
                    headers={"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"})
    assert response.status_code == 201 and "Secure" not in response.headers["Set-Cookie"]


def test_reading_a_poll_sets_no_cookie(client):
    for url in ("/api/polls/don-en-ligne", "/polls/don-en-ligne/", "/api/polls/don-en-ligne/results.svg"):
        assert "Set-Cookie" not in client.get(url).headers
