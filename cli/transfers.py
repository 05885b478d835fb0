"""CLI for the FUID, transfers and eliminations (AGN_NOTES §3-§5)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from archive.domain.errors import ValidationError
from archive.domain.fuid import FuidDocument, FuidSigner, Objeto
from archive.i18n import N_, _
from archive.services.container import Services
from archive.services.fuid import FuidRequest
from archive.services.runtime import Actor
from cli.commands import Handler, _done, login
from cli.output import emit_json, emit_table
from cli.retention import _date


def _signer(text: str) -> FuidSigner:
    """``"Nombre|Cargo|Lugar"`` (the date is today)."""
    parts = [*text.split("|"), "", ""]
    return FuidSigner(parts[0].strip(), parts[1].strip(), parts[2].strip())


def _signers(p: argparse.ArgumentParser) -> None:
    for flag in ("--elaborado", "--entregado", "--recibido"):
        p.add_argument(flag, type=_signer, help=_("firma: «Nombre|Cargo|Lugar»"))


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    f = sub.add_parser(
        "fuid", parents=[common], help=_("formato único de inventario documental (PDF o XLSX)")
    )
    f.add_argument("--objeto", required=True, choices=[o.value for o in Objeto])
    f.add_argument("--dependencia", default="", help=_("código de la oficina productora"))
    f.add_argument("--stage", default="", choices=["", "gestion", "central", "historico"])
    f.add_argument("--transfer", default="", help=_("id de la transferencia"))
    f.add_argument("--elimination", default="", help=_("id de la eliminación"))
    f.add_argument("-o", "--output", required=True, help=_("archivo .pdf o .xlsx"))
    _signers(f)

    t = sub.add_parser("transfer", parents=[common], help=_("transferencias documentales"))
    ts = t.add_subparsers(dest="action", required=True, metavar=_("acción"))
    sc = ts.add_parser(
        "schedule", parents=[common], help=_("cronograma anual (ver o fijar una fecha)")
    )
    sc.add_argument("--year", type=int, required=True)
    sc.add_argument("--dependencia", default="")
    sc.add_argument("--kind", default="primaria", choices=["primaria", "secundaria"])
    sc.add_argument("--date", type=_date, help=_("fecha programada (dd/mm/aaaa)"))
    ca = ts.add_parser("candidates", parents=[common], help=_("expedientes por transferir"))
    ca.add_argument("--kind", default="primaria", choices=["primaria", "secundaria"])
    ca.add_argument("--dependencia", default="")
    ca.add_argument("--as-of", type=_date)
    cr = ts.add_parser("create", parents=[common], help=_("nueva transferencia"))
    cr.add_argument("--kind", default="primaria", choices=["primaria", "secundaria"])
    cr.add_argument("--dependencia", required=True)
    cr.add_argument("expedientes", nargs="*", help=_("números o ids de expedientes"))
    cr.add_argument("--all-candidates", action="store_true", help=_("incluir todos los candidatos"))
    ad = ts.add_parser("add", parents=[common], help=_("agregar expedientes"))
    ad.add_argument("transfer_id")
    ad.add_argument("expedientes", nargs="+")
    ck = ts.add_parser("check", parents=[common], help=_("marcar la preparación de un expediente"))
    ck.add_argument("transfer_id")
    ck.add_argument("expediente")
    ck.add_argument("--steps", default="foliacion,hoja_control,rotulos,depuracion")
    se = ts.add_parser("send", parents=[common], help=_("entregar al archivo central"))
    se.add_argument("transfer_id")
    se.add_argument("--force", action="store_true", help=_("entregar sin la preparación completa"))
    fu = ts.add_parser("fuid", parents=[common], help=_("FUID de la transferencia"))
    fu.add_argument("transfer_id")
    fu.add_argument("-o", "--output", required=True)
    _signers(fu)
    rc = ts.add_parser("receive", parents=[common], help=_("cotejo: códigos leídos contra el FUID"))
    rc.add_argument("transfer_id")
    rc.add_argument("scans", nargs="*", help=_("códigos de barras (o --scans-file)"))
    rc.add_argument(
        "--scans-file", help=_("archivo con un código por línea ('-' = entrada estándar)")
    )
    rc.add_argument("--folios", action="append", default=[], help=_("código=folios contados"))
    ac = ts.add_parser("accept", parents=[common], help=_("aceptar la transferencia"))
    ac.add_argument("transfer_id")
    ac.add_argument("--location", default="", help=_("código de barras de la ubicación de destino"))
    ac.add_argument("--observations", default="")
    ac.add_argument("--accept-differences", action="store_true")
    rj = ts.add_parser("reject", parents=[common], help=_("devolver con observaciones"))
    rj.add_argument("transfer_id")
    rj.add_argument("--observations", required=True)
    hc = ts.add_parser(
        "hoja-control", parents=[common], help=_("hoja de control de un expediente (PDF)")
    )
    hc.add_argument("expediente")
    hc.add_argument("-o", "--output", required=True)
    at = ts.add_parser("acta", parents=[common], help=_("acta de transferencia (PDF)"))
    at.add_argument("transfer_id")
    at.add_argument("-o", "--output", required=True)
    ls = ts.add_parser("list", parents=[common], help=_("transferencias"))
    ls.add_argument("--year", type=int)

    e = sub.add_parser("elimination", parents=[common], help=_("eliminación documental"))
    es = e.add_subparsers(dest="action", required=True, metavar=_("acción"))
    ec = es.add_parser("candidates", parents=[common], help=_("expedientes que pueden eliminarse"))
    ec.add_argument("--dependencia", default="")
    ec.add_argument("--as-of", type=_date)
    en = es.add_parser("create", parents=[common], help=_("inventario de eliminación"))
    en.add_argument("expedientes", nargs="*")
    en.add_argument("--all-candidates", action="store_true")
    en.add_argument("--dependencia", default="")
    ea = es.add_parser("approve", parents=[common], help=_("aprobación del comité"))
    ea.add_argument("elimination_id")
    ea.add_argument("--act", required=True, help=_("número del acta del comité"))
    ea.add_argument("--date", type=_date, required=True)
    ep = es.add_parser("publish", parents=[common], help=_("iniciar la publicación"))
    ep.add_argument("elimination_id")
    ep.add_argument("--start", type=_date, required=True)
    ep.add_argument("--url", default="")
    eo = es.add_parser("observe", parents=[common], help=_("registrar una observación"))
    eo.add_argument("elimination_id")
    eo.add_argument("--date", type=_date, required=True)
    eo.add_argument("--author", required=True)
    eo.add_argument("--text", required=True)
    eo.add_argument("--action", default="none", choices=["none", "exclude", "extend"])
    eo.add_argument("--expediente", default="")
    eo.add_argument("--years", type=int, default=0)
    eo.add_argument("--response", default="")
    esl = es.add_parser(
        "select", parents=[common], help=_("selección: criterio y expedientes conservados")
    )
    esl.add_argument("elimination_id")
    esl.add_argument("--criterion", required=True)
    esl.add_argument("keep", nargs="*")
    er = es.add_parser("reproduced", parents=[common], help=_("M/D: reproducción hecha"))
    er.add_argument("elimination_id")
    er.add_argument("expedientes", nargs="+")
    et = es.add_parser(
        "acta", parents=[common], help=_("acta de eliminación (registrar y/o imprimir)")
    )
    et.add_argument("elimination_id")
    et.add_argument("--number")
    et.add_argument("--date", type=_date)
    et.add_argument("--method", default="picado")
    et.add_argument(
        "--signatory", action="append", default=[], help=_("«Nombre|Cargo» (repetible)")
    )
    et.add_argument("--metres", default="0", help=_("metros lineales"))
    et.add_argument("-o", "--output", help=_("PDF del acta"))
    ex = es.add_parser("execute", parents=[common], help=_("ejecutar la eliminación"))
    ex.add_argument("elimination_id")
    ef = es.add_parser("fuid", parents=[common], help=_("inventario (FUID) de la eliminación"))
    ef.add_argument("elimination_id")
    ef.add_argument("-o", "--output", required=True)
    es.add_parser("list", parents=[common], help=_("eliminaciones"))


def write_fuid(doc: FuidDocument, out: Path) -> int:
    """Write ``doc`` as PDF or XLSX by the file's suffix; returns the number of asientos."""
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        from reports.fuid_pdf import render_fuid_pdf

        render_fuid_pdf(doc, out)
    elif suffix == ".xlsx":
        from archive.io.fuid_export import export_fuid_xlsx

        export_fuid_xlsx(doc, out)
    else:
        raise ValidationError("fuid.format", N_("Use un archivo .pdf o .xlsx."))
    return len(doc.rows)


