"""The one validator: from a poll's fields as written to a ``Poll`` (or a ``PollReference``).

A ```poll block (``poll_spec.blocks``) and an entry of output/polls.json
(``poll_spec.manifest``) are both read into ``PollFields`` (texts, each with the line it was
found on, None when there is no line), and ``validate`` applies every rule once, with the
writers' French messages. The site-wide rules (one definition per id, a reference to a poll
that exists, a poll shown once per page) are here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .dates import parse_datetime
from .model import RESULTS_MODES, Poll, PollOption, PollReference, PollSyntaxError
from .slugs import MAX_ID_LENGTH, SLUG_RE, slugify

FIELDS = ("id", "question", "options", "multiple", "opens", "closes", "results")
# A question or a label is one line of text; a manifest entry could try to carry more.
_LINE_BREAKS = ("\n", "\r")


@dataclass
class PollFields:
    """A poll as written: field texts, the line of each field, and the answers in order.

    ``lines`` names every field that was present (even empty), with its line or None;
    ``options`` holds (key or None, label, line) for each answer.
    """

    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int | None] = field(default_factory=dict)
    options: list[tuple[str | None, str, int | None]] = field(default_factory=list)
    first_line: int | None = None


def validate(fields: PollFields, source: str | None = None) -> Poll | PollReference:
    """Check a poll's fields against every rule; return the poll, or raise ``PollSyntaxError``.

    Fields holding only ``id`` make a ``PollReference`` (a block showing a poll defined
    elsewhere). The error carries ``source`` and the line of the faulty field.
    """
    try:
        return _validate(fields, source)
    except PollSyntaxError as error:
        error.source = source
        raise


def _validate(fields: PollFields, source: str | None) -> Poll | PollReference:
    values, lines = fields.values, fields.lines
    poll_id = values.get("id", "")
    if not poll_id:
        raise PollSyntaxError(
            "Le sondage n'a pas d'identifiant. Ajoutez en première ligne « id: mon-sondage » "
            "(minuscules, chiffres et tirets).",
            lines.get("id", fields.first_line),
        )
    if not SLUG_RE.match(poll_id) or len(poll_id) > MAX_ID_LENGTH:
        raise PollSyntaxError(
            f"Identifiant invalide « {poll_id} » : utilisez seulement des minuscules sans "
            "accents, des chiffres et des tirets (par exemple « don-en-ligne »), "
            f"{MAX_ID_LENGTH} caractères au plus.",
            lines["id"],
        )
    if set(lines) == {"id"} and not fields.options:
        return PollReference(poll_id, source, lines["id"])

    question = values.get("question", "")
    if not question:
        raise PollSyntaxError(
            "Le sondage n'a pas de question. Ajoutez une ligne « question: Votre question ? ».",
            lines.get("question", lines["id"]),
        )
    _check_one_line(question, "question", lines.get("question"))
    options = _options(fields)
    max_choices = _max_choices(values.get("multiple"), len(options), lines.get("multiple"))
    opens = _when(values.get("opens"), "opens", lines.get("opens"))
    closes = _when(values.get("closes"), "closes", lines.get("closes"))
    if opens and closes and closes <= opens:
        raise PollSyntaxError(
            "La date de fermeture (closes) doit venir après la date d'ouverture (opens).",
            lines["closes"],
        )
    results = values.get("results") or "always"
    if results not in RESULTS_MODES:
        raise PollSyntaxError(
            f"Mode de résultats inconnu « {results} ». Choisissez always (toujours visibles), "
            "after-vote (après avoir voté) ou after-close (après la fermeture).",
            lines.get("results"),
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


def _check_one_line(text: str, name: str, line: int | None) -> None:
    if any(mark in text for mark in _LINE_BREAKS):
        raise PollSyntaxError(f"Le texte de « {name} » doit tenir sur une seule ligne.", line)


def _options(fields: PollFields) -> tuple[PollOption, ...]:
    lines = fields.lines
    if "options" not in lines:
        raise PollSyntaxError(
            "Le sondage n'a pas de réponses. Ajoutez une ligne « options: » suivie d'une "
            "ligne « - clé: Texte de la réponse » par réponse.",
            lines["id"],
        )
    if len(fields.options) < 2:
        raise PollSyntaxError(
            "Un sondage a besoin d'au moins deux réponses, une par ligne commençant par « - ».",
            lines["options"],
        )
    options: list[PollOption] = []
    seen: dict[str, int | None] = {}
    shown: dict[str, tuple[str, int | None]] = {}  # label as voters read it -> (label, line)
    written: dict[str, str] = {}  # key -> the label it was drawn from, when not written
    for key, label, number in fields.options:
        if not label:
            raise PollSyntaxError("Réponse vide : écrivez le texte de la réponse après « - ».", number)
        _check_one_line(label, "options", number)
        if key is not None and not SLUG_RE.match(key):
            raise PollSyntaxError(
                f"Clé de réponse invalide « {key} » : utilisez seulement des minuscules sans "
                "accents, des chiffres et des tirets.",
                number,
            )
        same = shown.get(" ".join(label.casefold().split()))
        if same is not None:
            where = f" (déjà à la ligne {same[1]})" if same[1] is not None else ""
            raise PollSyntaxError(
                f"La réponse « {label} » apparaît deux fois{where} : les votants ne pourraient pas "
                "les distinguer. Gardez-en une seule, ou changez le texte de l'une des deux.",
                number,
            )
        shown[" ".join(label.casefold().split())] = (label, number)
        drawn = key is None
        key = key or slugify(label)
        if not key:
            raise PollSyntaxError(
                f"Impossible de tirer une clé de la réponse « {label} » : donnez-lui une clé, "
                "par exemple « - autre: " + label + " ».",
                number,
            )
        if key in seen and drawn and key in written:
            # Two labels the writer wrote differently, that give one key: say it in their words.
            where = f" (ligne {seen[key]})" if seen[key] is not None else ""
            raise PollSyntaxError(
                f"Les réponses « {written[key]} »{where} et « {label} » se ressemblent trop pour "
                f"le site, qui les range sous une même clé. Donnez-leur chacune une clé, par exemple "
                f"« - {key}: {written[key]} » et « - {key}-2: {label} ».",
                number,
            )
        if key in seen:
            where = f" (déjà à la ligne {seen[key]})" if seen[key] is not None else ""
            raise PollSyntaxError(
                f"Deux réponses ont la même clé « {key} »{where}. "
                "Chaque réponse doit avoir sa propre clé.",
                number,
            )
        seen[key] = number
        if drawn:
            written[key] = label
        options.append(PollOption(key, label))
    return tuple(options)


def _max_choices(value: str | None, option_count: int, line: int | None) -> int:
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


def _when(value: str | None, name: str, line: int | None):  # noqa: ANN202 (datetime | None)
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


def check_unique(polls: Iterable[Poll]) -> dict[str, Poll]:
    """Index polls by id; a second definition of one id is a ``PollSyntaxError``."""
    by_id: dict[str, Poll] = {}
    for poll in polls:
        first = by_id.get(poll.id)
        if first is not None:
            raise PollSyntaxError(
                f"Le sondage « {poll.id} » est déjà défini dans {first.source}:{first.line}. "
                f"Si c'est un autre sondage, donnez-lui un autre identifiant (par exemple "
                f"« id: {poll.id}-2 ») ; pour afficher ici le même sondage, gardez seulement la "
                f"ligne « id: {poll.id} » dans ce bloc.",
                poll.line,
                poll.source,
            )
        by_id[poll.id] = poll
    return by_id


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
