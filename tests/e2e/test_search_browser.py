"""The "Rechercher" page in Chromium: Pagefind's index from the build finds a word of an article."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.slow


def search(page: Page, words: str) -> None:
    page.goto("/rechercher/")
    field = page.get_by_label("Mot ou expression à chercher dans les articles")
    field.fill(words)


def test_the_menu_leads_to_the_search_page(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Rechercher").click()
    assert urlsplit(page.url).path == "/rechercher/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher")


def test_a_word_of_an_article_finds_it(page: Page, base_url: str) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    search(page, "Framadate")
    results = page.locator(".search__results li")
    expect(results.first).to_be_visible(timeout=15_000)
    link = results.first.get_by_role("link")
    assert urlsplit(link.get_attribute("href")).path == "/logiciels-libres-pour-associations/"
    expect(results.first.locator("mark")).to_contain_text("Framadate")
    expect(page.get_by_role("status")).to_contain_text("trouvé")
    # Script, index and WebAssembly all come from the site itself.
    assert hosts == {urlsplit(base_url).netloc}, hosts


def test_french_words_are_found_whatever_their_ending(page: Page) -> None:
    """The article says "justificatifs"; a visitor types the singular."""
    search(page, "justificatif")
    titles = page.locator(".search__results li a")
    expect(titles.first).to_be_visible(timeout=15_000)
    assert "/demande-de-subvention-municipale/" in [urlsplit(h).path for h in titles.evaluate_all(
        "links => links.map(a => a.href)")]


def test_a_word_found_nowhere_says_so(page: Page) -> None:
    search(page, "zxqvbnw")
    expect(page.get_by_role("status")).to_have_text("Aucun article ne contient « zxqvbnw ».", timeout=15_000)
    expect(page.locator(".search__results li")).to_have_count(0)


def test_without_javascript_the_page_says_where_to_browse(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/rechercher/")
        expect(page.get_by_role("search")).to_be_hidden()
        expect(page.get_by_text("demande JavaScript")).to_be_visible()
        page.get_by_role("main").get_by_role("link", name="Parcourir les archives").click()
        assert urlsplit(page.url).path == "/archives/"
    finally:
        context.close()
    # With JavaScript, the form replaces the message.
    javascript = browser.new_page(base_url=base_url)
    javascript.goto("/rechercher/")
    expect(javascript.get_by_role("search")).to_be_visible()
    expect(javascript.get_by_text("demande JavaScript")).to_be_hidden()
    javascript.close()
