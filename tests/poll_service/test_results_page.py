"""Reading results: the JSON, the HTML page and the SVG chart, with every text escaped."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from poll_service.db import get_engine, transaction
from poll_spec import poll_from_manifest
from poll_service.schema import LATEST_VERSION
from poll_service.store.sync import sync_polls

ORIGIN = "http://localhost"
SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = {
    "id": "piege",
    "question": "<script>alert('q')</script> & \"guillemets\" ; DROP TABLE polls; --",
    "options": [
        {"key": "html", "label": "<img src=x onerror=alert(1)>"},
        {"key": "sql", "label": "'); DELETE FROM options; --"},
        {"key": "formule", "label": "=HYPERLINK(\"http://evil.example\")"},
        {"key": "cdata", "label": "]]><!-- --> <![CDATA[ x ]]> \u0007cloche"},
    ],
    "multiple": 4,
    "opens": None,
    "closes": None,
    "results": "always",
    "source": "content/piege.md",
    "url": "javascript:alert(1)",
}


@pytest.fixture
def hostile_app(app):
    """The app with a poll whose every text is an attack."""
    with app.app_context(), get_engine().connect() as conn, transaction(conn, write=True):
        sync_polls(conn, [poll_from_manifest(HOSTILE)])
    return app


def test_a_poll_reads_as_the_api_contract_says(client):
    body = client.get("/api/polls/don-en-ligne").get_json()
    assert body["id"] == "don-en-ligne"
    assert body["question"] == "Utilisez-vous le don en ligne pour votre association ?"
    assert [o["key"] for o in body["options"]] == ["oui", "parfois", "bientot", "non"]
    assert body["options"][0] == {"key": "oui", "label": "Oui, régulièrement", "votes": 0, "percent": 0.0}
    assert (body["total_voters"], body["open"], body["results_visible"], body["has_voted"]) == (0, True, True, False)


def test_an_unknown_poll_is_a_json_404(client):
    response = client.get("/api/polls/inconnu")
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_poll"


def test_after_vote_results_are_hidden_until_the_visitor_votes(client, vote):
    before = client.get("/api/polls/outils").get_json()
    assert before["results_visible"] is False
    assert all(o["votes"] is None and o["percent"] is None for o in before["options"])
    vote(client, "outils", "forum")
    after = client.get("/api/polls/outils").get_json()
    assert after["results_visible"] is True and after["has_voted"] is True
    assert [o["votes"] for o in after["options"]] == [0, 0, 1]


def test_after_vote_results_are_shown_to_everyone_once_closed(app, vote, clock):
    vote(app.test_client(), "outils", "forum")
    admin = {"Authorization": "Bearer jeton-admin-de-test-0123456789abcdef"}
    assert app.test_client().post("/api/admin/polls/outils/close", headers=admin).status_code == 200
    assert app.test_client().get("/api/polls/outils").get_json()["results_visible"] is True


def test_after_close_results_are_hidden_until_the_poll_closes(app, make_app, clock, vote):
    trusted = make_app(POLL_TRUSTED_PROXIES=1)
    vote(trusted.test_client(), "bilan", "oui", headers={"X-Forwarded-For": "198.51.100.1"})
    body = trusted.test_client().get("/api/polls/bilan").get_json()
    assert body["results_visible"] is False and body["total_voters"] == 1
    assert body["options"][0]["votes"] is None
    clock.advance(days=12)  # past 1 December 2026, 18:00
    body = trusted.test_client().get("/api/polls/bilan").get_json()
    assert body["open"] is False and body["results_visible"] is True
    assert body["options"][0] == {"key": "oui", "label": "Oui", "votes": 1, "percent": 100.0}


def test_the_results_page_is_french_html_with_links_to_the_article_and_privacy(client, vote):
    vote(client, "don-en-ligne", "oui")
    response = client.get("/polls/don-en-ligne/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="fr">' in page
    assert "Utilisez-vous le don en ligne pour votre association ?" in page
    assert "100,0\u00a0%" in page and "1 personne a répondu." in page
    assert 'href="/don-en-ligne/"' in page and 'href="/confidentialite/"' in page
    assert "Votre vote est enregistré" in page
    assert "<script" not in page


def test_an_open_polls_page_offers_the_shared_no_javascript_form_until_one_votes(client):
    page = client.get("/polls/outils/").get_data(as_text=True)
    assert 'action="/api/polls/outils/votes"' in page and page.count('name="choices"') == 3
    assert 'type="checkbox"' in page and "2 réponses au plus." in page
    response = client.post("/api/polls/outils/votes", data={"choices": ["agenda"]}, headers={"Origin": ORIGIN})
    assert response.status_code == 303
    page = client.get("/polls/outils/").get_data(as_text=True)
    assert 'name="choices"' not in page and "Votre vote est enregistré" in page


def test_a_closed_polls_page_has_no_form(client):
    assert 'name="choices"' not in client.get("/polls/ancien/").get_data(as_text=True)


def test_the_results_page_says_when_a_poll_closes(client):
    page = client.get("/polls/don-en-ligne/").get_data(as_text=True)
    assert "ouvert jusqu&#39;au 31 décembre 2026 inclus" in page


def test_the_results_page_says_when_a_poll_opens(client):
    page = client.get("/polls/futur/").get_data(as_text=True)
    assert "ouvrira le 1er janvier 2027" in page


def test_the_results_page_of_an_unknown_poll_is_a_french_404_page(client):
    response = client.get("/polls/inconnu/")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Ce sondage n&#39;existe pas." in response.get_data(as_text=True)


def test_hidden_results_say_why_on_the_page_and_in_the_image(client):
    page = client.get("/polls/bilan/").get_data(as_text=True)
    svg = client.get("/api/polls/bilan/results.svg").get_data(as_text=True)
    for text in (page, svg):
        assert "à la fermeture du sondage" in text


def test_the_svg_is_an_accessible_image_with_a_short_cache(client, vote):
    vote(client, "don-en-ligne", "parfois")
    response = client.get("/api/polls/don-en-ligne/results.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=30"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Utilisez-vous le don en ligne pour votre association ?"
    assert "Oui, de temps en temps : 100,0\u00a0% (1 vote)" in root.find(f"{SVG}desc").text


def test_an_after_vote_svg_is_never_shared_between_visitors(client):
    response = client.get("/api/polls/outils/results.svg")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_page_and_the_svg_show_the_same_numbers(client, make_app, vote):
    app = make_app(POLL_TRUSTED_PROXIES=1)
    for number, choice in enumerate(["oui", "oui", "non"], start=1):
        vote(app.test_client(), "don-en-ligne", choice, headers={"X-Forwarded-For": f"198.51.100.{number}"})
    page = app.test_client().get("/polls/don-en-ligne/").get_data(as_text=True)
    svg = app.test_client().get("/api/polls/don-en-ligne/results.svg").get_data(as_text=True)
    for text in ("66,7\u00a0% (2 votes)", "33,3\u00a0% (1 vote)"):
        assert text in svg
    assert "66,7\u00a0% (2 votes)" in page.replace("&nbsp;", "\u00a0")


def test_html_in_a_poll_is_escaped_on_the_results_page(hostile_app, vote):
    client = hostile_app.test_client()
    vote(client, "piege", "html", "sql")
    page = client.get("/polls/piege/").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "javascript:" not in page  # an unsafe article link is dropped, not escaped


def test_html_in_a_poll_is_escaped_in_the_svg(hostile_app):
    response = hostile_app.test_client().get("/api/polls/piege/results.svg")
    root = ElementTree.fromstring(response.data)  # still well-formed XML
    texts = [element.text or "" for element in root.iter()]
    assert HOSTILE["question"] in texts
    assert "<img src=x onerror=alert(1)>" in texts
    assert not [e for e in root.iter() if e.tag.endswith(("script", "img", "foreignObject"))]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_sql_in_a_poll_is_stored_as_plain_text(hostile_app, vote):
    client = hostile_app.test_client()
    assert vote(client, "piege", "sql").status_code == 201
    body = client.get("/api/polls/piege").get_json()
    assert body["question"] == HOSTILE["question"]
    assert [o["label"] for o in body["options"]] == [o["label"] for o in HOSTILE["options"]]
    assert client.get("/api/polls/don-en-ligne").status_code == 200  # no table was dropped


def test_json_answers_keep_french_text_readable(client):
    raw = client.get("/api/polls/don-en-ligne").get_data(as_text=True)
    assert "régulièrement" in raw and json.loads(raw)["options"][0]["label"] == "Oui, régulièrement"


def test_the_health_check_answers_ok_with_the_schema_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "schema_version": LATEST_VERSION}
