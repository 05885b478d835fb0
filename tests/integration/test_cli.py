"""The ``legajo`` command line, run as a real subprocess (exit codes, JSON, messages)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.services.demo_data import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def legajo(data_dir: Path, *args: str, password: str | None = DEMO_PASSWORD, user: str | None = "admin") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAJO_")}
    env["LEGAJO_CONFIG_DIR"] = str(data_dir / "config")
    if password is not None:
        env["LEGAJO_PASSWORD"] = password
    cmd = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)]
    if user:
        cmd += ["--user", user]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    r = legajo(d, "demo", "--items", "300", user=None)
    assert r.returncode == 0, r.stderr
    assert "admin" in r.stdout and DEMO_PASSWORD in r.stdout
    return d


def test_version_and_usage_errors(tmp_path) -> None:
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("Legajo ")
    assert legajo(tmp_path, "user", "frobnicate").returncode == 2


def test_user_and_role_listing_as_json(demo_dir) -> None:
    r = legajo(demo_dir, "user", "list", "--json")
    assert r.returncode == 0, r.stderr
    users = {u["username"]: u for u in json.loads(r.stdout)}
    assert set(users) == {"admin", "jefe", "auxiliar", "consulta", "hacienda"}
    assert users["hacienda"]["dependencia_code"] == "120"
    roles = json.loads(legajo(demo_dir, "role", "list", "--json").stdout)
    assert {r["code"] for r in roles} >= {"administrador", "consulta", "usuario_dependencia"}


def test_user_lifecycle(demo_dir) -> None:
    r = legajo(demo_dir, "user", "add", "nuevo.auxiliar", "--name", "Nuevo Auxiliar", "--role", "auxiliar_archivo", "--dependencia", "112", "--json")
    assert r.returncode == 0, r.stderr
    temp = json.loads(r.stdout)["temporary_password"]
    # A temporary password must be changed in the application before the CLI accepts it.
    r = legajo(demo_dir, "user", "list", user="nuevo.auxiliar", password=temp)
    assert r.returncode == 1 and "cambiar su contraseña temporal" in r.stderr
    assert legajo(demo_dir, "user", "disable", "nuevo.auxiliar", "--reason", "prueba").returncode == 0
    listed = {u["username"]: u for u in json.loads(legajo(demo_dir, "user", "list", "--json").stdout)}
    assert listed["nuevo.auxiliar"]["disabled"] is True
    assert legajo(demo_dir, "user", "enable", "nuevo.auxiliar").returncode == 0
    r = legajo(demo_dir, "user", "reset-password", "nuevo.auxiliar", "--json")
    assert len(json.loads(r.stdout)["temporary_password"]) >= 10


def test_errors_are_translated_and_exit_1(demo_dir) -> None:
    r = legajo(demo_dir, "user", "list", password="mala-clave-1")
    assert r.returncode == 1
    assert "Usuario o contraseña incorrectos." in r.stderr
    r = legajo(demo_dir, "user", "list", user="consulta")
    assert r.returncode == 1 and "no tiene el permiso" in r.stderr
    r = legajo(demo_dir, "user", "list", user="consulta", password=None)
    assert r.returncode == 1 and "LEGAJO_PASSWORD" in r.stderr
    r = legajo(demo_dir, "user", "list", "--json", user="consulta")
    assert json.loads(r.stdout)["error"] == "permission.denied"


def test_audit_verify_detects_tampering_and_export(demo_dir, tmp_path) -> None:
    r = legajo(demo_dir, "audit", "verify", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["ok"]
    out = tmp_path / "audit.xlsx"
    r = legajo(demo_dir, "audit", "export", "-o", str(out), "--by", "admin")
    assert r.returncode == 0 and out.exists()
    copy = tmp_path / "copia"
    copy.mkdir()
    (copy / "legajo.sqlite3").write_bytes((demo_dir / "legajo.sqlite3").read_bytes())
    with sqlite3.connect(copy / "legajo.sqlite3") as conn:
        conn.execute("update audit_log set action = 'nada' where chain_seq = 2")
    r = legajo(copy, "audit", "verify")
    assert r.returncode == 3
    assert "alterada" in r.stderr and "#2" in r.stderr


def test_init_on_a_new_folder(tmp_path) -> None:
    r = legajo(tmp_path, "init", "--entity", "Personería de Prueba", "--admin", "jefa", "--workstation-code", "b07", password="Fondo-2026-archivo", user=None)
    assert r.returncode == 0, r.stderr
    r = legajo(tmp_path, "init", "--entity", "Otra", "--admin", "x1x", password="Fondo-2026-archivo", user=None)
    assert r.returncode == 1 and "ya fue inicializada" in r.stderr
    r = legajo(tmp_path, "role", "list", "--json", user="jefa", password="Fondo-2026-archivo")
    assert r.returncode == 0


def test_a_corrupt_database_gives_a_clear_error(tmp_path) -> None:
    (tmp_path / "legajo.sqlite3").write_bytes(b"\x00basura" * 1000)
    r = legajo(tmp_path, "user", "list")
    assert r.returncode == 1
    assert "dañado" in r.stderr
    assert "Traceback" not in r.stderr


def test_english_messages(demo_dir) -> None:
    r = legajo(demo_dir, "--lang", "en", "user", "list", password="mala-clave-1")
    assert r.returncode == 1
    assert "Incorrect username or password." in r.stderr
