"""The poll model and its one validator: parse a ```poll block, check it, read and write the manifest.

Plain Python on purpose (no Pelican, Flask or database import): the Markdown extension,
``make check``, the feeds and ``flask sync-polls`` all call these functions, so a writer
gets the same French message wherever a mistake is found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
RESULTS_MODES = ("always", "after-vote", "after-close")
FIELDS = ("id", "question", "options", "multiple", "opens", "closes", "results")
# Fields whose value may end with a "# comment"; a question or a label is taken literally,
# because a writer may well ask about "l'option #2".
_COMMENTABLE = {"id", "multiple", "opens", "closes", "results"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIELD_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$")
_KEYED_OPTION_RE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)\s*:\s+(.+)$")
_MAX_ID_LENGTH = 64


class PollSyntaxError(ValueError):
    """A writer's mistake in a poll, with the line it is on and a message in French."""

    def __init__(self, message: str, line: int | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.source = source

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"ligne {self.line}"
        return f"{where} : {self.message}" if where else self.message


@dataclass(frozen=True)
class PollOption:
    """One answer of a poll: a stable key (what votes are counted under) and its label."""

    key: str
    label: str


@dataclass(frozen=True)
class Poll:
    """A validated poll definition.

    ``max_choices`` is 1 for a single-choice poll; ``multiple`` in the manifest is ``False``
    for single choice, else this number.
    """

    id: str
    question: str
    options: tuple[PollOption, ...]
    max_choices: int = 1
    opens: datetime | None = None
    closes: datetime | None = None
    results: str = "always"
    source: str | None = None
    line: int | None = None
    url: str | None = None

    @property
    def multiple(self) -> bool:
        """True when a voter may tick more than one answer."""
        return self.max_choices > 1

    def option_keys(self) -> list[str]:
        """Return the option keys in their order."""
        return [option.key for option in self.options]

    def to_manifest(self) -> dict[str, Any]:
        """Return the poll as an entry of output/polls.json."""
        return {
            "id": self.id,
            "question": self.question,
            "options": [{"key": o.key, "label": o.label} for o in self.options],
            "multiple": self.max_choices if self.multiple else False,
            "opens": self.opens.isoformat() if self.opens else None,
            "closes": self.closes.isoformat() if self.closes else None,
            "results": self.results,
            "source": self.source,
            "url": self.url,
        }


@dataclass(frozen=True)
class PollReference:
    """A block holding only ``id:``: it shows a poll defined in another article."""

    id: str
    source: str | None = None
    line: int | None = None


@dataclass
class _Draft:
    """Fields seen so far while reading a block, with the line each was found on."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    options: list[tuple[str | None, str, int]] = field(default_factory=list)
    first_line: int = 1


def slugify(text: str) -> str:
    """Turn a label into a stable key: "Oui, régulièrement" -> "oui-regulierement"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def parse_poll(text: str, source: str | None = None, first_line: int = 1) -> Poll | PollReference:
    """Parse and validate the body of a ```poll block.

    ``first_line`` is the file line of the block's first body line, so errors point at the
    writer's file. Raises ``PollSyntaxError`` on the first mistake.
    """
    try:
        draft = _read_lines(text.splitlines(), first_line)
        return _build(draft, source)
    except PollSyntaxError as error:
        error.source = source
        raise


def _read_lines(lines: list[str], first_line: int) -> _Draft:
    draft = _Draft(first_line=first_line)
    in_options = False
    for number, raw in enumerate(lines, start=first_line):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("-"):
            if not in_options:
                raise PollSyntaxError(
                    "Une ligne commence par « - » hors de la liste des réponses. "
                    "Placez les réponses sous une ligne « options: ».",
                    number,
                )
            _read_option(draft, stripped[1:].strip(), number)
            continue
        match = _FIELD_RE.match(stripped)
        if not match:
            raise PollSyntaxError(
                f"Ligne incomprise : « {stripped} ». Chaque ligne doit être de la forme "
                "« champ: valeur » (par exemple « question: Votre avis ? »).",
                number,
            )
        name, value = match.group(1).lower(), (match.group(2) or "").strip()
        if name not in FIELDS:
            raise PollSyntaxError(
                f"Champ inconnu « {name} ». Les champs possibles sont : {', '.join(FIELDS)}.",
                number,
            )
        if name in draft.lines:
            raise PollSyntaxError(
                f"Le champ « {name} » apparaît deux fois (déjà à la ligne {draft.lines[name]}). "
                "Gardez-en un seul.",
                number,
            )
        if name in _COMMENTABLE:
            value = re.sub(r"\s+#.*$", "", value).strip()
        draft.lines[name] = number
        in_options = name == "options"
        if in_options:
            if value:
                raise PollSyntaxError(
                    "Les réponses se mettent sur les lignes suivantes, une par ligne, "
                    "commençant par « - » (par exemple « - oui: Oui »).",
                    number,
                )
            continue
        draft.values[name] = value
    return draft


def _read_option(draft: _Draft, text: str, number: int) -> None:
    if not text:
        raise PollSyntaxError("Réponse vide : écrivez le texte de la réponse après « - ».", number)
    match = _KEYED_OPTION_RE.match(text)
    key, label = (match.group(1), match.group(2).strip()) if match else (None, text)
    draft.options.append((key, label, number))


def _build(draft: _Draft, source: str | None) -> Poll | PollReference:
    values, lines = draft.values, draft.lines
    poll_id = values.get("id", "")
    if "id" not in values or not poll_id:
        raise PollSyntaxError(
            "Le sondage n'a pas d'identifiant. Ajoutez en première ligne « id: mon-sondage » "
            "(minuscules, chiffres et tirets).",
            lines.get("id", draft.first_line),
        )
    if not SLUG_RE.match(poll_id) or len(poll_id) > _MAX_ID_LENGTH:
        raise PollSyntaxError(
            f"Identifiant invalide « {poll_id} » : utilisez seulement des minuscules sans "
            "accents, des chiffres et des tirets (par exemple « don-en-ligne »), "
            f"{_MAX_ID_LENGTH} caractères au plus.",
            lines["id"],
        )
    if set(lines) == {"id"} and not draft.options:
        return PollReference(poll_id, source, lines["id"])

    question = values.get("question", "")
    if not question:
        raise PollSyntaxError(
            "Le sondage n'a pas de question. Ajoutez une ligne « question: Votre question ? ».",
            lines.get("question", lines["id"]),
        )
    options = _build_options(draft, lines)
    max_choices = _parse_multiple(values.get("multiple"), len(options), lines.get("multiple"))
    opens = _parse_when(values.get("opens"), "opens", lines.get("opens"))
    closes = _parse_when(values.get("closes"), "closes", lines.get("closes"))
    if opens and closes and closes <= opens:
        raise PollSyntaxError(
            "La date de fermeture (closes) doit venir après la date d'ouverture (opens).",
            lines["closes"],
        )
    results = values.get("results", "always") or "always"
    if results not in RESULTS_MODES:
        raise PollSyntaxError(
            f"Mode de résultats inconnu « {results} ». Choisissez always (toujours visibles), "
            "after-vote (après avoir voté) ou after-close (après la fermeture).",
            lines["results"],
        )
    return Poll(
        id=poll_id,
        question=question,
        options=options,
        max_choices=max_choices,
        opens=opens,
        closes=closes,
        results=results,
        source=source,
        line=lines["id"],
    )


def _build_options(draft: _Draft, lines: dict[str, int]) -> tuple[PollOption, ...]:
    if "options" not in lines:
        raise PollSyntaxError(
            "Le sondage n'a pas de réponses. Ajoutez une ligne « options: » suivie d'une "
            "ligne « - clé: Texte de la réponse » par réponse.",
            lines["id"],
        )
    if len(draft.options) < 2:
        raise PollSyntaxError(
            "Un sondage a besoin d'au moins deux réponses, une par ligne commençant par « - ».",
            lines["options"],
        )
    options: list[PollOption] = []
    seen: dict[str, int] = {}
    for key, label, number in draft.options:
        key = key or slugify(label)
        if not key:
            raise PollSyntaxError(
                f"Impossible de tirer une clé de la réponse « {label} » : donnez-lui une clé, "
                "par exemple « - autre: " + label + " ».",
                number,
            )
        if key in seen:
            raise PollSyntaxError(
                f"Deux réponses ont la même clé « {key} » (déjà à la ligne {seen[key]}). "
                "Chaque réponse doit avoir sa propre clé.",
                number,
            )
        seen[key] = number
        options.append(PollOption(key, label))
    return tuple(options)


def _parse_multiple(value: str | None, option_count: int, line: int | None) -> int:
    if value is None or value.lower() in ("", "false", "non", "no"):
        return 1
    if value.lower() in ("true", "oui", "yes"):
        return option_count
    if value.isdigit() and 1 <= int(value) <= option_count:
        return int(value)
    raise PollSyntaxError(
        f"Valeur de « multiple » invalide : « {value} ». Écrivez false (une seule réponse), "
        f"true (plusieurs réponses) ou un nombre entre 1 et {option_count} "
        "(le nombre maximum de réponses).",
        line,
    )


def _parse_when(value: str | None, name: str, line: int | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(value, end_of_day=name == "closes")
    except ValueError:
        raise PollSyntaxError(
            f"Date « {name} » illisible : « {value} ». Écrivez-la sous la forme AAAA-MM-JJ "
            "(par exemple 2026-12-31) ou AAAA-MM-JJ HH:MM.",
            line,
        ) from None


def parse_datetime(value: str, end_of_day: bool = False) -> datetime:
    """Read an ISO date or date-time; Europe/Paris unless it carries an offset.

    A bare date that closes a poll means "until the end of that day", so it becomes
    midnight of the next day.
    """
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0, 0), tzinfo=PARIS)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


