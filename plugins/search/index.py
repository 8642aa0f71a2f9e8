"""Running Pagefind on the output folder, when the build changed a page."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pagefind_bin import get_executable

log = logging.getLogger(__name__)

SUBDIR = "pagefind"
# Pagefind's ready-made interfaces: the theme has its own (theme/static/js/search.js), so these
# are removed from the bundle rather than deployed unused.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
# In the cache folder (never in the output): the digest of the pages the index was made from.
DIGEST = "search-pages.sha256"


# The lists of Pelican's generators whose texts have a page of their own.
TEXT_LISTS = ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
              "hidden_translations", "pages", "hidden_pages", "draft_pages",
              "draft_translations")
# The pages of the texts of the last build, by output folder and generator kind.
_PAGES: dict[tuple[str, str], list[str]] = {}


def note_pages(generator: Any, writer: Any = None) -> None:
    """At ``article_writer_finalized`` and ``page_writer_finalized``: note the texts' pages.

    The index is made from these alone: a page left in the output by a text since deleted,
    renamed or made a draft (Pelican never removes files) must not be found by the search.
    Sent again by plugins/fast_build's incremental rebuilds, with their texts.
    """
    if not generator.settings.get("SEARCH_INDEX", True):
        return  # every text's address, for nothing (Pelican works each one out again)
    kind = "articles" if hasattr(generator, "articles") else "pages"
    names = {text.save_as for attribute in TEXT_LISTS for text in getattr(generator, attribute, None) or ()
             if getattr(text, "save_as", "")}
    _PAGES[(str(generator.output_path), kind)] = sorted(names)


def site_pages(output: Path) -> list[str] | None:
    """Return the pages of this build's texts in ``output`` (None: none noted, index every page)."""
    noted = [names for (folder, _), names in _PAGES.items() if folder == str(output)]
    if not noted:
        return None
    return sorted({name for names in noted for name in names if (output / name).is_file()})


def site_digest(output: Path, pages: list[str]) -> str:
    """Return a digest of ``pages`` (paths and bytes)."""
    digest = hashlib.sha256()
    for name in pages:
        digest.update(name.encode() + b"\0")
        digest.update((output / name).read_bytes())
    return digest.hexdigest()


def all_pages(output: Path) -> list[str]:
    """Return every HTML page of ``output``, the index's own aside."""
    bundle = str(output / SUBDIR)
    pages = []
    for folder, subfolders, files in os.walk(output):
        if folder == bundle:
            subfolders[:] = []
            continue
        pages += [os.path.relpath(os.path.join(folder, name), output) for name in files if name.endswith(".html")]
    return sorted(pages)


def stage(output: Path, pages: list[str], folder: Path) -> None:
    """Put ``pages`` of ``output`` into ``folder`` at the same places (hard links when possible)."""
    for name in pages:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(output / name, target)
        except OSError:
            shutil.copyfile(output / name, target)


def stale(output: Path, pages: str, record: Path | None) -> bool:
    """Tell whether the index is missing or was made from other pages than ``pages``.

    Contents, not times or Pelican's signals: plugins/fast_build writes pages from forked
    workers, whose signals this process never hears, and keeps unchanged files as they are.
    """
    if record is None or not (output / SUBDIR / "pagefind.js").is_file():
        return True
    try:
        return record.read_text(encoding="utf-8") != pages
    except OSError:
        return True


def run_pagefind(output: Path, pages: list[str]) -> None:
    """Make the search index of ``pages`` of ``output`` into ``output/pagefind/``, from nothing.

    Pagefind reads a folder holding these pages only, at their places (so their addresses).
    Raise RuntimeError with Pagefind's own words when it fails.
    """
    bundle = output / SUBDIR
    # Removed first: old fragments would stay beside the new ones (an incremental build would
    # then differ from a complete one).
    shutil.rmtree(bundle, ignore_errors=True)
    if not pages:
        # A site without a published text: nothing to find, and Pagefind refuses an empty folder
        # (the "Rechercher" page then says the search is unavailable).
        log.info("search: aucun article ni page à indexer")
        return
    # Beside the output: same file system, so hard links.
    with tempfile.TemporaryDirectory(prefix=".search-", dir=output.parent) as folder:
        stage(output, pages, Path(folder))
        result = subprocess.run([str(get_executable()), "--site", folder, "--output-path", str(bundle.resolve()),
                                 "--silent"], capture_output=True, encoding="utf-8", timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"search: Pagefind n'a pas pu indexer le site : {result.stderr or result.stdout}")
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)


def build_index_unless_fast(pelican: Any) -> None:
    """At ``finalized``: index now, unless fast_build writes the pages and signals it after."""
    if not pelican.settings.get("FAST_REBUILD"):
        build_index(pelican)


def build_index(pelican: Any) -> None:
    """Index the built site when a page changed or no index exists (``finalized``)."""
    if not pelican.settings.get("SEARCH_INDEX", True):
        return
    output = Path(pelican.output_path)
    # Only builds that keep a cache (not make publish, which starts from an empty folder).
    record = Path(pelican.settings["CACHE_PATH"]) / DIGEST if pelican.settings.get("FAST_REBUILD") else None
    pages = site_pages(output)
    if pages is None:
        pages = all_pages(output)
    digest = site_digest(output, pages) if record is not None else ""
    if stale(output, digest, record):
        run_pagefind(output, pages)
        if record is not None:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(digest, encoding="utf-8")
