"""Rules on the links and images of one file's text.

``{filename}autre.md`` must name an article or a page that exists, ``{static}/images/x.png`` a
file that exists; Pelican resolves both the same way (a leading "/" starts from content/,
otherwise from the file's own folder). A link written without ``{filename}`` or an image
without ``{static}`` works nowhere but on the writer's disk: that is caught too.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote

from .documents import Document
from .problems import Problem, error, warning

_EXTERNAL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#|/|\{|\|)", re.IGNORECASE)


def resolve(doc: Document, path: str) -> str:
    """Return a link's target relative to content/, as Pelican computes it."""
    path = unquote(path.split("#", 1)[0].split("?", 1)[0])
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc.relative), path))


def check_links(doc: Document, files: set[str], documents: Mapping[str, Document]) -> list[Problem]:
    """Return every problem of the links and images of a document's text.

    ``files`` holds every file under content/ (relative, "/"-separated); ``documents`` the
    articles and pages that the build reads, by the same relative path.
    """
    problems: list[Problem] = []
    # (line, what, first, second), found when the text was read: "intrasite" (kind, path),
    # "image" (alt, url) or "link" (url, "").
    for number, what, first, second in doc.links:
        if what == "intrasite":
            problems += _intrasite(doc, number, first, second, files, documents)
        elif what == "image":
            problems += _image(doc, number, first, second)
        else:
            problems += _plain_link(doc, number, first)
    return problems


def _intrasite(doc: Document, number: int, kind: str, path: str, files: set[str],
               documents: Mapping[str, Document]) -> list[Problem]:
    if not path:
        return [error(doc.display, number,
            f"Le lien « {{{kind}}} » n'est suivi d'aucun nom de fichier. Écrivez par exemple "
            f"« {{{kind}}}autre-article.md ».")]
    target = resolve(doc, path)
    if kind == "filename" and target.endswith(".md") and target in documents:
        linked = documents[target]
        if linked.is_draft and not doc.is_draft:
            return [warning(doc.display, number,
                f"Ce lien mène au brouillon {linked.display} : il ne fonctionnera qu'une fois ce "
                "brouillon publié (retirez « Status: draft » de ce fichier-là quand il sera prêt).")]
        return []
    if target in files and not (kind == "filename" and target.endswith(".md")):
        return []
    return [error(doc.display, number, _missing_message(kind, path, target, files))]


def _missing_message(kind: str, path: str, target: str, files: set[str]) -> str:
    candidates = sorted(f for f in files if f.endswith(".md") == target.endswith(".md"))
    close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
    hint = f" Vouliez-vous dire « content/{close[0]} » ?" if close else ""
    if kind == "filename":
        return (f"Le lien « {{filename}}{path} » mène à un article ou une page qui n'existe pas "
                f"(content/{target}).{hint} Vérifiez le nom du fichier ; « /pages/… » commence "
                "au dossier content/.")
    return (f"Le fichier « {{{kind}}}{path} » n'existe pas (content/{target}).{hint} "
            "Vérifiez le nom et le dossier ; « /images/… » commence au dossier content/.")


def _image(doc: Document, number: int, alt: str, url: str) -> list[Problem]:
    problems = []
    if not _EXTERNAL_RE.match(url):
        problems.append(error(doc.display, number,
            f"L'image « {url} » ne s'affichera pas sur le site : écrivez « {{static}}/"
            f"{resolve(doc, url)} » (le fichier doit être dans le dossier content/).")) 
    if not alt.strip():
        problems.append(warning(doc.display, number,
            "Cette image n'a pas de description : écrivez entre les crochets ce qu'elle montre, "
            "par exemple « ![Affiche de la fête de quartier]({static}/images/affiche.png) »."))
    return problems


def _plain_link(doc: Document, number: int, url: str) -> list[Problem]:
    if _EXTERNAL_RE.match(url) or not url.split("#", 1)[0].endswith(".md"):
        return []
    return [error(doc.display, number,
        f"Le lien « {url} » vers un autre texte du site ne fonctionnera pas : écrivez "
        f"« {{filename}}{url} » pour que le site le transforme en adresse de page.")]
