"""A big site to time rebuilds on: the real content plus N generated articles.

The generated articles look like ours (header with every field, headings, lists, a table, a
link to another article, now and then an image or a poll), so a rebuild does the work a real
one does: categories, tags, authors, pagination, feeds, polls.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("Vie associative", "Financement", "Bénévolat", "Outils numériques", "Communication",
              "Événements")
TAGS = tuple(f"thème {n}" for n in range(40))
AUTHORS = ("Claire Martin", "Karim Benali", "Sophie Laurent", "Jean Dupuis", "Awa Diallo",
           "Lucas Moreau", "Inès Garcia", "Paul Lefèvre")
WORDS = ("association", "bénévoles", "quartier", "projet", "réunion", "budget", "atelier",
         "adhérents", "partenaires", "communication", "solidarité", "rencontre", "financement",
         "local", "outil", "équipe", "idée", "public", "action", "soirée")
MARKER = "Phrase ajoutée pour mesurer la reconstruction"


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def article_text(number: int, total: int, rng: random.Random) -> str:
    """Return the Markdown of generated article ``number``."""
    date = datetime(2020, 1, 1, 9, 0) + timedelta(hours=number * 7)
    tags = ", ".join(rng.sample(TAGS, 3))
    header = [f"Title: Article généré numéro {number}", f"Date: {date:%Y-%m-%d %H:%M}",
              f"Category: {CATEGORIES[number % len(CATEGORIES)]}", f"Tags: {tags}",
              f"Slug: genere-{number}", f"Authors: {AUTHORS[number % len(AUTHORS)]}",
              f"Summary: {_sentence(rng, 20)}"]
    if number % 10 == 0:
        header += ["Image: images/don-en-ligne.png", "Image_alt: Une tirelire en forme de maison."]
    body = [_paragraph(rng), "## Ce que nous avons appris", _paragraph(rng),
            "- " + _sentence(rng, 6), "- " + _sentence(rng, 6), "- " + _sentence(rng, 6),
            f"Voir aussi [un autre article]({{filename}}genere-{(number + 1) % total}.md).",
            "| Action | Coût |", "|---|---|", "| Affiches | 40 € |", "| Salle | 0 € |",
            "## Et ensuite", _paragraph(rng), _paragraph(rng)]
    if number % 50 == 0:
        body += [f"```poll\nid: genere-{number}\nquestion: Votre avis ?\noptions:\n"
                 "  - oui: Oui\n  - non: Non\nresults: always\n```"]
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"


def make_site(workdir: Path, n_articles: int) -> Path:
    """Write the real content plus ``n_articles`` generated ones under ``workdir``/content.

    Reuses the folder when it already holds that many generated articles; returns it.
    """
    content = workdir / "content"
    stamp = content / ".generated"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == str(n_articles):
        return content
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(ROOT / "content", content)
    rng = random.Random(1)  # the same site every time: comparable timings
    for number in range(n_articles):
        (content / f"genere-{number}.md").write_text(article_text(number, n_articles, rng), encoding="utf-8")
    stamp.write_text(str(n_articles), encoding="utf-8")
    return content


def edit(path: Path, count: int) -> str:
    """Append a numbered sentence to an article, as a writer saving a change; return it."""
    sentence = f"{MARKER} {count}."
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{sentence}\n")
    return sentence
