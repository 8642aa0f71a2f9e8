"""The built site: every page kind, French first, links that resolve, sharing metadata."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_html import html_pages, parse, target_file

PAGE_KINDS = {
    "home": "index.html",
    "second home page": "page/2/index.html",
    "article": "don-en-ligne/index.html",
    "page": "a-propos/index.html",
    "category": "categorie/financement/index.html",
    "categories": "categories/index.html",
    "tag": "etiquette/don/index.html",
    "tags": "etiquettes/index.html",
    "archives": "archives/index.html",
    "author": "auteur/claire-martin/index.html",
    "authors": "auteurs/index.html",
    "404": "404.html",
}
# Served by the poll service, not by the static site.
SERVICE_PREFIXES = ("/api/", "/polls/")


@pytest.mark.parametrize("kind, path", PAGE_KINDS.items(), ids=list(PAGE_KINDS))
def test_every_page_kind_is_built_with_one_title_in_main(site: Path, kind: str, path: str) -> None:
    page = parse(site / path)
    assert len(page.xpath("//main")) == 1
    assert len(page.xpath("//h1")) == 1
    assert page.xpath("//a[@class='skip-link']/@href") == ["#contenu"]


def test_every_page_declares_french(site: Path) -> None:
    for path in html_pages(site):
        assert parse(path).get("lang") == "fr", path


def test_article_dates_are_written_in_french_words(site: Path) -> None:
    byline = parse(site / "don-en-ligne/index.html").xpath("string(//p[@class='byline'])")
    assert "18 novembre 2026" in byline
    assert "20 novembre 2026" in byline  # the update date


def test_dates_carry_the_paris_offset_for_machines(site: Path) -> None:
    times = parse(site / "don-en-ligne/index.html").xpath("//time/@datetime")
    assert times and all(re.search(r"\+0[12]:00$", value) for value in times)


def test_every_internal_link_and_image_resolves(site: Path) -> None:
    missing = []
    for path in html_pages(site):
        page = parse(path)
        for url in page.xpath("//a/@href | //img/@src | //link/@href | //script/@src"):
            if url.startswith(SERVICE_PREFIXES):
                continue
            target = target_file(site, path, url)
            if target is not None and not target.is_file():
                missing.append(f"{path.relative_to(site)} -> {url}")
    assert not missing, "\n".join(missing)


def test_the_home_page_paginates_through_every_article(site: Path) -> None:
    listed = set()
    page_path = site / "index.html"
    while page_path:
        page = parse(page_path)
        listed |= set(page.xpath("//main//article//h2/a/@href"))
        following = page.xpath("//a[@rel='next']/@href")
        page_path = target_file(site, page_path, following[0]) if following else None
    archived = set(parse(site / "archives/index.html").xpath("//main//li/a/@href"))
    assert listed == archived and len(listed) > 6


def test_the_four_association_pages_are_in_the_menu_or_footer(site: Path) -> None:
    home = parse(site / "index.html")
    links = set(home.xpath("//nav//a/@href | //footer//a/@href"))
    assert {"/a-propos/", "/adherer/", "/nous-soutenir/", "/confidentialite/"} <= links


def test_open_graph_and_twitter_tags_use_absolute_urls_in_production(published_site: Path) -> None:
    page = parse(published_site / "don-en-ligne/index.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.xpath("//meta")}
    assert meta["og:url"] == "https://tisser.example.org/don-en-ligne/"
    assert meta["og:image"] == "https://tisser.example.org/images/don-en-ligne.png"
    assert meta["twitter:image"] == meta["og:image"]
    assert meta["og:locale"] == "fr_FR"
    assert meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image:alt"] and meta["og:title"] and meta["og:description"]
    assert page.xpath("//link[@rel='canonical']/@href") == [meta["og:url"]]


def test_share_links_carry_the_absolute_article_address_and_no_tracker(published_site: Path) -> None:
    page = parse(published_site / "don-en-ligne/index.html")
    hrefs = page.xpath("//section[@class='share']//a/@href")
    encoded = "https%3A//tisser.example.org/don-en-ligne/"
    assert len(hrefs) == 5
    assert all(encoded in href or "https://tisser.example.org/don-en-ligne/" in href for href in hrefs)
    assert not any(re.search(r"utm_|fbclid|track", href) for href in hrefs)
    (mastodon,) = page.xpath("//section[@class='share']//form[@class='share__mastodon']")
    assert mastodon.get("data-share-url") == "https://tisser.example.org/don-en-ligne/"
    assert mastodon.xpath("input[@name='text']/@value") == [
        "Le don en ligne, une affaire de confiance plus que de technique https://tisser.example.org/don-en-ligne/"]


def test_mastodon_sharing_names_no_instance_but_asks_the_visitors(published_site: Path) -> None:
    page = parse(published_site / "don-en-ligne/index.html")
    (form,) = page.xpath("//form[@class='share__mastodon']")
    # The visitor's instance is asked (the service redirects there without JavaScript): no fixed one.
    assert form.get("method") == "get" and form.get("action") == "/api/share/mastodon"
    assert form.xpath("input[@name='instance'][@required]/@id") == ["instance-mastodon"]
    assert page.xpath("//label[@for='instance-mastodon']/text()") == ["Partager sur Mastodon, depuis votre instance :"]
    for path in html_pages(published_site):
        assert "/share?text=" not in path.read_text(encoding="utf-8"), path


def test_every_page_offers_feed_autodiscovery(site: Path) -> None:
    for path in html_pages(site):
        types = parse(path).xpath("//head/link[@rel='alternate']/@type")
        assert {"application/atom+xml", "application/rss+xml"} <= set(types), path


def test_sitemap_lists_every_article_with_absolute_urls(published_site: Path) -> None:
    sitemap = (published_site / "sitemap.xml").read_text()
    articles = parse(published_site / "archives/index.html").xpath("//main//li/a/@href")
    for url in articles:
        assert f"<loc>{url}</loc>" in sitemap
    assert "<loc>/" not in sitemap


def test_robots_txt_points_at_the_sitemap_by_its_absolute_address(published_site: Path) -> None:
    robots = (published_site / "robots.txt").read_text()
    sitemaps = [line for line in robots.splitlines() if line.startswith("Sitemap:")]
    assert sitemaps == ["Sitemap: https://tisser.example.org/sitemap.xml"]


def test_robots_txt_names_no_sitemap_without_a_site_address(site: Path) -> None:
    """A Sitemap line must be absolute: a build without SITEURL leaves it out."""
    robots = (site / "robots.txt").read_text()
    assert "Sitemap" not in robots
    assert "Disallow: /api/" in robots
