"""```poll blocks in Markdown: find them with their file lines, read their fields.

Lines are split exactly as Python-Markdown splits them (``split_lines``): on "\\n", after
"\\r\\n" and "\\r" became "\\n". ``str.splitlines`` would also break at U+2028, U+0085, a
form feed and a few more, so a file holding one of them before a poll would have its blocks
found on other lines than Markdown sees, and text between them dropped. Every pass that
counts lines (the Markdown extension, ``make check``) uses this one rule.

Blocks a writer meant as polls but Markdown would not make polls (```` ```Poll ````, a poll in a
list or a quotation...) are found too, carrying their mistake (``poll_spec.fences``), so
``parse_block`` fails with the line and the fix; a block inside an HTML comment is not found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fences import CANDIDATE_RE, FENCE_OPEN_RE, NESTED_PREFIX_RE, FenceReader, holds_candidate, may_open
from .model import Poll, PollReference, PollSyntaxError
from .validator import FIELDS, PollFields, validate

# Fields whose value may end with a "# comment"; a question or a label is taken literally,
# because a writer may well ask about "l'option #2".
_COMMENTABLE = {"id", "multiple", "opens", "closes", "results"}
_FIELD_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$")
_KEYED_OPTION_RE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)\s*:\s+(.+)$")


def split_lines(text: str) -> list[str]:
    """Split a text into lines as Python-Markdown does; a final line break ends the last line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class PollBlock:
    """A ```poll fenced block found in a Markdown file; lines are 1-based file lines."""

    line: int
    body: str
    body_line: int
    closed: bool = True
    # The closing fence's line (the file's last line when the block is never closed), so a
    # caller can replace the whole block without locating its end a second time.
    end_line: int = 0
    # Why Markdown would not make this block a poll (see poll_spec.fences), when it would not.
    mistake: str | None = None


def may_hold_polls(markdown_text: str) -> bool:
    """Tell whether a text may hold a poll block: most texts have no line that could open one.

    Only the fences decide, never the words: a near miss such as ```pull or a bare fence
    followed by ``id:`` holds no poll word, and must still be told to the writer.
    """
    return _any_opening(markdown_text)


def find_poll_blocks(markdown_text: str) -> list[PollBlock]:
    """Find every ```poll block of a Markdown source, with the line it starts on.

    The Markdown extension and ``make check`` both locate blocks through this function, so
    they agree on line numbers. An unclosed block runs to the end of the file. A ```poll
    block inside another fenced block (a listing that shows the syntax) is text, not a poll.
    """
    if not _any_opening(markdown_text):
        return []
    blocks: list[PollBlock] = []
    lines = split_lines(markdown_text)
    reader = FenceReader()
    index = 0
    while index < len(lines):
        line = lines[index]
        if reader.hidden(line):  # inside an HTML comment: nothing there is shown
            index += 1
            continue
        opening = reader.opening(line, lines[index + 1] if index + 1 < len(lines) else "")
        if opening is None:
            listing = FENCE_OPEN_RE.match(line)
            # A listing is skipped whole; a fence never closed is no listing for
            # Python-Markdown, so reading goes on from the next line.
            end = _closing(lines, index, listing.group("fence")) if listing else len(lines)
            index = end + 1 if end < len(lines) else index + 1
            continue
        end = _closing(lines, index, opening.fence, NESTED_PREFIX_RE if opening.nested else None)
        blocks.append(
            PollBlock(
                line=index + 1,
                body="\n".join(lines[index + 1 : end]),
                body_line=index + 2,
                closed=end < len(lines),
                end_line=min(end + 1, len(lines)),
                mistake=opening.mistake,
            )
        )
        index = end + 1
    return blocks


