"""The change feed is written in the same transaction as every change; stale edits conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive.db.models import ChangeLog, Dependencia
from archive.domain.errors import ConflictError
from archive.services.runtime import SYSTEM


def _feed(services, table: str) -> list[ChangeLog]:
    with services.rt.db.sessions() as s:
        return list(s.scalars(select(ChangeLog).where(ChangeLog.table_name == table).order_by(ChangeLog.seq)))


def test_insert_update_and_soft_delete_are_fed_with_increasing_hlc(services, admin) -> None:
    services.org.add_dependencia(admin, code="100", name="Despacho")
    services.org.update_dependencia(admin, "100", name="Despacho del Alcalde")
    services.org.update_dependencia(admin, "100", active=False)
    rows = _feed(services, "dependencia")
    assert [r.op for r in rows] == ["I", "U", "U"]
    assert rows[0].fields["code"] == "100"
    assert rows[0].fields["origin"] == "A01"
    assert rows[1].fields["name"] == "Despacho del Alcalde"
    assert rows[1].fields["version"] == 2
    assert "code" not in rows[1].fields  # only what changed
    assert rows[2].fields["active"] is False
    assert rows[0].hlc < rows[1].hlc < rows[2].hlc
    assert all(r.user_id == admin.user_id and r.origin == "A01" for r in rows)


def test_a_rolled_back_change_leaves_no_feed_row(services, admin) -> None:
    before = len(_feed(services, "dependencia"))
    with services.rt.uow(admin) as uow:
        uow.session.add(Dependencia(code="999", name="Nunca"))
        uow.flush()
        # leaving without commit rolls back
    assert len(_feed(services, "dependencia")) == before
    with services.rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Dependencia).where(Dependencia.code == "999")) == 0


def test_stale_edit_raises_conflict_instead_of_overwriting(services, admin) -> None:
    services.org.add_dependencia(admin, code="110", name="Secretaría General")
    with services.rt.uow(SYSTEM, write=False) as first:
        dep_a = first.session.scalar(select(Dependencia).where(Dependencia.code == "110"))
        assert dep_a is not None
        first.commit()  # the form is open; the read transaction is over, the object kept
        # Someone else saves an edit meanwhile.
        services.org.update_dependencia(admin, "110", name="Secretaría General y Jurídica")
        dep_a.name = "Edición vieja"
        with pytest.raises(ConflictError) as err:
            first.commit()
    assert err.value.code == "db.stale"
    with services.rt.db.sessions() as s:
        assert s.scalar(select(Dependencia.name).where(Dependencia.code == "110")) == "Secretaría General y Jurídica"


def test_expected_version_check_in_services(services, admin) -> None:
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    dep = next(d for d in services.org.list_dependencias() if d.code == "120")
    services.org.update_dependencia(admin, "120", name="Hacienda 2", expected_version=dep.version)
    with pytest.raises(ConflictError):
        services.org.update_dependencia(admin, "120", name="Hacienda 3", expected_version=dep.version)


def test_demo_bulk_insert_feeds_every_row(services) -> None:
    result = services.demo.generate(None, 1234)
    with services.rt.db.sessions() as s:
        fed = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "expediente"))
    assert result.expedientes == 1234
    assert fed == 1234
