"""The retention engine, due lists and holds on a real PostgreSQL (own throw-away database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from archive.services.expedientes import ExpedienteInput
from archive.services.holds import HoldInput, is_on_hold
from archive.services.retention import DueFilter
from archive.services.trd import TrdApproval
from tests.conftest import ADMIN_PASSWORD, build_services

pytestmark = pytest.mark.pg
TRD = Path(__file__).resolve().parents[1] / "samples" / "trd"


@pytest.fixture(scope="module")
def pg(pg_server_url: str) -> Iterator[tuple[object, object]]:
    import psycopg
    from sqlalchemy.engine import make_url

    from archive.services.setup import SetupRequest

    server = make_url(pg_server_url)
    name = f"legajo_ret_{uuid.uuid4().hex[:10]}"
    conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    sv = build_services(url)
    admin = sv.setup.initialize(SetupRequest("Alcaldía PG", "admin", "Admin", ADMIN_PASSWORD))
    try:
        yield sv, admin
    finally:
        sv.rt.db.close()
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_import_recompute_due_and_hold_on_postgresql(pg) -> None:
    sv, admin = pg
    sv.org.add_dependencia(admin, code="110", name="Gestión Documental")
    sv.trd.import_file(admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)))
    leap = sv.expedientes.create(admin, ExpedienteInput("110", "P-1", "Actas", "2", "1", date(2016, 1, 4), date(2016, 2, 29)))
    sv.expedientes.create(admin, ExpedienteInput("110", "P-2", "Abierto", "2", "1", date(2016, 1, 4), None))
    first = sv.retention.recompute(admin)
    # The closed one got its dates when it was created closed; the open one only its rule here.
    assert (first.examined, first.updated, first.with_rule) == (2, 1, 2)
    assert sv.retention.recompute(admin).updated == 0
    [row] = sv.retention.due(admin, DueFilter("gestion", as_of=date(2026, 3, 2)))
    assert (row.id, row.fin_gestion, row.fin_central) == (leap, date(2018, 2, 28), date(2026, 2, 28))
    sv.holds.place(admin, HoldInput("dependencia", "Proceso", "Juzgado", date(2026, 1, 1), dependencia_code="110"))
    with sv.rt.db.sessions() as s:
        assert is_on_hold(s, leap)
