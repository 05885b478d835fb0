"""Helpers of the sync tests: central databases copied from a template, workstations built
with the real services on their own SQLite files, a canonical dump of the synced data, a TCP
proxy on 127.0.0.1 that can cut connections (the fault boundary), and the CLI as a subprocess.

The fixtures built on them live in ``tests/integration/sync_fixtures.py`` (load them with
``pytest_plugins = ["tests.integration.sync_fixtures"]``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from archive.db.changefeed import encode
from archive.db.database import Database
from archive.db.engine import sqlite_url
from archive.services.container import Services
from archive.services.runtime import Actor
from archive.services.setup import SetupRequest
from archive.sync.config import CentralConfig
from archive.sync.credentials import ENV_VAR, PasswordStore
from archive.sync.service import SyncService
from archive.sync.tables import default_catalog
from tests.conftest import ADMIN_PASSWORD, Clock, build_services

PASSWORD = "clave-central"


def admin_conninfo(server_url: str) -> str:
    return make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    import psycopg

    with psycopg.connect(admin_conninfo(server_url), autocommit=True) as conn:
        for attempt in range(20):
            try:
                conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
                break
            except psycopg.errors.ObjectInUse:  # autovacuum visiting the template: try again
                if attempt == 19:
                    raise
                time.sleep(0.25)
    return make_url(server_url).set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )


def drop_database(server_url: str, name: str, *, template: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_conninfo(server_url), autocommit=True) as conn:
        if template:
            conn.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false ALLOW_CONNECTIONS true')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Central:
    """A throw-away central database (a copy of the template)."""

    url: str
    server_url: str
    name: str

    def config(self, **changes: Any) -> CentralConfig:
        u = make_url(self.url)
        base = CentralConfig(host=u.host or "127.0.0.1", port=u.port or 5432, database=self.name,
                             user=u.username or "postgres", sslmode="disable", connect_timeout=3)  # fmt: skip
        return CentralConfig(**{**base.__dict__, **changes})

    def engine(self) -> Any:
        return create_engine(self.url, poolclass=NullPool)

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = self.engine()
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def database(self) -> Database:
        from archive.db.engine import make_engine

        return Database(make_engine(self.url))


def env_passwords() -> PasswordStore:
    """The password from the environment only (a null keyring: the headless case)."""
    from keyring.backends.null import Keyring as NullKeyring

    return PasswordStore(environ={ENV_VAR: PASSWORD}, backend=NullKeyring())


@dataclass
class Station:
    """A workstation: its services on its own SQLite file, and its sync service."""

    code: str
    folder: Path
    sv: Services
    sync: SyncService
    admin: Actor | None = None
    clock: Clock = field(default_factory=Clock)

    @property
    def rt(self) -> Any:
        return self.sv.rt

    def login(self) -> Actor:
        if self.admin is None:
            self.admin = self.sv.auth.login("admin", ADMIN_PASSWORD)
        return self.admin

    def close(self) -> None:
        self.sync.close()
        self.sv.rt.db.close()


class Stations:
    """Builds workstations against one central database and closes them at the end."""

    def __init__(self, tmp_path: Path, template: Path, central: Central,
                 engine_factory: Callable[[Any], Any] | None = None, batch: int = 2000) -> None:  # fmt: skip
        self.tmp_path = tmp_path
        self.template = template
        self.central = central
        self.engine_factory = engine_factory
        self.batch = batch
        self.made: list[Station] = []

    def build(self, code: str) -> Station:
        """A new, empty workstation (not configured)."""
        folder = self.tmp_path / f"ws-{code}-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        shutil.copy(self.template, folder / "legajo.sqlite3")
        clock = Clock()
        sv = build_services(sqlite_url(folder), clock)
        sync = SyncService(sv.rt, passwords=env_passwords(), engine_factory=self.engine_factory,
                           batch=self.batch)  # fmt: skip
        station = Station(code, folder, sv, sync, clock=clock)
        self.made.append(station)
        return station

    def seed(self, code: str = "A01", **config: Any) -> Station:
        """The first workstation: initialised locally, then registered (central is empty)."""
        st = self.build(code)
        st.admin = st.sv.setup.initialize(SetupRequest("Alcaldía de Prueba", "admin", "Admin", ADMIN_PASSWORD,
                                                       workstation_code=code))  # fmt: skip
        st.sync.configure(st.admin, self.central.config(**config), None)
        st.sync.register(st.admin)
        return st

    def join(self, code: str, **config: Any) -> Station:
        """A new, empty workstation joining: configure, register, bootstrap."""
        st = self.build(code)
        st.sync.configure(None, self.central.config(**config), None)
        st.sync.register(None, code=code, name=f"Estación {code}")
        return st

    def close(self) -> None:
        for st in self.made:
            st.close()


# --- comparing databases -------------------------------------------------------------------


def canonical_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every synced table's rows, travelling columns only, without ``version`` (local
    bookkeeping), sorted by id, values in their JSON encoding."""
    catalog = default_catalog()
    engine = create_engine(url, poolclass=NullPool)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for t in catalog.ordered:
                cols = [c for c in t.columns if c in t.travelling and c != "version"]
                rows = conn.execute(select(*[t.table.c[c] for c in cols]).order_by(t.table.c.id))
                out[t.name] = [tuple(json.dumps(encode(v), sort_keys=True) for v in r) for r in rows]
    finally:
        engine.dispose()
    return out


