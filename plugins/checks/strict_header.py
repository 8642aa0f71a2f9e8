"""Rules on where the header ends: information Pelican would not read, and drafts it would miss.

A header is lines ``Name: value`` up to the first blank line. A stray blank line, a French
space before the colon, an accent in a name, spaces at the start of a line or a French field
name all make Pelican stop reading (or read something else) without a word: the rest shows as
article text and, worst of all, a ``Status: draft`` there leaves a draft published. Each of
these is an error, at its line. The reading itself (``drafts.header``) is the one the build's
drafts plugin uses to keep such files out of the published site.
"""

from __future__ import annotations

from drafts.header import META_RE, HeaderArea, Line

from .documents import Document
from .metadata import suggest_field
from .problems import Problem, error

_STRAY_HINT = ("Si c'est vraiment du texte de l'article, commencez l'article par une phrase "
               "avant.")


def check_strict_header(doc: Document) -> list[Problem]:
    """Return every line of the header area that Pelican would not read as intended."""
    area = doc.header_area
    problems = _stop(doc, area) + _stray(doc, area) + _joined(doc, area) + _draft_names(doc, area)
    problems += _hidden_breaks(doc, area)
    reported = {problem.line for problem in problems}
    # Pelican's own "Status:" line with another word ("brouillon") is metadata's unknown status.
    own = {line.number for line in area.fields if line.name.lower() == "status"}
    unread = [number for number in area.draft_lines if number not in own]
    if unread and area.pelican_status != "draft" and not problems:
        first = unread[0]
        problems.append(error(doc.display, first,
            f"La ligne {first} dit « brouillon », mais pas sous la forme que le site lit : ce "
            "texte serait traité comme un article prêt. Pour un brouillon, écrivez « Status: draft » "
            "sur une ligne à part, dans l'en-tête (avant la première ligne vide)."))
    for number in area.later_draft_lines:
        if number not in reported:
            problems.append(error(doc.display, number,
                "« Status: draft » est ici dans le texte de l'article, où le site ne le lit pas : "
                "ce texte serait publié. Pour un brouillon, mettez cette ligne dans l'en-tête, "
                "avant la première ligne vide ; sinon, supprimez-la."))
    return problems


def _counts(line: Line) -> bool:
    """Tell whether a line past the header is information left behind (not prose)."""
    return line.field is not None or (not line.indented and not line.spaced
                                      and META_RE.match(f"{line.name}: {line.value}") is not None)


def _stop(doc: Document, area: HeaderArea) -> list[Problem]:
    """The line that ended the header looks like information: it and what follows are text."""
    stop = area.stop
    if stop is None or not (stop.field or (not stop.spaced and " " not in stop.name)):
        return []
    hint = stop.field or suggest_field(stop.name)
    if hint:
        fix = f"écrivez « {hint}: »"
    else:
        fix = "écrivez le nom du champ sans accent ni espace"
    if stop.indented:
        fix += " au tout début de la ligne, sans espace ni caractère invisible avant"
    elif stop.spaced:
        fix += ", sans espace avant les deux-points"
    draft = (f" Ce brouillon (ligne {area.draft_lines[-1]}) ne serait donc pas reconnu comme tel."
             if area.pelican_status != "draft" and any(n >= stop.number for n in area.draft_lines) else "")
    return [error(doc.display, stop.number,
        f"La ligne « {stop.written} » n'est pas comprise comme une information de l'article : {fix}. "
        f"Tant qu'elle reste ainsi, cette ligne et les suivantes s'affichent comme du texte.{draft}")]


def _stray(doc: Document, area: HeaderArea) -> list[Problem]:
    """Information after a blank line (or after ---) that ends the header."""
    if area.ended_by not in ("blank", "marker"):
        return []
    left = [line for line in area.stray if _counts(line)]
    if not left:
        return []
    names = _list(left)
    draft = next((line.number for line in left if line.says_draft), None)
    warning = (f" Le « {next(l for l in left if l.number == draft).written} » de la ligne {draft} "
               "n'est donc pas lu : ce brouillon serait traité comme un article prêt."
               if draft and area.pelican_status != "draft" else "")
    if area.ended_by == "marker":
        come, shows, them = ("vient", "l'affiche", "la") if len(left) == 1 else ("viennent", "les affiche", "les")
        return [error(doc.display, left[0].number,
            f"{names} {come} après la fin de l'en-tête (la ligne « --- » ou « ... », ligne "
            f"{area.end + 1}) : le site {shows} comme du texte au lieu de {them} lire. "
            f"Remontez-{them} avant cette ligne.{warning}")]
    shown = "est affichée" if len(left) == 1 else "sont affichées"
    read = "lue comme une information" if len(left) == 1 else "lues comme ses informations"
    return [error(doc.display, area.end + 1,
        f"Cette ligne vide coupe l'en-tête en deux : {names} {shown} comme du texte de "
        f"l'article au lieu d'être {read}. Supprimez les lignes vides avant : une seule ligne "
        f"vide, après la dernière information, sépare l'en-tête du texte.{warning} {_STRAY_HINT}")]


def _list(lines: list[Line]) -> str:
    """Name the lines: "« Slug: » (ligne 6), « Summary: » (ligne 7) et « Status: » (ligne 9)"."""
    named = [f"« {line.written} » (ligne {line.number})" for line in lines]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " et " + named[-1]


def _joined(doc: Document, area: HeaderArea) -> list[Problem]:
    """An indented line inside the header: Pelican glues it to the previous value."""
    return [error(doc.display, line.number,
        f"La ligne « {line.written} » commence par des espaces : le site la colle à la fin de "
        "l'information précédente au lieu de la lire comme une information à part. Enlevez les "
        "espaces au début de la ligne.")
        for line in area.joined if line.field]


def _draft_names(doc: Document, area: HeaderArea) -> list[Problem]:
    """"Statut: brouillon", "Brouillon: oui"…: read by Pelican as unknown, so not a draft."""
    return [error(doc.display, line.number,
        f"« {line.written} {line.value} » n'est pas compris par le site, qui publierait ce texte. "
        "Pour un brouillon, écrivez « Status: draft » (en anglais, sans accent).")
        for line in area.fields if line.says_draft and line.name.lower() != "status"
        and line.field == "Status"]


def _hidden_breaks(doc: Document, area: HeaderArea) -> list[Problem]:
    """A line separator that editors may show as a line break, but that Pelican does not."""
    return [error(doc.display, number,
        "Cette ligne contient un saut de ligne invisible (collé depuis une page web ou un "
        "traitement de texte) : le site la lit comme une seule ligne. Effacez la fin de la ligne "
        "et retapez le retour à la ligne avec la touche Entrée.")
        for number in area.hidden_breaks]

