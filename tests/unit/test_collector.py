"""Data-collector files: profiles, row-level validation, replay as moves, idempotency, dry run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive.db.models import CollectorLine, CountScan, Movement
from archive.domain.barcodes import BarcodeKind, format_barcode
from archive.domain.collector import (
    BUILTIN_PROFILES,
    LEGACY_BELOW,
    LOCAL_TZ,
    Profile,
    line_key,
    parse_collector_file,
)
from archive.domain.errors import NotFound, ValidationError

SAMPLES = Path(__file__).parents[1] / "samples" / "collector"
CSV = BUILTIN_PROFILES["csv-basico"]
FIXED = BUILTIN_PROFILES["ancho-fijo"]
F1 = format_barcode(BarcodeKind.CARPETA, "0A1", 5)
U1 = format_barcode(BarcodeKind.UBICACION, "0A1", 3)


def problems(data: bytes, profile: Profile = CSV) -> list[tuple[int, str, str]]:
    return [(p.row, p.field, p.code) for p in parse_collector_file(data, profile, "f.txt").problems]


def test_csv_basico_parses_local_time_to_utc() -> None:
    parsed = parse_collector_file(f"{F1};26/11/2026;08:15:00;MOV;{U1}\r\n".encode(), CSV, "f.txt")
    [r] = parsed.records
    assert (r.barcode, r.operation, r.location, r.at.isoformat()) == (
        F1,
        "move",
        U1,
        "2026-11-26T13:15:00+00:00",
    )
    assert parsed.problems == [] and parsed.encoding == "utf-8"


def test_fixed_width_profile() -> None:
    line = f"{F1}20261126081500MOV{U1}OP0001"
    [r] = parse_collector_file(line.encode(), FIXED, "f.dat").records
    assert (r.barcode, r.location, r.operator, r.at.hour) == (F1, U1, "OP0001", 13)
    assert problems(line[:20].encode(), FIXED) == [(1, "operacion", "collector.short_line")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"{F1};26/11/2026;08:15;MOV;{U1}", (1, "fecha", "collector.timestamp")),
        (f"{F1};31/02/2026;08:15:00;MOV;{U1}", (1, "fecha", "collector.timestamp")),
        (f"{F1};26-11-2026;08:15:00;MOV;{U1}", (1, "fecha", "collector.timestamp")),
        (f"{F1};26/11/2026", (1, "hora", "collector.missing_fields")),
        (f"{F1};26/11/2026;08:15:00;MOV;{U1};x", (1, "", "collector.extra_fields")),
        (f"{F1[:-1]}Z;26/11/2026;08:15:00;MOV;{U1}", (1, "barcode", "barcode.check_digit")),
        (f"{F1};26/11/2026;08:15:00;XYZ;{U1}", (1, "operacion", "collector.operation")),
        (f"{F1};26/11/2026;08:15:00;MOV;", (1, "ubicacion", "collector.location_missing")),
        (f";26/11/2026;08:15:00;MOV;{U1}", (1, "barcode", "collector.barcode_empty")),
        ("\x00\x01\x02garbage;;;;", (1, "", "collector.garbage")),
        (f"{F1};31/12/9999;20:00:00;MOV;{U1}", (1, "fecha", "collector.timestamp")),  # UTC: 10000
    ],
)
def test_row_level_problems(line: str, expected: tuple[int, str, str]) -> None:
    assert problems(line.encode()) == [expected]


@pytest.mark.parametrize(
    "day", ["26/11/2026", "02/05/1992", "03/05/1992", "06/02/1993", "07/02/1993"]
)
def test_timestamps_read_fast_equal_strptime_and_the_zone(day: str) -> None:
    """Times are read as seconds after the day's local midnight only when the UTC offset holds
    all day; Bogotá's one daylight-saving year (1992-93) keeps its change days on the exact
    path. Every time of those days gives what ``strptime`` and the zone rules give."""
    times = [
        f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(0, 60, 7) for s in (0, 59)
    ]
    data = "".join(f"{F1};{day};{t};MOV;{U1}\n" for t in times).encode()
    parsed = parse_collector_file(data, CSV, "f.txt")
    assert not parsed.problems
    for t, record in zip(times, parsed.records, strict=True):
        local = datetime.strptime(f"{day} {t}", "%d/%m/%Y %H:%M:%S").replace(tzinfo=LOCAL_TZ)
        assert record.at == local.astimezone(UTC) and record.at.tzinfo is UTC, (day, t)


def test_garbage_is_found_in_any_line_of_a_file() -> None:
    data = (
        f"{F1};26/11/2026;08:15:00;MOV;{U1}\r\n{F1};26/11/2026;08:16\x07:00;MOV;{U1}\r\n".encode()
    )
    assert problems(data) == [(2, "", "collector.garbage")]


def test_encodings_bom_and_cp1252() -> None:
    good = f"{F1};26/11/2026;08:15:00;MOV;{U1}\n"
    bom = parse_collector_file(b"\xef\xbb\xbf" + good.encode(), CSV, "f")
    assert bom.encoding == "utf-8-sig" and len(bom.records) == 1
    cp = parse_collector_file(
        (good + "CAJA-Ñ;26/11/2026;08:15:00;MOV;X\n").encode("cp1252"), CSV, "f"
    )
    assert cp.encoding == "cp1252"
    assert [(p.row, p.field, p.code) for p in cp.problems] == [(2, "barcode", "barcode.characters")]


def test_profile_json_round_trip_and_validation() -> None:
    assert Profile.from_json(FIXED.to_json()) == FIXED
    with pytest.raises(ValidationError):
        Profile.from_json('{"name": "x", "kind": "delimited", "fields": ["fecha"]}')
    with pytest.raises(ValidationError):
        Profile.from_json("not json")


@pytest.fixture
def place(services, admin):
    services.org.add_dependencia(admin, code="120", name="Hacienda")
    dep = services.locations.create(admin, level_code="deposito", code="1", name="Depósito")
    other = services.locations.create(admin, level_code="deposito", code="2", name="Depósito 2")
    boxes = services.units.register(admin, type_code="X200", count=3, location_id=dep.id)
    return dep, other, boxes


def _file(boxes, loc, times=("08:00:00", "07:00:00", "09:00:00")) -> bytes:
    lines = [
        f"{b.barcode};26/11/2026;{t};MOV;{loc.barcode}" for b, t in zip(boxes, times, strict=False)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_import_replays_in_time_order_and_is_idempotent(services, admin, place) -> None:
    _dep, other, boxes = place
    data = _file(boxes, other)
    preview = services.capture.import_collector(
        admin, data, "lote1.txt", "csv-basico", dry_run=True
    )
    assert preview.count("would_apply") == 3 and preview.count("applied") == 0
    with services.rt.db.sessions() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(Movement).where(Movement.method == "collector")
            )
            == 0
        )
    first = services.capture.import_collector(admin, data, "lote1.txt", "csv-basico")
    assert first.count("applied") == 3 and first.problems == []
    assert [o.row for o in first.outcomes] == [2, 1, 3]  # timestamp order
    assert all(services.units.get(admin, b.id).location_path == other.path for b in boxes)
    again = services.capture.import_collector(admin, data, "lote1-copia.txt", "csv-basico")
    assert again.count("applied") == 0 and again.count("duplicate") == 3
    with services.rt.db.sessions() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(Movement).where(Movement.method == "collector")
            )
            == 3
        )
        assert s.scalar(select(func.count()).select_from(CollectorLine)) == 3


def test_line_keys_lead_with_the_scan_day_and_stay_the_same_for_the_same_line() -> None:
    late = f"{F1};26/11/2026;20:15:00;MOV;{U1}"  # 01:15 UTC the next day
    early = f"{F1};26/11/2026;08:15:00;MOV;{U1}"
    a, b = parse_collector_file(f"{late}\n{early}\n".encode(), CSV, "f.txt").records
    [again] = parse_collector_file(f"{early}\r\n".encode(), CSV, "otro.txt").records
    assert a.line_hash.startswith("s20261127") and b.line_hash.startswith("s20261126")
    assert again.line_hash == b.line_hash and len(b.line_hash) == 64
    assert b.line_hash == line_key(b.legacy_hash, "20261126")
    assert b.legacy_hash < LEGACY_BELOW < b.line_hash  # old keys sort below every new one
    no_date = Profile(name="sin-fecha", kind="delimited", fields=("barcode", "ubicacion"))
    [r] = parse_collector_file(f"{F1};{U1}".encode(), no_date, "f.txt").records
    assert r.line_hash.startswith("s00000000")  # not the import's day: the line has none


def test_lines_stored_under_their_old_key_are_still_duplicates(services, admin, place) -> None:
    _dep, other, boxes = place
    data = _file(boxes, other)
    [first, *rest] = parse_collector_file(data, CSV, "lote1.txt").records
    with services.rt.db.sessions() as s, s.begin():  # as an earlier version stored it
        s.add(CollectorLine(line_hash=first.legacy_hash, file_name="lote1.txt", row=1,
                            profile="csv-basico", outcome="applied", detail="",
                            applied_at=datetime.now(UTC), applied_by="admin"))  # fmt: skip
    result = services.capture.import_collector(admin, data, "lote1.txt", "csv-basico")
    assert [(o.row, o.outcome) for o in result.outcomes] == [
        (2, "applied"), (1, "duplicate"), (3, "applied")]  # fmt: skip
    again = services.capture.import_collector(admin, data, "lote1.txt", "csv-basico")
    assert again.count("duplicate") == 3
    with services.rt.db.sessions() as s:
        keys = set(s.scalars(select(CollectorLine.line_hash)))
    assert keys == {first.legacy_hash, *(r.line_hash for r in rest)}


def test_bad_lines_fail_alone(services, admin, place) -> None:
    _dep, other, boxes = place
    unknown = format_barcode(BarcodeKind.CAJA, "0A1", 999)
    data = (
        _file(boxes[:1], other)
        + f"{unknown};26/11/2026;10:00:00;MOV;{other.barcode}\nbasura\n".encode()
    )
    r = services.capture.import_collector(admin, data, "lote2.txt", "csv-basico")
    assert r.count("applied") == 1 and r.count("failed") == 1
    assert sorted((p.row, p.code) for p in r.problems) == [
        (2, "scan.unknown"),
        (3, "collector.missing_fields"),
    ]
    # fixing the file and importing again applies only the new line
    fixed = _file(boxes[:2], other, ("08:00:00", "11:00:00"))
    assert (
        services.capture.import_collector(admin, fixed, "lote2.txt", "csv-basico").count("applied")
        == 1
    )


def test_count_lines_need_a_session(services, admin, place) -> None:
    dep, _other, boxes = place
    data = f"{boxes[0].barcode};26/11/2026;08:00:00;CNT;{dep.barcode}\n".encode()
    r = services.capture.import_collector(admin, data, "c.txt", "csv-basico")
    assert [p.code for p in r.problems] == ["collector.count_session"]
    session_id = services.counts.start(admin, dep.barcode)
    r = services.capture.import_collector(
        admin, data, "c.txt", "csv-basico", count_session_id=session_id
    )
    assert r.count("applied") == 1
    with services.rt.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CountScan)) == 1


def test_unknown_profile_and_custom_profiles(services, admin) -> None:
    with pytest.raises(NotFound):
        services.capture.import_collector(admin, b"", "x", "no-existe")
    services.capture.save_profile(
        admin, Profile("coma", "delimited", fields=("barcode", "ubicacion"), delimiter=",")
    )
    assert "coma" in services.capture.profiles(admin)
    with pytest.raises(ValidationError):
        services.capture.save_profile(admin, CSV)


def test_a_profile_in_use_keeps_how_it_reads_dates_and_fields(services, admin, place) -> None:
    _dep, other, boxes = place
    mine = Profile("mio", "delimited", fields=CSV.fields, date_format="%d/%m/%Y")
    services.capture.save_profile(admin, mine)
    services.capture.save_profile(admin, replace(mine, date_format="%m/%d/%Y"))  # nothing read yet
    services.capture.save_profile(admin, mine)
    data = _file(boxes[:1], other).replace(b"26/11/2026", b"05/11/2026")
    assert services.capture.import_collector(admin, data, "f.txt", "mio").count("applied") == 1
    with pytest.raises(ValidationError) as refused:
        services.capture.save_profile(admin, replace(mine, date_format="%m/%d/%Y"))
    assert refused.value.code == "collector.profile_in_use"
    assert refused.value.params["settings"] == "date_format"
    services.capture.save_profile(admin, replace(mine, header=True))  # rows shift; keys do not
    again = services.capture.import_collector(admin, b"cabecera\n" + data, "f.txt", "mio")
    assert again.count("duplicate") == 1


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_collector_sample_files(name: str) -> None:
    expected = (SAMPLES / name).with_suffix(".expected").read_text("utf-8").split()
    profile = FIXED if "fijo" in name else CSV
    parsed = parse_collector_file((SAMPLES / name).read_bytes(), profile, name)
    got = [f"ok:{r.row}" for r in parsed.records] + [f"{p.code}:{p.row}" for p in parsed.problems]
    assert sorted(got) == sorted(expected)


def test_dropped_files_go_to_procesados_or_errores_with_a_report(
    services, admin, place, tmp_path
) -> None:
    _dep, other, boxes = place
    inbox = tmp_path / "entrada"
    inbox.mkdir()
    good = inbox / "bueno.txt"
    good.write_bytes(_file(boxes[:1], other))
    bad = inbox / "malo.txt"
    bad.write_bytes(_file(boxes[1:2], other) + b"basura\n")
    result, target = services.capture.import_dropped(admin, good, "csv-basico")
    assert result is not None and result.count("applied") == 1
    assert target == inbox / "procesados" / "bueno.txt" and not good.exists()
    result, target = services.capture.import_dropped(admin, bad, "csv-basico")
    assert result is not None and target == inbox / "errores" / "malo.txt"
    report = (inbox / "errores" / "malo.txt.informe.txt").read_text("utf-8")
    assert "malo.txt, fila 2" in report
    gone = inbox / "perfil.txt"
    gone.write_bytes(b"x")
    result, target = services.capture.import_dropped(admin, gone, "no-existe")
    assert result is None and target.parent.name == "errores"
