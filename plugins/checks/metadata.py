"""Rules on one file's metadata header: title, date, category, summary, status, image, names.

Errors are what breaks the page or the build (no title, an unreadable date, an image that does
not exist or has no description); warnings are what only makes the site poorer (no summary, no
category, an unknown field name).
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from poll_spec.slugs import SLUG_RE, slugify

from .config import CheckConfig
from .dates import SITE_DATE_RE, parse_date, read_loosely
from .documents import PLACEHOLDER, Document
from .problems import Problem, error, warning

KNOWN_FIELDS = (
    "title", "date", "modified", "category", "tags", "slug", "authors", "author", "summary",
    "image", "image_alt", "image_caption", "status", "lang", "translation", "template",
    "save_as", "url", "menu", "menu_label",
)
# The names volunteers naturally try, in French or with accents, and the field they mean.
FRENCH_NAMES = {
    "titre": "Title", "résumé": "Summary", "resume": "Summary", "chapo": "Summary",
    "chapeau": "Summary", "catégorie": "Category", "categorie": "Category", "rubrique": "Category",
    "étiquettes": "Tags", "etiquettes": "Tags", "mots-clés": "Tags", "mots-cles": "Tags",
    "tag": "Tags", "auteur": "Authors", "auteurs": "Authors", "autrice": "Authors",
    "autrices": "Authors", "statut": "Status", "état": "Status", "etat": "Status",
    "modifié": "Modified", "modifie": "Modified", "mise-à-jour": "Modified",
    "alt": "Image_alt", "image-alt": "Image_alt", "texte-alternatif": "Image_alt",
    "légende": "Image_caption", "legende": "Image_caption", "adresse": "Slug",
}
STATUSES = ("published", "draft", "hidden")
DATE_EXAMPLE = "« Date: 2026-11-18 09:30 » (année-mois-jour heure:minute)"


def check_header(doc: Document, config: CheckConfig) -> list[Problem]:
    """Return every problem of a file's metadata header."""
    problems = _names(doc) + _title(doc) + _status(doc) + _summary(doc)
    if doc.kind == "article":
        problems += _dates(doc, config) + _category(doc, config)
    problems += _slug(doc) + _image(doc, config) + _placeholders(doc)
    return problems


def suggest_field(name: str) -> str | None:
    """Return the field a misspelt or French name probably means."""
    lowered = name.lower()
    if lowered in FRENCH_NAMES:
        return FRENCH_NAMES[lowered]
    close = difflib.get_close_matches(lowered, KNOWN_FIELDS, n=1, cutoff=0.75)
    return close[0].capitalize() if close else None


def _names(doc: Document) -> list[Problem]:
    problems = []
    for first, again in doc.repeated:
        problems.append(error(doc.display, again.line,
            f"La ligne « {again.name}: » apparaît deux fois (déjà à la ligne {first.line}). "
            "Gardez-en une seule."))
    for key, found in doc.fields.items():
        # A French name saying draft ("Statut: brouillon") is an error of strict_header.
        if key in KNOWN_FIELDS or found.line in doc.header_area.draft_lines:
            continue
        hint = suggest_field(key)
        fix = f"Vouliez-vous écrire « {hint}: » ? " if hint else ""
        problems.append(warning(doc.display, found.line,
            f"Champ inconnu « {found.name}: », le site l'ignore. {fix}"
            "Les noms de champ possibles sont dans le guide (docs/guide-redaction.md)."))
    return problems


def _title(doc: Document) -> list[Problem]:
    if "title" in doc.fields and doc.value("title"):
        return []
    if "title" in doc.fields:
        return [error(doc.display, doc.line_of("title"),
            "Le titre est vide : écrivez-le après « Title: ».")]
    return [error(doc.display, 1,
        "Il manque le titre. Ajoutez en toute première ligne du fichier « Title: Le titre », "
        "suivie des autres informations (Date, Category…), puis une ligne vide avant le texte.")]


def _dates(doc: Document, config: CheckConfig) -> list[Problem]:
    problems = []
    if not doc.value("date"):
        if not doc.is_draft and "date" not in config.implied_metadata(doc.relative):
            problems.append(error(doc.display, doc.line_of("date"),
                f"Il manque la date de publication. Ajoutez une ligne {DATE_EXAMPLE}."))
    else:
        problems += _date_value(doc, "date", config)
    if "modified" in doc.fields:
        problems += _date_value(doc, "modified", config)
    return problems


def _date_value(doc: Document, key: str, config: CheckConfig) -> list[Problem]:
    """A date the site cannot read, one that does not exist, or (Date only) one still to come."""
    found = doc.fields[key]
    value = found.value.strip()
    what = "La date" if key == "date" else "La date de mise à jour (Modified)"
    parts = read_loosely(value)
    reason = parts.impossible() if parts else None
    if reason or (SITE_DATE_RE.match(value) and not _readable(value)):
        order = "" if SITE_DATE_RE.match(value) else (
            f", en l'écrivant dans l'ordre année-mois-jour heure:minute (« {found.name}: 2026-11-18 09:30 »)")
        return [error(doc.display, found.line,
            f"{what} « {value} » n'existe pas : {reason or 'vérifiez-la'}. Corrigez le jour, le mois "
            f"ou l'heure{order}.")]
    if not SITE_DATE_RE.match(value):
        fix = (f"« {found.name}: {parts.site_form()} »{_date_shape(parts.site_form())}" if parts
               else DATE_EXAMPLE.replace("Date:", f"{found.name}:"))
        return [error(doc.display, found.line,
            f"{what} « {value} » n'est pas écrite comme le site l'attend. Écrivez-la {fix}.")]
    if key == "date" and not doc.is_draft and _is_future(value, config):
        return [warning(doc.display, found.line,
            f"La date « {value} » est dans le futur : l'article sera pourtant mis en ligne dès la "
            "prochaine publication, avec cette date, et restera en tête des listes. Si c'est une "
            "faute de frappe, corrigez-la ; s'il doit attendre ce jour-là, gardez « Status: draft » "
            "jusque-là.")]
    return []


