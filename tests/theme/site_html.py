"""Reading a built site: its HTML pages, parsed, and where their links point."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html


def html_pages(output: Path) -> list[Path]:
    """Every HTML page of a built site."""
    return sorted(output.rglob("*.html"))


def parse(path: Path) -> lxml.html.HtmlElement:
    """Parse one built page."""
    return lxml.html.fromstring(path.read_bytes())


def target_file(output: Path, page: Path, url: str) -> Path | None:
    """The file a same-site link leads to, or None for another site (or a service URL)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page
    base = output if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    return target / "index.html" if path.endswith("/") or target.is_dir() else target
