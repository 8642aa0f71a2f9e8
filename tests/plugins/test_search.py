"""plugins/search: Pagefind's index is made by the build, of articles and pages only, in French.

Only where ``SEARCH_INDEX`` is on: make publish and make serve, not make html.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import lxml.html

import pytest

from sitebuild import PELICAN, ROOT, build

ARTICLES_AND_PAGES = len(list((ROOT / "content").glob("*.md"))) + len(list((ROOT / "content" / "pages").glob("*.md")))
INDEXED = ["-e", "SEARCH_INDEX=true"]  # what make serve adds to make html's build


@pytest.fixture(scope="module")
def indexed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built with the development settings and the search index, as make serve does."""
    output = tmp_path_factory.mktemp("indexed") / "output"
    result = build(output, extra=INDEXED)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_make_html_leaves_the_index_to_make_publish(site: Path, published_site: Path) -> None:
    assert not (site / "pagefind").exists()
    assert (published_site / "pagefind" / "pagefind.js").is_file()


def test_the_build_makes_a_french_index_of_articles_and_pages(indexed_site: Path) -> None:
    entry = json.loads((indexed_site / "pagefind" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["fr"]
    # Only what the theme marks data-pagefind-body: no list, tag or archive page.
    assert entry["languages"]["fr"]["page_count"] == ARTICLES_AND_PAGES
    assert (indexed_site / "pagefind" / "pagefind.js").is_file()


def test_only_the_search_page_loads_the_search_script(indexed_site: Path) -> None:
    loading = []
    for page in sorted(indexed_site.rglob("*.html")):
        if page.is_relative_to(indexed_site / "pagefind"):
            continue
        scripts = lxml.html.fromstring(page.read_bytes()).xpath("//script/@src")
        if any("search.js" in src or "pagefind" in src for src in scripts):
            loading.append(str(page.relative_to(indexed_site)))
    assert loading == ["rechercher/index.html"]


def test_the_search_page_is_in_the_menu_and_speaks_without_javascript(site: Path) -> None:
    home = lxml.html.fromstring((site / "index.html").read_bytes())
    assert home.xpath("//nav[@class='site-nav']//a[@href='/rechercher/']/text()") == ["Rechercher"]
    page = lxml.html.fromstring((site / "rechercher" / "index.html").read_bytes())
    assert page.xpath("//form[@role='search']/@hidden") == [""]  # shown by the script only
    assert "JavaScript" in page.xpath("string(//p[@class='search__nojs'])")
    assert page.xpath("//main//a[@href='/archives/']") and page.xpath("//main//a[@href='/etiquettes/']")


def test_a_rebuild_that_writes_no_page_leaves_the_index_alone(tmp_path: Path) -> None:
    output, cache = tmp_path / "output", tmp_path / "cache"
    command = [str(PELICAN), str(ROOT / "content"), "-o", str(output), "-s", str(ROOT / "pelicanconf.py"),
               "--cache-path", str(cache), "--fatal", "errors", *INDEXED]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert first.returncode == 0, first.stderr
    index = output / "pagefind" / "pagefind-entry.json"
    made = index.stat().st_mtime_ns
    second = subprocess.run(command, cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert second.returncode == 0, second.stderr
    assert index.stat().st_mtime_ns == made
    # Removed by hand: the next build makes it again even though it writes no page.
    for path in sorted((output / "pagefind").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    third = subprocess.run(command, cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert third.returncode == 0, third.stderr
    assert index.is_file()


def test_a_page_left_by_a_deleted_article_is_not_indexed(tmp_path: Path) -> None:
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    shutil.copytree(ROOT / "content", content)
    command = [str(PELICAN), str(content), "-o", str(output), "-s", str(ROOT / "pelicanconf.py"),
               "--cache-path", str(cache), "--fatal", "errors", *INDEXED]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert first.returncode == 0, first.stderr
    (content / "associations-reseaux-sociaux-sondage.md").unlink()  # no other text links to it
    second = subprocess.run(command, cwd=ROOT, capture_output=True, encoding="utf-8", timeout=600)
    assert second.returncode == 0, second.stderr
    # Pelican leaves the old page in the output; the search must not lead to it.
    assert (output / "associations-reseaux-sociaux-sondage" / "index.html").is_file()
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["fr"]["page_count"] == ARTICLES_AND_PAGES - 1


def test_a_site_without_a_published_text_builds_without_an_index(tmp_path: Path) -> None:
    from search.index import run_pagefind  # plugins/ is on the path of the build's plugins

    output = tmp_path / "output"
    (output / "pagefind").mkdir(parents=True)
    (output / "pagefind" / "pagefind.js").write_text("ancien", encoding="utf-8")
    (output / "index.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    run_pagefind(output, [])  # Pagefind itself refuses a folder without a page
    assert not (output / "pagefind").exists()
