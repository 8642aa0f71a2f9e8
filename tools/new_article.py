"""``make new-article TITLE="…"``: create a draft ``content/<slug>.md`` with its header to fill.

The file builds as it is (the draft shows in the preview, example text in brackets), and
``make check`` refuses to publish it while "[À compléter" remains. It never overwrites a file.
The title comes from the TITLE environment variable (make passes its command-line variables
to the recipe's environment, so quotes and apostrophes in a title need no shell escaping) or
from the command line. Written without quotes (``make new-article TITLE=La fête``), the words
after the first reach make as goals: the Makefile passes them on in TITLE_REST, and in
TITLE_CLASH those that name another make command, which is then refused rather than run.

The address (``Slug:``) is Pelican's own slugify of the title, with the site's substitutions,
apostrophes (straight or curly) counting as spaces: "L’été" and "L'été" both give "l-ete", and
"Œuvres & cœurs" gives "oeuvres-coeurs".
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

MAX_SLUG_LENGTH = 60
# French elision: "l'été" is two words. Straight, curly and modifier-letter apostrophes alike.
APOSTROPHES = re.compile(r"['’ʼ‘]")
HEADER = """\
Title: {title}
Date: {date}
Category: {category}
Tags:
Slug: {slug}
Authors: [À compléter : votre prénom et votre nom]
Summary: [À compléter : une ou deux phrases qui donnent envie de lire l'article]
Status: draft
"""
GUIDE = """\
<!--
Mode d'emploi (ce cadre est invisible sur le site ; effacez-le quand vous voulez).
- Les lignes du haut, jusqu'à la première ligne vide, décrivent l'article. Gardez la forme
  « Nom: valeur » et ne traduisez pas les noms (Title, Date...).
- Date : année-mois-jour heure:minute, à l'heure de Paris.
- Category : la rubrique. Rubriques existantes : {categories}.
- Tags : des mots-clés séparés par des virgules, par exemple : bénévolat, réunion
- Slug : l'adresse de la page (/{slug}/). Ne la changez plus une fois l'article publié.
- Pour une image en tête d'article, ajoutez ces deux lignes dans le haut du fichier :
  Image: images/mon-image.png  (le fichier, rangé dans content/images/)
  Image_alt: ce que montre l'image, en une phrase
- Status: draft veut dire brouillon : visible seulement dans l'aperçu (make devserver).
  Supprimez cette ligne quand l'article est prêt à être publié.
Vérifiez votre article avec : make check. Le guide complet : docs/guide-redaction.md
-->
"""
BODY = """
[À compléter : écrivez ici votre article. Laissez une ligne vide entre deux paragraphes.]

## Un intertitre

[À compléter : la suite de l'article.]
"""


class NewArticleError(Exception):
    """A reason, in French, not to create the file."""


def slug_for(title: str, regex_subs: list | None = None) -> str:
    """Return the file name and address of a title: lower case ASCII words joined by dashes.

    A title too long for an address is cut between two words, at most MAX_SLUG_LENGTH long.
    """
    subs = DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"] if regex_subs is None else regex_subs
    slug = slugify(APOSTROPHES.sub(" ", title), regex_subs=subs)
    if len(slug) > MAX_SLUG_LENGTH:
        cut = slug[:MAX_SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:MAX_SLUG_LENGTH]
    if not slug:
        raise NewArticleError(
            f"Impossible de tirer un nom de fichier du titre « {title} » : il faut au moins une "
            "lettre ou un chiffre.")
    return slug


def existing_categories(content: Path) -> list[str]:
    """Return the categories the site's articles already use, sorted."""
    from checks.documents import read_header  # noqa: PLC0415 (plugins/ is on the path only here)

    found = set()
    for path in content.rglob("*.md"):
        fields = read_header(path.read_text(encoding="utf-8", errors="replace").splitlines())[0]
        if fields.get("category") and fields["category"].value.strip():
            found.add(fields["category"].value.strip())
    return sorted(found)


def slug_owner(content: Path, slug: str) -> Path | None:
    """Return the file that already declares ``Slug: <slug>``, if any."""
    from checks.documents import read_header  # noqa: PLC0415

    for path in sorted(content.rglob("*.md")):
        fields = read_header(path.read_text(encoding="utf-8", errors="replace").splitlines())[0]
        if fields.get("slug") and fields["slug"].value.strip() == slug:
            return path
    return None


def render(title: str, slug: str, now: datetime, category: str, categories: list[str]) -> str:
    """Return the text of the new article."""
    header = HEADER.format(title=title, date=now.strftime("%Y-%m-%d %H:%M"), category=category, slug=slug)
    guide = GUIDE.format(categories=", ".join(categories) or category, slug=slug)
    return header + "\n" + guide + BODY


def shortened(title: str, slug: str, regex_subs: list | None = None) -> str | None:
    """Return a note for the writer when the address had to be cut from a long title."""
    whole = slugify(APOSTROPHES.sub(" ", title),
                    regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"] if regex_subs is None else regex_subs)
    if whole == slug:
        return None
    return (f"Le titre est long : l'adresse de l'article est raccourcie, entre deux mots, à « {slug} » "
            f"({MAX_SLUG_LENGTH} caractères au plus). Pour en choisir une autre, changez la ligne "
            "« Slug: » du fichier avant la publication.")


def create(title: str, content: Path, timezone: str = "Europe/Paris",
           default_category: str = "Vie associative", regex_subs: list | None = None) -> Path:
    """Write the new draft and return its path; raise NewArticleError rather than overwrite."""
    title = " ".join(title.split())
    if not title:
        raise NewArticleError('Donnez un titre, par exemple : make new-article TITLE="La fête du quartier"')
    slug = slug_for(title, regex_subs)
    path = content / f"{slug}.md"
    if path.exists():
        raise NewArticleError(
            f"Le fichier {path} existe déjà : rien n'a été modifié. Ouvrez-le pour le continuer, "
            "ou choisissez un autre titre.")
    owner = slug_owner(content, slug)
    if owner is not None:
        raise NewArticleError(
            f"L'adresse « {slug} » est déjà celle de {owner} : rien n'a été créé. Choisissez un "
            "autre titre.")
    categories = existing_categories(content)
    category = default_category if default_category in categories or not categories else categories[0]
    text = render(title, slug, datetime.now(ZoneInfo(timezone)), category, categories)
    content.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file
        handle.write(text)
    return path


def site_settings() -> dict[str, Any]:
    """Read the few settings needed from pelicanconf.py (a plain module, quick to import)."""
    try:
        import pelicanconf  # noqa: PLC0415
    except ImportError:
        return {}
    return {"PATH": pelicanconf.PATH, "TIMEZONE": pelicanconf.TIMEZONE,
            "DEFAULT_CATEGORY": pelicanconf.DEFAULT_CATEGORY,
            "SLUG_REGEX_SUBSTITUTIONS": getattr(pelicanconf, "SLUG_REGEX_SUBSTITUTIONS", None)}


def title_from_make(title: str, rest: str, clash: str) -> str:
    """Join the words make took for goals to the title; refuse those that name a make command."""
    whole = " ".join([title, rest]).strip()
    if clash.strip():
        words = " et ".join(f"« {word} »" for word in clash.split())
        what = "des commandes" if len(clash.split()) > 1 else "une commande"
        raise NewArticleError(
            f'Mettez le titre entre guillemets : make new-article TITLE="{whole}". Sans guillemets, '
            f"make lancerait aussi {words} comme {what} : rien n'a été créé.")
    return whole


def main(argv: list[str] | None = None) -> int:
    """Create the draft named on the command line or in TITLE; print its path."""
    settings = site_settings()
    parser = argparse.ArgumentParser(prog="make new-article", description=__doc__)
    parser.add_argument("title", nargs="?", default=os.environ.get("TITLE", ""))
    parser.add_argument("--content", default=settings.get("PATH", "content"))
    args = parser.parse_args(argv)
    subs = settings.get("SLUG_REGEX_SUBSTITUTIONS")
    try:
        title = title_from_make(args.title, os.environ.get("TITLE_REST", ""), os.environ.get("TITLE_CLASH", ""))
        path = create(title, Path(args.content), settings.get("TIMEZONE", "Europe/Paris"),
                      settings.get("DEFAULT_CATEGORY", "Vie associative"), subs)
    except NewArticleError as error:
        print(error, file=sys.stderr)
        return 1
    print(path)
    note = shortened(" ".join(title.split()), path.stem, subs)
    if note:
        print(note, file=sys.stderr)
    print("Brouillon créé. Ouvrez ce fichier, remplacez chaque « [À compléter … ] », et regardez le "
          "résultat avec : make devserver", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
