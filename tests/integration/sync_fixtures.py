"""Fixtures of the sync tests (load with ``pytest_plugins = ["tests.integration.sync_fixtures"]``):
``central_template`` (a central database initialised once per session), ``central`` (a copy of
it per test) and ``stations`` (workstations against that copy). Helpers: ``sync_helpers``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from archive.sync.central_schema import init_central
from tests.integration.sync_helpers import (
    Central,
    Stations,
    admin_conninfo,
    create_database,
    drop_database,
)


@pytest.fixture(scope="session")
def central_template(pg_server_url: str) -> Iterator[str]:
    """A central database made once per session with ``init_central``; tests copy it."""
    name = f"legajo_sync_tpl_{uuid.uuid4().hex[:10]}"
    url = create_database(pg_server_url, name)
    engine = create_engine(url, poolclass=NullPool)
    init_central(engine)
    engine.dispose()
    with psycopg.connect(admin_conninfo(pg_server_url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
    yield name
    drop_database(pg_server_url, name, template=True)


@pytest.fixture
def central(pg_server_url: str, central_template: str) -> Iterator[Central]:
    name = f"legajo_sync_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server_url, name, template=central_template)
    yield Central(url, pg_server_url, name)
    drop_database(pg_server_url, name)


@pytest.fixture
def stations(tmp_path: Path, migrated_template: Path, central: Central) -> Iterator[Stations]:
    made = Stations(tmp_path, migrated_template, central)
    yield made
    made.close()

