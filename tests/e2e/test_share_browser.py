"""Sharing on Mastodon from the visitor's own instance, in a real browser against `make serve`.

No request leaves for another host until the visitor chooses their instance; with JavaScript the
instance is remembered in the browser (localStorage) only, without it the service redirects.
The instance's share page is answered by the browser itself (page.route): the test never
reaches another machine.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.slow

ARTICLE = "/don-en-ligne/"
TITLE = "Le don en ligne, une affaire de confiance plus que de technique"


def answer_as_the_instance(page: Page, seen: list[str]) -> None:
    """Let https://piaille.fr answer in the browser, remembering what was asked of it."""

    def fulfil(route: Route) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>piaille</title>")

    page.route("https://piaille.fr/**", fulfil)


def hosts_asked(page: Page, action) -> set[str]:
    """Return the hosts the page sent requests to while ``action`` ran."""
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    action()
    return hosts


def assert_shares_the_article(url: str, base_url: str) -> None:
    target = urlsplit(url)
    assert (target.scheme, target.netloc, target.path) == ("https", "piaille.fr", "/share")
    assert parse_qs(target.query)["text"] == [f"{TITLE} {base_url}{ARTICLE}"]


def test_with_javascript_the_instance_is_remembered_and_the_link_points_to_it(page: Page, base_url: str) -> None:
    page.set_default_timeout(10_000)
    seen: list[str] = []
    answer_as_the_instance(page, seen)
    own = urlsplit(base_url).netloc
    assert hosts_asked(page, lambda: page.goto(ARTICLE)) == {own}  # no third party on arrival
    assert page.evaluate("localStorage.length") == 0
    page.get_by_label("Partager sur Mastodon, depuis votre instance :").fill("@moi@piaille.fr")
    page.get_by_role("button", name="Partager sur Mastodon").click()
    page.wait_for_url("https://piaille.fr/share**")
    assert len(seen) == 1
    assert_shares_the_article(seen[0], base_url)

    # Back on the site: the instance is remembered here, in this browser, and offered as a link.
    assert hosts_asked(page, lambda: page.goto(ARTICLE)) == {own}  # still nothing asked of piaille.fr
    assert len(seen) == 1
    assert page.evaluate("localStorage.getItem('instance-mastodon')") == "piaille.fr"
    expect(page.get_by_label("Partager sur Mastodon, depuis votre instance :")).to_have_value("piaille.fr")
    link = page.get_by_role("link", name="Partager sur piaille.fr")
    expect(link).to_be_visible()
    assert_shares_the_article(link.get_attribute("href"), base_url)


def test_with_javascript_a_wrong_instance_is_told_and_goes_nowhere(page: Page) -> None:
    page.set_default_timeout(10_000)
    page.goto(ARTICLE)
    field = page.get_by_label("Partager sur Mastodon, depuis votre instance :")
    field.fill("piaille")
    page.get_by_role("button", name="Partager sur Mastodon").click()
    assert field.evaluate("input => input.validationMessage") == (
        "Écrivez l’adresse de votre instance, par exemple mastodon.social.")
    assert urlsplit(page.url).path == ARTICLE
    assert page.evaluate("localStorage.length") == 0


def test_without_javascript_the_form_reaches_the_instance_through_the_service(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        seen: list[str] = []
        answer_as_the_instance(page, seen)
        page.goto(ARTICLE)
        page.get_by_label("Partager sur Mastodon, depuis votre instance :").fill("https://piaille.fr/@moi")
        page.get_by_role("button", name="Partager sur Mastodon").click()
        page.wait_for_url("https://piaille.fr/share**")
        assert len(seen) == 1
        text = parse_qs(urlsplit(seen[0]).query)["text"][0]
        # A preview build has no SITEURL: the address is the site's path (production: absolute).
        assert text == f"{TITLE} {ARTICLE}"
        assert not context.cookies()  # nothing kept about the visitor
    finally:
        context.close()
