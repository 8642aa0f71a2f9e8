"""Rules across files: two texts at one address, spellings of one category, and the polls.

Polls are parsed and checked by ``poll_spec`` only (``parse_block``,
``check_unique``, ``check_reference``): the messages are those of the build and of sync-polls.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from poll_spec import (
    Poll,
    PollReference,
    PollSyntaxError,
    check_reference,
    check_shown_once,
    check_unique,
    parse_block,
)

from .config import CheckConfig
from .documents import Document
from .dates import parse_date
from .problems import Problem, error, warning


def output_path(doc: Document, config: CheckConfig, as_published: bool = False) -> str | None:
    """Return where the build writes a document (or will, once published); None: no slug."""
    if doc.value("save_as"):
        return doc.value("save_as")
    slug = doc.value("slug") or config.slugify(doc.value("title"))
    if not slug:
        return None
    kind = doc.kind
    if doc.is_draft and not as_published:
        kind = "draft" if doc.kind == "article" else "draft_page"
    return config.url_patterns[kind].format_map(_Slug(slug))


class _Slug(dict):
    """Format a save_as pattern from the slug; other fields stay as written."""

    def __init__(self, slug: str):
        super().__init__(slug=slug)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _address(path: str) -> str:
    return path.removesuffix("index.html")


def oldest_first(docs: Iterable[Document]) -> list[Document]:
    """Order documents pages first, then articles by date: when two clash, the newer is told."""
    return sorted(docs, key=_age)


def _age(doc: Document) -> tuple:
    if doc.age is None:  # kept with the (cached) document: sorted three times per check
        try:
            when = parse_date(doc.value("date")).replace(tzinfo=None)
        except ValueError:
            when = datetime.max
        doc.age = (doc.kind != "page", when, doc.relative)
    return doc.age


def check_addresses(docs: Sequence[Document], config: CheckConfig) -> list[Problem]:
    """Return the problems of addresses: none, one the site uses, or one shared by two texts."""
    problems: list[Problem] = []
    taken: dict[str, Document] = {}
    for doc in oldest_first(docs):
        if not doc.value("title") and not doc.value("slug"):
            continue  # the missing title is reported already
        line = doc.line_of("slug", doc.line_of("title"))
        public = output_path(doc, config, as_published=True)
        if public is None:
            problems.append(error(doc.display, line,
                "Impossible de tirer une adresse de ce titre : ajoutez une ligne « Slug: » avec "
                "l'adresse voulue, en minuscules et tirets (par exemple « Slug: fete-du-quartier »)."))
            continue
        first = public.split("/", 1)[0]
        if "/" in public and first in config.reserved:
            problems.append(error(doc.display, line,
                f"L'adresse « {_address(public)} » est déjà utilisée par le site lui-même. "
                "Choisissez-en une autre avec une ligne « Slug: », par exemple "
                f"« Slug: {first}-{config.slugify(doc.value('title')) or 'article'} »."))
            continue
        path = output_path(doc, config) or public
        if path in taken:
            problems.append(error(doc.display, line,
                f"L'adresse « {_address(path)} » est déjà celle de {taken[path].display} : deux "
                "textes ne peuvent pas avoir la même adresse. Changez la ligne « Slug: » de l'un "
                f"des deux (ou ajoutez-en une), par exemple « Slug: {_stem(path)}-2 »."))
            continue
        taken[path] = doc
    return problems + _future_clashes(docs, config, taken)


def _stem(path: str) -> str:
    """Return the slug-like part of an output path: "x/index.html" -> "x"."""
    parts = [p for p in path.removesuffix("index.html").removesuffix(".html").split("/") if p]
    return parts[-1] if parts else path


def _future_clashes(docs: Sequence[Document], config: CheckConfig,
                    taken: dict[str, Document]) -> list[Problem]:
    """A draft whose future address a published text already has would clash once published."""
    problems = []
    for doc in docs:
        if not doc.is_draft or not (doc.value("title") or doc.value("slug")):
            continue
        public = output_path(doc, config, as_published=True)
        other = taken.get(public) if public else None
        if other is not None and other is not doc and not other.is_draft:
            problems.append(warning(doc.display, doc.line_of("slug", doc.line_of("title")),
                f"Une fois publié, ce brouillon aurait l'adresse « {_address(public)} », déjà "
                f"celle de {other.display}. Avant de le publier, changez sa ligne « Slug: »."))
    return problems


def check_spellings(docs: Iterable[Document], config: CheckConfig) -> list[Problem]:
    """Return the categories, tags and authors written two ways for one address."""
    problems: list[Problem] = []
    for key, what, written in (("category", "La rubrique", "écrite"), ("tags", "L'étiquette", "écrite"),
                               ("authors", "Le nom", "écrit")):
        first_seen: dict[str, tuple[str, Document]] = {}
        for doc in oldest_first(docs):
            for name in _names(doc, key):
                slug = config.slugify(name)
                seen = first_seen.setdefault(slug, (name, doc))
                if seen[0] != name:
                    problems.append(warning(doc.display, doc.line_of(key),
                        f"{what} « {name} » est {written} « {seen[0]} » dans {seen[1].display} : "
                        "choisissez une seule orthographe (majuscules et accents compris), sinon "
                        "le site n'en garde qu'une."))
        if key == "category":
            problems += _new_categories(docs, first_seen, config)
    return problems


def _names(doc: Document, key: str) -> list[str]:
    value = doc.value(key)
    if key == "category":
        return [value] if value else []
    separator = ";" if ";" in value else ","
    return [name.strip() for name in value.split(separator) if name.strip()]


def _new_categories(docs: Iterable[Document], first_seen: dict[str, tuple[str, Document]],
                    config: CheckConfig) -> list[Problem]:
    """A category used once that looks like another one is probably a typo."""
    uses: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        if doc.kind == "article" and doc.value("category"):
            uses[doc.value("category")].append(doc)
    problems = []
    names = [name for name, _ in first_seen.values()]
    for name, users in uses.items():
        if len(users) != 1 or first_seen[config.slugify(name)][0] != name:
            continue  # used elsewhere, or a second spelling (reported above)
        others = [n for n in names if n != name and len(uses.get(n, ())) > 1]
        close = difflib.get_close_matches(name, others, n=1, cutoff=0.8)
        if close:
            problems.append(warning(users[0].display, users[0].line_of("category"),
                f"La rubrique « {name} » n'est utilisée nulle part ailleurs : vouliez-vous écrire "
                f"« {close[0]} » ? Une faute de frappe crée une nouvelle rubrique."))
    return problems


def check_polls(docs: Iterable[Document], unpublished: Iterable[Document] = ()) -> list[Problem]:
    """Return every problem of the ```poll blocks: syntax, ids defined twice, unknown ids.

    ``unpublished`` are the drafts left out of the build (publishconf.py): not checked, but a
    published page that shows one of their polls is.
    """
    problems: list[Problem] = []
    polls: list[Poll] = []
    references: list[tuple[PollReference, Document]] = []
    # Poll id -> the draft defining it, drafts left out of this build included: a published
    # page cannot show such a poll, whether or not the preview builds the draft.
    in_drafts = _polls_of(unpublished)
    published: set[str] = set()
    # Of two texts defining one poll, the older keeps it: by date, then (a copied file keeps
    # its original's date) by when the file was written, so the copy is the one told.
    for doc in sorted(docs, key=lambda doc: (*_age(doc)[:2], doc.mtime_ns, doc.relative)):
        shown: list[Poll | PollReference] = []
        for block in doc.poll_blocks:
            try:
                item = parse_block(block, doc.display)
                check_shown_once([*shown, item])
                shown.append(item)
            except PollSyntaxError as mistake:
                problems.append(_from_poll_error(mistake, doc))
                continue
            if isinstance(item, PollReference):
                references.append((item, doc))
            else:
                polls.append(item)
                if doc.is_draft:
                    in_drafts.setdefault(item.id, doc.display)
                else:
                    published.add(item.id)
    defined = _unique(polls, problems)
    for reference, doc in references:
        if not doc.is_draft and reference.id in in_drafts and reference.id not in published:
            problems.append(error(doc.display, reference.line,
                f"Le sondage « {reference.id} » est défini dans un brouillon "
                f"({in_drafts[reference.id]}) : une page publiée ne peut pas le montrer. "
                "Publiez d'abord ce brouillon, ou retirez ce bloc."))
            continue
        try:
            check_reference(reference, defined)
        except PollSyntaxError as mistake:
            problems.append(_from_poll_error(mistake, doc))
    return problems


def _polls_of(drafts: Iterable[Document]) -> dict[str, str]:
    """Return the poll ids defined in drafts that are not checked, each with its file."""
    found: dict[str, str] = {}
    for doc in drafts:
        for block in doc.poll_blocks:
            try:
                item = parse_block(block, doc.display)
            except PollSyntaxError:
                continue  # a draft left out of the build is not checked
            if isinstance(item, Poll):
                found.setdefault(item.id, doc.display)
    return found


def _unique(polls: list[Poll], problems: list[Problem]) -> dict[str, Poll]:
    """Index polls by id with ``check_unique``, reporting every second definition."""
    defined: dict[str, Poll] = {}
    for poll in polls:
        try:
            check_unique([defined[poll.id], poll] if poll.id in defined else [poll])
        except PollSyntaxError as mistake:
            problems.append(error(mistake.source or "?", mistake.line, mistake.message))
            continue
        defined[poll.id] = poll
    return defined


def _from_poll_error(mistake: PollSyntaxError, doc: Document) -> Problem:
    return error(mistake.source or doc.display, mistake.line, mistake.message)
