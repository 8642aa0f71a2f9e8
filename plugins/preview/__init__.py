"""preview: what differs between the writers' preview and the published site.

- ``drafts``: drafts are built in the preview (``SHOW_DRAFTS = True``, pelicanconf.py: at
  brouillons/<slug>/, listed on the home page) and left out of ``make publish``
  (``SHOW_DRAFTS = False``, publishconf.py).

Fast rebuilds are plugins/fast_build.
"""

from __future__ import annotations

from pelican import signals

from .drafts import skip_drafts


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # Sent with each file's metadata, before Pelican builds the article or page from it: the
    # last moment a status can still become "skip".
    signals.article_generator_context.connect(skip_drafts)
    signals.page_generator_context.connect(skip_drafts)
