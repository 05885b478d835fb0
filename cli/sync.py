"""CLI for central sync (workstations) and the central database (IT administrators).

``legajo sync [--once|--watch]`` is the scheduled job (cron, Task Scheduler): it needs no Legajo
user, only the central password (OS keyring, or ``LEGAJO_CENTRAL_PASSWORD``). ``sync configure``,
``sync register``, ``sync conflicts`` and ``sync resolve`` act as a user with ``sync.manage``
(except configure/register on an empty workstation that is joining). ``central init|upgrade``
connect as the central database's owner (password from ``LEGAJO_CENTRAL_PASSWORD`` or asked).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from archive.db.database import Database
from archive.db.engine import make_engine
from archive.db.uow import UnitOfWork
from archive.domain.errors import ValidationError
from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _, render_error
from archive.services.audit_log import verify_chain
from archive.services.container import Services
from archive.sync.central_schema import DEFAULT_GROUP_ROLE, init_central
from archive.sync.config import SSLMODES, CentralConfig
from archive.sync.conflicts import Choice, VersionView
from archive.sync.credentials import ENV_VAR
from archive.sync.errors import SyncConfigError, SyncError, from_driver_error
from archive.sync.service import SyncReport, SyncService
from cli.commands import Handler, login
from cli.output import TtyProgress, emit_json, emit_table

LOGIN_PASSWORD_ENV = "LEGAJO_WORKSTATION_PASSWORD"


def _connection_args(p: argparse.ArgumentParser, *, default_user: str, required: bool) -> None:
    p.add_argument("--host", required=required, help=_("servidor PostgreSQL central"))
    p.add_argument("--port", type=int, default=5432)
    p.add_argument("--database", default="legajo", help=_("base de datos central"))
    p.add_argument("--db-user", default=default_user, help=_("usuario de PostgreSQL"))
    p.add_argument("--sslmode", choices=SSLMODES, default="prefer", help=_("modo TLS (use require o verify-full en redes ajenas)"))
    p.add_argument("--sslrootcert", default="", help=_("certificado de la autoridad (verify-ca, verify-full)"))
    p.add_argument("--timeout", type=int, default=10, help=_("segundos de espera al conectar"))


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    sync = sub.add_parser("sync", parents=[common], help=_("sincronización con la base central"))
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help=_("sincronizar una vez (por omisión)"))
    mode.add_argument("--watch", action="store_true", help=_("sincronizar cada cierto tiempo hasta Ctrl+C"))
    sync.add_argument("--interval", type=float, help=_("minutos entre sincronizaciones con --watch"))
    ss = sync.add_subparsers(dest="action", metavar=_("acción"))
    ss.add_parser("status", parents=[common], help=_("estado de la sincronización (sin red)"))
    cf = ss.add_parser("configure", parents=[common], help=_("indicar la base central y guardar su contraseña"))
    _connection_args(cf, default_user="legajo_ws", required=True)
    cf.add_argument("--interval-min", type=int, default=5, help=_("minutos entre sincronizaciones automáticas"))
    cf.add_argument("--no-check", action="store_true", help=_("no probar la conexión"))
    rg = ss.add_parser("register", parents=[common], help=_("registrar esta estación (una estación vacía carga todos los datos)"))
    rg.add_argument("--code", help=_("código de 3 caracteres (solo una estación nueva)"))
    rg.add_argument("--name", default="", help=_("nombre de la estación"))
    cl = ss.add_parser("conflicts", parents=[common], help=_("conflictos por resolver"))
    cl.add_argument("--all", action="store_true", help=_("incluir los resueltos"))
    rs = ss.add_parser("resolve", parents=[common], help=_("resolver un conflicto"))
    rs.add_argument("conflict", help=_("id del conflicto (o su comienzo)"))
    rs.add_argument("--pick", choices=["left", "right"], help=_("la misma versión para todos los campos"))
    rs.add_argument("--field", action="append", default=[], metavar="CAMPO=left|right|value:TEXTO")
    rs.add_argument("--note", default="", help=_("motivo (queda en la auditoría)"))

    central = sub.add_parser("central", parents=[common], help=_("base central PostgreSQL (administrador)"))
    cs = central.add_subparsers(dest="action", required=True, metavar=_("acción"))
    for name, helptext in (("init", _("crear el esquema central y el rol de las estaciones")),
                           ("upgrade", _("actualizar el esquema central"))):  # fmt: skip
        p = cs.add_parser(name, parents=[common], help=helptext)
        _connection_args(p, default_user="postgres", required=True)
        p.add_argument("--workstation-role", default=DEFAULT_GROUP_ROLE, help=_("rol de grupo (sin login) de las estaciones"))
        p.add_argument("--workstation-login", help=_("crear también este usuario con login, miembro del rol (contraseña en LEGAJO_WORKSTATION_PASSWORD o se pregunta)"))
    va = cs.add_parser("verify-audit", parents=[common], help=_("verificar las cadenas de auditoría copiadas"))
    _connection_args(va, default_user="postgres", required=True)


def _config(args: argparse.Namespace, interval: int = 5) -> CentralConfig:
    return CentralConfig(host=args.host, port=args.port, database=args.database, user=args.db_user,
                         sslmode=args.sslmode, sslrootcert=args.sslrootcert, connect_timeout=args.timeout,
                         interval_min=interval).validated()  # fmt: skip


def _secret(env: str, prompt: str, *, confirm: bool = False, required: bool = True) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        if not required:
            return None
        raise SyncConfigError(
            "cli.no_secret", N_("Falta la contraseña: defina {env} o ejecute el comando en una terminal."), env=env
        )  # fmt: skip
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repita la contraseña: ")) != first:
        raise ValidationError("cli.password_mismatch", N_("Las contraseñas no coinciden."))
    return first


def _report_text(r: SyncReport) -> str:
    text = _("Sincronizado: {pushed} cambios enviados, {pulled} recibidos, {audit} registros de auditoría ({s:.1f} s).").format(
        pushed=r.pushed, pulled=r.pulled, audit=r.audit, s=r.seconds)  # fmt: skip
    if r.conflicts:
        text += " " + _("{n} conflictos nuevos: revíselos con «legajo sync conflicts».").format(n=r.conflicts)
    return text


def cmd_sync(sv: Services, args: argparse.Namespace) -> int:
    service = SyncService(sv.rt)
    try:
        handler = {
            None: _run, "status": _status, "configure": _configure, "register": _register,
            "conflicts": _conflicts, "resolve": _resolve,
        }[args.action]  # fmt: skip
        return handler(service, sv, args)
    finally:
        service.close()


def _run(service: SyncService, sv: Services, args: argparse.Namespace) -> int:
    if not args.watch:
        report = service.sync_once(progress=TtyProgress())
        if args.json:
            emit_json(report)
        else:
            print(_report_text(report))
        return 0
    config = service.config()
    minutes = args.interval or (config.interval_min if config else 5) or 5
    while True:
        try:
            report = service.sync_once()
            if args.json:
                print(json.dumps(asdict(report)), flush=True)
            else:
                print(f"{format_datetime(datetime.now(UTC))} {_report_text(report)}", flush=True)
        except SyncError as e:  # the network comes and goes: report and keep watching
            print(_("Error: {message}").format(message=render_error(e)), file=sys.stderr, flush=True)
        time.sleep(max(1.0, minutes * 60))


def _status(service: SyncService, sv: Services, args: argparse.Namespace) -> int:
    st = service.status()
    if args.json:
        data = st.__dict__ | {"last_error": render_error(st.last_error) if st.last_error else None}
        emit_json(data)
        return 0
    if not st.configured:
        print(_("La sincronización no está configurada (legajo sync configure)."))
        return 0
    rows = [
        (_("Base central"), st.server),
        (_("Estación"), st.workstation or "—"),
        (_("Registrada"), st.registered),
        (_("Última sincronización"), st.last_ok or _("nunca")),
        (_("Último intento"), st.last_attempt or _("nunca")),
        (_("Cambios por enviar"), st.pending_changes),
        (_("Registros de auditoría por enviar"), st.pending_audit),
        (_("Conflictos por resolver"), st.open_conflicts),
    ]
    emit_table([_("Dato"), _("Valor")], rows)
    if st.last_error:
        print(_("Último error: {message}").format(message=render_error(st.last_error)))
    return 0


def _configure(service: SyncService, sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args) if service.initialized() else None
    config = _config(args, args.interval_min)
    password = _secret(ENV_VAR, _("Contraseña de {server}: ").format(server=config.server), required=False)
    result = service.configure(actor, config, password)
    if result.stored_in_keyring:
        message = _("Configuración guardada; la contraseña quedó en el llavero del sistema.")
    elif result.keyring_available:
        message = _("Configuración guardada. No se indicó contraseña: guárdela de nuevo o defina {env}.").format(env=ENV_VAR)
    else:
        message = _("Configuración guardada. Este equipo no tiene llavero del sistema: la tarea programada debe definir {env} (la contraseña nunca se guarda en texto plano).").format(env=ENV_VAR)
    if not args.no_check and password:
        service.test_connection(config, password)
        message += " " + _("Conexión comprobada.")
    if args.json:
        emit_json({"server": config.server, "keyring": result.stored_in_keyring})
    else:
        print(message)
    return 0


def _register(service: SyncService, sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args) if service.initialized() else None
    result = service.register(actor, code=args.code, name=args.name, progress=TtyProgress())
    if args.json:
        emit_json(result)
    elif result.bootstrapped_rows:
        print(_("Estación {code} registrada; se cargaron {n} registros de la base central.").format(code=result.code, n=result.bootstrapped_rows))
    else:
        print(_("Estación {code} registrada en la base central.").format(code=result.code))
    return 0


def _conflicts(service: SyncService, sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    items = service.conflicts.list(actor, include_resolved=args.all)
    if args.json:
        emit_json(items)
        return 0

    def side(v: VersionView) -> str:
        values = ", ".join(f"{k}={t}" for k, t in v.display.items())
        return f"{values} ({v.origin}/{v.username or '—'})"

    emit_table(
        [_("Id"), _("Tipo"), _("Registro"), _("Izquierda (vigente)"), _("Derecha (entrante)"), _("Estado")],
        [(c.id[-8:], _(c.kind_label), f"{c.table} {c.row_label}", side(c.left), side(c.right), c.state) for c in items],
    )  # fmt: skip
    return 0


def _resolve(service: SyncService, sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    matches = [c for c in service.conflicts.list(actor) if c.id == args.conflict or c.id.endswith(args.conflict)]
    if len(matches) != 1:
        raise ValidationError("cli.conflict", N_("No hay un único conflicto abierto que corresponda a «{ref}»."), ref=args.conflict)
    conflict = matches[0]
    choices = {f: Choice(args.pick) for f in conflict.fields} if args.pick else {}
    for spec in args.field:
        name, _sep, what = spec.partition("=")
        if what.startswith("value:"):
            choices[name] = Choice("value", what[len("value:"):])
        else:
            choices[name] = Choice(what)
    changes = service.conflicts.resolve(actor, conflict.id, choices, note=args.note)
    if args.json:
        emit_json({"conflict": conflict.id, "resolved": True, "changes": changes})
    else:
        print(_("Conflicto resuelto; la decisión quedó en la auditoría y se enviará en la próxima sincronización."))
    return 0


def cmd_central(sv: Services, args: argparse.Namespace) -> int:
    config = _config(args)
    password = _secret(ENV_VAR, _("Contraseña de {server}: ").format(server=config.server)) or ""
    engine = create_engine(config.url(password, application="legajo central"), poolclass=NullPool)
    try:
        if args.action == "verify-audit":
            return _verify(engine, args)
        login_spec = None
        if args.workstation_login:
            secret = _secret(LOGIN_PASSWORD_ENV, _("Contraseña para {user}: ").format(user=args.workstation_login), confirm=True)
            login_spec = (args.workstation_login, secret or "")
        try:
            report = init_central(engine, upgrade_only=args.action == "upgrade",
                                  group_role=args.workstation_role, login=login_spec)  # fmt: skip
        except DBAPIError as e:
            raise from_driver_error(e, config.server, config.sslmode) from e
    finally:
        engine.dispose()
    if args.json:
        emit_json(asdict(report) | {"state_before": report.state_before.value})
    else:
        print(_("Base central lista ({state}): id {id}, rol de estaciones «{role}».").format(
            state=report.state_before.value, id=report.central_id, role=report.group_role))  # fmt: skip
        if report.login_created:
            print(_("Usuario «{user}» con acceso de estación creado.").format(user=report.login_created))
    return 0


def _verify(engine: object, args: argparse.Namespace) -> int:
    db = Database(make_engine(engine.url.render_as_string(hide_password=False)))  # type: ignore[attr-defined]
    try:
        with UnitOfWork(db.sessions, None, write=False) as uow:
            report = verify_chain(uow)
    except DBAPIError as e:
        raise SyncError("sync.central_error", N_("La base central respondió con un error: {detail}"), detail=str(e.orig)[:300]) from e
    finally:
        db.close()
    if args.json:
        emit_json({"ok": report.ok, "rows": report.rows, "chains": report.chains, "problems": report.problems})
    elif report.ok:
        print(_("Auditoría central íntegra: {rows} registros en {chains} cadenas verificadas.").format(rows=report.rows, chains=report.chains))
    else:
        print(_("¡La auditoría central fue alterada! {n} problemas.").format(n=len(report.problems)), file=sys.stderr)
        for p in report.problems:
            print(f"  {p.workstation} #{p.chain_seq}: {p.kind}", file=sys.stderr)
    return 0 if report.ok else 3


COMMANDS: dict[str, Handler] = {"sync": cmd_sync, "central": cmd_central}
