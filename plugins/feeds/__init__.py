"""feeds: the site's Atom and RSS 2.0 feeds, written with feedgen in place of Pelican's writer.

Settings keep Pelican's names, so the theme's autodiscovery ``<link rel="alternate">`` tags
and visible links (which read them) point at the files written here:

- ``FEED_ALL_ATOM``, ``FEED_ALL_RSS``: paths of the feeds of all published articles.
- ``CATEGORY_FEED_ATOM``, ``CATEGORY_FEED_RSS``, ``TAG_FEED_ATOM``, ``TAG_FEED_RSS``: path
  patterns with ``{slug}``, one feed per category and per tag. An empty value turns a feed off.
- ``FEED_MAX_ITEMS``: how many of the newest articles each feed keeps (``None``: all).
- ``FEED_DOMAIN``: base URL of the feed files' own addresses (Pelican sets it to ``SITEURL``).
- ``FEEDS``: this plugin's options, merged over ``DEFAULTS`` (unknown keys are an error):
  ``fallback_siteurl`` is the base of every absolute URL when ``SITEURL`` is empty.

Feed readers need absolute URLs, but in development ``SITEURL`` is "" (root-relative links, so
the site works on any host and port). The feeds then use ``fallback_siteurl``, by default
``http://127.0.0.1:8000``, the address of ``make serve``: a placeholder that is obviously
local, never published (publishconf.py sets ``SITEURL``). The theme keeps its root-relative
links to the feeds themselves.

``AUTHOR_FEED_*``, ``TRANSLATION_FEED_*``, ``FEED_ATOM`` and ``FEED_RSS`` are not written: a
value there is reported and ignored. Translations are left out of the feeds, which are in
``DEFAULT_LANG``.

Pelican's own writer is kept out: at ``initialized`` the feed settings move to
``FEEDS_TAKEN_OVER`` and Pelican's keys are blanked, so ``ArticlesGenerator.generate_feeds``
writes nothing; at ``generator_init`` the supported ones go back into the generators' shared
context, where templates read them. The settings, which Pelican's generators read, stay blank.

Each entry has: an RFC 4151 tag URI as id (``tag:host,YYYY-MM-DD:/slug/``, from the article's
address and Date, stable across builds), title, link, authors, the category and the tags as
``<category>``, published and updated dates with the Europe/Paris offset (``TIMEZONE``), the
summary, the full content (a poll in its static version, ``article.feed_content`` set by the
polls plugin) with every URL made absolute, and the ``Image`` metadata as an enclosure with its
size and MIME type. Entries are newest first; a feed's updated date is its newest entry's, so
unchanged content gives byte-identical feeds. Drafts and hidden articles never appear.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from pelican import signals
from pelican.utils import sanitised_join

from .entries import Entry, Site, make_entry
from .render import FeedSpec, render

if TYPE_CHECKING:
    from pelican import Pelican
    from pelican.contents import Article
    from pelican.generators import ArticlesGenerator, Generator
    from pelican.writers import Writer

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {"fallback_siteurl": "http://127.0.0.1:8000"}

# Settings key where the feed settings are kept once Pelican's are blanked.
TAKEN_OVER = "FEEDS_TAKEN_OVER"

SUPPORTED = ("FEED_ALL_ATOM", "FEED_ALL_RSS", "CATEGORY_FEED_ATOM", "CATEGORY_FEED_RSS",
             "TAG_FEED_ATOM", "TAG_FEED_RSS")
UNSUPPORTED = ("FEED_ATOM", "FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS",
               "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS")
FORMATS = (("atom", "ATOM"), ("rss", "RSS"))


def options(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the ``FEEDS`` setting merged over ``DEFAULTS``, reporting unknown keys."""
    given = settings.get("FEEDS") or {}
    for key in sorted(set(given) - set(DEFAULTS)):
        log.error("feeds: unknown key %r in FEEDS (known: %s)", key, ", ".join(sorted(DEFAULTS)))
    return {**DEFAULTS, **given}


def take_over_feed_settings(pelican: Pelican) -> None:
    """Move the feed settings aside and blank Pelican's, so its writer writes no feed."""
    settings = pelican.settings
    if TAKEN_OVER in settings:  # the same settings dict given to a second Pelican instance
        return
    settings["FEEDS"] = options(settings)
    for key in UNSUPPORTED:
        if settings.get(key):
            log.warning("feeds: %s is not supported by plugins/feeds, no such feed is written", key)
    settings[TAKEN_OVER] = {key: settings.get(key) for key in SUPPORTED}
    for key in SUPPORTED + UNSUPPORTED:
        settings[key] = None


