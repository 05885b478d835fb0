"""Schema management through Alembic, on SQLite and PostgreSQL alike.

The program migrates on start (:func:`upgrade`) and refuses a database whose revision it does not
know (made by a newer Legajo) or that is not Legajo's at all (:func:`check`).
"""

from __future__ import annotations

import sqlite3
from enum import Enum
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError

from archive.domain.errors import DatabaseError
from archive.i18n import N_


class SchemaState(Enum):
    EMPTY = "empty"
    CURRENT = "current"
    OLDER = "older"
    NEWER = "newer"
    FOREIGN = "foreign"


def _script_location() -> Path:
    return Path(str(resources.files("archive.db") / "migrations"))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_script_location()))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def check(engine: Engine) -> SchemaState:
    """What state the database's schema is in, without changing anything."""
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            current = MigrationContext.configure(conn).get_current_revision()
    except (SADatabaseError, OperationalError) as e:
        raise unusable(engine, e) from e
    if not tables:
        return SchemaState.EMPTY
    if current is None:
        return SchemaState.FOREIGN
    script = ScriptDirectory.from_config(alembic_config())
    if current == script.get_current_head():
        return SchemaState.CURRENT
    try:
        script.get_revision(current)
    except Exception:  # alembic raises several kinds for an unknown revision
        return SchemaState.NEWER
    return SchemaState.OLDER


#: The oldest SQLite that runs Legajo: migration 0008 drops columns in place (3.35) and bulk
#: jobs update through ``UPDATE ... FROM`` (3.33).
MIN_SQLITE = (3, 35, 0)


def upgrade(engine: Engine) -> SchemaState:
    """Bring the schema to this program's head; refuse newer and foreign databases.

    Returns the state found before upgrading.
    """
    if engine.dialect.name == "sqlite" and sqlite3.sqlite_version_info < MIN_SQLITE:
        raise DatabaseError(
            "db.sqlite_old",
            N_("Esta instalación usa SQLite {found}; Legajo necesita SQLite {needed} o posterior. "
               "Actualice el sistema o instale el paquete oficial de Legajo; no se modificó nada."),
            found=sqlite3.sqlite_version,
            needed=".".join(map(str, MIN_SQLITE)),
        )  # fmt: skip
    state = check(engine)
    if state is SchemaState.NEWER:
        raise DatabaseError(
            "db.newer",
            N_(
                "La base de datos {url} fue creada por una versión más reciente de Legajo. "
                "Actualice el programa; no se modificó nada."
            ),
            url=_display(engine),
        )
    if state is SchemaState.FOREIGN:
        raise DatabaseError(
            "db.foreign",
            N_("{url} no es una base de datos de Legajo; no se modificó nada."),
            url=_display(engine),
        )
    if state is not SchemaState.CURRENT:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    return state


def unusable(engine: Engine, error: Exception) -> DatabaseError:
    return DatabaseError(
        "db.unusable",
        N_(
            "No se puede abrir la base de datos {url}: el archivo está dañado o no es una base "
            "de datos. Restaure una copia de seguridad. Detalle: {detail}"
        ),
        url=_display(engine),
        detail=str(getattr(error, "orig", error)),
    )


def _display(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)
