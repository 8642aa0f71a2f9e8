"""Invisible control characters: found with their line, before they break the feeds.

A form feed, a vertical tab or another control character comes with text pasted from a word
processor or a PDF. The page shows nothing, but RSS and Atom are XML, which cannot hold them:
the feeds could not be written. Each one is an error at its line, with the words around it, so
the writer can place the cursor and delete it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .problems import Problem, error

if TYPE_CHECKING:  # documents reads the characters with find_controls
    from .documents import Document

# C0 controls but tab, line feed and carriage return (XML 1.0 refuses them), DEL and the C1
# controls (allowed by XML 1.0 but refused by lxml, and never meant), and U+FFFE, U+FFFF.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
NAMES = {0x00: "caractère nul", 0x08: "retour arrière", 0x0B: "tabulation verticale", 0x0C: "saut de page",
         0x1B: "échappement", 0x7F: "suppression"}


def find_controls(lines: list[str]) -> tuple[tuple[int, str, str], ...]:
    """Return (line, character, the text just before it) for each control character."""
    found = []
    for number, line in enumerate(lines, start=1):
        for match in CONTROL_RE.finditer(line):
            before = CONTROL_RE.sub("", line[:match.start()]).rstrip()[-20:]
            found.append((number, match.group(), before))
    return tuple(found)


def check_characters(doc: Document) -> list[Problem]:
    """Return an error for each control character of a document."""
    problems = []
    for number, character, before in doc.controls:
        code = ord(character)
        name = NAMES.get(code, "caractère de contrôle")
        where = f"juste après « {before} »" if before else "au début de la ligne"
        problems.append(error(doc.display, number,
            f"Un caractère invisible (U+{code:04X}, {name}) se cache dans cette ligne, {where} : "
            "les flux RSS et Atom ne peuvent pas le contenir. Placez le curseur à cet endroit et "
            "effacez-le (il vient souvent d'un copier-coller depuis un traitement de texte ou un PDF)."))
    return problems
