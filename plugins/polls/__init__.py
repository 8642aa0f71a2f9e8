"""polls: the ```poll block of our articles, from Markdown to form, feeds and output/polls.json.

- ``reader``: a MarkdownReader that runs the poll extension with the file's own line numbers
  and keeps the polls in the metadata (cached by Pelican with the content);
- ``extension``: the Python-Markdown extension (validation by poll_spec);
- ``render``: the form and the static version, from poll_spec's templates/polls/_poll.html;
- ``site``: site-wide checks, references, ``feed_content`` and the manifest.

A wrong poll fails the build with "polls: content/x.md:12 : <message en français>".
"""

from __future__ import annotations

from typing import Any

from pelican import signals
from pelican.readers import MarkdownReader

from . import site
from .reader import PollMarkdownReader, drop_stale_cache
from .render import PollRenderer


def use_poll_reader(readers: Any) -> None:
    """Read Markdown with our reader (other extensions stay as configured)."""
    for extension in MarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is MarkdownReader:
            readers.reader_classes[extension] = PollMarkdownReader


def give_readers_a_renderer(generator: Any) -> None:
    """Let the generator's readers render forms with its Jinja2 environment; drop stale cache."""
    readers = getattr(generator, "readers", None)
    if readers is None:
        return
    renderer = PollRenderer(generator.env, generator.settings)
    for reader in readers.readers.values():
        if isinstance(reader, PollMarkdownReader):
            reader.renderer = renderer
    drop_stale_cache(generator, renderer.fingerprint)


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # A new build starts clean, even after one that failed before `finalized`: get_generators
    # is sent at the start of every run, also when `make devserver` keeps one Pelican instance.
    signals.get_generators.connect(site.reset)
    # Each generator builds its readers, then its Jinja2 environment, then sends generator_init.
    signals.readers_init.connect(use_poll_reader)
    signals.generator_init.connect(give_readers_a_renderer)
    # Every article and page is read (or taken from the cache) by then, and nothing is written.
    signals.all_generators_finalized.connect(site.finish)
    # The output folder exists and is complete: the manifest goes last.
    signals.finalized.connect(site.write_manifest)
