"""Turn a feed's description and its entries into Atom or RSS 2.0 bytes, with feedgen.

All the XML is feedgen's; this module only decides what goes where. The output depends only on
its inputs (the feed's own date is its newest entry's), so rebuilding unchanged content gives
byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal, Sequence

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from .entries import Entry, Site

Format = Literal["atom", "rss"]

MEDIA_TYPES: dict[str, str] = {"atom": "application/atom+xml", "rss": "application/rss+xml"}

# The date of a feed with no entry: fixed, so that such a feed is reproducible too.
NO_ENTRY_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)


class LinkedFeedEntry(FeedEntry):
    """feedgen 1.0's entry, with the link attributes its Atom output drops.

    ``FeedEntry.atom_entry`` writes each ``<link>`` with its href only (it reads rel, type and
    length from the new element instead of the link's data: lkiesow/python-feedgen#135, #143),
    which turns the enclosure into a second alternate link. Until a release fixes it, put the
    attributes feedgen was given back on the elements it made.
    """

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        """Return feedgen's Atom entry element, its links complete."""
        element = super().atom_entry(extensions)
        for link, data in zip(element.findall("link"), self.link() or []):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if data.get(name):
                    link.set(name, str(data[name]))
        return element


@dataclass(frozen=True)
class FeedSpec:
    """One feed file to write: where, in which format, its title and the page it follows."""

    path: str
    format: Format
    title: str
    alternate: str


def fill_entry(item: FeedEntry, entry: Entry) -> None:
    """Copy an ``Entry`` into a feedgen entry."""
    item.id(entry.id)
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate")
    for person in entry.authors:
        item.author({"name": person.name, **({"uri": person.uri} if person.uri else {})})
        # RSS's <author> must be an email address, which we do not publish: dc:creator instead.
        item.dc.dc_creator(person.name)
    # content first: feedgen then makes the summary RSS's <description> and the full text
    # its <content:encoded>.
    item.content(entry.content, type="html")
    item.summary(entry.summary, type="html")
    for term in entry.terms:
        item.category({"term": term.term, **({"scheme": term.scheme} if term.scheme else {})})
    item.published(entry.published)
    item.updated(entry.updated)
    if entry.enclosure:
        item.enclosure(entry.enclosure.url, str(entry.enclosure.length), entry.enclosure.type)


def render(feed: FeedSpec, entries: Sequence[Entry], site: Site) -> bytes:
    """Return the feed's XML: ``entries`` in the given order, newest first expected."""
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    self_url = site.feed_url(feed.path)
    generator.id(self_url)
    generator.title(feed.title)
    generator.subtitle(site.subtitle)  # also RSS's required channel <description>
    # Self first: feedgen makes the last link RSS's channel <link>, which must be the page.
    generator.link(href=self_url, rel="self", type=MEDIA_TYPES[feed.format])
    generator.link(href=feed.alternate, rel="alternate")
    generator.language(site.lang)
    if site.author:
        generator.author({"name": site.author})
    # feedgen would say "now": the newest entry's date keeps rebuilds identical.
    generator.updated(max((entry.updated for entry in entries), default=NO_ENTRY_DATE))
    for entry in entries:
        fill_entry(generator.add_entry(LinkedFeedEntry(), order="append"), entry)
    if feed.format == "atom":
        return generator.atom_str(pretty=True)
    return generator.rss_str(pretty=True)
