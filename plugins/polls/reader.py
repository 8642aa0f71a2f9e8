"""A Markdown reader that knows which file it reads, for polls with the file's own line numbers.

Pelican's MarkdownReader hands Markdown the text without telling anyone the path, and its
``meta`` extension removes the header before our preprocessor runs. This reader finds the
file's poll blocks first (their lines are file lines), gives them to the poll extension, and
keeps the polls it met in the metadata: Pelican caches metadata with the content, so the
manifest stays complete when an unchanged article is not read again.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from poll_spec import PollSyntaxError, find_poll_blocks

from . import site
from .extension import PollExtension
from .render import PollRenderer

log = logging.getLogger(__name__)

METADATA_KEY = "polls"
# Present in the metadata of every Markdown file this reader read: see drop_stale_cache.
FINGERPRINT_KEY = "polls_fingerprint"


def display_path(source_path: str, settings: dict[str, Any]) -> str:
    """Name a source file as a writer sees it: relative to the folder holding PATH."""
    project = os.path.dirname(os.path.abspath(settings.get("PATH") or os.curdir))
    return os.path.relpath(os.path.abspath(source_path), project).replace(os.sep, "/")


class PollMarkdownReader(MarkdownReader):
    """MarkdownReader plus the poll extension, fed with the file's path and poll blocks."""

    # Set at generator_init, once the generator's Jinja2 environment exists.
    renderer: PollRenderer | None = None

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Parse a Markdown file; its polls (definitions and references) go to metadata["polls"]."""
        self._source_path = source_path
        with pelican_open(source_path) as text:
            extension = PollExtension(
                renderer=self.renderer,
                source=display_path(source_path, self.settings),
                # Every block opens with a line holding "poll": most texts need no scan.
                file_blocks=find_poll_blocks(text) if "poll" in text else [],
            )
            options = dict(self.settings["MARKDOWN"])
            options["extensions"] = [*options.get("extensions", []), extension]
            self._md = Markdown(**options)
            try:
                content = self._md.convert(text)
            except PollSyntaxError as error:
                # Pelican logs "Could not process" without the reason: say it ourselves.
                site.report(error)
                raise
        polls = list(extension.polls)
        # Formatted metadata (Summary) is converted by the same instance after a reset; a
        # poll there would be matched with the wrong file block, and has no place anyway.
        self._md.preprocessors.deregister("poll")
        metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        if polls:
            metadata[METADATA_KEY] = polls
        metadata[FINGERPRINT_KEY] = (self.renderer or PollRenderer(settings=self.settings)).fingerprint
        return content, metadata


def drop_stale_cache(generator: Any, fingerprint: str) -> None:
    """Forget cached Markdown files read before this plugin, or with other poll templates.

    Pelican's cache trusts a file's date alone: an article cached by a build without the
    plugin (or with another version of the form) would keep no poll, or an outdated form.
    """
    dropped = 0
    for cacher in (getattr(generator, "readers", None), generator):
        cache = getattr(cacher, "_cache", None)  # FileDataCacher's dict: {path: (stamp, data)}
        if not isinstance(cache, dict):
            continue
        for path, entry in list(cache.items()):
            if not path.endswith(tuple(f".{ext}" for ext in MarkdownReader.file_extensions)):
                continue
            data = entry[1] if isinstance(entry, tuple) and len(entry) == 2 else None
            # Readers cache (content, metadata); generators cache the content object.
            metadata = data[1] if isinstance(data, tuple) else getattr(data, "metadata", None)
            if not isinstance(metadata, dict) or metadata.get(FINGERPRINT_KEY) != fingerprint:
                del cache[path]
                dropped += 1
    if dropped:
        log.info("polls: %d cached Markdown files will be read again (poll rendering changed)", dropped)
