"""``legajo fuid|transfer|elimination`` as real subprocesses on a demo database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_cli import legajo

TRD = Path(__file__).resolve().parents[1] / "samples" / "trd"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("transfers-cli")
    assert legajo(d, "demo", "--items", "200", user=None).returncode == 0
    r = legajo(d, "trd", "import", str(TRD / "trd_agn_110.xlsx"), "--valid-from", "01/01/1990")
    assert r.returncode == 0, r.stderr
    assert legajo(d, "retention", "recompute").returncode == 0
    return d


def run_json(d: Path, *args: str):
    r = legajo(d, *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_fuid_of_a_dependencia_pdf_and_xlsx(demo_dir, tmp_path) -> None:
    for name in ("inv.pdf", "inv.xlsx"):
        data = run_json(demo_dir, "fuid", "--objeto", "inventario_gestion", "--dependencia", "110",
                        "--elaborado", "Ana Pérez|Técnica|Bogotá", "-o", str(tmp_path / name))  # fmt: skip
        assert data["rows"] > 0 and (tmp_path / name).stat().st_size > 1000
    r = legajo(
        demo_dir,
        "fuid",
        "--objeto",
        "inventario_gestion",
        "--dependencia",
        "110",
        "-o",
        str(tmp_path / "x.txt"),
    )
    assert r.returncode != 0


def test_transfer_end_to_end(demo_dir, tmp_path) -> None:
    # The demo's due expedientes are in the central archive: a transferencia secundaria.
    cands = run_json(
        demo_dir, "transfer", "candidates", "--kind", "secundaria", "--dependencia", "110"
    )
    assert cands, "the demo data has due CT/S expedientes"
    ids = [c["id"] for c in cands[:2]]
    t = run_json(
        demo_dir, "transfer", "create", "--kind", "secundaria", "--dependencia", "110", *ids
    )
    assert t["items"] == len(ids)
    assert run_json(demo_dir, "transfer", "schedule", "--year", "2026", "--dependencia", "110",
                    "--date", "04/05/2026")[0]["dependencia_code"] == "110"  # fmt: skip
    r = legajo(demo_dir, "transfer", "send", t["id"])
    assert r.returncode != 0  # checklist incomplete
    for i in ids:
        assert legajo(demo_dir, "transfer", "check", t["id"], i).returncode == 0
    assert legajo(demo_dir, "transfer", "send", t["id"]).returncode == 0
    assert run_json(demo_dir, "transfer", "fuid", t["id"], "-o", str(tmp_path / "t.pdf"))[
        "rows"
    ] >= len(ids)
    r = legajo(demo_dir, "transfer", "receive", t["id"], "NADA-1", "--json")
    cot = json.loads(r.stdout)
    assert r.returncode == 3 and cot["extra"] == ["NADA-1"] and not cot["ok"]
    acc = run_json(
        demo_dir,
        "transfer",
        "accept",
        t["id"],
        "--accept-differences",
        "--observations",
        "Sin rótulos",
    )
    assert acc["number"].endswith("-001")
    with sqlite3.connect(demo_dir / "legajo.sqlite3") as c:
        stages = {row[0] for row in c.execute(
            f"SELECT stage FROM expediente WHERE id IN ({','.join('?' * len(ids))})", ids)}  # fmt: skip
    assert stages == {"historico"}
    [row] = run_json(demo_dir, "transfer", "list")
    assert row["status"] == "aceptada"
    assert (
        legajo(demo_dir, "transfer", "acta", t["id"], "-o", str(tmp_path / "acta.pdf")).returncode
        == 0
    )
    assert (
        legajo(
            demo_dir, "transfer", "hoja-control", ids[0], "-o", str(tmp_path / "hc.pdf")
        ).returncode
        == 0
    )


def test_elimination_steps(demo_dir, tmp_path) -> None:
    with sqlite3.connect(demo_dir / "legajo.sqlite3") as c:  # make the central archive due
        c.execute(
            "UPDATE expediente_due SET fin_central = '2020-01-01' WHERE fin_central IS NOT NULL "
            "AND expediente_id IN (SELECT id FROM expediente WHERE stage = 'central')"
        )
    cands = run_json(demo_dir, "elimination", "candidates")
    assert cands and all("CT" not in c["disposition"] for c in cands)
    el = run_json(demo_dir, "elimination", "create", cands[0]["id"])
    assert (
        run_json(demo_dir, "elimination", "fuid", el["id"], "-o", str(tmp_path / "e.xlsx"))["rows"]
        >= 1
    )
    assert (
        legajo(
            demo_dir, "elimination", "approve", el["id"], "--act", "Acta 3", "--date", "02/03/2026"
        ).returncode
        == 0
    )
    end = run_json(demo_dir, "elimination", "publish", el["id"], "--start", "30/03/2026")["end"]
    assert (
        end == "2026-07-01"
    )  # 60 business days; Semana Santa, 1 May and 4 Emiliani Mondays excluded
    r = legajo(demo_dir, "elimination", "execute", el["id"])
    assert r.returncode != 0  # no acta yet
    [row] = run_json(demo_dir, "elimination", "list")
    assert row["status"] == "publicada"
