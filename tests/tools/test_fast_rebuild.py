"""Fast rebuilds (plugins/fast_build, FAST_REBUILD): fewer pages rendered, never a stale one.

``make html`` starts a new process at each build and finds the fast writer's records in the
cache folder; a Pelican kept across builds runs again ("server"); ``make devserver`` keeps the
last build in memory and redoes only what an edit of texts touches ("incremental",
fast_build/incremental.py, told which files changed as its file watcher is). Each test builds a
small site each way, edits it, and compares every output file with a complete build of the
same content by Pelican's own writer, without any cache.
"""

from __future__ import annotations

import locale
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from checks import ContentCheckFailed, documents
from polls import site as poll_site
from fast_build import parallel, records, texts, writer
from fast_build.incremental import Rebuilder
from fast_build.keys import LAST
from fast_build.settings import fast_rebuild_settings

ROOT = Path(__file__).resolve().parents[2]
PELICAN = Path(sys.executable).with_name("pelican")
HEADER = ("Title: {title}\nSlug: {slug}\nDate: 2026-11-{day:02d} 10:00\nCategory: {category}\nTags: {tags}\n"
          "Summary: Résumé {n}.\n")
POLL = "```poll\nid: avis\nquestion: {question}\noptions:\n  - oui: Oui\n  - non: Non\n```\n"
LINK = "Voir [l'autre]({filename}article-3.md).\n\n"
N_ARTICLES = 14  # more than one page of the home list (9 per page)


def article(n: int, title: str | None = None, category: str | None = None, body: str = "Texte.",
            tags: str = "essai", extra: str = "", slug: str | None = None) -> str:
    """Return a small article numbered ``n``."""
    category = category or ("Financement" if n % 3 == 0 else "Vie associative")
    return HEADER.format(title=title or f"Article {n}", slug=slug or f"article-{n}", day=n % 28 + 1,
                         category=category, n=n, tags=tags) + extra + f"\n{body}\n"


@pytest.fixture
def restore_locale() -> Iterator[None]:
    """Put back the test runner's locale: Pelican applies LOCALE ("C") to the process."""
    saved = locale.setlocale(locale.LC_ALL)
    yield
    locale.setlocale(locale.LC_ALL, saved)


