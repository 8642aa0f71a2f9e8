"""Write a deterministic corpus of N French-like Markdown articles for the build benchmarks.

The same seed always gives byte-identical files, so two runs (or ours and vanilla) build the
same site. One article in ten carries a ```poll block (syntax in DESIGN.md); for vanilla
Pelican the blocks are written as plain ```text code, so both sites hold the same text.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

POLL_EVERY = 10  # one article in ten carries a poll
IMAGE_COUNT = 6
SEED = 2026

CATEGORIES = (
    "Vie associative", "Financement", "Bénévolat", "Communication", "Outils numériques",
    "Événements", "Quartier", "Formation",
)
TAGS = (
    "assemblée générale", "budget", "subvention", "don", "mécénat", "bénévoles", "jeunesse",
    "écologie", "vélo", "jardin partagé", "atelier", "réparation", "logiciel libre", "site web",
    "réseaux sociaux", "lettre d'information", "fête de quartier", "solidarité", "cuisine",
    "culture", "sport", "numérique", "formation", "gouvernance", "adhésion", "bilan",
    "partenariat", "mairie", "recyclage", "entraide",
)
AUTHORS = ("Claire Martin", "Karim Benali", "Sophie Lefèvre", "Julien Moreau", "Aïcha Diallo")
# A vocabulary of common French words, accents included, so Markdown, slugification and
# Jinja2 escaping see the text they see in real articles.
WORDS = (
    "association quartier bénévoles projet réunion année budget atelier habitants maison "
    "commune jardin partage solidarité équipe soirée bilan adhérents conseil semaine idée "
    "activité enfants parents familles vélo réparation cuisine repas fête marché école "
    "bibliothèque rencontre collectif mairie subvention dossier demande réponse confiance "
    "communication lettre site réseau outil logiciel libre formation accompagnement mission "
    "engagement temps énergie envie plaisir travail printemps été automne hiver matin "
    "après-midi local salle clé calendrier programme invitation affiche sondage avis vote "
    "décision assemblée générale trésorier présidente secrétaire membre donateur mécène "
    "partenaire fondation région département ville rue place parc centre social culturel "
    "sportif musical théâtre exposition concert spectacle lecture conte atelier numérique"
).split()
CONNECTORS = ("et", "mais", "donc", "car", "puis", "ainsi", "pourtant", "alors", "aussi", "ou")
VERBS = (
    "prépare", "organise", "accueille", "propose", "partage", "construit", "imagine", "soutient",
    "réunit", "améliore", "découvre", "raconte", "finance", "anime", "ouvre", "invite",
)
DETERMINERS = ("le", "la", "les", "un", "une", "des", "notre", "votre", "chaque", "cette")
POLL_QUESTIONS = (
    "Participerez-vous à la prochaine assemblée générale ?",
    "Quel créneau préférez-vous pour nos ateliers ?",
    "Quels outils utilisez-vous pour communiquer avec vos adhérents ?",
    "Combien de bénévoles compte votre association ?",
    "Faut-il ouvrir le local le dimanche ?",
)
POLL_OPTIONS = (
    ("oui", "Oui, avec plaisir"), ("non", "Non, pas cette fois"), ("peut-etre", "Peut-être"),
    ("matin", "Le matin"), ("soir", "En soirée"), ("courriel", "Le courriel"),
    ("lettre", "La lettre d'information"), ("affiche", "L'affichage au local"),
)


@dataclass(frozen=True)
class Corpus:
    """Where a generated corpus lives and what it holds."""

    path: Path
    articles: tuple[Path, ...]
    poll_ids: tuple[str, ...]

    def edit_target(self) -> Path:
        """Return the article the warm-rebuild benchmarks edit (one in the middle)."""
        return self.articles[len(self.articles) // 2]


LAST_DATE = datetime(2025, 12, 20, 9, 0)  # plus a minute per article


def generate(path: Path, n_articles: int, *, polls: bool = True, seed: int = SEED) -> Corpus:
    """Write ``n_articles`` articles, their images and one page under ``path``.

    With ``polls=False`` the poll blocks are fenced as ```text, for vanilla Pelican.
    """
    rng = random.Random(seed)
    (path / "images").mkdir(parents=True, exist_ok=True)
    (path / "pages").mkdir(exist_ok=True)
    for number in range(IMAGE_COUNT):
        (path / "images" / f"illustration-{number}.png").write_bytes(_png(number))
    (path / "pages" / "a-propos.md").write_text(
        "Title: À propos\nSlug: a-propos\n\n" + _paragraph(rng) + "\n", encoding="utf-8")
    articles: list[Path] = []
    poll_ids: list[str] = []
    # Two days apart, the last one in December 2025 whatever the size: an archive has no
    # article dated in the future (make check would warn about each, which no real site pays).
    start = LAST_DATE - timedelta(days=2 * (n_articles - 1))
    for index in range(n_articles):
        slug = f"article-{index:04d}"
        poll_id = f"sondage-{index:04d}" if index % POLL_EVERY == POLL_EVERY - 1 else None
        text = _article(rng, index, slug, start + timedelta(days=index * 2, minutes=index),
                        poll_id, "poll" if polls else "text")
        article = path / f"{slug}.md"
        article.write_text(text, encoding="utf-8")
        articles.append(article)
        if poll_id:
            poll_ids.append(poll_id)
    return Corpus(path, tuple(articles), tuple(poll_ids))


def edit(article: Path, round_number: int = 0) -> None:
    """Change one article the way a writer does: add a sentence at the end."""
    with article.open("a", encoding="utf-8") as handle:
        handle.write(f"\nAjout numéro {round_number} : une phrase de plus, relue et corrigée.\n")


def _article(rng: random.Random, index: int, slug: str, when: datetime, poll_id: str | None,
             fence: str) -> str:
    title = _sentence(rng, 4, 9).rstrip(".")
    tags = ", ".join(rng.sample(TAGS, rng.randint(1, 4)))
    header = [
        f"Title: {title}",
        f"Date: {when:%Y-%m-%d %H:%M}",
        f"Category: {rng.choice(CATEGORIES)}",
        f"Tags: {tags}",
        f"Slug: {slug}",
        f"Authors: {rng.choice(AUTHORS)}",
        f"Summary: {_sentence(rng, 12, 24)}",
    ]
    if index % 3 == 0:
        header.append(f"Image: images/illustration-{index % IMAGE_COUNT}.png")
        header.append(f"Image_alt: {_sentence(rng, 5, 10)}")
    body: list[str] = [_paragraph(rng), _paragraph(rng)]
    for section in range(rng.randint(2, 4)):
        body.append(f"## {_sentence(rng, 3, 7).rstrip('.')}")
        body.append(_paragraph(rng))
        kind = (index + section) % 4
        if kind == 0:
            body.append(_bullets(rng))
        elif kind == 1:
            body.append(_numbered(rng))
        elif kind == 2:
            body.append(f"![{_sentence(rng, 4, 8).rstrip('.')}]"
                        f"({{static}}/images/illustration-{rng.randrange(IMAGE_COUNT)}.png)")
        else:
            body.append(f"### {_sentence(rng, 2, 5).rstrip('.')}")
        body.append(_paragraph(rng, link_to=index))
    if poll_id:
        body.append("## Votre avis nous intéresse")
        body.append(_poll(rng, poll_id, fence))
        body.append(_paragraph(rng))
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"


def _poll(rng: random.Random, poll_id: str, fence: str) -> str:
    options = rng.sample(POLL_OPTIONS, rng.randint(2, 5))
    multiple = "false" if rng.random() < 0.7 else str(rng.randint(2, len(options)))
    lines = [f"```{fence}", f"id: {poll_id}", f"question: {rng.choice(POLL_QUESTIONS)}",
             "options:"]
    lines += [f"  - {key}: {label}" for key, label in options]
    lines.append(f"multiple: {multiple}")
    if rng.random() < 0.5:
        lines.append("opens: 2026-01-01")
        lines.append("closes: 2027-12-31")
    lines.append(f"results: {rng.choice(('always', 'after-vote', 'after-close'))}")
    lines.append("```")
    return "\n".join(lines)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(DETERMINERS), rng.choice(WORDS), rng.choice(VERBS)]
    while len(words) < rng.randint(low, high):
        words.append(rng.choice(CONNECTORS) if rng.random() < 0.12 else rng.choice(WORDS))
    if len(words) > 8 and rng.random() < 0.5:
        words[len(words) // 2] += ","
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, link_to: int | None = None) -> str:
    sentences = [_sentence(rng, 8, 18) for _ in range(rng.randint(3, 6))]
    if link_to is not None and rng.random() < 0.6:
        sentences.append(f"Voir aussi [{rng.choice(WORDS)} et {rng.choice(WORDS)}]"
                         f"(https://exemple.org/{rng.choice(WORDS)}/{rng.randrange(1000)}).")
    if link_to and rng.random() < 0.4:
        # Internal links go to an earlier article, which always exists.
        sentences.append(f"Nous en parlions [ici]({{filename}}/article-{rng.randrange(link_to):04d}.md).")
    if rng.random() < 0.3:
        sentences[0] = f"**{sentences[0]}**"
    return "\n".join(sentences)


def _bullets(rng: random.Random) -> str:
    return "\n".join(f"- {_sentence(rng, 4, 10)}" for _ in range(rng.randint(3, 6)))


def _numbered(rng: random.Random) -> str:
    return "\n".join(f"{n}. {_sentence(rng, 4, 10)}" for n in range(1, rng.randint(3, 6) + 1))


def _png(number: int, width: int = 48, height: int = 32) -> bytes:
    """Return a small RGB PNG (stripes of a colour chosen by ``number``), written by hand."""
    colour = ((number * 67) % 256, (number * 131 + 60) % 256, (number * 29 + 120) % 256)
    rows = b"".join(
        b"\x00" + b"".join(bytes(colour) if (x // 8 + y // 8) % 2 else b"\xfa\xf8\xf0"
                           for x in range(width))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
