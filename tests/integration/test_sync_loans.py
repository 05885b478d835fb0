"""Loans across workstations: the same unit lent offline on two stations is a conflict for a
person (``lent_twice``), never silently merged; both loans stay recorded everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive.db.models import Loan, SyncConflict
from tests.integration.sync_helpers import Central, Stations, canonical_rows, diff

pytestmark = pytest.mark.pg
pytest_plugins = ["tests.integration.sync_fixtures"]


def test_a_unit_lent_offline_on_two_stations_is_a_conflict(stations: Stations, central: Central) -> None:
    a = stations.seed("A01")
    a.sv.org.add_dependencia(a.admin, code="100", name="Despacho")
    [u] = a.sv.units.register(a.admin, type_code="CAR4", dependencia_code="100")
    a.sync.sync_once()
    b = stations.join("B02")
    b.login()
    first = a.sv.loans.lend_scan(a.admin, u.barcode, dependencia_code="100", requester_name="Ana (A01)")
    b.clock.advance(seconds=5)
    second = b.sv.loans.lend_scan(b.admin, u.barcode, dependencia_code="100", requester_name="Luis (B02)")
    for _ in range(3):
        for st in (a, b):
            st.sync.sync_once()
    reference = canonical_rows(central.url)
    for st in (a, b):
        assert diff(canonical_rows(st.rt.db.engine.url.render_as_string(hide_password=False)), reference) == []
        with st.rt.db.sessions() as s:
            states = {ln.id: ln.state for ln in s.scalars(select(Loan))}
            [c] = list(s.scalars(select(SyncConflict)))
        assert states == {first.id: "prestado", second.id: "prestado"}  # both kept, for a person
        assert (c.kind, c.table_name, c.row_id, c.other_id) == ("lent_twice", "loan", second.id, first.id)
    # Once the person receives one of them back, the unit is lent once again.
    b.sv.loans.return_unit(b.admin, u.barcode)
    assert len(b.sv.loans.list(b.admin)) == 2
