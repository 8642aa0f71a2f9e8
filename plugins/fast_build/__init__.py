"""fast_build: builds that redo only what changed since the last one (``FAST_REBUILD``).

Pelican renders every template at every build, even with its content cache: at 1,000 articles
a one-word edit re-renders 2,000 pages. With ``FAST_REBUILD = True`` (pelicanconf.py, so
``make html`` and ``make devserver``; never publishconf.py):

- ``caches``: Pelican's content cache and Jinja2's compiled templates live in a cache folder
  named after the settings, library versions and code they were made with;
- ``writer``: Pelican gets a writer that renders a page only when its fingerprint (``keys``,
  ``texts``, ``templates``, ``fingerprints``) differs from the one recorded when its file was
  written (``records``); Pelican's own ``write_file`` renders and writes it, the pages of a
  build shared between processes (``parallel``);
- ``reading``: the texts Pelican's content cache lacks are read in parallel, from the moment
  their generator exists (plugins/checks runs meanwhile, when listed after this plugin);
- ``pelican_internals``: the one module that relies on Pelican's code beyond its public
  interface, checked against Pelican 4.12.0 by a test;
- ``incremental``: the dev server's rebuilds, which redo only what an edited text touches;
- ``settings``: what the dev server changes for its rebuilds.

Other plugins talk to it through named blinker signals, never through its modules:
``fast_build.keep_file`` (plugins/feeds asks whether a feed file can stay as it is),
``fast_build.text_inputs`` (a plugin adds what a text's page shows beyond its HTML) and
``fast_build.pages_written`` (sent at ``finalized`` once every page is on disk: plugins/search).
``pelican --ignore-cache`` renders everything.
"""

from __future__ import annotations

from blinker import signal
from pelican import signals

from .caches import use_bytecode_cache, use_own_cache_folder
from .incremental import keep_build, keep_generators
from .reading import read_ahead, start_reading
from .writer import keep_file, plain_lists, provide_writer, quick_lists, save_records


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # initialized: the settings exist and no generator has read CACHE_PATH yet.
    signals.initialized.connect(use_own_cache_folder)
    # Each generator made its Jinja2 environment; no template is compiled yet.
    signals.generator_init.connect(use_bytecode_cache)
    # A generator of texts exists, no text is read yet: forked workers start reading the texts
    # Pelican's cache lacks (before plugins/checks' own handler, when this plugin is listed first).
    signals.generator_init.connect(start_reading)
    # get_writer is asked once per build; the answer is None unless FAST_REBUILD is set.
    signals.get_writer.connect(provide_writer)
    # plugins/feeds asks before writing each feed.
    signal("fast_build.keep_file").connect(keep_file)
    # Sent before each text is read: at the first, what the workers have not read yet is read
    # here, and every text read goes into Pelican's cache.
    signals.article_generator_preread.connect(read_ahead)
    signals.page_generator_preread.connect(read_ahead)
    # Pelican's loops over tags, categories and authors test every article against each list:
    # while the pages are written, the lists answer at once (pelican_internals).
    signals.article_generator_finalized.connect(quick_lists)
    signals.article_writer_finalized.connect(plain_lists)
    # Every text is read and finished by other plugins: the dev server keeps the generators.
    signals.all_generators_finalized.connect(keep_generators)
    # The build went to its end: keep what was written, for the next build.
    signals.finalized.connect(save_records)
    signals.finalized.connect(keep_build)
