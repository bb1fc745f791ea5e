"""A full rebuild on PostgreSQL writes a fresh table, builds its indexes once, and swaps it in: the table
comes out with the same indexes, constraints and sequence; searches may read the old table meanwhile
and writers wait for the rebuild (docs/search.md, "Rebuilding the index")."""

import psycopg
import pytest
from django.db import connection

from doeplein.spaces.models import Role

pytestmark = pytest.mark.usefixtures("needs_postgres")

TABLE = "search_searchdocument"


def shape():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [TABLE])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id'), to_regclass(%s)", [TABLE, TABLE + "_next"])
        sequence, leftover = cursor.fetchone()
    return indexes, constraints, sequence, leftover


def test_the_rebuilt_table_has_the_same_indexes_constraints_and_sequence(world, find, index):
    before = shape()
    found = [r.url for r in find(world["member"], "dijkversterking").results]
    assert before[3] is None
    assert any("gin (vector)" in d for _n, d in before[0])
    index()
    index()  # twice: nothing of the first swap is left in the second's way
    assert shape() == before
    assert len(found) == 4
    assert [r.url for r in find(world["member"], "dijkversterking").results] == found


def test_after_a_rebuild_new_documents_get_ids_and_vectors(world, find, index, make_message):
    from doeplein.search.indexing import reindex

    index()
    message = make_message(world["spaces"]["public"], "Zeppelinhaven gaat open voor bezoekers.")
    assert reindex("message", [message.pk]) == 1
    assert find(None, "zeppelinhaven").total == 1


def other_connection():
    settings = connection.settings_dict
    params = {"host": settings["HOST"] or None, "port": settings["PORT"] or None,
              "user": settings["USER"] or None, "password": settings["PASSWORD"] or None,
              "dbname": settings["NAME"]}  # fmt: skip
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True)


def test_during_a_rebuild_reads_go_on_and_writes_wait(make_space, make_user):
    """Another connection, while the rebuild runs (the progress callback): a search's read is answered
    at once; a write (a re-index task's SELECT … FOR UPDATE) waits until the rebuild commits."""
    seen = {}

    def progress(_rows):
        if seen:
            return
        with other_connection() as other:
            other.execute("SET lock_timeout = '1s'")
            seen["read"] = other.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]  # noqa: S608
            try:
                other.execute(f"SELECT id FROM {TABLE} LIMIT 1 FOR UPDATE")  # noqa: S608
                seen["write"] = "went ahead"
            except psycopg.errors.LockNotAvailable:
                seen["write"] = "waited"

    make_space("public", members={make_user(): Role.MEMBER}, name="Nog een ruimte")
    from doeplein.search.indexing import rebuild

    rebuild(progress=progress)
    assert seen == {"read": seen["read"], "write": "waited"}
    assert isinstance(seen["read"], int)
