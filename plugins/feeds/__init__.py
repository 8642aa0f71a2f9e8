"""feeds: the site's Atom and RSS 2.0 feeds, written with feedgen.

The plugin has settings of its own, one dict merged over ``DEFAULTS`` (unknown keys are an
error), so Pelican's own feed writer and its ``FEED_*`` settings stay Pelican's:

    FEEDS = {
        "all_atom": "feeds/all.atom.xml",        # the feed of all published articles
        "all_rss": "feeds/all.rss.xml",
        "category_atom": "feeds/categorie-{slug}.atom.xml",  # one per category ({slug})
        "category_rss": ..., "tag_atom": ..., "tag_rss": ...,  # one per tag
        "max_items": 20,                         # newest articles per feed (None: all)
        "fallback_siteurl": "http://127.0.0.1:8000",
    }

An empty path turns a feed off. Pelican's ``FEED_*`` settings must be ``None`` (pelicanconf.py
sets them), or Pelican writes feeds of its own too: a value there is reported at start-up.
Templates read the paths from ``FEEDS`` (every setting is in their context); the feed files'
own addresses start with ``FEED_DOMAIN``, which Pelican sets to ``SITEURL``.

Feed readers need absolute URLs, but in development ``SITEURL`` is "" (root-relative links, so
the site works on any host and port). The feeds then use ``fallback_siteurl``, by default
``http://127.0.0.1:8000``, the address of ``make serve``: a placeholder that is obviously
local, never published (publishconf.py sets ``SITEURL``). The theme keeps its root-relative
links to the feeds themselves. Translations are left out: the feeds are in ``DEFAULT_LANG``.

Each entry has: an RFC 4151 tag URI as id (``tag:host,YYYY-MM-DD:/slug/``, from the article's
address and Date, stable across builds), title, link, authors, the category and the tags as
``<category>``, published and updated dates with the Europe/Paris offset (``TIMEZONE``), the
summary, the full content (a poll in its static version, ``article.feed_content`` set by the
polls plugin) with every URL made absolute, and the ``Image`` metadata as an enclosure with its
size and MIME type. Entries come in Pelican's order (``ARTICLE_ORDER_BY``, newest first by
default; articles of the same date in Pelican's order too); a feed's updated date is its
newest entry's, so unchanged content gives byte-identical feeds. Drafts and hidden articles
never appear.

Fast rebuilds: before writing a feed, the plugin sends the named blinker signal
``KEEP_SIGNAL`` with the file's path and what it is made from; a receiver (plugins/fast_build,
under ``FAST_REBUILD``) answers True when the file on disk was written from the same inputs,
and the feed is left as it is. With no receiver, every feed is written.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from blinker import signal
from pelican import signals
from pelican.utils import order_content, sanitised_join

from .entries import Entry, Site, make_entry
from .render import FeedSpec, render

if TYPE_CHECKING:
    from pelican import Pelican
    from pelican.contents import Article
    from pelican.generators import ArticlesGenerator

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "all_atom": "feeds/all.atom.xml",
    "all_rss": "feeds/all.rss.xml",
    "category_atom": None,
    "category_rss": None,
    "tag_atom": None,
    "tag_rss": None,
    "max_items": 20,
    "fallback_siteurl": "http://127.0.0.1:8000",
}
# Pelican's own feed settings: with this plugin, they should all be None.
PELICAN_FEEDS = ("FEED_ATOM", "FEED_RSS", "FEED_ALL_ATOM", "FEED_ALL_RSS", "CATEGORY_FEED_ATOM",
                 "CATEGORY_FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS", "TAG_FEED_ATOM",
                 "TAG_FEED_RSS", "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS")
FORMATS = ("atom", "rss")
# Sent before each feed is written, with the file's path as sender and ``inputs``, everything
# the file is made from: a receiver returning True keeps the file as it is (fast rebuilds).
KEEP_SIGNAL = "fast_build.keep_file"


def merged(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the ``FEEDS`` setting merged over ``DEFAULTS``."""
    return {**DEFAULTS, **(settings.get("FEEDS") or {})}


