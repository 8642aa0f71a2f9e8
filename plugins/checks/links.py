"""Rules on the links and images of one file's text (Markdown and raw HTML alike).

``{filename}autre.md`` must name an article or a page that exists, ``{static}/images/x.png`` a
file that exists; Pelican resolves both the same way (a leading "/" starts from content/,
otherwise from the file's own folder). A link written without ``{filename}`` or an image
without ``{static}`` works nowhere but on the writer's disk: that is caught too.

Every fix offered is what to write instead, whole (``{filename}`` included) and in the writer's
own way (from content/ if they started with "/", from their file's folder otherwise): pasted
as it is, it passes.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote

from .documents import Document
from .problems import Problem, error, warning

_EXTERNAL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#|/|\{|\||\?)", re.IGNORECASE)
# A web address written without "https://" ("www.exemple.org", "exemple.fr/page").
_DOMAIN_RE = re.compile(r"^(?:www\.[^/]+|[\w-]+(?:\.[\w-]+)*\.(?:fr|org|com|net|eu|info|io|be|ch|ca))(?:/|$)", re.IGNORECASE)
# What follows the path in an address: ?query or #anchor.
_SUFFIX_RE = re.compile(r"[?#].*$")


def resolve(doc: Document, path: str) -> str:
    """Return a link's target relative to content/, as Pelican computes it."""
    path = unquote(_SUFFIX_RE.sub("", path))
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc.relative), path))


def as_written(doc: Document, written: str, target: str) -> str:
    """Return how to write ``target`` (relative to content/) the way ``written`` was written."""
    suffix = _SUFFIX_RE.search(written)
    if written.startswith("/"):
        path = "/" + target
    else:
        path = posixpath.relpath(target, posixpath.dirname(doc.relative) or ".")
    return path + (suffix.group(0) if suffix else "")


def closest(target: str, candidates: list[str]) -> str | None:
    """Return the candidate nearest to ``target``: same name elsewhere first, then a close name."""
    name = posixpath.basename(target).lower()
    same_name = [c for c in candidates if posixpath.basename(c).lower() == name]
    if same_name:
        return same_name[0]
    close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def check_links(doc: Document, files: set[str], documents: Mapping[str, Document]) -> list[Problem]:
    """Return every problem of the links and images of a document's text.

    ``files`` holds every file under content/ (relative, "/"-separated); ``documents`` the
    articles and pages that the build reads, by the same relative path.
    """
    problems: list[Problem] = []
    for number, what, first, second in doc.links:
        if what == "intrasite":
            problems += _intrasite(doc, number, first, second, files, documents)
        elif what == "image":
            problems += _image(doc, number, first, files)
        elif what == "alt":
            problems += _description(doc, number, first)
        else:
            problems += _plain_link(doc, number, first, files, documents)
    return problems


def _intrasite(doc: Document, number: int, kind: str, path: str, files: set[str],
               documents: Mapping[str, Document]) -> list[Problem]:
    if not path:
        return [error(doc.display, number,
            f"Le lien « {{{kind}}} » n'est suivi d'aucun nom de fichier. Écrivez par exemple "
            f"« {{{kind}}}autre-article.md ».")]
    target = resolve(doc, path)
    if kind == "filename" and target in documents:
        linked = documents[target]
        if linked.is_draft and not doc.is_draft:
            return [warning(doc.display, number,
                f"Ce lien mène au brouillon {linked.display} : il ne fonctionnera qu'une fois ce "
                "brouillon publié (retirez « Status: draft » de ce fichier-là quand il sera prêt).")]
        return []
    if target in files and not (kind == "filename" and target.endswith(".md")):
        return []
    return [error(doc.display, number, _missing_message(doc, kind, path, target, files, documents))]


def _missing_message(doc: Document, kind: str, path: str, target: str, files: set[str],
                     documents: Mapping[str, Document]) -> str:
    wanted = sorted(documents) if kind == "filename" else sorted(f for f in files if f not in documents)
    found = closest(target, wanted)
    hint = f" Vouliez-vous écrire « {{{kind}}}{as_written(doc, path, found)} » ?" if found else ""
    if kind == "filename":
        return (f"Le lien « {{filename}}{path} » mène à un article ou une page qui n'existe pas "
                f"(content/{target}).{hint} Vérifiez le nom du fichier ; un chemin commençant par "
                "« / » part du dossier content/.")
    return (f"Le fichier « {{{kind}}}{path} » n'existe pas (content/{target}).{hint} "
            "Vérifiez le nom et le dossier ; un chemin commençant par « / » part du dossier content/.")


def _fixed(doc: Document, url: str, files: set[str], from_content: bool = False) -> str:
    """Return the path to write after {static} or {filename} for a link written without it.

    ``from_content``: starting with "/" (the guide's way to name images, wherever the text is).
    """
    target = resolve(doc, url)
    if target not in files:
        target = closest(target, sorted(files)) or target
    return as_written(doc, "/" + url.lstrip("/") if from_content else url, target)


def _image(doc: Document, number: int, url: str, files: set[str]) -> list[Problem]:
    if _EXTERNAL_RE.match(url):
        return []
    return [error(doc.display, number,
        f"L'image « {url} » ne s'affichera pas sur le site ni dans les flux : écrivez "
        f"« {{static}}{_fixed(doc, url, files, from_content=True)} » (le fichier doit être dans le dossier content/).")]


def _description(doc: Document, number: int, alt: str) -> list[Problem]:
    if alt.strip():
        return []
    return [warning(doc.display, number,
        "Cette image n'a pas de description : écrivez entre les crochets ce qu'elle montre, "
        "par exemple « ![Affiche de la fête de quartier]({static}/images/affiche.png) » "
        "(en HTML : alt=\"Affiche de la fête de quartier\").")]


def _plain_link(doc: Document, number: int, url: str, files: set[str],
                documents: Mapping[str, Document]) -> list[Problem]:
    if not url or _EXTERNAL_RE.match(url):
        return []
    target = resolve(doc, url)
    if target.endswith(".md") or target in documents:
        return [error(doc.display, number,
            f"Le lien « {url} » vers un autre texte du site ne fonctionnera pas : écrivez "
            f"« {{filename}}{_fixed(doc, url, set(documents))} » pour que le site le transforme en "
            "adresse de page.")]
    if target in files:
        return [error(doc.display, number,
            f"Le lien « {url} » ne fonctionnera pas sur le site ni dans les flux : écrivez "
            f"« {{static}}{_fixed(doc, url, files, from_content=True)} » (le fichier est dans le dossier content/).")]
    if _DOMAIN_RE.match(url):
        return [error(doc.display, number,
            f"Le lien « {url} » mène à un autre site : écrivez l'adresse complète, "
            f"« https://{url} », sinon il mène à une page de ce site qui n'existe pas.")]
    return [warning(doc.display, number,
        f"Le lien « {url} » part de l'adresse de cette page : sur le site il mène à une page "
        f"qui n'existe sans doute pas. Pour une page du site, écrivez « /{url.lstrip('./')} » "
        "(depuis la racine du site), ou « {filename}… » suivi du fichier de l'article.")]
