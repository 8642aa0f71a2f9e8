"""table_align: aligned Markdown table columns get classes, never a ``style`` attribute.

Python-Markdown's tables extension writes ``style="text-align: right;"`` on the cells of a
column written ``|---:|`` (or ``align="right"``, obsolete in HTML5, with
``use_align_attribute``). The site's Content-Security-Policy (poll_service/site_policy.py)
refuses style attributes, so the column would lose its alignment: this extension turns either
into ``class="align-right"`` (``align-left``, ``align-center``), which the theme's site.css
aligns. The plugin adds the extension to the MARKDOWN setting when Pelican starts, so every
Markdown text of the build (articles, pages, summaries) is written this way.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from pelican import signals

NAME = "table_align"
ALIGNMENTS = ("left", "center", "right")
# Exactly what the tables extension writes, and nothing else: another style is left alone.
_STYLE = re.compile(r"^\s*text-align:\s*(left|center|right);?\s*$")


def alignment_class(cell: etree.Element) -> str | None:
    """Return the class saying how ``cell`` is aligned by its attributes, or None."""
    match = _STYLE.match(cell.get("style", ""))
    if match:
        return f"align-{match.group(1)}"
    if cell.get("align") in ALIGNMENTS:
        return f"align-{cell.get('align')}"
    return None


class AlignmentClasses(Treeprocessor):
    """Move the alignment of table cells from attributes to a class."""

    def run(self, root: etree.Element) -> None:
        """Rewrite every aligned th and td of the document."""
        for cell in root.iter():
            if cell.tag not in ("th", "td"):
                continue
            name = alignment_class(cell)
            if name is None:
                continue
            cell.attrib.pop("style", None)
            cell.attrib.pop("align", None)
            cell.set("class", f"{cell.get('class', '')} {name}".strip())


class TableAlignExtension(Extension):
    """Register the treeprocessor after the tables have been built."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        """Run last among the tree processors: every block, tables included, is built by then."""
        md.treeprocessors.register(AlignmentClasses(md), NAME, 1)


def add_to_markdown(pelican: Any) -> None:
    """Add the extension to the MARKDOWN setting (by name: settings are fingerprinted by repr)."""
    markdown = dict(pelican.settings.get("MARKDOWN") or {})
    configs = dict(markdown.get("extension_configs") or {})
    configs.setdefault(NAME, {})
    markdown["extension_configs"] = configs
    pelican.settings["MARKDOWN"] = markdown


def makeExtension(**kwargs: Any) -> TableAlignExtension:  # noqa: N802 (Python-Markdown's name)
    """Return the extension (Python-Markdown finds it by module name, ``table_align``)."""
    return TableAlignExtension(**kwargs)


def register() -> None:
    """Connect to initialized: the settings are read, no reader has been made yet."""
    signals.initialized.connect(add_to_markdown)
