"""Pelican's Markdown reader, told which file it reads: polls keep the file's own line numbers.

Pelican's MarkdownReader hands Markdown the text without telling anyone the path, and its
``meta`` extension removes the header before our preprocessor runs. This reader finds the
file's poll blocks first (their lines are file lines), gives them to the poll extension, and
keeps the polls it met in the metadata (``polls``, only in texts that hold one): Pelican caches
metadata with the content, so the manifest stays complete when an unchanged article is not
read again. The class keeps Pelican's name, so Pelican records ``reader: markdown`` as usual.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from markdown import Markdown
from pelican import readers
from pelican.utils import pelican_open

from poll_spec import PollSyntaxError, find_poll_blocks, may_hold_polls

from . import site
from .extension import PollExtension

log = logging.getLogger(__name__)

METADATA_KEY = "polls"


def display_path(source_path: str, settings: dict[str, Any]) -> str:
    """Name a source file as a writer sees it: relative to the folder holding PATH."""
    project = os.path.dirname(os.path.abspath(settings.get("PATH") or os.curdir))
    return os.path.relpath(os.path.abspath(source_path), project).replace(os.sep, "/")


class MarkdownReader(readers.MarkdownReader):
    """Pelican's MarkdownReader plus the poll extension, fed with the file's path and poll blocks."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Parse a Markdown file; its polls (definitions and references) go to metadata["polls"]."""
        self._source_path = source_path
        with pelican_open(source_path) as text:
            extension = PollExtension(
                source=display_path(source_path, self.settings),
                file_blocks=find_poll_blocks(text) if may_hold_polls(text) else [],
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
        return content, metadata
