"""Weigh what a reader downloads: the poll script, the CSS, and a whole article page with a poll.

Sizes are bytes raw and gzipped (level 9, as ``gzip -9``; each file compressed on its own, as
a server sends them). The article page comes from a real build of content/ with
pelicanconf.py, so it holds whatever the theme and plugins emit today.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bench.procs import run_measured

ROOT = Path(__file__).resolve().parent.parent
PELICAN = Path(sys.executable).with_name("pelican")
POLL_SCRIPT = ROOT / "theme" / "static" / "js" / "polls.js"
CSS_DIR = ROOT / "theme" / "static" / "css"


@dataclass(frozen=True)
class Weight:
    """Raw and gzipped bytes of one or more files."""

    raw: int
    gzipped: int
    files: tuple[str, ...] = ()

    def __add__(self, other: Weight) -> Weight:
        return Weight(self.raw + other.raw, self.gzipped + other.gzipped, self.files + other.files)


@dataclass(frozen=True)
class WeightResult:
    """The weights reported in the table (``page`` is None when no built article holds a poll)."""

    poll_script: Weight
    css: Weight
    page: Weight | None
    page_images: Weight | None
    page_path: str | None


def weigh(data: bytes, name: str = "") -> Weight:
    """Return the raw and gzipped size of ``data``."""
    return Weight(len(data), len(gzip.compress(data, compresslevel=9, mtime=0)), (name,))


def weigh_files(paths: list[Path], base: Path) -> Weight:
    """Sum the weights of ``paths``, named relative to ``base``."""
    total = Weight(0, 0)
    for path in paths:
        total += weigh(path.read_bytes(), str(path.relative_to(base)))
    return total


class _Assets(HTMLParser):
    """Collect the stylesheets, scripts and images a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and "stylesheet" in values.get("rel", "").split() and values.get("href"):
            self.css.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.js.append(values["src"])
        elif tag == "img" and values.get("src"):
            self.images.append(values["src"])


def find_poll_page(output: Path, content: Path) -> Path | None:
    """Return the built page of the first article holding a poll."""
    manifest = output / "polls.json"
    if manifest.is_file():
        polls = json.loads(manifest.read_text(encoding="utf-8")).get("polls", [])
        for poll in polls:
            url = (poll.get("url") or "").lstrip("/")
            candidate = output / url / "index.html" if not url.endswith(".html") else output / url
            if url and candidate.is_file():
                return candidate
    # Before the plugin writes polls.json: the article's slug, saved as pelicanconf says.
    for source in sorted(content.rglob("*.md")):
        text = source.read_text(encoding="utf-8")
        if "```poll" in text:
            slug = re.search(r"^Slug:\s*(\S+)", text, re.MULTILINE)
            page = output / (slug.group(1) if slug else source.stem) / "index.html"
            if page.is_file():
                return page
    return None


def _local(output: Path, url: str) -> Path | None:
    """Map a root-relative URL of the built site to its file, None for external ones."""
    if re.match(r"^[a-z]+:|^//", url):
        return None
    path = output / url.split("?")[0].split("#")[0].lstrip("/")
    return path if path.is_file() else None


def run(workdir: Path) -> WeightResult:
    """Build content/ into ``workdir`` and weigh the poll script, the CSS and a poll page."""
    output = workdir / "output"
    workdir.mkdir(parents=True, exist_ok=True)
    run_measured([str(PELICAN), str(ROOT / "content"), "-o", str(output), "-s",
                  str(ROOT / "pelicanconf.py"), "--cache-path", str(workdir / "cache"),
                  "--ignore-cache", "--fatal", "errors"], cwd=ROOT, log_file=workdir / "build.log")
    poll_script = weigh_files([POLL_SCRIPT], ROOT)
    css = weigh_files(sorted(CSS_DIR.glob("*.css")), ROOT)
    page_file = find_poll_page(output, ROOT / "content")
    if page_file is None:
        return WeightResult(poll_script, css, None, None, None)
    html = page_file.read_bytes()
    assets = _Assets()
    assets.feed(html.decode("utf-8"))
    loaded = [path for url in assets.css + assets.js if (path := _local(output, url))]
    images = [path for url in assets.images if (path := _local(output, url))]
    page = weigh(html, str(page_file.relative_to(output))) + weigh_files(loaded, output)
    return WeightResult(poll_script, css, page, weigh_files(images, output),
                        str(page_file.relative_to(output)))
