"""Schema management on SQLite: migrate on open, refuse newer, foreign and corrupt databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from archive.db.database import Database
from archive.db.engine import make_engine, sqlite_url
from archive.db.migrate import SchemaState, check, head_revision
from archive.domain.errors import DatabaseError
from archive.i18n import render_error


def test_open_migrates_an_empty_folder_to_head(tmp_path) -> None:
    db = Database.open(sqlite_url(tmp_path))
    assert check(db.engine) is SchemaState.CURRENT
    with sqlite3.connect(tmp_path / "legajo.sqlite3") as conn:
        assert (
            conn.execute("select version_num from alembic_version").fetchone()[0] == head_revision()
        )
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    db.close()


def test_the_migrations_build_the_schema_the_models_describe(tmp_path) -> None:
    """Alembic's autogenerate finds nothing to add: no index or column only one side has."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from archive.db.base import Base

    db = Database.open(sqlite_url(tmp_path))
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    db.close()


def test_a_newer_database_is_refused_untouched(tmp_path) -> None:
    Database.open(sqlite_url(tmp_path)).close()
    path = tmp_path / "legajo.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("update alembic_version set version_num = 'f00dfeed9999'")
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as e:
        Database.open(sqlite_url(tmp_path))
    assert e.value.code == "db.newer"
    assert "más reciente" in render_error(e.value)
    assert path.read_bytes() == before


def test_a_foreign_database_is_refused(tmp_path) -> None:
    with sqlite3.connect(tmp_path / "legajo.sqlite3") as conn:
        conn.execute("create table clientes (id integer)")
    with pytest.raises(DatabaseError) as e:
        Database.open(sqlite_url(tmp_path))
    assert e.value.code == "db.foreign"


def test_a_corrupt_file_is_refused_with_a_clear_message(tmp_path) -> None:
    (tmp_path / "legajo.sqlite3").write_bytes(b"esto no es una base de datos" * 200)
    with pytest.raises(DatabaseError) as e:
        Database.open(sqlite_url(tmp_path))
    assert e.value.code == "db.unusable"
    assert "dañado" in render_error(e.value)


def test_sqlite_connection_settings(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("pragma foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 2  # FULL
    engine.dispose()


def _migrator(engine: Engine) -> Callable[[str, str], None]:
    """``migrate("upgrade" | "downgrade", revision)`` on ``engine`` through Alembic."""
    from alembic import command

    from archive.db.migrate import alembic_config

    cfg = alembic_config()

    def migrate(step: str, target: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, step)(cfg, target)

    return migrate


def test_0008_moves_the_due_dates_out_of_the_expediente_row_and_back(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate = _migrator(engine)

    migrate("upgrade", "0007")
    path = tmp_path / "legajo.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")  # one bare row; its parents do not matter here
        cols = "id, dependencia_id, number, title, folios, soporte, state, stage, notes, origin, version, created_at, updated_at"
        for i, due in enumerate(
            [("r1", "2020-01-31", "2028-01-31"), ("r2", None, None), (None, None, None)]
        ):
            conn.execute(f"INSERT INTO expediente ({cols}, trd_rule_id, fin_gestion, fin_central) VALUES "
                         f"(?, 'd', ?, 't', 0, 'papel', 'cerrado', 'gestion', '', 'A01', 1, '2020-01-01', '2020-01-01', ?, ?, ?)",
                         (f"e{i}", f"N-{i}", *due))  # fmt: skip
    migrate("upgrade", "head")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT * FROM expediente_due ORDER BY expediente_id").fetchall() == [
            ("e0", "r1", "2020-01-31", "2028-01-31"), ("e1", "r2", None, None)]  # fmt: skip
        names = {r[1] for r in conn.execute("PRAGMA table_info(expediente)")}
        assert not names & {"trd_rule_id", "fin_gestion", "fin_central"} and "number" in names
        assert conn.execute("PRAGMA foreign_key_check(expediente_due)").fetchall() == []
    migrate("downgrade", "0007")
    with sqlite3.connect(path) as conn:
        back = conn.execute(
            "SELECT id, trd_rule_id, fin_gestion, fin_central FROM expediente ORDER BY id"
        ).fetchall()
        assert back == [
            ("e0", "r1", "2020-01-31", "2028-01-31"),
            ("e1", "r2", None, None),
            ("e2", None, None, None),
        ]
    engine.dispose()


def test_0009_keeps_only_batch_movements_in_the_batch_index(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate = _migrator(engine)

    def index_sql(conn: sqlite3.Connection) -> str:
        return conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_movement_batch'"
        ).fetchone()[0]

    path = tmp_path / "legajo.sqlite3"
    migrate("upgrade", "0009")
    with sqlite3.connect(path) as conn:
        assert index_sql(conn).endswith("WHERE batch_id IS NOT NULL")
        plan = " ".join(
            r[3]
            for r in conn.execute("EXPLAIN QUERY PLAN SELECT id FROM movement WHERE batch_id = 'b'")
        )
        assert "ix_movement_batch" in plan
    migrate("downgrade", "0008")
    with sqlite3.connect(path) as conn:
        assert "WHERE" not in index_sql(conn)
    engine.dispose()


def test_0010_counts_box_contents_and_finds_the_clock_from_indexes(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate = _migrator(engine)
    path = tmp_path / "legajo.sqlite3"

    def plans(conn: sqlite3.Connection) -> tuple[str, str]:
        def plan(sql: str) -> str:
            return " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))

        return (
            plan("SELECT parent_id, count(*) FROM unit WHERE parent_id IN ('a', 'b') "
                 "AND deleted_at IS NULL GROUP BY parent_id"),
            plan("SELECT max(hlc) FROM change_log"),
        )  # fmt: skip

    migrate("upgrade", "0010")
    with sqlite3.connect(path) as conn:
        boxes, clock = plans(conn)
        assert "COVERING INDEX ix_unit_parent" in boxes
        assert "ix_change_log_hlc" in clock and "SCAN change_log" not in clock
    migrate("downgrade", "0009")
    with sqlite3.connect(path) as conn:
        boxes, clock = plans(conn)
        assert "COVERING" not in boxes and "ix_change_log_hlc" not in clock
    engine.dispose()


def test_an_old_sqlite_library_is_refused_before_touching_anything(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))  # Ubuntu 20.04's
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(DatabaseError) as caught:
        Database.open(sqlite_url(tmp_path))
    assert caught.value.code == "db.sqlite_old"
    assert "3.31.1" in render_error(caught.value) and "3.35.0" in render_error(caught.value)
    assert not (tmp_path / "legajo.sqlite3").exists()
