"""search: the static full-text index of the site, made by Pagefind at the end of a build.

Pagefind (the ``pagefind`` and ``pagefind-bin`` packages) reads the built pages and writes its
index and its script into ``output/pagefind/``; the theme's "Rechercher" page loads that
script alone (theme/static/js/search.js). Only what the theme marks ``data-pagefind-body``
(articles and pages) is indexed, in the language of ``<html lang>`` (French stemming), and
only in the pages of this build's texts: Pagefind reads a folder of links to them, so a page
that a deleted or moved text left in the output (Pelican never removes one) is not found.

The index is made again from nothing (``index``) when the pages differ from those it was made
from (a digest of their bytes) or when there is none yet, so a rebuild that changed no page
costs only that digest, and an incremental build leaves the same files as a complete one.
``SEARCH_INDEX = False`` leaves it out: pelicanconf.py does, so ``make html`` and the preview
skip it (Pagefind reads the whole site: seconds and hundreds of MiB at thousands of
articles); ``make publish`` (publishconf.py) and ``make serve`` turn it on.
"""

from __future__ import annotations

from blinker import signal
from pelican import signals

from . import index


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # With FAST_REBUILD, plugins/fast_build writes the pages at finalized, in an order blinker
    # does not fix: the index waits for its named signal then.
    # The texts' pages, the only ones indexed (not files left by deleted or moved texts).
    signals.article_writer_finalized.connect(index.note_pages)
    signals.page_writer_finalized.connect(index.note_pages)
    signals.finalized.connect(index.build_index_unless_fast)
    signal("fast_build.pages_written").connect(index.build_index)
