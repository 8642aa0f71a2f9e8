"""A Markdown source's header as Pelican reads it, and the header area around it.

Pelican reads a file's information (Title, Date, Status…) with Python-Markdown's ``meta``
extension: lines ``Name: value`` from the top, up to the first blank line or the first line
that is not of that form. Anything after that is article text, even a line that looks like
information. A writer cannot see the difference, so a ``Status: draft`` put after a stray
blank line, written ``Statut : brouillon`` or indented, used to leave the file published.

This module reads a file the way Pelican does (same line ends, same tab expansion, same
patterns) and also looks past the point where Pelican stops: the *header area* is the header
plus the lines just after it that are blank or look like information, up to the first line of
real text. It is the one reading shared by the build (plugins/drafts: a file that says draft
anywhere in its header area is never published) and by the checker (plugins/checks: every
line of the area that Pelican does not read is an error, with its line). Pure Python: no
Pelican, no Markdown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TAB_LENGTH = 4  # Python-Markdown's default, used by Pelican
# The patterns of markdown.extensions.meta (Python-Markdown 3.x): what Pelican reads.
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
BEGIN_RE = re.compile(r"^-{3}(\s.*)?")
END_RE = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# Invisible characters an editor or a copy from a web page may leave at the start of a line.
_INVISIBLE = "\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff"
# What a writer may take for a line of information: a name of one to three words, any
# spaces (ordinary, non-breaking or thin, as French typography puts before ":"), a colon
# (or a full-width one), a value. "https://…" is not a name.
LOOKS_LIKE_FIELD_RE = re.compile(
    rf"^(?P<indent>[\s{_INVISIBLE}]*)"
    r"(?P<name>[^\W\d_][\w'’-]*(?:[ \u00a0][\w'’-]+){0,2}?)"
    rf"(?P<space>[\s{_INVISIBLE}]*)[:\uff1a\ufe55](?!//)(?P<value>.*)$")
# Line breaks Python's splitlines() knows but Markdown does not: to Pelican they are inside a line.
HIDDEN_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_HIDDEN_BREAK_RE = re.compile(f"[{HIDDEN_BREAKS}]")
_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+).+?\1")

# Every field Pelican and our theme read, by normalised name (see ``normalise``), with the
# names volunteers naturally try in French or English.
FIELD_NAMES: dict[str, str] = {
    **{name: name.capitalize() for name in (
        "title", "date", "modified", "category", "tags", "slug", "authors", "author", "summary",
        "image", "image-alt", "image-caption", "status", "lang", "translation", "template",
        "save-as", "url", "menu", "menu-label")},
    "titre": "Title", "sous-titre": "Title",
    "modifie": "Modified", "mise-a-jour": "Modified", "mis-a-jour": "Modified", "maj": "Modified",
    "categorie": "Category", "categories": "Category", "rubrique": "Category",
    "tag": "Tags", "etiquette": "Tags", "etiquettes": "Tags", "mots-cles": "Tags", "mot-cle": "Tags",
    "adresse": "Slug", "auteur": "Authors", "auteurs": "Authors", "autrice": "Authors",
    "autrices": "Authors", "auteur-rice": "Authors", "resume": "Summary", "chapo": "Summary",
    "chapeau": "Summary", "description": "Summary", "illustration": "Image", "photo": "Image",
    "alt": "Image_alt", "texte-alternatif": "Image_alt", "legende": "Image_caption",
    "statut": "Status", "etat": "Status", "state": "Status", "langue": "Lang",
    "brouillon": "Status", "draft": "Status",
}
# Names under which a writer says "this is a draft" by the value, and names that say it alone.
STATUS_NAMES = frozenset(name for name, canonical in FIELD_NAMES.items()
                         if canonical == "Status" and name not in ("brouillon", "draft"))
DRAFT_NAMES = frozenset(("brouillon", "draft"))
DRAFT_WORDS = frozenset(("draft", "drafts", "brouillon", "brouillons"))
NO_WORDS = frozenset(("non", "no", "false", "faux", "0"))
# "Status: draft" written inside another line (a value continued, a hidden line break).
_DRAFT_INSIDE_RE = re.compile(
    rf"(?:^|[^\w])(?:status|statut|[ée]tat)[\s{_INVISIBLE}]*[:\uff1a\ufe55][\s{_INVISIBLE}]*"
    r"(?:draft|brouillon)s?\b", re.IGNORECASE)


# Cached: a file's header asks for the same few names again and again (every line's field
# and whether it says draft), and NFKD is the costly part of reading a header.
@lru_cache(maxsize=1024)
def normalise(name: str) -> str:
    """Return a field name without case, accents or spacing: "Mots clés" -> "mots-cles"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s_'’·.-]+", "-", plain).strip("-")