def options(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the ``FEEDS`` setting merged over ``DEFAULTS``, reporting unknown keys."""
    for key in sorted(set(settings.get("FEEDS") or {}) - set(DEFAULTS)):
        log.error("feeds: unknown key %r in FEEDS (known: %s)", key, ", ".join(sorted(DEFAULTS)))
    return merged(settings)


def prepare_settings(pelican: Pelican) -> None:
    """Complete ``FEEDS`` with the defaults (templates read it); report what is wrong.

    Pelican's own feed writer left on is reported: its feeds would sit beside (or under) ours.
    """
    pelican.settings["FEEDS"] = options(pelican.settings)
    for key in PELICAN_FEEDS:
        if pelican.settings.get(key):
            log.warning("feeds: %s is set, so Pelican writes that feed itself; set it to None "
                        "(plugins/feeds writes the feeds named in FEEDS)", key)


def feed_specs(generator: ArticlesGenerator, paths: dict[str, Any],
               site: Site) -> Iterator[tuple[FeedSpec, list[Article]]]:
    """Yield each configured feed with its articles, in Pelican's order."""
    all_articles = order_content(list(generator.articles), order_by=generator.settings["ARTICLE_ORDER_BY"])
    for fmt in FORMATS:
        if paths.get(f"all_{fmt}"):
            yield FeedSpec(paths[f"all_{fmt}"], fmt, site.name, site.url("")), all_articles
    taxonomies = (("category", generator.categories), ("tag", list(generator.tags.items())))
    for kind, terms in taxonomies:
        for term, articles in terms:
            for fmt in FORMATS:
                pattern = paths.get(f"{kind}_{fmt}")
                if pattern:
                    spec = FeedSpec(str(pattern).format(slug=term.slug), fmt, f"{site.name} · {term.name}",
                                    site.url(term.url))
                    yield spec, articles


def entries_of(articles: list[Article], made: dict[str, Entry], site: Site) -> list[Entry]:
    """Return the entries of ``articles``, each made once: an article is in several feeds."""
    for article in articles:
        if article.source_path not in made:
            made[article.source_path] = make_entry(article, site)
    return [made[article.source_path] for article in articles]


def enclosure_stamp(article: Article, site: Site) -> tuple[str, str, int] | None:
    """Return what the enclosure of an article depends on: its image and the file's size."""
    image = getattr(article, "image", None)
    if not image:
        return None
    for folder in (site.content_path, site.output_path):  # as find_enclosure looks
        path = folder / image.lstrip("/")
        if path.is_file():
            return (image, str(folder), path.stat().st_size)
    return (image, "", -1)


def can_keep(target: Path, spec: FeedSpec, site: Site, chosen: list[Article]) -> bool:
    """Ask the fast rebuild (if any listens) whether the feed file on disk is still right.

    A feed shows each article's metadata, summary and whole text (its ``feed_content`` for
    a poll) and its image's file: those are its inputs, with the feed's own description.
    """
    inputs = (spec, site, [(article, getattr(article, "feed_content", None), enclosure_stamp(article, site))
                           for article in chosen])
    return any(answer is True for _, answer in signal(KEEP_SIGNAL).send(str(target), inputs=inputs))


# Characters XML 1.0 cannot hold (C0 controls but tab and line breaks), and C1 controls.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def unwritable(articles: list[Article], made: dict[str, Entry], error: Exception) -> str:
    """Name the article whose text a feed cannot hold, and the character, for the log."""
    for article in articles:
        entry = made.get(article.source_path)
        texts = [entry.title, entry.summary, entry.content] if entry else []
        found = next((match for text in texts if (match := _NOT_XML_RE.search(text))), None)
        if found:
            return (f"{article.relative_source_path} holds the invisible character "
                    f"U+{ord(found.group()):04X}, which feeds cannot hold (make check gives its line)")
    return str(error)


def write_feeds(generator: ArticlesGenerator, **_: Any) -> None:
    """Write every configured feed of the published articles into the output folder."""
    paths = merged(generator.settings)
    site = Site.from_settings(generator.settings, paths["fallback_siteurl"])
    limit = paths["max_items"]
    made: dict[str, Entry] = {}
    written: set[Path] = set()
    kept = 0
    for spec, articles in feed_specs(generator, paths, site):
        target = Path(sanitised_join(str(site.output_path), spec.path))
        if target in written:
            log.error("feeds: %s would be written twice: two feeds share this name", spec.path)
            continue
        written.add(target)
        chosen = articles[:limit]  # as Pelican's writer: FEED_MAX_ITEMS of the list, in its order
        if can_keep(target, spec, site, chosen):
            kept += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(render(spec, entries_of(chosen, made, site), site))
        except ValueError as error:  # lxml: "All strings must be XML compatible"
            log.error("feeds: %s not written: %s", spec.path, unwritable(chosen, made, error))
    log.info("feeds: wrote %d feeds (%d unchanged, left as they were) with %d entries under %s",
             len(written) - kept, kept, len(made), site.output_path)


def register() -> None:
    """Connect the handlers (module-level: blinker keeps only weak references)."""
    # initialized: the settings exist, and the generators' context is not copied from them yet.
    signals.initialized.connect(prepare_settings)
    # article_writer_finalized: articles, categories and tags are final and pages written;
    # the polls plugin has set feed_content by then.
    signals.article_writer_finalized.connect(write_feeds)