def give_templates_feed_settings(generator: Generator) -> None:
    """Put the feed paths back into the shared context, where the theme's templates read them."""
    generator.context.update(generator.settings.get(TAKEN_OVER) or {})


def newest_first(articles: list[Article], limit: int | None) -> list[Article]:
    """Return the ``limit`` newest articles, newest first, ties in a stable order.

    Ties are broken by source path, an attribute: Pelican recomputes ``url`` from the settings
    at each access, and each article is sorted once per feed it appears in.
    """
    ordered = sorted(articles, key=lambda article: (article.date, article.source_path), reverse=True)
    return ordered[:limit]


def feed_specs(generator: ArticlesGenerator, paths: dict[str, Any],
               site: Site) -> Iterator[tuple[FeedSpec, list[Article]]]:
    """Yield each configured feed with the articles it may hold."""
    for fmt, key in FORMATS:
        if paths.get(f"FEED_ALL_{key}"):
            yield FeedSpec(paths[f"FEED_ALL_{key}"], fmt, site.name, site.url("")), generator.articles
    taxonomies = (("CATEGORY", generator.categories), ("TAG", sorted(generator.tags.items())))
    for kind, terms in taxonomies:
        for term, articles in terms:
            for fmt, key in FORMATS:
                pattern = paths.get(f"{kind}_FEED_{key}")
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


def feed_key(writer: Writer, generator: ArticlesGenerator, spec: FeedSpec, site: Site,
             chosen: list[Article]) -> Any:
    """Fingerprint a feed for the fast writer of plugins/preview (None: write it).

    A feed shows each article's metadata, summary and whole text (its ``feed_content`` for a
    poll), its address and image: the fast writer's fingerprint of the article's text covers
    all but the image, whose file size goes in too. The settings, the theme and our plugins'
    code are part of every fingerprint the writer makes.
    """
    texts = [writer.text_fingerprint(article, generator.context) for article in chosen]
    if None in texts:
        return None
    return writer.output_key("feed", spec, site, [
        (text, getattr(article, "feed_content", None), enclosure_stamp(article, site))
        for text, article in zip(texts, chosen)])


def write_feeds(generator: ArticlesGenerator, writer: Writer) -> None:
    """Write every configured feed of the published articles into the output folder.

    Under plugins/preview's fast writer (``FAST_REBUILD``), a feed whose fingerprint and file
    are those of the previous build is left as it is.
    """
    paths = generator.settings.get(TAKEN_OVER)
    if paths is None:  # initialized was not seen: feed settings were not taken over
        return
    site = Site.from_settings(generator.settings, generator.settings["FEEDS"]["fallback_siteurl"])
    limit = generator.settings.get("FEED_MAX_ITEMS")
    fast = writer if hasattr(writer, "is_current") else None
    made: dict[str, Entry] = {}
    written: set[Path] = set()
    kept = 0
    for spec, articles in feed_specs(generator, paths, site):
        target = Path(sanitised_join(str(site.output_path), spec.path))
        if target in written:
            log.error("feeds: %s would be written twice: two feeds share this name", spec.path)
            continue
        written.add(target)
        chosen = newest_first(articles, limit)
        key = feed_key(fast, generator, spec, site, chosen) if fast is not None else None
        if fast is not None and fast.is_current(str(target), key):
            kept += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(spec, entries_of(chosen, made, site), site))
        if fast is not None:
            fast.remember(str(target), key)
    log.info("feeds: wrote %d feeds (%d unchanged, left as they were) with %d entries under %s",
             len(written) - kept, kept, len(made), site.output_path)


def register() -> None:
    """Connect the handlers (module-level: blinker keeps only weak references)."""
    # initialized: the settings exist and the generators' context is not copied from them yet.
    signals.initialized.connect(take_over_feed_settings)
    # generator_init: the first moment each generator's (shared) context exists.
    signals.generator_init.connect(give_templates_feed_settings)
    # article_writer_finalized: articles, categories and tags are final and pages written;
    # the polls plugin has set feed_content by then.
    signals.article_writer_finalized.connect(write_feeds)
