"""A poll closed or not yet open when the site is built reads as such, in its page and feeds.

The build's time is one input of the build (POLL_BUILD_NOW here; now by default), taken once.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.html
import pytest
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parents[2]
BUILD_NOW = "2026-12-06T12:00:00+01:00"
POLLS = {
    "passe": "opens: 2026-06-01\ncloses: 2026-06-30\n",
    "present": "opens: 2026-12-01\ncloses: 2026-12-31\n",
    "futur": "opens: 2027-01-15 09:30\ncloses: 2027-02-28\n",
}


def article(poll_id: str, dates: str) -> str:
    return (f"Title: Sondage {poll_id}\nDate: 2026-11-01\nSlug: {poll_id}\n\nTexte.\n\n"
            f"```poll\nid: {poll_id}\nquestion: Question {poll_id} ?\noptions:\n  - oui: Oui\n  - non: Non\n"
            f"{dates}```\n")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("build-time")
    content = root / "content"
    content.mkdir()
    for poll_id, dates in POLLS.items():
        (content / f"{poll_id}.md").write_text(article(poll_id, dates), encoding="utf-8")
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "OUTPUT_PATH": str(root / "output"), "CACHE_PATH": str(root / "cache"),
        "PLUGINS": ["i18n", "polls", "feeds"], "LOAD_CONTENT_CACHE": False, "POLL_BUILD_NOW": BUILD_NOW,
    })
    Pelican(settings).run()
    return root / "output"


def poll_of(output: Path, poll_id: str) -> lxml.html.HtmlElement:
    page = lxml.html.fromstring((output / poll_id / "index.html").read_bytes())
    (poll,) = page.xpath(f"//*[@id='sondage-{poll_id}']")
    return poll


def feed_poll(output: Path, poll_id: str) -> lxml.html.HtmlElement:
    feed = feedparser.parse((output / "feeds" / "all.atom.xml").read_bytes())
    (entry,) = [entry for entry in feed.entries if entry.link.endswith(f"/{poll_id}/")]
    return lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")


def meta(poll: lxml.html.HtmlElement) -> str:
    return " ".join(poll.xpath("string(.//p[@class='poll__meta'])").split())


def test_an_open_poll_is_a_live_form_in_its_page(output: Path) -> None:
    poll = poll_of(output, "present")
    assert poll.tag == "form" and poll.xpath(".//button[@type='submit']")
    assert meta(poll).startswith("Vote ouvert du 1er décembre 2026 au 31 décembre 2026.")


def test_a_poll_closed_at_build_time_has_no_form_but_its_closing_and_results(output: Path) -> None:
    poll = poll_of(output, "passe")
    assert poll.tag == "div" and "poll--closed" in poll.get("class")
    assert not poll.xpath(".//input | .//button") and not poll.xpath("//form[@class='poll']")
    assert meta(poll) == "Vote clos le 30 juin 2026."
    assert poll.xpath(".//a[@class='poll__results-link']/@href") == ["/polls/passe/"]
    assert "Vote ouvert" not in lxml.html.tostring(poll, encoding="unicode")
    assert poll.get("data-poll-id") == "passe"  # the script still asks the service


def test_a_poll_not_yet_open_at_build_time_says_when_it_opens(output: Path) -> None:
    poll = poll_of(output, "futur")
    assert poll.tag == "div" and "poll--not-open" in poll.get("class")
    assert not poll.xpath(".//input | .//button")
    assert meta(poll).startswith("Vote ouvert à partir du 15 janvier 2027 à 09:30.")
    assert poll.xpath(".//a[@class='poll__results-link']/@href") == ["/polls/futur/"]
    assert poll.xpath(".//ul[contains(@class, 'poll__options')]/li/text()") == ["Oui", "Non"]


def test_the_feed_says_a_closed_poll_is_closed_and_links_its_results(output: Path) -> None:
    poll = feed_poll(output, "passe")
    text = " ".join(poll.text_content().split())
    assert "Vote clos le 30 juin 2026." in text
    assert "Répondre au sondage" not in text
    assert poll.xpath(".//a[.='Voir les résultats']/@href") == ["http://127.0.0.1:8000/polls/passe/"]


def test_the_feed_says_when_a_poll_not_yet_open_opens(output: Path) -> None:
    text = " ".join(feed_poll(output, "futur").text_content().split())
    assert "Vote ouvert à partir du 15 janvier 2027 à 09:30." in text
    assert "Répondre au sondage sur notre site" in text


def test_the_feed_invites_to_vote_on_an_open_poll(output: Path) -> None:
    poll = feed_poll(output, "present")
    text = " ".join(poll.text_content().split())
    assert "Répondre au sondage sur notre site" in text and "Vote clos" not in text and "Vote ouvert" not in text