def canonical_hash(url: str) -> str:
    data = canonical_rows(url)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def diff(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """Readable differences between two canonical dumps (for assertion messages)."""
    out = []
    for table in sorted(set(a) | set(b)):
        ra, rb = set(a.get(table, [])), set(b.get(table, []))
        for r in sorted(ra - rb)[:3]:
            out.append(f"{table}: only left {r}")
        for r in sorted(rb - ra)[:3]:
            out.append(f"{table}: only right {r}")
    return out


# --- the fault boundary: a TCP proxy that can cut connections ------------------------------


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to the PostgreSQL server; can drop every connection now, or
    each connection after it relayed a given number of bytes (mid-push, mid-pull)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.cut_after: int | None = None
        self.cuts = 0
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            budget = [self.cut_after]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b, budget), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, budget: list[int | None]) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    if budget[0] is not None:
                        budget[0] -= len(data)
                        if budget[0] <= 0:
                            self.cuts += 1
                            raise OSError("cut")
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def cut_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        self.cut_all()


def via_proxy(proxy: CuttingProxy) -> Callable[[Any], Any]:
    """An engine factory that connects through ``proxy``."""

    def factory(url: Any) -> Any:
        return create_engine(url.set(host="127.0.0.1", port=proxy.port), poolclass=NullPool)

    return factory


# --- the command line, as a subprocess -----------------------------------------------------

#: Runs the sync commands exactly as ``legajo`` does once cli/parser.py and cli/commands.py
#: include cli/sync.py (used until then; afterwards :func:`legajo_command` runs ``main``).
RUNNER = """
import argparse, sys
from archive.domain.errors import LegajoError
from archive.settings import load_settings
from cli import sync as sync_cli
from cli.output import report_error
from cli.parser import GLOBAL_DEFAULTS
from main import build_services
common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
common.add_argument("--data-dir")
common.add_argument("--json", action="store_true")
common.add_argument("--lang")
common.add_argument("--user")
parser = argparse.ArgumentParser(prog="legajo", parents=[common])
sync_cli.add_parsers(parser.add_subparsers(dest="command"), common)
args = parser.parse_args(sys.argv[1:])
for key, value in GLOBAL_DEFAULTS.items():
    setattr(args, key, getattr(args, key, value))
sv = build_services(load_settings().effective_data_dir(args.data_dir))
try:
    code = sync_cli.COMMANDS[args.command](sv, args)
except LegajoError as e:
    code = report_error(e, args.json)
finally:
    sv.rt.db.close()
sys.exit(code)
"""


def legajo_command(*args: str) -> list[str]:
    """The command line of ``legajo ARGS`` (through main.py once the sync CLI is wired)."""
    import sys

    from cli.commands import all_commands

    if "sync" in all_commands():
        return [sys.executable, "-c", "import sys; from main import main; sys.exit(main())", *args]
    return [sys.executable, "-c", RUNNER, *args]
