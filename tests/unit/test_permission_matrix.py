"""Every service operation × every built-in role: the service layer enforces the matrix.

``OPERATIONS`` maps each guarded operation to the permission it needs; ``UNGUARDED`` lists the
operations any logged-in user (or nobody, for setup/login) may call. A meta-test fails when a
service grows a public method that is in neither list, so the matrix cannot silently fall
behind the code.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from archive.domain.disposition import Disposition
from archive.domain.errors import PermissionDenied
from archive.domain.fuid import Objeto
from archive.domain.permissions import BUILTIN_ROLES, Permission
from archive.services.audit import AuditFilter
from archive.services.batches import BatchChange, BatchPreview
from archive.services.container import Services
from archive.services.expedientes import ExpedienteFilter, ExpedienteInput
from archive.services.fuid import FuidRequest
from archive.services.holds import HoldInput
from archive.services.labels import BatchRequest, Selection
from archive.services.locations import RangeLevel
from archive.services.retention import DueFilter
from archive.services.runtime import SYSTEM, Actor
from archive.services.trd import TrdApproval, TrdRuleInput
from archive.services.tvd import TvdInput
from archive.sync.config import CentralConfig
from archive.sync.errors import SyncError

P = Permission
PW = "Matriz-clave-99"

Op = Callable[[Services, Actor, Any], Any]

def _attempted(call: Callable[[], Any]) -> None:
    """Run an operation that passes the permission check and then needs the network: only
    PermissionDenied matters here (there is no central server in this test)."""
    with contextlib.suppress(SyncError):
        call()


CENTRAL = CentralConfig(host="127.0.0.1", port=9, connect_timeout=1)

OPERATIONS: dict[str, tuple[Permission, Op]] = {
    "sync.configure": (P.SYNC_MANAGE, lambda sv, a, t: sv.sync.configure(a, CENTRAL, None)),
    "sync.register": (P.SYNC_MANAGE, lambda sv, a, t: _attempted(lambda: sv.sync.register(a, name="Estación"))),
    "users.list": (P.USERS_MANAGE, lambda sv, a, t: sv.users.list(a)),
    "users.get": (P.USERS_MANAGE, lambda sv, a, t: sv.users.get(a, "objetivo")),
    "users.add": (P.USERS_MANAGE, lambda sv, a, t: sv.users.add(a, username=f"nuevo.{a.username}", full_name="N", role_code="consulta")),
    "users.update": (P.USERS_MANAGE, lambda sv, a, t: sv.users.update(a, "objetivo", cargo="Técnico")),
    "users.set_disabled": (P.USERS_MANAGE, lambda sv, a, t: sv.users.set_disabled(a, "objetivo", False)),
    "users.reset_password": (P.USERS_MANAGE, lambda sv, a, t: sv.users.reset_password(a, "objetivo")),
    "users.unlock": (P.USERS_MANAGE, lambda sv, a, t: sv.users.unlock(a, "objetivo")),
    "roles.create": (P.ROLES_MANAGE, lambda sv, a, t: sv.roles.create(a, code=f"r_{a.username}", name="R")),
    "roles.set_permissions": (P.ROLES_MANAGE, lambda sv, a, t: sv.roles.set_permissions(a, "consulta", frozenset({"records.view"}))),
    "org.update_entity": (P.ORG_MANAGE, lambda sv, a, t: sv.org.update_entity(a, name="Alcaldía")),
    "org.add_dependencia": (P.ORG_MANAGE, lambda sv, a, t: sv.org.add_dependencia(a, code=f"9{sorted(BUILTIN_ROLES).index(a.role_code)}", name="D")),
    "org.update_dependencia": (P.ORG_MANAGE, lambda sv, a, t: sv.org.update_dependencia(a, "100", sigla="DA")),
    "parameters.set": (P.PARAMETERS_MANAGE, lambda sv, a, t: sv.parameters.set(a, "idle_lock_minutes", 12)),
    "audit.ids": (P.AUDIT_VIEW, lambda sv, a, t: sv.audit.ids(a, AuditFilter())),
    "audit.entries": (P.AUDIT_VIEW, lambda sv, a, t: sv.audit.entries(a, [])),
    "audit.modules": (P.AUDIT_VIEW, lambda sv, a, t: sv.audit.modules(a)),
    "audit.verify": (P.AUDIT_EXPORT, lambda sv, a, t: sv.audit.verify(a)),
    "audit.export": (P.AUDIT_EXPORT, lambda sv, a, t: sv.audit.export(a, AuditFilter(), t / f"{a.username}.csv")),
    "demo.generate": (P.DEMO_LOAD, lambda sv, a, t: sv.demo.generate(a, 3, with_shelves=False)),
    "locations.children": (P.RECORDS_VIEW, lambda sv, a, t: sv.locations.children(a, None)),
    "locations.get": (P.RECORDS_VIEW, lambda sv, a, t: sv.locations.get(a, t.loc.id)),
    "locations.create": (P.ORG_MANAGE, lambda sv, a, t: sv.locations.create(a, level_code="deposito", code=f"9{len(a.username)}{a.role_code[:2].upper()}")),
    "locations.preview_range": (P.ORG_MANAGE, lambda sv, a, t: sv.locations.preview_range(a, t.loc.id, [RangeLevel("modulo", "1")])),
    "locations.create_range": (P.ORG_MANAGE, lambda sv, a, t: sv.locations.create_range(a, t.loc.id, [RangeLevel("modulo", str(50 + sorted(BUILTIN_ROLES).index(a.role_code)))])),
    "locations.update": (P.ORG_MANAGE, lambda sv, a, t: sv.locations.update(a, t.loc.id, name="Depósito")),
    "locations.find_free_space": (P.RECORDS_VIEW, lambda sv, a, t: sv.locations.find_free_space(a, units=1, unit_type_code="X200")),
    "units.register": (P.RECORDS_EDIT, lambda sv, a, t: sv.units.register(a, type_code="X200", location_id=t.loc.id)),
    "units.by_scan": (P.RECORDS_VIEW, lambda sv, a, t: sv.units.by_scan(a, t.box.barcode)),
    "units.get": (P.RECORDS_VIEW, lambda sv, a, t: sv.units.get(a, t.box.id)),
    "units.contents": (P.RECORDS_VIEW, lambda sv, a, t: sv.units.contents(a, t.box.id)),
    "units.at_location": (P.RECORDS_VIEW, lambda sv, a, t: sv.units.at_location(a, t.loc.id)),
    "units.history": (P.RECORDS_VIEW, lambda sv, a, t: sv.units.history(a, t.box.id)),
    "units.set_folios": (P.RECORDS_EDIT, lambda sv, a, t: sv.units.set_folios(a, t.folder.id, 1, 10)),
    "moves.move": (P.INVENTORY_MOVE, lambda sv, a, t: sv.moves.move(a, [t.box.barcode], t.loc.barcode)),
    "capture.attach": (P.INVENTORY_MOVE, lambda sv, a, t: sv.capture.attach(a, _blank(t), [t.box.barcode], dry_run=True)),
    "capture.import_collector": (P.INVENTORY_MOVE, lambda sv, a, t: sv.capture.import_collector(
        a, f"{t.box.barcode};26/11/2026;08:00:00;MOV;{t.loc.barcode}\n".encode(), "c.txt", "csv-basico", dry_run=True)),
    "capture.import_dropped": (P.INVENTORY_MOVE, lambda sv, a, t: sv.capture.import_dropped(a, _dropped(t), "csv-basico")),
    "capture.save_profile": (P.INVENTORY_MOVE, lambda sv, a, t: sv.capture.save_profile(a, _custom_profile())),
    "batches.preview_move": (P.INVENTORY_MOVE, lambda sv, a, t: sv.batches.preview_move(a, [t.box.id], t.loc.barcode)),
    "batches.preview_change_dependencia": (P.RECORDS_EDIT, lambda sv, a, t: sv.batches.preview_change_dependencia(a, [t.exp], "100")),
    "batches.preview_close": (P.RECORDS_EDIT, lambda sv, a, t: sv.batches.preview_close(a, [t.exp], date(2026, 1, 1))),
    "batches.apply": (P.RECORDS_EDIT, lambda sv, a, t: sv.batches.apply(a, BatchPreview("close_expedientes", "", [BatchChange("expediente", t.exp, "x", {"closed_on": None, "state": "abierto"}, {"closed_on": "2026-01-01", "state": "cerrado"})], 0))),
    "batches.list": (P.RECORDS_VIEW, lambda sv, a, t: sv.batches.list(a)),
    "counts.start": (P.INVENTORY_COUNT, lambda sv, a, t: sv.counts.start(a, t.loc.barcode)),
    "counts.sessions": (P.RECORDS_VIEW, lambda sv, a, t: sv.counts.sessions(a)),
    "incidents.open": (P.RECORDS_EDIT, lambda sv, a, t: sv.incidents.open(a, t.box.barcode, "otro")),
    "incidents.list": (P.RECORDS_VIEW, lambda sv, a, t: sv.incidents.list(a)),
    "expedientes.ids": (P.RECORDS_VIEW, lambda sv, a, t: sv.expedientes.ids(a, ExpedienteFilter())),
    "search.search": (P.RECORDS_VIEW, lambda sv, a, t: sv.search.search(a, "x")),
    "search.facets": (P.RECORDS_VIEW, lambda sv, a, t: sv.search.facets(a, "x")),
    "expedientes.window": (P.RECORDS_VIEW, lambda sv, a, t: sv.expedientes.window(a, ExpedienteFilter(), 0, 10)),
    "expedientes.count": (P.RECORDS_VIEW, lambda sv, a, t: sv.expedientes.count(a, ExpedienteFilter())),
    "expedientes.rows": (P.RECORDS_VIEW, lambda sv, a, t: sv.expedientes.rows(a, [t.exp])),
    "expedientes.carpetas": (P.RECORDS_VIEW, lambda sv, a, t: sv.expedientes.carpetas(a, t.exp)),
    "expedientes.create": (P.RECORDS_EDIT, lambda sv, a, t: sv.expedientes.create(a, ExpedienteInput("100", f"N-{a.username}", "T"))),
    "trd.versions": (P.RECORDS_VIEW, lambda sv, a, t: sv.trd.versions(a)),
    "trd.rules": (P.RECORDS_VIEW, lambda sv, a, t: sv.trd.rules(a, _trd_version(sv))),
    "trd.document": (P.RECORDS_VIEW, lambda sv, a, t: sv.trd.document(a, _trd_version(sv))),
    "trd.import_file": (P.RETENTION_MANAGE, lambda sv, a, t: sv.trd.import_file(a, _dep110(sv), TrdApproval(date(2015, 1, 1)), dry_run=True)),
    "trd.create_version": (P.RETENTION_MANAGE, lambda sv, a, t: sv.trd.create_version(a, "100", TrdApproval(date(2030, 1, 1)))),
    "trd.update_version": (P.RETENTION_MANAGE, lambda sv, a, t: sv.trd.update_version(a, _trd_version(sv), TrdApproval(date(2031, 1, 1)))),
    "trd.save_rule": (P.RETENTION_MANAGE, lambda sv, a, t: sv.trd.save_rule(a, _trd_version(sv), TrdRuleInput("7", "", "X", "X", 1, 1, Disposition.CT, "p"))),
    "trd.delete_rule": (P.RETENTION_MANAGE, lambda sv, a, t: sv.trd.delete_rule(a, _trd_rule(sv))),
    "tvd.tables": (P.RECORDS_VIEW, lambda sv, a, t: sv.tvd.tables(a)),
    "tvd.rules": (P.RECORDS_VIEW, lambda sv, a, t: sv.tvd.rules(a, "x")),
    "tvd.import_file": (P.RETENTION_MANAGE, lambda sv, a, t: sv.tvd.import_file(a, TRD_SAMPLES / "tvd_concejo.csv", TvdInput("T"))),
    "tvd.delete": (P.RETENTION_MANAGE, lambda sv, a, t: sv.tvd.delete(a, sv.tvd.import_file(SYSTEM, TRD_SAMPLES / "tvd_concejo.csv", TvdInput("S")).id)),
    "retention.recompute": (P.RETENTION_MANAGE, lambda sv, a, t: sv.retention.recompute(a)),
    "retention.due_count": (P.RECORDS_VIEW, lambda sv, a, t: sv.retention.due_count(a, DueFilter())),
    "retention.due_window": (P.RECORDS_VIEW, lambda sv, a, t: sv.retention.due_window(a, DueFilter(), 0, 10)),
    "retention.due_rows": (P.RECORDS_VIEW, lambda sv, a, t: sv.retention.due_rows(a, [t.exp])),
    "retention.due": (P.RECORDS_VIEW, lambda sv, a, t: sv.retention.due(a, DueFilter("central"))),
    "holds.place": (P.RETENTION_MANAGE, lambda sv, a, t: sv.holds.place(a, HoldInput("expediente", "Motivo", "Juzgado 1", date(2026, 1, 1), expediente=t.exp))),
    "holds.release": (P.RETENTION_MANAGE, lambda sv, a, t: sv.holds.release(a, sv.holds.place(SYSTEM, HoldInput("dependencia", "M", "J", date(2026, 1, 1), dependencia_code="100")).id, "Levantada")),
    "holds.list": (P.RECORDS_VIEW, lambda sv, a, t: sv.holds.list(a)),
    "holds.for_expediente": (P.RECORDS_VIEW, lambda sv, a, t: sv.holds.for_expediente(a, t.exp)),
    "labels.records": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.records(a, "caja", Selection((t.box.barcode,)))),
    "labels.records_by_ids": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.records_by_ids(a, "caja", "unit", [t.box.id])),
    "labels.templates": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.templates(a)),
    "labels.save_template": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.save_template(a, "caja", f"T {a.username}", "{}")),
    "labels.delete_template": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.delete_template(a, sv.labels.save_template(SYSTEM, "caja", f"D {a.username}", "{}").id)),
    "labels.calibrations": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.calibrations(a)),
    "labels.calibration": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.calibration(a, sv.labels.save_calibration(SYSTEM, f"K {a.username}").name)),
    "labels.save_calibration": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.save_calibration(a, f"C {a.username}", offset_x_mm=0.5)),
    "labels.record_batch": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.record_batch(a, _label_batch(t))),
    "labels.batches": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.batches(a)),
    "labels.batch": (P.LABELS_PRINT, lambda sv, a, t: sv.labels.batch(a, sv.labels.record_batch(SYSTEM, _label_batch(t)))),
    "station.destination": (P.INVENTORY_MOVE, lambda sv, a, t: sv.station.destination(a, t.loc.barcode)),
    "station.move_one": (P.INVENTORY_MOVE, lambda sv, a, t: sv.station.move_one(a, t.folder.barcode, t.box.barcode)),
    "station.undo_move": (P.INVENTORY_MOVE, lambda sv, a, t: sv.station.undo_move(a, sv.station.move_one(SYSTEM, t.box.barcode, t.loc.barcode))),
    "fuid.document": (P.RECORDS_VIEW, lambda sv, a, t: sv.fuid.document(a, FuidRequest(Objeto.INVENTARIO_GESTION, dependencia_code="100"))),
    "fuid.hoja_control": (P.RECORDS_VIEW, lambda sv, a, t: sv.fuid.hoja_control(a, t.exp)),
    "transfers.set_schedule": (P.TRANSFERS_MANAGE, lambda sv, a, t: sv.transfers.set_schedule(a, 2026, "100", "primaria", date(2026, 5, 4))),
    "transfers.schedule": (P.RECORDS_VIEW, lambda sv, a, t: sv.transfers.schedule(a, 2026)),
    "transfers.candidates": (P.RECORDS_VIEW, lambda sv, a, t: sv.transfers.candidates(a, "primaria")),
    "transfers.create": (P.TRANSFERS_MANAGE, lambda sv, a, t: sv.transfers.create(a, "primaria", "100")),
    "transfers.add": (P.TRANSFERS_MANAGE, lambda sv, a, t: sv.transfers.add(a, sv.transfers.create(SYSTEM, "primaria", "100").id, [])),
    "transfers.receive": (P.TRANSFERS_MANAGE, lambda sv, a, t: sv.transfers.receive(a, sv.transfers.create(SYSTEM, "primaria", "100").id, [])),
    "transfers.reject": (P.TRANSFERS_MANAGE, lambda sv, a, t: sv.transfers.reject(a, sv.transfers.create(SYSTEM, "primaria", "100").id, "Sin rótulos")),
    "transfers.fuid": (P.RECORDS_VIEW, lambda sv, a, t: sv.transfers.fuid(a, sv.transfers.create(SYSTEM, "primaria", "100").id)),
    "transfers.list": (P.RECORDS_VIEW, lambda sv, a, t: sv.transfers.list(a)),
    "transfers.items": (P.RECORDS_VIEW, lambda sv, a, t: sv.transfers.items(a, "ninguna")),
    "elimination.candidates": (P.RECORDS_VIEW, lambda sv, a, t: sv.elimination.candidates(a)),
    "elimination.fuid": (P.RECORDS_VIEW, lambda sv, a, t: sv.elimination.fuid(a, "ninguna")),
    "elimination.list": (P.RECORDS_VIEW, lambda sv, a, t: sv.elimination.list(a)),
    "elimination.items": (P.RECORDS_VIEW, lambda sv, a, t: sv.elimination.items(a, "ninguna")),
    "loans.request": (P.LOANS_REQUEST, lambda sv, a, t: sv.loans.request(a, _carpeta(sv), "Consulta", dependencia_code="100")),
    "loans.cancel": (P.LOANS_REQUEST, lambda sv, a, t: sv.loans.cancel(a, sv.loans.request(a, _carpeta(sv), "C", dependencia_code="100").id)),
    "loans.reject": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.reject(a, _requested(sv), "Reservado")),
    "loans.lend": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.lend(a, _requested(sv))),
    "loans.lend_scan": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.lend_scan(a, _carpeta(sv), dependencia_code="100", requester_name="Ana")),
    "loans.return_unit": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.return_unit(a, _lent(sv).unit_barcode)),
    "loans.renew": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.renew(a, _lent(sv).id)),
    "loans.undo": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.undo(a, _lent(sv))),
    "loans.overdue": (P.LOANS_MANAGE, lambda sv, a, t: sv.loans.overdue(a)),
    "loans.ids": (P.RECORDS_VIEW, lambda sv, a, t: sv.loans.ids(a)),
    "loans.rows": (P.RECORDS_VIEW, lambda sv, a, t: sv.loans.rows(a, [])),
    "loans.list": (P.RECORDS_VIEW, lambda sv, a, t: sv.loans.list(a)),
    "loans.history": (P.RECORDS_VIEW, lambda sv, a, t: sv.loans.history(a, t.folder.barcode)),
}


def _carpeta(sv: Services) -> str:
    """A new carpeta of dependencia 100 (made as the system), by barcode."""
    return sv.units.register(SYSTEM, type_code="CAR4", dependencia_code="100")[0].barcode


def _requested(sv: Services) -> str:
    return sv.loans.request(SYSTEM, _carpeta(sv), "Consulta", dependencia_code="100").id


def _lent(sv: Services) -> Any:
    return sv.loans.lend_scan(SYSTEM, _carpeta(sv), dependencia_code="100", requester_name="Ana")

TRD_SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "trd"


def _trd_version(sv: Services) -> str:
    """A TRD version of dependencia 100, made as the system (no permission involved)."""
    rows = sv.trd.versions(SYSTEM, "100")
    return rows[-1].id if rows else sv.trd.create_version(SYSTEM, "100", TrdApproval(date(2010, 1, 1)))


def _trd_rule(sv: Services) -> str:
    return sv.trd.save_rule(SYSTEM, _trd_version(sv), TrdRuleInput("8", "", "Y", "Y", 1, 1, Disposition.E, "p"))


def _label_batch(t: Things) -> BatchRequest:
    return BatchRequest("caja", "Caja (AGN)", "{}", "a4-3x8", {}, "", 1, "unit", [t.box.id])


def _blank(t: Any) -> Path:
    path = t.dir / "scan.png"
    path.write_bytes(b"not really an image")
    return path


def _dropped(t: Any) -> Path:
    folder = t.dir / "entrada"
    folder.mkdir(exist_ok=True)
    path = folder / "lote.txt"
    path.write_text(f"{t.box.barcode};26/11/2026;08:00:00;MOV;{t.loc.barcode}\n", "utf-8")
    return path


def _custom_profile() -> Any:
    from archive.domain.collector import Profile

    return Profile("mi-colector", "delimited", fields=("barcode", "ubicacion"), delimiter=",")


def _dep110(sv: Services) -> Path:
    if not any(d.code == "110" for d in sv.org.list_dependencias()):
        sv.org.add_dependencia(SYSTEM, code="110", name="Gestión Documental")
    return TRD_SAMPLES / "trd_agn_110.xlsx"

#: Public operations that need no permission beyond being a valid (or, for setup/login, any) user.
UNGUARDED = {
    "setup.is_initialized", "setup.initialize", "auth.login", "auth.change_password",
    "auth.unlock_session", "auth.idle_lock_minutes", "roles.list", "org.entity",
    "org.list_dependencias", "org.list_workstations", "parameters.get",
    "locations.levels", "units.types",
    # Operations on a session or batch an earlier guarded call created: they check the same
    # permission, exercised in tests/unit/test_counts.py and test_inventory.py.
    "counts.scan", "counts.set_state", "counts.report", "counts.relocate_here", "counts.mark_missing",
    "batches.revert", "incidents.close", "expedientes.close",
    # Steps on a transfer with due items / an elimination with due items (ELIMINATION_MANAGE or
    # TRANSFERS_MANAGE, checked as the unit of work opens): exercised per role in
    # tests/unit/test_elimination.py::test_steps_need_the_permission and test_transfers.py.
    "transfers.set_checklist", "transfers.send", "transfers.accept",
    "elimination.create", "elimination.approve", "elimination.publish", "elimination.observe",
    "elimination.select_sample", "elimination.mark_reproduced", "elimination.set_acta",
    "elimination.execute", "elimination.acta",
    # Lists the built-in and custom collector formats: configuration, not records.
    "capture.profiles",
    # Maintenance of the derived search index (no records change; rebuildable any time).
    "search.status", "search.ensure", "search.rebuild", "search.catch_up", "search.next_batch",
    "search.apply_batch", "search.warm_facets",
    # Sync: the scheduled job needs no Legajo user (the central password authorises it); status,
    # configuration and the connection test read no records.
    "sync.sync_once", "sync.status", "sync.config", "sync.initialized", "sync.test_connection", "sync.close",
}  # fmt: skip


@pytest.fixture
def people(services, admin) -> dict[str, Actor]:
    services.org.add_dependencia(admin, code="100", name="Despacho")
    services.users.add(admin, username="objetivo", full_name="Objetivo", role_code="consulta", password=PW)
    actors = {}
    for code in BUILTIN_ROLES:
        username = f"u_{code}"
        services.users.add(admin, username=username, full_name=code, role_code=code, dependencia_code="100", password=PW)
        actors[code] = services.auth.login(username, PW)
    return actors


@dataclass
class Things:
    dir: Path
    loc: Any
    box: Any
    folder: Any
    exp: str

    def __truediv__(self, name: str) -> Path:
        return self.dir / name


@pytest.fixture
def things(services, admin, people, tmp_path) -> Things:
    loc = services.locations.create(admin, level_code="deposito", code="1")
    [box] = services.units.register(admin, type_code="X200", location_id=loc.id)
    exp = services.expedientes.create(admin, ExpedienteInput("100", "2020-100-1", "Expediente"))
    [folder] = services.units.register(admin, type_code="CAR4", expediente_id=exp)
    return Things(tmp_path, loc, box, folder, exp)


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
def test_every_operation_for_every_role(services, people, things, role) -> None:
    actor = people[role]
    tmp_path = things
    granted = BUILTIN_ROLES[role][2]
    outcomes = {}
    for name, (permission, op) in OPERATIONS.items():
        try:
            op(services, actor, tmp_path)
            outcomes[name] = True
        except PermissionDenied as e:
            assert e.params["permission_code"] == permission.value
            outcomes[name] = False
    expected = {name: perm in granted for name, (perm, _) in OPERATIONS.items()}
    assert outcomes == expected


def test_the_matrix_covers_every_public_service_operation() -> None:
    public = set()
    for field in Services.__dataclass_fields__:
        if field == "rt":
            continue
        cls = Services.__dataclass_fields__[field].type
        cls = eval(cls, vars(__import__("archive.services.container", fromlist=["x"])))
        for name, _fn in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                public.add(f"{field}.{name}")
    missing = public - set(OPERATIONS) - UNGUARDED
    assert not missing, f"add these operations to the permission matrix test: {sorted(missing)}"