def _readable(value: str) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


def _is_future(value: str, config: CheckConfig) -> bool:
    """Tell whether a date (in the site's time zone unless it says its offset) is still to come."""
    zone = ZoneInfo(config.timezone)
    when = parse_date(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when > datetime.now(zone)


def _date_shape(text: str) -> str:
    """Name the parts of a suggested date, as DATE_EXAMPLE does for the example."""
    return " (année-mois-jour heure:minute)" if " " in text else " (année-mois-jour)"


def _category(doc: Document, config: CheckConfig) -> list[Problem]:
    if doc.value("category") or config.implied_metadata(doc.relative).get("category"):
        return []
    return [warning(doc.display, doc.line_of("category"),
        "L'article n'a pas de rubrique : il sera rangé dans la rubrique par défaut. "
        "Ajoutez une ligne « Category: » suivie d'une rubrique existante, par exemple "
        "« Category: Vie associative ».")]


def _summary(doc: Document) -> list[Problem]:
    if doc.kind != "article" or doc.value("summary"):
        return []
    return [warning(doc.display, doc.line_of("summary"),
        "Il manque le résumé : la page d'accueil et les partages sur les réseaux montreront le "
        "début du texte, coupé. Ajoutez une ligne « Summary: » avec une ou deux phrases.")]


def _status(doc: Document) -> list[Problem]:
    if "status" not in doc.fields or doc.status in STATUSES:
        return []
    return [error(doc.display, doc.line_of("status"),
        f"Statut inconnu « {doc.value('status')} ». Écrivez « Status: draft » pour un brouillon "
        "(visible seulement dans l'aperçu), ou supprimez la ligne pour publier.")]


def _slug(doc: Document) -> list[Problem]:
    if "slug" not in doc.fields:
        return []
    value = doc.value("slug")
    if SLUG_RE.match(value):
        return []
    suggestion = slugify(value) or "mon-article"
    return [error(doc.display, doc.line_of("slug"),
        f"L'adresse « {value} » ne convient pas : seulement des minuscules sans accents, des "
        f"chiffres et des tirets. Écrivez par exemple « Slug: {suggestion} ».")]


def _image(doc: Document, config: CheckConfig) -> list[Problem]:
    value = doc.value("image")
    if not value:
        return []
    line = doc.line_of("image")
    problems = _image_path(doc.display, line, value, config)
    if not doc.value("image_alt"):
        problems.append(error(doc.display, doc.line_of("image_alt", line),
            "L'image n'a pas de description pour les personnes qui ne la voient pas. Ajoutez "
            "une ligne « Image_alt: » qui décrit l'image en une phrase, par exemple "
            "« Image_alt: Des bénévoles trient des vêtements autour d'une grande table »."))
    return problems


def _image_path(display: str, line: int, value: str, config: CheckConfig) -> list[Problem]:
    if value.startswith(("{static}", "{attach}", "|static|", "/")) or "://" in value:
        plain = re.sub(r"^(\{\w+\}|\|\w+\|)?/*", "", value)
        if "://" in value:
            plain = "images/" + value.rsplit("/", 1)[-1]
        return [error(display, line,
            f"Écrivez le chemin de l'image tel qu'il est dans le dossier content/, sans « / » "
            f"ni « {{static}} » au début : « Image: {plain} » (l'image doit être dans "
            "content/images/).")]
    target = config.content / value
    if not target.is_file():
        return [error(display, line,
            f"L'image « {value} » n'existe pas dans content/. {_nearby(config.content, value)}"
            "Vérifiez le nom (majuscules et extension comprises : .png, .jpg…).")]
    if not config.is_static(value):
        return [error(display, line,
            f"L'image « {value} » n'est pas dans un dossier copié sur le site : "
            "déplacez-la dans content/images/ et écrivez « Image: images/"
            f"{Path(value).name} ».")]
    return []


def _nearby(content: Path, value: str) -> str:
    """Suggest files with a close name in the folder the path points into."""
    folder = (content / value).parent
    if not folder.is_dir():
        return ""
    names = [p.name for p in folder.iterdir() if p.is_file()]
    close = difflib.get_close_matches(Path(value).name, names, n=2, cutoff=0.6)
    if not close:
        return ""
    prefix = Path(value).parent.as_posix()
    shown = " ou ".join(f"« {prefix + '/' if prefix != '.' else ''}{name} »" for name in close)
    return f"Vouliez-vous dire {shown} ? "


def _placeholders(doc: Document) -> list[Problem]:
    """Text left from ``make new-article`` must be replaced before publishing (not in drafts)."""
    if doc.is_draft:
        return []
    return [error(doc.display, number,
        f"Il reste un texte d'exemple « {PLACEHOLDER} … ] » : remplacez-le par votre texte avant de "
        "publier, ou remettez « Status: draft » tant que l'article n'est pas prêt.")
        for number in doc.placeholders]
