"""polls: the ```poll block of our articles, from Markdown to form, feeds and output/polls.json.

- ``reader``: Pelican's Markdown reader with the poll extension, fed with the file's own line
  numbers; the polls met go to the text's metadata (cached by Pelican with the content);
- ``extension``: the Python-Markdown extension (validation by poll_spec): a placeholder in
  the HTML for each block, nothing rendered yet;
- ``render``: the form and the static version, from poll_spec's templates/polls/_poll.html;
- ``site``: site-wide checks, references, the rendering at the end of the build (the page's
  form once it is written, ``feed_content`` for the feeds) and the manifest.

A wrong poll fails the build with "polls: content/x.md:12 : <message en français>".
"""

from __future__ import annotations

from typing import Any

from blinker import signal
from pelican import signals
from pelican.readers import MarkdownReader as PelicanMarkdownReader

from . import site
from .reader import MarkdownReader


def use_poll_reader(readers: Any) -> None:
    """Read Markdown with our reader (other extensions stay as configured)."""
    for extension in PelicanMarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is PelicanMarkdownReader:
            readers.reader_classes[extension] = MarkdownReader


def register() -> None:
    """Connect the handlers (module-level functions: blinker keeps weak references)."""
    # A new build starts clean, even after one that failed before `finalized`: get_generators
    # is sent at the start of every run, also when `make devserver` keeps one Pelican instance.
    signals.get_generators.connect(site.reset)
    # Each generator builds its readers, then its Jinja2 environment, then sends generator_init.
    signals.readers_init.connect(use_poll_reader)
    signals.generator_init.connect(site.make_renderer)
    # Every article and page is read (or taken from the cache) by then, and nothing is written.
    signals.all_generators_finalized.connect(site.finish)
    # Each page just written: its placeholders become forms.
    signals.content_written.connect(site.show_forms)
    # The output folder exists and is complete: the manifest goes last.
    signals.finalized.connect(site.write_manifest)
    # plugins/fast_build asks what a text's page shows beyond its HTML (its polls, rendered).
    signal("fast_build.text_inputs").connect(site.fast_build_inputs)
