"""Collector reception lines: the arriving transfer's cotejo from a collector file (mixed with
moves), preview without storing, a second file completing the cotejo, idempotency, and the
refusals that apply nothing (no transfer, unknown, closed, no permission)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from archive.db.models import AuditLog, CollectorLine, Movement, Transfer
from archive.domain.errors import NotFound, PermissionDenied, ValidationError
from tests.unit.test_transfers import leaf_barcode, make_exp, world

__all__ = ["world"]  # fixture


@pytest.fixture
def arriving(services, admin, world):
    """A sent transfer of one expediente: a box holding two carpetas; and a free place."""
    _eid, box, units = make_exp(services, admin, "R-1", carpetas=2)
    t = services.transfers.create(admin, "primaria", "110", ["R-1"])
    services.transfers.send(admin, t.id, force=True)
    other = services.locations.create(admin, level_code="deposito", code="9", name="Mesa")
    return t.id, box, units, other


def _lines(*rows: tuple[str, str, str, str]) -> bytes:
    return "".join(
        f"{code};26/11/2026;{hh};{op};{where}\n" for code, hh, op, where in rows
    ).encode()


def _counts(services) -> tuple[int, int, int]:
    with services.rt.db.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Movement).where(Movement.method == "collector")) or 0,
            s.scalar(select(func.count()).select_from(CollectorLine)) or 0,
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "transfer.receive")) or 0,
        )  # fmt: skip


def _stored(services, transfer_id):
    with services.rt.db.sessions() as s:
        return s.get(Transfer, transfer_id).cotejo


def test_mixed_file_preview_apply_complete_and_reimport(services, admin, arriving) -> None:
    tid, box, (c1, c2), other = arriving
    data = _lines(
        (box.barcode, "08:00:00", "REC", ""),
        (c1.barcode, "08:00:05", "REC", ""),
        ("XYZ123", "08:00:09", "REC", ""),  # not in the transfer: an extra
        (box.barcode, "08:05:00", "MOV", other.barcode),
    )
    preview = services.capture.import_collector(admin, data, "rec.txt", "csv-basico",
                                                dry_run=True, transfer_ref=tid)  # fmt: skip
    assert preview.count("would_apply") == 4 and preview.problems == []
    assert preview.cotejo is not None and not preview.cotejo.ok
    assert (preview.cotejo.missing, preview.cotejo.extra) == ((c2.barcode,), ("XYZ123",))
    assert _stored(services, tid) == {} and _counts(services) == (0, 0, 0)  # nothing stored

    r = services.capture.import_collector(admin, data, "rec.txt", "csv-basico", transfer_ref=tid)
    assert r.count("applied") == 4 and r.problems == [] and r.changes.records
    assert [o.detail for o in r.outcomes][2] == "XYZ123 no pertenece a la transferencia (sobrante)"
    stored = _stored(services, tid)
    assert (stored["missing"], stored["extra"], stored["ok"]) == ([c2.barcode], ["XYZ123"], False)
    assert services.units.get(admin, box.id).location_path == other.path
    assert _counts(services) == (1, 4, 1)
    with services.rt.db.sessions() as s:
        reason = s.scalar(select(AuditLog.reason).where(AuditLog.action == "transfer.receive"))
    assert reason == "colector rec.txt"

    again = services.capture.import_collector(
        admin, data, "rec.txt", "csv-basico", transfer_ref=tid
    )
    assert again.count("duplicate") == 4 and again.count("applied") == 0 and again.cotejo is None
    assert _counts(services) == (1, 4, 1) and _stored(services, tid) == stored

    # a second collector's file adds to the cotejo instead of replacing it
    rest = _lines((c2.barcode, "09:00:00", "REC", ""))
    r = services.capture.import_collector(admin, rest, "rec2.txt", "csv-basico", transfer_ref=tid)
    assert r.cotejo is not None and (r.cotejo.missing, r.cotejo.extra) == ((), ("XYZ123",))
    assert _stored(services, tid)["scanned"] == sorted(
        [box.barcode, c1.barcode, c2.barcode, "XYZ123"]
    )


def test_reception_adds_to_a_cotejo_made_at_the_reception_dialog(services, admin, arriving) -> None:
    tid, box, (c1, c2), _other = arriving
    services.transfers.receive(admin, tid, [box.barcode, c1.barcode], {c1.barcode: 150})
    r = services.capture.import_collector(admin, _lines((c2.barcode, "10:00:00", "R", "")),
                                          "rec.txt", "csv-basico", transfer_ref=tid)  # fmt: skip
    assert r.cotejo is not None and r.cotejo.missing == ()
    assert r.cotejo.folio_diffs == ((c1.barcode, 200, 150),)  # the folios counted there are kept


def test_reception_needs_an_open_transfer_and_applies_nothing_otherwise(
    services, admin, arriving
) -> None:
    tid, box, (c1, _c2), other = arriving
    data = _lines(
        (box.barcode, "08:00:00", "MOV", other.barcode), (c1.barcode, "08:01:00", "REC", "")
    )
    with pytest.raises(ValidationError) as no_ref:
        services.capture.import_collector(admin, data, "rec.txt", "csv-basico")
    assert no_ref.value.code == "collector.transfer_needed"
    assert "indique la transferencia" in no_ref.value.untranslated()
    with pytest.raises(NotFound) as unknown:
        services.capture.import_collector(
            admin, data, "rec.txt", "csv-basico", transfer_ref="2026-077"
        )
    assert unknown.value.untranslated() == "No existe la transferencia 2026-077."
    # accepted: it has its N° T now, and takes no more receptions
    services.transfers.receive(admin, tid, [box.barcode, c1.barcode, _c2.barcode])
    services.transfers.accept(admin, tid, leaf_barcode(services, admin))
    for ref in (tid, "2026-001"):
        with pytest.raises(ValidationError) as closed:
            services.capture.import_collector(admin, data, "rec.txt", "csv-basico",
                                              dry_run=True, transfer_ref=ref)  # fmt: skip
        assert (
            closed.value.code == "collector.transfer_closed"
            and "aceptada" in closed.value.untranslated()
        )
    assert _counts(services) == (0, 0, 1)  # the receive() above only


def test_reception_lines_need_the_transfers_permission(services, admin, arriving) -> None:
    tid, _box, (c1, _c2), _other = arriving
    clerk = dataclasses.replace(admin, permissions=admin.permissions - {"transfers.manage"})
    with pytest.raises(PermissionDenied):
        services.capture.import_collector(clerk, _lines((c1.barcode, "08:00:00", "REC", "")),
                                          "rec.txt", "csv-basico", transfer_ref=tid)  # fmt: skip
    assert _counts(services) == (0, 0, 0)
