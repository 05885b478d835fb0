"""CLI for capture: decode barcodes in images/PDFs, attach scans, import collector files."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from archive.domain.collector import Profile
from archive.domain.errors import NotFound, ValidationError
from archive.i18n import N_, _, render_error
from archive.services.container import Services
from archive.services.runtime import Actor
from cli.commands import Handler, login
from cli.output import emit_json


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    dec = sub.add_parser(
        "decode", parents=[common], help=_("leer códigos de barras de imágenes y PDF")
    )
    dec.add_argument("files", nargs="+", type=Path, metavar=_("ARCHIVO"))
    dec.add_argument("--timeout", type=float, default=60.0, help=_("segundos máximos por archivo"))
    att = sub.add_parser(
        "attach", parents=[common], help=_("anexar documentos escaneados por su código de barras")
    )
    att.add_argument("files", nargs="+", type=Path, metavar=_("ARCHIVO"))
    att.add_argument(
        "--dry-run", action="store_true", help=_("solo mostrar a qué registro se anexaría")
    )
    col = sub.add_parser("collector", parents=[common], help=_("archivos de colectores de datos"))
    cs = col.add_subparsers(dest="action", required=True, metavar=_("acción"))
    imp = cs.add_parser("import", parents=[common], help=_("importar un archivo de colector"))
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--profile", required=True, help=_("perfil de formato (csv-basico, ancho-fijo…)")
    )
    imp.add_argument(
        "--dry-run", action="store_true", help=_("validar y previsualizar sin aplicar")
    )
    imp.add_argument("--count-session", help=_("conteo abierto para las líneas de conteo"))
    imp.add_argument(
        "--transfer",
        help=_("transferencia que llega (id o N° T) para las líneas de recepción"),
    )
    w = cs.add_parser(
        "watch", parents=[common], help=_("importar los archivos que lleguen a una carpeta")
    )
    w.add_argument("dir", type=Path)
    w.add_argument("--profile", required=True)
    w.add_argument("--interval", type=float, default=5.0)
    w.add_argument("--once", action="store_true", help=_("procesar lo que haya y salir"))
    cs.add_parser("profiles", parents=[common], help=_("perfiles disponibles"))
    show = cs.add_parser(
        "profile", parents=[common], help=_("mostrar un perfil en JSON (para copiarlo y editarlo)")
    )
    show.add_argument("name", metavar=_("NOMBRE"))
    save = cs.add_parser(
        "save-profile",
        parents=[common],
        help=_("crear o reemplazar un perfil desde un archivo JSON"),
    )
    save.add_argument("file", type=Path, metavar=_("ARCHIVO"))


def _files(paths: list[Path]) -> list[Path]:
    from scanners.images import is_supported

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and is_supported(f)))
        else:
            out.append(p)
    return out


def cmd_decode(sv: Services, args: argparse.Namespace) -> int:
    """No login: it only reads files (in a worker process, so a decoder crash is just reported)."""
    from scanners.worker import decode_files

    failed = 0
    rows: list[dict[str, object]] = []
    for outcome in decode_files(_files(args.files), timeout=args.timeout):
        if not outcome.ok:
            failed += 1
            rows.append(
                {"file": str(outcome.path), "error": outcome.code, "message": outcome.error}
            )
            if not args.json:
                print(
                    _("{file}: no se pudo leer ({reason})").format(
                        file=outcome.path, reason=outcome.error
                    ),
                    file=sys.stderr,
                )
            continue
        for d in outcome.found:
            rows.append({"file": str(outcome.path), "symbology": d.symbology, "value": d.value, "page": d.page,
                         "position": list(d.position)})  # fmt: skip
            if not args.json:
                print(d.value)
    if args.json:
        emit_json(rows)
    return 3 if failed else 0


def cmd_attach(sv: Services, args: argparse.Namespace) -> int:
    from scanners.worker import decode_files

    actor = login(sv, args)
    results: list[dict[str, object]] = []
    bad = 0
    for outcome in decode_files(_files(args.files)):
        if not outcome.ok:
            bad += 1
            results.append({"file": str(outcome.path), "attached": False, "problem": outcome.error})
            continue
        pages = max((d.page for d in outcome.found), default=1)
        r = sv.capture.attach(
            actor, outcome.path, [d.value for d in outcome.found], pages=pages, dry_run=args.dry_run
        )
        bad += r.problem is not None
        results.append({"file": r.path, "value": r.value, "target": r.target, "target_id": r.target_id,
                        "attached": r.created, "problem": _(r.problem) if r.problem else None})  # fmt: skip
    if args.json:
        emit_json(results)
    else:
        for r2 in results:
            if r2.get("problem"):
                print(_("{file}: {problem}").format(file=r2["file"], problem=r2["problem"]))
            else:
                verb = (
                    _("se anexaría a")
                    if args.dry_run
                    else (_("anexado a") if r2["attached"] else _("ya estaba anexado a"))
                )
                print(f"{r2['file']}: {verb} {r2['target']} {r2['value']}")
    return 3 if bad else 0


def _print_import(result: object, as_json: bool) -> None:
    from archive.services.capture import CollectorImportResult

    assert isinstance(result, CollectorImportResult)
    c = result.cotejo
    if as_json:
        emit_json({
            "file": result.file, "profile": result.profile, "encoding": result.encoding, "lines": result.lines,
            "dry_run": result.dry_run,
            "applied": result.count("applied"), "would_apply": result.count("would_apply"),
            "duplicates": result.count("duplicate"), "failed": result.count("failed"),
            "problems": [{"file": result.file, "row": p.row, "field": p.field, "code": p.code,
                          "message": _(p.template).format(**p.params)} for p in result.problems],
            "cotejo": None if c is None else {"ok": c.ok, "expected": c.expected, "scanned": c.scanned,
                                              "missing": list(c.missing), "extra": list(c.extra),
                                              "folio_diffs": [list(d) for d in c.folio_diffs]},
        })  # fmt: skip
        return
    for p in sorted(result.problems, key=lambda p: p.row):
        print(_("{file}, fila {row}, campo {field}: {message}").format(
            file=result.file, row=p.row, field=p.field or "-", message=_(p.template).format(**p.params)))  # fmt: skip
    head = _("Vista previa") if result.dry_run else _("Importado")
    print(_("{head}: {lines} líneas ({enc}); aplicadas {a}, por aplicar {w}, repetidas {d}, con error {e}.").format(
        head=head, lines=result.lines, enc=result.encoding, a=result.count("applied"), w=result.count("would_apply"),
        d=result.count("duplicate"), e=len(result.problems)))  # fmt: skip
    if c is not None:
        print(_("Cotejo correcto: {n} unidades.").format(n=c.expected) if c.ok
              else _("Cotejo con diferencias: faltan {m}, sobran {x}, folios distintos {f}.").format(
                  m=", ".join(c.missing) or "—", x=", ".join(c.extra) or "—", f=len(c.folio_diffs)))  # fmt: skip


def cmd_collector(sv: Services, args: argparse.Namespace) -> int:
    actor = login(sv, args)
    if args.action == "profiles":
        profiles = sv.capture.profiles(actor)
        if args.json:
            emit_json({n: p.to_json() for n, p in profiles.items()})
        else:
            for name in sorted(profiles):
                print(name)
        return 0
    if args.action == "profile":
        profiles = sv.capture.profiles(actor)
        found = profiles.get(args.name)
        if found is None:
            raise NotFound("collector.profile_unknown", N_("No existe el perfil de colector {name}. Perfiles: {names}."),
                           name=args.name, names=", ".join(sorted(profiles)))  # fmt: skip
        print(json.dumps(json.loads(found.to_json()), ensure_ascii=False, indent=2))
        return 0
    if args.action == "save-profile":
        try:
            try:
                text = args.file.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as e:
                raise ValidationError("collector.profile_encoding",
                                      N_("El archivo no está en UTF-8 (byte {position})."),
                                      position=e.start) from e  # fmt: skip
            profile = Profile.from_json(text)
        except ValidationError as e:  # the reason, said of the file it is in
            raise ValidationError("collector.profile_file", N_("{file}: {message}"),
                                  file=str(args.file), message=render_error(e)) from e  # fmt: skip
        sv.capture.save_profile(actor, profile)
        print(_("Perfil {name} guardado.").format(name=profile.name))
        return 0
    if args.action == "import":
        result = sv.capture.import_collector(actor, args.file.read_bytes(), args.file.name, args.profile,
                                             dry_run=args.dry_run, count_session_id=args.count_session,
                                             transfer_ref=args.transfer)  # fmt: skip
        _print_import(result, args.json)
        return 3 if result.problems else 0
    return _watch(sv, actor, args)


def _watch(sv: Services, actor: Actor, args: argparse.Namespace) -> int:
    """Poll ``dir``: import each file, moving it to procesados/ or errores/ (with a report)."""
    while True:
        for f in sorted(
            p for p in args.dir.iterdir() if p.is_file() and not p.name.startswith(".")
        ):
            result, target = sv.capture.import_dropped(actor, f, args.profile)
            if result is None:
                print(
                    _("{file}: no se pudo importar; ver {target}.informe.txt").format(
                        file=f.name, target=target
                    )
                )
                continue
            print(_("{file}: aplicadas {a}, repetidas {d}, con error {e} → {target}").format(
                file=f.name, a=result.count("applied"), d=result.count("duplicate"), e=len(result.problems),
                target=target.parent.name))  # fmt: skip
        if args.once:
            return 0
        time.sleep(args.interval)


COMMANDS: dict[str, Handler] = {
    "decode": cmd_decode,
    "attach": cmd_attach,
    "collector": cmd_collector,
}
