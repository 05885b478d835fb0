"""Driver-level bulk writes store exactly what a Core statement stores."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, text

from archive.db.bulk import bind_value, bulk_ids, insert_tuples
from archive.db.models import ChangeLog


def test_insert_tuples_stores_what_a_core_insert_stores(services) -> None:
    whole_second = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)  # the driver's isoformat drops .000000
    row = {"change_id": "c-core", "table_name": "unit", "row_id": "r1", "op": "I", "fields": {"a": "ñ"},
           "hlc": 7, "user_id": None, "origin": "A01", "at": whole_second}  # fmt: skip
    names = list(row)
    with services.rt.db.sessions() as s:
        conn = s.connection()
        conn.execute(insert(ChangeLog), [row])
        insert_tuples(conn, ChangeLog.__table__, names, [tuple({**row, "change_id": "c-bulk"}.values())])
        stored = {r[0]: tuple(r[1:]) for r in conn.execute(text(
            "SELECT change_id, fields, at, typeof(at) FROM change_log WHERE change_id IN ('c-core', 'c-bulk')"))}
        assert stored["c-bulk"] == stored["c-core"] == ('{"a":"ñ"}', "2026-03-01 12:00:00.000000", "text")
        assert bind_value(conn, ChangeLog.__table__.c.at, whole_second) == "2026-03-01 12:00:00.000000"
        s.rollback()


def test_bulk_ids_are_unique_increasing_uuid_shaped() -> None:
    first, second = list(bulk_ids(3)), list(bulk_ids(2))
    ids = first + second
    assert len(set(ids)) == 5 and ids == sorted(ids)
    assert all(len(i) == 36 and i[14] == "7" for i in ids)
