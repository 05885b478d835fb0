"""Capture: attaching scanned documents by their barcode, and importing data-collector files.

- :meth:`CaptureService.attach` links a scanned file to the expediente/carpeta/caja named by the
  barcode decoded from it (decoding happens outside, in ``scanners.worker``; this service takes the
  decoded values so it stays free of OpenCV). The file stays where it is; the row keeps its path
  and SHA-256 (docs/CAPTURE.md).
- :meth:`CaptureService.import_collector` validates a collector file (row-level problems), then
  replays its lines in timestamp order as moves (method ``collector``) or count scans, in one
  transaction where a line that fails is reported and skipped: move lines are checked and
  written together (``archive.services.bulk_moves``), count lines with a savepoint each. Each
  applied line's hash is recorded so a second import of the same file applies nothing. ``dry_run`` previews without writing. Reception lines (the
  cajas and carpetas read when a transfer arrives) are added to that transfer's cotejo, computed
  by the same functions as ``TransferService.receive``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.bulk import insert_tuples, select_in
from archive.db.engine import bulk_page_cache
from archive.db.models import (
    CollectorLine,
    CollectorProfile,
    CountScan,
    CountSession,
    DocumentAttachment,
    Transfer,
)
from archive.db.uow import UnitOfWork
from archive.domain.barcodes import BarcodeKind
from archive.domain.collector import (
    BUILTIN_PROFILES,
    LEGACY_BELOW,
    CollectorRecord,
    Profile,
    parse_collector_file,
)
from archive.domain.errors import (
    LegajoError,
    NotFound,
    PermissionDenied,
    RowProblem,
    ValidationError,
)
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.bulk_moves import MoveLine, gc_paused, plan_moves, write_plan
from archive.services.changes import Changes
from archive.services.moves import UNIT_SCAN
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan
from archive.services.transfers import (
    OPEN,
    Cotejo,
    compare_reception,
    received_so_far,
    store_cotejo,
)

ATTACH_KINDS = {BarcodeKind.EXPEDIENTE, BarcodeKind.CARPETA, BarcodeKind.CAJA}
LINE_COLUMNS = ("line_hash", "row", "detail")
LINE_SHARED = ("file_name", "profile", "outcome", "applied_at", "applied_by")  # one value per file


@dataclass(frozen=True)
class AttachResult:
    path: str
    value: str | None
    target: str  # "expediente" | "unidad" | ""
    target_id: str | None
    created: bool
    problem: str | None
    changes: Changes


class LineOutcome(NamedTuple):
    """What became of one line (a tuple: a file's import makes tens of thousands)."""

    row: int
    barcode: str
    operation: str
    outcome: str  # applied | duplicate | failed | would_apply
    detail: str = ""


@dataclass
class CollectorImportResult:
    file: str
    profile: str
    encoding: str
    lines: int
    dry_run: bool
    problems: list[RowProblem] = field(default_factory=list)
    outcomes: list[LineOutcome] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    #: the transfer's cotejo with this file's reception lines added (stored unless dry run);
    #: None when the file had no reception line to apply
    cotejo: Cotejo | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class CaptureService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    # ------------------------------------------------------------------ attachments

    def attach(
        self,
        actor: Actor,
        path: Path,
        values: Sequence[str],
        *,
        pages: int = 1,
        dry_run: bool = False,
    ) -> AttachResult:
        """Attach ``path`` to the record named by the first of ``values`` that resolves.

        ``values`` are the confirmed barcodes decoded from the file (cover or separator sheet).
        A file whose values name nothing (or several different records) is refused with a
        problem text instead of guessing.
        """
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            s = uow.session
            targets: dict[str, tuple[str, str, str]] = {}
            last_error = ""
            for value in values:
                try:
                    t = resolve_scan(s, value, ATTACH_KINDS)
                except LegajoError as exc:
                    last_error = exc.untranslated()
                    continue
                if t.expediente is not None:
                    targets[t.expediente.id] = ("expediente", t.expediente.id, t.value)
                elif t.unit is not None:
                    targets[t.unit.id] = ("unidad", t.unit.id, t.value)
            if len(targets) != 1:
                problem = (
                    N_("El archivo tiene códigos de varios registros; sepárelo.") if targets
                    else last_error or N_("No se encontró ningún código de barras legible en el archivo.")
                )  # fmt: skip
                return AttachResult(str(path), None, "", None, False, problem, Changes())
            kind, target_id, value = next(iter(targets.values()))
            digest = sha256_file(path)
            exp_id = target_id if kind == "expediente" else None
            unit_id = target_id if kind == "unidad" else None
            existing = s.scalar(
                select(DocumentAttachment).where(
                    DocumentAttachment.sha256 == digest,
                    DocumentAttachment.expediente_id.is_(exp_id)
                    if exp_id is None
                    else DocumentAttachment.expediente_id == exp_id,
                    DocumentAttachment.unit_id.is_(unit_id)
                    if unit_id is None
                    else DocumentAttachment.unit_id == unit_id,
                    DocumentAttachment.deleted_at.is_(None),
                )
            )
            if existing is not None or dry_run:
                return AttachResult(str(path), value, kind, target_id, False, None, Changes())
            row = DocumentAttachment(expediente_id=exp_id, unit_id=unit_id, path=str(path.resolve()), sha256=digest,
                                     pages=pages, decoded_value=value, at=self.rt.now(), by=actor.username)  # fmt: skip
            s.add(row)
            s.flush()
            write_audit(uow, self.rt, actor, module="captura", action="document.attach", entity="document_attachment",
                        entity_id=row.id, after={"path": row.path, "sha256": digest, "value": value, "target": kind})  # fmt: skip
            uow.commit()
            return AttachResult(str(path), value, kind, target_id, True, None, Changes(units=True))

    # ------------------------------------------------------------------ collector profiles

    def profiles(self, actor: Actor) -> dict[str, Profile]:
        """Built-in and custom collector profiles by name."""
        with self.rt.uow(actor, write=False) as uow:
            custom = {r.name: Profile.from_json(r.spec) for r in uow.session.scalars(
                select(CollectorProfile).where(CollectorProfile.deleted_at.is_(None)))}  # fmt: skip
        return BUILTIN_PROFILES | custom

    def save_profile(self, actor: Actor, profile: Profile) -> Changes:
        """Create or replace a custom profile (built-in names are reserved)."""
        profile.validate()
        if profile.name in BUILTIN_PROFILES:
            raise ValidationError(
                "collector.profile_builtin",
                N_("El perfil {name} es de fábrica; use otro nombre."),
                name=profile.name,
            )
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            s = uow.session
            row = s.scalar(
                select(CollectorProfile).where(
                    CollectorProfile.name == profile.name, CollectorProfile.deleted_at.is_(None)
                )
            )
            if row is None:
                row = CollectorProfile(name=profile.name, spec=profile.to_json())
                s.add(row)
            else:
                _refuse_rereading(s, Profile.from_json(row.spec), profile)
                row.spec = profile.to_json()
            s.flush()
            write_audit(uow, self.rt, actor, module="captura", action="collector.profile", entity="collector_profile",
                        entity_id=row.id, after={"name": profile.name})  # fmt: skip
            uow.commit()
        return Changes()

    # ------------------------------------------------------------------ collector import

    def import_collector(
        self,
        actor: Actor,
        data: bytes,
        file_name: str,
        profile_name: str,
        *,
        dry_run: bool = False,
        count_session_id: str | None = None,
        transfer_ref: str | None = None,
    ) -> CollectorImportResult:
        """Validate, then replay a collector file in timestamp order (see module docstring).

        Args:
            count_session_id: the open count that count lines belong to.
            transfer_ref: the arriving transfer (its id, or its N° T as ``2026-004``) that the
                reception lines are checked against. When the file has reception lines still
                to apply and the transfer is missing or no longer open, nothing is applied.
        """
        profiles = self.profiles(actor)
        profile = profiles.get(profile_name)
        if profile is None:
            raise NotFound("collector.profile_unknown", N_("No existe el perfil de colector {name}. Perfiles: {names}."),
                           name=profile_name, names=", ".join(sorted(profiles)))  # fmt: skip
        with gc_paused():  # tens of thousands of short-lived rows at once
            return self._import(
                actor, data, file_name, profile, dry_run, count_session_id, transfer_ref
            )

    def _import(self, actor: Actor, data: bytes, file_name: str, profile: Profile, dry_run: bool,
                count_session_id: str | None, transfer_ref: str | None) -> CollectorImportResult:  # fmt: skip
        parsed = parse_collector_file(data, profile, file_name)
        result = CollectorImportResult(
            file_name, profile.name, parsed.encoding, parsed.lines, dry_run, parsed.problems
        )
        records = sorted(parsed.records, key=attrgetter("at", "row"))
        for op, needed in (
            ("count", Permission.INVENTORY_COUNT),
            ("reception", Permission.TRANSFERS_MANAGE),
        ):
            if any(r.operation == op for r in records) and not actor.can(needed):
                raise PermissionDenied("auth.denied", N_("No tiene permiso para: {permission}."),
                                       permission=needed.value)  # fmt: skip
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            with bulk_page_cache(uow.session.connection()):  # thousands of rows read and written
                reception = self._replay(
                    uow, actor, records, result, profile, count_session_id, transfer_ref
                )
            if reception is not None:
                result.cotejo = reception.cotejo
                if not dry_run:
                    store_cotejo(uow, self.rt, actor, reception.transfer, reception.cotejo,
                                 reason=f"colector {file_name}")  # fmt: skip
            applied = result.count("applied")
            if dry_run or not applied:
                return result
            write_audit(uow, self.rt, actor, module="captura", action="collector.import", entity="collector_file",
                        entity_id=file_name[:60],
                        after={"file": file_name, "profile": profile.name, "applied": applied,
                               "duplicates": result.count("duplicate"), "failed": result.count("failed"),
                               "problems": len(result.problems)})  # fmt: skip
            uow.commit()
        result.changes = Changes(records=reception is not None, units=True, locations=True)
        return result

    def _replay(self, uow: UnitOfWork, actor: Actor, records: list[CollectorRecord], result: CollectorImportResult,
                profile: Profile, count_session_id: str | None, transfer_ref: str | None) -> _Reception | None:  # fmt: skip
        """Replay ``records`` (new lines applied, the others reported) into ``result``; writes
        nothing for a dry run. Returns the reception lines' cotejo, if any."""
        file_name, dry_run = result.file, result.dry_run
        s = uow.session
        done = _applied_lines(s.connection(), records)
        fresh: list[bool] = []
        seen: set[str] = set()
        for rec in records:
            fresh.append(rec.line_hash not in done and rec.line_hash not in seen)
            seen.add(rec.line_hash)
        moves = [
            rec for rec, new in zip(records, fresh, strict=True) if new and rec.operation == "move"
        ]
        plan = plan_moves(
            s, [MoveLine(r.barcode, r.location, f"colector fila {r.row}") for r in moves]
        )
        planned = iter(plan.results)
        reception = _Reception.start(s, records, done, transfer_ref)
        lines: list[tuple[Any, ...]] = []  # the applied lines' collector_line rows
        outcomes, done_as = result.outcomes, "would_apply" if dry_run else "applied"
        for rec, new in zip(records, fresh, strict=True):
            if not new:
                outcomes.append(LineOutcome(rec.row, rec.barcode, rec.operation, "duplicate"))
                continue
            if rec.operation == "move":
                outcome = next(planned)
            elif rec.operation == "reception":
                assert reception is not None  # started: this line was not applied before
                outcome = reception.detail(rec.barcode)
            else:
                outcome = self._replay_count(s, rec, count_session_id, dry_run)
            if isinstance(outcome, LegajoError):
                outcomes.append(LineOutcome(rec.row, rec.barcode, rec.operation, "failed",
                                            outcome.untranslated()))  # fmt: skip
                result.problems.append(RowProblem(rec.row, "barcode", outcome.code, outcome.template,
                                                  dict(outcome.params)))  # fmt: skip
                continue
            outcomes.append(LineOutcome(rec.row, rec.barcode, rec.operation, done_as, outcome))
            lines.append((rec.line_hash, rec.row, outcome))
        if not dry_run:
            write_plan(uow, self.rt, actor, plan, method="collector")
            shared = (file_name[:255], profile.name, "applied", self.rt.now(), actor.username)
            insert_tuples(s.connection(), CollectorLine.__table__, LINE_COLUMNS, lines,  # type: ignore[arg-type]
                          bound=LINE_COLUMNS, constants=dict(zip(LINE_SHARED, shared, strict=True)))  # fmt: skip
        return reception

    def import_dropped(
        self, actor: Actor, path: Path, profile_name: str
    ) -> tuple[CollectorImportResult | None, Path]:
        """Folder watch: import ``path``, then move it to ``procesados/`` (clean) or ``errores/``
        (problems, or unreadable) beside it, with ``<name>.informe.txt`` listing every problem.

        Returns the result (``None`` when the file could not be imported at all) and where the
        file went.
        """
        done_dir, err_dir = path.parent / "procesados", path.parent / "errores"
        done_dir.mkdir(exist_ok=True)
        err_dir.mkdir(exist_ok=True)
        try:
            imported = self.import_collector(actor, path.read_bytes(), path.name, profile_name)
            lines = [
                f"{path.name}, fila {p.row}, campo {p.field or '-'}: {p.untranslated()}"
                for p in imported.problems
            ]
            result: CollectorImportResult | None = imported
        except PermissionDenied:
            raise  # not the file's fault: leave it where it is
        except (LegajoError, OSError) as exc:
            result = None
            lines = [f"{path.name}: {exc.untranslated() if isinstance(exc, LegajoError) else exc}"]
        target = (err_dir if lines else done_dir) / path.name
        if target.exists():
            target = target.with_name(f"{path.stem}-{self.rt.now():%Y%m%d%H%M%S}{path.suffix}")
        if lines:
            target.with_name(target.name + ".informe.txt").write_text(
                "\n".join(lines) + "\n", "utf-8"
            )
        path.replace(target)
        return result, target

    def _replay_count(
        self, s: Session, rec: CollectorRecord, count_session_id: str | None, dry_run: bool
    ) -> str | LegajoError:
        """A count line as a count scan, in its own savepoint (rolled back for a preview):
        the detail text, or the error that stops the line."""
        nested = s.begin_nested()
        try:
            if count_session_id is None:
                raise ValidationError(
                    "collector.count_session",
                    N_("Las líneas de conteo necesitan un conteo abierto (--count-session)."),
                )
            session = s.get(CountSession, count_session_id)
            if session is None or session.state == "cerrado":
                raise ValidationError(
                    "collector.count_closed",
                    N_("El conteo {id} no existe o está cerrado."),
                    id=count_session_id,
                )
            loc = resolve_scan(s, rec.location, {BarcodeKind.UBICACION}).location
            assert loc is not None
            try:
                unit = resolve_scan(s, rec.barcode, UNIT_SCAN).unit
            except NotFound:
                unit = None
            s.add(CountScan(session_id=session.id, location_id=loc.id, unit_id=unit.id if unit else None,
                            barcode=rec.barcode, at=rec.at))  # fmt: skip
            s.flush()
        except LegajoError as exc:
            nested.rollback()
            return exc
        if dry_run:
            nested.rollback()
        else:
            nested.commit()
        return f"{rec.barcode} contado en {loc.path}"


_TRANSFER_NUMBER = re.compile(r"(\d{4})-(\d{1,6})")


@dataclass
class _Reception:
    """The reception lines of one import, checked against the arriving transfer.

    Their barcodes are added to those the transfer's stored cotejo was made of (an earlier file,
    or the scans at the reception dialog), so a second file completes the cotejo instead of
    replacing it; lines imported before are duplicates and add nothing.
    """

    transfer: Transfer
    cotejo: Cotejo

    @classmethod
    def start(cls, s: Session, records: Sequence[CollectorRecord], done: set[str],
              transfer_ref: str | None) -> _Reception | None:  # fmt: skip
        """None when no reception line is left to apply; raises when the transfer is missing,
        unknown or no longer open (before any line is applied)."""
        scans = [
            r.barcode for r in records if r.operation == "reception" and r.line_hash not in done
        ]
        if not scans:
            return None
        transfer = _open_transfer(s, (transfer_ref or "").strip())
        before, folios = received_so_far(s, transfer)
        return cls(transfer, compare_reception(s, transfer, [*before, *scans], folios))

    def detail(self, barcode: str) -> str:
        if barcode in self.cotejo.extra:
            return f"{barcode} no pertenece a la transferencia (sobrante)"
        return f"{barcode} recibido"


def _open_transfer(s: Session, ref: str) -> Transfer:
    """The open transfer named by its id or its N° T (``2026-004``, as lists show it)."""
    if not ref:
        raise ValidationError("collector.transfer_needed",
                              N_("El archivo tiene líneas de recepción: indique la transferencia que llega (--transfer)."))  # fmt: skip
    t = s.get(Transfer, ref)
    number = _TRANSFER_NUMBER.fullmatch(ref)
    if t is None and number is not None:
        t = s.scalar(select(Transfer).where(Transfer.year == int(number[1]), Transfer.number == int(number[2]),
                                            Transfer.deleted_at.is_(None)))  # fmt: skip
    if t is None or t.deleted_at is not None:
        raise NotFound(
            "collector.transfer_unknown", N_("No existe la transferencia {ref}."), ref=ref
        )
    if t.status not in OPEN:
        raise ValidationError("collector.transfer_closed",
                              N_("La transferencia {ref} está «{status}»: solo se reciben transferencias en borrador o enviadas. No se aplicó ninguna línea."),
                              ref=ref, status=t.status)  # fmt: skip
    return t


#: What decides a line's fields and its time, and so its key (``line_key``: the scan day).
_READING = ("kind", "fields", "widths", "delimiter", "date_format", "time_format")


def _refuse_rereading(s: Session, old: Profile, new: Profile) -> None:
    """Raise if ``new`` reads lines differently from ``old`` and lines were imported with it:
    the same file would then give other keys and apply again."""
    changed = [name for name in _READING if getattr(old, name) != getattr(new, name)]
    if changed and s.scalar(
        select(CollectorLine.line_hash).where(CollectorLine.profile == old.name).limit(1)
    ):
        raise ValidationError(
            "collector.profile_in_use",
            N_("Con el perfil {name} ya se importaron archivos: si cambia cómo lee los campos o las "
               "fechas ({settings}), esos archivos se tomarían como nuevos y se aplicarían otra vez. "
               "Cree un perfil con otro nombre."),
            name=old.name,
            settings=", ".join(changed),
        )  # fmt: skip


_APPLIED = f"SELECT line_hash FROM {CollectorLine.__tablename__} WHERE line_hash IN"
#: Whether any line was stored under its old key (a bare hash): one step into the key's index.
_ANY_LEGACY = (
    f"SELECT 1 FROM {CollectorLine.__tablename__} WHERE line_hash < '{LEGACY_BELOW}' LIMIT 1"
)


def _applied_lines(conn: Any, records: Sequence[CollectorRecord]) -> set[str]:
    """The keys (``line_hash``) of the records applied before: found by key or, where lines
    were stored before keys began with their scan day, by their old key."""
    done = {h for (h,) in select_in(conn, _APPLIED, [r.line_hash for r in records])}
    if conn.exec_driver_sql(_ANY_LEGACY).first() is not None:
        old = {r.legacy_hash: r.line_hash for r in records if r.line_hash not in done}
        done.update(old[h] for (h,) in select_in(conn, _APPLIED, list(old)))
    return done
