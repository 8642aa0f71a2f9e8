"""Which lines of a Markdown text open a poll, and which only look as if they meant to.

The one way to open a poll is three backticks and ``poll`` (```` ```poll ````), at the start of a
line. A writer also types ```` ```Poll ````, ```` ```sondage ````, ```` ``` poll ````, ``~~~poll``,
``'''poll``, or puts the block in a list item, a quotation (``> ```poll``) or a footnote, where
Markdown shows it as text or cuts the list in two. ``opening`` tells these apart, so the block
finder (``poll_spec.blocks``) can carry the writer's mistake, with its fix, to the build and to
``make check`` alike. HTML comments are tracked too: what they hold is never shown, so a poll
there is no poll.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Any fenced block's opening line (at most three spaces before it).
FENCE_OPEN_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
# The one way to open a poll: three (or more) backticks, then "poll", nothing else.
POLL_OPEN_RE = re.compile(r"^ {0,3}`{3,}poll\s*$")
# Fences Markdown does not know, that writers type: one or two backticks, ''' or """.
_ALMOST_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{1,2}|'{3,}|\"{3,})\s*(?P<info>\S.*)$")
# A fence after quotation marks, a list marker or a footnote label.
_NESTED_FENCE_RE = re.compile(
    r"^(?P<prefix>(?: {0,3}(?:>|[-*+]|\d{1,9}[.)]|\[\^[^\]]+\]:)[ \t]*)+)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
# A fence indented as the text of a list item or footnote goes on.
_INDENTED_FENCE_RE = re.compile(r"^(?P<prefix>\s{4,})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_LIST_ITEM_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_FOOTNOTE_RE = re.compile(r"^ {0,3}\[\^[^\]]+\]:")
# What every line ``FenceReader.opening`` accepts holds: a backtick (every backtick fence,
# right or wrong), three tildes, ''' or """. Most texts hold none, and need no reading line by
# line. (Anchored at line starts, the pattern would find fewer lines but search far slower.)
CANDIDATE_RE = re.compile(r"`|~~~|'''|\"\"\"")
# Prefixes to take off a nested block's lines to find its closing fence.
NESTED_PREFIX_RE = re.compile(r"^(?: {0,3}>)+ ?|^\s+")
# Info strings that mean "poll" to a writer but not to Markdown (compared without accents).
_MEANT_POLL = {"poll", "polls", "pol", "pool", "pole", "sondage", "sondages", "vote", "votes",
               "survey", "questionnaire"}
FIX = "écrivez exactement « ```poll » : trois accents graves (`) puis poll, en minuscules, sans espace"


@dataclass(frozen=True)
class Opening:
    """A line that opens a poll block (``mistake`` None) or was meant to."""

    fence: str  # the fence to look for at the end of the block ("" when it has none)
    mistake: str | None
    nested: bool = False  # the block's lines carry the prefix of a quotation or a list


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def meant_as_poll(info: str) -> bool:
    """Tell whether a fence's info string is a writer's way of asking for a poll."""
    word = _plain(info).rstrip(":")
    words = word.split()
    return word in _MEANT_POLL or (bool(words) and words[0] in ("poll", "sondage")) or (
        len(word) == 4 and sum(a != b for a, b in zip(word, "poll")) == 1)


def near_miss(line: str) -> str:
    """Return the message for a line that means a poll but does not open one."""
    return (f"La ligne « {line.strip()} » n'ouvre pas de sondage : {FIX}. Tant qu'elle reste "
            "ainsi, le bloc s'affiche comme du texte.")


def misplaced(where: str) -> str:
    """Return the message for a poll inside a list, a quotation or a footnote."""
    return (f"Un sondage ne peut pas se trouver dans {where} : il s'y afficherait comme du texte. "
            "Placez le bloc ```poll au début d'une ligne, hors de toute liste, citation ou note "
            "(sans « > » ni tiret devant), avec une ligne vide avant et après.")


def _where(prefix: str, context: str) -> str:
    if ">" in prefix:
        return "une citation (ligne commençant par « > »)"
    if "[^" in prefix or context == "note":
        return "une note de bas de page"
    return "une liste"


class FenceReader:
    """Read a text line by line, telling which lines open a poll (see ``Opening``).

    It remembers whether an HTML comment is open, and whether list items (or a footnote) go
    on, which decides what an indented fence is: the text of an item, or a code listing.
    """

    def __init__(self) -> None:
        self.in_comment = False
        self.context = ""  # "liste" or "note" while list items (or a footnote) go on

    def hidden(self, line: str) -> bool:
        """Tell whether a line is inside (or opens) an HTML comment, so shows nothing."""
        if not self.in_comment and "<!--" not in line:
            return False
        was_open = self.in_comment
        self.in_comment = _comment_open_after(line, self.in_comment)
        return was_open or self.in_comment or line.lstrip().startswith("<!--")

    def opening(self, line: str, next_line: str = "") -> Opening | None:
        """Return what a line opens: a poll, a poll written wrongly, or None (anything else)."""
        if line.strip():
            if _LIST_ITEM_RE.match(line) or _FOOTNOTE_RE.match(line):
                self.context = "note" if _FOOTNOTE_RE.match(line) else "liste"
            elif not line.startswith((" ", "\t")):
                self.context = ""
        if not CANDIDATE_RE.search(line):
            return None  # most lines: no mark that an opening holds, no pattern to try
        fenced = FENCE_OPEN_RE.match(line)
        if fenced:
            if POLL_OPEN_RE.match(line):
                return Opening(fenced.group("fence"), None)
            if meant_as_poll(fenced.group("info")):
                return Opening(fenced.group("fence"), near_miss(line))
            return None
        nested = _NESTED_FENCE_RE.match(line) or (self.context and _INDENTED_FENCE_RE.match(line))
        if nested and (meant_as_poll(nested.group("info"))
                       or (not nested.group("info").strip() and next_line.strip().startswith("id:"))):
            return Opening(nested.group("fence"), misplaced(_where(nested.group("prefix"), self.context)), True)
        almost = _ALMOST_FENCE_RE.match(line)
        if almost and meant_as_poll(almost.group("info")):
            fence = almost.group("fence")
            return Opening("" if fence.startswith("`") else fence, near_miss(line))
        return None


def may_open(line: str, next_line: str = "") -> bool:
    """Tell whether a line opens a poll (or a block meant as one) after some lines or other.

    ``opening`` asked as if a list went on before the line: the reader's one state that only
    adds openings (an indented fence is then the text of an item). Lines inside an HTML comment
    or a listing open nothing, but that needs the lines before: ``find_poll_blocks`` reads them.
    """
    reader = FenceReader()
    reader.context = "liste"
    return reader.opening(line, next_line) is not None


def holds_candidate(text: str) -> bool:
    """Tell whether a text holds a ``CANDIDATE_RE`` anywhere, some four times quicker than its search.

    Looking for one character is the quickest scan Python has, and French prose is full of
    the apostrophes at which the pattern's search stops every time.
    """
    return ("`" in text or ("~" in text and "~~~" in text) or "'''" in text
            or ('"' in text and '"""' in text))


def _comment_open_after(line: str, in_comment: bool) -> bool:
    """Tell whether an HTML comment is still open at the end of ``line``."""
    position = 0
    while True:
        if in_comment:
            end = line.find("-->", position)
            if end < 0:
                return True
            position, in_comment = end + 3, False
        else:
            start = line.find("<!--", position)
            if start < 0:
                return False
            position, in_comment = start + 4, True
