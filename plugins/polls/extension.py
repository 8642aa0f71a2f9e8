"""Python-Markdown extension: turn each ```poll block into a placeholder and plain data.

The preprocessor finds blocks with ``poll_spec.find_poll_blocks`` (the same function
``make check`` uses) and parses them with the one validator. Each block leaves a placeholder,
``<!--poll:ID-->``, in ``md.htmlStash`` (no later processor touches it) and its poll (or, for
a block holding only ``id:``, a reference to a poll defined elsewhere) in ``polls``. Nothing
is rendered here: the page's form and the feeds' static version replace the placeholder at
the end of the build, once the whole site is read (``polls.site``, ``polls.render``).

Line numbers: Pelican's ``meta`` preprocessor removes the metadata header before this one runs,
so the k-th block seen here is matched with the k-th block of the source file, whose lines the
reader passes in ``file_blocks``. Without them (plain Markdown use) lines count from the text.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from poll_spec import (Poll, PollBlock, PollReference, check_shown_once, find_poll_blocks, may_hold_polls,
                       parse_block)

log = logging.getLogger(__name__)

# Python-Markdown's fenced_code (through "extra") runs at 25: above it, or the block becomes a
# code listing; below "meta" (27), so the header is gone and blocks are matched by rank.
PRIORITY = 26


def placeholder(poll_id: str) -> str:
    """Return what stands for a poll in the text, until the page's form replaces it."""
    return f"<!--poll:{poll_id}-->"


PLACEHOLDER_RE = re.compile(r"<!--poll:(?P<id>[a-z0-9-]+)-->")


class PollPreprocessor(Preprocessor):
    """Replace ```poll blocks with stashed HTML and remember the polls seen, in order."""

    def __init__(self, md: Markdown, extension: PollExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with each poll block replaced by a stash placeholder."""
        text = "\n".join(lines)
        blocks = find_poll_blocks(text) if may_hold_polls(text) else []
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
            result += lines[done : block.line - 1] + ["", self.md.htmlStash.store(placeholder(item.id)), ""]
            done = block.end_line
        return result + lines[done:]


class PollExtension(Extension):
    """Register the ```poll preprocessor; ``polls`` lists what the last document held."""

    def __init__(self, **kwargs: Any):
        self.config = {
            "source": ["", "Path shown in error messages, e.g. content/article.md"],
            "file_blocks": [[], "find_poll_blocks() of the whole source file, for file lines"],
        }
        super().__init__(**kwargs)
        self.polls: list[Poll | PollReference] = []

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Register the preprocessor and reset state with the Markdown instance."""
        md.registerExtension(self)
        md.preprocessors.register(PollPreprocessor(md, self), "poll", PRIORITY)

    def reset(self) -> None:
        """Forget the polls of the previous document (Pelican reuses Markdown instances)."""
        self.polls = []


def makeExtension(**kwargs: Any) -> PollExtension:  # noqa: N802 (Python-Markdown's name)
    """Return the extension, so Markdown(extensions=["polls.extension"]) works."""
    return PollExtension(**kwargs)