def _sign(sv: Services, s: FuidSigner | None) -> FuidSigner:
    if s is None:
        return FuidSigner()
    return FuidSigner(s.name, s.cargo, s.lugar, sv.rt.now().date())


def cmd_fuid(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    req = FuidRequest(Objeto(args.objeto), args.dependencia, args.stage, args.transfer, args.elimination,
                      _sign(sv, args.elaborado), _sign(sv, args.entregado), _sign(sv, args.recibido))  # fmt: skip
    doc = sv.fuid.document(actor, req)
    n = write_fuid(doc, Path(args.output))
    _done(
        args,
        {"file": args.output, "rows": n},
        _("FUID con {n} asientos escrito en {f}.").format(n=n, f=args.output),
    )
    return 0


def cmd_transfer(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    a, tr = args.action, sv.transfers
    if a == "schedule":
        if args.date:
            tr.set_schedule(actor, args.year, args.dependencia, args.kind, args.date)
        rows = tr.schedule(actor, args.year)
        _table(args, rows, [_("Año"), _("Dependencia"), _("Tipo"), _("Fecha")],
               [(r.year, r.dependencia_code, r.kind, r.planned_on) for r in rows])  # fmt: skip
    elif a == "candidates":
        cands = tr.candidates(actor, args.kind, args.dependencia, args.as_of)
        _table(args, cands, [_("Número"), _("Dependencia"), _("Código"), _("Cierre"), _("Disposición")],
               [(r.number, r.dependencia_code, r.code, r.closed_on, r.disposition) for r in cands])  # fmt: skip
    elif a == "create":
        extra = (
            [r.id for r in tr.candidates(actor, args.kind, args.dependencia)]
            if args.all_candidates
            else []
        )
        r = tr.create(actor, args.kind, args.dependencia, list(args.expedientes) + extra)
        _done(
            args,
            {"id": r.id, "items": r.items},
            _("Transferencia {id} con {n} expedientes.").format(id=r.id, n=r.items),
        )
    elif a == "add":
        r = tr.add(actor, args.transfer_id, args.expedientes)
        _done(
            args, {"id": r.id, "added": r.items}, _("{n} expedientes agregados.").format(n=r.items)
        )
    elif a == "check":
        found = [
            i
            for i in tr.items(actor, args.transfer_id)
            if args.expediente in (i.number, i.expediente_id)
        ]
        item = found[0] if found else None
        if item is None:
            raise ValidationError("transfer.item", N_("El expediente no está en la transferencia."))
        steps = {s.strip(): True for s in args.steps.split(",") if s.strip()}
        tr.set_checklist(actor, args.transfer_id, item.expediente_id, **steps)
        _done(args, {"expediente": item.number, "steps": list(steps)})
    elif a == "send":
        tr.send(actor, args.transfer_id, force=args.force)
        _done(args, {"id": args.transfer_id, "status": "enviada"}, _("Transferencia entregada."))
    elif a == "fuid":
        doc = tr.fuid(actor, args.transfer_id, _sign(sv, args.elaborado), _sign(sv, args.entregado),
                      _sign(sv, args.recibido))  # fmt: skip
        n = write_fuid(doc, Path(args.output))
        _done(
            args,
            {"file": args.output, "rows": n},
            _("FUID con {n} asientos escrito en {f}.").format(n=n, f=args.output),
        )
    elif a == "receive":
        return _receive(sv, actor, args)
    elif a == "accept":
        r = tr.accept(actor, args.transfer_id, args.location, observations=args.observations,
                      accept_differences=args.accept_differences)  # fmt: skip
        label = f"{sv.rt.now().year}-{r.number:03d}" if r.number else ""
        _done(args, {"id": r.id, "number": label, "items": r.items, "moved": r.moved},
              _("Transferencia aceptada: N° T {n}; {m} unidades ubicadas.").format(n=label, m=r.moved))  # fmt: skip
    elif a == "hoja-control":
        from reports.hoja_control import render_hoja_control

        render_hoja_control(sv.fuid.hoja_control(actor, args.expediente), args.output)
        _done(args, {"file": args.output})
    elif a == "acta":
        from reports.actas import render_acta_transferencia

        render_acta_transferencia(tr.fuid(actor, args.transfer_id), args.output)
        _done(args, {"file": args.output})
    elif a == "reject":
        tr.reject(actor, args.transfer_id, args.observations)
        _done(args, {"id": args.transfer_id, "status": "rechazada"}, _("Transferencia devuelta."))
    else:
        transfers = tr.list(actor, year=args.year)
        _table(args, transfers, [_("Id"), _("Tipo"), _("Dependencia"), _("N° T"), _("Estado"), _("Expedientes"), _("Recibida")],
               [(r.id, r.kind, r.dependencia_code, r.label, r.status, r.items, r.received_on) for r in transfers])  # fmt: skip
    return 0


def _receive(sv: Services, actor: Actor, args: argparse.Namespace) -> int:
    scans = list(args.scans)
    if args.scans_file:
        fh = sys.stdin if args.scans_file == "-" else open(args.scans_file, encoding="utf-8")  # noqa: SIM115
        with fh:
            scans += [line.strip() for line in fh if line.strip()]
    folios = {}
    for item in args.folios:
        code, _sep, n = item.partition("=")
        if not n.isdigit():
            raise ValidationError("cli.folios", N_("Use código=folios: {v}"), v=item)
        folios[code.strip()] = int(n)
    c = sv.transfers.receive(actor, args.transfer_id, scans, folios)
    data = {"ok": c.ok, "expected": c.expected, "scanned": c.scanned, "missing": list(c.missing),
            "extra": list(c.extra), "folio_diffs": [list(d) for d in c.folio_diffs]}  # fmt: skip
    text = (
        _("Cotejo correcto: {n} unidades.").format(n=c.expected)
        if c.ok
        else _("Cotejo con diferencias: faltan {m}, sobran {x}, folios distintos {f}.").format(
            m=", ".join(c.missing) or "—", x=", ".join(c.extra) or "—", f=len(c.folio_diffs)
        )
    )
    _done(args, data, text)
    return 0 if c.ok else 3


def _table(
    args: argparse.Namespace, raw: object, headers: list[str], rows: list[tuple[object, ...]]
) -> None:
    if args.json:
        emit_json(raw)
    else:
        emit_table(headers, rows)


def cmd_elimination(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    a, el = args.action, sv.elimination
    if a == "candidates":
        cands = el.candidates(actor, args.dependencia, args.as_of)
        _table(args, cands, [_("Número"), _("Dependencia"), _("Código"), _("Fin central"), _("Disposición")],
               [(r.number, r.dependencia_code, r.code, r.fin_central, r.disposition) for r in cands])  # fmt: skip
    elif a == "create":
        extra = (
            [r.id for r in el.candidates(actor, args.dependencia)] if args.all_candidates else []
        )
        r = el.create(actor, list(args.expedientes) + extra)
        _done(
            args,
            {"id": r.id, "items": r.items},
            _("Eliminación {id} con {n} expedientes.").format(id=r.id, n=r.items),
        )
    elif a == "approve":
        el.approve(actor, args.elimination_id, args.act, args.date)
        _done(args, {"id": args.elimination_id, "status": "aprobada"})
    elif a == "publish":
        end = el.publish(actor, args.elimination_id, args.start, args.url)
        _done(args, {"id": args.elimination_id, "end": end.isoformat()},
              _("Publicación hasta el {d}.").format(d=end.strftime("%d/%m/%Y")))  # fmt: skip
    elif a == "observe":
        oid = el.observe(actor, args.elimination_id, received_on=args.date, author=args.author, text=args.text,
                         action=args.action, expediente=args.expediente, extend_years=args.years,
                         response=args.response)  # fmt: skip
        _done(args, {"id": oid})
    elif a == "select":
        n = el.select_sample(actor, args.elimination_id, args.criterion, args.keep)
        _done(args, {"kept": n})
    elif a == "reproduced":
        n = el.mark_reproduced(actor, args.elimination_id, args.expedientes)
        _done(args, {"items": n})
    elif a == "acta":
        return _acta(sv, actor, args)
    elif a == "execute":
        r = el.execute(actor, args.elimination_id)
        _done(
            args,
            {"id": r.id, "eliminated": r.items},
            _("{n} expedientes eliminados.").format(n=r.items),
        )
    elif a == "fuid":
        n = write_fuid(el.fuid(actor, args.elimination_id), Path(args.output))
        _done(args, {"file": args.output, "rows": n})
    else:
        rows = el.list(actor)
        _table(args, rows, [_("Id"), _("Estado"), _("Expedientes"), _("Comité"), _("Publicación hasta"), _("Acta")],
               [(r.id, r.status, r.items, r.committee_act, r.publication_end, r.acta_number) for r in rows])  # fmt: skip
    return 0


def _acta(sv: Services, actor: Actor, args: argparse.Namespace) -> int:
    if args.number:
        try:
            metres = Decimal(args.metres.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(
                "cli.metres", N_("Metros lineales no válidos: {v}"), v=args.metres
            ) from None
        signs = [tuple([*s.split("|"), ""][:2]) for s in args.signatory]
        pairs = [(str(a), str(b)) for a, b in signs]
        sv.elimination.set_acta(actor, args.elimination_id, number=args.number,
                                on=args.date or sv.rt.now().date(), method=args.method,
                                signatories=pairs, linear_metres=metres)  # fmt: skip
    if args.output:
        from reports.actas import render_acta_eliminacion

        render_acta_eliminacion(sv.elimination.acta(actor, args.elimination_id), Path(args.output))
    _done(args, {"id": args.elimination_id, "file": args.output or ""})
    return 0


COMMANDS: dict[str, Handler] = {
    "fuid": cmd_fuid,
    "transfer": cmd_transfer,
    "elimination": cmd_elimination,
}
