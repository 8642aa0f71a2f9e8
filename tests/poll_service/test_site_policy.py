"""The site's Content-Security-Policy: sent with the built site in development and with the
service's own pages, satisfied by them, and the very string docs/deploy.md gives nginx."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from werkzeug.test import Client

from poll_service.built_site import static_site
from poll_service.site_policy import CONTENT_SECURITY_POLICY, SEARCH_PAGE_POLICY

ROOT = Path(__file__).resolve().parents[2]


def refuses_framing_and_inline_code(headers) -> bool:
    return headers.get("Content-Security-Policy") == CONTENT_SECURITY_POLICY and headers.get("X-Frame-Options") == "DENY"


def test_the_policy_allows_nothing_inline_nothing_foreign_and_no_framing() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path, status", [("/", 200), ("/don-en-ligne/", 200), ("/theme/css/site.css", 200),
                                          ("/nulle-part/", 404), ("/don-en-ligne", 308)])
def test_make_serve_sends_the_policy_with_every_file_of_the_site(make_app, site_dir: Path, path: str, status: int) -> None:
    client = make_app(POLL_ENV="development", POLL_SITE_DIR=str(site_dir)).test_client()
    response = client.get(path)
    assert response.status_code == status
    assert refuses_framing_and_inline_code(response.headers)


def test_the_preview_without_polls_sends_the_policy_too(site_dir: Path) -> None:
    client = Client(static_site(site_dir))
    for path in ("/", "/don-en-ligne/", "/nulle-part/"):
        assert refuses_framing_and_inline_code(client.get(path).headers), path


@pytest.mark.parametrize("path", ["/polls/don-en-ligne/", "/polls/inconnu/"])
def test_the_service_pages_send_the_policy(client, path: str) -> None:
    response = client.get(path)
    assert response.mimetype == "text/html"
    assert refuses_framing_and_inline_code(response.headers)


def test_the_results_page_writes_no_inline_style_or_script(client, vote) -> None:
    assert vote(client, "don-en-ligne", "oui").status_code == 201
    neighbour = client.application.test_client()
    assert vote(neighbour, "don-en-ligne", "non", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 201
    page = lxml.html.fromstring(client.get("/polls/don-en-ligne/").data)
    elements = [element for element in page.iter() if isinstance(element.tag, str)]
    assert not [e for e in elements if "style" in e.attrib or any(name.startswith("on") for name in e.attrib)]
    assert not page.xpath("//style | //script")
    # The bars: an SVG rect as wide as the percentage, no style attribute.
    assert page.xpath("//ul[@class='results']//svg[@class='bar']/rect/@width")[:2] == ["50.0", "0.0"]
    [sheet] = page.xpath("//link[@rel='stylesheet']/@href")
    response = client.get(sheet)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b".bar rect" in response.data


def test_the_svg_chart_has_no_style_and_a_policy_of_its_own(client) -> None:
    response = client.get("/api/polls/don-en-ligne/results.svg")
    assert b"style" not in response.data
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_documented_nginx_sends_the_same_policy() -> None:
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f'add_header Content-Security-Policy "{CONTENT_SECURITY_POLICY}" always;' in doc
    assert "add_header X-Frame-Options DENY always;" in doc


def test_only_the_search_page_may_compile_webassembly() -> None:
    directives = dict(part.split(" ", 1) for part in SEARCH_PAGE_POLICY.split("; "))
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert SEARCH_PAGE_POLICY.replace(" 'wasm-unsafe-eval'", "") == CONTENT_SECURITY_POLICY
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f'add_header Content-Security-Policy "{SEARCH_PAGE_POLICY}" always;' in doc


def test_make_serve_sends_the_search_policy_on_the_search_page_alone(tmp_path) -> None:
    from poll_service.built_site import site_response
    (tmp_path / "rechercher").mkdir()
    (tmp_path / "rechercher" / "index.html").write_text("<!DOCTYPE html><title>r</title>", encoding="utf-8")
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>a</title>", encoding="utf-8")
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "pagefind-worker.js").write_text("//", encoding="utf-8")
    search = site_response(tmp_path, "rechercher/", {"REQUEST_METHOD": "GET"})
    worker = site_response(tmp_path, "pagefind/pagefind-worker.js", {"REQUEST_METHOD": "GET"})
    home = site_response(tmp_path, "", {"REQUEST_METHOD": "GET"})
    assert search.headers["Content-Security-Policy"] == SEARCH_PAGE_POLICY
    assert worker.headers["Content-Security-Policy"] == SEARCH_PAGE_POLICY
    assert home.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
