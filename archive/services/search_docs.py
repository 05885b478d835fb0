"""What the search index holds: a ``SearchDoc`` built from each searchable database row.

One function per table; the indexer calls :func:`docs_for` with the ids a batch of the change
feed touched and gets back the documents to (re)write and the ids to remove (soft-deleted rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from archive.db.models import (
    Dependencia,
    Expediente,
    Incident,
    Loan,
    Location,
    Serie,
    Subserie,
    Unit,
    UnitType,
)
from archive.search.port import SearchDoc

#: Tables whose changes reach the index.
INDEXED_TABLES = ("expediente", "unit", "location", "serie", "subserie", "dependencia", "incident", "loan")
CHUNK = 900  # ids per IN (...) (SQLite's variable limit is 999 on old builds)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _expedientes(s: Session, ids: Sequence[str] | None) -> Iterator[tuple[str, SearchDoc | None]]:
    box = aliased(Unit)
    q = (
        select(Expediente, Dependencia.code, Serie.name, Subserie.name)
        .join(Dependencia, Dependencia.id == Expediente.dependencia_id)
        .outerjoin(Serie, Serie.id == Expediente.serie_id)
        .outerjoin(Subserie, Subserie.id == Expediente.subserie_id)
    )
    boxes: dict[str, str] = {}
    for part in _parts(ids):
        qq = q if part is None else q.where(Expediente.id.in_(part))
        rows = s.execute(qq.execution_options(yield_per=5000))
        if part is not None:
            boxes = dict(
                s.execute(
                    select(Unit.expediente_id, box.barcode).join(box, box.id == Unit.parent_id)
                    .where(Unit.expediente_id.in_(part))
                ).all()
            )  # fmt: skip
        for e, dep, serie, sub in rows:
            if e.deleted_at is not None:
                yield e.id, None
                continue
            fields: dict[str, str | int] = {"dependencia": dep, "stage": e.stage, "state": e.state}
            if serie:
                fields["serie"] = serie
            if sub:
                fields["subserie"] = sub
            year = (e.opened_on or e.closed_on)
            if year is not None:
                fields["year"] = year.year
            if e.id in boxes:
                fields["caja"] = boxes[e.id]
            yield e.id, SearchDoc(e.id, "expediente", e.title, e.number, e.notes, fields)


def _units(s: Session, ids: Sequence[str] | None) -> Iterator[tuple[str, SearchDoc | None]]:
    q = (
        select(Unit, UnitType.name, Dependencia.code)
        .join(UnitType, UnitType.id == Unit.unit_type_id)
        .outerjoin(Dependencia, Dependencia.id == Unit.dependencia_id)
    )
    for part in _parts(ids):
        qq = q if part is None else q.where(Unit.id.in_(part))
        for u, type_name, dep in s.execute(qq.execution_options(yield_per=5000)):
            if u.deleted_at is not None:
                yield u.id, None
                continue
            kind = "caja" if u.kind == "caja" else "carpeta"
            fields: dict[str, str | int] = {"state": "cerrado" if u.status == "eliminado" else "abierto"}
            if dep:
                fields["dependencia"] = dep
            title = f"{type_name} {u.number}".strip()
            yield u.id, SearchDoc(u.id, kind, title, u.barcode, u.notes, fields)


def _locations(s: Session, ids: Sequence[str] | None) -> Iterator[tuple[str, SearchDoc | None]]:
    for part in _parts(ids):
        q = select(Location) if part is None else select(Location).where(Location.id.in_(part))
        for loc in s.scalars(q.execution_options(yield_per=5000)):
            if loc.deleted_at is not None:
                yield loc.id, None
            else:
                yield loc.id, SearchDoc(loc.id, "ubicacion", loc.name or loc.path, loc.path, loc.barcode)


def _simple(model: Any, kind: str) -> Callable[[Session, Sequence[str] | None], Iterator[tuple[str, SearchDoc | None]]]:
    def load(s: Session, ids: Sequence[str] | None) -> Iterator[tuple[str, SearchDoc | None]]:
        for part in _parts(ids):
            q = select(model) if part is None else select(model).where(model.id.in_(part))
            for row in s.scalars(q):
                if row.deleted_at is not None:
                    yield row.id, None
                elif kind == "novedad":
                    yield row.id, SearchDoc(row.id, kind, row.description or row.kind, row.kind, row.resolution,
                                            {"state": "abierto" if row.state == "abierta" else "cerrado"})  # fmt: skip
                else:
                    yield row.id, SearchDoc(row.id, kind, row.name, row.code)

    return load


def _loans(s: Session, ids: Sequence[str] | None) -> Iterator[tuple[str, SearchDoc | None]]:
    q = (select(Loan, Unit.barcode, Dependencia.code).join(Unit, Unit.id == Loan.unit_id)
         .join(Dependencia, Dependencia.id == Loan.dependencia_id))  # fmt: skip
    for part in _parts(ids):
        qq = q if part is None else q.where(Loan.id.in_(part))
        for ln, barcode, dep in s.execute(qq.execution_options(yield_per=5000)):
            if ln.deleted_at is not None:
                yield ln.id, None
                continue
            state = "abierto" if ln.state in ("solicitado", "prestado") else "cerrado"
            yield ln.id, SearchDoc(ln.id, "prestamo", f"{barcode} — {ln.requester_name}", barcode, ln.purpose,
                                   {"dependencia": dep, "state": state})  # fmt: skip


LOADERS: dict[str, Callable[[Session, Sequence[str] | None], Iterator[tuple[str, SearchDoc | None]]]] = {
    "expediente": _expedientes,
    "unit": _units,
    "location": _locations,
    "serie": _simple(Serie, "serie"),
    "subserie": _simple(Subserie, "subserie"),
    "dependencia": _simple(Dependencia, "dependencia"),
    "incident": _simple(Incident, "novedad"),
    "loan": _loans,
}


def _parts(ids: Sequence[str] | None) -> Iterable[Sequence[str] | None]:
    return [None] if ids is None else _chunks(list(ids))


def docs_for(s: Session, table: str, ids: Sequence[str]) -> tuple[list[SearchDoc], list[str]]:
    """Documents to write and ids to remove for the rows ``ids`` of ``table``."""
    docs, gone = [], []
    seen = set()
    for row_id, doc in LOADERS[table](s, ids):
        seen.add(row_id)
        if doc is None:
            gone.append(row_id)
        else:
            docs.append(doc)
    gone.extend(i for i in ids if i not in seen)  # rows that no longer exist at all
    return docs, gone


def all_docs(s: Session) -> Iterator[SearchDoc]:
    """Every searchable record (for a rebuild)."""
    for table in INDEXED_TABLES:
        for _, doc in LOADERS[table](s, None):
            if doc is not None:
                yield doc


def count_all(s: Session) -> int:
    models = (Expediente, Unit, Location, Serie, Subserie, Dependencia, Incident, Loan)
    return sum(s.scalar(select(func.count()).select_from(m).where(m.deleted_at.is_(None))) or 0 for m in models)
