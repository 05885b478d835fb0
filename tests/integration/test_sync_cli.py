"""The command line end to end, as an IT administrator and a scheduled job use it: ``central
init`` with a least-privilege login for the workstations, ``sync configure|register|--once|
status|conflicts|resolve``, ``central verify-audit`` — each a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from archive.db.engine import sqlite_url
from archive.services.setup import SetupRequest
from archive.sync.service import SyncService
from tests.conftest import ADMIN_PASSWORD, build_services
from tests.integration.sync_helpers import (
    create_database,
    drop_database,
    env_passwords,
    legajo_command,
)

pytestmark = pytest.mark.pg


@pytest.fixture
def roles(pg_server_url: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    names = {"group": f"legajo_est_{tag}", "login": f"legajo_ws_{tag}", "db": f"legajo_cli_{tag}"}
    yield names
    drop_database(pg_server_url, names["db"])
    conninfo = make_url(pg_server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for role in (names["login"], names["group"]):
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def run(tmp_path: Path, *args: str, user: bool = False, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEGAJO_CENTRAL_PASSWORD": "x", "LEGAJO_WORKSTATION_PASSWORD": "Clave-estacion-1",
           "LEGAJO_CONFIG_DIR": str(tmp_path), "LEGAJO_PASSWORD": ADMIN_PASSWORD,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}  # fmt: skip
    extra = ["--user", "admin"] if user else []
    proc = subprocess.run(legajo_command(*args, *extra), env=env, capture_output=True, text=True, timeout=180, check=False)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_administrator_and_scheduled_job(tmp_path: Path, pg_server_url: str, roles: dict[str, str]) -> None:
    server = make_url(pg_server_url)
    create_database(pg_server_url, roles["db"])
    conn_args = ["--host", server.host or "127.0.0.1", "--port", str(server.port or 5432),
                 "--database", roles["db"], "--sslmode", "disable", "--timeout", "3"]  # fmt: skip
    init = run(tmp_path, "central", "init", *conn_args, "--db-user", server.username or "postgres",
               "--workstation-role", roles["group"], "--workstation-login", roles["login"], "--json")  # fmt: skip
    assert json.loads(init.stdout)["group_role"] == roles["group"]
    # The workstations log in with the least-privilege role: no deletes, no audit rewrites.
    ws_url = server.set(drivername="postgresql", username=roles["login"], database=roles["db"])
    with psycopg.connect(ws_url.render_as_string(hide_password=False), autocommit=True) as conn:
        for sql in ("DELETE FROM dependencia", "UPDATE audit_log SET reason = 'x'", "DROP TABLE sync_change",
                    "DELETE FROM sync_change"):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)

    # Workstation A: initialised locally, then configured and registered as an administrator.
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    sv = build_services(sqlite_url(a_dir))
    admin = sv.setup.initialize(SetupRequest("Alcaldía CLI", "admin", "Admin", ADMIN_PASSWORD, workstation_code="A01"))
    sv.org.add_dependencia(admin, code="100", name="Despacho")
    sv.rt.db.close()
    ws_args = [*conn_args, "--db-user", roles["login"]]
    run(tmp_path, "sync", "configure", *ws_args, "--data-dir", str(a_dir), user=True)
    run(tmp_path, "sync", "register", "--data-dir", str(a_dir), user=True)
    once = run(tmp_path, "sync", "--once", "--data-dir", str(a_dir), "--json")
    assert json.loads(once.stdout)["pushed"] > 10

    # Workstation B joins from an empty data folder: no Legajo user needed yet.
    run(tmp_path, "sync", "configure", *ws_args, "--data-dir", str(b_dir))
    joined = run(tmp_path, "sync", "register", "--code", "B02", "--name", "Ventanilla", "--data-dir", str(b_dir))
    assert "B02" in joined.stdout

    # A duplicate code made offline on both (synced in-process: the same service the CLI calls);
    # the conflict is listed and resolved from the CLI.
    for folder in (a_dir, b_dir):
        sv = build_services(sqlite_url(folder))
        sv.org.add_dependencia(sv.auth.login("admin", ADMIN_PASSWORD), code="500", name=f"Jurídica {folder.name}")
        sv.rt.db.close()
    for folder in (a_dir, b_dir, a_dir):
        sv = build_services(sqlite_url(folder))
        service = SyncService(sv.rt, passwords=env_passwords())
        service.sync_once()
        service.close()
        sv.rt.db.close()
    listed = json.loads(run(tmp_path, "sync", "conflicts", "--data-dir", str(b_dir), "--json", user=True).stdout)
    assert [c["kind"] for c in listed] == ["duplicate"]
    run(tmp_path, "sync", "resolve", listed[0]["id"][-8:], "--pick", "left", "--note", "Se conserva",
        "--data-dir", str(b_dir), user=True)  # fmt: skip
    once_b = run(tmp_path, "sync", "--once", "--data-dir", str(b_dir))
    assert "Sincronizado" in once_b.stdout
    status = json.loads(run(tmp_path, "sync", "status", "--data-dir", str(b_dir), "--json").stdout)
    assert status["pending_changes"] == 0 and status["open_conflicts"] == 0 and status["registered"]

    verified = run(tmp_path, "central", "verify-audit", *conn_args, "--db-user", server.username or "postgres", "--json")
    assert json.loads(verified.stdout)["chains"] == 2
    again = run(tmp_path, "central", "upgrade", *conn_args, "--db-user", server.username or "postgres",
                "--workstation-role", roles["group"])  # fmt: skip
    assert "lista" in again.stdout


def test_the_scheduled_job_reports_an_unreachable_server(tmp_path: Path) -> None:
    sv = build_services(sqlite_url(tmp_path))
    admin = sv.setup.initialize(SetupRequest("Alcaldía CLI", "admin", "Admin", ADMIN_PASSWORD))
    sv.rt.db.close()
    run(tmp_path, "sync", "configure", "--host", "127.0.0.1", "--port", "9", "--database", "legajo",
        "--timeout", "2", "--no-check", "--data-dir", str(tmp_path), user=True)  # fmt: skip
    proc = run(tmp_path, "sync", "--once", "--data-dir", str(tmp_path), ok=False)
    assert proc.returncode == 1
    assert "no está registrada" in proc.stderr
    assert admin.username == "admin"