def pelican_lines(text: str) -> list[str]:
    """Split a decoded file into lines exactly as Pelican and Python-Markdown see them.

    Only "\\n", "\\r\\n" and "\\r" end a line (not U+2028 and its kind); tabs become spaces.
    """
    text = text.replace("\x02", "").replace("\x03", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final line break ends the last line
    if "\t" not in text:  # most files: no line to expand
        return lines
    return [line.expandtabs(TAB_LENGTH) for line in lines]


@dataclass(frozen=True)
class Line:
    """A line that looks like information: its number, the name and value as written."""

    number: int
    name: str
    value: str
    indented: bool = False  # starts with spaces or invisible characters
    spaced: bool = False  # a space (or an odd colon) between the name and ":"

    @property
    def written(self) -> str:
        """Return the name and colon as the writer wrote them: "Statut :", "Résumé:"."""
        return f"{self.name} :" if self.spaced else f"{self.name}:"

    @property
    def field(self) -> str | None:
        """Return the field this name means ("Status" for "Statut"), or None if unknown."""
        return FIELD_NAMES.get(normalise(self.name))

    @property
    def says_draft(self) -> bool:
        """Tell whether this line marks its file as a draft, in any spelling."""
        name = normalise(self.name)
        if name in STATUS_NAMES:
            return _first_word(self.value) in DRAFT_WORDS
        if name in DRAFT_NAMES:
            return _first_word(self.value) not in NO_WORDS
        value = self.value
        # The pattern needs a colon, which most values lack: a quicker answer than its search.
        return (":" in value or "\uff1a" in value or "\ufe55" in value) and bool(_DRAFT_INSIDE_RE.search(value))


def _first_word(value: str) -> str:
    """Return the first word of a value, as ``normalise`` writes it: "Brouillon !" -> "brouillon"."""
    return normalise(value).split("-")[0]


@dataclass(frozen=True)
class HeaderArea:
    """What Pelican reads as information, and the lines around it that it leaves as text.

    Line numbers count from 1, as editors show them.
    """

    fields: tuple[Line, ...] = ()  # read by Pelican (a value continued on indented lines: joined)
    joined: tuple[Line, ...] = ()  # indented lines Pelican glues to the previous field's value
    end: int = 0  # the last line of Pelican's header (0: none)
    ended_by: str = "eof"  # "blank", "marker" (--- or ...), "line" (a line of text) or "eof"
    stop: Line | None = None  # the line that ended the header, when it looks like information
    stray: tuple[Line, ...] = ()  # lines after the header that look like information
    blanks: tuple[int, ...] = ()  # blank lines between the header and the last stray line
    hidden_breaks: tuple[int, ...] = ()  # header-area lines holding a U+2028-like break
    draft_lines: tuple[int, ...] = ()  # every header-area line that says draft
    later_draft_lines: tuple[int, ...] = ()  # whole "Status: draft" lines further in the text

    @property
    def says_draft(self) -> bool:
        """Tell whether the file says draft anywhere in its header area."""
        return bool(self.draft_lines)

    @property
    def pelican_status(self) -> str:
        """Return the status Pelican reads ("published" when there is none)."""
        values = [line.value for line in self.fields if line.name.lower() == "status"]
        return values[0].strip().lower() if values else "published"


def _looks_like_field(line: str, number: int) -> Line | None:
    match = LOOKS_LIKE_FIELD_RE.match(line)
    if not match or len(match.group("name")) > 30:
        return None
    colon = line[match.end("space")]
    return Line(number, match.group("name"), match.group("value").strip(), bool(match.group("indent")),
                spaced=bool(match.group("space")) or colon != ":")


def read_header_area(text: str) -> HeaderArea:
    """Read a file's header as Pelican does, then the header area past it (see module doc)."""
    return header_area(pelican_lines(text))


def header_area(lines: list[str]) -> HeaderArea:
    """Return the header area of a file already split by ``pelican_lines`` (the checker's case)."""
    fields: list[Line] = []
    joined: list[Line] = []
    index = 1 if lines and BEGIN_RE.match(lines[0]) else 0
    end, ended_by, stop = index, "eof", None
    while index < len(lines):
        line, number = lines[index], index + 1
        if line.strip() == "" or END_RE.match(line):
            ended_by = "blank" if line.strip() == "" else "marker"
            break
        match = META_RE.match(line)
        if match:
            fields.append(Line(number, match.group("key"), match.group("value").strip()))
        elif META_MORE_RE.match(line) and fields:
            # Pelican glues an indented line to the previous value: keep it to look at it.
            last = fields[-1]
            fields[-1] = Line(last.number, last.name, f"{last.value} {line.strip()}", last.indented)
            found = _looks_like_field(line, number)
            if found:
                joined.append(found)
        else:
            ended_by, stop = "line", _looks_like_field(line, number)
            break
        end = number
        index += 1
    stray, blanks = _after_header(lines, index + (ended_by == "marker") + (stop is not None))
    area = [*fields, *joined, *([stop] if stop else []), *stray]
    area_numbers = range(1, max([end, *(line.number for line in area)]) + 1)
    return HeaderArea(
        fields=tuple(fields), joined=tuple(joined), end=end, ended_by=ended_by, stop=stop,
        stray=tuple(stray), blanks=tuple(blanks),
        hidden_breaks=tuple(n for n in area_numbers if _HIDDEN_BREAK_RE.search(lines[n - 1])),
        draft_lines=tuple(sorted({line.number for line in area if line.says_draft})),
        later_draft_lines=_later_draft_lines(lines, max(area_numbers, default=0)),
    )


def _after_header(lines: list[str], start: int) -> tuple[list[Line], list[int]]:
    """Return the lines after the header that look like information, and the blank lines
    among them, up to the first line of text."""
    stray: list[Line] = []
    blanks: list[int] = []
    pending: list[int] = []
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        if line.strip(" \t" + _INVISIBLE) == "":
            pending.append(number)
            continue
        found = _looks_like_field(line, number)
        if found is None:
            break
        stray.append(found)
        blanks += pending
        pending = []
    return stray, blanks


def _later_draft_lines(lines: list[str], after: int) -> tuple[int, ...]:
    """Return the lines after line ``after`` that are a whole "Status: draft"-like line of text.

    Code (fenced blocks, indented blocks, `spans`) and HTML comments are left out: a guide
    showing the syntax does not say draft.
    """
    rest = "\n".join(lines[after:]).lower()
    if "draft" not in rest and "brouillon" not in rest:
        return ()  # most texts: no line below can say draft, and none needs reading
    found = []
    fence: str | None = None
    in_comment = False
    for number, line in enumerate(lines[after:], start=after + 1):
        if fence is not None:
            closing = line.strip()
            if closing.startswith(fence) and set(closing) == {fence[0]}:
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
            continue
        opening = _FENCE_RE.match(line)
        if opening:
            fence = opening.group("fence")
            continue
        lowered = line.lower()
        if line.startswith(" " * TAB_LENGTH) or ("draft" not in lowered and "brouillon" not in lowered):
            continue
        candidate = _looks_like_field(_CODE_SPAN_RE.sub("", line), number)
        if candidate is not None and candidate.field == "Status" and candidate.says_draft:
            found.append(number)
    return tuple(found)


def says_draft(text: str) -> bool:
    """Tell whether a source says draft in its header area, in any way a writer may write it."""
    return read_header_area(text).says_draft
