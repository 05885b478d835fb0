"""Physical inventory: locations, units, moves by scan, capacity, history, bulk batches."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from archive.db.models import AuditLog, Movement, Unit
from archive.domain.barcodes import check_char
from archive.domain.errors import ConflictError, NotFound, ValidationError
from archive.services.expedientes import ExpedienteFilter, ExpedienteInput
from archive.services.locations import RangeLevel
from archive.services.moves import CapacityExceeded


@pytest.fixture
def shelf(services, admin):
    """Depósito 1 → módulo 1-2 → cara A-B → estante 1-2 → entrepaño 1-3, 4 cajas each."""
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    dep = services.locations.create(admin, level_code="deposito", code="1", name="Depósito central")
    n = services.locations.create_range(
        admin, dep.id,
        [RangeLevel("modulo", "1-2"), RangeLevel("cara", "A-B"), RangeLevel("estante", "1-2"), RangeLevel("entrepano", "1-3")],
        capacity_units=4, capacity_cm=100,
    )  # fmt: skip
    assert n == 2 + 4 + 8 + 24
    return dep


def leaf(services, admin, path: str):
    node = None
    for part in range(1, path.count("-") + 2):
        prefix = "-".join(path.split("-")[:part])
        kids = services.locations.children(admin, node.id if node else None)
        node = next(k for k in kids if k.path == prefix)
    return node


def test_signatura_and_range_preview(services, admin, shelf) -> None:
    preview = services.locations.preview_range(admin, shelf.id, [RangeLevel("modulo", "2-3"), RangeLevel("cara", "A")])
    assert preview.paths == ["D01-M02-A", "D01-M03-A"]
    assert preview.existing == ["D01-M02-A"]
    node = leaf(services, admin, "D01-M02-B-E01-B3")
    assert node.level_code == "entrepano" and node.capacity_units == 4 and node.barcode.startswith("UA01")
    with pytest.raises(ValidationError) as e:
        services.locations.create_range(admin, shelf.id, [RangeLevel("modulo", "1"), RangeLevel("cara", "A"), RangeLevel("estante", "1"), RangeLevel("entrepano", "1")])
    assert e.value.code == "location.exists"
    for spec in ("4-1", "1-Z", "", "1,1"):
        with pytest.raises(ValidationError):
            services.locations.preview_range(admin, shelf.id, [RangeLevel("modulo", spec)])
    with pytest.raises(ValidationError) as e:
        services.locations.preview_range(admin, shelf.id, [RangeLevel("cara", "A"), RangeLevel("modulo", "1")])
    assert e.value.code == "location.level_order"


def test_scan_moves_with_history_audit_and_box_contents(services, admin, shelf) -> None:
    a = leaf(services, admin, "D01-M01-A-E01-B1")
    b = leaf(services, admin, "D01-M01-A-E01-B2")
    [box] = services.units.register(admin, type_code="X200", number_start=1, dependencia_code="120", location_id=a.id)
    folders = services.units.register(admin, type_code="CAR4", count=2, parent_barcode=box.barcode)
    assert box.barcode.startswith("CA01") and folders[0].barcode.startswith("FA01")
    assert folders[0].location_path == a.path  # inside the box: the box's location
    r = services.moves.move(admin, [f"  {box.barcode.lower()}\r\n"], b.barcode)  # scanner noise normalised
    assert (r.moved, r.destination) == (1, b.path)
    assert services.units.get(admin, folders[1].id).location_path == b.path  # moved with the box
    again = services.moves.move(admin, [box.barcode], b.barcode)
    assert (again.moved, again.already_there) == (0, 1)
    history = services.units.history(admin, box.id)
    assert [(h.from_path, h.to_path, h.method, h.username) for h in history] == [
        (None, a.path, "register", "admin"), (a.path, b.path, "scan", "admin")]
    with services.rt.db.sessions() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "unit.move")).all()
    assert len(audit) == 1 and audit[0].after["to"] == b.path


def test_capacity_is_checked_and_override_is_audited(services, admin, shelf) -> None:
    a = leaf(services, admin, "D01-M01-A-E01-B1")
    b = leaf(services, admin, "D01-M01-A-E01-B2")
    boxes = services.units.register(admin, type_code="X200", count=5, number_start=1, location_id=a.id)
    with pytest.raises(CapacityExceeded) as e:
        services.moves.move(admin, [x.barcode for x in boxes], b.barcode)
    assert e.value.params["capacity"] == 4
    assert services.locations.get(admin, b.id).occupied_units == 0  # nothing moved
    r = services.moves.move(admin, [x.barcode for x in boxes], b.barcode, override_capacity=True, note="temporal")
    assert r.moved == 5 and r.over_capacity
    with services.rt.db.sessions() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "unit.move")).one()
        assert entry.confirmed and entry.extra1 == "sobrecupo"
        assert s.scalar(select(func.count()).select_from(Movement).where(Movement.over_capacity.is_(True))) == 5
    # linear centimetres: 5 × 20 cm fits 100 cm, a wider X300 does not
    [wide] = services.units.register(admin, type_code="X300", location_id=a.id)
    with pytest.raises(CapacityExceeded):
        services.moves.move(admin, [wide.barcode], b.barcode)


def test_scan_validation_edge_cases(services, admin, shelf) -> None:
    a = leaf(services, admin, "D01-M01-A-E01-B1")
    [box] = services.units.register(admin, type_code="X200", location_id=a.id)
    [other_box] = services.units.register(admin, type_code="X200", location_id=a.id)
    [folder] = services.units.register(admin, type_code="CAR4", location_id=a.id)
    bad_check = box.barcode[:-1] + ("0" if box.barcode[-1] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        services.moves.move(admin, [bad_check], a.barcode)
    assert e.value.code == "barcode.check_digit"
    with pytest.raises(ValidationError) as e:  # a carpeta scanned where the destination goes
        services.moves.move(admin, [box.barcode], folder.barcode)
    assert e.value.code == "barcode.kind_unexpected"
    unknown = "CA01" + "00009999"
    unknown += check_char(unknown)
    with pytest.raises(NotFound) as e:
        services.moves.move(admin, [unknown], a.barcode)
    assert e.value.code == "scan.unknown"
    with pytest.raises(ValidationError) as e:
        services.moves.move(admin, [other_box.barcode], box.barcode)
    assert e.value.code == "unit.box_in_box"
    with pytest.raises(ValidationError):
        services.moves.move(admin, [], a.barcode)
    # external (legacy) barcodes are accepted explicitly, unique
    [legacy] = services.units.register(admin, type_code="X200", external_barcode="AC-1998-0042", location_id=a.id)
    assert legacy.external_barcode
    assert services.units.by_scan(admin, "ac-1998-0042").id == legacy.id
    with pytest.raises(ValidationError) as e:
        services.units.register(admin, type_code="X200", external_barcode="AC-1998-0042")
    assert e.value.code == "unit.barcode_taken"


def test_bulk_move_preview_apply_and_revert(services, admin, shelf) -> None:
    a = leaf(services, admin, "D01-M01-A-E01-B1")
    b = leaf(services, admin, "D01-M02-B-E02-B3")
    boxes = services.units.register(admin, type_code="X200", count=3, location_id=a.id)
    ids = [x.id for x in boxes]
    preview = services.batches.preview_move(admin, ids, b.barcode)
    assert len(preview.changes) == 3 and preview.unchanged == 0 and not preview.over_capacity
    with services.rt.db.sessions() as s:  # preview wrote nothing
        assert s.scalar(select(func.count()).select_from(Unit).where(Unit.location_id == b.id)) == 0
    batch_id = services.batches.apply(admin, preview)
    assert {services.units.get(admin, i).location_path for i in ids} == {b.path}
    assert services.batches.revert(admin, batch_id) == 3
    assert {services.units.get(admin, i).location_path for i in ids} == {a.path}
    assert [h.method for h in services.units.history(admin, ids[0])] == ["register", "bulk", "revert"]
    with pytest.raises(ValidationError):
        services.batches.revert(admin, batch_id)


def test_revert_refuses_when_items_changed_since(services, admin, shelf) -> None:
    a = leaf(services, admin, "D01-M01-A-E01-B1")
    b = leaf(services, admin, "D01-M01-A-E01-B2")
    c = leaf(services, admin, "D01-M01-A-E01-B3")
    boxes = services.units.register(admin, type_code="X200", count=2, location_id=a.id)
    batch_id = services.batches.apply(admin, services.batches.preview_move(admin, [x.id for x in boxes], b.barcode))
    services.moves.move(admin, [boxes[0].barcode], c.barcode)  # moved again afterwards
    with pytest.raises(ConflictError) as e:
        services.batches.revert(admin, batch_id)
    assert e.value.code == "batch.stale" and boxes[0].barcode in e.value.params["items"]
    assert services.units.get(admin, boxes[1].id).location_path == b.path  # nothing reverted


def test_bulk_close_and_change_dependencia(services, admin, shelf) -> None:
    services.org.add_dependencia(admin, code="130", name="Planeación")
    ids = [services.expedientes.create(admin, ExpedienteInput("120", f"2020-120-{i}", f"Exp {i}", opened_on=date(2020, 1, i + 1))) for i in range(3)]
    close = services.batches.preview_close(admin, ids, date(2021, 6, 30))
    batch = services.batches.apply(admin, close)
    assert services.expedientes.count(admin, ExpedienteFilter(state="cerrado")) == 3
    move = services.batches.apply(admin, services.batches.preview_change_dependencia(admin, ids[:2], "130"))
    assert services.expedientes.count(admin, ExpedienteFilter(dependencia_code="130")) == 2
    services.batches.revert(admin, move)
    services.batches.revert(admin, batch)
    assert services.expedientes.count(admin, ExpedienteFilter(state="abierto", dependencia_code="120")) == 3


def test_expediente_listing_filters_and_dependencia_scope(services, admin, shelf) -> None:
    services.org.add_dependencia(admin, code="130", name="Planeación")
    for i in range(5):
        services.expedientes.create(admin, ExpedienteInput("120", f"2019-120-7.1-{i:04d}", f"Contrato {i}"))
    services.expedientes.create(admin, ExpedienteInput("130", "2019-130-2.1-0001", "Acta"))
    assert len(services.expedientes.ids(admin, ExpedienteFilter(number_prefix="2019-120-"))) == 5
    assert len(services.expedientes.ids(admin, ExpedienteFilter(number_prefix="2019-1"))) == 6
    ids = services.expedientes.ids(admin, ExpedienteFilter(sort="number", descending=True))
    assert services.expedientes.rows(admin, ids[:1])[ids[0]].number == "2019-130-2.1-0001"
    services.users.add(admin, username="hacienda", full_name="H", role_code="usuario_dependencia", dependencia_code="120", password="Pradera-2026x")
    h = services.auth.login("hacienda", "Pradera-2026x")
    assert len(services.expedientes.ids(h, ExpedienteFilter())) == 5
    with pytest.raises(ValidationError):
        services.expedientes.create(admin, ExpedienteInput("120", "X-1", "Malo", opened_on=date(2020, 2, 1), closed_on=date(2020, 1, 1)))


def test_carpetas_of_an_expediente_continue_the_foliation(services, admin, shelf) -> None:
    exp = services.expedientes.create(admin, ExpedienteInput("120", "2020-120-15.0-0001", "Historia laboral — Ana Ruiz"))
    c1, c2 = services.units.register(admin, type_code="CAR4", count=2, expediente_id=exp)
    assert (c1.sequence, c2.sequence) == (1, 2)
    services.units.set_folios(admin, c1.id, 1, 200)
    with pytest.raises(ValidationError) as e:
        services.units.set_folios(admin, c2.id, 1, 150)
    assert e.value.code == "unit.folio_continuity" and e.value.params["expected"] == 201
    v = services.units.set_folios(admin, c2.id, 201, 350)
    assert (v.sequence, v.sequence_of) == (2, 2)
    row = services.expedientes.rows(admin, [exp])[exp]
    assert row.folios == 350


def test_find_free_space_prefers_nearby_shelves(services, admin, shelf) -> None:
    a = leaf(services, admin, "D01-M01-A-E01-B1")
    services.units.register(admin, type_code="X200", count=4, location_id=a.id)  # full
    free = services.locations.find_free_space(admin, units=3, unit_type_code="X200", near_id=a.id, limit=3)
    assert a.path not in [f.path for f in free]
    assert [f.path for f in free] == ["D01-M01-A-E01-B2", "D01-M01-A-E01-B3", "D01-M01-A-E02-B1"]
    assert all(f.free_units >= 3 for f in free)


def test_incidents(services, admin, shelf) -> None:
    [box] = services.units.register(admin, type_code="X200")
    inc = services.incidents.open(admin, box.barcode, "biodeterioro", "Hongos en la tapa")
    assert [i.kind for i in services.incidents.list(admin, state="abierta")] == ["biodeterioro"]
    with pytest.raises(ValidationError):
        services.incidents.close(admin, inc, " ")
    services.incidents.close(admin, inc, "Limpieza y cambio de caja")
    assert services.incidents.list(admin, state="abierta") == []
    with pytest.raises(ValidationError):
        services.incidents.open(admin, box.barcode, "inventado")

