"""drafts: drafts are built in the preview and never published.

The preview (pelicanconf.py, ``SHOW_DRAFTS = True``) builds drafts at brouillons/<slug>/ and
lists them on the home page. ``make publish`` (publishconf.py, ``SHOW_DRAFTS = False``) leaves
them out entirely: no page, no place in the listings, feeds, sitemap or links, no poll.

Two nets, one rule (``header.read_header_area``, shared with the checker):

- a file Pelican reads as ``Status: draft`` (any case) is turned into Pelican's own ``skip``
  status as soon as its metadata is read, so it never joins any list;
- a file that says draft anywhere else in its header area (``Statut: brouillon``, a
  ``Status: draft`` cut off by a blank line, indented or with a French space before the
  colon…) is also kept out, once its content object exists. The checker reports each of these
  as an error, so a build normally stops before; this net holds even if it did not.

``make publish`` (tools/publish.py) then checks the written files themselves (tools/draft_leaks.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from .header import read_header_area

log = logging.getLogger(__name__)

# The files the header rule applies to (Pelican's Markdown reader's extensions).
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")


def _publishing(settings: dict[str, Any]) -> bool:
    return not settings.get("SHOW_DRAFTS", True)


def skip_drafts(generator: Any, metadata: dict[str, Any]) -> None:
    """Mark a draft as skipped when the settings say drafts are not shown."""
    if not _publishing(generator.settings):
        return
    if str(metadata.get("status", "")).strip().lower() == "draft":
        metadata["status"] = "skip"
        log.debug("drafts: %r left out (SHOW_DRAFTS is False)", metadata.get("title"))


def catch_late_drafts(content: Any) -> None:
    """Keep out a content whose file says draft where Pelican did not read it."""
    settings = getattr(content, "settings", None) or {}
    source = getattr(content, "source_path", None)
    if not _publishing(settings) or not source or not str(source).lower().endswith(MARKDOWN_SUFFIXES):
        return
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return  # the checker reports an unreadable file
    area = read_header_area(text)
    if area.says_draft:
        content.status = "draft"  # listed with the drafts, which are dropped below
        log.warning("drafts: %s dit « brouillon » (ligne %d) : laissé hors du site publié",
                    source, area.draft_lines[0])


def drop_article_drafts(generator: Any) -> None:
    """Forget the article drafts before categories, tags, feeds or the sitemap see them."""
    if _publishing(generator.settings):
        _drop(generator, generator.drafts + generator.drafts_translations)
        generator.drafts, generator.drafts_translations = [], []


def drop_page_drafts(generator: Any) -> None:
    """Forget the page drafts (in place: the context already holds these lists)."""
    if _publishing(generator.settings):
        _drop(generator, generator.draft_pages + generator.draft_translations)
        generator.draft_pages.clear()
        generator.draft_translations.clear()


def _drop(generator: Any, drafts: list[Any]) -> None:
    """Forget drafts also as link targets: a {filename} link to one leads nowhere published."""
    generated = generator.context.get("generated_content", {})
    for draft in drafts:
        generated.pop(draft.get_relative_source_path(), None)


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # Sent with each file's metadata, before Pelican builds the article or page from it: the
    # last moment a status can still become "skip".
    signals.article_generator_context.connect(skip_drafts)
    signals.page_generator_context.connect(skip_drafts)
    # Sent once the content object exists, with its source path: the file can be read again.
    signals.content_object_init.connect(catch_late_drafts)
    # Articles: after the lists are made, before categories, tags and authors are counted.
    signals.article_generator_pretaxonomy.connect(drop_article_drafts)
    # Pages: once their lists are made, before any page, feed or sitemap is written.
    signals.page_generator_finalized.connect(drop_page_drafts)
