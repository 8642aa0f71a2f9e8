"""Fingerprints of texts: what a list shows of an article or page, and what its own page shows.

A text's own page shows its metadata and its HTML, where each ``{filename}`` link becomes the
address of the linked text: the fingerprint takes the HTML before link replacement (replacing
takes longer than the rest of a rebuild) and, for each link, what it points to. Plugins that
change what a page shows of a text beyond its HTML (polls: a poll defined in another article)
add their part through the named signal ``TEXT_INPUTS_SIGNAL``: the sender is the text, and
each receiver returns a value the page depends on (or None).
"""

from __future__ import annotations

from typing import Any

from blinker import signal

from . import pelican_internals
from .fingerprints import digest

TEXT_INPUTS_SIGNAL = "fast_build.text_inputs"
_FILE_LINKS = ("filename", "static", "attach")
# (source path, digest of the HTML) -> the intrasite links of that HTML: scanned once per process.
_LINKS: dict[tuple[str, bytes], tuple[tuple[str, str], ...]] = {}


def link_targets(item: Any, html: str, html_digest: bytes) -> tuple[tuple[str, str], ...]:
    """Return the intrasite links of a text as (kind, path from content/); scanned once."""
    key = (item.source_path, html_digest)
    found = _LINKS.get(key)
    if found is None:
        found = _LINKS[key] = pelican_internals.link_paths(item, html)
    return found


def forget() -> None:
    """Forget what this process learnt of texts (a new `make html` process knows nothing)."""
    _LINKS.clear()


class Fingerprints:
    """The fingerprints of one build's texts, each computed once."""

    def __init__(self) -> None:
        self._listing: dict[int, tuple[Any, bytes]] = {}
        self._content: dict[int, tuple[Any, bytes]] = {}

    def listing(self, item: Any) -> bytes:
        """What a list shows of a text: its metadata and summary (not its HTML).

        Its address needs no place here: Pelican derives it from the metadata and settings.
        """
        known = self._listing.get(id(item))
        if known is None or known[0] is not item:
            metadata = getattr(item, "metadata", {})
            # Without a Summary line, the summary is cut from the text: then it counts too.
            cut = "summary" not in metadata and pelican_internals.has_raw_html(item)
            summary = item.summary if cut else None
            known = (item, digest("listing", type(item).__name__, item.source_path,
                                  getattr(item, "status", None), getattr(item, "template", None),
                                  metadata, summary))
            self._listing[id(item)] = known
        return known[1]

    def text(self, item: Any, context: dict[str, Any]) -> bytes:
        """What the page of a text shows of it: metadata, HTML, what its links point to."""
        known = self._content.get(id(item))
        if known is None or known[0] is not item:
            html = pelican_internals.raw_html(item)
            html_digest = digest("html", html)
            targets = tuple(self._target(context, what, path)
                            for what, path in link_targets(item, html, html_digest))
            extra = [answer for _, answer in signal(TEXT_INPUTS_SIGNAL).send(item) if answer is not None]
            known = (item, digest("text", self.listing(item), html_digest, targets, extra))
            self._content[id(item)] = known
        return known[1]

    def _target(self, context: dict[str, Any], what: str, path: str) -> tuple[Any, ...]:
        """Summarize what a link points to: the linked text's metadata, or whether a file exists."""
        if what not in _FILE_LINKS:
            return (what, path)  # {tag}, {category}, {index}…: addresses made from names only
        for key in ("generated_content", "static_content"):
            target = context.get(key, {}).get(path)
            if target is not None:
                return (key, path, self.listing(target))
        return (what, path, None)
