"""``make new-article TITLE="…"``: create a draft ``content/<slug>.md`` with its header to fill.

The file builds as it is (the draft shows in the preview, example text in brackets), and
``make check`` refuses to publish it while "[À compléter" remains. It never overwrites a file.
The title comes from the TITLE environment variable (make passes its command-line variables
to the recipe's environment, so quotes and apostrophes in a title need no shell escaping) or
from the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from poll_spec import slugify

MAX_SLUG_LENGTH = 60
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


def slug_for(title: str) -> str:
    """Return the file name and address of a title: lower case ASCII words joined by dashes."""
    slug = slugify(title)
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0]
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


def create(title: str, content: Path, timezone: str = "Europe/Paris",
           default_category: str = "Vie associative") -> Path:
    """Write the new draft and return its path; raise NewArticleError rather than overwrite."""
    title = " ".join(title.split())
    if not title:
        raise NewArticleError('Donnez un titre, par exemple : make new-article TITLE="La fête du quartier"')
    slug = slug_for(title)
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


def site_settings() -> dict[str, str]:
    """Read the few settings needed from pelicanconf.py (a plain module, quick to import)."""
    try:
        import pelicanconf  # noqa: PLC0415
    except ImportError:
        return {}
    return {"PATH": pelicanconf.PATH, "TIMEZONE": pelicanconf.TIMEZONE,
            "DEFAULT_CATEGORY": pelicanconf.DEFAULT_CATEGORY}


def main(argv: list[str] | None = None) -> int:
    """Create the draft named on the command line or in TITLE; print its path."""
    settings = site_settings()
    parser = argparse.ArgumentParser(prog="make new-article", description=__doc__)
    parser.add_argument("title", nargs="?", default=os.environ.get("TITLE", ""))
    parser.add_argument("--content", default=settings.get("PATH", "content"))
    args = parser.parse_args(argv)
    try:
        path = create(args.title, Path(args.content), settings.get("TIMEZONE", "Europe/Paris"),
                      settings.get("DEFAULT_CATEGORY", "Vie associative"))
    except NewArticleError as error:
        print(error, file=sys.stderr)
        return 1
    print(path)
    print("Brouillon créé. Ouvrez ce fichier, remplacez chaque « [À compléter … ] », et regardez le "
          "résultat avec : make devserver", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
