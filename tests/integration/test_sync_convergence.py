"""Convergence: three workstations edit offline at random and sync in random orders; in the end
every workstation and the central database hold the same data, and the conflicts are recorded.

The stations use the real services (dependencias, locations, units with external barcodes,
moves, expedientes) plus soft deletes and unit status edits; the values come from small pools
so that duplicates, concurrent edits, over-full shelves and edits of deleted rows happen often.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive.db.models import Dependencia, Expediente, Location, SyncConflict, Unit
from archive.db.uow import UnitOfWork
from archive.domain.errors import LegajoError
from archive.services.audit_log import verify_chain
from archive.services.expedientes import ExpedienteInput
from tests.integration.sync_helpers import (
    Central,
    Station,
    Stations,
    canonical_hash,
    canonical_rows,
    create_database,
    diff,
    drop_database,
)

pytestmark = pytest.mark.pg
pytest_plugins = ["tests.integration.sync_fixtures"]


@pytest.fixture(autouse=True)
def _soak_only_when_asked(request: pytest.FixtureRequest) -> None:
    """The soak runs only when asked for (``-m slow``): it takes many minutes."""
    if request.node.get_closest_marker("slow") and "slow" not in str(request.config.getoption("markexpr") or ""):
        pytest.skip("soak test: run with -m slow")

NAMES = ["Despacho", "Hacienda", "Jurídica", "Archivo"]
op = st.one_of(
    st.tuples(st.just("dep_add"), st.sampled_from(["10", "11", "12"])),
    st.tuples(st.just("dep_rename"), st.integers(0, 5), st.sampled_from(NAMES)),
    st.tuples(st.just("dep_delete"), st.integers(0, 5)),
    st.tuples(st.just("loc_add"), st.sampled_from(["01", "02"]), st.integers(1, 2)),
    st.tuples(st.just("unit_add"), st.sampled_from([None, None, "EXT-1", "EXT-2"]), st.integers(0, 5)),
    st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 5)),
    st.tuples(st.just("unit_status"), st.integers(0, 9), st.sampled_from(["activo", "faltante", "eliminado"])),
    st.tuples(st.just("exp_add"), st.sampled_from(["2026-1", "2026-2"]), st.integers(0, 5)),
    st.tuples(st.just("exp_close"), st.integers(0, 5)),
    st.tuples(st.just("sync"), st.just(0)),
)
programs = st.lists(st.tuples(st.integers(0, 2), op), min_size=4, max_size=24)
finals = st.permutations([0, 1, 2])


def _live(stn: Station, model: Any) -> list[Any]:
    with stn.rt.db.sessions() as s:
        return list(s.scalars(select(model).where(model.deleted_at.is_(None)).order_by(model.id)))


def _pick(rows: list[Any], i: int) -> Any | None:
    return rows[i % len(rows)] if rows else None


def _soft(stn: Station, model: Any, row_id: str, **values: Any) -> None:
    with stn.rt.uow(stn.login()) as uow:
        row = uow.session.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        uow.commit()


def run(stn: Station, step: tuple[Any, ...]) -> None:
    """One clerk action; refusals (validation, capacity, stale data) are what a clerk would see."""
    sv, admin, kind = stn.sv, stn.login(), step[0]
    try:
        if kind == "dep_add":
            sv.org.add_dependencia(admin, code=step[1], name=f"Oficina {step[1]} ({stn.code})")
        elif kind == "dep_rename" and (d := _pick(_live(stn, Dependencia), step[1])):
            sv.org.update_dependencia(admin, d.code, name=f"{step[2]} {stn.code}")
        elif kind == "dep_delete" and (d := _pick(_live(stn, Dependencia), step[1])):
            _soft(stn, Dependencia, d.id, deleted_at=stn.rt.now())
        elif kind == "loc_add":
            sv.locations.create(admin, level_code="deposito", code=f"{step[1]}", capacity_units=step[2])
        elif kind == "unit_add":
            loc = _pick(_live(stn, Location), step[2])
            sv.units.register(admin, type_code="X300", external_barcode=step[1], location_id=loc.id if loc else None)
        elif kind == "move" and (u := _pick(_live(stn, Unit), step[1])) and (loc := _pick(_live(stn, Location), step[2])):
            sv.moves.move(admin, [u.barcode], loc.barcode)
        elif kind == "unit_status" and (u := _pick(_live(stn, Unit), step[1])):
            _soft(stn, Unit, u.id, status=step[2])
        elif kind == "exp_add" and (d := _pick(_live(stn, Dependencia), step[2])):
            sv.expedientes.create(admin, ExpedienteInput(d.code, step[1], f"Expediente {step[1]} de {stn.code}"))
        elif kind == "exp_close" and (e := _pick(_live(stn, Expediente), step[1])):
            sv.expedientes.close(admin, e.id, date(2026, 3, 2))
        elif kind == "sync":
            stn.sync.sync_once()
    except LegajoError:
        pass


@contextmanager
def three_stations(pg_server_url: str, template_db: str, base: Path, sqlite_template: Path) -> Iterator[tuple[Central, list[Station]]]:
    name = f"legajo_sync_cv_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_server_url, name, template=template_db)
    central = Central(url, pg_server_url, name)
    folder = base / name
    folder.mkdir()
    made = Stations(folder, sqlite_template, central)
    try:
        a = made.seed("A01")
        a.sync.sync_once()
        yield central, [a, made.join("B02"), made.join("C03")]
    finally:
        made.close()
        drop_database(pg_server_url, name)


def check_converged(central: Central, stations: list[Station], order: list[int]) -> None:
    for _ in range(3):
        for i in order:
            stations[i].sync.sync_once()
    reference = canonical_rows(central.url)
    for stn in stations:
        mine = canonical_rows(stn.rt.db.engine.url.render_as_string(hide_password=False))
        assert diff(mine, reference) == [], stn.code
    assert len({canonical_hash(central.url), *(
        canonical_hash(s.rt.db.engine.url.render_as_string(hide_password=False)) for s in stations)}) == 1  # fmt: skip
    # Every value set aside as a duplicate is explained by a recorded conflict.
    with stations[0].rt.db.sessions() as s:
        conflicted = {(c.table_name, c.row_id) for c in s.scalars(select(SyncConflict).where(SyncConflict.kind == "duplicate"))}
        for model, column in ((Dependencia, Dependencia.code), (Unit, Unit.barcode), (Expediente, Expediente.number)):
            for row_id in s.scalars(select(model.id).where(column.contains("~"))):
                assert (model.__tablename__, row_id) in conflicted
    db = central.database()
    with UnitOfWork(db.sessions, None, write=False) as uow:
        assert verify_chain(uow).ok
    db.close()


def _property(pg_server_url: str, central_template: str, tmp_path_factory: pytest.TempPathFactory,
              migrated_template: Path, program: list[tuple[int, tuple[Any, ...]]], order: list[int]) -> None:  # fmt: skip
    base = tmp_path_factory.mktemp("convergence")
    with three_stations(pg_server_url, central_template, base, migrated_template) as (central, stations):
        for who, step in program:
            run(stations[who], step)
        check_converged(central, stations, order)


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(program=programs, order=finals)
def test_three_offline_stations_converge(
    pg_server_url: str, central_template: str, tmp_path_factory: pytest.TempPathFactory,
    migrated_template: Path, program: list[tuple[int, tuple[Any, ...]]], order: list[int],
) -> None:  # fmt: skip
    _property(pg_server_url, central_template, tmp_path_factory, migrated_template, program, order)


@pytest.mark.slow
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(program=st.lists(st.tuples(st.integers(0, 2), op), min_size=10, max_size=60), order=finals)
def test_three_offline_stations_converge_soak(
    pg_server_url: str, central_template: str, tmp_path_factory: pytest.TempPathFactory,
    migrated_template: Path, program: list[tuple[int, tuple[Any, ...]]], order: list[int],
) -> None:  # fmt: skip
    _property(pg_server_url, central_template, tmp_path_factory, migrated_template, program, order)
