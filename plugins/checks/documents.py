"""Read our Markdown sources the way Pelican does, keeping the line of every piece.

Pelican reads the metadata header with Python-Markdown's ``meta`` extension; the rules are
copied here (not imported) because that extension forgets line numbers, and a volunteer needs
"content/x.md:3". Only reading happens here (link targets are found by ``targets``): the rules
live in ``metadata``, ``links`` and ``site``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import drafts.header
import poll_spec
from drafts.header import HeaderArea, header_area, pelican_lines
from poll_spec import PollBlock, find_poll_blocks, may_hold_polls
from poll_spec.files import write_pickle

from .characters import CONTROL_RE, find_controls
from .inline_code import find_inline_code, may_hold
from .targets import Target, scan_links

log = logging.getLogger(__name__)

# The same patterns as markdown.extensions.meta (Python-Markdown 3.x).
_META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN_RE = re.compile(r"^-{3}(\s.*)?")
_END_RE = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# make new-article writes "[À compléter : …]" where the volunteer has to write; the bracket
# keeps the marker apart from ordinary prose ("le dossier est à compléter").
PLACEHOLDER = "[À compléter"


@dataclass(frozen=True)
class Field:
    """One metadata line: the name as written, its value and its file line."""

    name: str
    value: str
    line: int


@dataclass
class Document:
    """A Markdown source of the site: an article or a page, as far as the rules need it.

    Everything the rules look at is taken from the text once, when the file is read (header,
    links, poll blocks, placeholders); the text itself is not kept. The dev server and
    ``make html`` check the whole site at every build: only files that changed are read again
    (see ``load``), and 1,000 texts kept in memory would weigh some 20 MiB.
    """

    path: str  # absolute (a string: a cache of 1,000 Paths takes long to load)
    display: str  # what messages show, e.g. "content/x.md"
    relative: str  # relative to the content folder, with "/", e.g. "pages/x.md"
    kind: str  # "article" or "page"
    fields: dict[str, Field] = field(default_factory=dict)  # by lower-case name
    repeated: list[tuple[Field, Field]] = field(default_factory=list)  # (first, again)
    header_end: int = 0  # number of the last header line (0: no header)
    stopped_at: int | None = None  # a non-blank line that ended the header, if any
    stopped_line: str = ""  # that line's text
    # The header as Pelican reads it and the lines around it it leaves as text (strict_header).
    header_area: HeaderArea = field(default_factory=HeaderArea, repr=False)
    # Links and images of the text outside code: (line, what, first, second), see targets.
    links: tuple[Target, ...] = field(default=(), repr=False)
    poll_blocks: tuple[PollBlock, ...] = field(default=(), repr=False)
    placeholders: tuple[int, ...] = ()  # lines holding make new-article's "[À compléter"
    age: tuple | None = field(default=None, repr=False)  # sort key: pages, then by date
    # When the file was last written (ns): of two texts of one date, the later is the copy.
    mtime_ns: int = field(default=0, repr=False)
    # Control characters: (line, character, the text before it), see characters.
    controls: tuple[tuple[int, str, str], ...] = ()
    # Raw HTML the site's policy refuses: (line, kind, attribute, where), see inline_code.
    inline_code: tuple[tuple[int, str, str, str], ...] = ()

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


def poll_blocks(text: str) -> list[PollBlock]:
    """Return the ```poll blocks of a text (``find_poll_blocks``, skipped when none can be)."""
    return find_poll_blocks(text) if may_hold_polls(text) else []


# Absolute path -> ((size, mtime_ns), display, relative, kind, document) of the last read.
_LOADED: dict[str, tuple[tuple[int, int], str, str, str, Document]] = {}


def load(path: str | Path, display: str, relative: str, kind: str) -> Document:
    """Read a source file (UTF-8, with or without a byte order mark); raise on bad bytes.

    A file unchanged since its last reading (in this process, or in a build whose
    ``remember`` file was loaded by ``recall``) is not read again.
    """
    key = str(path)
    stat = os.stat(key)
    stamp = (stat.st_size, stat.st_mtime_ns)
    known = _LOADED.get(key)
    if known is not None and known[:4] == (stamp, display, relative, kind):
        return known[4]
    doc = _read(path, display, relative, kind)
    doc.mtime_ns = stamp[1]
    _LOADED[key] = (stamp, display, relative, kind, doc)
    return doc


def _read(path: str | Path, display: str, relative: str, kind: str) -> Document:
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    lines = pelican_lines(text)  # as Pelican splits them: not at U+2028, tabs expanded
    fields, repeated, header_end, stopped_at = read_header(lines)
    return Document(
        str(path), display, relative, kind, fields, repeated, header_end, stopped_at,
        stopped_line=lines[stopped_at - 1] if stopped_at else "",
        header_area=header_area(lines),
        links=scan_links(lines, header_end),
        poll_blocks=tuple(poll_blocks(text)),
        controls=find_controls(lines) if CONTROL_RE.search(text) else (),
        inline_code=find_inline_code(lines, header_end) if may_hold(text) else (),
        placeholders=tuple(number for number, line in enumerate(lines, start=1) if PLACEHOLDER in line)
        if PLACEHOLDER in text else (),
    )


# What the documents read depend on besides their file: this code, the poll block finder and
# the header reading shared with plugins/drafts.
_CODE = (*sorted(Path(__file__).parent.glob("*.py")), *sorted(Path(poll_spec.__file__).parent.glob("*.py")),
         Path(drafts.header.__file__))


def _code_fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=16)
    for source in _CODE:
        digest.update(source.read_bytes())
    return digest.hexdigest()


# Memory file -> (its size and date, the (path, stamp, display, relative, kind) it holds), as
# this process last read or wrote it: an unchanged file is neither read nor written again.
_MEMORY: dict[Path, tuple[tuple[int, int], frozenset]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def recall(memory: Path) -> None:
    """Take the documents a previous build kept in ``memory`` (a file of the cache folder).

    Only documents whose file still has the same size and date are used, as within one
    process; a file written by another version of the checker is ignored.
    """
    stamp = _stamp(memory)
    if stamp is None or (memory in _MEMORY and _MEMORY[memory][0] == stamp):
        return
    try:
        with memory.open("rb") as handle:
            saved = pickle.load(handle)
    except Exception as problem:  # noqa: BLE001 - a damaged cache only means reading again
        log.debug("checks: %s ignored (%s)", memory, problem)
        return
    if not isinstance(saved, dict) or saved.get("code") != _code_fingerprint():
        return
    documents = saved.get("documents", {})
    for path, entry in documents.items():
        _LOADED.setdefault(path, entry)
    _MEMORY[memory] = (stamp, _contents(documents))


def _contents(documents: dict[str, tuple]) -> frozenset:
    return frozenset((path, *entry[:4]) for path, entry in documents.items())


def remember(memory: Path, paths: Iterable[str]) -> None:
    """Keep the documents of ``paths`` in ``memory`` for the next build (written atomically)."""
    documents = {path: _LOADED[path] for path in paths if path in _LOADED}
    contents = _contents(documents)
    known = _MEMORY.get(memory)
    if known is not None and known[1] == contents and _stamp(memory) == known[0]:
        return  # nothing was read again: the file already holds these documents
    write_pickle(memory, {"code": _code_fingerprint(), "documents": documents})
    stamp = _stamp(memory)
    if stamp is not None:
        _MEMORY[memory] = (stamp, contents)


def first_bad_line(path: Path) -> int:
    """Return the number of the first line that is not valid UTF-8."""
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 1
