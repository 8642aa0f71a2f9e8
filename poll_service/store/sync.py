"""Create and update polls from their definitions (``flask sync-polls output/polls.json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from poll_spec import Poll

from ..schema import options, polls


class SyncRefused(Exception):
    """sync-polls would lose votes; ``problems`` says where, in French."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def sync_polls(conn: Connection, definitions: list[Poll]) -> list[str]:
    """Create or update polls from their definitions; return one French line per poll.

    An option key that has votes may not disappear (that would be dropping or renaming
    it): the whole sync is refused with ``SyncRefused`` and the caller rolls back. An option
    without votes that disappeared is deleted. Polls missing from the definitions are kept.
    Votes may arrive meanwhile: each poll's row is locked first, so they wait for the commit.
    """
    report, problems = [], []
    for poll in definitions:
        # Lock the poll's row (PostgreSQL) before reading its counts: a vote writes its voter
        # row (whose foreign key shares that lock) and counts itself on the poll's row before
        # counting its choices, so none commits between our read and our delete; it waits.
        row = conn.execute(select(polls).where(polls.c.id == poll.id).with_for_update()).first()
        values = {
            "question": poll.question,
            "max_choices": poll.max_choices,
            "opens": poll.opens,
            "closes": poll.closes,
            "results": poll.results,
            "url": poll.url,
            "source": poll.source,
        }
        if row is None:
            conn.execute(insert(polls).values(id=poll.id, total_voters=0, **values))
            conn.execute(
                insert(options),
                [
                    {"poll_id": poll.id, "key": o.key, "label": o.label, "position": i, "votes": 0}
                    for i, o in enumerate(poll.options)
                ],
            )
            report.append(f"{poll.id} : créé ({len(poll.options)} réponses).")
            continue
        current = {
            r.key: r
            for r in conn.execute(
                select(options.c.key, options.c.label, options.c.position, options.c.votes).where(
                    options.c.poll_id == poll.id
                )
            )
        }
        wanted = poll.option_keys()
        gone = [key for key in current if key not in wanted]
        voted = [key for key in gone if current[key].votes > 0]
        if voted:
            problems.extend(_voted_option_gone(poll.id, key, current[key].label, current[key].votes) for key in voted)
            continue
        changed = any(
            _comparable(row, name) != _comparable_value(value) for name, value in values.items()
        )
        if changed:
            conn.execute(update(polls).where(polls.c.id == poll.id).values(**values))
        if gone:
            # Only options still without votes: should a vote have slipped in after all, it is
            # kept and the sync refused rather than the vote silently dropped.
            deleted = conn.execute(
                delete(options).where(options.c.poll_id == poll.id, options.c.key.in_(gone), options.c.votes == 0)
            ).rowcount
            if deleted != len(gone):
                kept = conn.execute(
                    select(options.c.key, options.c.label, options.c.votes).where(
                        options.c.poll_id == poll.id, options.c.key.in_(gone)
                    )
                ).all()
                raise SyncRefused([_voted_option_gone(poll.id, o.key, o.label, o.votes) for o in kept])
            changed = True
        for position, option in enumerate(poll.options):
            existing = current.get(option.key)
            if existing is None:
                conn.execute(
                    insert(options).values(
                        poll_id=poll.id, key=option.key, label=option.label, position=position, votes=0
                    )
                )
                changed = True
            elif (existing.label, existing.position) != (option.label, position):
                conn.execute(
                    update(options)
                    .where(options.c.poll_id == poll.id, options.c.key == option.key)
                    .values(label=option.label, position=position)
                )
                changed = True
        report.append(f"{poll.id} : {'mis à jour' if changed else 'inchangé'}.")
    if problems:
        raise SyncRefused(problems)
    known = {poll.id for poll in definitions}
    for (poll_id,) in conn.execute(select(polls.c.id).order_by(polls.c.id)):
        if poll_id not in known:
            report.append(f"{poll_id} : absent de la définition, conservé avec ses votes.")
    return report


def _voted_option_gone(poll_id: str, key: str, label: str, votes: int) -> str:
    return (
        f"Sondage « {poll_id} » : la réponse « {key} » ({label}) a déjà {votes} vote(s) et a "
        "disparu de la définition. Une réponse qui a des votes ne peut être ni supprimée ni "
        f"renommée : remettez-la avec la même clé (« - {key}: … » ; son texte peut changer)."
    )


def _comparable(row: Row, name: str) -> Any:
    return _comparable_value(getattr(row, name))


def _comparable_value(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value
