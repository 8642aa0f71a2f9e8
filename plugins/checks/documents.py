"""Read our Markdown sources the way Pelican does, keeping the line of every piece.

Pelican reads the metadata header with Python-Markdown's ``meta`` extension; the rules are
copied here (not imported) because that extension forgets line numbers, and a volunteer needs
"content/x.md:3". Only reading happens here: the rules live in ``metadata``, ``links`` and
``site``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The same patterns as markdown.extensions.meta (Python-Markdown 3.x).
_META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN_RE = re.compile(r"^-{3}(\s.*)?")
_END_RE = re.compile(r"^(-{3}|\.{3})(\s.*)?")
_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass(frozen=True)
class Field:
    """One metadata line: the name as written, its value and its file line."""

    name: str
    value: str
    line: int


@dataclass
class Document:
    """A Markdown source of the site: an article or a page, with its header read."""

    path: Path  # absolute
    display: str  # what messages show, e.g. "content/x.md"
    relative: str  # relative to the content folder, with "/", e.g. "pages/x.md"
    kind: str  # "article" or "page"
    text: str
    lines: list[str]
    fields: dict[str, Field] = field(default_factory=dict)  # by lower-case name
    repeated: list[tuple[Field, Field]] = field(default_factory=list)  # (first, again)
    header_end: int = 0  # number of the last header line (0: no header)
    stopped_at: int | None = None  # a non-blank line that ended the header, if any
    # Links found in the text, kept with the document: the dev server checks the whole site on
    # every save, and only the files that changed need reading and scanning again.
    links: list[tuple[int, str, str, str]] | None = field(default=None, repr=False)
    age: tuple | None = field(default=None, repr=False)  # sort key: pages, then by date

    def value(self, name: str) -> str:
        """Return a metadata value, stripped ("" when absent)."""
        found = self.fields.get(name)
        return found.value.strip() if found else ""

    def line_of(self, name: str, default: int = 1) -> int:
        """Return the line of a metadata field, or ``default`` when it is absent."""
        found = self.fields.get(name)
        return found.line if found else default

    @property
    def status(self) -> str:
        """Return the publication status as Pelican reads it ("published" by default)."""
        return self.value("status").lower() or "published"

    @property
    def is_draft(self) -> bool:
        """Tell whether the document is a draft (shown in the preview only)."""
        return self.status == "draft"


def read_header(lines: list[str]) -> tuple[dict[str, Field], list[tuple[Field, Field]], int, int | None]:
    """Read the metadata header of a Markdown file as Python-Markdown's ``meta`` does.

    Returns the fields, the repeated ones, the last header line and, when the header was ended
    by a line that is not metadata (rather than by a blank line), that line's number.
    """
    fields: dict[str, Field] = {}
    repeated: list[tuple[Field, Field]] = []
    index = 1 if lines and _BEGIN_RE.match(lines[0]) else 0
    current: str | None = None
    last = index
    while index < len(lines):
        line = lines[index]
        number = index + 1
        if line.strip() == "" or _END_RE.match(line):
            return fields, repeated, last, None
        match = _META_RE.match(line)
        if match:
            current = match.group("key").lower()
            found = Field(match.group("key"), match.group("value").strip(), number)
            if current in fields:
                repeated.append((fields[current], found))
            else:
                fields[current] = found
        else:
            more = _META_MORE_RE.match(line)
            if not (more and current):
                return fields, repeated, last, number
            first = fields[current]
            # A value continued on an indented line: Pelican joins the lines.
            fields[current] = Field(first.name, f"{first.value} {more.group('value').strip()}", first.line)
        last = number
        index += 1
    return fields, repeated, last, None


def prose_lines(doc: Document) -> list[tuple[int, str]]:
    """Return the body's lines outside code (fenced blocks and `code spans`), with numbers.

    Links and images shown as code examples are not links: they must not be checked.
    """
    result: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(doc.lines[doc.header_end:], start=doc.header_end + 1):
        opening = _FENCE_RE.match(line)
        if fence is None and opening:
            fence = opening.group("fence")
            continue
        if fence is not None:
            closing = line.strip()
            if closing.startswith(fence[0] * len(fence)) and set(closing) == {fence[0]}:
                fence = None
            continue
        result.append((number, _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)))
    return result


# Path -> ((size, mtime_ns), display, relative, kind, document) of the last read.
_LOADED: dict[Path, tuple[tuple[int, int], str, str, str, Document]] = {}


def load(path: Path, display: str, relative: str, kind: str) -> Document:
    """Read a source file (UTF-8, with or without a byte order mark); raise on bad bytes.

    A file unchanged since its last reading in this process is not read again.
    """
    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    known = _LOADED.get(path)
    if known is not None and known[:4] == (stamp, display, relative, kind):
        return known[4]
    doc = _read(path, display, relative, kind)
    _LOADED[path] = (stamp, display, relative, kind, doc)
    return doc


def _read(path: Path, display: str, relative: str, kind: str) -> Document:
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    doc = Document(path, display, relative, kind, text, lines)
    doc.fields, doc.repeated, doc.header_end, doc.stopped_at = read_header(lines)
    return doc


def first_bad_line(path: Path) -> int:
    """Return the number of the first line that is not valid UTF-8."""
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 1
