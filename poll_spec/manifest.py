"""output/polls.json: the build writes it, ``flask sync-polls`` reads it back.

Format (DESIGN.md): ``{"polls": [{"id", "question", "options": [{"key", "label"}],
"multiple", "opens", "closes", "results", "source", "url"}]}``. Each entry read back goes
through the same validator as a ```poll block, fed with the entry's fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .model import Poll, PollSyntaxError
from .validator import PollFields, check_unique, validate

MANIFEST_NAME = "polls.json"


class ManifestError(Exception):
    """The manifest cannot be read or holds a wrong poll; the message says why, in French."""


def manifest_text(polls: Iterable[Poll]) -> str:
    """Return the manifest of ``polls``, sorted by id."""
    entries = [poll.to_manifest() for poll in sorted(polls, key=lambda poll: poll.id)]
    return json.dumps({"polls": entries}, ensure_ascii=False, indent=2) + "\n"


def write_manifest(path: Path, polls: Iterable[Poll]) -> None:
    """Write the manifest of ``polls`` to ``path``."""
    Path(path).write_text(manifest_text(polls), encoding="utf-8")


def read_manifest(path: Path) -> list[Poll]:
    """Read a manifest and validate every poll; raise ``ManifestError`` with a French message."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"Fichier introuvable : {path}. Construisez d'abord le site (make html).") from None
    except (OSError, ValueError) as error:
        raise ManifestError(f"Impossible de lire {path} : {error}") from None
    entries = data.get("polls") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ManifestError(f"{path} : la clé « polls » (une liste) manque.")
    try:
        polls = [poll_from_manifest(entry) for entry in entries]
        check_unique(polls)
    except PollSyntaxError as error:
        raise ManifestError(f"{path} : {error}") from None
    return polls


def poll_from_manifest(entry: Any) -> Poll:
    """Validate an entry of output/polls.json and return its poll."""
    source = entry.get("source") if isinstance(entry, dict) else None
    source = source if isinstance(source, str) else None
    poll = validate(_fields(entry, source), source)
    if not isinstance(poll, Poll):
        raise PollSyntaxError("Entrée de manifeste invalide : la question et les réponses manquent.", source=source)
    url = entry.get("url")
    return replace(poll, line=None, url=url if isinstance(url, str) else None)


def _fields(entry: Any, source: str | None) -> PollFields:
    """Read an entry into the validator's fields (no lines: a manifest is not a writer's file)."""
    if not isinstance(entry, dict):
        raise PollSyntaxError("Entrée de manifeste invalide : un objet JSON est attendu.")
    fields = PollFields()
    for name in ("id", "question", "opens", "closes", "results"):
        value = entry.get(name)
        if value is None and name not in ("id", "question"):
            continue
        fields.values[name] = _text(value, name, source).strip()
        fields.lines[name] = None
    fields.values["multiple"] = _multiple(entry.get("multiple"), source)
    fields.lines["multiple"] = None
    options = entry.get("options")
    if not isinstance(options, list):
        raise PollSyntaxError("Entrée de manifeste invalide : « options » doit être une liste.", source=source)
    fields.lines["options"] = None
    for option in options:
        if not isinstance(option, dict):
            raise PollSyntaxError("Entrée de manifeste invalide : chaque réponse est un objet.", source=source)
        key = _text(option.get("key"), "key", source).strip()
        label = _text(option.get("label"), "label", source).strip()
        fields.options.append((key, label, None))
    return fields


def _text(value: Any, name: str, source: str | None) -> str:
    if not isinstance(value, str):
        raise PollSyntaxError(f"Entrée de manifeste invalide : « {name} » doit être un texte.", source=source)
    return value


def _multiple(value: Any, source: str | None) -> str:
    """Spell the manifest's ``multiple`` (false, or a number) as a block would."""
    if value is None or value is False:
        return "false"
    if value is True:
        return "true"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise PollSyntaxError("Entrée de manifeste invalide : « multiple » vaut false ou un nombre.", source=source)
