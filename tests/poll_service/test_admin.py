"""The admin API: bearer token, poll list, CSV export, close and reopen."""

from __future__ import annotations

import csv
import io

import pytest

from poll_service.admin import csv_cell

TOKEN = {"Authorization": "Bearer jeton-admin-de-test-0123456789abcdef"}
ADMIN_URLS = [
    ("GET", "/api/admin/polls"),
    ("GET", "/api/admin/polls/don-en-ligne/votes.csv"),
    ("POST", "/api/admin/polls/don-en-ligne/close"),
    ("POST", "/api/admin/polls/don-en-ligne/reopen"),
]


@pytest.mark.parametrize("method, url", ADMIN_URLS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer mauvais-jeton"},
        {"Authorization": "Bearer jeton-admin-de-tes"},
        {"Authorization": "Basic amV0b24tYWRtaW4tZGUtdGVzdA=="},
        {"Authorization": "Bearer jéton-non-ascii"},
        {"Authorization": "jeton-admin-de-test-0123456789abcdef"},
    ],
    ids=["missing", "wrong", "truncated", "basic-scheme", "non-ascii", "no-scheme"],
)
def test_admin_routes_refuse_a_missing_or_wrong_token(client, method, url, headers):
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_admin_routes_are_closed_when_no_token_is_configured(make_app):
    client = make_app(POLL_ADMIN_TOKEN="").test_client()
    response = client.get("/api/admin/polls", headers={"Authorization": "Bearer "})
    assert response.status_code == 401


def test_the_admin_lists_every_poll_with_its_counts(client, vote):
    vote(client, "outils", "forum")
    polls = client.get("/api/admin/polls", headers=TOKEN).get_json()["polls"]
    assert [p["id"] for p in polls] == ["ancien", "bilan", "don-en-ligne", "futur", "outils"]
    outils = next(p for p in polls if p["id"] == "outils")
    assert outils["total_voters"] == 1 and outils["status"] == "open"
    assert outils["options"][2] == {"key": "forum", "label": "Un forum", "votes": 1}


def test_the_csv_export_holds_options_and_counts_only(client, vote):
    vote(client, "don-en-ligne", "bientot")
    response = client.get("/api/admin/polls/don-en-ligne/votes.csv", headers=TOKEN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["clé", "réponse", "votes"],
        ["oui", "Oui, régulièrement", "0"],
        ["parfois", "Oui, de temps en temps", "0"],
        ["bientot", "Non, mais nous y pensons", "1"],
        ["non", "Non", "0"],
    ]


def test_the_csv_export_of_an_unknown_poll_is_a_404(client):
    response = client.get("/api/admin/polls/inconnu/votes.csv", headers=TOKEN)
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_poll"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Oui = non", "Oui = non"),
        (3, 3),
    ],
)
def test_a_csv_cell_that_a_spreadsheet_would_run_is_neutralised(value, expected):
    assert csv_cell(value) == expected


def test_closing_a_poll_refuses_new_votes_and_reopening_accepts_them(app, vote):
    client = app.test_client()
    closed = client.post("/api/admin/polls/don-en-ligne/close", headers=TOKEN)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert vote(app.test_client(), "don-en-ligne", "oui").get_json()["error"] == "poll_closed"
    reopened = client.post("/api/admin/polls/don-en-ligne/reopen", headers=TOKEN)
    assert reopened.get_json()["status"] == "open"
    assert vote(app.test_client(), "don-en-ligne", "oui").status_code == 201


def test_reopening_a_poll_past_its_closing_date_opens_it(client, vote):
    client.post("/api/admin/polls/ancien/reopen", headers=TOKEN)
    assert vote(client, "ancien", "oui").status_code == 201


def test_closing_an_unknown_poll_is_a_404(client):
    response = client.post("/api/admin/polls/inconnu/close", headers=TOKEN)
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_poll"


def test_the_admin_api_needs_no_origin_header(client):
    # Bearer tokens are never sent by a browser on its own: no cross-site risk to check.
    response = client.post("/api/admin/polls/don-en-ligne/close", headers=TOKEN)
    assert response.status_code == 200


class Ticks:
    """The app's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_admin_attempts_are_throttled_per_network(make_app):
    ticks = Ticks()
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_MONOTONIC_CLOCK=ticks)
    guesser = {"X-Forwarded-For": "198.51.100.66"}
    wrong = {**guesser, "Authorization": "Bearer " + "x" * 35}
    client = app.test_client()
    assert [client.get("/api/admin/polls", headers=wrong).status_code for _ in range(10)] == [401] * 10
    throttled = client.get("/api/admin/polls", headers=wrong)
    assert throttled.status_code == 429 and throttled.get_json()["error"] == "rate_limited"
    # Even the right token waits: a guess that succeeds must look like one that fails.
    assert client.get("/api/admin/polls", headers={**guesser, **TOKEN}).status_code == 429
    # Another network is not held back by this one's guesses.
    assert client.get("/api/admin/polls", headers={"X-Forwarded-For": "192.0.2.10", **TOKEN}).status_code == 200
    ticks.now += 61
    assert client.get("/api/admin/polls", headers={**guesser, **TOKEN}).status_code == 200


def test_right_tokens_are_never_counted_as_failures(make_app):
    app = make_app(POLL_TRUSTED_PROXIES=1)
    admin = {"X-Forwarded-For": "192.0.2.10", **TOKEN}
    assert {app.test_client().get("/api/admin/polls", headers=admin).status_code for _ in range(30)} == {200}
