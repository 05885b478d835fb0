"""CLI subcommands: thin wrappers over the services (DESIGN.md §8)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from archive.domain.errors import AuthenticationError, ValidationError
from archive.domain.permissions import PERMISSION_LABELS, Permission
from archive.domain.timefmt import parse_date
from archive.i18n import N_, _
from archive.services.audit import AuditFilter
from archive.services.container import Services
from archive.services.runtime import Actor
from archive.services.setup import SetupRequest
from cli.output import TtyProgress, emit_json, emit_table

Handler = Callable[[Services, argparse.Namespace], int]


def read_password(prompt: str, *, confirm: bool = False) -> str:
    """The password from LEGAJO_PASSWORD, or asked on the terminal (never echoed)."""
    env = os.environ.get("LEGAJO_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        raise AuthenticationError(
            "cli.no_password",
            N_("Falta la contraseña: defina LEGAJO_PASSWORD o ejecute el comando en una terminal."),
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repita la contraseña: ")) != first:
        raise ValidationError("cli.password_mismatch", N_("Las contraseñas no coinciden."))
    return first


def login(sv: Services, args: argparse.Namespace) -> Actor:
    username = args.user or os.environ.get("LEGAJO_USER")
    if not username:
        raise AuthenticationError(
            "cli.no_user", N_("Indique el usuario que actúa con --user (o LEGAJO_USER).")
        )
    actor = sv.auth.login(username, read_password(_("Contraseña de {user}: ").format(user=username)))
    if actor.must_change_password:
        raise AuthenticationError(
            "auth.must_change",
            N_("El usuario {username} debe cambiar su contraseña temporal en la aplicación antes de usar la línea de comandos."),
            username=actor.username,
        )
    return actor


def cmd_init(sv: Services, args: argparse.Namespace) -> int:
    password = read_password(_("Contraseña del administrador: "), confirm=True)
    sv.setup.initialize(
        SetupRequest(
            entity_name=args.entity, admin_username=args.admin,
            admin_full_name=args.admin_name or args.admin, admin_password=password,
            workstation_code=args.workstation_code, workstation_name=args.workstation_name,
        )
    )  # fmt: skip
    if args.json:
        emit_json({"initialized": True, "admin": args.admin.lower(), "workstation": args.workstation_code.upper()})
    else:
        print(_("Base de datos inicializada. Inicie sesión como «{user}».").format(user=args.admin.lower()))
    return 0


def cmd_user(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "list":
        users = sv.users.list(actor)
        if args.json:
            emit_json(users)
        else:
            emit_table(
                [_("Usuario"), _("Nombre"), _("Rol"), _("Dependencia"), _("Deshabilitado"), _("Último ingreso")],
                [(u.username, u.full_name, _(u.role_name), u.dependencia_code, u.disabled, u.last_login_at) for u in users],
            )  # fmt: skip
        return 0
    if args.action == "add":
        result = sv.users.add(
            actor, username=args.username, full_name=args.name, role_code=args.role,
            dependencia_code=args.dependencia, email=args.email, cargo=args.cargo,
        )  # fmt: skip
        temp = result.temporary_password
        if args.json:
            emit_json({"user": result.user, "temporary_password": temp})
        else:
            print(_("Usuario «{user}» creado. Contraseña temporal (cámbiela al ingresar): {pw}").format(user=result.user.username, pw=temp))
        return 0
    if args.action in ("disable", "enable"):
        sv.users.set_disabled(actor, args.username, args.action == "disable", getattr(args, "reason", ""))
        _done(args, {"username": args.username, "disabled": args.action == "disable"})
        return 0
    if args.action == "reset-password":
        temp = sv.users.reset_password(actor, args.username)
        if args.json:
            emit_json({"username": args.username, "temporary_password": temp})
        else:
            print(_("Nueva contraseña temporal de «{user}»: {pw}").format(user=args.username, pw=temp))
        return 0
    sv.users.unlock(actor, args.username)
    _done(args, {"username": args.username, "unlocked": True})
    return 0


def cmd_role(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    roles = sv.roles.list(actor)
    if args.json:
        emit_json(roles)
        return 0
    for r in roles:
        print(f"{r.code} — {_(r.name)} ({_('{n} usuarios').format(n=r.users)})")
        for p in Permission:
            if p.value in r.permissions:
                print(f"    {p.value:22} {_(PERMISSION_LABELS[p])}")
    return 0


def cmd_audit(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "verify":
        report = sv.audit.verify(actor)
        if args.json:
            emit_json({"ok": report.ok, "rows": report.rows, "chains": report.chains,
                       "problems": report.problems})  # fmt: skip
        elif report.ok:
            print(_("Auditoría íntegra: {rows} registros en {chains} cadenas verificadas.").format(rows=report.rows, chains=report.chains))
        else:
            kinds = {"hash": _("registro modificado"), "link": _("registro eliminado o reordenado"),
                     "gap": _("falta un registro")}  # fmt: skip
            print(_("¡La auditoría fue alterada! {n} problemas:").format(n=len(report.problems)), file=sys.stderr)
            for p in report.problems:
                print(f"  {p.workstation} #{p.chain_seq}: {kinds[p.kind]}", file=sys.stderr)
        return 0 if report.ok else 3
    try:
        date_from = parse_date(args.date_from) if args.date_from else None
        date_to = parse_date(args.date_to) if args.date_to else None
    except ValueError:
        raise ValidationError("cli.date", N_("Fecha inválida: use dd/mm/aaaa.")) from None
    f = AuditFilter(username=args.by_user, module=args.module, entity=args.entity_type,
                    date_from=date_from, date_to=date_to)  # fmt: skip
    count = sv.audit.export(actor, f, Path(args.output), progress=TtyProgress())
    _done(args, {"file": args.output, "rows": count}, _("{n} registros exportados a {file}.").format(n=count, file=args.output))
    return 0


def cmd_demo(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args) if sv.setup.is_initialized() else None
    result = sv.demo.generate(actor, args.items, seed=args.seed, progress=TtyProgress())
    if args.json:
        emit_json({"expedientes": result.expedientes, "users": result.users, "password": result.password})
        return 0
    print(_("Datos de demostración cargados: {n} expedientes en {d} dependencias.").format(n=result.expedientes, d=result.dependencias))
    if result.password:
        print(_("Inicie sesión como «admin» (o jefe, auxiliar, consulta, hacienda) con la contraseña {pw}").format(pw=result.password))
    return 0


def _done(args: argparse.Namespace, data: dict[str, object], text: str | None = None) -> None:
    if args.json:
        emit_json(data)
    else:
        print(text or _("Hecho."))


def all_commands() -> dict[str, Handler]:
    from cli import capture, inventory, labels, loans, retention, search, sync, transfers

    out = dict(COMMANDS)
    for area in (inventory, retention, transfers, loans, labels, capture, search, sync):
        out |= area.COMMANDS
    return out


COMMANDS: dict[str, Handler] = {
    "init": cmd_init,
    "user": cmd_user,
    "role": cmd_role,
    "audit": cmd_audit,
    "demo": cmd_demo,
}
