"""CLI for the physical inventory: locations, units, moves, counts, incidents, export."""

from __future__ import annotations

import argparse
from pathlib import Path

from archive.domain.errors import ValidationError
from archive.i18n import N_, _
from archive.io.export import export_sheets
from archive.services.container import Services
from archive.services.count_report import report_tables
from archive.services.inventory_export import export_inventory
from archive.services.locations import RangeLevel
from cli.commands import Handler, _done, login
from cli.output import TtyProgress, emit_json, emit_table


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    loc = sub.add_parser("locations", parents=[common], help=_("ubicaciones (depósitos, estantes…)"))
    ls = loc.add_subparsers(dest="action", required=True, metavar=_("acción"))
    cr = ls.add_parser("create-range", parents=[common], help=_("crear ubicaciones por rangos"))
    cr.add_argument("--parent", help=_("código de barras o signatura de la ubicación padre"))
    cr.add_argument("--level", action="append", required=True, metavar="NIVEL=RANGO",
                    help=_("nivel y rango, p. ej. modulo=1-4 cara=A-B estante=1-6 (repetible, de mayor a menor)"))  # fmt: skip
    cr.add_argument("--capacity-units", type=int)
    cr.add_argument("--capacity-cm", type=int)
    cr.add_argument("--dry-run", action="store_true", help=_("solo mostrar lo que se crearía"))
    lst = ls.add_parser("list", parents=[common], help=_("listar ubicaciones hijas con su ocupación"))
    lst.add_argument("--parent", help=_("código de barras o signatura (sin él: la raíz)"))
    free = ls.add_parser("free", parents=[common], help=_("buscar espacio libre"))
    free.add_argument("--units", type=int, required=True)
    free.add_argument("--type", dest="type_code", default="X200")
    free.add_argument("--near", help=_("código de barras o signatura de referencia"))
    ls.add_parser("levels", parents=[common], help=_("niveles configurados"))

    units = sub.add_parser("units", parents=[common], help=_("cajas, carpetas y otras unidades"))
    us = units.add_subparsers(dest="action", required=True, metavar=_("acción"))
    reg = us.add_parser("register", parents=[common], help=_("registrar unidades con rótulo nuevo"))
    reg.add_argument("--type", dest="type_code", required=True, help=_("tipo de unidad (X200, X300, CAR4…)"))
    reg.add_argument("--count", type=int, default=1)
    reg.add_argument("--number-start", type=int)
    reg.add_argument("--dependencia")
    reg.add_argument("--at", help=_("ubicación (código de barras o signatura)"))
    reg.add_argument("--in-box", help=_("caja contenedora (código de barras)"))
    reg.add_argument("--external-barcode", help=_("código de barras externo/heredado"))
    mv = us.add_parser("move", parents=[common], help=_("mover unidades escaneadas a un destino"))
    mv.add_argument("barcodes", nargs="+")
    mv.add_argument("--to", required=True, help=_("ubicación o caja destino (código de barras)"))
    mv.add_argument("--override-capacity", action="store_true", help=_("mover aunque exceda la capacidad"))
    mv.add_argument("--method", default="manual", choices=["scan", "manual", "collector"])
    mv.add_argument("--note", default="")
    sh = us.add_parser("show", parents=[common], help=_("ver una unidad y su historial"))
    sh.add_argument("barcode")
    us.add_parser("types", parents=[common], help=_("catálogo de tipos de unidad"))

    count = sub.add_parser("count", parents=[common], help=_("conteos de inventario"))
    cs = count.add_subparsers(dest="action", required=True, metavar=_("acción"))
    st = cs.add_parser("start", parents=[common], help=_("iniciar un conteo"))
    st.add_argument("scope", help=_("ubicación alcance (código de barras)"))
    sc = cs.add_parser("scan", parents=[common], help=_("registrar unidades encontradas en una ubicación"))
    sc.add_argument("session")
    sc.add_argument("--at", required=True, help=_("ubicación escaneada"))
    sc.add_argument("barcodes", nargs="+")
    for name in ("pause", "resume", "finish"):
        p = cs.add_parser(name, parents=[common])
        p.add_argument("session")
    rp = cs.add_parser("report", parents=[common], help=_("informe del conteo"))
    rp.add_argument("session")
    rp.add_argument("-o", "--output", help=_("archivo .pdf, .xlsx o .csv"))
    cs.add_parser("list", parents=[common], help=_("conteos recientes"))

    inv = sub.add_parser("inventory", parents=[common], help=_("inventario de unidades"))
    ins = inv.add_subparsers(dest="action", required=True, metavar=_("acción"))
    ex = ins.add_parser("export", parents=[common], help=_("exportar el inventario"))
    ex.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    ex.add_argument("-o", "--output", required=True)


