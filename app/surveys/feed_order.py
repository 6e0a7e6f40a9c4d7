"""The changes feed's cursor follows commit order.

Entries get their number (`site_changes.seq`) just before their transaction commits, so a device
that has read up to number N has seen every entry up to N, whatever order the writers began
in. `register_services` picks the numbering for the database; a write that adds feed entries
calls `feed_entries_added()`, and the session numbers them in `before_commit`.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.extensions import db

FEED_LOCK = 730_401  # pg_advisory_xact_lock key of the feed's numbering
PENDING = "feed_numbering"  # session.info key: this transaction added feed entries


# this transaction's entries (others' uncommitted ones are invisible to it), in insert order
NUMBER_IN_ORDER = text(
    "UPDATE site_changes AS c SET seq = n.seq FROM ("
    " SELECT id, nextval('site_changes_seq_numbers') AS seq FROM ("
    "  SELECT id FROM site_changes WHERE seq IS NULL ORDER BY id) AS waiting"
    ") AS n WHERE c.id = n.id"
)


class FeedNumbering(Protocol):
    def number(self, session: Session) -> None:
        """Number this transaction's entries (those with no number yet)."""
        ...


class PostgresFeedNumbering:
    """Under a transaction-level advisory lock, released by the commit: the next transaction
    numbers its entries only after this one is committed, so numbers follow commit order. The
    lock is taken at the very end, when nothing else is left to wait for."""

    def number(self, session: Session) -> None:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})
        session.execute(NUMBER_IN_ORDER)


class SerialFeedNumbering:
    """SQLite lets one transaction write at a time: the row id is already in commit order."""

    def number(self, session: Session) -> None:
        session.execute(text("UPDATE site_changes SET seq = id WHERE seq IS NULL"))


def feed_numbering_for(database_url: str) -> FeedNumbering:
    if database_url.startswith("postgresql"):
        return PostgresFeedNumbering()
    return SerialFeedNumbering()


def feed_entries_added(session: Any = None) -> None:
    """This transaction (of `session`, else the request's) adds feed entries: number them
    when it commits."""
    (session or db.session).info[PENDING] = current_app.extensions["feed_numbering"]


@event.listens_for(Session, "before_commit")
def _number_feed_entries(session: Session) -> None:
    numbering: Any = session.info.pop(PENDING, None)
    if numbering is not None:
        session.flush()  # the entries still pending in the unit of work
        numbering.number(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_feed_entries(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(PENDING, None)
