"""What a feed says about the site and about each article, computed once per build.

``Site`` gathers the settings a feed needs, with absolute base URLs; ``make_entry`` turns a
Pelican article into a frozen ``Entry`` (absolute links, dates with their offset, enclosure),
shared by the Atom and RSS versions of every feed the article appears in.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from .links import absolutize

log = logging.getLogger(__name__)

# Only Python's own table, not the machine's /etc/mime.types: the same type on every machine.
MIME_TYPES = mimetypes.MimeTypes(filenames=())


@dataclass(frozen=True)
class Site:
    """The site-wide facts of every feed, with absolute base URLs (no trailing slash)."""

    name: str
    subtitle: str
    lang: str
    author: str
    base: str
    feed_base: str
    timezone: ZoneInfo
    content_path: Path
    output_path: Path
    categories_url: str
    tags_url: str
    author_pages: bool

    @classmethod
    def from_settings(cls, settings: dict[str, Any], fallback_siteurl: str) -> Site:
        """Read the site's facts from Pelican settings; ``fallback_siteurl`` stands in for ""."""
        base = (settings.get("SITEURL") or fallback_siteurl).rstrip("/")

        def listing(kind: str) -> str:
            # A category's or tag's scheme is the listing page of its kind, when there is one.
            if not settings.get(f"{kind}_SAVE_AS"):
                return ""
            return urljoin(base + "/", settings[f"{kind}_URL"])

        return cls(
            name=settings["SITENAME"],
            subtitle=settings.get("SITESUBTITLE") or settings.get("SITEDESCRIPTION") or settings["SITENAME"],
            lang=settings.get("DEFAULT_LANG") or "fr",
            author=settings.get("AUTHOR") or "",
            base=base,
            feed_base=(settings.get("FEED_DOMAIN") or base).rstrip("/"),
            timezone=ZoneInfo(settings.get("TIMEZONE") or "UTC"),
            content_path=Path(settings["PATH"]),
            output_path=Path(settings["OUTPUT_PATH"]),
            categories_url=listing("CATEGORIES"),
            tags_url=listing("TAGS"),
            author_pages=bool(settings.get("AUTHOR_SAVE_AS")),
        )

    def url(self, path: str) -> str:
        """Return the absolute URL of a site path such as ``slug/`` or ``images/x.png``."""
        return urljoin(self.base + "/", path.lstrip("/"))

    def feed_url(self, path: str) -> str:
        """Return the absolute URL of a feed file."""
        return urljoin(self.feed_base + "/", path.lstrip("/"))


@dataclass(frozen=True)
class Person:
    """An author: a name and, when the site has author pages, the page's URL."""

    name: str
    uri: str = ""


@dataclass(frozen=True)
class Term:
    """A category or a tag, with the URL of the listing it belongs to as scheme."""

    term: str
    scheme: str = ""


@dataclass(frozen=True)
class Enclosure:
    """The article's image as a feed enclosure: absolute URL, size in bytes, MIME type."""

    url: str
    length: int
    type: str


@dataclass(frozen=True)
class Entry:
    """One article as the feeds show it."""

    id: str
    title: str
    link: str
    authors: tuple[Person, ...]
    terms: tuple[Term, ...]
    published: datetime
    updated: datetime
    summary: str
    content: str
    enclosure: Enclosure | None


def tag_uri(link: str, published: datetime) -> str:
    """Return the RFC 4151 tag URI of an article: its host, publication day and path.

    It depends only on the article's address and Date metadata, never on the build's time.
    """
    parts = urlsplit(link)
    return f"tag:{parts.hostname},{published:%Y-%m-%d}:{parts.path}"


def aware(moment: datetime, timezone: ZoneInfo) -> datetime:
    """Return ``moment`` with a time zone (Pelican gives one when TIMEZONE is set)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def plain_text(value: str) -> str:
    """Return a title as plain text (feedgen escapes it).

    A Markdown title is text already: ``Les "dons" <en ligne> & vous`` stays what it says
    (the theme escapes it the same way). Only surrounding spaces go.
    """
    return str(value).strip()


def find_enclosure(article: Any, site: Site) -> Enclosure | None:
    """Return the enclosure of the article's ``image`` metadata, read from the content folder."""
    image = getattr(article, "image", None)
    if not image:
        return None
    if urlsplit(image).scheme:
        log.warning("feeds: %s: image %s is not a file of the site, no enclosure", article.source_path, image)
        return None
    relative = image.lstrip("/")
    # The static files are copied after the articles are written: look in the content first.
    for folder in (site.content_path, site.output_path):
        path = folder / relative
        if path.is_file():
            mime = MIME_TYPES.guess_type(path.name)[0] or "application/octet-stream"
            return Enclosure(site.url(relative), path.stat().st_size, mime)
    log.warning("feeds: %s: image %s not found in %s, no enclosure", article.source_path, image, site.content_path)
    return None


def authors_of(article: Any, site: Site) -> tuple[Person, ...]:
    """Return the article's authors, with their page's URL when the site has author pages."""
    return tuple(Person(str(author), site.url(author.url) if site.author_pages else "")
                 for author in getattr(article, "authors", []))


def terms_of(article: Any, site: Site) -> tuple[Term, ...]:
    """Return the article's category then its tags, as feed categories."""
    category = getattr(article, "category", None)
    terms = [Term(str(category), site.categories_url)] if category else []
    return tuple(terms + [Term(str(tag), site.tags_url) for tag in getattr(article, "tags", [])])


def make_entry(article: Any, site: Site) -> Entry:
    """Turn a Pelican article into its feed entry, every URL absolute."""
    link = site.url(article.url)
    published = aware(article.date, site.timezone)
    modified = getattr(article, "modified", None)
    # A Modified earlier than Date is a slip of the pen: never go back in time.
    updated = max(published, aware(modified, site.timezone)) if modified else published
    # The polls plugin gives articles holding a poll a static version for feeds.
    content = getattr(article, "feed_content", None) or article.content
    return Entry(
        id=tag_uri(link, published),
        title=plain_text(article.title),
        link=link,
        authors=authors_of(article, site),
        terms=terms_of(article, site),
        published=published,
        updated=updated,
        summary=absolutize(article.summary, link),
        content=absolutize(content, link),
        enclosure=find_enclosure(article, site),
    )
