"""Where the central PostgreSQL is, as this workstation knows it.

The configuration (host, port, database, user, TLS mode, timeouts, sync interval) is a fact
about this database copy, so it lives in ``local_state`` under :data:`CONFIG_KEY` and never
travels. The password is never stored here: see :mod:`archive.sync.credentials`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import URL, select

from archive.db.database import Database
from archive.db.models import LocalState
from archive.db.uow import UnitOfWork
from archive.domain.errors import ValidationError
from archive.i18n import N_

CONFIG_KEY = "sync.config"
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_HOST = re.compile(r"^[A-Za-z0-9._:\-\[\]]{1,253}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$\-]{0,62}$")


@dataclass(frozen=True)
class CentralConfig:
    """How to reach the central PostgreSQL.

    Attributes:
        host: Server name or address.
        port: TCP port.
        database: Database name.
        user: PostgreSQL role of this workstation (a member of the workstation group role).
        sslmode: libpq TLS mode (``require`` or stronger on any network you do not control).
        sslrootcert: CA certificate file for ``verify-ca``/``verify-full`` (empty: libpq default).
        connect_timeout: Seconds to wait for the server before giving up (work goes on offline).
        interval_min: Minutes between automatic syncs in the application (0: only on demand).
    """

    host: str
    port: int = 5432
    database: str = "legajo"
    user: str = "legajo_ws"
    sslmode: str = "prefer"
    sslrootcert: str = ""
    connect_timeout: int = 10
    interval_min: int = 5

    def validated(self) -> CentralConfig:
        """This configuration, checked and normalised; raises :class:`ValidationError`."""
        host = self.host.strip()
        if not _HOST.match(host):
            raise ValidationError(
                "sync.config.host", N_("El servidor «{value}» no es un nombre válido."), value=self.host
            )  # fmt: skip
        if not 1 <= int(self.port) <= 65535:
            raise ValidationError(
                "sync.config.port", N_("El puerto {value} no es válido (1 a 65535)."), value=self.port
            )  # fmt: skip
        for value in (self.database, self.user):
            if not _NAME.match(value.strip()):
                raise ValidationError(
                    "sync.config.name",
                    N_("«{value}» no es un nombre válido de base de datos o de usuario."),
                    value=value,
                )
        if self.sslmode not in SSLMODES:
            raise ValidationError(
                "sync.config.sslmode",
                N_("El modo TLS «{value}» no existe; use uno de: {choices}."),
                value=self.sslmode, choices=", ".join(SSLMODES),
            )  # fmt: skip
        if not 1 <= int(self.connect_timeout) <= 300:
            raise ValidationError(
                "sync.config.timeout",
                N_("El tiempo de espera debe estar entre 1 y 300 segundos."),
            )
        if not 0 <= int(self.interval_min) <= 1440:
            raise ValidationError(
                "sync.config.interval",
                N_("El intervalo de sincronización debe estar entre 0 y 1440 minutos."),
            )
        return replace(self, host=host, database=self.database.strip(), user=self.user.strip())

    @property
    def server(self) -> str:
        """How the server is named to people and in messages (no password)."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def keyring_account(self) -> str:
        """The account name under which the password is kept in the OS keyring."""
        return self.server

    def url(self, password: str, *, application: str = "legajo") -> URL:
        """A SQLAlchemy URL (psycopg 3) for this server, with TLS and keep-alive settings."""
        query: dict[str, str] = {
            "sslmode": self.sslmode,
            "connect_timeout": str(self.connect_timeout),
            "application_name": application[:60],
            # A cut cable is noticed in seconds, not after the kernel's two hours.
            "keepalives": "1",
            "keepalives_idle": "10",
            "keepalives_interval": "5",
            "keepalives_count": "3",
        }
        if self.sslrootcert:
            query["sslrootcert"] = self.sslrootcert
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=password or None,
            host=self.host,
            port=int(self.port),
            database=self.database,
            query=query,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CentralConfig:
        data: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def load_config(db: Database) -> CentralConfig | None:
    """The stored configuration, or None when sync was never configured here."""
    text = db.local(CONFIG_KEY)
    return CentralConfig.from_json(text) if text else None


def save_config(uow: UnitOfWork, config: CentralConfig) -> None:
    """Store ``config`` in ``uow``'s transaction."""
    set_local(uow, CONFIG_KEY, config.to_json())


def set_local(uow: UnitOfWork, key: str, value: str) -> None:
    """Insert or replace one ``local_state`` value in ``uow``'s transaction."""
    row = uow.session.get(LocalState, key)
    if row is None:
        uow.session.add(LocalState(key=key, value=value))
    else:
        row.value = value


def local_values(uow: UnitOfWork, *keys: str) -> dict[str, str]:
    """The ``local_state`` values of ``keys`` that exist, read in ``uow``'s transaction."""
    rows = uow.session.execute(select(LocalState.key, LocalState.value).where(LocalState.key.in_(keys)))
    return {k: v for k, v in rows}
