"""preview: what differs between the writers' preview and the published site.

- ``drafts``: drafts are built in the preview (``SHOW_DRAFTS = True``, pelicanconf.py: at
  brouillons/<slug>/, listed on the home page) and left out of ``make publish``
  (``SHOW_DRAFTS = False``, publishconf.py).
- ``fast_writer``: with ``FAST_REBUILD = True`` (pelicanconf.py: ``make html`` and
  ``make devserver``), a build renders and writes only the pages whose inputs changed since
  the previous build, whose records it keeps in the cache folder.
"""

from __future__ import annotations

from blinker import signal
from pelican import signals

from .drafts import skip_drafts
from .fast_writer import (
    drop_unsafe_content_cache,
    keep_file,
    provide_writer,
    record_content_cache,
    save_records,
    use_bytecode_cache,
)


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # Sent with each file's metadata, before Pelican builds the article or page from it: the
    # last moment a status can still become "skip".
    signals.article_generator_context.connect(skip_drafts)
    signals.page_generator_context.connect(skip_drafts)
    # Each generator has loaded Pelican's content cache: keep it only if it is safe.
    signals.generator_init.connect(drop_unsafe_content_cache)
    signals.generator_init.connect(use_bytecode_cache)
    # Sent right after each generator saved its content cache.
    signals.article_generator_finalized.connect(record_content_cache)
    signals.page_generator_finalized.connect(record_content_cache)
    # get_writer is asked once per build; the answer is None unless FAST_REBUILD is set.
    signals.get_writer.connect(provide_writer)
    # plugins/feeds asks before writing each feed (its KEEP_SIGNAL).
    signal("fast_build.keep_file").connect(keep_file)
    # The build went to its end: keep what was written, for the next build.
    signals.finalized.connect(save_records)
