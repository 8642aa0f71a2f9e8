"""A second browser behind an address that already voted sees the results its refusal carries.

`make serve` with POLL_DEDUP=cookie+ip (the default): reading a poll consults only the cookie,
so a fresh browser on the same address (127.0.0.1) gets the form; its vote is refused by
address (409 already_voted), and the refusal's body holds the poll as this visitor may now see
it. For an ``after-vote`` poll, the results are visible only there (docs/privacy.md).
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from .conftest import make_serve

pytestmark = pytest.mark.slow

ARTICLE = "/associations-reseaux-sociaux-sondage/"
FORM = "#sondage-reseau-social-principal"
POLL_API = "/api/polls/reseau-social-principal"


@pytest.fixture(scope="module")
def shared_address_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make serve` refusing a second vote from an address (cookie+ip)."""
    yield from make_serve(tmp_path_factory.mktemp("cookie-ip"), {"POLL_DEDUP": "cookie+ip"})


def vote_in_a_new_browser(browser: Browser, url: str, label: str) -> tuple[Page, list[Request]]:
    """Open the article in a fresh context (no cookie), tick ``label``, press "Voter"."""
    page = browser.new_context(base_url=url).new_page()
    page.set_default_timeout(10_000)
    page.goto(ARTICLE)
    expect(page.locator(f"{FORM} fieldset")).to_be_visible()  # this browser has not voted
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request) if POLL_API in request.url else None)
    page.get_by_label(label).check()
    page.get_by_role("button", name="Voter").click()
    return page, requests


def test_an_after_vote_poll_refused_by_address_shows_the_results_of_the_refusal(
        browser: Browser, shared_address_stack: str) -> None:
    first, _ = vote_in_a_new_browser(browser, shared_address_stack, "Mastodon ou un autre réseau du Fédivers")
    expect(first.locator(f"{FORM} .poll__status")).to_have_text("Merci, votre vote est enregistré.")
    first.context.close()

    second, requests = vote_in_a_new_browser(browser, shared_address_stack, "Instagram")
    status = second.locator(f"{FORM} .poll__status")
    expect(status).to_have_text("Vous avez déjà voté à ce sondage. Merci de votre participation !")
    results = second.locator(f"{FORM} .poll__results")
    expect(results).to_be_visible()
    expect(second.locator(f"{FORM} fieldset")).to_be_hidden()
    expect(results.locator(".results li")).to_have_count(5)
    # The first browser's vote, the only one counted: Mastodon at 100 %, Instagram at 0.
    expect(results.locator(".results li").nth(3)).to_have_text(
        re.compile(r"^Mastodon ou un autre réseau du Fédivers : 100\s%\s\(1 vote\)$"))
    expect(results.locator(".results li").nth(1)).to_have_text(re.compile(r"^Instagram : 0\s%\s\(0 vote\)$"))
    expect(results.locator(".poll__voters")).to_have_text("1 personne a répondu.")
    # Shown from the refusal itself: after the vote, no second request to the API.
    assert [(request.method, request.url.split(shared_address_stack)[1]) for request in requests] == [
        ("POST", f"{POLL_API}/votes")]
    second.context.close()
