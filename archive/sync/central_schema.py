"""Creating, upgrading and recognising the central database.

``legajo central init`` runs, in ONE PostgreSQL transaction (DDL is transactional there): the
workstation migration chain (every synced table exists centrally exactly as on a workstation),
the central chain (``archive/sync/central_migrations``, version table
``legajo_central_version``), the central id, and the least-privilege group role workstations
log in through. ``upgrade`` does the same on an existing central database. Before any of it the
database is recognised: a database that is not Legajo's, or that a newer Legajo made, is refused
with nothing changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, insert, inspect, select, text

from archive.db import migrate
from archive.db.types import utcnow
from archive.domain.ids import uuid7
from archive.i18n import N_
from archive.sync.central_models import CENTRAL_VERSION_TABLE, CentralBase, CentralMeta
from archive.sync.errors import CentralIncompatible
from archive.sync.tables import Catalog, default_catalog

DEFAULT_GROUP_ROLE = "legajo_estacion"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class CentralState(Enum):
    EMPTY = "empty"
    CURRENT = "current"
    OLDER = "older"
    NEWER = "newer"
    WORKSTATION = "workstation"  # a Legajo database, but not a central one
    FOREIGN = "foreign"


@dataclass(frozen=True)
class CentralInfo:
    """What a compatible central database told us about itself."""

    central_id: str
    workstation_revision: str
    central_revision: str


@dataclass(frozen=True)
class InitReport:
    """What ``central init``/``upgrade`` found and did."""

    state_before: CentralState
    central_id: str
    group_role: str
    login_created: str | None


def central_alembic_config() -> Config:
    cfg = Config()
    folder = Path(str(resources.files("archive.sync") / "central_migrations"))
    cfg.set_main_option("script_location", str(folder))
    return cfg


def central_head() -> str:
    return _chain(True)[0]


def _revision(conn: Connection, version_table: str) -> str | None:
    return MigrationContext.configure(conn, opts={"version_table": version_table}).get_current_revision()


@cache
def _chain(central: bool) -> tuple[str, frozenset[str]]:
    """Head and known revisions of a migration chain (read once: the files do not change)."""
    script = ScriptDirectory.from_config(central_alembic_config() if central else migrate.alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head, frozenset(r.revision for r in script.walk_revisions())


def _compare(current: str | None, central: bool) -> CentralState:
    head, known = _chain(central)
    if current == head:
        return CentralState.CURRENT
    if current is None or current not in known:
        return CentralState.NEWER
    return CentralState.OLDER


def _combined(ws: CentralState, central: CentralState) -> CentralState:
    if CentralState.NEWER in (ws, central):
        return CentralState.NEWER
    if CentralState.OLDER in (ws, central):
        return CentralState.OLDER
    return CentralState.CURRENT


def inspect_central(conn: Connection) -> CentralState:
    """What kind of database ``conn`` is, without changing anything."""
    tables = set(inspect(conn).get_table_names())
    if not tables:
        return CentralState.EMPTY
    if CENTRAL_VERSION_TABLE not in tables:
        return CentralState.WORKSTATION if "alembic_version" in tables else CentralState.FOREIGN
    return _combined(_compare(_revision(conn, "alembic_version"), False),
                     _compare(_revision(conn, CENTRAL_VERSION_TABLE), True))  # fmt: skip


def _display(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def check_central(conn: Connection) -> CentralInfo:
    """Make sure ``conn`` is a central database this program can sync with.

    Raises:
        CentralIncompatible: not a Legajo central database, or a schema older or newer than
            this program's (the message says which side to update).
    """
    # A few cheap queries (this runs at the start of every sync, also when there is nothing
    # to do): no reflection of the whole catalogue.
    present = conn.execute(text(
        f"SELECT to_regclass('{CENTRAL_VERSION_TABLE}') IS NOT NULL, to_regclass('alembic_version') IS NOT NULL"
    )).one()  # fmt: skip
    if not present[0] or not present[1]:
        raise CentralIncompatible(
            "sync.not_central",
            N_("{server} no es una base central de Legajo (falta «legajo central init»); no se "
               "modificó nada."),
            server=_display(conn),
        )  # fmt: skip
    ws_rev = conn.scalar(text("SELECT version_num FROM alembic_version"))
    central_rev = conn.scalar(text(f"SELECT version_num FROM {CENTRAL_VERSION_TABLE}"))
    state = _combined(_compare(ws_rev, False), _compare(central_rev, True))
    if state is CentralState.NEWER:
        raise CentralIncompatible(
            "sync.central_newer",
            N_("La base central {server} fue actualizada por una versión más reciente de Legajo. "
               "Actualice Legajo en esta estación para sincronizar; no se modificó nada."),
            server=_display(conn),
        )  # fmt: skip
    if state is CentralState.OLDER:
        raise CentralIncompatible(
            "sync.central_older",
            N_("Esta estación usa un esquema más reciente que la base central {server}. El "
               "administrador debe ejecutar «legajo central upgrade»; mientras tanto se sigue "
               "trabajando sin sincronizar y no se modificó nada."),
            server=_display(conn),
        )  # fmt: skip
    central_id = conn.scalar(select(CentralMeta.value).where(CentralMeta.key == "central_id"))
    return CentralInfo(central_id or "", str(ws_rev), str(central_rev))


def _check_role_name(name: str) -> str:
    if not _ROLE.match(name):
        raise CentralIncompatible(
            "central.role_name",
            N_("«{name}» no es un nombre de rol válido (minúsculas, dígitos y _)."),
            name=name,
        )
    return name


def init_central(
    engine: Engine,
    *,
    upgrade_only: bool = False,
    group_role: str = DEFAULT_GROUP_ROLE,
    login: tuple[str, str] | None = None,
    catalog: Catalog | None = None,
) -> InitReport:
    """Create (or, with ``upgrade_only``, migrate) the central schema in one transaction.

    Args:
        engine: An engine connected as the database owner (or a superuser).
        upgrade_only: Refuse a database that is not already a central one.
        group_role: The NOLOGIN role that holds the workstations' privileges.
        login: ``(name, password)`` of a LOGIN role to create as a member of ``group_role``.
        catalog: The synced tables (default: Legajo's).

    Raises:
        CentralIncompatible: the database is not Legajo's, a workstation database, or newer.
    """
    group_role = _check_role_name(group_role)
    if login is not None:
        _check_role_name(login[0])
    with engine.begin() as conn:
        state = inspect_central(conn)
        if state is CentralState.NEWER:
            raise CentralIncompatible(
                "central.newer",
                N_("La base central {server} fue creada por una versión más reciente de Legajo; "
                   "no se modificó nada."),
                server=_display(conn),
            )  # fmt: skip
        if state in (CentralState.FOREIGN, CentralState.WORKSTATION) or (
            upgrade_only and state is CentralState.EMPTY
        ):
            raise CentralIncompatible(
                "central.foreign",
                N_("{server} no es una base central de Legajo (tiene otras tablas o está vacía); "
                   "no se modificó nada. Use una base de datos nueva con «legajo central init»."),
                server=_display(conn),
            )  # fmt: skip
        for cfg in (migrate.alembic_config(), central_alembic_config()):
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        central_id = conn.scalar(select(CentralMeta.value).where(CentralMeta.key == "central_id"))
        if central_id is None:
            central_id = uuid7()
            conn.execute(
                insert(CentralMeta),
                [{"key": "central_id", "value": central_id},
                 {"key": "created_at", "value": utcnow().isoformat()}],
            )  # fmt: skip
        grant_workstation_role(conn, group_role, catalog or default_catalog())
        created = None
        if login is not None:
            created = _create_login(conn, login[0], login[1], group_role)
    return InitReport(state, central_id, group_role, created)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _role_exists(conn: Connection, name: str) -> bool:
    return bool(conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}))


def grant_workstation_role(conn: Connection, role: str, catalog: Catalog) -> None:
    """Create ``role`` (NOLOGIN) if needed and grant it exactly what a workstation needs.

    Synced tables: read, insert, update (no delete: archival rows are soft-deleted). Audit:
    read and append only (no update, no delete: the copy of every chain stays verifiable).
    Central tables: append to ``sync_change``; read/insert/update clocks and the registry;
    read ``sync_meta`` and the version tables. Nothing else: no DDL, no other tables.
    """
    q = _quote(conn, role)
    if not _role_exists(conn, role):
        conn.exec_driver_sql(f"CREATE ROLE {q} NOLOGIN")
    database = conn.scalar(text("SELECT current_database()"))
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_quote(conn, str(database))} TO {q}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {q}")
    for t in catalog.ordered:
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON {_quote(conn, t.name)} TO {q}")
    conn.exec_driver_sql(f"GRANT SELECT, INSERT ON audit_log TO {q}")
    conn.exec_driver_sql(f"GRANT SELECT, INSERT ON sync_change TO {q}")
    conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON sync_row_clock, sync_workstation TO {q}")
    conn.exec_driver_sql(f"GRANT SELECT ON sync_meta, alembic_version, {CENTRAL_VERSION_TABLE} TO {q}")
    assert set(CentralBase.metadata.tables) == {"sync_change", "sync_row_clock", "sync_workstation", "sync_meta"}


def _create_login(conn: Connection, name: str, password: str, group_role: str) -> str:
    literal = "'" + password.replace("'", "''") + "'"
    q = _quote(conn, name)
    if _role_exists(conn, name):
        conn.exec_driver_sql(f"ALTER ROLE {q} LOGIN PASSWORD {literal}")
    else:
        conn.exec_driver_sql(f"CREATE ROLE {q} LOGIN PASSWORD {literal}")
    conn.exec_driver_sql(f"GRANT {_quote(conn, group_role)} TO {q}")
    return name
