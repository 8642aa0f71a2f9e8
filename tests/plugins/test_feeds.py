"""Tests of plugins/feeds: real builds, their feeds read with feedparser and with lxml.

The real site (``site``, ``published_site``) is checked for global properties only, as its
articles change; exact expectations use the small content folder ``feeds_content/`` beside this
file (three published articles, a draft, a hidden one, a PNG and an SVG image). Raw XML is read
with lxml where feedparser would hide a fault: it sanitizes content and resolves relative URLs.
Atom feeds are validated against the RELAX NG schema of RFC 4287 (``atom.rng``).
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from lxml import etree

import pelicanconf
from sitebuild import ROOT, build
from pelican.settings import read_settings

from feeds import PELICAN_FEEDS, options
from feeds.entries import Site, find_enclosure, tag_uri
from feeds.links import absolutize

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "feeds_content"
SCHEMA = HERE / "atom.rng"
NS = {"a": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/elements/1.1/",
      "content": "http://purl.org/rss/1.0/modules/content/"}
PARIS = ZoneInfo("Europe/Paris")
DEV_BASE = "http://127.0.0.1:8000"
PUBLISHED_BASE = "https://tisser.example.org"
URL_ATTRIBUTES = ("href", "src", "poster", "action", "cite", "data", "background")
# For every build: a wide terminal, so Pelican's log lines are not wrapped, and ASCII output,
# because conftest.build decodes it with the locale's encoding, which is ASCII once a test has
# run Pelican in this process (read_settings applies LOCALE = ("C",)).
BUILD_ENV = {"COLUMNS": "250", "PYTHONIOENCODING": "ascii:backslashreplace"}
# The fixture holds relative links and images on purpose (how feeds resolves them is tested
# below); the content checks refuse them, as they should for a writer: they are left out of
# the fixture's builds (a value for Pelican's -e, which keeps only its last -e).
WITHOUT_CHECKS = "PLUGINS=" + json.dumps([name for name in pelicanconf.PLUGINS if name != "checks"])


# Builds -----------------------------------------------------------------------------------

def built(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs) -> Path:
    """Build into a fresh folder and return it, failing with Pelican's output."""
    output = tmp_path_factory.mktemp(name) / "output"
    result = build(output, env=BUILD_ENV, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The fixture content built with the development settings, and what Pelican printed."""
    output = tmp_path_factory.mktemp("feeds-small") / "output"
    result = build(output, content=FIXTURE, extra=["-e", WITHOUT_CHECKS], env=BUILD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    return output, result.stdout + result.stderr


@pytest.fixture(scope="module")
def small_site(small_build: tuple[Path, str]) -> Path:
    """The fixture content built with the development settings."""
    return small_build[0]


@pytest.fixture(scope="module")
def small_site_log(small_build: tuple[Path, str]) -> str:
    """What Pelican printed while building the fixture."""
    return small_build[1]


@pytest.fixture(scope="module")
def small_site_again(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same fixture content built a second time, elsewhere."""
    return built(tmp_path_factory, "feeds-small-again", content=FIXTURE, extra=["-e", WITHOUT_CHECKS])


class Customised(NamedTuple):
    """A build of the fixture with non-default feed settings, and what Pelican printed."""

    output: Path
    log: str


# One -e for all: Pelican keeps only the last -e given.
CUSTOM_FEEDS = {"all_atom": "feeds/all.atom.xml", "all_rss": "feeds/all.rss.xml",
                "category_atom": "feeds/categorie-{slug}.atom.xml", "category_rss": None,
                "tag_atom": "feeds/etiquette-{slug}.atom.xml", "tag_rss": "feeds/etiquette-{slug}.rss.xml",
                "max_items": 2, "fallback_siteurl": "http://localhost:9000"}
CUSTOM_SETTINGS = ["-e", f"FEEDS={json.dumps(CUSTOM_FEEDS)}", 'FEED_DOMAIN="https://flux.example.org"',
                   'AUTHOR_FEED_ATOM="feeds/auteur-{slug}.atom.xml"']


@pytest.fixture(scope="module")
def customised_site(tmp_path_factory: pytest.TempPathFactory) -> Customised:
    """The fixture built with another fallback base, a FEED_DOMAIN, feeds off, 2 items a feed."""
    output = tmp_path_factory.mktemp("feeds-customised") / "output"
    result = build(output, content=FIXTURE, extra=[*CUSTOM_SETTINGS, WITHOUT_CHECKS], env=BUILD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    return Customised(output, result.stdout + result.stderr)


@pytest.fixture(scope="module")
def site_again(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site built a second time with the development settings."""
    return built(tmp_path_factory, "feeds-site-again")


class Built(NamedTuple):
    """A built site, the base of its feeds' URLs and the base of its pages' links to feeds."""

    output: Path
    base: str
    links_base: str


@pytest.fixture(params=["site", "published_site"])
def any_site(request: pytest.FixtureRequest) -> Built:
    """The real site, built with the development then the production settings."""
    output = request.getfixturevalue(request.param)
    if request.param == "site":
        return Built(output, DEV_BASE, "")
    return Built(output, PUBLISHED_BASE, PUBLISHED_BASE)


# Reading feeds ----------------------------------------------------------------------------

def feed_files(output: Path) -> list[Path]:
    """Return every feed file of a built site."""
    return sorted(output.glob("feeds/*.xml"))


def atom_files(output: Path) -> list[Path]:
    """Return the Atom feeds of a built site."""
    return [path for path in feed_files(output) if path.name.endswith(".atom.xml")]


def twin(path: Path) -> Path:
    """Return the RSS feed of an Atom feed, or the other way round."""
    if path.name.endswith(".atom.xml"):
        return path.with_name(path.name.replace(".atom.xml", ".rss.xml"))
    return path.with_name(path.name.replace(".rss.xml", ".atom.xml"))


def xml(path: Path) -> etree._ElementTree:
    """Parse a feed file as XML."""
    return etree.parse(str(path))


def parsed(path: Path) -> feedparser.FeedParserDict:
    """Parse a feed file with feedparser."""
    return feedparser.parse(path.read_bytes())


def atom_entries(path: Path) -> list[etree._Element]:
    """Return the <entry> elements of an Atom feed."""
    return xml(path).findall("a:entry", NS)


def rss_items(path: Path) -> list[etree._Element]:
    """Return the <item> elements of an RSS feed."""
    return xml(path).findall("channel/item")


def atom_ids(path: Path) -> list[str]:
    """Return the entry ids of an Atom feed, in order."""
    return [entry.findtext("a:id", namespaces=NS) for entry in atom_entries(path)]


def rss_ids(path: Path) -> list[str]:
    """Return the item guids of an RSS feed, in order."""
    return [item.findtext("guid") for item in rss_items(path)]


def atom_entry(path: Path, slug: str) -> etree._Element:
    """Return the entry of the article ``slug`` in an Atom feed."""
    [entry] = [e for e in atom_entries(path) if e.findtext("a:id", namespaces=NS).endswith(f":/{slug}/")]
    return entry


def rss_item(path: Path, slug: str) -> etree._Element:
    """Return the item of the article ``slug`` in an RSS feed."""
    [item] = [i for i in rss_items(path) if i.findtext("guid").endswith(f":/{slug}/")]
    return item


def html_fragments(path: Path) -> Iterator[str]:
    """Yield the HTML of every summary and content of a feed, as written (not sanitized)."""
    if path.name.endswith(".atom.xml"):
        for entry in atom_entries(path):
            for name in ("a:summary", "a:content"):
                yield entry.findtext(name, namespaces=NS)
    else:
        for item in rss_items(path):
            yield item.findtext("description")
            yield item.findtext("content:encoded", namespaces=NS)


def urls_in(fragment: str) -> list[str]:
    """Return every URL of an HTML fragment: link, image, media and srcset candidates."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    urls = []
    for element in root.iter(etree.Element):
        urls += [element.get(name) for name in URL_ATTRIBUTES if element.get(name) is not None]
        urls += [candidate.split()[0] for candidate in (element.get("srcset") or "").split(",") if candidate.strip()]
    return urls


def is_absolute(url: str) -> bool:
    """Tell whether a URL is usable away from the site: a scheme, and a host for the web."""
    parts = urlsplit(url)
    return bool(parts.scheme) and (parts.scheme not in ("http", "https") or bool(parts.netloc))


def feed_urls(path: Path) -> list[str]:
    """Return the URLs of a feed's own elements: links, enclosures, ids that are URLs."""
    tree = xml(path)
    return ([link.get("href") for link in tree.iter("{%s}link" % NS["a"])]
            + [link.text for link in tree.iter("link")]
            + [enclosure.get("url") for enclosure in tree.iter("enclosure")]
            + [author_uri.text for author_uri in tree.iter("{%s}uri" % NS["a"])]
            + [category.get("scheme") for category in tree.iter("{%s}category" % NS["a"]) if category.get("scheme")])


def atom_time(value: str) -> datetime:
    """Parse an Atom date."""
    return datetime.fromisoformat(value)


def rss_time(value: str) -> datetime:
    """Parse an RSS (RFC 822) date."""
    return email.utils.parsedate_to_datetime(value)


# The real site, development and production builds ------------------------------------------

def test_the_site_has_feeds(any_site: Built) -> None:
    assert (any_site.output / "feeds" / "all.atom.xml").is_file()
    assert (any_site.output / "feeds" / "all.rss.xml").is_file()


def test_every_feed_parses_without_error_and_has_the_required_elements(any_site: Built) -> None:
    for path in feed_files(any_site.output):
        feed = parsed(path)
        assert not feed.bozo, (path.name, feed.get("bozo_exception"))
        assert feed.version == ("atom10" if path.name.endswith(".atom.xml") else "rss20"), path.name
        assert feed.feed.title.startswith("Tisser"), path.name
        assert feed.feed.link and feed.feed.subtitle, path.name
        assert feed.feed.language == "fr", path.name
        assert feed.feed.updated_parsed, path.name
        assert [link.href for link in feed.feed.links if link.rel == "self"] == [
            f"{any_site.base}/feeds/{path.name}"], path.name
        assert feed.entries, path.name
        for entry in feed.entries:
            assert entry.title and entry.link and entry.id, (path.name, entry)
            assert entry.published_parsed and entry.author and entry.summary and entry.content, (path.name, entry.id)
            assert entry.tags, (path.name, entry.id)


def test_every_atom_feed_is_valid_against_the_rfc_4287_schema(any_site: Built) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    for path in atom_files(any_site.output):
        assert schema.validate(xml(path)), (path.name, str(schema.error_log))


def test_every_atom_feed_follows_the_rules_the_schema_leaves_to_schematron(any_site: Built) -> None:
    for path in atom_files(any_site.output):
        feed_has_author = xml(path).find("a:author", NS) is not None
        for entry in atom_entries(path):
            assert feed_has_author or entry.find("a:author", NS) is not None, path.name
            alternates = [link for link in entry.findall("a:link", NS) if link.get("rel", "alternate") == "alternate"]
            assert len(alternates) == 1 or entry.find("a:content", NS) is not None, path.name


def test_entry_ids_are_unique_within_each_feed(any_site: Built) -> None:
    for path in feed_files(any_site.output):
        ids = atom_ids(path) if path.name.endswith(".atom.xml") else rss_ids(path)
        assert len(ids) == len(set(ids)), path.name
        assert all(entry_id.startswith("tag:") for entry_id in ids), path.name


def test_an_article_has_the_same_id_in_every_feed_it_is_in(any_site: Built) -> None:
    ids_by_link: dict[str, set[str]] = {}
    for path in atom_files(any_site.output):
        for entry in atom_entries(path):
            link = entry.find("a:link[@rel='alternate']", NS).get("href")
            ids_by_link.setdefault(link, set()).add(entry.findtext("a:id", namespaces=NS))
    assert ids_by_link and all(len(ids) == 1 for ids in ids_by_link.values()), ids_by_link


def test_two_builds_of_the_same_content_give_byte_identical_feeds(site: Path, site_again: Path) -> None:
    assert [path.name for path in feed_files(site)] == [path.name for path in feed_files(site_again)]
    for path in feed_files(site):
        assert path.read_bytes() == (site_again / "feeds" / path.name).read_bytes(), path.name


def test_no_relative_url_remains_in_any_summary_or_content(any_site: Built) -> None:
    for path in feed_files(any_site.output):
        for fragment in html_fragments(path):
            assert fragment, path.name
            relative = [url for url in urls_in(fragment) if not is_absolute(url)]
            assert not relative, (path.name, relative)


def test_the_feeds_own_links_are_absolute(any_site: Built) -> None:
    for path in feed_files(any_site.output):
        urls = feed_urls(path)
        assert urls and all(is_absolute(url) for url in urls), (path.name, urls)


def test_published_feeds_point_at_the_public_site(published_site: Path) -> None:
    for path in feed_files(published_site):
        assert all(url.startswith(PUBLISHED_BASE + "/") for url in feed_urls(path)), path.name
        assert all(entry_id.startswith("tag:tisser.example.org,") for entry_id in atom_ids(path) + rss_ids(path))


def test_development_feeds_use_the_local_placeholder_address(site: Path) -> None:
    for path in feed_files(site):
        assert all(url.startswith(DEV_BASE + "/") for url in feed_urls(path)), path.name


def test_every_date_carries_the_europe_paris_offset_of_its_day(any_site: Built) -> None:
    for path in atom_files(any_site.output):
        tree = xml(path)
        dates = [element.text for name in ("updated", "published") for element in tree.iter("{%s}%s" % (NS["a"], name))]
        for text in dates:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", text), (path.name, text)
            moment = atom_time(text)
            assert moment.utcoffset() == moment.astimezone(PARIS).utcoffset(), (path.name, text)
    for path in feed_files(any_site.output):
        if path.name.endswith(".rss.xml"):
            tree = xml(path)
            dates = [element.text for name in ("pubDate", "lastBuildDate") for element in tree.iter(name)]
            for text in dates:
                assert re.search(r" \+0[12]00$", text), (path.name, text)
                moment = rss_time(text)
                assert moment.utcoffset() == moment.astimezone(PARIS).utcoffset(), (path.name, text)


def test_entries_are_newest_first_and_a_feed_is_as_recent_as_its_newest_entry(any_site: Built) -> None:
    for path in atom_files(any_site.output):
        published = [atom_time(entry.findtext("a:published", namespaces=NS)) for entry in atom_entries(path)]
        assert published == sorted(published, reverse=True), path.name
        updated = [atom_time(entry.findtext("a:updated", namespaces=NS)) for entry in atom_entries(path)]
        assert atom_time(xml(path).findtext("a:updated", namespaces=NS)) == max(updated), path.name
        rss = xml(twin(path))
        assert rss_time(rss.findtext("channel/lastBuildDate")) == max(updated), path.name


def test_the_rss_and_atom_of_each_feed_list_the_same_entries_in_the_same_order(any_site: Built) -> None:
    for path in atom_files(any_site.output):
        assert twin(path).is_file(), path.name
        assert atom_ids(path) == rss_ids(twin(path)), path.name
        atom_links = [entry.find("a:link[@rel='alternate']", NS).get("href") for entry in atom_entries(path)]
        assert atom_links == [item.findtext("link") for item in rss_items(twin(path))], path.name


def test_enclosures_give_the_real_size_and_type_of_the_image(any_site: Built) -> None:
    base = any_site.base
    enclosures = [(item.get("url"), item.get("length"), item.get("type"))
                  for path in feed_files(any_site.output) for item in xml(path).iter("enclosure")]
    enclosures += [(link.get("href"), link.get("length"), link.get("type"))
                   for path in atom_files(any_site.output) for link in xml(path).iter("{%s}link" % NS["a"])
                   if link.get("rel") == "enclosure"]
    assert enclosures, "the sample site has articles with an image"
    for url, length, mime in enclosures:
        assert url.startswith(base + "/images/"), url
        file = any_site.output / url.removeprefix(base + "/")
        assert int(length) == file.stat().st_size, url
        assert mime == {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                        ".svg": "image/svg+xml", ".webp": "image/webp"}[file.suffix], url


def test_an_article_with_an_image_has_exactly_one_enclosure(any_site: Built) -> None:
    for path in atom_files(any_site.output):
        for entry in atom_entries(path):
            enclosures = [link for link in entry.findall("a:link", NS) if link.get("rel") == "enclosure"]
            assert len(enclosures) <= 1, path.name


def test_no_form_or_script_reaches_a_feed_and_a_poll_shows_its_static_version(any_site: Built) -> None:
    for path in feed_files(any_site.output):
        for fragment in html_fragments(path):
            root = lxml.html.fragment_fromstring(fragment, create_parent="div")
            assert not root.xpath(".//form | .//input | .//script | .//button"), path.name
    # The sample site always carries the donation survey (DESIGN.md): when the page shows
    # its form, the feeds show the static version, with the results image.
    page = lxml.html.parse(str(any_site.output / "don-en-ligne/index.html")).getroot()
    if page.xpath("//form[contains(@class, 'poll')]"):
        content = atom_entry(any_site.output / "feeds/all.atom.xml", "don-en-ligne").findtext("a:content", namespaces=NS)
        assert f"{any_site.base}/api/polls/don-en-ligne/results.svg" in urls_in(content)


def test_every_entry_links_to_a_published_article_page_and_no_draft_reaches_a_feed(any_site: Built) -> None:
    drafts = {path.parent.name for path in any_site.output.glob("brouillons/*/index.html")}
    for path in atom_files(any_site.output):
        for entry in atom_entries(path):
            link = entry.find("a:link[@rel='alternate']", NS).get("href")
            assert link.startswith(any_site.base + "/") and link.endswith("/"), (path.name, link)
            slug = link.removeprefix(any_site.base + "/").strip("/")
            assert (any_site.output / slug / "index.html").is_file(), (path.name, link)
            assert slug not in drafts and not slug.startswith("brouillons/"), (path.name, link)


def test_the_feeds_folder_holds_one_atom_and_one_rss_per_site_category_and_tag(any_site: Built) -> None:
    categories = {path.parent.name for path in any_site.output.glob("categorie/*/index.html")}
    tags = {path.parent.name for path in any_site.output.glob("etiquette/*/index.html")}
    expected = {"all"} | {f"categorie-{slug}" for slug in categories} | {f"etiquette-{slug}" for slug in tags}
    written = {path.name for path in (any_site.output / "feeds").iterdir()}
    assert written == {f"{name}.{kind}.xml" for name in expected for kind in ("atom", "rss")}
    assert not [path for path in (any_site.output / "feeds").rglob("*") if path.is_dir()], "no subfolder"


def page_feed_links(page: Path) -> tuple[list[str], list[str]]:
    """Return a page's autodiscovery hrefs and its visible links to feeds."""
    document = lxml.html.parse(str(page)).getroot()
    discovery = [link.get("href") for link in document.iter("link") if link.get("rel") == "alternate"
                 and link.get("type") in ("application/atom+xml", "application/rss+xml")]
    visible = [a.get("href") for a in document.iter("a") if re.search(r"\.(atom|rss)\.xml$", a.get("href") or "")]
    return discovery, visible


def test_every_page_links_to_the_site_feeds_and_every_feed_link_leads_to_a_written_feed(any_site: Built) -> None:
    base = any_site.links_base
    pages = sorted(any_site.output.glob("**/index.html"))
    assert pages
    for page in pages:
        discovery, visible = page_feed_links(page)
        assert f"{base}/feeds/all.atom.xml" in discovery and f"{base}/feeds/all.rss.xml" in discovery, page
        for href in discovery + visible:
            assert href.startswith(base + "/feeds/"), (page, href)
            assert (any_site.output / href.removeprefix(base + "/")).is_file(), (page, href)


def test_category_and_tag_pages_announce_their_own_feeds(any_site: Built) -> None:
    base = any_site.links_base
    for kind in ("categorie", "etiquette"):
        for page in any_site.output.glob(f"{kind}/*/index.html"):
            slug = page.parent.name
            discovery, visible = page_feed_links(page)
            for fmt in ("atom", "rss"):
                assert f"{base}/feeds/{kind}-{slug}.{fmt}.xml" in discovery, page
                assert f"{base}/feeds/{kind}-{slug}.{fmt}.xml" in visible, page


# Pelican's own writer ----------------------------------------------------------------------

# Builds the fixture in a separate process (plugins connect to process-wide signals) and prints
# the paths Pelican's Writer.write_feed was asked to write.
COUNT_PELICAN_FEEDS = """
import json, sys
from pelican import Pelican, writers
from pelican.settings import read_settings

asked = []
write_feed = writers.Writer.write_feed

def counting_write_feed(self, elements, context, path=None, *args, **kwargs):
    asked.append(path)
    return write_feed(self, elements, context, path, *args, **kwargs)

writers.Writer.write_feed = counting_write_feed
settings_file, content, output, plugins = sys.argv[1:]
settings = read_settings(settings_file, override={
    "PATH": content, "OUTPUT_PATH": output, "CACHE_PATH": output + "-cache",
    "LOAD_CONTENT_CACHE": False, "PLUGINS": json.loads(plugins)})
Pelican(settings).run()
print(json.dumps(asked))
"""


def pelican_feed_writes(output: Path, plugins: list[str]) -> list[str]:
    """Build the fixture with ``plugins`` and return the feeds Pelican's writer wrote."""
    result = subprocess.run(
        [sys.executable, "-c", COUNT_PELICAN_FEEDS, str(ROOT / "pelicanconf.py"), str(FIXTURE), str(output),
         json.dumps(plugins)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", errors="replace",
        timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_settings_turn_every_pelican_feed_off_and_log_no_warning_about_them(small_site_log: str) -> None:
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    assert not [key for key in PELICAN_FEEDS if settings.get(key)]
    assert "LOG_FILTER" not in settings or not settings["LOG_FILTER"]
    assert "may not be valid" not in small_site_log and "WARNING" not in small_site_log


def test_with_the_plugin_pelicans_writer_writes_no_feed_and_the_plugin_writes_them(tmp_path: Path) -> None:
    assert pelican_feed_writes(tmp_path / "output", ["i18n", "feeds"]) == []
    assert b"python-feedgen" in (tmp_path / "output/feeds/all.atom.xml").read_bytes()
    assert len(feed_files(tmp_path / "output")) == 10


# The fixture content: exact expectations ---------------------------------------------------

def test_the_site_feed_lists_the_published_articles_newest_first(small_site: Path) -> None:
    titles = [entry.title for entry in parsed(small_site / "feeds/all.atom.xml").entries]
    assert titles == ["La rentrée des bénévoles", "Notre campagne d'été", "Assemblée générale & budget 2026"]
    assert [entry.title for entry in parsed(small_site / "feeds/all.rss.xml").entries] == titles


def test_articles_of_the_same_date_come_in_pelicans_order(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    for slug in ("zebre", "abeille", "moineau"):
        (content / f"{slug}.md").write_text(f"Title: {slug}\nDate: 2026-10-05 08:00\nCategory: Vie associative\n"
                                            f"Slug: {slug}\nSummary: Même jour.\n\nTexte.\n", encoding="utf-8")
    ours = build(tmp_path / "ours", content=content, extra=["-e", WITHOUT_CHECKS], env=BUILD_ENV)
    pelicans = build(tmp_path / "pelican", content=content, env=BUILD_ENV,
                     extra=["-e", 'PLUGINS=["i18n"]', 'FEED_ALL_ATOM="feeds/all.atom.xml"'])
    assert ours.returncode == 0 and pelicans.returncode == 0, ours.stderr + pelicans.stderr

    def slugs(output: Path) -> list[str]:
        links = [entry.find("a:link[@rel='alternate']", NS).get("href") for entry in atom_entries(output)]
        return [urlsplit(link).path.strip("/") for link in links]

    expected = slugs(tmp_path / "pelican/feeds/all.atom.xml")
    assert expected[:4] == ["abeille", "automne", "moineau", "zebre"]
    assert slugs(tmp_path / "ours/feeds/all.atom.xml") == expected


def test_category_and_tag_feeds_hold_their_own_articles_only(small_site: Path) -> None:
    def slugs(name: str) -> list[str]:
        return [entry_id.rsplit(":", 1)[1].strip("/") for entry_id in atom_ids(small_site / "feeds" / name)]

    assert slugs("categorie-vie-associative.atom.xml") == ["automne", "hiver"]
    assert slugs("categorie-financement.atom.xml") == ["ete"]
    assert slugs("etiquette-budget.atom.xml") == ["ete", "hiver"]
    assert slugs("etiquette-benevolat.atom.xml") == ["automne", "hiver"]


def test_drafts_and_hidden_articles_never_appear_and_their_own_tags_get_no_feed(small_site: Path) -> None:
    for path in feed_files(small_site):
        text = path.read_text(encoding="utf-8")
        assert "brouillon" not in text and "Brouillon" not in text, path.name
        assert "/cache/" not in text and "Article caché" not in text, path.name
    assert not (small_site / "feeds/etiquette-secret.atom.xml").exists()
    assert not (small_site / "feeds/etiquette-confidentiel.atom.xml").exists()
    assert len(feed_files(small_site)) == 10


def test_an_atom_entry_carries_id_title_link_authors_categories_and_dates(small_site: Path) -> None:
    entry = atom_entry(small_site / "feeds/all.atom.xml", "hiver")
    assert entry.findtext("a:id", namespaces=NS) == "tag:127.0.0.1,2026-01-15:/hiver/"
    assert entry.findtext("a:title", namespaces=NS) == "Assemblée générale & budget 2026"
    assert [(link.get("rel"), link.get("href")) for link in entry.findall("a:link", NS)] == [
        ("alternate", f"{DEV_BASE}/hiver/"), ("enclosure", f"{DEV_BASE}/images/pixel.png")]
    assert [(author.findtext("a:name", namespaces=NS), author.findtext("a:uri", namespaces=NS))
            for author in entry.findall("a:author", NS)] == [
        ("Claire Martin", f"{DEV_BASE}/auteur/claire-martin/"), ("Karim Benali", f"{DEV_BASE}/auteur/karim-benali/")]
    assert [(category.get("term"), category.get("scheme")) for category in entry.findall("a:category", NS)] == [
        ("Vie associative", f"{DEV_BASE}/categories/"), ("budget", f"{DEV_BASE}/etiquettes/"),
        ("bénévolat", f"{DEV_BASE}/etiquettes/")]
    assert entry.findtext("a:published", namespaces=NS) == "2026-01-15T10:00:00+01:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2026-01-15T10:00:00+01:00"
    assert entry.find("a:content", NS).get("type") == "html"
    assert entry.find("a:summary", NS).get("type") == "html"


def test_an_rss_item_carries_guid_title_link_creators_categories_date_and_both_texts(small_site: Path) -> None:
    item = rss_item(small_site / "feeds/all.rss.xml", "hiver")
    assert item.findtext("guid") == "tag:127.0.0.1,2026-01-15:/hiver/"
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("title") == "Assemblée générale & budget 2026"
    assert item.findtext("link") == f"{DEV_BASE}/hiver/"
    assert [creator.text for creator in item.findall("dc:creator", NS)] == ["Claire Martin", "Karim Benali"]
    assert [(category.text, category.get("domain")) for category in item.findall("category")] == [
        ("Vie associative", f"{DEV_BASE}/categories/"), ("budget", f"{DEV_BASE}/etiquettes/"),
        ("bénévolat", f"{DEV_BASE}/etiquettes/")]
    assert item.findtext("pubDate") == "Thu, 15 Jan 2026 10:00:00 +0100"
    assert "Le <a href" in item.findtext("description")
    assert "Trois points." in item.findtext("content:encoded", namespaces=NS)


def test_summer_dates_are_plus_two_hours_and_a_modified_date_is_the_updated_one(small_site: Path) -> None:
    entry = atom_entry(small_site / "feeds/all.atom.xml", "ete")
    assert entry.findtext("a:published", namespaces=NS) == "2026-07-01T18:00:00+02:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2026-07-03T09:15:00+02:00"
    assert rss_item(small_site / "feeds/all.rss.xml", "ete").findtext("pubDate") == "Wed, 01 Jul 2026 18:00:00 +0200"


def test_a_feed_is_dated_by_its_newest_entry(small_site: Path) -> None:
    assert xml(small_site / "feeds/all.atom.xml").findtext("a:updated", namespaces=NS) == "2026-10-05T08:00:00+02:00"
    finance = small_site / "feeds/categorie-financement.atom.xml"
    assert xml(finance).findtext("a:updated", namespaces=NS) == "2026-07-03T09:15:00+02:00"
    assert xml(twin(finance)).findtext("channel/lastBuildDate") == "Fri, 03 Jul 2026 09:15:00 +0200"


def test_links_and_images_of_the_content_are_made_absolute(small_site: Path) -> None:
    content = atom_entry(small_site / "feeds/all.atom.xml", "hiver").findtext("a:content", namespaces=NS)
    assert urls_in(content) == [
        f"{DEV_BASE}/hiver/#ordre-du-jour",
        f"{DEV_BASE}/ete/",
        f"{DEV_BASE}/a-propos/",
        f"{DEV_BASE}/ete/",
        "mailto:bureau@example.org",
        "https://federation.example.net/guide/",
        f"{DEV_BASE}/images/pixel.png",
        f"{DEV_BASE}/images/pixel.png",
        f"{DEV_BASE}/images/pixel.png",
        f"{DEV_BASE}/hiver/images/pixel-2x.png",
        f"{DEV_BASE}/hiver/media/clip.webm",
        f"{DEV_BASE}/images/pixel.png",
        "http://autre.example.org/x",
    ]


def test_the_summary_links_are_made_absolute(small_site: Path) -> None:
    summary = atom_entry(small_site / "feeds/all.atom.xml", "hiver").findtext("a:summary", namespaces=NS)
    assert urls_in(summary) == [f"{DEV_BASE}/a-propos/", f"{DEV_BASE}/hiver/annexe/"]


def test_the_static_feed_version_replaces_the_content_of_an_article_that_has_one(small_site: Path) -> None:
    content = atom_entry(small_site / "feeds/all.atom.xml", "ete").findtext("a:content", namespaces=NS)
    assert "Version statique du sondage" in content
    assert "formulaire interactif" not in content
    assert urls_in(content) == [f"{DEV_BASE}/polls/ete/", f"{DEV_BASE}/api/polls/ete/results.svg"]
    rss_content = rss_item(small_site / "feeds/all.rss.xml", "ete").findtext("content:encoded", namespaces=NS)
    assert rss_content == content


def test_enclosures_have_the_length_and_type_of_their_file(small_site: Path) -> None:
    png = (FIXTURE / "images/pixel.png").stat().st_size
    svg = (FIXTURE / "images/affiche.svg").stat().st_size
    rss = small_site / "feeds/all.rss.xml"
    assert dict(rss_item(rss, "hiver").find("enclosure").attrib) == {
        "url": f"{DEV_BASE}/images/pixel.png", "length": str(png), "type": "image/png"}
    assert dict(rss_item(rss, "ete").find("enclosure").attrib) == {
        "url": f"{DEV_BASE}/images/affiche.svg", "length": str(svg), "type": "image/svg+xml"}
    assert rss_item(rss, "automne").find("enclosure") is None
    enclosure = atom_entry(small_site / "feeds/all.atom.xml", "ete").find("a:link[@rel='enclosure']", NS)
    assert (enclosure.get("href"), enclosure.get("length"), enclosure.get("type")) == (
        f"{DEV_BASE}/images/affiche.svg", str(svg), "image/svg+xml")


def test_the_feed_describes_itself_title_subtitle_language_and_links(small_site: Path) -> None:
    atom = xml(small_site / "feeds/categorie-financement.atom.xml").getroot()
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert atom.findtext("a:id", namespaces=NS) == f"{DEV_BASE}/feeds/categorie-financement.atom.xml"
    assert atom.findtext("a:title", namespaces=NS) == "Tisser · Financement"
    assert atom.findtext("a:subtitle", namespaces=NS) == "Le carnet de la vie associative"
    assert [(link.get("rel"), link.get("href"), link.get("type")) for link in atom.findall("a:link", NS)] == [
        ("self", f"{DEV_BASE}/feeds/categorie-financement.atom.xml", "application/atom+xml"),
        ("alternate", f"{DEV_BASE}/categorie/financement/", None)]
    channel = xml(small_site / "feeds/categorie-financement.rss.xml").find("channel")
    assert channel.findtext("title") == "Tisser · Financement"
    assert channel.findtext("link") == f"{DEV_BASE}/categorie/financement/"
    assert channel.findtext("description") == "Le carnet de la vie associative"
    assert channel.findtext("language") == "fr"
    assert channel.find("a:link[@rel='self']", NS).get("href") == f"{DEV_BASE}/feeds/categorie-financement.rss.xml"


def test_two_builds_of_the_fixture_give_byte_identical_feeds(small_site: Path, small_site_again: Path) -> None:
    for path in feed_files(small_site):
        assert path.read_bytes() == (small_site_again / "feeds" / path.name).read_bytes(), path.name


def test_the_fallback_base_and_feed_domain_settings_are_honoured(customised_site: Customised) -> None:
    atom = xml(customised_site.output / "feeds/all.atom.xml").getroot()
    assert atom.findtext("a:id", namespaces=NS) == "https://flux.example.org/feeds/all.atom.xml"
    assert atom.find("a:link[@rel='self']", NS).get("href") == "https://flux.example.org/feeds/all.atom.xml"
    assert atom.find("a:link[@rel='alternate']", NS).get("href") == "http://localhost:9000/"
    assert atom_ids(customised_site.output / "feeds/all.atom.xml")[0] == "tag:localhost,2026-10-05:/automne/"


def test_a_feed_setting_set_to_none_writes_no_such_feed_and_pages_do_not_link_to_it(customised_site: Customised) -> None:
    assert not list(customised_site.output.glob("feeds/categorie-*.rss.xml"))
    assert (customised_site.output / "feeds/categorie-financement.atom.xml").is_file()
    discovery, visible = page_feed_links(customised_site.output / "categorie/financement/index.html")
    assert "https://flux.example.org/feeds/categorie-financement.atom.xml" in discovery
    assert not [href for href in discovery + visible if "categorie-financement.rss" in href]


def test_feed_max_items_keeps_only_the_newest_articles(customised_site: Customised) -> None:
    output = customised_site.output
    assert [e.title for e in parsed(output / "feeds/all.atom.xml").entries] == [
        "La rentrée des bénévoles", "Notre campagne d'été"]
    assert len(parsed(output / "feeds/all.rss.xml").entries) == 2
    assert atom_ids(output / "feeds/categorie-vie-associative.atom.xml") == [
        "tag:localhost,2026-10-05:/automne/", "tag:localhost,2026-01-15:/hiver/"]


def test_a_pelican_feed_setting_left_on_is_reported_and_left_to_pelican(customised_site: Customised) -> None:
    assert "feeds: AUTHOR_FEED_ATOM is set, so Pelican writes that feed itself" in customised_site.log
    written = customised_site.output / "feeds/auteur-claire-martin.atom.xml"
    assert b"python-feedgen" not in written.read_bytes(), "Pelican's own writer wrote it"


def test_two_feeds_with_one_name_fail_the_build(tmp_path: Path) -> None:
    feeds = {**CUSTOM_FEEDS, "tag_atom": "feeds/etiquettes.atom.xml"}
    result = build(tmp_path / "output", content=FIXTURE, extra=["-e", f"FEEDS={json.dumps(feeds)}", WITHOUT_CHECKS], env=BUILD_ENV)
    assert result.returncode != 0
    assert "feeds: feeds/etiquettes.atom.xml would be written twice" in result.stdout + result.stderr


# Pure functions ----------------------------------------------------------------------------

BASE = "https://tisser.example.org/un-article/"


@pytest.mark.parametrize(("fragment", "expected"), [
    ('<a href="../autre/">x</a>', '<a href="https://tisser.example.org/autre/">x</a>'),
    ('<a href="/a-propos/">x</a>', '<a href="https://tisser.example.org/a-propos/">x</a>'),
    ('<a href="#note">x</a>', '<a href="https://tisser.example.org/un-article/#note">x</a>'),
    ('<img src="images/a.png" alt="">', '<img src="https://tisser.example.org/un-article/images/a.png" alt="">'),
    ('<a href="mailto:a@example.org">x</a>', '<a href="mailto:a@example.org">x</a>'),
    ('<a href="https://ailleurs.example.net/">x</a>', '<a href="https://ailleurs.example.net/">x</a>'),
    ('<a href="//cdn.example.net/x">x</a>', '<a href="https://cdn.example.net/x">x</a>'),
    ('<video poster="/p.png"></video>', '<video poster="https://tisser.example.org/p.png"></video>'),
    ('<form action="/api/polls/x/votes"></form>', '<form action="https://tisser.example.org/api/polls/x/votes"></form>'),
    ('<img srcset="/a.png 1x, b.png 2x" src="/a.png">',
     '<img srcset="https://tisser.example.org/a.png 1x, https://tisser.example.org/un-article/b.png 2x" '
     'src="https://tisser.example.org/a.png">'),
])
def test_absolutize_resolves_each_url_against_the_article_address(fragment: str, expected: str) -> None:
    assert absolutize(fragment, BASE) == expected


def test_absolutize_keeps_text_around_and_between_elements() -> None:
    assert absolutize('avant <b>gras</b> &amp; après <!-- note --> fin', BASE) == \
        'avant <b>gras</b> &amp; après <!-- note --> fin'


def test_absolutize_leaves_an_empty_fragment_empty() -> None:
    assert absolutize("", BASE) == ""


def test_a_tag_uri_depends_on_host_day_and_path_only() -> None:
    published = datetime(2026, 7, 1, 18, 0, tzinfo=PARIS)
    assert tag_uri("https://tisser.example.org/ete/", published) == "tag:tisser.example.org,2026-07-01:/ete/"
    assert tag_uri("http://127.0.0.1:8000/ete/", published) == "tag:127.0.0.1,2026-07-01:/ete/"


def test_an_unknown_key_in_feeds_options_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        merged = options({"FEEDS": {"fallback_siteurl": "http://localhost:9000", "fallback_url": "x"}})
    assert merged["fallback_siteurl"] == "http://localhost:9000"
    assert [record.getMessage() for record in caplog.records] == [
        "feeds: unknown key 'fallback_url' in FEEDS (known: all_atom, all_rss, category_atom, category_rss, "
        "fallback_siteurl, max_items, tag_atom, tag_rss)"]


def test_a_missing_image_gives_no_enclosure_and_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = Site.from_settings({"SITENAME": "Tisser", "PATH": str(tmp_path), "OUTPUT_PATH": str(tmp_path / "output"),
                               "SITEURL": "", "TIMEZONE": "Europe/Paris"}, DEV_BASE)
    article = SimpleNamespace(image="images/absente.png", source_path="content/x.md")
    with caplog.at_level(logging.WARNING):
        assert find_enclosure(article, site) is None
    assert "feeds: content/x.md: image images/absente.png not found" in caplog.text


def test_the_schema_rejects_an_atom_entry_without_id(small_site: Path) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    tree = xml(small_site / "feeds/all.atom.xml")
    assert schema.validate(tree)
    entry_id = tree.find("a:entry/a:id", NS)
    entry_id.getparent().remove(entry_id)
    assert not schema.validate(tree)
