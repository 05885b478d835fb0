"""CLI for loans (préstamos): request, lend, return, renew, reject, cancel, list, overdue, history."""

from __future__ import annotations

import argparse

from archive.domain.errors import ValidationError
from archive.domain.timefmt import format_date
from archive.i18n import N_, _
from archive.services.container import Services
from archive.services.loans import STATES, LoanFilter, LoanResult, LoanRow
from cli.commands import Handler, _done, login
from cli.output import emit_json, emit_table


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    loans = sub.add_parser("loans", parents=[common], help=_("préstamos de cajas y carpetas"))
    ls = loans.add_subparsers(dest="action", required=True, metavar=_("acción"))
    rq = ls.add_parser("request", parents=[common], help=_("solicitar una unidad en préstamo"))
    rq.add_argument("barcode", help=_("código de barras de la caja o carpeta"))
    rq.add_argument("--purpose", required=True, help=_("para qué se necesita"))
    rq.add_argument("--dependencia", default="", help=_("código de la dependencia que solicita"))
    ld = ls.add_parser("lend", parents=[common], help=_("prestar: atender una solicitud o prestar directamente"))
    ld.add_argument("barcode", nargs="?", help=_("unidad a prestar directamente"))
    ld.add_argument("--loan", help=_("id de la solicitud que se aprueba y entrega"))
    ld.add_argument("--dependencia", default="", help=_("código de la dependencia que la recibe"))
    ld.add_argument("--to", dest="requester", default="", help=_("nombre de quien la recibe"))
    ld.add_argument("--to-user", dest="requester_user", default="", help=_("usuario de Legajo que la recibe"))
    ld.add_argument("--purpose", default="")
    rt = ls.add_parser("return", parents=[common], help=_("recibir una unidad devuelta"))
    rt.add_argument("barcode")
    rt.add_argument("--incomplete", action="store_true", help=_("faltan folios: se abre una novedad"))
    rt.add_argument("--notes", default="", help=_("estado en que se recibe"))
    rn = ls.add_parser("renew", parents=[common], help=_("renovar un préstamo"))
    rn.add_argument("loan")
    rj = ls.add_parser("reject", parents=[common], help=_("rechazar una solicitud"))
    rj.add_argument("loan")
    rj.add_argument("--reason", required=True)
    cn = ls.add_parser("cancel", parents=[common], help=_("cancelar una solicitud"))
    cn.add_argument("loan")
    cn.add_argument("--reason", default="")
    li = ls.add_parser("list", parents=[common], help=_("listar préstamos"))
    li.add_argument("--state", default="", choices=["", "abiertos", *STATES])
    li.add_argument("--overdue", action="store_true", help=_("solo vencidos"))
    li.add_argument("--dependencia", default="")
    li.add_argument("--requester", default="", help=_("nombre o usuario de quien solicita"))
    ls.add_parser("overdue", parents=[common], help=_("informe de préstamos vencidos"))
    hi = ls.add_parser("history", parents=[common], help=_("préstamos de una unidad"))
    hi.add_argument("barcode")


def cmd_loans(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    loans = sv.loans
    if args.action in ("list", "overdue", "history"):
        if args.action == "overdue":
            rows = loans.overdue(actor)
        elif args.action == "history":
            rows = loans.history(actor, args.barcode)
        else:
            rows = loans.list(actor, LoanFilter(args.state, args.overdue, args.dependencia, args.requester))
        _table(args, rows)
        return 0
    if args.action == "request":
        r = loans.request(actor, args.barcode, args.purpose, dependencia_code=args.dependencia)
    elif args.action == "lend":
        if args.loan:
            r = loans.lend(actor, args.loan)
        elif args.barcode and args.dependencia:
            r = loans.lend_scan(actor, args.barcode, dependencia_code=args.dependencia, requester_name=args.requester,
                                requester_username=args.requester_user, purpose=args.purpose)  # fmt: skip
        else:
            raise ValidationError("cli.lend_args", N_("Indique --loan ID, o la unidad con --dependencia y --to."))
    elif args.action == "return":
        r = loans.return_unit(actor, args.barcode, folios_complete=not args.incomplete, notes=args.notes)
    elif args.action == "renew":
        r = loans.renew(actor, args.loan)
    elif args.action == "reject":
        r = loans.reject(actor, args.loan, args.reason)
    else:
        r = loans.cancel(actor, args.loan, args.reason)
    _done(args, _result(r), _message(r))
    return 0


def _result(r: LoanResult) -> dict[str, object]:
    return {"id": r.id, "unit": r.unit_barcode, "state": r.state, "due_on": r.due_on, "requester": r.requester_name,
            "incident": r.incident_id, "fulfilled_request": r.fulfilled_request}  # fmt: skip


def _message(r: LoanResult) -> str:
    state = _(STATES[r.state])
    if r.due_on is not None and r.state == "prestado":
        return _("{unit}: {state} a {name} hasta el {due} (préstamo {id}).").format(
            unit=r.unit_barcode, state=state, name=r.requester_name, due=format_date(r.due_on), id=r.id)  # fmt: skip
    return _("{unit}: {state} (préstamo {id}).").format(unit=r.unit_barcode, state=state, id=r.id)


def _table(args: argparse.Namespace, rows: list[LoanRow]) -> None:
    if args.json:
        emit_json(rows)
        return
    emit_table([_("Id"), _("Unidad"), _("Expediente"), _("Dependencia"), _("Solicitante"), _("Estado"), _("Vence"), _("Vencido")],
               [(r.id, r.unit_barcode, r.expediente_number or "", r.dependencia_code, r.requester_name, _(STATES[r.state]),
                 r.due_on, r.overdue) for r in rows])  # fmt: skip


COMMANDS: dict[str, Handler] = {"loans": cmd_loans}
