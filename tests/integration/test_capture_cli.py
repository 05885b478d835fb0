"""``legajo decode``, ``legajo attach`` and ``legajo collector`` as real subprocesses."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import cv2
import pytest

from tests.integration.test_cli import legajo
from tests.samples.decode.make_corpus import code_image

SAMPLES = Path(__file__).parents[1] / "samples" / "decode" / "files"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("capture-cli")
    r = legajo(d, "demo", "--items", "60", user=None)
    assert r.returncode == 0, r.stderr
    return d


def query(d: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(d / "legajo.sqlite3") as c:
        return c.execute(sql, params).fetchall()


def test_decode_needs_no_login_and_reports_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "roto.pdf"
    bad.write_bytes(b"%PDF-1.4 nada")
    r = legajo(
        tmp_path / "d", "decode", str(SAMPLES / "multipage.tif"), str(bad), password=None, user=None
    )
    assert r.returncode == 3
    assert r.stdout.splitlines() == ["E0A100000042S", "ARCH-CENTRAL/2019/000123", "EXP 2022 0045"]
    assert "roto.pdf" in r.stderr
    r = legajo(
        tmp_path / "d", "decode", "--json", str(SAMPLES / "scanner.pdf"), password=None, user=None
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["page"], x["symbology"], x["value"]) for x in rows] == [
        (1, "code128", "E0A100000042S"), (2, "code128", "ARCH-CENTRAL/2019/000123"), (3, "code39", "EXP 2022 0045")]  # fmt: skip
    assert all(len(x["position"]) == 4 for x in rows)


def test_attach_then_collector_import_is_idempotent(demo_dir: Path, tmp_path: Path) -> None:
    [(box, box_id)] = query(
        demo_dir,
        "SELECT barcode, id FROM unit WHERE kind='caja' AND deleted_at IS NULL ORDER BY barcode LIMIT 1",
    )
    [(loc,)] = query(
        demo_dir,
        "SELECT barcode FROM location WHERE barcode IS NOT NULL ORDER BY path DESC LIMIT 1",
    )
    cover = tmp_path / "portada.png"
    cv2.imwrite(str(cover), code_image(box))
    r = legajo(demo_dir, "attach", str(cover), "--dry-run", "--json", user="auxiliar")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["target_id"] == box_id
    assert query(demo_dir, "SELECT count(*) FROM document_attachment") == [(0,)]
    r = legajo(demo_dir, "attach", str(cover), user="auxiliar")
    assert r.returncode == 0, r.stderr
    assert query(demo_dir, "SELECT unit_id, decoded_value FROM document_attachment") == [
        (box_id, box)
    ]

    lote = tmp_path / "lote.txt"
    lote.write_bytes(
        f"{box};26/11/2026;08:00:00;MOV;{loc}\r\n{box[:-1]}0;26/11/2026;08:01:00;MOV;{loc}\r\n".encode(
            "cp1252"
        )
    )
    r = legajo(
        demo_dir,
        "collector",
        "import",
        str(lote),
        "--profile",
        "csv-basico",
        "--dry-run",
        user="auxiliar",
    )
    assert r.returncode == 3 and "fila 2" in r.stdout and "por aplicar 1" in r.stdout
    r = legajo(
        demo_dir,
        "collector",
        "import",
        str(lote),
        "--profile",
        "csv-basico",
        "--json",
        user="auxiliar",
    )
    data = json.loads(r.stdout)
    assert (data["applied"], data["problems"][0]["row"], data["problems"][0]["field"]) == (
        1,
        2,
        "barcode",
    )
    r = legajo(
        demo_dir,
        "collector",
        "import",
        str(lote),
        "--profile",
        "csv-basico",
        "--json",
        user="auxiliar",
    )
    assert json.loads(r.stdout)["applied"] == 0 and json.loads(r.stdout)["duplicates"] == 1


def test_collector_profiles_are_shown_and_saved_as_json(demo_dir: Path, tmp_path: Path) -> None:
    r = legajo(demo_dir, "collector", "profile", "csv-basico")
    assert r.returncode == 0, r.stderr
    spec = json.loads(r.stdout)
    assert spec["fields"] == ["barcode", "fecha", "hora", "operacion", "ubicacion"]
    spec.update(name="coma-sin-hora", delimiter=",", fields=["barcode", "fecha", "ubicacion"])
    mine = tmp_path / "perfil.json"
    mine.write_text(json.dumps(spec), encoding="utf-8")
    r = legajo(demo_dir, "collector", "save-profile", str(mine))
    assert r.returncode == 0 and "coma-sin-hora" in r.stdout, r.stderr
    assert "coma-sin-hora" in legajo(demo_dir, "collector", "profiles").stdout.split()
    assert json.loads(legajo(demo_dir, "collector", "profile", "coma-sin-hora").stdout) == spec
    mine.write_text(json.dumps(spec | {"kind": "columnas"}), encoding="utf-8")
    r = legajo(demo_dir, "collector", "save-profile", str(mine))
    assert r.returncode == 1 and "perfil.json: Tipo de perfil desconocido: columnas" in r.stderr
    mine.write_text("{nombre: x", encoding="utf-8")
    r = legajo(demo_dir, "collector", "save-profile", str(mine))
    assert r.returncode == 1 and "perfil.json: Perfil de colector inválido" in r.stderr
    mine.write_bytes('{"name": "año"}'.encode("cp1252"))
    r = legajo(demo_dir, "collector", "save-profile", str(mine))
    assert r.returncode == 1 and "perfil.json: El archivo no está en UTF-8" in r.stderr
    r = legajo(demo_dir, "collector", "profile", "no-existe")
    assert r.returncode == 1 and "coma-sin-hora" in r.stderr  # the names that exist
    r = legajo(demo_dir, "collector", "save-profile", str(tmp_path / "falta.json"))
    assert r.returncode == 1 and "falta.json" in r.stderr and "Traceback" not in r.stderr
    r = legajo(
        demo_dir, "collector", "import", str(tmp_path / "falta.txt"), "--profile", "csv-basico"
    )
    assert r.returncode == 1 and "falta.txt" in r.stderr and "Traceback" not in r.stderr


def test_collector_watch_once(demo_dir: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "entrada"
    inbox.mkdir()
    (inbox / "vacio.txt").write_text("basura sin separadores\n", "utf-8")
    r = legajo(
        demo_dir,
        "collector",
        "watch",
        str(inbox),
        "--profile",
        "csv-basico",
        "--once",
        user="auxiliar",
    )
    assert r.returncode == 0, r.stderr
    assert (inbox / "errores" / "vacio.txt").exists()
    assert "fila 1" in (inbox / "errores" / "vacio.txt.informe.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def sent_transfer(tmp_path_factory) -> tuple[Path, str, list[str]]:
    """A demo database with a sent transferencia secundaria: (data dir, its id, its barcodes)."""
    from tests.integration.test_transfers_cli import TRD, run_json

    d = tmp_path_factory.mktemp("capture-reception")
    assert legajo(d, "demo", "--items", "200", user=None).returncode == 0
    assert (
        legajo(
            d, "trd", "import", str(TRD / "trd_agn_110.xlsx"), "--valid-from", "01/01/1990"
        ).returncode
        == 0
    )
    assert legajo(d, "retention", "recompute").returncode == 0
    [cand] = run_json(d, "transfer", "candidates", "--kind", "secundaria", "--dependencia", "110")[
        :1
    ]
    t = run_json(
        d, "transfer", "create", "--kind", "secundaria", "--dependencia", "110", cand["id"]
    )
    assert legajo(d, "transfer", "send", t["id"], "--force").returncode == 0
    codes = [
        b
        for (b,) in query(
            d, "SELECT barcode FROM unit WHERE expediente_id = ? ORDER BY barcode", cand["id"]
        )
    ]
    codes += [b for (b,) in query(d, "SELECT DISTINCT p.barcode FROM unit u JOIN unit p ON p.id = u.parent_id "
                                     "WHERE u.expediente_id = ?", cand["id"])]  # fmt: skip
    assert codes
    return d, t["id"], codes


def test_collector_reception_with_moves(sent_transfer, tmp_path: Path) -> None:
    d, tid, codes = sent_transfer
    marks = ",".join("?" * len(codes))  # a box of another expediente, to a place without limits
    [(unit, loc)] = query(d, "SELECT u.barcode, l.barcode FROM unit u, location l WHERE u.kind = 'caja' "
                             f"AND u.barcode NOT IN ({marks}) AND l.barcode IS NOT NULL AND l.capacity_units IS NULL "
                             "AND l.capacity_cm IS NULL AND u.location_id != l.id LIMIT 1", *codes)  # fmt: skip
    lote = tmp_path / "recepcion.txt"
    rows = [f"{c};26/11/2026;08:00:{i:02d};REC;" for i, c in enumerate(codes)]
    rows.append(f"{unit};26/11/2026;08:30:00;MOV;{loc}")
    lote.write_text("\r\n".join(rows) + "\r\n", "utf-8")
    args = ("collector", "import", str(lote), "--profile", "csv-basico")

    r = legajo(d, *args, user="admin")  # reception lines without the transfer: nothing applied
    assert r.returncode == 1 and "indique la transferencia" in r.stderr
    r = legajo(d, *args, "--transfer", "2026-999", user="admin")
    assert r.returncode == 1 and "No existe la transferencia 2026-999" in r.stderr
    assert query(d, "SELECT count(*) FROM collector_line") == [(0,)]

    r = legajo(d, *args, "--transfer", tid, "--dry-run", user="admin")
    assert r.returncode == 0, r.stderr
    assert (
        f"por aplicar {len(rows)}" in r.stdout
        and f"Cotejo correcto: {len(codes)} unidades." in r.stdout
    )
    assert query(d, "SELECT cotejo FROM transfer WHERE id = ?", tid) == [("{}",)]

    r = legajo(d, *args, "--transfer", tid, "--json", user="admin")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (
        data["applied"] == len(rows)
        and data["cotejo"]["ok"]
        and data["cotejo"]["scanned"] == len(codes)
    )
    assert json.loads(query(d, "SELECT cotejo FROM transfer WHERE id = ?", tid)[0][0])["ok"] is True
    assert query(d, "SELECT count(*) FROM movement WHERE method = 'collector'") == [(1,)]

    r = legajo(d, *args, "--transfer", tid, "--json", user="admin")
    again = json.loads(r.stdout)
    assert (again["applied"], again["duplicates"], again["cotejo"]) == (0, len(rows), None)

    assert legajo(d, "transfer", "accept", tid).returncode == 0
    more = tmp_path / "tarde.txt"
    more.write_text(f"{codes[0]};26/11/2026;11:00:00;REC;\r\n", "utf-8")
    r = legajo(
        d,
        "collector",
        "import",
        str(more),
        "--profile",
        "csv-basico",
        "--transfer",
        tid,
        user="admin",
    )
    assert r.returncode == 1 and "aceptada" in r.stderr and "No se aplicó ninguna línea" in r.stderr
