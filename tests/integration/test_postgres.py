"""The same schema and rules on a real PostgreSQL (LEGAJO_TEST_PG_URL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, inspect, select, text

from archive.db.database import Database
from archive.db.migrate import SchemaState, check, head_revision
from archive.db.models import Dependencia
from archive.domain.errors import ConflictError, DatabaseError
from archive.services.runtime import SYSTEM
from tests.conftest import ADMIN_PASSWORD, build_services

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def pg_services(pg_url):
    sv = build_services(pg_url)
    from archive.services.setup import SetupRequest

    admin = sv.setup.initialize(SetupRequest("Alcaldía PG", "admin", "Admin", ADMIN_PASSWORD))
    yield sv, admin
    sv.rt.db.close()


def test_migrations_reach_head_on_postgresql(pg_services, pg_url) -> None:
    sv, _ = pg_services
    assert check(sv.rt.db.engine) is SchemaState.CURRENT
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == head_revision()
        indexes = {i["name"]: i for i in inspect(conn).get_indexes("dependencia")}
        # The partial unique index (live rows only) exists on PostgreSQL too.
        assert indexes["ix_dependencia_code_live"]["unique"]
        assert "deleted_at IS NULL" in str(indexes["ix_dependencia_code_live"].get("dialect_options", {}))
    engine.dispose()


def test_services_and_audit_chain_on_postgresql(pg_services) -> None:
    sv, admin = pg_services
    sv.org.add_dependencia(admin, code="100", name="Despacho")
    sv.users.add(admin, username="pg.user", full_name="PG", role_code="consulta", password="Pradera-2026x")
    assert sv.auth.login("pg.user", "Pradera-2026x").role_code == "consulta"
    report = sv.audit.verify(admin)
    assert report.ok and report.rows >= 4


def test_optimistic_locking_with_two_connections(pg_services) -> None:
    sv, admin = pg_services
    sv.org.add_dependencia(admin, code="200", name="Original")
    with sv.rt.uow(SYSTEM, write=False) as a, sv.rt.uow(SYSTEM, write=False) as b:
        dep_a = a.session.scalar(select(Dependencia).where(Dependencia.code == "200"))
        dep_b = b.session.scalar(select(Dependencia).where(Dependencia.code == "200"))
        dep_a.name = "Edición A"
        a.commit()
        dep_b.name = "Edición B"
        with pytest.raises(ConflictError) as e:
            b.commit()
    assert e.value.code == "db.stale"
    with sv.rt.db.sessions() as s:
        assert s.scalar(select(Dependencia.name).where(Dependencia.code == "200")) == "Edición A"


def test_two_threads_racing_on_one_row_exactly_one_wins(pg_services) -> None:
    sv, admin = pg_services
    sv.org.add_dependencia(admin, code="300", name="Carrera")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def edit(label: str) -> None:
        try:
            with sv.rt.uow(SYSTEM, write=False) as uow:
                dep = uow.session.scalar(select(Dependencia).where(Dependencia.code == "300"))
                barrier.wait(timeout=10)  # both have read version 1
                dep.name = label
                uow.commit()
                results.append("ok")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("Hilo 1", "Hilo 2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["conflict", "ok"]
    with sv.rt.db.sessions() as s:
        dep = s.scalar(select(Dependencia).where(Dependencia.code == "300"))
        assert dep.version == 2 and dep.name in {"Hilo 1", "Hilo 2"}


def test_a_foreign_postgresql_database_is_refused(pg_server_url) -> None:
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(pg_server_url)
    name = f"legajo_foreign_{uuid.uuid4().hex[:8]}"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
        eng = create_engine(url)
        with eng.begin() as conn:
            conn.execute(text("create table facturas (id int)"))
        eng.dispose()
        with pytest.raises(DatabaseError) as e:
            Database.open(url)
        assert e.value.code == "db.foreign"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
