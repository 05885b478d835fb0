"""``legajo loans`` as real subprocesses on a demo database: request as a Usuario de
dependencia, lend, renew, overdue, return with a novedad, direct lending, exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_cli import legajo


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("loans-cli")
    assert legajo(d, "demo", "--items", "120", user=None).returncode == 0
    return d


def carpetas(d: Path, dep: str, n: int) -> list[str]:
    with sqlite3.connect(d / "legajo.sqlite3") as conn:
        rows = conn.execute(
            "select u.barcode from unit u join expediente e on e.id = u.expediente_id "
            "join dependencia d on d.id = e.dependencia_id where d.code = ? and u.kind = 'carpeta' "
            "order by u.barcode limit ?", (dep, n)).fetchall()  # fmt: skip
    assert len(rows) == n
    return [r[0] for r in rows]


def run_json(d: Path, *args: str, user: str = "admin"):
    r = legajo(d, *args, "--json", user=user)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_request_lend_renew_and_return(demo_dir) -> None:
    own, other = carpetas(demo_dir, "120", 1)[0], carpetas(demo_dir, "110", 1)[0]
    asked = run_json(demo_dir, "loans", "request", own, "--purpose", "Revisión", user="hacienda")
    assert asked["state"] == "solicitado"
    r = legajo(demo_dir, "loans", "request", other, "--purpose", "No es mía", user="hacienda")
    assert r.returncode == 1 and "propia dependencia" in r.stderr
    mine = run_json(demo_dir, "loans", "list", user="hacienda")
    assert [x["id"] for x in mine] == [asked["id"]]
    r = legajo(demo_dir, "loans", "lend", "--loan", asked["id"], user="hacienda")
    assert r.returncode == 1 and "no tiene el permiso" in r.stderr
    lent = run_json(demo_dir, "loans", "lend", "--loan", asked["id"], user="auxiliar")
    assert lent["state"] == "prestado" and lent["due_on"]
    again = legajo(demo_dir, "loans", "lend", own, "--dependencia", "110", "--to", "Ana", user="auxiliar")
    assert again.returncode == 3 and "ya está en préstamo" in again.stderr  # conflict
    renewed = run_json(demo_dir, "loans", "renew", asked["id"], user="auxiliar")
    assert renewed["due_on"] > lent["due_on"]
    assert run_json(demo_dir, "loans", "overdue", user="auxiliar") == []
    back = run_json(demo_dir, "loans", "return", own, "--incomplete", "--notes", "Faltan 3 folios", user="auxiliar")
    assert back["state"] == "devuelto" and back["incident"]
    history = run_json(demo_dir, "loans", "history", own)
    assert history[0]["folios_complete"] is False and history[0]["renewals"] == 1


def test_direct_lend_text_output_and_usage(demo_dir) -> None:
    unit = carpetas(demo_dir, "110", 2)[1]
    r = legajo(demo_dir, "loans", "lend", unit, "--dependencia", "110", "--to", "Ana Pérez", user="auxiliar")
    assert r.returncode == 0 and "Ana Pérez" in r.stdout and "hasta el" in r.stdout
    r = legajo(demo_dir, "loans", "list", "--state", "prestado", user="auxiliar")
    assert r.returncode == 0 and unit in r.stdout
    assert legajo(demo_dir, "loans", "lend", user="auxiliar").returncode == 1  # nothing to lend
    assert legajo(demo_dir, "loans", "frobnicate").returncode == 2
