"""Real builds with polls: the page's form, the manifest, references, the cache and feeds."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pelican import Pelican, signals
from pelican.settings import read_settings

from polls import site as poll_site
from polls.reader import MarkdownReader

# Not from conftest: with several conftest.py files and no packages, that name is ambiguous.
ROOT = Path(__file__).resolve().parents[2]
PELICAN = Path(sys.executable).with_name("pelican")

POLL = """```poll
id: {id}
question: {question}
options:
  - oui: Oui
  - non: Non
```
"""


def article(title: str, body: str, slug: str | None = None) -> str:
    """A Markdown article: three header lines, a blank line, then ``body`` from line 5."""
    return f"Title: {title}\nDate: 2026-01-01\nSlug: {slug or title.lower()}\n\n{body}"


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


# Content objects seen by the writers, i.e. after the polls plugin finished them.
WRITTEN: list[Any] = []


def remember_written(generator: Any, writer: Any = None) -> None:
    """Keep the articles and pages a generator is about to write (a signal receiver)."""
    WRITTEN.extend(poll_site.contents_of([generator]))


@pytest.fixture
def written() -> list[Any]:
    """Collect the content objects of the in-process builds of one test."""
    WRITTEN.clear()
    signals.article_writer_finalized.connect(remember_written)
    signals.page_writer_finalized.connect(remember_written)
    yield WRITTEN
    signals.article_writer_finalized.disconnect(remember_written)
    signals.page_writer_finalized.disconnect(remember_written)


def build_here(root: Path, files: dict[str, str], cache: bool = False) -> Path:
    """Build ``files`` (paths under content/) in this process; return the output folder."""
    content = root / "content"
    for name, text in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:  # keep dates for the cache
            path.write_text(text, encoding="utf-8")
    output = root / "output"
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(root / "cache"),
        # Our plugins only: the feeds plugin has tests of its own.
        "PLUGINS": ["i18n", "polls"], "LOAD_CONTENT_CACHE": cache,
    })
    Pelican(settings).run()
    return output


def manifest(output: Path) -> list[dict[str, Any]]:
    return json.loads((output / "polls.json").read_text(encoding="utf-8"))["polls"]


# The sample site, built once for the whole suite by tests/conftest.py.

def test_the_sample_article_holds_the_donation_poll_as_an_accessible_form(site: Path) -> None:
    page = parse(site / "don-en-ligne/index.html")
    (form,) = page.xpath("//main//form[@class='poll']")
    assert form.get("action") == "/api/polls/don-en-ligne/votes" and form.get("method") == "post"
    assert form.xpath("string(fieldset/legend)") == "Utilisez-vous le don en ligne pour votre association ?"
    radios = form.xpath(".//input[@type='radio'][@name='choices']")
    assert [r.get("value") for r in radios] == ["oui", "parfois", "bientot", "non"]
    labels = [form.xpath(f"string(.//label[@for='{r.get('id')}'])") for r in radios]
    assert labels == ["Oui, régulièrement", "Oui, de temps en temps", "Non, mais nous y pensons", "Non"]
    assert form.xpath("string(.//button[@type='submit'])") == "Voter"
    assert form.xpath(".//a[.='Voir les résultats']/@href") == ["/polls/don-en-ligne/"]
    assert "/confidentialite/" in form.xpath(".//a/@href")


def test_only_pages_with_a_poll_load_the_poll_script_and_styles(site: Path) -> None:
    head = parse(site / "don-en-ligne/index.html").xpath("//head")[0]
    assert head.xpath("script[@src='/theme/js/polls.js']/@defer")
    assert head.xpath("link[@href='/theme/css/polls.css']")
    for other in ("index.html", "confidentialite/index.html"):
        assert b"polls.js" not in (site / other).read_bytes(), other


def test_the_poll_script_weighs_at_most_2_kb_gzipped(site: Path) -> None:
    # A size, not a timing: the same bound make bench reports (issue 4).
    script = (site / "theme/js/polls.js").read_bytes()
    assert len(gzip.compress(script, compresslevel=9)) <= 2048


def test_the_manifest_lists_the_donation_poll_with_its_article(site: Path) -> None:
    (poll,) = [p for p in manifest(site) if p["id"] == "don-en-ligne"]
    assert poll["question"] == "Utilisez-vous le don en ligne pour votre association ?"
    assert [o["key"] for o in poll["options"]] == ["oui", "parfois", "bientot", "non"]
    assert poll["multiple"] is False and poll["results"] == "always"
    # Open since 1 November 2026 and never closed: the sample votes in every test, whatever the date.
    assert poll["opens"] == "2026-11-01T00:00:00+01:00" and poll["closes"] is None
    assert poll["source"] == "content/don-en-ligne.md"
    assert poll["url"] == "/don-en-ligne/"


def test_in_production_the_manifest_gives_the_article_absolute_address(published_site: Path) -> None:
    (poll,) = [p for p in manifest(published_site) if p["id"] == "don-en-ligne"]
    assert poll["url"] == "https://tisser.example.org/don-en-ligne/"


# Small sites built in this process.

def test_a_reference_block_shows_a_poll_defined_in_another_article(tmp_path: Path, written) -> None:
    output = build_here(tmp_path, {
        "definit.md": article("Definit", "Texte.\n\n" + POLL.format(id="velo", question="Venez-vous à vélo ?")),
        "reprend.md": article("Reprend", "Rappel :\n\n```poll\nid: velo\n```\n"),
    })
    form = parse(output / "reprend/index.html").xpath("//form[@class='poll']")[0]
    assert form.xpath("string(fieldset/legend)") == "Venez-vous à vélo ?"
    assert b"<!--poll:" not in (output / "reprend/index.html").read_bytes()
    assert [(p["id"], p["url"], p["source"]) for p in manifest(output)] == [
        ("velo", "/definit/", "content/definit.md")]
    reprend = next(c for c in written if c.slug == "reprend")
    assert "Venez-vous à vélo ?" in reprend.feed_content and "<form" not in reprend.feed_content


def test_feed_content_replaces_the_form_with_the_static_version(tmp_path: Path, written) -> None:
    output = build_here(tmp_path, {
        "vote.md": article("Vote", POLL.format(id="velo", question="Venez-vous <b>à vélo</b> ?")
                           + "\n[Confidentialité]({filename}/pages/prive.md)\n"),
        "pages/prive.md": "Title: Privé\nSlug: prive\n\nTexte.\n",
    })
    vote = next(c for c in written if c.slug == "vote")
    assert "<form" not in vote.content and vote.content.startswith("<!--poll:velo-->")  # the page's form comes later
    feed = lxml.html.fragment_fromstring(vote.feed_content, create_parent="div")
    assert not feed.xpath("//form")
    assert "Sondage : Venez-vous <b>à vélo</b> ?" in feed.xpath("string(//p[@class='poll__question'])")
    assert feed.xpath("//ul[@class='poll__options']/li/text()") == ["Oui", "Non"]
    assert feed.xpath("//a[.='Répondre au sondage sur notre site']/@href") == ["/vote/#sondage-velo"]
    (image,) = feed.xpath("//img")
    assert image.get("src") == "/api/polls/velo/results.svg"
    assert image.get("alt") == "Résultats actuels du sondage « Venez-vous <b>à vélo</b> ? »"
    assert feed.xpath("//a[.='Confidentialité']/@href") == ["/prive/"]  # links resolved as in the page
    assert parse(output / "vote/index.html").xpath("//form[@class='poll'][@data-poll-id='velo']")


def test_listings_summarise_an_article_without_its_poll(tmp_path: Path) -> None:
    output = build_here(tmp_path, {
        "debut.md": article("Debut", POLL.format(id="debut", question="Q ?") + "\nLa suite du texte.\n"),
        "resume.md": article("Resume", "Summary: Un résumé écrit.\n\n" + POLL.format(id="resume", question="R ?"))
                     .replace("Slug: resume\n\n", "Slug: resume\n"),
    })
    home = parse(output / "index.html")
    assert not home.xpath("//form | //fieldset | //input")
    summaries = [" ".join(s.text_content().split()) for s in home.xpath("//div[@class='card__summary']")]
    assert sorted(summaries) == ["La suite du texte.", "Un résumé écrit."]


def test_a_build_from_the_cache_still_writes_every_poll(tmp_path: Path, written, monkeypatch) -> None:
    files = {"a.md": article("A", POLL.format(id="sondage-a", question="A ?")),
             "b.md": article("B", POLL.format(id="sondage-b", question="B ?"))}
    first = manifest(build_here(tmp_path, files, cache=False))
    reads: list[str] = []
    original = MarkdownReader.read
    monkeypatch.setattr(MarkdownReader, "read", lambda self, path: reads.append(path) or original(self, path))
    written.clear()
    output = build_here(tmp_path, files, cache=True)
    assert reads == []  # every article came from the cache
    assert manifest(output) == first and [p["id"] for p in first] == ["sondage-a", "sondage-b"]
    assert all("/api/polls/" in c.feed_content for c in written if c.slug in ("a", "b"))


def test_one_id_defined_in_two_articles_fails_the_build(tmp_path: Path, caplog) -> None:
    with pytest.raises(poll_site.PollBuildError):
        build_here(tmp_path, {"a.md": article("A", POLL.format(id="double", question="A ?")),
                              "b.md": article("B", "\n" + POLL.format(id="double", question="B ?"))})
    messages = [r.getMessage() for r in caplog.records if r.getMessage().startswith("polls: ")]
    assert messages == ["polls: content/b.md:7 : Le sondage « double » est déjà défini dans content/a.md:6. "
                        "Si c'est un autre sondage, donnez-lui un autre identifiant (par exemple « id: double-2 ») ; "
                        "pour afficher ici le même sondage, gardez seulement la ligne « id: double » dans ce bloc."]


def test_a_reference_to_an_unknown_poll_fails_the_build(tmp_path: Path, caplog) -> None:
    with pytest.raises(poll_site.PollBuildError):
        build_here(tmp_path, {"a.md": article("A", "Texte.\n\n```poll\nid: fantome\n```\n")})
    assert "polls: content/a.md:8 : Aucun sondage « fantome » n'est défini sur le site." in caplog.text


def test_the_next_build_in_the_same_process_starts_clean(tmp_path: Path) -> None:
    with pytest.raises(poll_site.PollBuildError):
        build_here(tmp_path / "bad", {"a.md": article("A", "```poll\nid: fantome\n```\n")})
    output = build_here(tmp_path / "good", {"a.md": article("A", POLL.format(id="bon", question="Q ?"))})
    assert [p["id"] for p in manifest(output)] == ["bon"]


def test_one_pelican_instance_builds_again_once_the_mistake_is_fixed(tmp_path: Path) -> None:
    # `make devserver` keeps one Pelican and runs it at each save: `initialized` is sent once.
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(article("A", "```poll\nid: fantome\n```\n"), encoding="utf-8")
    pelican = Pelican(read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"), "PLUGINS": ["i18n", "polls"]}))
    with pytest.raises(poll_site.PollBuildError):
        pelican.run()
    (content / "a.md").write_text(article("A", POLL.format(id="bon", question="Q ?")), encoding="utf-8")
    pelican.run()
    assert [p["id"] for p in manifest(tmp_path / "output")] == ["bon"]


@pytest.mark.parametrize("plugins", [None, '["i18n", "polls"]'], ids=["the site's plugins", "polls alone"])
def test_pelican_exits_non_zero_and_names_the_file_line_of_a_bad_poll(tmp_path: Path, plugins: str | None) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "x.md").write_text(article("X", "Texte.\n\n```poll\nid: x\nquestion: Q ?\noptions:\n  - Oui\n```\n"))
    # Like `make html`. With the site's plugins, plugins/checks may report it first, in the same
    # words; alone, the polls plugin must fail the build by itself.
    extra = ["-e", f"PLUGINS={plugins}"] if plugins else []
    result = subprocess.run([str(PELICAN), str(content), "-o", str(tmp_path / "output"), "-s",
                             str(ROOT / "pelicanconf.py"), "--cache-path", str(tmp_path / "cache"),
                             "--fatal", "errors", *extra], cwd=ROOT, capture_output=True,
                            encoding="utf-8", env={**os.environ, "COLUMNS": "400"}, timeout=300)
    # COLUMNS keeps Pelican's log handler from wrapping the message; spaces are normalised anyway.
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert ("content/x.md:10 : Un sondage a besoin d'au moins deux réponses, "
            "une par ligne commençant par « - ».") in output


def test_texts_keep_pelicans_reader_name_and_gain_no_metadata_key(tmp_path: Path, written) -> None:
    build_here(tmp_path, {"simple.md": article("Simple", "Texte sans sondage.\n"),
                          "vote.md": article("Vote", POLL.format(id="velo", question="Q ?"))})
    simple = next(c for c in written if c.slug == "simple")
    vote = next(c for c in written if c.slug == "vote")
    assert simple.metadata["reader"] == vote.metadata["reader"] == "markdown"
    assert set(simple.metadata) == {"title", "date", "slug", "reader", "category"}
    assert set(vote.metadata) == set(simple.metadata) | {"polls"}  # the poll's plain data
