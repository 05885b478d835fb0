"""Test configuration shared by every tier.

- Qt runs offscreen; the language is Spanish unless a test switches it.
- ``pg_url``: a throw-away PostgreSQL database for this test session, created on the server at
  ``LEGAJO_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped
  at the end. Tests marked ``pg`` use it; they fail (not skip) when the server does not answer,
  because the README's test command starts one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from archive.services.container import Services
    from archive.services.runtime import Actor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(autouse=True)
def _spanish() -> Iterator[None]:
    from archive.i18n import set_language

    set_language("es")
    yield
    set_language("es")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    return os.environ.get("LEGAJO_TEST_PG_URL", DEFAULT_PG_URL)


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """URL (SQLAlchemy form, psycopg 3 driver) of a fresh database dropped after the session."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(pg_server_url)
    name = f"legajo_test_{uuid.uuid4().hex[:12]}"
    conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Services on a temporary SQLite database -------------------------------------------------

ADMIN_PASSWORD = "Clave-maestra-2026"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests copy it (fast and isolated)."""
    from archive.db.engine import make_engine, sqlite_url
    from archive.db.migrate import upgrade

    folder = tmp_path_factory.mktemp("template")
    engine = make_engine(sqlite_url(folder))
    upgrade(engine)
    engine.dispose()
    return folder / "legajo.sqlite3"


@pytest.fixture
def data_dir(tmp_path: Path, migrated_template: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(migrated_template, folder / "legajo.sqlite3")
    return folder


class Clock:
    """A settable clock (a fake at a true boundary: time)."""

    def __init__(self) -> None:
        self.value = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, **kwargs: float) -> None:
        self.value += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def build_services(url: str, clock: Clock | None = None) -> Services:
    from archive.db.database import Database
    from archive.services.container import Services
    from archive.services.passwords import Passwords
    from archive.services.runtime import Environment, Runtime

    db = Database.open(url)
    rt = Runtime(db, Environment(host="test-host", ip="127.0.0.1"), passwords=Passwords(cheap=True), now=clock)
    return Services.build(rt)


@pytest.fixture
def services(data_dir: Path, clock: Clock) -> Iterator[Services]:
    """Services on a fresh, migrated, uninitialised SQLite database."""
    from archive.db.engine import sqlite_url

    sv = build_services(sqlite_url(data_dir), clock)
    yield sv
    sv.rt.db.close()


@pytest.fixture
def admin(services: Services) -> Actor:
    """An initialised database (entity, workstation A01, built-in roles) and its administrator."""
    from archive.services.setup import SetupRequest

    return services.setup.initialize(
        SetupRequest(
            entity_name="Alcaldía de Prueba",
            admin_username="admin",
            admin_full_name="Admin de Prueba",
            admin_password=ADMIN_PASSWORD,
        )
    )
