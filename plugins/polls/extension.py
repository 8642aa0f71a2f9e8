"""Python-Markdown extension: turn each ```poll block into the poll's HTML form.

The preprocessor finds blocks with ``poll_spec.find_poll_blocks`` (the same
function ``make check`` uses), parses them with the one validator, and stores the rendered form
in ``md.htmlStash`` so no later processor touches it. A block holding only ``id:`` shows a
poll defined elsewhere, which may not have been read yet: it becomes a marker that the plugin
replaces once the whole site is read (see ``polls.site``).

Line numbers: Pelican's ``meta`` preprocessor removes the metadata header before this one runs,
so the k-th block seen here is matched with the k-th block of the source file, whose lines the
reader passes in ``file_blocks``. Without them (plain Markdown use) lines count from the text.
"""

from __future__ import annotations

import logging
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from poll_spec import Poll, PollBlock, PollReference, check_shown_once, find_poll_blocks, parse_block

from .render import PollRenderer

log = logging.getLogger(__name__)

# Python-Markdown's fenced_code (through "extra") runs at 25: above it, or the block becomes a
# code listing; below "meta" (27), so the header is gone and blocks are matched by rank.
PRIORITY = 26


def reference_marker(poll_id: str) -> str:
    """Return the placeholder left where a reference block will show its poll."""
    return f"<!--poll-reference:{poll_id}-->"


class PollPreprocessor(Preprocessor):
    """Replace ```poll blocks with stashed HTML and remember the polls seen, in order."""

    def __init__(self, md: Markdown, extension: PollExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with each poll block replaced by a stash placeholder."""
        text = "\n".join(lines)
        # Every block opens with a line holding "poll": most texts have none, and need no scan.
        blocks = find_poll_blocks(text) if "poll" in text else []
        if not blocks:
            return lines
        file_blocks: list[PollBlock] = self.extension.getConfig("file_blocks") or []
        source: str | None = self.extension.getConfig("source") or None
        if file_blocks and len(file_blocks) != len(blocks):
            log.warning("polls: %s: %d poll blocks in the file, %d in the text Markdown sees; "
                        "error lines may be off", source, len(file_blocks), len(blocks))
        result: list[str] = []
        done = 0
        shown: list[Poll | PollReference] = []
        for rank, block in enumerate(blocks):
            # Parse the file's own copy of the block when there is one: it carries file lines.
            located = file_blocks[rank] if len(file_blocks) == len(blocks) else block
            item = parse_block(located, source)
            check_shown_once([*shown, item])  # one form per poll and page: unique element ids
            shown.append(item)
            self.extension.polls.append(item)
            html = self.extension.render(item)
            result += lines[done : block.line - 1] + ["", self.md.htmlStash.store(html), ""]
            done = block.end_line
        return result + lines[done:]


class PollExtension(Extension):
    """Register the ```poll preprocessor; ``polls`` lists what the last document held."""

    def __init__(self, renderer: PollRenderer | None = None, **kwargs: Any):
        self.config = {
            "source": ["", "Path shown in error messages, e.g. content/article.md"],
            "file_blocks": [[], "find_poll_blocks() of the whole source file, for file lines"],
        }
        super().__init__(**kwargs)
        # Not a config entry: Python-Markdown would coerce an object default of None to a bool.
        self._renderer = renderer
        self.polls: list[Poll | PollReference] = []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Register the preprocessor and reset state with the Markdown instance."""
        md.registerExtension(self)
        md.preprocessors.register(PollPreprocessor(md, self), "poll", PRIORITY)

    def reset(self) -> None:
        """Forget the polls of the previous document (Pelican reuses Markdown instances)."""
        self.polls = []

    @property
    def renderer(self) -> PollRenderer:
        """The renderer of forms, a standalone one (French, no catalog) unless one was given."""
        if self._renderer is None:
            self._renderer = PollRenderer()
        return self._renderer

    def render(self, item: Poll | PollReference) -> str:
        """Return the HTML that stands for a block: the form, or a reference marker."""
        if isinstance(item, PollReference):
            return reference_marker(item.id)
        return self.renderer.form(item)


def makeExtension(**kwargs: Any) -> PollExtension:  # noqa: N802 (Python-Markdown's name)
    """Return the extension, so Markdown(extensions=["polls.extension"]) works."""
    return PollExtension(**kwargs)

