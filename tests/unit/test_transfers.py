"""Transfers: candidates, building, holds on every path, cotejo, acceptance (N° T, stage,
location, audit), rejection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from archive.db.models import AuditLog, Expediente, Movement, Unit
from archive.domain.errors import ConflictError, ValidationError
from archive.services.expedientes import ExpedienteInput
from archive.services.holds import HoldInput
from archive.services.locations import RangeLevel
from archive.services.trd import TrdApproval

TRD = Path(__file__).resolve().parents[1] / "samples" / "trd"


@pytest.fixture
def world(services, admin):
    """Dependencia 110 with the AGN sample TRD, a shelf, and a helper to make expedientes."""
    services.org.add_dependencia(admin, code="110", name="Gestión Documental")
    services.trd.import_file(admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)))
    dep = services.locations.create(admin, level_code="deposito", code="1", name="Depósito central")
    services.locations.create_range(
        admin, dep.id, [RangeLevel("modulo", "1"), RangeLevel("cara", "A"), RangeLevel("estante", "1"),
                        RangeLevel("entrepano", "1-2")], capacity_units=10, capacity_cm=200,
    )  # fmt: skip
    return dep


def make_exp(
    services, admin, number, serie="2", sub="1", closed=date(2016, 6, 1), carpetas=1, box=None
):
    eid = services.expedientes.create(
        admin,
        ExpedienteInput(
            "110", number, "Expediente " + number, serie, sub, date(2016, 1, 1), closed
        ),
    )
    services.retention.recompute(admin)
    if box is None:
        [box] = services.units.register(admin, type_code="X200", dependencia_code="110")
    units = services.units.register(admin, type_code="CAR4", count=carpetas, parent_barcode=box.barcode,
                                    expediente_id=eid)  # fmt: skip
    for k, u in enumerate(units):
        services.units.set_folios(admin, u.id, 1 + 200 * k, 200 * (k + 1))
    return eid, box, units


def leaf_barcode(services, admin) -> str:
    node = None
    while True:
        kids = services.locations.children(admin, node.id if node else None)
        if not kids:
            return node.barcode
        node = kids[0]


def set_stage(services, eid, stage):
    with services.rt.db.sessions() as s:
        s.connection().execute(
            text("UPDATE expediente SET stage = :s WHERE id = :i"), {"s": stage, "i": eid}
        )
        s.commit()


def test_candidates_create_checklist_send_receive_accept(services, admin, world) -> None:
    e1, box, units = make_exp(services, admin, "T-1", carpetas=2)
    make_exp(services, admin, "T-2", closed=date(2025, 6, 1))  # not due
    cands = services.transfers.candidates(admin, "primaria")
    assert [c.number for c in cands] == ["T-1"]
    r = services.transfers.create(admin, "primaria", "110", ["T-1"])
    assert r.items == 1
    assert services.transfers.candidates(admin, "primaria") == []  # already in an open transfer
    with pytest.raises(ValidationError):
        services.transfers.send(admin, r.id)  # checklist incomplete
    services.transfers.set_checklist(
        admin, r.id, e1, foliacion=True, hoja_control=True, rotulos=True, depuracion=True
    )
    assert services.transfers.items(admin, r.id)[0].ready
    services.transfers.send(admin, r.id)
    doc = services.transfers.fuid(admin, r.id)
    assert doc.objeto.is_transfer and [row.order for row in doc.rows] == [1, 2]
    assert doc.rows[0].folios == 200 and doc.rows[0].caja == (box.number or box.barcode)
    # cotejo: one carpeta missing, one extra, a folio difference
    c = services.transfers.receive(
        admin, r.id, [box.barcode, units[0].barcode, "XYZ-1"], {units[0].barcode: 198}
    )
    assert c.missing == (units[1].barcode,) and c.extra == ("XYZ-1",)
    assert c.folio_diffs == ((units[0].barcode, 200, 198),) and not c.ok
    with pytest.raises(ValidationError):
        services.transfers.accept(admin, r.id, leaf_barcode(services, admin))
    c = services.transfers.receive(admin, r.id, [box.barcode, units[0].barcode, units[1].barcode])
    assert c.ok
    loc = leaf_barcode(services, admin)
    res = services.transfers.accept(admin, r.id, loc)
    assert res.number == 1 and res.moved == 1
    with services.rt.db.sessions() as s:
        assert s.get(Expediente, e1).stage == "central"
        assert s.get(Unit, box.id).location_id is not None
        assert (
            s.scalars(select(Movement.method).where(Movement.unit_id == box.id)).all()[-1]
            == "transfer"
        )
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.module == "transferencias")))
    assert {"transfer.create", "transfer.send", "transfer.receive", "transfer.accept"} <= actions
    doc = services.transfers.fuid(admin, r.id)
    assert doc.entry_date == date(2026, 3, 2) and doc.transfer_number == "2026-001"
    [row] = services.transfers.list(admin)
    assert (row.status, row.label, row.items) == ("aceptada", "2026-001", 1)


def test_transfer_number_is_consecutive_per_year(services, admin, world, clock) -> None:
    numbers = []
    for n in ("N-1", "N-2"):
        make_exp(services, admin, n)
        r = services.transfers.create(admin, "primaria", "110", [n])
        services.transfers.send(admin, r.id, force=True)
        numbers.append(services.transfers.accept(admin, r.id).number)
    assert numbers == [1, 2]
    clock.value = clock.value.replace(year=2027)
    make_exp(services, admin, "N-3")
    r = services.transfers.create(admin, "primaria", "110", ["N-3"])
    assert services.transfers.accept(admin, r.id).number == 1


def test_holds_block_create_add_and_accept(services, admin, world) -> None:
    e1, box, _ = make_exp(services, admin, "H-1")
    make_exp(services, admin, "H-2")
    hold = services.holds.place(
        admin, HoldInput("expediente", "Proceso", "Juzgado 1", date(2026, 1, 1), expediente="H-1")
    )
    with pytest.raises(ConflictError) as err:
        services.transfers.create(admin, "primaria", "110", ["H-1"])
    assert err.value.code == "transfer.held"
    r = services.transfers.create(admin, "primaria", "110", [])
    with pytest.raises(ConflictError):
        services.transfers.add(admin, r.id, ["H-1"])
    services.transfers.add(admin, r.id, ["H-2"])
    services.holds.release(admin, hold.id, "Archivado")
    services.transfers.add(admin, r.id, ["H-1"])
    services.holds.place(
        admin, HoldInput("unit", "Proceso", "Juzgado 2", date(2026, 1, 1), unit_barcode=box.barcode)
    )
    with pytest.raises(ConflictError):
        services.transfers.accept(admin, r.id)
    with services.rt.db.sessions() as s:
        assert s.get(Expediente, e1).stage == "gestion"


def test_not_due_wrong_stage_and_reject(services, admin, world) -> None:
    make_exp(services, admin, "R-1", closed=date(2025, 6, 1))
    with pytest.raises(ValidationError):
        services.transfers.create(admin, "primaria", "110", ["R-1"])
    e2, _, _ = make_exp(services, admin, "R-2")
    with pytest.raises(ValidationError):
        services.transfers.create(admin, "secundaria", "110", ["R-2"])  # still in gestión
    r = services.transfers.create(admin, "primaria", "110", ["R-2"])
    with pytest.raises(ValidationError):
        services.transfers.reject(admin, r.id, " ")
    services.transfers.reject(admin, r.id, "Faltan rótulos")
    with pytest.raises(ConflictError):
        services.transfers.accept(admin, r.id)
    with services.rt.db.sessions() as s:
        assert s.get(Expediente, e2).stage == "gestion"
    assert [c.number for c in services.transfers.candidates(admin, "primaria")] == ["R-2"]


def test_secondary_candidates_are_ct_or_s_only(services, admin, world, clock) -> None:
    ct, _, _ = make_exp(services, admin, "S-CT")
    e, _, _ = make_exp(services, admin, "S-E", serie="14", sub="")
    for eid in (ct, e):
        set_stage(services, eid, "central")
    clock.value = clock.value.replace(year=2027)  # fin_central of 2.1 is 01/06/2026
    assert [c.number for c in services.transfers.candidates(admin, "secundaria")] == ["S-CT"]
    r = services.transfers.create(admin, "secundaria", "110", ["S-CT"])
    services.transfers.accept(admin, r.id)
    with services.rt.db.sessions() as s:
        assert s.get(Expediente, ct).stage == "historico"


def test_schedule(services, admin, world) -> None:
    services.transfers.set_schedule(admin, 2026, "110", "primaria", date(2026, 5, 4))
    services.transfers.set_schedule(admin, 2026, "110", "primaria", date(2026, 5, 11), "movida")
    [row] = services.transfers.schedule(admin, 2026)
    assert (row.dependencia_code, row.planned_on, row.notes) == ("110", date(2026, 5, 11), "movida")
    with pytest.raises(ValidationError):
        services.transfers.set_schedule(admin, 2026, "110", "terciaria", date(2026, 5, 4))
