"""``legajo labels`` as a real subprocess on a demo database: every printed label is cropped
from the rasterised PDF and must decode (pyzbar and zxing-cpp) to its unit's barcode."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reports.labels import NO_CALIBRATION, builtin_media
from tests.integration.test_cli import legajo
from tests.samples.labels.raster import crop_pt, decode, rasterise


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("labels-cli")
    r = legajo(d, "demo", "--items", "120", user=None)
    assert r.returncode == 0, r.stderr
    return d


def query(d: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(d / "legajo.sqlite3") as c:
        return c.execute(sql, params).fetchall()


def decoded_slots(pdf: Path, medium_id: str, start: int, n: int) -> list[str]:
    medium = builtin_media()[medium_id]
    pages = rasterise(pdf.read_bytes())
    out = []
    for i in range(n):
        slot = start - 1 + i
        page, pos = divmod(slot, medium.per_page)
        got = decode(crop_pt(pages[page], medium.slot_box(pos, NO_CALIBRATION), inset=1))
        assert got.pyzbar == got.zxing, (i, got)
        assert len(got.pyzbar) == 1, (i, got)
        out.append(got.pyzbar[0])
    return out


def run_json(d: Path, *args: str) -> dict:
    r = legajo(d, "labels", *args, "--json", user="auxiliar")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_boxes_of_a_shelf_decode_in_shelf_order_and_reprint_is_identical(
    demo_dir, tmp_path
) -> None:
    shelf = query(
        demo_dir, "SELECT path FROM location WHERE path LIKE '%-B1' ORDER BY path LIMIT 1"
    )[0][0]
    expected = [b for (b,) in query(demo_dir, """SELECT u.barcode FROM unit u JOIN location l ON l.id = u.location_id
        WHERE l.path = ? AND u.kind = 'caja' AND u.deleted_at IS NULL ORDER BY l.path, u.number, u.barcode""", shelf)]  # fmt: skip
    assert expected
    out = tmp_path / "cajas.pdf"
    data = run_json(demo_dir, "--kind", "caja", "--location", shelf, "-o", str(out), "--start", "5")
    assert data["labels"] == len(expected)
    assert decoded_slots(out, "a4-3x8", 5, len(expected)) == expected

    again = tmp_path / "again.pdf"
    redo = run_json(demo_dir, "reprint", data["batch"], "-o", str(again))
    assert redo["batch"] != data["batch"] and again.read_bytes() == out.read_bytes()
    batch = query(
        demo_dir,
        "SELECT kind, medium, start_position, items, username FROM label_batch WHERE id = ?",
        data["batch"],
    )
    assert batch == [("caja", "a4-3x8", 5, len(expected), "auxiliar")]
    audit = query(demo_dir, "SELECT count(*) FROM audit_log WHERE action = 'label_batch.print'")[0][
        0
    ]
    assert audit == 2


def test_carpetas_of_a_box_by_scan_and_a_box_on_a_roll(demo_dir, tmp_path) -> None:
    box = query(
        demo_dir,
        "SELECT id, barcode FROM unit WHERE kind = 'caja' AND deleted_at IS NULL ORDER BY number LIMIT 1",
    )[0]
    carpetas = [b for (b,) in query(demo_dir, """SELECT barcode FROM unit WHERE parent_id = ? AND deleted_at IS NULL
        ORDER BY sequence, number, barcode""", box[0])]  # fmt: skip
    out = tmp_path / "carpetas.pdf"
    data = run_json(
        demo_dir, "--kind", "carpeta", "--box", box[1], "-o", str(out), "--medium", "a4-2x7"
    )
    assert data["labels"] == len(carpetas) > 0
    assert decoded_slots(out, "a4-2x7", 1, len(carpetas)) == carpetas

    roll = tmp_path / "roll.pdf"
    run_json(
        demo_dir, "--kind", "caja", "--units", box[1], "-o", str(roll), "--medium", "rollo-100x50"
    )
    (page,) = rasterise(roll.read_bytes())
    got = decode(page)
    assert got.pyzbar == got.zxing == (box[1],)


def test_shelf_labels_calibration_templates_and_errors(demo_dir, tmp_path) -> None:
    shelf = query(
        demo_dir, "SELECT path FROM location WHERE path LIKE '%-E01' ORDER BY path LIMIT 1"
    )[0][0]
    expected = [
        b
        for (b,) in query(
            demo_dir,
            "SELECT barcode FROM location WHERE path = ? OR path LIKE ? ORDER BY path",
            shelf,
            shelf + "-%",
        )
    ]
    r = legajo(
        demo_dir,
        "labels",
        "calibrations",
        "--name",
        "HP bodega",
        "--offset-x",
        "0.5",
        "--offset-y",
        "-0.4",
        user="auxiliar",
    )
    assert r.returncode == 0, r.stderr
    out = tmp_path / "ubicaciones.pdf"
    data = run_json(
        demo_dir,
        "--kind",
        "ubicacion",
        "--location",
        shelf,
        "-o",
        str(out),
        "--calibration",
        "HP bodega",
    )
    assert data["labels"] == len(expected)
    assert decoded_slots(out, "a4-3x8", 1, len(expected)) == expected

    # a template exported, edited and stored as data, then used by name
    tpl = tmp_path / "caja.json"
    r = legajo(
        demo_dir,
        "labels",
        "templates",
        "--kind",
        "caja",
        "--export",
        "Caja (AGN)",
        "-o",
        str(tpl),
        user="auxiliar",
    )
    assert r.returncode == 0, r.stderr
    body = json.loads(tpl.read_text(encoding="utf-8"))
    body["name"], body["border"] = "Caja con borde", True
    tpl.write_text(json.dumps(body), encoding="utf-8")
    r = legajo(
        demo_dir,
        "labels",
        "templates",
        "--kind",
        "caja",
        "--import",
        str(tpl),
        "--default",
        user="auxiliar",
    )
    assert r.returncode == 0, r.stderr
    listed = run_json(demo_dir, "templates", "--kind", "caja")
    assert {
        "kind": "caja",
        "name": "Caja con borde",
        "default": True,
        "origin": "guardada",
    } in listed
    box = query(demo_dir, "SELECT barcode FROM unit WHERE kind = 'caja' ORDER BY number LIMIT 1")[
        0
    ][0]
    data = run_json(
        demo_dir,
        "--kind",
        "caja",
        "--units",
        box,
        "-o",
        str(tmp_path / "b.pdf"),
        "--medium",
        "grid:a4:2x5:90x50:5x2",
    )
    assert query(demo_dir, "SELECT template_name FROM label_batch WHERE id = ?", data["batch"]) == [
        ("Caja con borde",)
    ]

    r = legajo(
        demo_dir,
        "labels",
        "--kind",
        "caja",
        "--units",
        box,
        "-o",
        str(tmp_path / "x.pdf"),
        "--medium",
        "a5-9x9",
        user="auxiliar",
    )
    assert r.returncode == 1 and "a5-9x9" in r.stderr
    r = legajo(
        demo_dir,
        "labels",
        "--kind",
        "caja",
        "--units",
        box,
        "-o",
        str(tmp_path / "x.pdf"),
        user="consulta",
    )
    assert r.returncode != 0 and "Imprimir rótulos" in r.stderr
    r = legajo(
        demo_dir,
        "labels",
        "--kind",
        "caja",
        "--units",
        box,
        "-o",
        str(tmp_path / "x.pdf"),
        "--start",
        "25",
        user="auxiliar",
    )
    assert r.returncode == 1 and not (tmp_path / "x.pdf").exists()
