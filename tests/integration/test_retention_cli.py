"""``legajo trd|tvd|retention|holds`` as real subprocesses on a demo database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_cli import legajo

TRD = Path(__file__).resolve().parents[1] / "samples" / "trd"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("retention-cli")
    r = legajo(d, "demo", "--items", "300", user=None)
    assert r.returncode == 0, r.stderr
    return d


def count(d: Path, table: str) -> int:
    with sqlite3.connect(d / "legajo.sqlite3") as c:
        return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_bad_file_is_rejected_with_row_errors_and_writes_nothing(demo_dir) -> None:
    r = legajo(demo_dir, "trd", "import", str(TRD / "trd_errores.csv"), "--dependencia", "110")
    assert r.returncode == 1
    assert "fila" in r.stderr.lower() or "row" in r.stderr.lower()
    assert count(demo_dir, "trd_version") == 0 and count(demo_dir, "trd_rule") == 0


def test_import_recompute_due_export_and_holds(demo_dir, tmp_path) -> None:
    r = legajo(demo_dir, "trd", "import", str(TRD / "trd_agn_110.xlsx"), "--valid-from", "01/01/1990",
               "--act", "Resolución 1 de 1990", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["rules"] == 7 and data["dependencias"] == ["110"]

    r = legajo(demo_dir, "retention", "recompute", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["examined"] == 300

    r = legajo(demo_dir, "retention", "due", "--stage", "gestion", "--as-of", "31/12/2040", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and all(x["dependencia_code"] == "110" and x["fin_gestion"] <= "2040-12-31" for x in rows)
    r = legajo(demo_dir, "retention", "due", "--stage", "gestion", "--as-of", "31/12/2040")
    assert r.returncode == 0 and "110-" in r.stdout

    for name in ("trd.pdf", "trd.xlsx"):
        r = legajo(demo_dir, "trd", "export", "--dependencia", "110", "-o", str(tmp_path / name))
        assert r.returncode == 0, r.stderr
        assert (tmp_path / name).stat().st_size > 1000

    target = rows[0]["id"]
    r = legajo(demo_dir, "holds", "add", "--expediente", target, "--reason", "Proceso 2026-001",
               "--authority", "Juzgado 3 Civil", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    hold_id = json.loads(r.stdout)["id"]
    r = legajo(demo_dir, "retention", "due", "--stage", "gestion", "--as-of", "31/12/2040", "--json")
    assert next(x for x in json.loads(r.stdout) if x["id"] == target)["on_hold"] is True
    r = legajo(demo_dir, "holds", "list", "--json")
    assert [h["id"] for h in json.loads(r.stdout)] == [hold_id]
    r = legajo(demo_dir, "holds", "release", hold_id, "--reason", "Auto del 2 de marzo")
    assert r.returncode == 0, r.stderr
    assert json.loads(legajo(demo_dir, "holds", "list", "--json").stdout) == []


def test_consulta_cannot_import(demo_dir) -> None:
    r = legajo(demo_dir, "trd", "import", str(TRD / "trd_agn_110.xlsx"), user="consulta")
    assert r.returncode == 1 and "permiso" in r.stderr
