"""Driver-level bulk writes store exactly what a Core statement stores."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, text

from archive.db.bulk import bind_value, bulk_ids, insert_tuples, sql_literal, update_rows
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


def test_insert_tuples_constants_store_what_binding_stores(services) -> None:
    """Constants written as literals (quotes doubled) or, where they cannot be (a NUL), bound
    with every row: either way the rows hold what a Core insert stores."""
    at = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    shared = {"user_id": "o'brien", "origin": "A\x00B", "at": at, "op": "I"}
    with services.rt.db.sessions() as s:
        conn = s.connection()
        core = [{"change_id": f"c-core-{i}", "table_name": "unit", "row_id": f"r{i}", "fields": {"i": i}, "hlc": i,
                 **shared} for i in range(3)]  # fmt: skip
        conn.execute(insert(ChangeLog), core)
        names = ["change_id", "table_name", "row_id", "fields", "hlc"]
        rows = [(f"c-bulk-{i}", "unit", f"r{i}", {"i": i}, i) for i in range(3)]
        insert_tuples(conn, ChangeLog.__table__, names, rows, constants=shared)
        stored = {r[0]: tuple(r[1:]) for r in conn.execute(text(
            "SELECT change_id, table_name, row_id, op, fields, hlc, user_id, origin, at FROM change_log "
            "WHERE change_id LIKE 'c-%'"))}  # fmt: skip
        assert len(stored) == 6
        for i in range(3):
            assert stored[f"c-bulk-{i}"] == stored[f"c-core-{i}"]
        assert stored["c-bulk-0"][5:] == ("o'brien", "A\x00B", "2026-03-01 12:00:00.000000")
        s.rollback()


def test_sql_literal_quotes_text_and_declines_what_it_cannot_write(services) -> None:
    with services.rt.db.sessions() as s:
        conn = s.connection()
        assert sql_literal(conn, "it's") == "'it''s'"
        assert sql_literal(conn, None) == "NULL" and sql_literal(conn, 7) == "7"
        assert sql_literal(conn, "a\x00b") is None and sql_literal(conn, 1.5) is None
        tricky = "x'; --"
        assert conn.exec_driver_sql(f"SELECT {sql_literal(conn, tricky)}").scalar() == tricky


def test_update_rows_sets_values_and_constants_by_key(services) -> None:
    """Per-row values, a literal constant and a bound one (NUL text) land on the rows the keys
    pick, and the count of changed rows comes back (what the stale-version check relies on)."""
    with services.rt.db.sessions() as s:
        conn = s.connection()
        rows = [{"change_id": f"c-u-{i}", "table_name": "unit", "row_id": f"r{i}", "op": "I", "fields": {},
                 "hlc": i, "user_id": None, "origin": "A01", "at": datetime(2026, 3, 1, tzinfo=UTC)} for i in range(5)]  # fmt: skip
        conn.execute(insert(ChangeLog), rows)
        changed = update_rows(conn, ChangeLog.__table__, ["row_id", "hlc"], ["change_id", "hlc"],
                              [(f"s{i}", 100 + i, f"c-u-{i}", i) for i in (0, 2, 4)] + [("x", 0, "c-u-1", 99)],
                              constants={"user_id": "o'brien", "origin": "A\x00B"})  # fmt: skip
        assert changed == 3
        got = conn.execute(text("SELECT change_id, row_id, hlc, user_id, origin FROM change_log "
                                "WHERE change_id LIKE 'c-u-%' ORDER BY change_id")).all()  # fmt: skip
        assert got == [("c-u-0", "s0", 100, "o'brien", "A\x00B"), ("c-u-1", "r1", 1, None, "A01"),
                       ("c-u-2", "s2", 102, "o'brien", "A\x00B"), ("c-u-3", "r3", 3, None, "A01"),
                       ("c-u-4", "s4", 104, "o'brien", "A\x00B")]  # fmt: skip
        s.rollback()
