"""CLI for retention: TRD import/export, TVD import, due-date recomputation, due lists, holds."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from archive.domain.errors import ValidationError
from archive.domain.timefmt import parse_date
from archive.i18n import N_, _
from archive.services.container import Services
from archive.services.holds import HoldInput
from archive.services.retention import DueFilter
from archive.services.trd import TrdApproval
from archive.services.tvd import TvdInput
from cli.commands import Handler, _done, login
from cli.output import TtyProgress, emit_json, emit_table


def _date(text: str) -> date:
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(_("fecha no válida (use dd/mm/aaaa): {v}").format(v=text))
    return value


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    trd = sub.add_parser("trd", parents=[common], help=_("tablas de retención documental"))
    ts = trd.add_subparsers(dest="action", required=True, metavar=_("acción"))
    im = ts.add_parser("import", parents=[common], help=_("importar una TRD (XLSX o CSV)"))
    im.add_argument("file")
    im.add_argument("--dependencia", help=_("código de la dependencia si el archivo no lo dice"))
    im.add_argument(
        "--mask", help=_("máscara del código, p. ej. dp-ss.sb (por defecto la de la entidad)")
    )
    im.add_argument("--sheet", help=_("hoja del libro XLSX"))
    im.add_argument(
        "--valid-from", type=_date, help=_("vigente desde (dd/mm/aaaa; por defecto hoy)")
    )
    im.add_argument("--act", default="", help=_("acto administrativo de adopción"))
    im.add_argument("--approved-on", type=_date, help=_("fecha de aprobación (dd/mm/aaaa)"))
    im.add_argument("--convalidated-on", type=_date, help=_("fecha de convalidación (dd/mm/aaaa)"))
    im.add_argument("--rusd", default="", help=_("certificado de inscripción en el RUSD"))
    im.add_argument("--dry-run", action="store_true", help=_("solo validar, sin guardar"))
    ex = ts.add_parser(
        "export", parents=[common], help=_("exportar la TRD en formato AGN (PDF o XLSX)")
    )
    ex.add_argument("--dependencia", help=_("código de la dependencia (por defecto todas)"))
    ex.add_argument(
        "--version",
        dest="trd_version",
        type=int,
        help=_("número de versión (por defecto la vigente)"),
    )
    ex.add_argument("-o", "--output", required=True, help=_("archivo .pdf o .xlsx"))
    ts.add_parser("list", parents=[common], help=_("versiones de TRD"))

    tvd = sub.add_parser("tvd", parents=[common], help=_("tablas de valoración documental"))
    vs = tvd.add_subparsers(dest="action", required=True, metavar=_("acción"))
    vi = vs.add_parser("import", parents=[common], help=_("importar una TVD"))
    vi.add_argument("file")
    vi.add_argument("--name", default="")
    vi.add_argument("--period-start", type=_date)
    vi.add_argument("--period-end", type=_date)
    vi.add_argument("--dependencia", default="")
    vi.add_argument("--mask")
    vi.add_argument("--sheet")
    vs.add_parser("list", parents=[common], help=_("TVD registradas"))

    ret = sub.add_parser("retention", parents=[common], help=_("plazos de retención"))
    rs = ret.add_subparsers(dest="action", required=True, metavar=_("acción"))
    rc = rs.add_parser(
        "recompute", parents=[common], help=_("recalcular los plazos de todos los expedientes")
    )
    rc.add_argument("--dependencia", default="")
    due = rs.add_parser("due", parents=[common], help=_("expedientes con plazo cumplido"))
    due.add_argument("--stage", choices=["gestion", "central"], default="gestion",
                     help=_("gestion: por transferir; central: por disponer"))  # fmt: skip
    due.add_argument("--as-of", type=_date, help=_("a esta fecha (dd/mm/aaaa; por defecto hoy)"))
    due.add_argument("--dependencia", default="")
    due.add_argument("--serie", default="")
    due.add_argument("--disposition", default="", choices=["", "CT", "E", "S", "MD"])
    due.add_argument("--exclude-held", action="store_true", help=_("omitir los suspendidos"))

    holds = sub.add_parser("holds", parents=[common], help=_("suspensiones por orden de autoridad"))
    hs = holds.add_subparsers(dest="action", required=True, metavar=_("acción"))
    ha = hs.add_parser("add", parents=[common], help=_("suspender transferencia y eliminación"))
    target = ha.add_mutually_exclusive_group(required=True)
    target.add_argument("--expediente", help=_("id o número del expediente"))
    target.add_argument("--box", help=_("código de barras de la caja o unidad"))
    target.add_argument("--serie", help=_("código de la serie (con --dependencia)"))
    target.add_argument(
        "--whole-dependencia",
        action="store_true",
        help=_("toda la dependencia (con --dependencia)"),
    )
    ha.add_argument("--dependencia", default="")
    ha.add_argument("--reason", required=True, help=_("motivo"))
    ha.add_argument("--authority", required=True, help=_("autoridad que ordena"))
    ha.add_argument("--reference", default="", help=_("oficio, radicado o proceso"))
    ha.add_argument(
        "--from", dest="starts_on", type=_date, help=_("desde (dd/mm/aaaa; por defecto hoy)")
    )
    ha.add_argument("--until", dest="ends_on", type=_date, help=_("hasta, si la orden lo dice"))
    hr = hs.add_parser("release", parents=[common], help=_("levantar una suspensión"))
    hr.add_argument("hold_id")
    hr.add_argument("--reason", required=True)
    hl = hs.add_parser("list", parents=[common], help=_("suspensiones"))
    hl.add_argument("--all", action="store_true", help=_("incluir las levantadas"))


def cmd_trd(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "list":
        rows = sv.trd.versions(actor)
        if args.json:
            emit_json(rows)
        else:
            emit_table([_("Dependencia"), _("Versión"), _("Desde"), _("Hasta"), _("Acto"), _("Reglas")],
                       [(r.dependencia_code, r.number, r.valid_from, r.valid_to, r.approval_act, r.rules) for r in rows])  # fmt: skip
        return 0
    if args.action == "import":
        today = sv.rt.now().date()
        approval = TrdApproval(
            valid_from=args.valid_from or today, approval_act=args.act,
            approval_date=args.approved_on, convalidation_date=args.convalidated_on,
            rusd_certificate=args.rusd,
        )  # fmt: skip
        r = sv.trd.import_file(actor, args.file, approval, dependencia_code=args.dependencia,
                               mask=args.mask, sheet=args.sheet, dry_run=args.dry_run)  # fmt: skip
        data = {"file": r.file, "dependencias": list(r.dependencias), "series": r.series, "rules": r.rules,
                "versions": list(r.version_ids), "expedientes_updated": r.expedientes_updated, "dry_run": r.dry_run}  # fmt: skip
        text = (_("Archivo válido: {series} series, {rules} reglas (no se guardó nada).") if r.dry_run
                else _("TRD importada: {series} series, {rules} reglas; {n} expedientes recalculados."))  # fmt: skip
        _done(args, data, text.format(series=r.series, rules=r.rules, n=r.expedientes_updated))
        return 0
    return _trd_export(sv, actor, args)


def _trd_export(sv: Services, actor: object, args: argparse.Namespace) -> int:
    from archive.io.trd_export import export_trd_xlsx

    versions = sv.trd.versions(actor, args.dependencia or "")  # type: ignore[arg-type]
    today = sv.rt.now().date()
    chosen = {}
    for v in versions:
        if args.trd_version is not None:
            if v.number == args.trd_version:
                chosen[v.dependencia_code] = v
        elif (
            v.valid_from <= today and (v.valid_to is None or v.valid_to >= today)
        ) or v.dependencia_code not in chosen:
            chosen[v.dependencia_code] = v
    if not chosen:
        raise ValidationError("trd.none", N_("No hay TRD para exportar."))
    docs = [sv.trd.document(actor, v.id) for v in chosen.values()]  # type: ignore[arg-type]
    out = Path(args.output)
    if out.suffix.lower() == ".pdf":
        from reports.trd_pdf import render_trd_pdf

        render_trd_pdf(docs, out)
    elif out.suffix.lower() == ".xlsx":
        export_trd_xlsx(docs, out)
    else:
        raise ValidationError("cli.format", N_("Use un archivo .pdf o .xlsx."))
    _done(args, {"file": str(out), "dependencias": list(chosen)},
          _("TRD exportada a {file}.").format(file=out))  # fmt: skip
    return 0


def cmd_tvd(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "list":
        rows = sv.tvd.tables(actor)
        if args.json:
            emit_json(rows)
        else:
            emit_table([_("TVD"), _("Desde"), _("Hasta"), _("Dependencia"), _("Series")],
                       [(r.name, r.period_start, r.period_end, r.dependencia_code, r.rules) for r in rows])  # fmt: skip
        return 0
    data = TvdInput(args.name, args.period_start, args.period_end, args.dependencia)
    r = sv.tvd.import_file(actor, args.file, data, mask=args.mask, sheet=args.sheet)
    _done(args, {"id": r.id, "file": r.file, "rules": r.rules},
          _("TVD importada: {n} series.").format(n=r.rules))  # fmt: skip
    return 0


def cmd_retention(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "recompute":
        r = sv.retention.recompute(actor, dependencia_code=args.dependencia, progress=TtyProgress())
        _done(args, {"examined": r.examined, "updated": r.updated, "with_rule": r.with_rule},
              _("{n} expedientes revisados, {u} actualizados, {w} con TRD.").format(
                  n=r.examined, u=r.updated, w=r.with_rule))  # fmt: skip
        return 0
    f = DueFilter(
        args.stage, args.as_of, args.dependencia, args.serie, args.disposition, args.exclude_held
    )
    rows = sv.retention.due(actor, f)
    if args.json:
        emit_json(rows)
    else:
        due_col = _("Fin gestión") if args.stage == "gestion" else _("Fin central")
        emit_table(
            [_("Número"), _("Dependencia"), _("Código"), _("Cierre"), due_col, _("Disposición"), _("Suspendido")],
            [(r.number, r.dependencia_code, r.code, r.closed_on,
              r.fin_gestion if args.stage == "gestion" else r.fin_central, r.disposition, r.on_hold)
             for r in rows],
        )  # fmt: skip
    return 0


def cmd_holds(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "list":
        rows = sv.holds.list(actor, active_only=not args.all)
        if args.json:
            emit_json(rows)
        else:
            emit_table([_("Id"), _("Objeto"), _("Referencia"), _("Autoridad"), _("Desde"), _("Levantada")],
                       [(r.id, _(r.kind), r.target_label, r.authority, r.starts_on, r.released_at) for r in rows])  # fmt: skip
        return 0
    if args.action == "release":
        sv.holds.release(actor, args.hold_id, args.reason)
        _done(args, {"released": args.hold_id}, _("Suspensión levantada."))
        return 0
    kind = ("expediente" if args.expediente else "unit" if args.box
            else "serie" if args.serie else "dependencia")  # fmt: skip
    data = HoldInput(
        kind=kind, reason=args.reason, authority=args.authority,
        starts_on=args.starts_on or sv.rt.now().date(), dependencia_code=args.dependencia,
        serie_code=args.serie or "", expediente=args.expediente or "", unit_barcode=args.box or "",
        reference=args.reference, ends_on=args.ends_on,
    )  # fmt: skip
    r = sv.holds.place(actor, data)
    _done(args, {"id": r.id}, _("Suspensión registrada: {id}").format(id=r.id))
    return 0


COMMANDS: dict[str, Handler] = {
    "trd": cmd_trd,
    "tvd": cmd_tvd,
    "retention": cmd_retention,
    "holds": cmd_holds,
}