def forget_this_process() -> None:
    """Forget what plugins keep in memory between builds, as a new `make html` process would."""
    records.forget()
    texts.forget()
    documents._LOADED.clear()
    documents._MEMORY.clear()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Site:
    """A small site in a temporary folder, rebuilt as make html ("process") or make devserver does."""

    def __init__(self, root: Path, mode: str):
        self.root = root
        self.mode = mode
        self.content = root / "content"
        (self.content / "pages").mkdir(parents=True)
        self.output = root / "output"
        self.cache = root / "cache"
        for n in range(1, N_ARTICLES + 1):
            self.write(f"article-{n}.md", article(n))
        self.write("article-2.md", article(2, body=LINK + POLL.format(question="Première question ?")))
        self.write("article-4.md", article(4, body="Le sondage d'à côté :\n\n```poll\nid: avis\n```\n"))
        self.write("pages/contact.md", "Title: Contact\nSlug: contact\nSummary: Nous écrire.\n\nTexte.\n")
        self.theme = root / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.overrides: dict[str, Any] = {}
        self.pelican: Pelican | None = None
        self.rebuilder: Rebuilder | None = None
        self.references = 0
        self.files = self.scan()

    def settings(self, output: Path, cache: Path, **extra: Any) -> dict[str, Any]:
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={
            "PATH": str(self.content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(cache),
            "THEME": str(self.theme), **self.overrides, **extra})
        if self.mode != "process":
            settings.update(fast_rebuild_settings(settings, all_feeds=True))
        return settings

    def change_settings(self, **changes: Any) -> None:
        """Change settings, as an edit of pelicanconf.py (the dev server then makes a new Pelican)."""
        self.overrides.update(changes)
        self.pelican = None

    def scan(self) -> dict[str, tuple[int, int]]:
        """Every file of the content and the theme, with its size and date."""
        return {str(path): (path.stat().st_size, path.stat().st_mtime_ns)
                for folder in (self.content, self.theme) for path in folder.rglob("*") if path.is_file()}

    def build(self) -> int:
        """Rebuild; return how many pages were rendered."""
        if self.mode == "process" or self.pelican is None:
            if self.mode == "process":
                forget_this_process()
            self.pelican = Pelican(self.settings(self.output, self.cache))
            self.rebuilder = Rebuilder(self.pelican)
        files = self.scan()
        changed = sorted(path for path in files.keys() | self.files.keys() if files.get(path) != self.files.get(path))
        self.files = files
        if self.mode == "incremental":
            assert self.rebuilder is not None
            self.rebuilder.build(changed)
        else:
            self.pelican.run()
        return LAST.rendered

    @property
    def incremental(self) -> bool:
        """Tell whether the last build redid only what the edit touched."""
        return self.rebuilder is not None and self.rebuilder.last_kind == "incremental"

    def write(self, name: str, text: str) -> None:
        """Save a source file, as a writer does."""
        (self.content / name).write_text(text, encoding="utf-8")

    def edit_theme(self, relative: str, old: str, new: str) -> None:
        path = self.theme / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def page(self, path: str) -> str:
        """Return a built page."""
        return (self.output / path).read_text(encoding="utf-8")

    def assert_same_as_a_full_build(self) -> set[str]:
        """Every file of a complete build is here, byte for byte; return the other files here.

        The reference is Pelican's own writer, without any cache. Files of texts that no
        longer exist stay in output/, as with `pelican` itself: they are returned.
        """
        self.references += 1
        reference = self.root / f"reference-{self.references}"
        Pelican(self.settings(reference, self.root / f"reference-cache-{self.references}",
                              FAST_REBUILD=False, LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)).run()
        expected, built = tree(reference), tree(self.output)
        different = sorted(name for name in expected if built.get(name) != expected[name])
        assert not different, f"differs from a complete build: {different}"
        return set(built) - set(expected)


@pytest.fixture(params=["process", "server", "incremental"])
def site(request: pytest.FixtureRequest, tmp_path: Path, restore_locale: None) -> Site:
    """A small site, built once; rebuilt by new processes (make html) or one (make devserver)."""
    built = Site(tmp_path, request.param)
    built.build()
    return built


# What a rebuild renders.

def test_the_first_build_renders_everything_then_an_unchanged_site_renders_nothing(site: Site) -> None:
    assert site.build() == 0
    assert LAST.skipped > 30
    assert not LAST.everything


def test_editing_a_text_renders_its_page_only(site: Site) -> None:
    site.write("article-5.md", article(5, body="Texte modifié."))
    assert site.build() == 1
    assert site.incremental == (site.mode == "incremental")
    assert "Texte modifié." in site.page("article-5/index.html")
    assert not site.assert_same_as_a_full_build()


def test_editing_a_title_renders_the_lists_that_show_it(site: Site) -> None:
    site.write("article-14.md", article(14, title="Un titre tout neuf", slug="article-14"))
    assert 1 < site.build() < 20
    assert site.incremental == (site.mode == "incremental")
    for page in ("index.html", "archives/index.html", "etiquette/essai/index.html"):
        assert "Un titre tout neuf" in site.page(page)
    assert not site.assert_same_as_a_full_build()


def test_a_template_edit_renders_every_page(site: Site) -> None:
    site.edit_theme("templates/base.html", "</footer>", "<p>Pied modifié</p></footer>")
    assert site.build() > 30
    assert "Pied modifié" in site.page("article-7/index.html")
    assert not site.assert_same_as_a_full_build()


def test_a_page_removed_from_the_output_is_written_again(site: Site) -> None:
    (site.output / "article-4" / "index.html").unlink()
    assert site.build() == 1
    assert (site.output / "article-4" / "index.html").exists()


def test_a_page_changed_by_someone_else_is_written_again(site: Site) -> None:
    page = site.output / "article-6" / "index.html"
    page.write_text("abîmée", encoding="utf-8")
    assert site.build() == 1
    assert not site.assert_same_as_a_full_build()


