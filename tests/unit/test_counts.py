"""Shelf counts: found, missing, unexpected and misplaced, with one-click corrections."""

from __future__ import annotations

import pytest

from archive.domain.barcodes import check_char
from archive.domain.errors import ValidationError
from archive.services.locations import RangeLevel
from tests.unit.test_inventory import leaf


@pytest.fixture
def floor(services, admin):
    dep = services.locations.create(admin, level_code="deposito", code="1")
    services.locations.create_range(admin, dep.id, [RangeLevel("modulo", "1-2"), RangeLevel("cara", "A"), RangeLevel("estante", "1"), RangeLevel("entrepano", "1-2")], capacity_units=10)
    return dep


def test_count_report_classifies_every_case(services, admin, floor) -> None:
    s1 = leaf(services, admin, "D01-M01-A-E01-B1")
    s2 = leaf(services, admin, "D01-M01-A-E01-B2")
    other = leaf(services, admin, "D01-M02-A-E01-B1")  # outside the count's scope (módulo 2)
    module1 = leaf(services, admin, "D01-M01")
    at_s1 = services.units.register(admin, type_code="X200", count=3, location_id=s1.id)
    at_s2 = services.units.register(admin, type_code="X200", count=2, location_id=s2.id)
    [stray] = services.units.register(admin, type_code="X200", location_id=other.id)
    [folder] = services.units.register(admin, type_code="CAR4", parent_barcode=at_s1[0].barcode)
    unknown = "CA01" + "00777777"
    unknown += check_char(unknown)

    session = services.counts.start(admin, module1.barcode)
    services.counts.scan(admin, session, s1.barcode, [at_s1[0].barcode, at_s1[1].barcode, folder.barcode, at_s2[0].barcode])
    services.counts.set_state(admin, session, "pausado")
    services.counts.set_state(admin, session, "abierto")  # resumed
    services.counts.scan(admin, session, s2.barcode, [stray.barcode, unknown, at_s1[1].barcode])
    with pytest.raises(ValidationError):
        services.counts.scan(admin, session, other.barcode, [stray.barcode])  # outside scope
    report = services.counts.report(admin, session)

    assert report.expected == 5
    assert sorted(x.barcode for x in report.found) == sorted([at_s1[0].barcode, at_s1[1].barcode, folder.barcode])
    assert [(x.barcode, x.expected_at, x.scanned_at) for x in report.misplaced] == [(at_s2[0].barcode, s2.path, s1.path)]
    assert sorted(x.barcode for x in report.unexpected) == sorted([stray.barcode, unknown])
    assert sorted(x.barcode for x in report.missing) == sorted([at_s1[2].barcode, at_s2[1].barcode])

    moved = services.counts.relocate_here(admin, session, [at_s2[0].id, stray.id])
    assert moved.moved == 2
    assert services.units.get(admin, stray.id).location_path == s2.path
    assert services.counts.mark_missing(admin, session, [x.unit_id for x in report.missing]) == 2
    assert {i.kind for i in services.incidents.list(admin, state="abierta")} == {"faltante"}
    services.counts.set_state(admin, session, "cerrado")
    with pytest.raises(ValidationError):
        services.counts.scan(admin, session, s1.barcode, [at_s1[0].barcode])
    after = services.counts.report(admin, session)
    assert after.state == "cerrado" and after.finished_at is not None
    # stray now lives at s2 inside the scope, and was scanned there: found
    assert stray.barcode in [x.barcode for x in after.found]


def test_a_unit_out_on_loan_is_not_missing(services, admin, floor) -> None:
    shelf = leaf(services, admin, "D01-M01-A-E01-B1")
    boxes = services.units.register(admin, type_code="X200", count=3, location_id=shelf.id)
    services.org.add_dependencia(admin, code="310", name="Hacienda")
    services.loans.lend_scan(admin, boxes[2].barcode, dependencia_code="310", requester_name="Ana Ruiz", purpose="Auditoría")
    session = services.counts.start(admin, shelf.barcode)
    services.counts.scan(admin, session, shelf.barcode, [boxes[0].barcode])
    report = services.counts.report(admin, session)
    assert [x.barcode for x in report.missing] == [boxes[1].barcode]
    assert [x.barcode for x in report.on_loan] == [boxes[2].barcode]
    with pytest.raises(ValidationError) as refused:
        services.counts.mark_missing(admin, session, [boxes[2].id])
    assert refused.value.code == "count.on_loan"
    assert services.units.get(admin, boxes[2].id).status != "faltante"
