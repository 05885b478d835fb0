"""Collector move lines applied in bulk (archive.services.bulk_moves) write what applying them
one by one wrote: the same file replayed on two copies of one database — through the per-line
path the import used before (kept here as the reference: a savepoint and ``apply_move`` per
line) and through ``CaptureService.import_collector`` — leaves the same units, movements,
change_log, collector_line and audit rows, and reports the same outcomes and problems."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from archive.db.engine import sqlite_url
from archive.db.models import AuditLog, ChangeLog, CollectorLine, Movement, Unit
from archive.domain.barcodes import BarcodeKind, format_barcode
from archive.domain.collector import BUILTIN_PROFILES, parse_collector_file
from archive.domain.errors import LegajoError, RowProblem
from archive.services.audit_log import verify_chain, write_audit
from archive.services.capture import CollectorImportResult, LineOutcome
from archive.services.moves import DEST_SCAN, UNIT_SCAN, apply_move
from archive.services.scanning import ScanTarget, resolve_scan
from tests.conftest import build_services

TIMESTAMPS = {"created_at", "updated_at", "at"}


def per_line_import(sv, actor, data: bytes, file_name: str) -> CollectorImportResult:
    """The import as it was before the bulk path (move lines only): the reference."""
    from archive.domain.permissions import Permission

    profile = BUILTIN_PROFILES["csv-basico"]
    parsed = parse_collector_file(data, profile, file_name)
    result = CollectorImportResult(
        file_name, profile.name, parsed.encoding, parsed.lines, False, parsed.problems
    )
    records = sorted(parsed.records, key=lambda r: (r.at, r.row))
    with sv.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
        s = uow.session
        done = set(s.scalars(select(CollectorLine.line_hash)))
        seen: set[str] = set()
        destinations: dict[str, ScanTarget] = {}
        now = sv.rt.now()
        for rec in records:
            if rec.line_hash in done or rec.line_hash in seen:
                result.outcomes.append(
                    LineOutcome(rec.row, rec.barcode, rec.operation, "duplicate")
                )
                continue
            seen.add(rec.line_hash)
            nested = s.begin_nested()
            try:
                unit = resolve_scan(s, rec.barcode, UNIT_SCAN).unit
                dest = destinations.get(rec.location) or resolve_scan(s, rec.location, DEST_SCAN)
                destinations[rec.location] = dest
                assert unit is not None
                moved = apply_move(uow, sv.rt, actor, [unit], location=dest.location, box=dest.unit,
                                   method="collector", note=f"colector fila {rec.row}", audit=False)  # fmt: skip
                detail = (f"{rec.barcode} → {moved.destination}" if moved.moved
                          else f"{rec.barcode} ya estaba en {moved.destination}")  # fmt: skip
            except LegajoError as exc:
                nested.rollback()
                result.outcomes.append(
                    LineOutcome(rec.row, rec.barcode, rec.operation, "failed", exc.untranslated())
                )
                result.problems.append(
                    RowProblem(rec.row, "barcode", exc.code, exc.template, dict(exc.params))
                )
                continue
            s.add(CollectorLine(line_hash=rec.line_hash, file_name=file_name[:255], row=rec.row, profile=profile.name,
                                outcome="applied", detail=detail, applied_at=now, applied_by=actor.username))  # fmt: skip
            nested.commit()
            result.outcomes.append(
                LineOutcome(rec.row, rec.barcode, rec.operation, "applied", detail)
            )
        applied = result.count("applied")
        if applied:
            write_audit(uow, sv.rt, actor, module="captura", action="collector.import", entity="collector_file",
                        entity_id=file_name[:60],
                        after={"file": file_name, "profile": profile.name, "applied": applied,
                               "duplicates": result.count("duplicate"), "failed": result.count("failed"),
                               "problems": len(result.problems)})  # fmt: skip
            uow.commit()
    return result


@pytest.fixture
def world(services, admin) -> dict[str, Any]:
    """Places with every kind of capacity, boxes (one full), loose and boxed carpetas, an
    eliminated one, an external barcode."""
    loc = {code: services.locations.create(admin, level_code="deposito", code=code, **cap)
           for code, cap in (("A", {}), ("B", {"capacity_units": 3}), ("C", {"capacity_cm": 10}))}  # fmt: skip
    boxes = services.units.register(admin, type_code="X200", count=3, location_id=loc["A"].id)
    full = boxes[2]
    services.units.register(
        admin, type_code="CAR4", count=8, parent_barcode=full.barcode
    )  # capacity 8
    folders = services.units.register(admin, type_code="CAR4", count=8, location_id=loc["A"].id)
    inside = services.units.register(
        admin, type_code="CAR4", count=2, parent_barcode=boxes[0].barcode
    )
    [ext] = services.units.register(
        admin, type_code="CAR4", external_barcode="LEG-00123", location_id=loc["A"].id
    )
    [unplaced] = services.units.register(admin, type_code="CAR4")  # no place yet: no home either
    gone = folders[7]
    with services.rt.db.sessions() as s:
        s.execute(text("UPDATE unit SET status = 'eliminado' WHERE id = :i"), {"i": gone.id})
        s.commit()
    return {
        "loc": loc,
        "boxes": boxes,
        "full": full,
        "folders": folders,
        "inside": inside,
        "ext": ext,
        "unplaced": unplaced,
    }


def collector_file(w: dict[str, Any]) -> bytes:
    loc, boxes, f = w["loc"], w["boxes"], w["folders"]
    a, b, c = (loc[k].barcode for k in "ABC")
    unknown = format_barcode(BarcodeKind.CARPETA, "A01", 99_999)
    moves = [
        (f[0].barcode, b),
        (f[1].barcode, b),
        (f[2].barcode, b),  # B full (3)
        (f[3].barcode, b),  # over capacity by units
        (f[0].barcode, a),  # frees a place in B...
        (f[3].barcode, b),  # ...so this one fits now
        (f[4].barcode, c),
        (f[5].barcode, c),
        (f[6].barcode, c),  # 9 cm of 10
        (boxes[1].barcode, c),  # a 20 cm box: over capacity by centimetres
        (f[4].barcode, boxes[1].barcode),
        (f[4].barcode, boxes[1].barcode),  # into a box, then already there
        (f[5].barcode, w["full"].barcode),  # box full
        (boxes[0].barcode, boxes[1].barcode),  # box in box
        (f[6].barcode, "LEG-00123"),  # an external carpeta: not a box
        (f[7].barcode, a),  # eliminated
        (unknown, a),  # unknown code
        (a, b),  # a location is not a unit
        (f[1].barcode, unknown),  # unknown destination
        (w["inside"][0].barcode, a),  # out of its box
        (w["inside"][1].barcode, boxes[1].barcode),  # from box to box
        ("LEG-00123", c),  # external barcode; C has 6 cm used now
        ("LEG-00123", boxes[1].barcode),  # then into a box
        (f[2].barcode, a),
        (f[2].barcode, a),  # moved, then already there
        (boxes[0].barcode, b),  # a box with carpetas inside: they stay in it
        (w["unplaced"].barcode, a),  # its first place becomes its home
    ]
    lines = [
        f"{u};26/11/2026;08:{i // 60:02d}:{i % 60:02d};MOV;{d}" for i, (u, d) in enumerate(moves)
    ]
    lines.append(lines[0])  # an exact repeat: a duplicate
    lines.append(
        f"{f[6].barcode[:-1]}0;26/11/2026;09:00:00;MOV;{a}"
    )  # bad check character: parse problem
    return ("\r\n".join(lines) + "\r\n").encode()


def _snapshot(sv, baseline_seq: int, audit_from: int) -> dict[str, Any]:
    with sv.rt.db.sessions() as s:
        units = [tuple(v for k, v in r._mapping.items() if k != "updated_at")
                 for r in s.execute(select(Unit.__table__).order_by(Unit.id))]  # fmt: skip
        movements = [dict(r._mapping) for r in s.execute(select(Movement.__table__))]
        key = {m["id"]: (m["unit_id"], m["note"]) for m in movements}
        moves = sorted(({k: v for k, v in m.items() if k not in TIMESTAMPS | {"id"}} for m in movements),
                       key=lambda m: (m["unit_id"], m["note"]))  # fmt: skip
        feed = []
        clocks = []
        for row in s.scalars(
            select(ChangeLog).where(ChangeLog.seq > baseline_seq).order_by(ChangeLog.seq)
        ):
            fields = {k: v for k, v in row.fields.items() if k not in TIMESTAMPS | {"id"}}
            feed.append((row.table_name, row.op, key.get(row.row_id, row.row_id), json.dumps(fields, sort_keys=True),
                         row.user_id, row.origin))  # fmt: skip
            clocks.append(row.hlc)
        # the stored text itself, byte for byte but for the timestamps and the movements' ids
        stored = s.execute(
            text("SELECT fields FROM change_log WHERE seq > :s ORDER BY seq"), {"s": baseline_seq}
        )
        raw = [re.sub(r'"(id|created_at|updated_at|at)":"[^"]*"', r'"\1":""', t) for (t,) in stored]
        lines = sorted((c.line_hash, c.file_name, c.row, c.profile, c.outcome, c.detail, c.applied_by)
                       for c in s.scalars(select(CollectorLine)))  # fmt: skip
        audit = [(a.module, a.action, a.entity, a.entity_id, a.after, a.reason)
                 for a in s.scalars(select(AuditLog).where(AuditLog.chain_seq > audit_from).order_by(AuditLog.chain_seq))]  # fmt: skip
        # timestamps are stored in the same text form (only their values differ)
        stamps = s.execute(text("SELECT created_at, updated_at, at FROM movement UNION ALL "
                                "SELECT at, at, at FROM change_log UNION ALL "
                                "SELECT applied_at, applied_at, applied_at FROM collector_line UNION ALL "
                                "SELECT created_at, updated_at, updated_at FROM unit"))  # fmt: skip
        shapes = {re.sub(r"\d", "9", str(v)) for row in stamps for v in row}
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)
    return {
        "stamp_shapes": shapes,
        "units": units,
        "movements": moves,
        "feed_text": raw,
        "feed": feed,
        "collector_line": lines,
        "audit": audit,
    }


def test_bulk_replay_writes_what_the_per_line_replay_wrote(services, admin, world, clock, data_dir: Path,
                                                           tmp_path: Path) -> None:  # fmt: skip
    data = collector_file(world)
    with services.rt.db.sessions() as s:
        seq = s.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()).limit(1)) or 0
        chain = (
            s.scalar(select(AuditLog.chain_seq).order_by(AuditLog.chain_seq.desc()).limit(1)) or 0
        )
    services.rt.db.close()
    copies = []
    for name in ("por-linea", "en-bloque"):
        (tmp_path / name).mkdir()
        for f in data_dir.glob("legajo.sqlite3*"):
            shutil.copy(f, tmp_path / name / f.name)
        copies.append(build_services(sqlite_url(tmp_path / name), clock))
    old_sv, new_sv = copies
    try:
        old = per_line_import(old_sv, admin, data, "lote.txt")
        new = new_sv.capture.import_collector(admin, data, "lote.txt", "csv-basico")
        assert new.outcomes == old.outcomes and new.problems == old.problems
        got = {o.outcome for o in new.outcomes}
        assert got == {"applied", "failed", "duplicate"}
        codes = {p.code for p in new.problems}
        assert {"move.capacity", "move.not_a_box", "unit.box_in_box", "move.eliminated", "scan.unknown",
                "barcode.kind_unexpected", "barcode.check_digit"} <= codes  # fmt: skip
        assert sum("ya estaba en" in o.detail for o in new.outcomes) == 2
        before, after = _snapshot(old_sv, seq, chain), _snapshot(new_sv, seq, chain)
        for table in before:
            assert after[table] == before[table], table
        assert len(after["feed"]) == 2 * sum(
            o.outcome == "applied" and "→" in o.detail for o in new.outcomes
        )
        for sv in copies:
            with sv.rt.uow(admin, write=False) as uow:
                assert verify_chain(uow).ok
        # Again: applied lines are duplicates; a line refused before may fit now (it was not
        # recorded), in both paths alike.
        again_old = per_line_import(old_sv, admin, data, "lote.txt")
        again_new = new_sv.capture.import_collector(admin, data, "lote.txt", "csv-basico")
        assert (
            again_new.outcomes == again_old.outcomes
            and again_new.count("duplicate") == new.count("applied") + 1
        )
        assert _snapshot(new_sv, seq, chain) == _snapshot(old_sv, seq, chain)
    finally:
        for sv in copies:
            sv.rt.db.close()


def test_preview_predicts_the_apply(services, admin, world) -> None:
    """The preview walks the lines with the state earlier lines leave (capacity freed and used,
    a unit moved twice), so it shows what applying will do."""
    data = collector_file(world)
    preview = services.capture.import_collector(admin, data, "lote.txt", "csv-basico", dry_run=True)
    with services.rt.db.sessions() as s:
        assert s.scalar(select(Movement.id).where(Movement.method == "collector")) is None
        assert s.scalar(select(CollectorLine.line_hash)) is None
    applied = services.capture.import_collector(admin, data, "lote.txt", "csv-basico")
    as_preview = [
        (o.row, o.outcome.replace("applied", "would_apply"), o.detail) for o in applied.outcomes
    ]
    assert [(o.row, o.outcome, o.detail) for o in preview.outcomes] == as_preview
    assert preview.problems == applied.problems


def test_a_unit_moved_meanwhile_is_a_conflict_and_nothing_applies(
    services, admin, world, monkeypatch
) -> None:
    """The version read when planning is checked when writing (another process moved it)."""
    from archive.domain.errors import ConflictError
    from archive.services import bulk_moves

    f, loc = world["folders"], world["loc"]
    data = f"{f[0].barcode};26/11/2026;08:00:00;MOV;{loc['B'].barcode}\n".encode()
    real = bulk_moves.plan_moves

    def plan_then_someone_moves_it(s, lines):
        plan = real(s, lines)
        s.execute(text("UPDATE unit SET version = version + 1 WHERE id = :i"), {"i": f[0].id})
        return plan

    monkeypatch.setattr("archive.services.capture.plan_moves", plan_then_someone_moves_it)
    with pytest.raises(ConflictError):
        services.capture.import_collector(admin, data, "x.txt", "csv-basico")
    with services.rt.db.sessions() as s:
        assert s.scalar(select(Movement.id).where(Movement.method == "collector")) is None


def test_bulk_rows_name_every_column() -> None:
    """A column added to movement, change_log or collector_line must be written by the bulk
    path too (the per-line path writes it through the ORM)."""
    from archive.services import bulk_moves, capture

    for names, shared, model in (
        (bulk_moves._MOVEMENT_COLUMNS, bulk_moves._MOVEMENT_SHARED, Movement),
        (capture.LINE_COLUMNS, capture.LINE_SHARED, CollectorLine),
        (bulk_moves._FEED_COLUMNS, bulk_moves._FEED_SHARED, ChangeLog),
    ):
        assert not set(names) & set(shared)
        assert set(names) | set(shared) == set(model.__table__.columns.keys()) - {"seq"}
