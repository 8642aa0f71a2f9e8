"""Raw HTML that the site's Content-Security-Policy refuses: style, script and on…= handlers.

The site is served with a policy (poll_service/site_policy.py, the nginx of docs/deploy.md)
under which a browser ignores a ``style="…"`` attribute or a ``<style>`` element written in
the page, and runs no ``<script>`` nor ``onclick="…"`` written there: what a writer puts in
raw HTML (or in a Markdown ``{: style="…" }``) would silently do nothing, and the build must
not write it. Each is an error at its line, saying what to do instead. Code (fenced blocks,
`code spans`) and HTML comments show nothing on the page and are not read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .problems import Problem, error
from .targets import HTML_ATTRIBUTE_RE, HTML_TAG_RE, prose_lines

if TYPE_CHECKING:  # documents finds them with find_inline_code
    from .documents import Document

# A quick look at the whole text first: most texts hold none of these.
MAY_HOLD = re.compile(r"style|<script|\bon[a-z]+\s*=", re.IGNORECASE)
# attr_list's attributes in braces, as Markdown extra reads them: {: style="…" } or { onclick=… }.
ATTR_LIST_RE = re.compile(r"\{:?(?P<attributes>[^{}\n]*)\}")

REFUSED_STYLE = "le site refuse la mise en forme écrite dans le texte (sa politique de sécurité)"
ALIGN = ("le thème met en forme. Pour aligner une colonne de tableau, écrivez « |---:| » (à "
         "droite) ou « |:---:| » (au centre) sous son titre.")
SCRIPT = ("le site refuse tout code JavaScript écrit dans le texte (sa politique de sécurité) : "
          "retirez-le. Pour intégrer un service extérieur, demandez à l'équipe du site.")

# (line, kind, attribute, where): kind is "style", "handler", "<style>" or "<script>"; where is
# the tag the attribute belongs to, or "{}" for Markdown's braces.
Finding = tuple[int, str, str, str]


def may_hold(text: str) -> bool:
    """Tell whether ``MAY_HOLD`` finds anything in a text, at a fraction of its cost on most texts.

    The pattern is slow to search (it ignores case). Without "<" nor "=" only its "style" can
    match, and its case-insensitive letters are ASCII but for "ſ" (an "s"): "tyle", in any
    case, must then be there, which a lowered copy of the text tells quicker.
    """
    if "<" not in text and "=" not in text and "tyle" not in text.lower():
        return False
    return MAY_HOLD.search(text) is not None


def _refused(attributes: str) -> list[tuple[str, str]]:
    """Return (kind, attribute) for each refused attribute among ``attributes``."""
    found = []
    for attribute in HTML_ATTRIBUTE_RE.finditer(attributes):
        name = attribute.group("name").lower()
        if name == "style":
            found.append(("style", name))
        elif name.startswith("on") and len(name) > 2:
            found.append(("handler", name))
    return found


def find_inline_code(lines: list[str], header_end: int) -> tuple[Finding, ...]:
    """Return (line, kind, attribute, where) for each style, script or handler of the text."""
    found: list[Finding] = []
    for number, line in prose_lines(lines, header_end):
        for tag in HTML_TAG_RE.finditer(line):
            name = tag.group("tag").lower()
            if name in ("script", "style"):
                found.append((number, f"<{name}>", "", ""))
            found += [(number, kind, attribute, f"<{name}>") for kind, attribute in _refused(tag.group("attributes"))]
        for braces in ATTR_LIST_RE.finditer(HTML_TAG_RE.sub("", line)):
            found += [(number, kind, attribute, "{}") for kind, attribute in _refused(braces.group("attributes"))]
    return tuple(found)


def check_inline_code(doc: Document) -> list[Problem]:
    """Return an error for each style, script or handler a document writes in its text."""
    problems = []
    for number, kind, attribute, where in doc.inline_code:
        place = "écrit entre accolades" if where == "{}" else f"de la balise {where}"
        if kind == "style":
            message = f"L'attribut « style » {place} sera ignoré : {REFUSED_STYLE} : retirez-le, {ALIGN}"
        elif kind == "handler":
            message = f"L'attribut « {attribute} » {place} ne s'exécutera pas : {SCRIPT}"
        elif kind == "<style>":
            message = f"La feuille de style écrite dans le texte (<style>) sera ignorée : {REFUSED_STYLE} : retirez-la, {ALIGN}"
        else:
            message = f"Le script écrit dans le texte (<script>) ne s'exécutera pas : {SCRIPT}"
        problems.append(error(doc.display, number, message))
    return problems
