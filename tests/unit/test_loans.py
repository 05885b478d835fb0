"""Loans (préstamos): request, lend (by request or by scan), return with or without a novedad,
renewals, business-day due dates, one active loan per unit, permissions per role, and the
blocks against transfers and eliminated units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from archive.db.models import AuditLog, ChangeLog, Incident, Loan, Unit
from archive.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from archive.services.expedientes import ExpedienteInput
from archive.services.loans import LoanFilter
from archive.services.transfers import check_blocks

PW = "Prestamos-clave-26"


@dataclass
class World:
    loc: Any
    box: Any
    inner: Any  # a carpeta of dependencia 100 inside ``box``
    folder: Any  # a loose carpeta of dependencia 100
    other: Any  # a loose carpeta of dependencia 200
    exp: str
    clerk: Any
    user: Any  # usuario_dependencia of 100


@pytest.fixture
def world(services, admin) -> World:
    services.org.add_dependencia(admin, code="100", name="Despacho")
    services.org.add_dependencia(admin, code="200", name="Jurídica")
    loc = services.locations.create(admin, level_code="deposito", code="1")
    exp = services.expedientes.create(admin, ExpedienteInput("100", "2020-100-1", "Contrato 1"))
    exp2 = services.expedientes.create(admin, ExpedienteInput("100", "2020-100-2", "Contrato 2"))
    exp3 = services.expedientes.create(admin, ExpedienteInput("200", "2020-200-1", "Tutela"))
    [box] = services.units.register(admin, type_code="X200", location_id=loc.id, dependencia_code="100")
    [inner] = services.units.register(admin, type_code="CAR4", expediente_id=exp2, parent_barcode=box.barcode)
    [folder] = services.units.register(admin, type_code="CAR4", expediente_id=exp, location_id=loc.id)
    [other] = services.units.register(admin, type_code="CAR4", expediente_id=exp3, location_id=loc.id)
    for username, role in (("auxiliar", "auxiliar_archivo"), ("usuario", "usuario_dependencia")):
        services.users.add(admin, username=username, full_name=username.title(), role_code=role,
                           dependencia_code="100", password=PW)  # fmt: skip
    return World(loc, box, inner, folder, other, exp, services.auth.login("auxiliar", PW), services.auth.login("usuario", PW))


def test_request_lend_return_with_audit_and_change_feed(services, world, clock) -> None:
    sv, w = services, world
    asked = sv.loans.request(w.user, w.folder.barcode, "Revisión de pagos")
    assert asked.state == "solicitado" and asked.due_on is None
    lent = sv.loans.lend(w.clerk, asked.id)
    # Monday 2 March 2026 + 10 business days = Monday 16 March
    assert (lent.state, lent.due_on) == ("prestado", date(2026, 3, 16))
    [row] = sv.loans.list(w.clerk, LoanFilter(state="prestado"))
    assert (row.requester_name, row.dependencia_code, row.approved_by, row.lent_by) == ("Usuario", "100", "auxiliar", "auxiliar")
    assert row.expediente_number == "2020-100-1" and not row.overdue
    clock.advance(days=20)
    assert [r.id for r in sv.loans.overdue(w.clerk)] == [asked.id]
    assert sv.loans.list(w.clerk, LoanFilter(overdue=True))[0].overdue
    back = sv.loans.return_unit(w.clerk, w.folder.barcode)
    assert back.state == "devuelto" and back.incident_id is None
    assert sv.loans.overdue(w.clerk) == []
    [h] = sv.loans.history(w.clerk, w.folder.barcode)
    assert h.received_by == "auxiliar" and h.folios_complete is True
    with sv.rt.db.sessions() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "loan").order_by(AuditLog.at, AuditLog.chain_seq)))
        feed = s.scalar(select(ChangeLog).where(ChangeLog.table_name == "loan").limit(1))
    assert actions == ["loan.request", "loan.lend", "loan.return"] and feed is not None


def test_lend_by_scan_serves_a_pending_request_and_refuses_a_second_loan(services, world) -> None:
    sv, w = services, world
    direct = sv.loans.lend_scan(w.clerk, w.other.barcode, dependencia_code="200", requester_name="Ana Pérez", purpose="Tutela")
    assert direct.state == "prestado" and not direct.fulfilled_request
    with pytest.raises(ConflictError) as e:
        sv.loans.lend_scan(w.clerk, w.other.barcode, dependencia_code="100", requester_name="Otro")
    assert e.value.code == "loan.active" and "Ana Pérez" in str(e.value.params)
    # A pending request is served when its dependencia comes for it …
    asked = sv.loans.request(w.user, w.folder.barcode, "Consulta")
    served = sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100", requester_name="Quien sea")
    assert served.id == asked.id and served.fulfilled_request and served.requester_name == "Usuario"
    # … and blocks another dependencia.
    sv.loans.return_unit(w.clerk, w.folder.barcode)
    sv.loans.request(w.user, w.folder.barcode, "Otra consulta")
    with pytest.raises(ConflictError) as e:
        sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="200", requester_name="Ana")
    assert e.value.code == "loan.requested_by_other"
    with pytest.raises(ConflictError):  # a second request for the same unit
        sv.loans.request(w.clerk, w.folder.barcode, "Yo también", dependencia_code="200")


def test_a_box_and_its_carpetas_are_lent_once(services, world) -> None:
    sv, w = services, world
    sv.loans.lend_scan(w.clerk, w.box.barcode, dependencia_code="100", requester_name="Ana")
    # shown "en préstamo", with its place unchanged
    for unit in (w.box, w.inner):
        view = sv.units.get(w.clerk, unit.id)
        assert view.status == "prestado" and view.location_path == w.loc.path
    assert sv.units.get(w.clerk, w.folder.id).status == "activo"
    with pytest.raises(ConflictError):
        sv.loans.lend_scan(w.clerk, w.inner.barcode, dependencia_code="100", requester_name="Luis")
    with pytest.raises(ValidationError) as e:
        sv.loans.return_unit(w.clerk, w.inner.barcode)
    assert e.value.code == "loan.lent_with_box"
    sv.loans.return_unit(w.clerk, w.box.barcode)
    sv.loans.lend_scan(w.clerk, w.inner.barcode, dependencia_code="100", requester_name="Luis")
    with pytest.raises(ConflictError):
        sv.loans.lend_scan(w.clerk, w.box.barcode, dependencia_code="100", requester_name="Ana")
    with pytest.raises(NotFound):
        sv.loans.return_unit(w.clerk, w.folder.barcode)


def test_due_date_skips_a_colombian_holiday_and_renewals_are_limited(services, world, clock, admin) -> None:
    sv, w = services, world
    clock.value = datetime(2026, 3, 13, 15, 0, tzinfo=UTC)  # Friday; Monday 23 March is San José
    lent = sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100", requester_name="Ana")
    assert lent.due_on == date(2026, 3, 30)  # 27 March without the holiday
    sv.parameters.set(admin, "loan_max_renewals", 1)
    renewed = sv.loans.renew(w.clerk, lent.id)
    assert renewed.due_on == date(2026, 4, 15)  # 10 business days after 30 March (Jueves/Viernes Santo skipped)
    with pytest.raises(ValidationError) as e:
        sv.loans.renew(w.clerk, lent.id)
    assert e.value.code == "loan.renew_limit"
    [row] = sv.loans.list(w.clerk)
    assert row.renewals == 1


def test_return_with_missing_folios_opens_a_novedad(services, world) -> None:
    sv, w = services, world
    sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100", requester_name="Ana")
    back = sv.loans.return_unit(w.clerk, w.folder.barcode, folios_complete=False, notes="Faltan folios 12 a 15")
    assert back.incident_id is not None and back.changes.incidents
    with sv.rt.db.sessions() as s:
        inc = s.get(Incident, back.incident_id)
        assert inc is not None and (inc.kind, inc.description, inc.unit_id) == ("folios_incompletos", "Faltan folios 12 a 15", w.folder.id)
    with pytest.raises(ConflictError):  # undo refused: a novedad was opened
        sv.loans.undo(w.clerk, back)


def test_usuario_de_dependencia_asks_only_for_its_own_and_sees_only_its_own(services, world, admin) -> None:
    sv, w = services, world
    with pytest.raises(PermissionDenied) as e:
        sv.loans.request(w.user, w.other.barcode, "No es mía")
    assert e.value.code == "loan.other_dependencia"
    mine = sv.loans.request(w.user, w.box.barcode, "Caja completa")
    sv.loans.lend_scan(w.clerk, w.other.barcode, dependencia_code="200", requester_name="Ana")
    assert [r.id for r in sv.loans.list(w.user)] == [mine.id]
    assert len(sv.loans.list(w.clerk)) == 2
    assert [r.id for r in sv.loans.list(w.clerk, LoanFilter(requester="usuario"))] == [mine.id]  # username
    assert [r.requester_name for r in sv.loans.list(w.clerk, LoanFilter(requester="ana", dependencia_code="200"))] == ["Ana"]
    assert sv.loans.rows(w.user, sv.loans.ids(w.clerk)) == sv.loans.list(w.user)
    for op in (lambda: sv.loans.lend(w.user, mine.id), lambda: sv.loans.reject(w.user, mine.id, "No"),
               lambda: sv.loans.overdue(w.user),
               lambda: sv.loans.lend_scan(w.user, w.folder.barcode, dependencia_code="100", requester_name="X")):  # fmt: skip
        with pytest.raises(PermissionDenied):
            op()
    # someone else's request cannot be cancelled by a requester; its own can
    other = sv.loans.request(admin, w.folder.barcode, "Del jefe", dependencia_code="100")
    with pytest.raises(PermissionDenied):
        sv.loans.cancel(w.user, other.id)
    assert sv.loans.cancel(w.user, mine.id).state == "cancelado"
    assert sv.loans.reject(w.clerk, other.id, "Expediente reservado").state == "rechazado"
    with pytest.raises(ConflictError):
        sv.loans.lend(w.clerk, other.id)


def test_loans_block_transfers_and_eliminated_or_transferring_units_are_not_lent(services, world, admin) -> None:
    sv, w = services, world
    sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100", requester_name="Ana")
    with sv.rt.db.sessions() as s:
        with pytest.raises(ConflictError) as e:
            check_blocks(s, [w.exp], "transfer")
        assert e.value.code == "transfer.on_loan" and w.folder.barcode in str(e.value.params)
    sv.loans.return_unit(w.clerk, w.folder.barcode)
    with sv.rt.db.sessions() as s:
        check_blocks(s, [w.exp], "transfer")  # back: no block
    t = sv.transfers.create(admin, "primaria", "100")
    with sv.rt.uow(admin) as uow:  # an item in an open transfer (skipping the retention rules)
        from archive.db.models import TransferItem

        uow.session.add(TransferItem(transfer_id=t.id, expediente_id=w.exp, folios=0, checklist={}))
        uow.commit()
    with pytest.raises(ConflictError) as e:
        sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100", requester_name="Ana")
    assert e.value.code == "loan.in_transfer"
    with sv.rt.uow(admin) as uow:
        unit = uow.session.get(Unit, w.other.id)
        assert unit is not None
        unit.status = "eliminado"
        uow.commit()
    with pytest.raises(ValidationError) as e:
        sv.loans.lend_scan(w.clerk, w.other.barcode, dependencia_code="200", requester_name="Ana")
    assert e.value.code == "loan.eliminated"


def test_a_held_unit_may_be_lent(services, world, admin) -> None:
    from archive.services.holds import HoldInput

    services.holds.place(admin, HoldInput("unit", "Proceso", "Juzgado 1", date(2026, 1, 1), unit_barcode=world.folder.barcode))
    lent = services.loans.lend_scan(world.clerk, world.folder.barcode, dependencia_code="100", requester_name="Ana")
    assert lent.state == "prestado"


def test_undo_of_a_lend_and_of_a_return(services, world) -> None:
    sv, w = services, world
    lent = sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100", requester_name="Ana")
    assert sv.loans.undo(w.clerk, lent).state == "cancelado"
    asked = sv.loans.request(w.user, w.folder.barcode, "Consulta")
    served = sv.loans.lend_scan(w.clerk, w.folder.barcode, dependencia_code="100")
    assert sv.loans.undo(w.clerk, served).state == "solicitado"  # the request waits again
    lent = sv.loans.lend(w.clerk, asked.id)
    back = sv.loans.return_unit(w.clerk, w.folder.barcode)
    again = sv.loans.undo(w.clerk, back)
    assert again.state == "prestado"
    with pytest.raises(ConflictError):
        sv.loans.undo(w.clerk, lent)  # changed since
    with sv.rt.db.sessions() as s:
        loan = s.get(Loan, asked.id)
        assert loan is not None and loan.returned_at is None and loan.due_on is not None


def test_loans_are_searchable(services, world, admin) -> None:
    services.search.ensure()
    lent = services.loans.lend_scan(world.clerk, world.other.barcode, dependencia_code="200", requester_name="Gertrudis Olarte",
                                    purpose="Tutela 2021")  # fmt: skip
    services.search.catch_up()
    hits = services.search.search(admin, "gertrudis").hits
    assert [(h.id, h.kind) for h in hits] == [(lent.id, "prestamo")]
