"""Test configuration shared by every tier.

- Qt runs offscreen; the language is Spanish unless a test switches it.
- ``pg_url``: a throw-away PostgreSQL database for this test session, created on the server at
  ``LEGAJO_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped
  at the end. Tests marked ``pg`` use it; they fail (not skip) when the server does not answer,
  because the README's test command starts one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LEGAJO_ARGON2_TEST_PARAMS", "1")

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
