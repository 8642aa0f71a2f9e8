"""Find what the links and images of a Markdown text point to, as the writer wrote it.

Three ways to write a link or an image, each found whole (spaces in a file name included):
Markdown's ``[texte](cible)`` and ``![description](cible)``, reference definitions
``[nom]: cible``, and raw HTML (``<a href>``, ``<img src>``, ``srcset``, ``<source>``...).
Text shown as code, and HTML comments, are not read: they show nothing on the page.

Each target becomes ``(line, what, first, second)``:
- ``("intrasite", kind, path)``: ``{filename}``, ``{static}`` or ``{attach}`` and the path after it;
- ``("image", url, "")``: an image written without them;
- ``("link", url, "")``: a link written without them;
and each image's description ``("alt", description, "")``, however its file is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Pelican's intrasite link syntax: {what}path or |what|path.
INTRASITE_RE = re.compile(r"^(?:\{(?P<a>filename|static|attach)\}|\|(?P<b>filename|static|attach)\|)(?P<path>.*)$")
# Any intrasite link left in the text (a form the patterns below do not read), up to a space.
LOOSE_INTRASITE_RE = re.compile(r"(?:\{(?:filename|static|attach)\}|\|(?:filename|static|attach)\|)[^\s)\"'>\]]*")
# Markdown's link destination: <anything but ">">, or words that may hold single spaces, then an
# optional "title" and the closing parenthesis (as Python-Markdown reads it).
_DESTINATION = (r"\(\s*(?:<(?P<angle>[^>\n]*)>|(?P<bare>(?:[^()\s]|\s+(?![\"'(]))+?))"
                r"\s*(?:\"[^\"]*\"|'[^']*'|\([^)]*\))?\s*\)")
MD_IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]" + _DESTINATION)
MD_LINK_RE = re.compile(r"(?<!!)\[(?:[^\]]*)\]" + _DESTINATION)
REFERENCE_RE = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:\s*(?:<(?P<angle>[^>]*)>|(?P<bare>\S+))")
HTML_TAG_RE = re.compile(r"<(?P<tag>[a-zA-Z][a-zA-Z0-9]*)\b(?P<attributes>[^>]*)>")
HTML_ATTRIBUTE_RE = re.compile(
    r"(?<![\w-])(?P<name>[a-zA-Z-]+)\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<uq>[^\s\"'>]+))")
# Attributes holding an address, by tag; srcset holds several ("a.png 1x, b.png 2x").
HTML_IMAGES = {"img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("poster",),
               "input": ("src",)}
HTML_LINKS = {"a": ("href",), "area": ("href",), "audio": ("src",), "video": ("src",),
              "iframe": ("src",), "embed": ("src",), "object": ("data",), "track": ("src",)}

Target = tuple[int, str, str, str]


def prose_lines(lines: list[str], header_end: int) -> list[tuple[int, str]]:
    """Return the body's lines outside code and HTML comments, with their numbers.

    Code (fenced blocks and `code spans`) and comments are blanked, not removed: the columns of
    what remains stay where they were.
    """
    body = lines[header_end:]
    joined = "\n".join(body)
    if "`" not in joined and "~" not in joined and "<!--" not in joined:
        return list(enumerate(body, start=header_end + 1))  # most texts: no code, no comment
    result: list[tuple[int, str]] = []
    fence: str | None = None
    in_comment = False
    for number, line in enumerate(body, start=header_end + 1):
        if fence is not None:
            closing = line.strip()
            if closing.startswith(fence[0] * len(fence)) and set(closing) == {fence[0]}:
                fence = None
            continue
        if not in_comment and "`" not in line and "~" not in line and "<!--" not in line:
            result.append((number, line))  # most lines: no code, no comment
            continue
        if not in_comment:
            opening = _FENCE_RE.match(line)
            if opening:
                fence = opening.group("fence")
                continue
        line, in_comment = _without_comments(line, in_comment)
        result.append((number, _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)))
    return result


def _without_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Blank the parts of a line inside <!-- ... -->; tell whether a comment is still open."""
    kept = []
    position = 0
    while position < len(line):
        if in_comment:
            end = line.find("-->", position)
            if end < 0:
                kept.append(" " * (len(line) - position))
                return "".join(kept), True
            kept.append(" " * (end + 3 - position))
            position = end + 3
            in_comment = False
        else:
            start = line.find("<!--", position)
            if start < 0:
                kept.append(line[position:])
                break
            kept.append(line[position:start])
            position = start
            in_comment = True
    return "".join(kept), in_comment


def classify(line: int, target: str, image: bool = False) -> Target:
    """Return what a link or image target is: intrasite, image or plain link."""
    target = target.strip()
    found = INTRASITE_RE.match(target)
    if found:
        return (line, "intrasite", found.group("a") or found.group("b"), found.group("path"))
    return (line, "image" if image else "link", target, "")


def _destination(match: re.Match) -> str:
    angle = match.group("angle")
    return angle if angle is not None else match.group("bare")


def _html_targets(number: int, line: str) -> Iterator[Target]:
    for tag in HTML_TAG_RE.finditer(line):
        name = tag.group("tag").lower()
        attributes = {found.group("name").lower(): next(v for v in found.group("dq", "sq", "uq") if v is not None)
                      for found in HTML_ATTRIBUTE_RE.finditer(tag.group("attributes"))}
        for attribute in HTML_IMAGES.get(name, ()):
            if attribute not in attributes:
                continue
            if attribute == "srcset":
                for candidate in attributes[attribute].split(","):
                    if candidate.strip():
                        yield classify(number, candidate.split()[0], image=True)
                continue
            if name == "img" and attribute == "src":
                yield (number, "alt", attributes.get("alt", ""), "")
            yield classify(number, attributes[attribute], image=True)
        for attribute in HTML_LINKS.get(name, ()):
            if attribute in attributes:
                yield classify(number, attributes[attribute])


def scan_links(lines: list[str], header_end: int) -> tuple[Target, ...]:
    """Return every link and image target of a text, in the order of the text."""
    found: list[Target] = []
    for number, line in prose_lines(lines, header_end):
        if "[" not in line and "{" not in line and "|" not in line and "<" not in line:
            continue  # no link, image or tag: most lines (tested quicker than with any())
        rest = line
        if "](" in line:
            for match in MD_IMAGE_RE.finditer(line):
                found.append((number, "alt", match.group("alt"), ""))
                found.append(classify(number, _destination(match), image=True))
            for match in MD_LINK_RE.finditer(line):
                found.append(classify(number, _destination(match)))
            rest = MD_LINK_RE.sub(" ", MD_IMAGE_RE.sub(" ", rest))
        reference = REFERENCE_RE.match(rest)
        if reference:
            found.append(classify(number, _destination(reference)))
            rest = ""
        if "<" in rest:
            found.extend(_html_targets(number, rest))
            rest = HTML_TAG_RE.sub(" ", rest)
        for loose in LOOSE_INTRASITE_RE.finditer(rest):
            found.append(classify(number, loose.group(0)))
    return tuple(found)
