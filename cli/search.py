"""CLI for the local search index: query it, and keep it healthy from scheduled jobs."""

from __future__ import annotations

import argparse

from archive.i18n import _
from archive.services.container import Services
from cli.commands import Handler, _done, login
from cli.output import TtyProgress, emit_json, emit_table


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    se = sub.add_parser("search", parents=[common], help=_("buscar expedientes, cajas, ubicaciones…"))
    se.add_argument("query", nargs="+", help=_("palabras y filtros, p. ej. contrato ramirez año:2019 dependencia:120"))
    se.add_argument("--limit", type=int, default=20)
    se.add_argument("--ranked", action="store_true", help=_("búsqueda por palabras completas, ordenada (como Enter)"))
    se.add_argument("--facets", action="store_true", help=_("mostrar conteos por dependencia, serie, año y etapa"))
    ix = sub.add_parser("index", parents=[common], help=_("índice de búsqueda local"))
    ixs = ix.add_subparsers(dest="action", required=True, metavar=_("acción"))
    ixs.add_parser("status", parents=[common], help=_("estado del índice y cambios pendientes"))
    ixs.add_parser("verify", parents=[common], help=_("verificar; reconstruir si está dañado"))
    ixs.add_parser("rebuild", parents=[common], help=_("reconstruir desde la base de datos"))
    ixs.add_parser("update", parents=[common], help=_("aplicar los cambios pendientes"))


def cmd_search(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    sv.search.ensure(progress=TtyProgress())
    sv.search.catch_up()
    text = " ".join(args.query)
    answer = sv.search.search(actor, text, limit=args.limit, as_you_type=not args.ranked)
    facets = sv.search.facets(actor, text) if args.facets else None
    if args.json:
        emit_json({
            "hits": [{"id": h.id, "kind": h.kind, "title": h.title, "code": h.code} for h in answer.hits],
            "more": bool(answer.result and answer.result.more), "fallback": answer.fallback,
            "facets": {k: [(v.value, v.count) for v in vs] for k, vs in facets.by_field.items()} if facets else None,
        })  # fmt: skip
        return 0
    emit_table([_("Tipo"), _("Código"), _("Nombre")], [(h.kind, h.code, h.title) for h in answer.hits])
    if facets:
        for name, values in facets.by_field.items():
            print(f"\n{name}: " + ", ".join(f"{v.value} ({v.count})" for v in values[:10]))
    return 0


def cmd_index(sv: Services, args: argparse.Namespace) -> int:
    login(sv, args)
    if args.action == "rebuild":
        n = sv.search.rebuild(progress=TtyProgress())
        _done(args, {"docs": n}, _("Índice reconstruido: {n} registros.").format(n=n))
        return 0
    if args.action == "verify":
        rebuilt = sv.search.ensure(progress=TtyProgress())
        _done(args, {"rebuilt": rebuilt}, _("El índice estaba dañado y se reconstruyó.") if rebuilt else _("Índice en buen estado."))
        return 0
    if args.action == "update":
        n = sv.search.catch_up()
        _done(args, {"applied": n}, _("{n} cambios aplicados al índice.").format(n=n))
        return 0
    st = sv.search.status()
    data = {"state": str(st.health.state), "docs": st.health.doc_count, "cursor": st.health.cursor,
            "feed_position": st.feed_position, "pending": st.pending, "segments": st.health.segments}  # fmt: skip
    if args.json:
        emit_json(data)
    else:
        for k, v in data.items():
            print(f"{k}: {v}")
    return 0


COMMANDS: dict[str, Handler] = {"search": cmd_search, "index": cmd_index}
