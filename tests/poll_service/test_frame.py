"""The results page set in the site's page frame, written by the build; a plain frame without it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import lxml.html
import pytest

from poll_service.db import get_engine, transaction
from poll_service.store.sync import sync_polls
from poll_spec import poll_from_manifest
from poll_spec.frame import CONTENT_SLOT, FRAME_FILE, TITLE_SLOT

from test_results_page import HOSTILE  # the poll whose every text is an attack

QUESTION = "Utilisez-vous le don en ligne pour votre association ?"


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def form_shape(form: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """The tags and classes of a poll form, in document order: what the site's CSS styles.

    Dates are left out: the article writes the voting dates in its form, the results page
    in a sentence above it.
    """
    return [(element.tag, element.get("class") or "") for element in form.iter()
            if isinstance(element.tag, str) and element.tag != "time"]


@pytest.fixture
def framed_app(make_app, site: Path):
    """The service reading the page frame of the real site's build."""
    return make_app(POLL_FRAME_FILE=str(site / FRAME_FILE))


def test_the_build_writes_the_frame_with_its_two_slots_where_the_service_looks(site: Path) -> None:
    text = (site / FRAME_FILE).read_text(encoding="utf-8")
    assert text.count(TITLE_SLOT) == 1 and text.count(CONTENT_SLOT) == 1
    assert text.index(TITLE_SLOT) < text.index("<body") < text.index(CONTENT_SLOT)


def test_the_results_page_is_set_in_the_site_frame(framed_app, site: Path) -> None:
    page = framed_app.test_client().get("/polls/don-en-ligne/").get_data(as_text=True)
    tree = parse(page)
    assert tree.get("lang") == "fr"
    assert tree.findtext(".//title") == f"Résultats : {QUESTION} · Tisser"
    assert tree.xpath("//header[@class='site-header']//nav[@aria-label='Menu principal']//a[@href='/a-propos/']")
    assert tree.xpath("//footer[@class='site-footer']//a[@href='/confidentialite/']")
    assert tree.xpath("//head/link[@rel='stylesheet']/@href") == ["/theme/css/site.css", "/theme/css/polls.css"]
    assert tree.xpath("//main[@id='contenu']/article/h1/text()") == [QUESTION]
    # The site's icon: without it the browser asks for /favicon.ico, a 404 (Lighthouse best practices).
    assert tree.xpath("//head/link[@rel='icon']/@href") == ["/favicon.svg"]
    assert CONTENT_SLOT not in page and TITLE_SLOT not in page


def test_the_results_page_form_has_the_article_form_markup(framed_app, site: Path) -> None:
    page = parse(framed_app.test_client().get("/polls/don-en-ligne/").get_data(as_text=True))
    article = lxml.html.fromstring((site / "don-en-ligne" / "index.html").read_bytes())
    [service_form] = page.xpath("//form[@id='sondage-don-en-ligne']")
    [article_form] = article.xpath("//form[@id='sondage-don-en-ligne']")
    assert form_shape(service_form) == form_shape(article_form)
    assert service_form.get("action") == article_form.get("action") == "/api/polls/don-en-ligne/votes"


def test_the_results_page_has_no_inline_style(framed_app, make_app, vote) -> None:
    for app in (framed_app, make_app()):
        client = app.test_client()
        vote(client, "don-en-ligne", "oui")
        tree = parse(client.get("/polls/don-en-ligne/").get_data(as_text=True))
        assert not tree.xpath("//style | //*[@style]")
        assert tree.xpath("//svg[@class='bar']/rect[@width='100.0']")


def test_without_a_frame_file_the_page_is_a_plain_french_page(make_app, tmp_path: Path) -> None:
    app = make_app(POLL_FRAME_FILE=str(tmp_path / "absent" / "_frame.tmpl"))
    response = app.test_client().get("/polls/don-en-ligne/")
    tree = parse(response.get_data(as_text=True))
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("<!DOCTYPE html>")
    assert tree.get("lang") == "fr" and tree.findtext(".//title") == f"Résultats : {QUESTION}"
    assert tree.xpath("//main/article/h1/text()") == [QUESTION]
    assert tree.xpath("//a[@href='/']") and tree.xpath("//a[@href='/confidentialite/']")
    assert tree.xpath("//link[@rel='stylesheet']/@href") == ["/polls/resultats.css"]  # the service's own
    assert tree.xpath("//head/link[@rel='icon']/@href") == ["/favicon.svg"]  # no request for /favicon.ico
    assert not tree.xpath("//style | //*[@style] | //script")


def test_a_changed_frame_file_is_read_again(make_app, tmp_path: Path) -> None:
    frame = tmp_path / "_frame.tmpl"
    frame.write_text(f"<!DOCTYPE html><title>{TITLE_SLOT}</title><p>version 1</p>{CONTENT_SLOT}", encoding="utf-8")
    client = make_app(POLL_FRAME_FILE=str(frame)).test_client()
    assert "version 1" in client.get("/polls/don-en-ligne/").get_data(as_text=True)
    frame.write_text(f"<!DOCTYPE html><title>{TITLE_SLOT}</title><p>version 2!</p>{CONTENT_SLOT}", encoding="utf-8")
    os.utime(frame, ns=(1, 1))  # another time even on a coarse clock
    page = client.get("/polls/don-en-ligne/").get_data(as_text=True)
    assert "version 2!" in page and "version 1" not in page
    frame.unlink()
    assert "Accueil du site" in client.get("/polls/don-en-ligne/").get_data(as_text=True)


def test_a_frame_without_its_slots_gives_way_to_the_plain_frame(make_app, tmp_path: Path) -> None:
    frame = tmp_path / "_frame.tmpl"
    frame.write_text("<!DOCTYPE html><title>cassé</title><main></main>", encoding="utf-8")
    page = make_app(POLL_FRAME_FILE=str(frame)).test_client().get("/polls/don-en-ligne/").get_data(as_text=True)
    assert "cassé" not in page and QUESTION in page and "Accueil du site" in page


def test_in_development_the_frame_comes_from_the_site_folder(make_app, site: Path) -> None:
    app = make_app(POLL_ENV="development", POLL_SITE_DIR=str(site))
    page = app.test_client().get("/polls/don-en-ligne/").get_data(as_text=True)
    assert 'class="site-header"' in page
    # As behind nginx, the frame itself is never sent.
    response = app.test_client().get(f"/{FRAME_FILE}", follow_redirects=True)
    assert response.status_code == 404 and CONTENT_SLOT not in response.get_data(as_text=True)


def test_an_error_page_is_set_in_the_frame_too(framed_app) -> None:
    response = framed_app.test_client().get("/polls/inconnu/")
    tree = parse(response.get_data(as_text=True))
    assert response.status_code == 404
    assert tree.xpath("//header[@class='site-header']") and tree.xpath("//main/h1/text()") == ["Ce sondage n'existe pas."]


def test_a_hostile_question_is_escaped_in_the_frame_title(framed_app) -> None:
    app = framed_app
    with app.app_context():
        with get_engine().connect() as conn, transaction(conn, write=True):
            sync_polls(conn, [poll_from_manifest(HOSTILE)])
    page = app.test_client().get("/polls/piege/").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and "<script>" not in title[1] and "&lt;script&gt;" in title[1]
