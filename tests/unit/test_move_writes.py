"""A move writes with Core statements what an ORM flush wrote: same rows, same feed, same locks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.db.models import AuditLog, ChangeLog, Location, Movement, Unit
from archive.domain.errors import ConflictError
from archive.domain.permissions import Permission
from archive.services.audit_log import verify_chain
from archive.services.locations import RangeLevel
from archive.services.moves import apply_move


@pytest.fixture
def setup(services, admin):
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    dep = services.locations.create(admin, level_code="deposito", code="1", name="Depósito")
    services.locations.create_range(admin, dep.id, [RangeLevel("modulo", "1"), RangeLevel("cara", "A"),
                                                    RangeLevel("estante", "1"), RangeLevel("entrepano", "1-2")],
                                    capacity_units=4)  # fmt: skip
    with services.rt.db.sessions() as s:
        a, b = s.scalars(select(Location).where(Location.capacity_units.is_not(None)).order_by(Location.path)).all()
    [box] = services.units.register(admin, type_code="X200", location_id=a.id)
    [folder] = services.units.register(admin, type_code="CAR4", location_id=a.id)
    return a, b, box, folder


def _feed_since(services, seq: int) -> list[ChangeLog]:
    with services.rt.db.sessions() as s:
        return list(s.scalars(select(ChangeLog).where(ChangeLog.seq > seq).order_by(ChangeLog.seq)))


def _last_seq(services) -> int:
    with services.rt.db.sessions() as s:
        return s.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()).limit(1)) or 0


def test_move_feeds_the_movement_then_only_the_changed_unit_columns(services, admin, setup) -> None:
    a, _b, box, folder = setup
    seq = _last_seq(services)
    services.moves.move(admin, [folder.barcode], box.barcode)  # loose carpeta into the box
    movement, update = _feed_since(services, seq)
    assert (movement.table_name, movement.op, update.table_name, update.op) == ("movement", "I", "unit", "U")
    with services.rt.db.sessions() as s:
        m = s.scalars(select(Movement).where(Movement.unit_id == folder.id)).all()[-1]
        u = s.get(Unit, folder.id)
        assert u is not None
        columns = {c.key for c in Movement.__table__.columns}
        assert set(movement.fields) == columns and movement.fields["id"] == m.id
        assert (m.from_location_id, m.to_parent_id, m.method, m.origin) == (a.id, box.id, "scan", "A01")
        assert update.fields == {"parent_id": box.id, "location_id": None, "version": u.version,
                                 "updated_at": u.updated_at.isoformat()}  # fmt: skip
        assert (u.parent_id, u.location_id, u.home_location_id, u.version) == (box.id, None, a.id, 2)
    assert movement.hlc < update.hlc
    with services.rt.db.uow(None, write=False) as uow:
        assert verify_chain(uow).ok


def test_objects_follow_a_savepoint_rollback(services, admin, setup) -> None:
    a, b, box, _folder = setup
    with services.rt.uow(admin, Permission.INVENTORY_MOVE) as uow:
        s = uow.session
        unit, dest = s.get(Unit, box.id), s.get(Location, b.id)
        assert unit is not None and dest is not None
        nested = s.begin_nested()
        apply_move(uow, services.rt, admin, [unit], location=dest, box=None, method="scan")
        assert (unit.location_id, unit.version) == (b.id, 2)  # read inside the savepoint
        nested.rollback()
        assert (unit.location_id, unit.version) == (a.id, 1)
        r = apply_move(uow, services.rt, admin, [unit], location=dest, box=None, method="scan")
        assert r.moved == 1 and (unit.location_id, unit.version) == (b.id, 2)
        uow.commit()


def test_a_stale_unit_conflicts_and_nothing_is_written(services, admin, setup) -> None:
    _a, b, box, _folder = setup
    seq = _last_seq(services)
    with services.rt.uow(admin, Permission.INVENTORY_MOVE) as uow:
        s = uow.session
        unit, dest = s.get(Unit, box.id), s.get(Location, b.id)
        assert unit is not None and dest is not None
        s.connection().exec_driver_sql("UPDATE unit SET version = version + 1 WHERE id = ?", (unit.id,))
        with pytest.raises(ConflictError) as e:
            apply_move(uow, services.rt, admin, [unit], location=dest, box=None, method="scan")
        assert e.value.code == "db.stale"
    assert _feed_since(services, seq) == []
    with services.rt.db.sessions() as s:
        assert s.scalars(select(AuditLog).where(AuditLog.action == "unit.move")).all() == []
