"""A problem found in the content, and the report that lists them for a volunteer.

Errors stop ``make check``, ``make html`` and ``make publish``; warnings are advice and never
stop anything. An error in a draft stops nothing either: ``make publish`` leaves drafts out, so
``make check`` (and the preview) report it as the draft's, to fix before that draft goes out;
someone else's unfinished draft never keeps a writer from publishing. Every line of the report reads "content/x.md:LINE : what is wrong, how to fix".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake (or one piece of advice) at a line of a file, in French."""

    path: str
    line: int
    message: str
    severity: str = ERROR
    in_draft: bool = False  # found in a draft (Status: draft), which is never published

    @property
    def is_error(self) -> bool:
        """Tell whether this problem blocks the build (an error, not in a draft)."""
        return self.severity == ERROR and not self.in_draft

    @property
    def is_draft_error(self) -> bool:
        """Tell whether this is an error of a draft: to fix before publishing that draft."""
        return self.severity == ERROR and self.in_draft

    def __str__(self) -> str:
        prefix = "" if self.is_error else "brouillon, erreur : " if self.in_draft else "avertissement : "
        return f"{self.path}:{self.line} : {prefix}{self.message}"


def error(path: str, line: int | None, message: str) -> Problem:
    """Return a blocking problem."""
    return Problem(path, line or 1, message, ERROR)


def warning(path: str, line: int | None, message: str) -> Problem:
    """Return a piece of advice that does not block the build."""
    return Problem(path, line or 1, message, WARNING)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def summary(problems: Iterable[Problem]) -> str:
    """Return the one-line count of errors and warnings, in French."""
    problems = list(problems)
    errors = sum(problem.is_error for problem in problems)
    in_drafts = sum(problem.is_draft_error for problem in problems)
    warnings = len(problems) - errors - in_drafts
    if not problems:
        return "Aucun problème trouvé."
    parts = [_plural(errors, "erreur")] if errors else []
    if in_drafts:
        parts.append(_plural(in_drafts, "erreur") + (" dans des brouillons" if in_drafts > 1 else " dans un brouillon"))
    if warnings:
        parts.append(_plural(warnings, "avertissement"))
    return (", ".join(parts[:-1]) + " et " + parts[-1] if len(parts) > 1 else parts[0]) + "."


def format_report(problems: Iterable[Problem], checked: int | None = None) -> str:
    """Return the whole report: every problem sorted by file and line, then what to do."""
    problems = sorted(set(problems))
    lines = [str(problem) for problem in problems]
    errors = any(problem.is_error for problem in problems)
    if lines:
        lines.append("")
    checked_text = ""
    if checked is not None:
        checked_text = f" ({checked} fichier vérifié)" if checked <= 1 else f" ({checked} fichiers vérifiés)"
    lines.append(f"Vérification du contenu{checked_text} : {summary(problems)}")
    if errors:
        lines.append("Corrigez chaque erreur à la ligne indiquée, enregistrez, puis relancez "
                     "« make check ». Le guide docs/guide-redaction.md explique chaque message.")
    if any(problem.is_draft_error for problem in problems):
        lines.append("Les erreurs de brouillons n'empêchent pas la publication (make publish laisse les "
                     "brouillons de côté) : corrigez-les avant de publier ces brouillons. Si un brouillon "
                     "n'est pas le vôtre, prévenez son auteur.")
    elif problems and not errors:
        lines.append("Les avertissements n'empêchent pas la publication, mais méritent un coup d'œil.")
    return "\n".join(lines) + "\n"
