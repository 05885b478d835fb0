"""Errors of the central sync, and how a database driver's failure becomes one of them.

Every failure that reaches a person says what happened in their terms (the server could not be
reached, the password was refused, the central database is older than this program…) and that
nothing was lost: local work always continues and the next sync resumes where this one stopped.
"""

from __future__ import annotations

from typing import Any

from archive.domain.errors import ConflictError, LegajoError, ValidationError
from archive.i18n import N_


class SyncError(LegajoError):
    """The central database could not be used; nothing local was changed or lost."""


class CentralUnavailable(SyncError):
    """The server did not answer or the connection broke (network, server down, cut)."""


class CentralAuthError(SyncError):
    """The server refused the user or the password."""


class CentralIncompatible(SyncError):
    """The database is not a Legajo central database, or its schema does not match ours."""


class SyncConfigError(SyncError):
    """Sync is not configured, or the configuration cannot be used as it is."""


class WorkstationCodeTaken(ValidationError):
    """Another workstation already registered this code centrally."""


class AuditChainMismatch(ConflictError):
    """The local audit chain does not continue the copy the central database holds."""


def not_configured() -> SyncConfigError:
    return SyncConfigError(
        "sync.not_configured",
        N_("La sincronización no está configurada: indique la base central con "
           "«legajo sync configure» o en Configuración → Base central."),
    )  # fmt: skip


def from_driver_error(error: BaseException, server: str, sslmode: str = "") -> SyncError:
    """A :class:`SyncError` for a failure raised by SQLAlchemy/psycopg while talking to ``server``.

    Args:
        error: The exception (SQLAlchemy wraps the driver's in ``.orig``).
        server: How to name the server to a person (``user@host:port/database``).
        sslmode: The TLS mode in use, to explain TLS failures.
    """
    orig: Any = getattr(error, "orig", None) or error
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text = " ".join(str(orig).split())
    low = text.lower()
    detail = text[:300]
    if sqlstate == "28P01" or "password authentication failed" in low or (
        "password" in low and "no password supplied" in low
    ):
        return CentralAuthError(
            "sync.auth",
            N_("La base central {server} rechazó el usuario o la contraseña. Revise la "
               "contraseña guardada («legajo sync configure» o Configuración → Base central)."),
            server=server, detail=detail,
        )  # fmt: skip
    if sqlstate in ("28000", "42501") or "no pg_hba.conf entry" in low or "permission denied" in low:
        return CentralAuthError(
            "sync.refused",
            N_("La base central {server} no permite el acceso a este usuario: {detail}"),
            server=server, detail=detail,
        )  # fmt: skip
    if sqlstate == "3D000" or ("database" in low and "does not exist" in low):
        return CentralIncompatible(
            "sync.no_database",
            N_("La base de datos indicada no existe en el servidor {server}. Revise el nombre o "
               "créela y ejecute «legajo central init»."),
            server=server,
        )  # fmt: skip
    if "ssl" in low and ("not support" in low or "certificate" in low or "ssl error" in low):
        return CentralUnavailable(
            "sync.tls",
            N_("No se pudo establecer la conexión segura (sslmode={sslmode}) con {server}: "
               "{detail}"),
            server=server, sslmode=sslmode or "?", detail=detail,
        )  # fmt: skip
    return CentralUnavailable(
        "sync.unreachable",
        N_("No se pudo comunicar con la base central {server}: {detail}. Puede seguir "
           "trabajando; los cambios se enviarán en la próxima sincronización y no se perdió "
           "nada."),
        server=server, detail=detail,
    )  # fmt: skip
