"""Legal holds: what they reach (expediente, its box, its serie, its dependencia), release, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from archive.db.models import AuditLog, Serie
from archive.domain.errors import NotFound, ValidationError
from archive.services.expedientes import ExpedienteInput
from archive.services.holds import HoldInput, held_expedientes, held_units, is_on_hold
from archive.services.retention import DueFilter


@pytest.fixture
def world(services, admin):
    services.org.add_dependencia(admin, code="100", name="Despacho")
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    with services.rt.db.sessions() as s:
        from archive.db.changefeed import FEED_CONTEXT_KEY

        s.info[FEED_CONTEXT_KEY] = services.rt.feed(admin)
        from archive.db.models import Dependencia

        for code in ("100", "120"):
            dep = s.scalar(select(Dependencia).where(Dependencia.code == code))
            s.add(Serie(dependencia_id=dep.id, code="2", name="ACTAS"))
        s.commit()
    a = services.expedientes.create(admin, ExpedienteInput("100", "A", "A", "2"))
    b = services.expedientes.create(admin, ExpedienteInput("100", "B", "B"))
    c = services.expedientes.create(admin, ExpedienteInput("120", "C", "C", "2"))
    [box] = services.units.register(admin, type_code="X200")
    [folder] = services.units.register(admin, type_code="CAR4", expediente_id=b, parent_barcode=box.barcode)
    return {"a": a, "b": b, "c": c, "box": box, "folder": folder}


def held(services, *ids):
    with services.rt.db.sessions() as s:
        return set(held_expedientes(s, list(ids)))


def hold(services, admin, kind, **kw):
    return services.holds.place(
        admin, HoldInput(kind=kind, reason="Proceso fiscal 12", authority="Contraloría", starts_on=date(2026, 3, 1), **kw)
    ).id


def test_nothing_is_held_without_holds(services, world) -> None:
    assert held(services, world["a"], world["b"], world["c"]) == set()
    with services.rt.db.sessions() as s:
        assert not is_on_hold(s, world["a"])


def test_hold_on_an_expediente(services, admin, world) -> None:
    hold(services, admin, "expediente", expediente="A", dependencia_code="100")
    assert held(services, world["a"], world["b"], world["c"]) == {world["a"]}
    with services.rt.db.sessions() as s:
        assert is_on_hold(s, world["a"]) and not is_on_hold(s, world["b"])


def test_hold_on_the_box_reaches_the_expediente_in_its_carpetas(services, admin, world) -> None:
    hid = hold(services, admin, "unit", unit_barcode=world["box"].barcode)
    assert held(services, world["a"], world["b"], world["c"]) == {world["b"]}
    with services.rt.db.sessions() as s:
        assert set(held_units(s, [world["box"].id, world["folder"].id])) == {world["box"].id, world["folder"].id}
    assert [h.id for h in services.holds.for_expediente(admin, world["b"])] == [hid]


def test_hold_on_an_expediente_reaches_its_box(services, admin, world) -> None:
    hold(services, admin, "expediente", expediente=world["b"])
    with services.rt.db.sessions() as s:
        assert set(held_units(s, [world["box"].id])) == {world["box"].id}


def test_hold_on_a_serie_and_on_a_dependencia(services, admin, world) -> None:
    sid = hold(services, admin, "serie", dependencia_code="100", serie_code="2")
    assert held(services, world["a"], world["b"], world["c"]) == {world["a"]}
    services.holds.release(admin, sid, "Archivo del proceso")
    hold(services, admin, "dependencia", dependencia_code="120")
    assert held(services, world["a"], world["b"], world["c"]) == {world["c"]}


def test_release_lifts_the_hold_and_both_are_audited(services, admin, world) -> None:
    hid = hold(services, admin, "expediente", expediente="A")
    assert held(services, world["a"])
    with pytest.raises(ValidationError):
        services.holds.release(admin, hid, "  ")
    services.holds.release(admin, hid, "Auto que levanta la medida")
    assert held(services, world["a"]) == set()
    assert services.holds.list(admin) == []
    [row] = services.holds.list(admin, active_only=False)
    assert row.released_by == "admin" and not row.active and row.release_reason
    with pytest.raises(ValidationError):
        services.holds.release(admin, hid, "otra vez")
    with services.rt.db.sessions() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.entity_id == hid)))
    assert actions == {"hold.place", "hold.release"}


def test_validation_of_holds(services, admin, world) -> None:
    with pytest.raises(ValidationError):
        hold(services, admin, "expediente", expediente="A", ends_on=date(2025, 1, 1))
    with pytest.raises(NotFound):
        hold(services, admin, "expediente", expediente="no-existe")
    with pytest.raises(ValidationError):
        services.holds.place(admin, HoldInput("expediente", "", "Juzgado", date(2026, 1, 1), expediente="A"))


def test_due_list_marks_and_can_exclude_held(services, admin, world) -> None:
    from archive.services.trd import TrdApproval
    from tests.unit.test_retention_services import TRD

    services.org.add_dependencia(admin, code="110", name="Gestión Documental")
    services.trd.import_file(admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)))
    e = services.expedientes.create(admin, ExpedienteInput("110", "H-1", "H", "2", "1", date(2016, 1, 1), date(2016, 2, 1)))
    services.retention.recompute(admin)
    hold(services, admin, "expediente", expediente=e)
    [row] = services.retention.due(admin, DueFilter("gestion"))
    assert row.on_hold
    assert services.retention.due(admin, DueFilter("gestion", exclude_held=True)) == []
