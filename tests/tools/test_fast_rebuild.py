"""Fast rebuilds (plugins/preview, FAST_REBUILD): fewer pages rendered, never a stale one.

Each test keeps one Pelican instance across builds, as make devserver does, edits the site,
and compares the output with a full build of the same content.
"""

from __future__ import annotations

import locale
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from preview import fast_writer
from preview.fast_writer import LAST, fast_rebuild_settings

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Title: {title}\nDate: 2026-11-{day:02d} 10:00\nCategory: {category}\nTags: essai\nSummary: Résumé {n}.\n"


def article(n: int, title: str | None = None, category: str = "Vie associative", body: str = "Texte.") -> str:
    """Return a small article numbered ``n``."""
    return HEADER.format(title=title or f"Article {n}", day=n % 28 + 1, category=category, n=n) + f"\n{body}\n"


@pytest.fixture
def restore_locale() -> Iterator[None]:
    """Put back the test runner's locale: Pelican applies LOCALE ("C") to the process."""
    saved = locale.setlocale(locale.LC_ALL)
    yield
    locale.setlocale(locale.LC_ALL, saved)


class Site:
    """A small site in a temporary folder, built by one Pelican kept across builds."""

    def __init__(self, root: Path):
        self.content = root / "content"
        self.content.mkdir()
        self.output = root / "output"
        for n in range(1, 15):  # more than one page of the home list (6 per page)
            (self.content / f"article-{n}.md").write_text(
                article(n, category="Financement" if n % 3 == 0 else "Vie associative"), encoding="utf-8")
        self.theme = root / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.pelican = self._pelican(self.output, root / "cache")

    def _pelican(self, output: Path, cache: Path) -> Pelican:
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={
            "PATH": str(self.content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(cache),
            "THEME": str(self.theme)})
        settings.update(fast_rebuild_settings(settings))
        return Pelican(settings)

    def build(self) -> int:
        """Rebuild; return how many pages were rendered."""
        self.pelican.run()
        return LAST.rendered

    def write(self, name: str, text: str) -> None:
        """Save a source file, as a writer does."""
        (self.content / name).write_text(text, encoding="utf-8")

    def page(self, path: str) -> str:
        """Return a built page."""
        return (self.output / path).read_text(encoding="utf-8")

    def assert_same_as_a_full_build(self, tmp_path: Path) -> None:
        """Every HTML page equals the one a first, full build of the same content writes."""
        reference = tmp_path / "reference"
        fast_writer._WRITTEN.clear()  # as in a new process: everything is rendered
        self._pelican(reference, tmp_path / "reference-cache").run()
        built = {p.relative_to(reference) for p in reference.rglob("*.html")}
        assert built == {p.relative_to(self.output) for p in self.output.rglob("*.html")} - self._stale()
        for relative in sorted(built):
            assert (self.output / relative).read_bytes() == (reference / relative).read_bytes(), relative

    def _stale(self) -> set[Path]:
        # Pages of texts that no longer exist stay in output/, as with `pelican` itself.
        return {p.relative_to(self.output) for p in self.output.rglob("*.html")
                if not (self.output.parent / "reference" / p.relative_to(self.output)).exists()}


@pytest.fixture
def site(tmp_path: Path, restore_locale: None) -> Site:
    """A small site, built once."""
    built = Site(tmp_path)
    built.build()
    return built


def test_the_first_build_renders_everything_then_an_unchanged_site_renders_nothing(site: Site) -> None:
    assert site.build() == 0
    assert LAST.skipped > 30


def test_editing_a_text_renders_its_page_only(site: Site, tmp_path: Path) -> None:
    site.write("article-5.md", article(5, body="Texte modifié."))
    assert site.build() == 1
    assert "Texte modifié." in site.page("article-5/index.html")
    site.assert_same_as_a_full_build(tmp_path)


def test_editing_a_title_renders_the_lists_that_show_it(site: Site, tmp_path: Path) -> None:
    site.write("article-14.md", article(14, title="Un titre tout neuf"))
    assert site.build() > 1
    assert "Un titre tout neuf" in site.page("index.html")
    assert "Un titre tout neuf" in site.page("archives/index.html")
    assert "Un titre tout neuf" in site.page("etiquette/essai/index.html")
    site.assert_same_as_a_full_build(tmp_path)


def test_a_new_article_a_new_category_and_a_removed_one_show_everywhere(site: Site, tmp_path: Path) -> None:
    site.write("article-20.md", article(20, category="Nouvelle rubrique"))
    (site.content / "article-1.md").unlink()
    site.build()
    assert "Nouvelle rubrique" in site.page("article-3/index.html")  # the footer of every page
    site.assert_same_as_a_full_build(tmp_path)


def test_renaming_a_linked_article_updates_the_link(site: Site, tmp_path: Path) -> None:
    site.write("article-2.md", article(2, body="Voir [l'autre]({filename}article-3.md)."))
    site.build()
    assert 'href="/article-3/"' in site.page("article-2/index.html")
    site.write("article-3.md", article(3, category="Financement") .replace("Summary:", "Slug: renomme\nSummary:"))
    site.build()
    assert 'href="/renomme/"' in site.page("article-2/index.html")
    site.assert_same_as_a_full_build(tmp_path)


def test_a_template_edit_renders_every_page(site: Site, tmp_path: Path) -> None:
    base = site.theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>Pied modifié</p></footer>"),
                    encoding="utf-8")
    assert site.build() > 30
    assert "Pied modifié" in site.page("article-7/index.html")
    site.assert_same_as_a_full_build(tmp_path)


def test_a_page_removed_from_the_output_is_written_again(site: Site) -> None:
    (site.output / "article-4" / "index.html").unlink()
    assert site.build() == 1
    assert (site.output / "article-4" / "index.html").exists()


def test_without_fast_rebuild_pelican_keeps_its_own_writer(tmp_path: Path, restore_locale: None) -> None:
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(tmp_path)})
    assert fast_writer.provide_writer(Pelican(settings)) is None
