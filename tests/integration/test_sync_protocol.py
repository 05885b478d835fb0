"""Central sync on the real PostgreSQL: seed, join with bootstrap, push/pull, idempotent retries,
last-writer-wins per field, audit chains, and the conflicts invariants produce."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, text, update

from archive.db.models import (
    AuditLog,
    Dependencia,
    FeedCursor,
    Location,
    Movement,
    SyncConflict,
    Unit,
)
from archive.db.uow import UnitOfWork
from archive.services.audit_log import verify_chain
from archive.services.runtime import SYSTEM
from archive.sync.conflicts import Choice
from archive.sync.errors import AuditChainMismatch
from archive.sync.invariants import ExclusiveActive, default_invariants
from archive.sync.service import SyncService
from archive.sync.tables import default_catalog
from tests.integration.sync_helpers import (
    Central,
    Station,
    Stations,
    canonical_rows,
    diff,
    env_passwords,
)

pytestmark = pytest.mark.pg
pytest_plugins = ["tests.integration.sync_fixtures"]


def url_of(st: Station) -> str:
    return st.rt.db.engine.url.render_as_string(hide_password=False)


def settle(*sts: Station, rounds: int = 3) -> None:
    """Sync every station, in order, ``rounds`` times (pushes, corrections, conflicts settle)."""
    for _ in range(rounds):
        for st in sts:
            st.sync.sync_once()


def assert_converged(central: Central, *sts: Station) -> None:
    reference = canonical_rows(central.url)
    for st in sts:
        assert diff(canonical_rows(url_of(st)), reference) == [], st.code


def edit(st: Station, model: type, row_id: str, **values: object) -> None:
    """An edit as a future service would make it (this area has no service yet)."""
    with st.rt.uow(st.login()) as uow:
        row = uow.session.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        uow.commit()


def dep_id(st: Station, code: str) -> str:
    with st.rt.db.sessions() as s:
        return str(s.scalar(select(Dependencia.id).where(Dependencia.code == code)))


def conflicts(st: Station) -> list[SyncConflict]:
    with st.rt.db.sessions() as s:
        return list(s.scalars(select(SyncConflict).order_by(SyncConflict.created_at)))


def test_seed_join_bootstrap_and_two_way_sync(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sv.org.add_dependencia(a.admin, code="100", name="Despacho")
    first = a.sync.sync_once()
    assert first.pushed > 10 and first.audit >= 2
    b = stations.join("B02")
    # Bootstrapped: the users and records of the central are here; B logs in with A's admin.
    assert b.login().username == "admin"
    assert [d.code for d in b.sv.org.list_dependencias()] == ["100"]
    assert {w.code for w in b.sv.org.list_workstations()} == {"A01", "B02"}
    # Every copied row is in B's change feed (the search indexer's input) exactly once, under its
    # creator's origin and a change id of its own.
    with b.rt.db.sessions() as s:
        feed = s.execute(text("select change_id, table_name, row_id, origin from change_log where op = 'I'")).all()
        for t in default_catalog().ordered:
            rows = {tuple(r) for r in s.execute(text(f'select id, origin from "{t.name}"'))}
            assert {(f.row_id, f.origin) for f in feed if f.table_name == t.name} == rows, t.name
    assert len({f.change_id for f in feed}) == len(feed) > 10
    # Copied values are stored exactly as the origin stored them (timestamps' text form included).
    raw = "select id, created_at, updated_at, origin from dependencia order by id"
    with a.rt.db.sessions() as sa_, b.rt.db.sessions() as sb:
        assert [tuple(r) for r in sb.execute(text(raw))] == [tuple(r) for r in sa_.execute(text(raw))]
        assert all(len(r[1]) == 26 for r in sb.execute(text(raw)))  # 'YYYY-MM-DD HH:MM:SS.ffffff'
    b.sv.org.add_dependencia(b.admin, code="200", name="Hacienda")
    a.sv.org.update_dependencia(a.admin, "100", name="Despacho del Alcalde")
    settle(a, b)
    assert_converged(central, a, b)
    assert b.sv.org.list_dependencias()[0].name == "Despacho del Alcalde"
    status = b.sync.status()
    assert status.pending_changes == 0 and status.pending_audit == 0 and status.last_error is None
    # Pulled changes reach the local change feed (the search indexer's input) with their origin.
    with a.rt.db.sessions() as s:
        assert s.scalar(text("select count(*) from change_log where origin = 'B02'")) >= 2
    # Every workstation's audit chain is copied centrally and verifies there.
    db = central.database()
    with UnitOfWork(db.sessions, None, write=False) as uow:
        report = verify_chain(uow)
    db.close()
    assert report.ok and report.chains == 2


def test_bootstrap_rebuilds_the_indexes_it_drops(
    stations: Stations, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.sync.bootstrap as bootstrap_module

    monkeypatch.setattr(bootstrap_module, "REBUILD_INDEXES_FROM", 1)  # every table counts as big
    a = stations.seed("A01")
    units = a.sv.units.register(a.admin, type_code="X300", count=3)
    a.sync.sync_once()
    b = stations.join("B02")

    def indexes(st: Station) -> set[tuple[str, str]]:
        with st.rt.db.engine.connect() as conn:
            return {(r[0], r[1]) for r in conn.execute(text("select name, sql from sqlite_master where type = 'index'"))}

    assert indexes(b) == indexes(a)
    settle(b, a)
    assert_converged(central, a, b)
    assert b.sv.units.by_scan(b.login(), units[2].barcode).id == units[2].id


def test_a_retried_batch_applies_nothing_twice(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    for i in range(5):
        a.sv.org.add_dependencia(a.admin, code=f"30{i}", name=f"Oficina {i}")
    a.sync.sync_once()
    before = central.scalar("select count(*) from sync_change")
    # The central committed but the acknowledgement was lost: the local cursor never moved.
    with a.rt.db.uow(None) as uow:
        uow.session.execute(update(FeedCursor).where(FeedCursor.consumer == "sync.push").values(position=0))
        uow.commit()
    again = a.sync.sync_once()
    assert again.pushed == 0 and again.already > 10
    assert central.scalar("select count(*) from sync_change") == before
    assert central.scalar("select count(*) from dependencia where code like '30%'") == 5
    assert a.sync.status().pending_changes == 0


def test_same_field_edited_offline_on_two_stations_later_clock_wins(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sv.org.add_dependencia(a.admin, code="100", name="Despacho")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    a.sv.org.update_dependencia(a.admin, "100", name="Versión de A", sigla="DA")
    time.sleep(0.005)
    b.sv.org.update_dependencia(b.admin, "100", name="Versión de B")
    # The later edit (B's) arrives first; A's older one arrives after and loses, field by field.
    settle(b, a)
    assert_converged(central, a, b)
    for st in (a, b):
        dep = st.sv.org.list_dependencias()[0]
        assert (dep.name, dep.sigla) == ("Versión de B", "DA")  # sigla: only A wrote it
    assert conflicts(a) == [] and conflicts(b) == []


def test_duplicate_code_allocated_offline_is_a_conflict_and_its_resolution_is_audited(
    stations: Stations, central: Central
) -> None:
    a = stations.seed("A01")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    a.sv.org.add_dependencia(a.admin, code="500", name="Jurídica (A)")
    b.sv.org.add_dependencia(b.admin, code="500", name="Jurídica (B)")
    settle(a, b)
    assert_converged(central, a, b)
    [c] = conflicts(a)
    assert (c.kind, c.table_name, c.applied) == ("duplicate", "dependencia", "left")
    assert c.left["values"]["code"] == "500" and c.left["origin"] == "A01" and c.left["username"] == "admin"
    assert c.right["values"]["code"] == "500" and c.right["origin"] == "B02"
    with b.rt.db.sessions() as s:
        codes = {str(n): str(c) for n, c in s.execute(select(Dependencia.name, Dependencia.code))}
    assert codes["Jurídica (A)"] == "500" and codes["Jurídica (B)"].startswith("500~")
    # B's administrator gives the code to B's row; the holder is set aside; audited at B.
    view = b.sync.conflicts.get(b.admin, c.id)
    assert view.left.origin == "A01" and view.right.origin == "B02" and view.row_label.startswith("500~")
    b.sync.conflicts.resolve(b.admin, c.id, {"code": Choice("right")}, note="Se rotuló de nuevo")
    settle(b, a)
    assert_converged(central, a, b)
    with a.rt.db.sessions() as s:
        codes = {str(n): str(c) for n, c in s.execute(select(Dependencia.name, Dependencia.code))}
        resolved = s.get(SyncConflict, c.id)
        audit = s.scalar(select(AuditLog).where(AuditLog.action == "sync.conflict.resolve"))
    assert codes["Jurídica (B)"] == "500" and codes["Jurídica (A)"].startswith("500~")
    assert resolved is not None and resolved.state == "resuelto" and resolved.resolved_on == "B02"
    assert audit is None  # the audit row is B's: it travels to the central, not to A
    assert central.scalar("select count(*) from audit_log where action = 'sync.conflict.resolve' "
                          "and workstation = 'B02' and reason = 'Se rotuló de nuevo'") == 1  # fmt: skip


def test_a_value_set_aside_locally_comes_back_when_the_central_accepts_it(
    stations: Stations, central: Central
) -> None:
    # A creates code 12 and deletes it; B, offline, creates its own 12. When B pulls A's insert
    # it must set its row aside (A's 12 held the code centrally then); but the central accepted
    # B's 12 (A's was deleted by the time B pushed): B's row gets its code back.
    a = stations.seed("A01")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    a.sv.org.add_dependencia(a.admin, code="12", name="De A")
    edit(a, Dependencia, dep_id(a, "12"), deleted_at=a.rt.now())
    b.sv.org.add_dependencia(b.admin, code="12", name="De B")
    settle(a, b)
    assert_converged(central, a, b)
    assert [d.name for d in b.sv.org.list_dependencias() if d.code == "12"] == ["De B"]
    assert conflicts(a) == []


def test_external_barcode_registered_on_two_stations(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    [ua] = a.sv.units.register(a.admin, type_code="X300", external_barcode="VIEJO-0042")
    [ub] = b.sv.units.register(b.admin, type_code="X300", external_barcode="VIEJO-0042")
    settle(b, a)
    assert_converged(central, a, b)
    [c] = conflicts(a)
    assert c.kind == "duplicate" and c.row_id == ua.id and c.other_id == ub.id  # B arrived first
    assert a.sv.units.by_scan(a.admin, "VIEJO-0042").id == ub.id


def test_capacity_exceeded_by_two_offline_moves(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    shelf = a.sv.locations.create(a.admin, level_code="deposito", code="01", capacity_units=2)
    other = a.sv.locations.create(a.admin, level_code="deposito", code="02")
    a.sv.units.register(a.admin, type_code="X300", location_id=shelf.id)
    [u1] = a.sv.units.register(a.admin, type_code="X300", location_id=other.id)
    [u2] = a.sv.units.register(a.admin, type_code="X300", location_id=other.id)
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    a.sv.moves.move(a.admin, [u1.barcode], shelf.barcode)  # 2 of 2 on A
    b.sv.moves.move(b.admin, [u2.barcode], shelf.barcode)  # 2 of 2 on B
    settle(a, b)
    assert_converged(central, a, b)
    [c] = conflicts(b)
    assert (c.kind, c.row_id, c.other_id, c.applied) == ("capacity", u2.id, shelf.id, "right")
    assert c.detail["capacity"] == 2 and c.detail["used"] == 3
    view = a.sync.conflicts.get(a.admin, c.id)
    assert view.left.display["location_id"] == other.path and view.right.display["location_id"] == shelf.path
    # Resolved on A: u2 goes back where it was; the custody chain and the audit say so.
    a.sync.conflicts.resolve(a.admin, c.id, {"location_id": Choice("left")})
    settle(a, b)
    assert_converged(central, a, b)
    with b.rt.db.sessions() as s:
        assert s.scalar(select(Unit.location_id).where(Unit.id == u2.id)) == other.id
        moves = list(s.scalars(select(Movement).where(Movement.unit_id == u2.id).order_by(Movement.at)))
    assert moves[-1].to_location_id == other.id and moves[-1].note == f"conflicto {c.id}"
    assert central.scalar("select count(*) from audit_log where action = 'sync.conflict.resolve'") == 1


def test_an_edit_of_a_row_deleted_elsewhere_is_not_applied_but_kept(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sv.org.add_dependencia(a.admin, code="700", name="Archivo")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    edit(a, Dependencia, dep_id(a, "700"), deleted_at=a.rt.now())
    b.sv.org.update_dependencia(b.admin, "700", name="Archivo Central")
    settle(a, b)
    assert_converged(central, a, b)
    with b.rt.db.sessions() as s:
        dep = s.get(Dependencia, dep_id(b, "700"))
        assert dep is not None and dep.deleted_at is not None and dep.name == "Archivo"  # corrected
    [c] = conflicts(a)
    assert c.kind == "edit_deleted" and c.right["values"]["name"] == "Archivo Central"
    assert c.left["values"]["deleted_at"] is not None and c.right["values"]["deleted_at"] is None
    # Restore it with B's edit.
    a.sync.conflicts.resolve(a.admin, c.id, {f: Choice("right") for f in c.fields})
    settle(a, b)
    assert_converged(central, a, b)
    assert [d.name for d in b.sv.org.list_dependencias()] == ["Archivo Central"]


def test_an_eliminated_unit_does_not_come_back(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    [u] = a.sv.units.register(a.admin, type_code="X300")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    edit(a, Unit, u.id, status="eliminado")
    edit(b, Unit, u.id, status="faltante", notes="No aparece en el estante")
    settle(a, b)
    assert_converged(central, a, b)
    with b.rt.db.sessions() as s:
        unit = s.get(Unit, u.id)
        assert unit is not None and (unit.status, unit.notes) == ("eliminado", "No aparece en el estante")
    [c] = conflicts(b)
    assert c.kind == "transition" and c.detail == {"from": "eliminado", "to": "faltante"}


def test_text_too_long_for_the_central_column_is_cut_and_kept(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sv.org.add_dependencia(a.admin, code="800", name="Corta")
    edit(a, Dependencia, dep_id(a, "800"), name="N" * 250)  # SQLite does not check lengths
    settle(a)
    assert_converged(central, a)
    [c] = conflicts(a)
    assert c.kind == "too_long" and len(c.right["values"]["name"]) == 250


def test_the_loans_hook_flags_a_unit_lent_twice(stations: Stations, central: Central) -> None:
    # Loans do not exist yet: the same hook on incidents (open twice = "lent twice") shows it.
    invariants = default_invariants()
    invariants.batch.append(ExclusiveActive("incident", key="unit_id", field="state",
                                            active=frozenset({"abierta"})))  # fmt: skip
    a = stations.seed("A01")
    [u] = a.sv.units.register(a.admin, type_code="X300")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    for st in (a, b):
        st.sync = SyncService(st.rt, passwords=env_passwords(), invariants=invariants)
        st.sv.incidents.open(st.admin, u.barcode, kind="deterioro", description=st.code)
    settle(a, b)
    [c] = conflicts(a)
    assert c.kind == "lent_twice" and c.table_name == "incident" and c.applied == "right"


def test_audit_rows_that_do_not_continue_the_central_chain_are_refused(stations: Stations) -> None:
    a = stations.seed("A01")
    a.sync.sync_once()
    a.sv.org.add_dependencia(a.admin, code="900", name="Nueva")
    with a.rt.db.uow(None) as uow:
        last = uow.session.scalar(select(func.max(AuditLog.chain_seq)))
        uow.session.execute(update(AuditLog).where(AuditLog.chain_seq == last).values(prev_hash="f" * 64))
        uow.commit()
    with pytest.raises(AuditChainMismatch):
        a.sync.sync_once()
    assert a.sync.status().last_error is not None


def test_changes_made_while_offline_reach_everyone(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sync.sync_once()
    b = stations.join("B02")
    c = stations.join("C03")
    for st, code in ((a, "11"), (b, "22"), (c, "33")):
        st.login()
        st.sv.locations.create(st.admin, level_code="deposito", code=code, capacity_units=5)
    settle(c, b, a)
    assert_converged(central, a, b, c)
    with a.rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Location).where(Location.deleted_at.is_(None))) == 3
    assert SYSTEM.user_id is None