def test_ignore_cache_renders_everything(site: Site) -> None:
    site.change_settings(LOAD_CONTENT_CACHE=False)
    assert site.build() > 30


# Byte for byte the complete build, after any sequence of edits.

def edit_text(site: Site) -> None:
    site.write("article-5.md", article(5, body="Un texte **réécrit**."))


def edit_title(site: Site) -> None:
    site.write("article-9.md", article(9, title="Un autre titre"))


def edit_metadata(site: Site) -> None:
    site.write("article-8.md", article(8, tags="essai, nouvelle étiquette", category="Bénévolat",
                                       extra="Image: images/photo.png\nImage_alt: Une photo.\n"))


def new_article(site: Site) -> None:
    site.write("article-20.md", article(20, category="Nouvelle rubrique"))


def delete_article(site: Site) -> None:
    (site.content / "article-1.md").unlink()


def rename_a_file(site: Site) -> None:
    (site.content / "article-12.md").rename(site.content / "douze.md")


def edit_date(site: Site) -> None:
    site.write("article-6.md", article(6).replace("Date: 2026-11-07", "Date: 2025-03-07"))


def edit_tags(site: Site) -> None:
    site.write("article-7.md", article(7, tags="essai, budget"))


def edit_a_summary(site: Site) -> None:
    site.write("article-10.md", article(10).replace("Summary: Résumé 10.", "Summary: Un autre résumé."))


def hide(site: Site) -> None:
    site.write("article-13.md", article(13, extra="Status: hidden\n"))


def edit_the_text_of_a_poll(site: Site) -> None:
    site.write("article-2.md", article(2, body=LINK + "Un mot de plus.\n\n" + POLL.format(question="Première question ?")))


def draft(site: Site) -> None:
    site.write("article-11.md", article(11, extra="Status: draft\n"))


def rename_a_linked_article(site: Site) -> None:
    site.write("article-3.md", article(3, slug="renomme"))


def edit_a_poll_shown_elsewhere(site: Site) -> None:
    site.write("article-2.md", article(2, body=LINK + POLL.format(question="Nouvelle question ?")))


def edit_a_template(site: Site) -> None:
    site.edit_theme("templates/article.html", '<div class="prose">', '<div class="prose texte">')


def edit_a_stylesheet(site: Site) -> None:
    (site.theme / "static" / "css" / "site.css").write_text("body { color: black; }\n", encoding="utf-8")


def edit_the_catalog(site: Site) -> None:
    site.edit_theme("translations/fr/LC_MESSAGES/messages.po", 'msgid "Rubriques"\nmsgstr ""',
                    'msgid "Rubriques"\nmsgstr "Nos rubriques"')


def edit_a_setting(site: Site) -> None:
    site.change_settings(SITESUBTITLE="Un autre sous-titre")


def edit_an_address_setting(site: Site) -> None:
    # Pelican's content cache keeps categories with the settings they were read with.
    site.change_settings(CATEGORY_URL="rubrique/{slug}/", CATEGORY_SAVE_AS="rubrique/{slug}/index.html")


EDITS: list[Callable[[Site], None]] = [
    edit_text, edit_title, edit_metadata, new_article, delete_article, rename_a_file, edit_date, edit_tags,
    edit_a_summary, draft, hide, rename_a_linked_article, edit_the_text_of_a_poll, edit_a_poll_shown_elsewhere,
    edit_a_template, edit_a_stylesheet, edit_the_catalog, edit_a_setting, edit_an_address_setting,
]


def test_after_each_edit_of_a_sequence_the_output_is_that_of_a_complete_build(site: Site) -> None:
    (site.content / "images").mkdir()
    (site.content / "images" / "photo.png").write_bytes((ROOT / "content/images/don-en-ligne.png").read_bytes())
    site.build()
    stale: set[str] = set()
    for edit in EDITS:
        edit(site)
        site.build()
        stale = site.assert_same_as_a_full_build()
        if edit in (edit_text, edit_title):
            assert not stale, edit.__name__
        if edit in (edit_text, edit_title, edit_a_summary, edit_the_text_of_a_poll, edit_a_poll_shown_elsewhere):
            assert site.incremental == (site.mode == "incremental"), edit.__name__
    # Pages of the deleted article, of the draft's and the hidden article's old address, of the
    # old category addresses.
    assert "article-1/index.html" in stale and "article-11/index.html" in stale
    assert "Un autre sous-titre" in site.page("article-7/index.html")
    assert "Nos rubriques" in site.page("index.html")
    assert "Nouvelle question ?" in site.page("article-4/index.html")  # the poll shown there too
    assert 'href="/renomme/"' in site.page("article-2/index.html")


