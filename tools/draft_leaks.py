"""The last net of ``make publish``: does the built folder hold anything of a draft?

plugins/drafts keeps drafts out of the production build. This module does not trust it: it
finds the drafts from the content itself (every Markdown file whose header area says draft,
read by ``drafts.header``, the rule the build and ``make check`` share), then looks at the
files the build wrote, the way a visitor or a robot would meet them:

- a page: a file at one of the draft's addresses (as an article, a page or a preview draft),
  or anything under the preview's ``brouillons/`` folder;
- a feed entry: an entry of any feed whose link, id or title is the draft's;
- a sitemap line: a ``<loc>`` at one of the draft's addresses;
- a poll: an entry of polls.json defined in the draft (its ``source``) or with its id.

Each leak is told in French with the draft's file and the line that says draft.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

from drafts.header import read_header_area
from pelican.utils import slugify
from poll_spec import Poll, PollSyntaxError, find_poll_blocks, parse_poll

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
# The settings giving where a text is written and its address, for any status.
SAVE_AS_SETTINGS = ("ARTICLE_SAVE_AS", "PAGE_SAVE_AS", "DRAFT_SAVE_AS", "DRAFT_PAGE_SAVE_AS")
URL_SETTINGS = ("ARTICLE_URL", "PAGE_URL", "DRAFT_URL", "DRAFT_PAGE_URL")


@dataclass(frozen=True)
class Draft:
    """A draft as the content says it: its file, the line saying draft, its title, address and polls."""

    source: Path
    shown_as: str  # "content/x.md:6": where the writer finds it
    title: str
    slug: str
    polls: frozenset[str]


@dataclass(frozen=True)
class Leak:
    """Something of a draft found in the built folder."""

    draft: Draft
    what: str  # "sa page", "une entrée du flux", "une ligne du plan du site", "son sondage"
    where: str  # the file of the built folder, relative to it

    def __str__(self) -> str:
        return f"{self.draft.shown_as} : ce brouillon serait publié : {self.what} ({self.where})."


def _slug_of(fields: dict[str, str], settings: dict[str, Any]) -> str:
    """Return the address name Pelican gives a text: its Slug, or its title made a slug."""
    if fields.get("slug"):
        return fields["slug"]
    return slugify(fields.get("title", ""), regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
                   preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                   use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))


def _defined_polls(text: str) -> frozenset[str]:
    ids = set()
    for block in find_poll_blocks(text):
        try:
            poll = parse_poll(block.body)
        except PollSyntaxError:
            continue  # the checker stops the build on it
        if isinstance(poll, Poll):
            ids.add(poll.id)
    return frozenset(ids)


def find_drafts(content: Path, settings: dict[str, Any], shown_from: Path | None = None) -> list[Draft]:
    """Return every draft of ``content`` (what a published text shares with one left out).

    ``shown_from``: the folder the files are named from in messages (the current one).
    """
    drafts: list[Draft] = []
    published_slugs: set[str] = set()
    published_titles: set[str] = set()
    published_polls: set[str] = set()
    for path in sorted(content.rglob("*")):
        if not path.is_file() or not path.name.lower().endswith(MARKDOWN_SUFFIXES):
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # the checker reports it
        area = read_header_area(text)
        fields = {line.name.lower(): line.value for line in area.fields}
        slug = _slug_of(fields, settings)
        if not area.says_draft:
            published_slugs.add(slug)
            published_titles.add(fields.get("title", ""))
            published_polls |= _defined_polls(text)
            continue
        shown = _shown(path, shown_from or Path.cwd())
        drafts.append(Draft(path.resolve(), f"{shown}:{area.draft_lines[0]}", fields.get("title", ""), slug,
                            _defined_polls(text)))
    # A published text may have the address, title or poll a draft would have had (a draft made
    # as a copy of an article, to rework it): those are the published text's, not the draft's.
    return [Draft(draft.source, draft.shown_as, "" if draft.title in published_titles else draft.title,
                  "" if draft.slug in published_slugs else draft.slug, draft.polls - published_polls)
            for draft in drafts]


def _shown(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _addresses(draft: Draft, settings: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    """Return where the draft would be, by each of the settings ``names`` ({slug} only)."""
    found = set()
    for name in names:
        pattern = settings.get(name)
        if not draft.slug or not pattern:
            continue
        try:
            found.add(pattern.format(slug=draft.slug, lang=settings.get("DEFAULT_LANG", "")).lstrip("/"))
        except (KeyError, IndexError, ValueError):
            continue  # an address made of the date or category: the page check below still holds
    return found


def _url_path(url: str, siteurl: str) -> str:
    """Return an absolute or root-relative address as a path inside the site: "x/"."""
    path = urlparse(url.strip()).path
    prefix = urlparse(siteurl).path.rstrip("/")
    if prefix and path.startswith(prefix):
        path = path[len(prefix):]
    return path.lstrip("/")


def _page_leaks(output: Path, drafts: list[Draft], settings: dict[str, Any]) -> list[Leak]:
    leaks = []
    preview_folder = _preview_folder(settings)
    for draft in drafts:
        for save_as in sorted(_addresses(draft, settings, SAVE_AS_SETTINGS)):
            if (output / save_as).is_file():
                leaks.append(Leak(draft, "sa page", save_as))
    if preview_folder and (output / preview_folder).exists():
        for path in sorted(p for p in (output / preview_folder).rglob("*") if p.is_file()):
            where = str(path.relative_to(output))
            if not any(leak.where == where for leak in leaks):
                leaks.append(Leak(_owner(where, drafts), "une page de brouillon", where))
    return leaks


def _preview_folder(settings: dict[str, Any]) -> str:
    """Return the folder the preview writes drafts in ("brouillons"), or "" if none is fixed."""
    folder = str(settings.get("DRAFT_SAVE_AS", "")).split("/", 1)[0]
    return "" if "{" in folder or folder == str(settings.get("DRAFT_SAVE_AS", "")) else folder


def _owner(where: str, drafts: list[Draft]) -> Draft:
    """Return the draft a path of the drafts folder belongs to (or a stand-in naming no file)."""
    for draft in drafts:
        if draft.slug and f"/{draft.slug}/" in f"/{where}":
            return draft
    return Draft(Path(where), where, "", "", frozenset())


def _xml_documents(output: Path, kinds: tuple[str, ...]) -> Iterator[tuple[Path, ElementTree.Element]]:
    """Each XML file of ``output`` whose root element is one of ``kinds`` (feed, rss, urlset)."""
    for path in sorted(path for path in output.rglob("*.xml") if path.is_file()):
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError:
            continue
        if _local(root.tag) in kinds:
            yield path, root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _feed_leaks(output: Path, drafts: list[Draft], settings: dict[str, Any]) -> list[Leak]:
    leaks = []
    siteurl = str(settings.get("SITEURL", ""))
    for path, root in _xml_documents(output, ("feed", "rss")):
        entries = [element for element in root.iter() if _local(element.tag) in ("entry", "item")]
        for entry in entries:
            values = set()
            for element in entry:
                if _local(element.tag) in ("link", "id", "guid"):
                    values.add(_url_path(element.get("href") or element.text or "", siteurl))
            title = next((el.text or "" for el in entry if _local(el.tag) == "title"), "").strip()
            owners = [draft for draft in drafts if values & _addresses(draft, settings, URL_SETTINGS)
                      or (draft.title and title == draft.title.strip())]
            if not owners and any(value.startswith(_preview_folder(settings) + "/") for value in values):
                owners = [_owner(next(iter(values)), drafts)]
            where = str(path.relative_to(output))
            leaks.extend(Leak(draft, f"une entrée de flux (« {title} »)", where) for draft in owners)
    return leaks


def _sitemap_leaks(output: Path, drafts: list[Draft], settings: dict[str, Any]) -> list[Leak]:
    leaks = []
    siteurl = str(settings.get("SITEURL", ""))
    for path, root in _xml_documents(output, ("urlset",)):
        locations = {_url_path(el.text or "", siteurl) for el in root.iter() if _local(el.tag) == "loc"}
        for draft in drafts:
            for address in sorted(locations & _addresses(draft, settings, URL_SETTINGS)):
                leaks.append(Leak(draft, f"une ligne du plan du site (/{address})", str(path.relative_to(output))))
    return leaks


def _poll_leaks(output: Path, drafts: list[Draft]) -> list[Leak]:
    manifest = output / "polls.json"
    if not manifest.is_file():
        return []
    entries = json.loads(manifest.read_text(encoding="utf-8")).get("polls", [])
    leaks = []
    for entry in entries:
        source = str(entry.get("source") or "")
        for draft in drafts:
            from_draft = bool(source) and (Path(source).resolve() == draft.source
                                           or draft.source.as_posix().endswith("/" + source.lstrip("./")))
            if from_draft or entry.get("id") in draft.polls:
                leaks.append(Leak(draft, f"son sondage « {entry.get('id')} »", "polls.json"))
    return leaks


def find_leaks(output: Path, drafts: list[Draft], settings: dict[str, Any]) -> list[Leak]:
    """Return everything of ``drafts`` found in the built folder ``output``."""
    return (_page_leaks(output, drafts, settings) + _feed_leaks(output, drafts, settings)
            + _sitemap_leaks(output, drafts, settings) + _poll_leaks(output, drafts))
