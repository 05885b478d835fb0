"""CLI for labels (rótulos): print from units, a box or a shelf; reprint a batch; list
templates, media, calibrations and batches (docs/LABELS.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from archive.domain.errors import NotFound, ValidationError
from archive.i18n import N_, _
from archive.services.container import Services
from archive.services.labels import LABEL_KINDS, BatchRequest, Selection, source_of
from archive.services.runtime import Actor
from cli.commands import Handler, _done, login
from cli.output import TtyProgress, emit_json, emit_table
from reports.labels import LabelTemplate, builtin_media, default_template
from reports.labels.jobs import render_records, resolve_medium

ACTIONS = ("print", "reprint", "templates", "media", "calibrations", "batches")


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("labels", parents=[common], help=_("rótulos de caja, carpeta, expediente, ubicación y testigos"),
                       description=_("Sin acción: imprimir. Acciones: reprint LOTE, templates, media, calibrations, batches."))  # fmt: skip
    p.add_argument("action", nargs="?", default="print", choices=ACTIONS, metavar=_("acción"),
                   help=_("print (por omisión), reprint, templates, media, calibrations o batches"))  # fmt: skip
    p.add_argument("batch", nargs="?", help=_("lote a reimprimir (reprint)"))
    p.add_argument("--kind", choices=LABEL_KINDS, help=_("clase de rótulo"))
    p.add_argument(
        "--template",
        help=_("plantilla guardada (nombre) o archivo .json; sin ella: la predeterminada"),
    )
    sel = p.add_mutually_exclusive_group()
    sel.add_argument(
        "--units",
        nargs="+",
        metavar="BARCODE",
        help=_("códigos de barras (unidades, expedientes o ubicaciones)"),
    )
    sel.add_argument(
        "--location",
        metavar="SIGNATURA",
        help=_("todo lo que hay en una ubicación (o sus ubicaciones)"),
    )
    sel.add_argument("--box", metavar="BARCODE", help=_("una caja (o sus carpetas)"))
    p.add_argument("-o", "--output", help=_("archivo PDF de salida"))
    p.add_argument(
        "--medium", default="a4-3x8", help=_("medio: a4-3x8, rollo-100x50… o grid:a4:3x8:63.5x33.9")
    )
    p.add_argument(
        "--start",
        type=int,
        default=None,
        help=_("primera posición libre de la hoja (1 = arriba a la izquierda)"),
    )
    p.add_argument("--calibration", help=_("perfil de calibración de la impresora"))
    p.add_argument(
        "--import", dest="import_file", help=_("templates: guardar esta plantilla .json")
    )
    p.add_argument("--name", help=_("templates/calibrations: nombre al guardar"))
    p.add_argument(
        "--default", action="store_true", help=_("templates: dejarla como predeterminada")
    )
    p.add_argument(
        "--export",
        dest="export_name",
        help=_("templates: escribir esta plantilla como JSON (con -o)"),
    )
    for key in ("offset-x", "offset-y", "creep-x", "creep-y"):
        p.add_argument(f"--{key}", type=float, default=0.0, help=_("calibrations: mm"))
    p.add_argument("--dpi", type=int)


def _template(sv: Services, actor: Actor, kind: str, ref: str | None) -> tuple[str, LabelTemplate]:
    """(name, template): a saved template by name, a JSON file, the saved default, or built-in."""
    if ref and Path(ref).is_file():
        t = LabelTemplate.from_json(Path(ref).read_text(encoding="utf-8"))
        return t.name, t
    stored = sv.labels.templates(actor, kind)
    if ref:
        for row in stored:
            if row.name == ref:
                return row.name, LabelTemplate.from_json(row.body)
        builtin = default_template(kind)
        if ref == builtin.name:
            return builtin.name, builtin
        raise NotFound(
            "labels.template_not_found",
            N_("No existe la plantilla «{name}» para rótulos de {kind}."),
            name=ref,
            kind=kind,
        )
    for row in stored:
        if row.is_default:
            return row.name, LabelTemplate.from_json(row.body)
    builtin = default_template(kind)
    return builtin.name, builtin


def _output(args: argparse.Namespace) -> Path:
    if not args.output:
        raise ValidationError("cli.output_required", N_("Indique el archivo PDF de salida con -o."))
    return Path(args.output)


def cmd_labels(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    action = args.action
    if action == "media":
        rows = [(key, m.name, getattr(m, "per_page", 1)) for key, m in builtin_media().items()]
        if args.json:
            emit_json([{"id": k, "name": n, "per_page": p} for k, n, p in rows])
        else:
            emit_table([_("Id"), _("Medio"), _("Por hoja")], rows)
        return 0
    if action == "templates":
        return _templates(sv, actor, args)
    if action == "calibrations":
        if args.name:
            c = sv.labels.save_calibration(actor, args.name, offset_x_mm=args.offset_x, offset_y_mm=args.offset_y,
                                           creep_x_mm=args.creep_x, creep_y_mm=args.creep_y, dpi=args.dpi)  # fmt: skip
            _done(args, c.to_dict(), _("Calibración «{name}» guardada.").format(name=c.name))
            return 0
        cals = sv.labels.calibrations(actor)
        if args.json:
            emit_json([c.to_dict() for c in cals])
        else:
            emit_table([_("Nombre"), "X mm", "Y mm", _("Deriva X"), _("Deriva Y"), "dpi"],
                       [(c.name, c.offset_x_mm, c.offset_y_mm, c.creep_x_mm, c.creep_y_mm, c.dpi or "") for c in cals])  # fmt: skip
        return 0
    if action == "batches":
        batches = sv.labels.batches(actor)
        if args.json:
            emit_json([{k: v for k, v in vars(b).items() if k != "template_body"} for b in batches])
        else:
            emit_table([_("Lote"), _("Fecha"), _("Usuario"), _("Clase"), _("Plantilla"), _("Medio"), _("Rótulos")],
                       [(b.id, b.at, b.username, b.kind, b.template_name, b.medium, b.items) for b in batches])  # fmt: skip
        return 0
    if action == "reprint":
        return _reprint(sv, actor, args)
    return _print(sv, actor, args)


def _print(sv: Services, actor: Actor, args: argparse.Namespace) -> int:
    if not args.kind:
        raise ValidationError(
            "cli.kind_required",
            N_("Indique la clase de rótulo con --kind ({kinds})."),
            kinds=", ".join(LABEL_KINDS),
        )
    if not (args.units or args.location or args.box):
        raise ValidationError(
            "cli.selection_required", N_("Indique qué rotular: --units, --location o --box.")
        )
    out = _output(args)
    records = sv.labels.records(
        actor, args.kind, Selection(tuple(args.units or ()), args.location, args.box)
    )
    if not records:
        raise ValidationError("labels.empty", N_("La selección no tiene nada que rotular."))
    name, template = _template(sv, actor, args.kind, args.template)
    medium_id, medium = resolve_medium(args.medium)
    cal = sv.labels.calibration(actor, args.calibration).to_dict() if args.calibration else None
    start = args.start or 1
    result = render_records(records, template, medium, cal, out, start, progress=TtyProgress())
    batch_id = sv.labels.record_batch(actor, BatchRequest(
        kind=args.kind, template_name=name, template_body=template.to_json(), medium=medium_id, medium_body=medium.to_dict(),
        calibration=args.calibration or "", start_position=start, source=source_of(args.kind), item_ids=[r.item_id for r in records]))  # fmt: skip
    _report(args, out, result.labels, result.pages, result.truncated, batch_id)
    return 0


def _reprint(sv: Services, actor: Actor, args: argparse.Namespace) -> int:
    if not args.batch:
        raise ValidationError(
            "cli.batch_required",
            N_("Indique el lote a reimprimir: legajo labels reprint LOTE -o archivo.pdf"),
        )
    out = _output(args)
    b = sv.labels.batch(actor, args.batch)
    records = sv.labels.records_by_ids(actor, b.kind, b.source, b.item_ids)
    if not records:
        raise ValidationError("labels.empty", N_("Las unidades del lote ya no existen."))
    template = LabelTemplate.from_json(b.template_body)
    medium = resolve_medium(b.medium_body)[1]
    cal_name = args.calibration or b.calibration
    cal = sv.labels.calibration(actor, cal_name).to_dict() if cal_name else None
    start = args.start or b.start_position
    result = render_records(records, template, medium, cal, out, start, progress=TtyProgress())
    batch_id = sv.labels.record_batch(actor, BatchRequest(
        kind=b.kind, template_name=b.template_name, template_body=b.template_body, medium=b.medium, medium_body=b.medium_body,
        calibration=cal_name or "", start_position=start, source=b.source, item_ids=[r.item_id for r in records],
        note=f"reimpresión de {b.id}"))  # fmt: skip
    _report(args, out, result.labels, result.pages, result.truncated, batch_id)
    return 0


def _report(
    args: argparse.Namespace,
    out: Path,
    labels: int,
    pages: int,
    truncated: tuple[int, ...],
    batch_id: str,
) -> None:
    _done(args, {"file": str(out), "labels": labels, "pages": pages, "truncated": list(truncated), "batch": batch_id},
          _("{n} rótulos en {p} páginas: {file} (lote {batch}).").format(n=labels, p=pages, file=out, batch=batch_id))  # fmt: skip
    if truncated and not args.json:
        print(_("Aviso: {n} rótulos con texto recortado (posiciones {pos}).").format(
            n=len(truncated), pos=", ".join(str(i + 1) for i in truncated[:20])))  # fmt: skip


def _templates(sv: Services, actor: Actor, args: argparse.Namespace) -> int:
    if args.import_file:
        if not args.kind:
            raise ValidationError(
                "cli.kind_required",
                N_("Indique la clase de rótulo con --kind ({kinds})."),
                kinds=", ".join(LABEL_KINDS),
            )
        t = LabelTemplate.from_json(Path(args.import_file).read_text(encoding="utf-8"))
        if t.kind != args.kind:
            raise ValidationError(
                "labels.template_kind",
                N_("La plantilla es de rótulos de {found}, no de {kind}."),
                found=t.kind,
                kind=args.kind,
            )
        row = sv.labels.save_template(
            actor, args.kind, args.name or t.name, t.to_json(), make_default=args.default
        )
        _done(
            args,
            {"id": row.id, "name": row.name},
            _("Plantilla «{name}» guardada.").format(name=row.name),
        )
        return 0
    if args.export_name:
        if not args.kind:
            raise ValidationError(
                "cli.kind_required",
                N_("Indique la clase de rótulo con --kind ({kinds})."),
                kinds=", ".join(LABEL_KINDS),
            )
        t = _template(sv, actor, args.kind, args.export_name)[1]
        _output(args).write_text(t.to_json(), encoding="utf-8")
        _done(
            args, {"file": args.output}, _("Plantilla escrita en {file}.").format(file=args.output)
        )
        return 0
    rows: list[tuple[str, str, str, str]] = []
    for kind in [args.kind] if args.kind else list(LABEL_KINDS):
        stored = sv.labels.templates(actor, kind)
        rows.extend((kind, r.name, _("sí") if r.is_default else "", _("guardada")) for r in stored)
        builtin = default_template(kind)
        if builtin.name not in {r.name for r in stored}:
            rows.append(
                (
                    kind,
                    builtin.name,
                    "" if any(r.is_default for r in stored) else _("sí"),
                    _("integrada"),
                )
            )
    if args.json:
        emit_json([{"kind": k, "name": n, "default": bool(d), "origin": o} for k, n, d, o in rows])
    else:
        emit_table([_("Clase"), _("Plantilla"), _("Predeterminada"), _("Origen")], rows)
    return 0


COMMANDS: dict[str, Handler] = {"labels": cmd_labels}
