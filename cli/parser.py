"""The ``legajo`` command line: every subcommand and option, declared in one place."""

from __future__ import annotations

import argparse

from archive.i18n import _
from archive.version import APP_NAME, APP_VERSION


def build_parser() -> argparse.ArgumentParser:
    # Global options are accepted before or after the subcommand; SUPPRESS keeps a subparser
    # from overwriting a value given before it with its own default.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--data-dir", help=_("carpeta de datos (base de datos e índice)"))
    common.add_argument("--json", action="store_true", help=_("salida en JSON"))
    common.add_argument("--lang", choices=["es", "en"], help=_("idioma de los mensajes"))
    common.add_argument(
        "--user", help=_("usuario que actúa (contraseña en LEGAJO_PASSWORD o se pregunta)")
    )

    p = argparse.ArgumentParser(
        prog="legajo",
        parents=[common],
        description=_("Legajo: gestión de archivos físicos. Sin argumentos abre la aplicación."),
    )
    p.add_argument("--version", action="version", version=f"{APP_NAME} {APP_VERSION}")
    sub = p.add_subparsers(dest="command", metavar=_("comando"))

    init = sub.add_parser("init", parents=[common], help=_("inicializar la base de datos"))
    init.add_argument("--entity", required=True, help=_("nombre de la entidad (fondo)"))
    init.add_argument("--admin", required=True, help=_("usuario administrador"))
    init.add_argument("--admin-name", default="", help=_("nombre completo del administrador"))
    init.add_argument("--workstation-code", default="A01", help=_("código de 3 caracteres de esta estación"))
    init.add_argument("--workstation-name", default="", help=_("nombre de esta estación"))

    user = sub.add_parser("user", parents=[common], help=_("administrar usuarios"))
    us = user.add_subparsers(dest="action", required=True, metavar=_("acción"))
    add = us.add_parser("add", parents=[common], help=_("crear un usuario"))
    add.add_argument("username")
    add.add_argument("--name", required=True, help=_("nombre completo"))
    add.add_argument("--role", required=True, help=_("código del rol (legajo role list)"))
    add.add_argument("--dependencia", help=_("código de la dependencia"))
    add.add_argument("--email", default="")
    add.add_argument("--cargo", default="")
    us.add_parser("list", parents=[common], help=_("listar usuarios"))
    for name, helptext in (
        ("disable", _("deshabilitar un usuario")),
        ("enable", _("habilitar un usuario")),
        ("reset-password", _("asignar una contraseña temporal")),
        ("unlock", _("desbloquear una cuenta bloqueada")),
    ):
        a = us.add_parser(name, parents=[common], help=helptext)
        a.add_argument("username")
        if name == "disable":
            a.add_argument("--reason", default="", help=_("motivo (queda en la auditoría)"))

    role = sub.add_parser("role", parents=[common], help=_("roles y permisos"))
    rs = role.add_subparsers(dest="action", required=True, metavar=_("acción"))
    rs.add_parser("list", parents=[common], help=_("listar roles con sus permisos"))

    audit = sub.add_parser("audit", parents=[common], help=_("auditoría"))
    aus = audit.add_subparsers(dest="action", required=True, metavar=_("acción"))
    aus.add_parser("verify", parents=[common], help=_("verificar la cadena de integridad"))
    exp = aus.add_parser("export", parents=[common], help=_("exportar a CSV o XLSX"))
    exp.add_argument("-o", "--output", required=True, help=_("archivo .csv o .xlsx"))
    exp.add_argument("--by", dest="by_user", default="", help=_("solo este usuario"))
    exp.add_argument("--module", default="")
    exp.add_argument("--entity-type", default="")
    exp.add_argument("--from", dest="date_from", help=_("desde (dd/mm/aaaa)"))
    exp.add_argument("--to", dest="date_to", help=_("hasta (dd/mm/aaaa)"))

    demo = sub.add_parser("demo", parents=[common], help=_("cargar datos de demostración"))
    demo.add_argument("--items", type=int, default=5000, help=_("número de expedientes"))
    demo.add_argument("--seed", type=int, default=2026)

    from cli import capture, inventory, labels, loans, retention, search, sync, transfers

    for area in (inventory, retention, transfers, loans, labels, capture, search, sync):
        area.add_parsers(sub, common)
    return p


GLOBAL_DEFAULTS = {"data_dir": None, "json": False, "lang": None, "user": None, "command": None}


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; global options may stand before or after the subcommand."""
    args = build_parser().parse_args(argv)
    for key, value in GLOBAL_DEFAULTS.items():
        if not hasattr(args, key):
            setattr(args, key, value)
    return args
