"""Write transactions on the archive.

The connection runs in autocommit mode (``isolation_level=None``), where ``with conn:`` opens no
transaction: every write goes through ``writing`` instead. It takes the write lock up front
(``BEGIN IMMEDIATE``), so a read-then-write in it (deduplication) can never interleave with
another process's, and a busy lock is waited for by SQLite's busy timeout at the start rather
than failing halfway. Nested use becomes a savepoint (sqlite-utils' ``atomic``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlite_utils


@contextlib.contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