def test_a_poll_edit_renders_the_page_that_shows_it_from_another_article(site: Site) -> None:
    edit_a_poll_shown_elsewhere(site)
    assert site.build() >= 2
    assert "Nouvelle question ?" in site.page("article-4/index.html")
    site.assert_same_as_a_full_build()


def test_a_poll_that_closed_since_the_last_build_reads_closed_after_any_rebuild(site: Site, monkeypatch) -> None:
    """The build's time is an input: the pages showing a poll follow it, as a complete build does."""
    closing = POLL.format(question="Première question ?").replace("```\n", "closes: 2026-12-31\n```\n")
    site.write("article-2.md", article(2, body=LINK + closing))
    monkeypatch.setattr(poll_site, "utc_now", lambda: datetime(2026, 12, 20, 12, tzinfo=timezone.utc))
    site.build()
    assert 'class="poll__submit"' in site.page("article-2/index.html")
    monkeypatch.setattr(poll_site, "utc_now", lambda: datetime(2027, 1, 5, 12, tzinfo=timezone.utc))
    site.write("article-5.md", article(5, body="Texte modifié."))  # any edit: the dev server rebuilds
    assert site.build() == 3  # the edited page and the two pages showing the poll
    assert site.incremental == (site.mode == "incremental")
    for page in ("article-2/index.html", "article-4/index.html"):
        assert "Vote clos le" in site.page(page) and 'class="poll__submit"' not in site.page(page)
    assert not site.assert_same_as_a_full_build()


def test_feeds_are_written_again_only_when_what_they_show_changed(site: Site) -> None:
    feed = site.output / "feeds" / "all.atom.xml"
    written = feed.stat().st_mtime_ns
    site.write("article-5.md", article(5, body="Texte modifié, aussi dans le flux."))
    site.build()
    assert feed.stat().st_mtime_ns != written
    written = feed.stat().st_mtime_ns
    category_feed = site.output / "feeds" / "categorie-financement.atom.xml"
    category_written = category_feed.stat().st_mtime_ns
    site.build()
    assert feed.stat().st_mtime_ns == written and category_feed.stat().st_mtime_ns == category_written
    assert not site.assert_same_as_a_full_build()


# What cannot be fingerprinted is rendered at every build.

def test_a_list_template_showing_whole_texts_is_rendered_at_every_build(site: Site) -> None:
    site.edit_theme("templates/macros.html", '<div class="card__summary">{{ article.summary|safe }}</div>',
                    '<div class="card__summary">{{ article.content|safe }}</div>')
    site.build()
    site.write("article-14.md", article(14, body="Texte visible sur l'accueil."))
    assert site.build() > 10
    assert "Texte visible sur l'accueil." in site.page("index.html")
    assert "macros.html" in LAST.everything
    assert not site.assert_same_as_a_full_build()


class Opaque:
    """A setting whose description holds a memory address."""

    def __call__(self, value: Any) -> str:
        return str(value)


def test_a_setting_that_cannot_be_fingerprinted_renders_everything(site: Site) -> None:
    site.change_settings(JINJA_FILTERS={"opaque": Opaque()})
    site.build()
    assert site.build() > 30
    assert "cannot be fingerprinted" in LAST.everything
    assert not site.assert_same_as_a_full_build()


def test_a_content_cache_written_by_another_build_is_not_trusted(site: Site) -> None:
    """`make publish` or an older version of the site may write Pelican's cache in cache/."""
    site.write("article-5.md", article(5, title="Titre lu par une autre construction"))
    Pelican(site.settings(site.root / "other", site.cache, FAST_REBUILD=False,
                          CATEGORY_URL="ailleurs/{slug}/", CATEGORY_SAVE_AS="ailleurs/{slug}/index.html")).run()
    site.build()
    assert not site.assert_same_as_a_full_build()