def _any_opening(markdown_text: str) -> bool:
    """Tell whether any line of a text (split as ``split_lines`` does) may open a poll.

    Only the lines holding a ``CANDIDATE_RE`` can, and each is asked to ``may_open`` with the
    line after it (``poll_spec.fences``). A text where none can is left at once: reading all
    its lines with a ``FenceReader`` costs far more, and most texts hold no poll.
    """
    if not holds_candidate(markdown_text):
        return False
    text = markdown_text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in markdown_text else markdown_text
    candidate = CANDIDATE_RE.search(text)
    while candidate:
        start = text.rfind("\n", 0, candidate.start()) + 1
        end = _line_end(text, start)
        following = text[end + 1 : _line_end(text, end + 1)] if end < len(text) else ""
        if may_open(text[start:end], following):
            return True
        candidate = CANDIDATE_RE.search(text, end)  # on a line after this one
    return False


def _line_end(text: str, start: int) -> int:
    """Return where the line starting at ``start`` ends: at its "\\n", or at the text's end."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _closing(lines: list[str], start: int, fence: str, prefix: re.Pattern | None = None) -> int:
    """Return the index of the line closing ``fence`` after ``start`` (len(lines) if none)."""
    if not fence:  # a near miss with no fence of its own: the block is its one line
        return start + 1 if start + 1 < len(lines) else len(lines)
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    end = start + 1
    while end < len(lines) and not closing.match(prefix.sub("", lines[end]) if prefix else lines[end]):
        end += 1
    return end


def parse_poll(text: str, source: str | None = None, first_line: int = 1) -> Poll | PollReference:
    """Parse and validate the body of a ```poll block.

    ``first_line`` is the file line of the block's first body line, so errors point at the
    writer's file. Raises ``PollSyntaxError`` on the first mistake.
    """
    try:
        fields = read_fields(split_lines(text), first_line)
    except PollSyntaxError as error:
        error.source = source
        raise
    return validate(fields, source)


def parse_block(block: PollBlock, source: str | None = None) -> Poll | PollReference:
    """Parse a block found by ``find_poll_blocks``; a mistake or an unclosed fence is an error too."""
    if block.mistake:
        raise PollSyntaxError(block.mistake, block.line, source)
    if not block.closed:
        raise PollSyntaxError(
            "Le bloc ```poll n'est jamais fermé : ajoutez une ligne ``` après sa dernière ligne.",
            block.line,
            source,
        )
    return parse_poll(block.body, source, block.body_line)


def read_fields(lines: list[str], first_line: int) -> PollFields:
    """Read a block's lines into fields; only the block syntax is checked here."""
    fields = PollFields(first_line=first_line)
    in_options = False
    for number, raw in enumerate(lines, start=first_line):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("-"):
            if not in_options:
                raise PollSyntaxError(
                    "Une ligne commence par « - » hors de la liste des réponses. "
                    "Placez les réponses sous une ligne « options: ».",
                    number,
                )
            text = stripped[1:].strip()
            match = _KEYED_OPTION_RE.match(text)
            key, label = (match.group(1), match.group(2).strip()) if match else (None, text)
            fields.options.append((key, label, number))
            continue
        match = _FIELD_RE.match(stripped)
        if not match:
            raise PollSyntaxError(
                f"Ligne incomprise : « {stripped} ». Chaque ligne doit être de la forme "
                "« champ: valeur » (par exemple « question: Votre avis ? »).",
                number,
            )
        name, value = match.group(1).lower(), (match.group(2) or "").strip()
        if name not in FIELDS:
            raise PollSyntaxError(
                f"Champ inconnu « {name} ». Les champs possibles sont : {', '.join(FIELDS)}.",
                number,
            )
        if name in fields.lines:
            raise PollSyntaxError(
                f"Le champ « {name} » apparaît deux fois (déjà à la ligne {fields.lines[name]}). "
                "Gardez-en un seul.",
                number,
            )
        if name in _COMMENTABLE:
            value = re.sub(r"\s+#.*$", "", value).strip()
        fields.lines[name] = number
        in_options = name == "options"
        if in_options:
            if value:
                raise PollSyntaxError(
                    "Les réponses se mettent sur les lignes suivantes, une par ligne, "
                    "commençant par « - » (par exemple « - oui: Oui »).",
                    number,
                )
            continue
        fields.values[name] = value
    return fields
