"""Elimination: candidates, hard blocks, committee, publication window over Semana Santa,
observations, selección, M/D, acta, execution that never hard-deletes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from archive.db.models import AuditLog, Expediente, Movement, Unit
from archive.domain.errors import ConflictError, ValidationError
from archive.services.holds import HoldInput
from tests.unit import test_transfers
from tests.unit.test_transfers import make_exp, set_stage

world = test_transfers.world  # the fixture

SIGN = [("Ana Pérez", "Presidenta del comité"), ("Luis Gómez", "Jefe de archivo")]


def central(services, admin, number, serie="14", sub="", **kw):
    eid, box, units = make_exp(services, admin, number, serie=serie, sub=sub, **kw)
    set_stage(services, eid, "central")
    return eid, box, units


def test_full_workflow_with_window_observations_and_execution(
    services, admin, world, clock
) -> None:
    e1, box1, [c1] = central(services, admin, "E-1")
    central(services, admin, "E-2")
    e3, _, _ = central(services, admin, "E-3")
    assert {c.number for c in services.elimination.candidates(admin)} == {"E-1", "E-2", "E-3"}
    r = services.elimination.create(admin, ["E-1", "E-2", "E-3"])
    assert services.elimination.candidates(admin) == []
    doc = services.elimination.fuid(admin, r.id)
    assert doc.objeto.label == "Eliminación" and len(doc.rows) == 3
    with pytest.raises(ConflictError):
        services.elimination.execute(admin, r.id)  # no committee approval
    services.elimination.approve(admin, r.id, "Acta 7 de 2026", date(2026, 3, 2))
    services.parameters.set(admin, "elimination_publication_days", 5)
    end = services.elimination.publish(admin, r.id, date(2026, 3, 30))
    assert end == date(2026, 4, 8)  # Jueves y Viernes Santo (2 and 3 April 2026) do not count
    services.elimination.observe(admin, r.id, received_on=date(2026, 4, 1), author="Ciudadano",
                                 text="Lo necesito para una pensión", action="exclude", expediente="E-2")  # fmt: skip
    services.elimination.observe(admin, r.id, received_on=date(2026, 4, 1), author="Veeduría",
                                 text="Investigación", action="extend", expediente="E-3", extend_years=2)  # fmt: skip
    with pytest.raises(ConflictError):
        services.elimination.set_acta(
            admin, r.id, number="AE-1", on=date(2026, 4, 8), method="picado", signatories=SIGN
        )
    clock.value = clock.value.replace(month=4, day=9)
    services.elimination.set_acta(admin, r.id, number="AE-1", on=date(2026, 4, 9), method="picado",
                                  signatories=SIGN, linear_metres=Decimal("0.25"))  # fmt: skip
    acta = services.elimination.acta(admin, r.id)
    assert (acta.units, acta.folios, acta.observations) == (1, 200, 2)
    res = services.elimination.execute(admin, r.id)
    assert res.items == 1
    statuses = {i.number: i.status for i in services.elimination.items(admin, r.id)}
    assert statuses == {"E-1": "eliminado", "E-2": "excluido", "E-3": "excluido"}
    with services.rt.db.sessions() as s:
        e = s.get(Expediente, e1)
        assert (e.stage, e.state, e.deleted_at) == (
            "eliminado",
            "eliminado",
            None,
        )  # never hard-deleted
        assert s.get(Expediente, e3).fin_central == date(2023, 6, 1)  # 2021 + 2 years
    # The extension is part of the computation: a full recompute (a new TRD version, the CLI)
    # keeps it, in SQL and in the streaming path alike.
    from archive.services.parameters import load_parameters
    from archive.services.retention import recompute

    for in_python in (False, True):
        with services.rt.db.sessions() as s:
            s.execute(text("DELETE FROM expediente_due"))
            recompute(s, load_parameters(s), in_python=in_python)
            assert s.get(Expediente, e3).fin_central == date(2023, 6, 1), in_python
            assert s.get(Expediente, e1).fin_central == date(2021, 6, 1), in_python
            s.rollback()
    with services.rt.db.sessions() as s:
        carpeta, caja = s.get(Unit, c1.id), s.get(Unit, box1.id)
        assert carpeta.status == caja.status == "eliminado" and carpeta.deleted_at is None
        assert caja.location_id is None and carpeta.parent_id is None
        assert (
            s.scalar(
                select(func.count()).select_from(Movement).where(Movement.method == "elimination")
            )
            == 2
        )
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "elimination.execute")
            )
            == 1
        )
    assert services.elimination.list(admin)[0].status == "ejecutada"


def ready(services, admin, clock, numbers):
    r = services.elimination.create(admin, numbers)
    services.elimination.approve(admin, r.id, "Acta 1", date(2026, 3, 2))
    services.parameters.set(admin, "elimination_publication_days", 1)
    services.elimination.publish(admin, r.id, date(2026, 3, 2))
    clock.value = clock.value.replace(day=10)
    services.elimination.set_acta(
        admin, r.id, number="AE-2", on=date(2026, 3, 10), method="picado", signatories=SIGN
    )
    return r


def test_hard_blocks(services, admin, world, clock) -> None:
    central(services, admin, "B-CT", serie="2", sub="1")
    make_exp(services, admin, "B-G", serie="14", sub="")
    central(services, admin, "B-H")
    with pytest.raises(ConflictError) as err:
        services.elimination.create(admin, ["B-CT"])
    assert err.value.code == "elimination.ct"
    with pytest.raises(ConflictError):
        services.elimination.create(admin, ["B-G"])  # not in central / not past AC
    hold = services.holds.place(
        admin, HoldInput("expediente", "Tutela", "Juzgado 3", date(2026, 1, 1), expediente="B-H")
    )
    with pytest.raises(ConflictError) as err:
        services.elimination.create(admin, ["B-H"])
    assert err.value.code == "elimination.held"
    services.holds.release(admin, hold.id, "Fallo")
    r = ready(services, admin, clock, ["B-H"])
    services.holds.place(
        admin, HoldInput("expediente", "Tutela", "Juzgado 3", date(2026, 1, 1), expediente="B-H")
    )
    with pytest.raises(ConflictError) as err:
        services.elimination.execute(admin, r.id)
    assert err.value.code == "elimination.held"
    with services.rt.db.sessions() as s:
        assert s.scalar(select(Expediente.stage).where(Expediente.number == "B-H")) == "central"


def test_selection_requires_criterion_and_keeps_items(services, admin, world, clock) -> None:
    clock.value = clock.value.replace(year=2027)
    central(services, admin, "S-1", serie="17", sub="3")
    central(services, admin, "S-2", serie="17", sub="3")
    r = services.elimination.create(admin, ["S-1", "S-2"])
    services.elimination.approve(admin, r.id, "Acta 1", date(2027, 3, 2))
    services.elimination.publish(admin, r.id, date(2027, 3, 2))
    clock.value = clock.value.replace(month=12)
    services.elimination.set_acta(
        admin, r.id, number="AE-3", on=date(2027, 12, 1), method="picado", signatories=SIGN
    )
    with pytest.raises(ConflictError) as err:
        services.elimination.execute(admin, r.id)
    assert err.value.code == "elimination.no_criterion"
    with pytest.raises(ValidationError):
        services.elimination.select_sample(admin, r.id, " ", [])
    assert (
        services.elimination.select_sample(admin, r.id, "Muestra aleatoria del 10 %", ["S-2"]) == 1
    )
    assert services.elimination.execute(admin, r.id).items == 1
    statuses = {i.number: i.status for i in services.elimination.items(admin, r.id)}
    assert statuses == {"S-1": "eliminado", "S-2": "seleccionado"}


def test_steps_need_the_permission(services, admin, world, clock) -> None:
    """The steps the permission matrix lists as UNGUARDED (they need due items) check
    ELIMINATION_MANAGE / TRANSFERS_MANAGE for every role without it."""
    from archive.domain.errors import PermissionDenied
    from archive.domain.permissions import BUILTIN_ROLES, Permission

    central(services, admin, "P-1")
    eid, _, _ = make_exp(services, admin, "P-2")
    r = services.elimination.create(admin, ["P-1"])
    t = services.transfers.create(admin, "primaria", "110", ["P-2"])
    steps = {
        Permission.ELIMINATION_MANAGE: [
            lambda a: services.elimination.create(a, ["P-1"]),
            lambda a: services.elimination.approve(a, r.id, "Acta", date(2026, 3, 2)),
            lambda a: services.elimination.publish(a, r.id, date(2026, 3, 2)),
            lambda a: services.elimination.observe(
                a, r.id, received_on=date(2026, 3, 2), author="x", text="y"
            ),
            lambda a: services.elimination.select_sample(a, r.id, "c", []),
            lambda a: services.elimination.mark_reproduced(a, r.id, []),
            lambda a: services.elimination.set_acta(
                a, r.id, number="1", on=date(2026, 3, 2), method="p", signatories=SIGN
            ),
            lambda a: services.elimination.execute(a, r.id),
        ],
        Permission.TRANSFERS_MANAGE: [
            lambda a: services.transfers.set_checklist(a, t.id, eid, foliacion=True),
            lambda a: services.transfers.send(a, t.id),
            lambda a: services.transfers.accept(a, t.id),
        ],
    }
    services.elimination.acta(admin, r.id)  # RECORDS_VIEW, granted to every role
    for role, spec in BUILTIN_ROLES.items():
        granted = spec[2]
        services.users.add(
            admin,
            username=f"p_{role}",
            full_name=role,
            role_code=role,
            password="Matriz-clave-99",
            dependencia_code="110",
        )
        actor = services.auth.login(f"p_{role}", "Matriz-clave-99")
        services.elimination.acta(actor, r.id)
        for perm, calls in steps.items():
            if perm.value in granted:
                continue
            for call in calls:
                with pytest.raises(PermissionDenied):
                    call(actor)