def _location(sv: Services, ref: str) -> tuple[str, str]:
    """(id, barcode) of a location given by barcode or by signatura."""
    from sqlalchemy import select

    from archive.db.models import Location
    from archive.services.scanning import resolve_scan

    with sv.rt.db.sessions() as s:
        loc = s.scalar(select(Location).where(Location.path == ref.strip().upper(), Location.deleted_at.is_(None)))
        if loc is None:
            loc = resolve_scan(s, ref).location
        if loc is None:
            raise ValidationError("cli.not_location", N_("«{ref}» no es una ubicación."), ref=ref)
        return loc.id, loc.barcode


def _location_id(sv: Services, actor: object, ref: str | None) -> str | None:
    return _location(sv, ref)[0] if ref else None


def _location_barcode(sv: Services, ref: str) -> str:
    return _location(sv, ref)[1]


def _destination(sv: Services, ref: str) -> str:
    """A move destination: a box or location barcode, or a location's signatura."""
    from archive.domain.barcodes import looks_like_legajo_barcode

    return ref if looks_like_legajo_barcode(ref) else _location_barcode(sv, ref)


def cmd_locations(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "levels":
        levels = sv.locations.levels()
        if args.json:
            emit_json(levels)
        else:
            emit_table([_("Código"), _("Nivel"), _("Prefijo")], [(lv.code, _(lv.name), lv.prefix) for lv in levels])
        return 0
    if args.action == "create-range":
        ranges: list[RangeLevel] = []
        for spec in args.level:
            if "=" not in spec:
                raise ValidationError("cli.level_spec", N_("Use NIVEL=RANGO, p. ej. modulo=1-4 (recibido «{spec}»)."), spec=spec)
            code, rng = spec.split("=", 1)
            ranges.append(RangeLevel(code.strip(), rng.strip()))
        parent = _location_id(sv, actor, args.parent)
        preview = sv.locations.preview_range(actor, parent, ranges)
        if args.dry_run or preview.existing:
            if args.json:
                emit_json(preview)
            else:
                print(_("Se crearían {n} ubicaciones, p. ej.: {sample}").format(n=len(preview.paths), sample=", ".join(preview.paths[:5])))
                if preview.existing:
                    print(_("Ya existen: {paths}").format(paths=", ".join(preview.existing[:10])))
            return 1 if preview.existing and not args.dry_run else 0
        n = sv.locations.create_range(actor, parent, ranges, capacity_units=args.capacity_units, capacity_cm=args.capacity_cm)
        _done(args, {"created": n, "leaves": len(preview.paths)}, _("{n} ubicaciones creadas.").format(n=n))
        return 0
    if args.action == "free":
        found = sv.locations.find_free_space(actor, units=args.units, unit_type_code=args.type_code, near_id=_location_id(sv, actor, args.near))
        if args.json:
            emit_json(found)
        else:
            emit_table([_("Signatura"), _("Código de barras"), _("Libres")], [(f.path, f.barcode, f.free_units) for f in found])
        return 0
    nodes = sv.locations.children(actor, _location_id(sv, actor, args.parent))
    if args.json:
        emit_json(nodes)
    else:
        emit_table([_("Signatura"), _("Nivel"), _("Código de barras"), _("Ocupación"), _("Capacidad"), _("Hijos")],
                   [(n.path, _(n.level_name), n.barcode, n.occupied_units, n.capacity_units, n.children) for n in nodes])  # fmt: skip
    return 0


def cmd_units(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "types":
        types = sv.units.types()
        if args.json:
            emit_json(types)
        else:
            emit_table([_("Código"), _("Nombre"), _("Clase"), _("cm en estante"), _("Capacidad")],
                       [(t.code, _(t.name), t.kind, t.shelf_cm, t.capacity) for t in types])  # fmt: skip
        return 0
    if args.action == "register":
        made = sv.units.register(actor, type_code=args.type_code, count=args.count, number_start=args.number_start,
                                 dependencia_code=args.dependencia, location_id=_location_id(sv, actor, args.at),
                                 parent_barcode=args.in_box, external_barcode=args.external_barcode)  # fmt: skip
        if args.json:
            emit_json(made)
        else:
            for u in made:
                print(u.barcode)
        return 0
    if args.action == "move":
        r = sv.moves.move(actor, args.barcodes, _destination(sv, args.to), method=args.method, override_capacity=args.override_capacity, note=args.note)
        _done(args, {"moved": r.moved, "already_there": r.already_there, "to": r.destination, "over_capacity": r.over_capacity},
              _("{n} unidades movidas a {to} ({same} ya estaban allí).").format(n=r.moved, to=r.destination, same=r.already_there))  # fmt: skip
        return 0
    u = sv.units.by_scan(actor, args.barcode)
    history = sv.units.history(actor, u.id)
    if args.json:
        emit_json({"unit": u, "history": history})
        return 0
    print(f"{u.barcode}  {_(u.type_name)} {u.number}  {u.location_path or _('sin ubicación')}")
    emit_table([_("Fecha"), _("Usuario"), _("Cómo"), _("Desde"), _("Hacia")],
               [(h.at, h.username, h.method, h.from_path or h.from_container, h.to_path or h.to_container) for h in history])  # fmt: skip
    return 0


def cmd_count(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "start":
        sid = sv.counts.start(actor, _location_barcode(sv, args.scope))
        _done(args, {"session": sid}, _("Conteo iniciado: {id}").format(id=sid))
        return 0
    if args.action == "scan":
        lines = sv.counts.scan(actor, args.session, _location_barcode(sv, args.at), args.barcodes)
        _done(args, {"recorded": len(lines)}, _("{n} lecturas registradas.").format(n=len(lines)))
        return 0
    if args.action in ("pause", "resume", "finish"):
        state = {"pause": "pausado", "resume": "abierto", "finish": "cerrado"}[args.action]
        sv.counts.set_state(actor, args.session, state)
        _done(args, {"session": args.session, "state": state})
        return 0
    if args.action == "list":
        rows = sv.counts.sessions(actor)
        if args.json:
            emit_json(rows)
        else:
            emit_table([_("Id"), _("Alcance"), _("Estado"), _("Inicio"), _("Por"), _("Lecturas")],
                       [(c.id, c.scope, c.state, c.started_at, c.started_by, c.scans) for c in rows])  # fmt: skip
        return 0
    report = sv.counts.report(actor, args.session)
    if args.output:
        write_count_report(report, Path(args.output))
    if args.json:
        emit_json(report)
    elif not args.output:
        title, subtitle, sections = report_tables(report)
        print(title)
        for line in subtitle:
            print(line)
        for name, headers, table in sections:
            print(f"\n{name} ({len(table)})")
            if table:
                emit_table(headers, table)
    else:
        print(_("Informe escrito en {file}.").format(file=args.output))
    return 0


def write_count_report(report: object, path: Path) -> None:
    title, subtitle, sections = report_tables(report)  # type: ignore[arg-type]
    if path.suffix.lower() == ".pdf":
        from reports.tables import TableReport, TableSection, render_table_report

        render_table_report(
            TableReport(title, subtitle, [TableSection(n, h, r, widths=[3, 1.2, 1, 3, 3]) for n, h, r in sections]), path
        )
    else:
        export_sheets(path, sections)


def cmd_inventory(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    out = Path(args.output)
    if out.suffix.lower() != f".{args.format}":
        out = out.with_suffix(f".{args.format}")
    n = export_inventory(sv.rt, actor, out, progress=TtyProgress())
    _done(args, {"file": str(out), "rows": n}, _("{n} unidades exportadas a {file}.").format(n=n, file=out))
    return 0


COMMANDS: dict[str, Handler] = {
    "locations": cmd_locations,
    "units": cmd_units,
    "count": cmd_count,
    "inventory": cmd_inventory,
}
