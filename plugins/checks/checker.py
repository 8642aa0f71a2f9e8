"""The content checker: find the files Pelican reads, run every rule, return every problem.

One entry point, ``check_site``, shared by ``python -m checks`` (``make check``) and the
plugin that runs it at the start of each build (``make html``, ``make publish``).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import characters, inline_code, links, metadata, site, strict_header
from .config import MARKDOWN_EXTENSIONS, CheckConfig
from .documents import Document, first_bad_line, load, recall, remember
from .problems import Problem, error, warning

# Files a volunteer may drop in content/ thinking they are articles; the build ignores them.
UNREAD_TEXT_EXTENSIONS = (".txt", ".text", ".doc", ".docx", ".odt", ".rtf")


@dataclass
class CheckResult:
    """The problems found and how many source files were looked at."""

    problems: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def errors(self) -> list[Problem]:
        """Return the blocking problems only."""
        return [problem for problem in self.problems if problem.is_error]


def _ignored(name: str, config: CheckConfig) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in config.ignore_files)


def walk(config: CheckConfig, roots: tuple[str, ...], excludes: tuple[str, ...]) -> list[str]:
    """List the files under ``roots`` as Pelican's ``get_files`` does (excluded folders pruned).

    Absolute paths as strings, sorted: much quicker than Paths for a thousand files.
    """
    excluded = {os.path.realpath(config.content / e) for e in excludes}
    found: set[str] = set()
    for root in roots:
        start = os.path.realpath(config.content / root) if root else str(config.content)
        for dirpath, dirs, files in os.walk(start, followlinks=True):
            dirs[:] = sorted(d for d in dirs if not _ignored(d, config)
                             and (not excluded or os.path.realpath(os.path.join(dirpath, d)) not in excluded))
            found.update(os.path.join(dirpath, f) for f in files if not _ignored(f, config))
    return sorted(found)


def _is_markdown(path: str) -> bool:
    return os.path.splitext(path)[1].lstrip(".").lower() in MARKDOWN_EXTENSIONS


def collect(config: CheckConfig) -> tuple[list[Document], list[Problem]]:
    """Read every article and page; undecodable or unread files become problems."""
    docs: list[Document] = []
    problems: list[Problem] = []
    kinds = (("page", config.page_paths, config.page_excludes),
             ("article", config.article_paths, config.article_excludes))
    seen: set[str] = set()
    prefix = len(str(config.content)) + 1
    for kind, roots, excludes in kinds:
        for path in walk(config, roots, excludes):
            if path in seen:
                continue
            seen.add(path)
            relative = path[prefix:].replace(os.sep, "/")
            # Named from the folder holding content/ ("content/x.md"), wherever the command runs:
            # the polls plugin names files the same way.
            display = f"{config.content.name}/{relative}"
            if not _is_markdown(path):
                problems += _unread(Path(path), relative, display, config)
                continue
            try:
                docs.append(load(path, display, relative, kind))
            except UnicodeDecodeError:
                problems.append(error(display, first_bad_line(Path(path)),
                    "Le fichier n'est pas enregistré en UTF-8, l'encodage du site. Dans votre "
                    "éditeur, choisissez « Enregistrer sous… » puis l'encodage « UTF-8 »."))
    return docs, problems


def _unread(path: Path, relative: str, display: str, config: CheckConfig) -> list[Problem]:
    if config.is_static(relative):
        return []
    if path.suffix.lower() not in UNREAD_TEXT_EXTENSIONS:
        return []
    return [warning(display, 1,
        "Ce fichier n'est pas lu par le site : seuls les fichiers « .md » le sont. Si c'est un "
        f"article, renommez-le « {path.name.split('.')[0]}.md » (et commencez-le par "
        "« Title: »).")]


def all_files(config: CheckConfig) -> set[str]:
    """Return every file under content/, relative and "/"-separated (for link targets)."""
    prefix = len(str(config.content)) + 1
    return {path[prefix:].replace(os.sep, "/") for path in walk(config, ("",), ())}


def check_site(config: CheckConfig, memory: Path | None = None) -> CheckResult:
    """Check every article and page of the site; return all problems at once.

    With ``memory`` (a file in the build's cache folder), what was read of each file is kept
    there for the next build, and taken from there for the files that did not change.
    """
    if memory is not None:
        recall(memory)
    every, problems = collect(config)
    if memory is not None:
        remember(memory, (doc.path for doc in every))
    # Under publishconf.py drafts are not built: not checked either, but links to them are
    # still recognised (and reported as links to a draft).
    docs = every if config.include_drafts else [doc for doc in every if not doc.is_draft]
    files = all_files(config)
    by_path = {doc.relative: doc for doc in every}
    for doc in docs:
        problems += metadata.check_header(doc, config)
        problems += strict_header.check_strict_header(doc)
        problems += links.check_links(doc, files, by_path)
        problems += characters.check_characters(doc)
        problems += inline_code.check_inline_code(doc)
    problems += site.check_addresses(docs, config)
    problems += site.check_spellings(docs, config)
    problems += site.check_polls(docs, [] if config.include_drafts else
                                 [doc for doc in every if doc.is_draft])
    # An error of a draft blocks nothing: drafts are never published (see problems).
    drafts = {doc.display for doc in docs if doc.is_draft}
    problems = [replace(problem, in_draft=True) if problem.path in drafts else problem for problem in problems]
    return CheckResult(sorted(set(problems)), checked=len(docs))