def check_unique(polls: Iterable[Poll]) -> dict[str, Poll]:
    """Index polls by id; a second definition of one id is a ``PollSyntaxError``."""
    by_id: dict[str, Poll] = {}
    for poll in polls:
        first = by_id.get(poll.id)
        if first is not None:
            raise PollSyntaxError(
                f"Le sondage « {poll.id} » est déjà défini dans {first.source}:{first.line}. "
                "Pour afficher le même sondage ici, gardez seulement la ligne « id: "
                f"{poll.id} » dans ce bloc.",
                poll.line,
                poll.source,
            )
        by_id[poll.id] = poll
    return by_id


def poll_from_manifest(entry: dict[str, Any]) -> Poll:
    """Rebuild and re-validate a poll from an output/polls.json entry."""
    if not isinstance(entry, dict):
        raise PollSyntaxError("Entrée de manifeste invalide : un objet JSON est attendu.")
    try:
        options = tuple(PollOption(str(o["key"]), str(o["label"])) for o in entry["options"])
        poll = Poll(
            id=str(entry["id"]),
            question=str(entry["question"]),
            options=options,
            max_choices=int(entry.get("multiple") or 1),
            opens=_manifest_date(entry.get("opens")),
            closes=_manifest_date(entry.get("closes"), end_of_day=True),
            results=str(entry.get("results") or "always"),
            source=entry.get("source"),
            url=entry.get("url"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise PollSyntaxError(f"Entrée de manifeste invalide ({error!r}).") from None
    return validate(poll)


def _manifest_date(value: Any, end_of_day: bool = False) -> datetime | None:
    # A bare closing date means the end of that day, as in a ```poll block.
    return parse_datetime(value, end_of_day=end_of_day) if value else None


def validate(poll: Poll) -> Poll:
    """Check a poll built elsewhere against the same rules as a parsed block; return it."""
    lines = [f"id: {poll.id}", f"question: {poll.question}", "options:"]
    lines += [f"  - {o.key}: {o.label}" for o in poll.options]
    lines.append(f"multiple: {poll.max_choices if poll.multiple else 'false'}")
    lines += [f"{n}: {d.isoformat()}" for n, d in (("opens", poll.opens), ("closes", poll.closes)) if d]
    lines.append(f"results: {poll.results}")
    parsed = parse_poll("\n".join(lines), poll.source)
    if not isinstance(parsed, Poll) or parsed.option_keys() != poll.option_keys():
        raise PollSyntaxError(f"Sondage « {poll.id} » invalide.", source=poll.source)
    return replace(poll, opens=parsed.opens, closes=parsed.closes)


# Any fenced block's opening line; it is a poll block when its info string is "poll".
_FENCE_OPEN_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class PollBlock:
    """A ```poll fenced block found in a Markdown file; lines are 1-based file lines."""

    line: int
    body: str
    body_line: int
    closed: bool = True
    # The closing fence's line (the file's last line when the block is never closed), so a
    # caller can replace the whole block without locating its end a second time.
    end_line: int = 0


def find_poll_blocks(markdown_text: str) -> list[PollBlock]:
    """Find every ```poll block of a Markdown source, with the line it starts on.

    The Markdown extension and ``make check`` both locate blocks through this function, so
    they agree on line numbers. An unclosed block runs to the end of the file. A ```poll
    block inside another fenced block (a listing that shows the syntax) is text, not a poll.
    """
    blocks: list[PollBlock] = []
    lines = markdown_text.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE_OPEN_RE.match(lines[index])
        if not match:
            index += 1
            continue
        fence = match.group("fence")
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if match.group("info").strip() != "poll":
            # A listing is skipped whole; a fence never closed is no listing for
            # Python-Markdown, so reading goes on from the next line.
            index = end + 1 if end < len(lines) else index + 1
            continue
        blocks.append(
            PollBlock(
                line=index + 1,
                body="\n".join(lines[index + 1 : end]),
                body_line=index + 2,
                closed=end < len(lines),
                end_line=min(end + 1, len(lines)),
            )
        )
        index = end + 1
    return blocks


def parse_block(block: PollBlock, source: str | None = None) -> Poll | PollReference:
    """Parse a block found by ``find_poll_blocks``; an unclosed fence is an error too."""
    if not block.closed:
        raise PollSyntaxError(
            "Le bloc ```poll n'est jamais fermé : ajoutez une ligne ``` après sa dernière ligne.",
            block.line,
            source,
        )
    return parse_poll(block.body, source, block.body_line)


def check_shown_once(items: Iterable[Poll | PollReference]) -> None:
    """A page shows a poll once: a reference to a poll already on the page is an error.

    (Two definitions of one id are ``check_unique``'s concern, with its own message.)
    """
    first: dict[str, Poll | PollReference] = {}
    for item in items:
        earlier = first.setdefault(item.id, item)
        if earlier is not item and (isinstance(item, PollReference) or isinstance(earlier, PollReference)):
            raise PollSyntaxError(
                f"Le sondage « {item.id} » est déjà affiché dans cette page, à la ligne "
                f"{earlier.line} : un sondage ne s'affiche qu'une fois par page. Retirez ce bloc.",
                item.line,
                item.source,
            )


def check_reference(reference: PollReference, polls: dict[str, Poll]) -> Poll:
    """Return the poll a reference block shows; an unknown id is a ``PollSyntaxError``."""
    poll = polls.get(reference.id)
    if poll is None:
        raise PollSyntaxError(
            f"Aucun sondage « {reference.id} » n'est défini sur le site. Vérifiez l'identifiant, "
            "ou définissez ici le sondage complet (question et réponses).",
            reference.line,
            reference.source,
        )
    return poll
