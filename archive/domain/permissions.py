"""The permission catalogue and the built-in roles' default matrix.

Roles are data (editable by an administrator); this module declares which permissions exist and
what the built-in roles start with. Services check permissions (``Runtime.uow``), the GUI only
reflects them.
"""

from __future__ import annotations

from enum import StrEnum

from archive.i18n import N_


class Permission(StrEnum):
    USERS_MANAGE = "users.manage"
    ROLES_MANAGE = "roles.manage"
    ORG_MANAGE = "org.manage"
    PARAMETERS_MANAGE = "parameters.manage"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    DEMO_LOAD = "demo.load"
    RECORDS_VIEW = "records.view"
    RECORDS_EDIT = "records.edit"
    INVENTORY_MOVE = "inventory.move"
    INVENTORY_COUNT = "inventory.count"
    RETENTION_MANAGE = "retention.manage"
    TRANSFERS_MANAGE = "transfers.manage"
    ELIMINATION_MANAGE = "elimination.manage"
    LOANS_REQUEST = "loans.request"
    LOANS_MANAGE = "loans.manage"
    LABELS_PRINT = "labels.print"
    SYNC_MANAGE = "sync.manage"


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.USERS_MANAGE: N_("Administrar usuarios"),
    Permission.ROLES_MANAGE: N_("Administrar roles y permisos"),
    Permission.ORG_MANAGE: N_("Administrar entidad, dependencias y estaciones"),
    Permission.PARAMETERS_MANAGE: N_("Modificar parámetros de la entidad"),
    Permission.AUDIT_VIEW: N_("Consultar la auditoría"),
    Permission.AUDIT_EXPORT: N_("Exportar y verificar la auditoría"),
    Permission.DEMO_LOAD: N_("Cargar datos de demostración"),
    Permission.RECORDS_VIEW: N_("Consultar expedientes y unidades"),
    Permission.RECORDS_EDIT: N_("Registrar y editar expedientes y unidades"),
    Permission.INVENTORY_MOVE: N_("Mover unidades"),
    Permission.INVENTORY_COUNT: N_("Realizar conteos de inventario"),
    Permission.RETENTION_MANAGE: N_("Administrar TRD y TVD"),
    Permission.TRANSFERS_MANAGE: N_("Gestionar transferencias"),
    Permission.ELIMINATION_MANAGE: N_("Gestionar eliminaciones"),
    Permission.LOANS_REQUEST: N_("Solicitar préstamos"),
    Permission.LOANS_MANAGE: N_("Gestionar préstamos"),
    Permission.LABELS_PRINT: N_("Imprimir rótulos"),
    Permission.SYNC_MANAGE: N_("Configurar la sincronización"),
}

ADMIN_ROLE = "administrador"

_ALL = frozenset(Permission)
_VIEW = frozenset({Permission.RECORDS_VIEW})
_CLERK = _VIEW | {
    Permission.RECORDS_EDIT,
    Permission.INVENTORY_MOVE,
    Permission.INVENTORY_COUNT,
    Permission.LOANS_REQUEST,
    Permission.LOANS_MANAGE,
    Permission.LABELS_PRINT,
}
_HEAD = _CLERK | {
    Permission.AUDIT_VIEW,
    Permission.AUDIT_EXPORT,
    Permission.RETENTION_MANAGE,
    Permission.TRANSFERS_MANAGE,
    Permission.ELIMINATION_MANAGE,
    Permission.ORG_MANAGE,
    Permission.PARAMETERS_MANAGE,
}

#: code -> (name, description, permissions, own_dependencia_only)
BUILTIN_ROLES: dict[str, tuple[str, str, frozenset[Permission], bool]] = {
    ADMIN_ROLE: (N_("Administrador"), N_("Todos los permisos del sistema."), _ALL, False),
    "jefe_archivo": (
        N_("Jefe de archivo"),
        N_("Dirige el archivo: TRD/TVD, transferencias, eliminaciones y auditoría."),
        frozenset(_HEAD),
        False,
    ),
    "auxiliar_archivo": (
        N_("Auxiliar de archivo"),
        N_("Registra, rotula, mueve, cuenta y presta unidades."),
        frozenset(_CLERK),
        False,
    ),
    "consulta": (N_("Consulta"), N_("Solo lectura."), _VIEW, False),
    "usuario_dependencia": (
        N_("Usuario de dependencia"),
        N_("Consulta y solicita préstamos solo de su propia dependencia."),
        frozenset(_VIEW | {Permission.LOANS_REQUEST}),
        True,
    ),
}