# Settings.

@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Work shared from a handful of texts on, in chunks of 2; the pids of the workers forked."""
    # The sites of these tests are below the size where work is shared: lowered, texts are
    # read by workers from before the checks run, and pages rendered by whoever takes them.
    monkeypatch.setattr(parallel, "MINIMUM", 4)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    forked: list[int] = []
    fork = os.fork

    def counted_fork() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    return forked


def test_a_build_shared_with_forked_workers_is_that_of_a_serial_build(
        tmp_path: Path, restore_locale: None, forks: list[int]) -> None:
    built = Site(tmp_path, "process")
    built.change_settings(FAST_BUILD_WORKERS=2)
    built.build()
    assert len(forks) == 2  # one worker reading, one rendering
    assert built.assert_same_as_a_full_build() == set()
    built.write("article-5.md", article(5, title="Titre changé", tags="essai, autre"))
    built.build()
    assert built.assert_same_as_a_full_build() == set()


def test_workers_left_by_a_build_stopped_by_a_content_error_are_ended_by_the_next(
        tmp_path: Path, restore_locale: None, forks: list[int]) -> None:
    built = Site(tmp_path, "process")  # its first build forked a reader and a renderer
    built.change_settings(FAST_BUILD_WORKERS=2)
    built.write("article-6.md", article(6).replace("Title: Article 6\n", ""))  # no title: an error
    first = len(forks)
    with pytest.raises(ContentCheckFailed):
        built.build()
    assert len(forks) == first + 1  # the texts were being read when the checks stopped the build
    built.write("article-6.md", article(6))
    built.build()
    with pytest.raises(ChildProcessError):  # ended and collected, not left waiting
        os.waitpid(forks[first], os.WNOHANG)
    assert built.assert_same_as_a_full_build() == set()


def test_without_fast_rebuild_pelican_keeps_its_own_writer(tmp_path: Path, restore_locale: None) -> None:
    settings = read_settings(str(ROOT / "publishconf.py"), override={"PATH": str(tmp_path)})
    assert settings["FAST_REBUILD"] is False and settings["LOAD_CONTENT_CACHE"] is False
    assert writer.provide_writer(Pelican(settings)) is None


def test_development_builds_are_fast_rebuilds() -> None:
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    assert settings["FAST_REBUILD"] is True and settings["LOAD_CONTENT_CACHE"] is True


def test_make_publish_leaves_nothing_in_the_cache_folder(published_site: Path) -> None:
    cache = published_site.parent / f"{published_site.name}-cache"
    assert not cache.exists() or not any(cache.iterdir())


# The real command, twice, as `make html` runs it.

def pelican(content: Path, output: Path, cache: Path, *extra: str) -> None:
    command = [str(PELICAN), str(content), "-o", str(output), "-s", str(ROOT / "pelicanconf.py"),
               "--cache-path", str(cache), "--fatal", "errors", *extra]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_make_html_twice_rewrites_only_the_edited_page(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    output, cache = tmp_path / "output", tmp_path / "cache"
    pelican(content, output, cache)
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*.html")}
    article_file = content / "don-en-ligne.md"
    article_file.write_text(article_file.read_text(encoding="utf-8") + "\nUne phrase de plus.\n",
                            encoding="utf-8")
    pelican(content, output, cache)
    rewritten = sorted(str(path.relative_to(output)) for path, written in before.items()
                       if path.stat().st_mtime_ns != written)
    assert rewritten == ["don-en-ligne/index.html"]
    assert "Une phrase de plus." in (output / "don-en-ligne/index.html").read_text(encoding="utf-8")
    reference = tmp_path / "reference"
    pelican(content, reference, tmp_path / "reference-cache", "--ignore-cache", "-e", "FAST_REBUILD=false")
    assert tree(reference) == {name: data for name, data in tree(output).items() if name in tree(reference)}
    assert len(list(cache.glob(f"fast-build-*/{records.STATE_FILE}"))) == 1
