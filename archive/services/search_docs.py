"""What the search index holds: a ``SearchDoc`` built from each searchable database row.

One function per table; the indexer calls :func:`docs_for` with the ids a batch of the change
feed touched and gets back the documents to (re)write and the ids to remove (soft-deleted rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, not_, or_, select
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


_HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``: the rows whose id ends in every ``count``-th hex digit
    from the ``index``-th (ids are UUIDs: the last digit is evenly spread); the last shard also
    takes any id that does not end in a hex digit, so the shards hold every row exactly once."""

    index: int
    count: int

    def where(self, column: Any) -> ColumnElement[bool]:
        mine = or_(*(column.like(f"%{c}") for c in _HEX[self.index :: self.count]))
        if self.index < self.count - 1:
            return mine
        return or_(mine, not_(or_(*(column.like(f"%{c}") for c in _HEX))))


Part = Sequence[str] | Shard | None


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _match(column: Any, part: Sequence[str] | Shard) -> ColumnElement[bool]:
    return part.where(column) if isinstance(part, Shard) else column.in_(part)


def _expedientes(s: Session, ids: Part) -> Iterator[tuple[str, SearchDoc | None]]:
    e, carpeta, box = Expediente, aliased(Unit), aliased(Unit)
    caja = (
        select(box.barcode).select_from(carpeta).join(box, box.id == carpeta.parent_id)
        .where(carpeta.expediente_id == e.id).order_by(carpeta.sequence).limit(1)
        .correlate(e).scalar_subquery()
    )  # fmt: skip
    q = (
        select(e.id, e.deleted_at, e.title, e.number, e.notes, e.stage, e.state, e.opened_on,
               e.closed_on, Dependencia.code, Serie.name, Subserie.name, caja)
        .join(Dependencia, Dependencia.id == e.dependencia_id)
        .outerjoin(Serie, Serie.id == e.serie_id)
        .outerjoin(Subserie, Subserie.id == e.subserie_id)
    )  # fmt: skip
    for part in _parts(ids):
        qq = q if part is None else q.where(_match(e.id, part))
        for (row_id, deleted, title, number, notes, stage, state, opened, closed, dep, serie, sub,
             box_code) in s.execute(qq.execution_options(yield_per=5000)):  # fmt: skip
            if deleted is not None:
                yield row_id, None
                continue
            fields: dict[str, str | int] = {"dependencia": dep, "stage": stage, "state": state}
            if serie:
                fields["serie"] = serie
            if sub:
                fields["subserie"] = sub
            day = opened or closed
            if day is not None:
                fields["year"] = day.year
            if box_code:
                fields["caja"] = box_code
            yield row_id, SearchDoc(row_id, "expediente", title, number, notes, fields)


def _units(s: Session, ids: Part) -> Iterator[tuple[str, SearchDoc | None]]:
    u = Unit
    q = (
        select(u.id, u.deleted_at, u.kind, u.status, u.number, u.barcode, u.notes, UnitType.name,
               Dependencia.code)
        .join(UnitType, UnitType.id == u.unit_type_id)
        .outerjoin(Dependencia, Dependencia.id == u.dependencia_id)
    )  # fmt: skip
    for part in _parts(ids):
        qq = q if part is None else q.where(_match(u.id, part))
        for row_id, deleted, kind, status, number, barcode, notes, type_name, dep in s.execute(
            qq.execution_options(yield_per=5000)
        ):
            if deleted is not None:
                yield row_id, None
                continue
            fields: dict[str, str | int] = {"state": "cerrado" if status == "eliminado" else "abierto"}
            if dep:
                fields["dependencia"] = dep
            title = f"{type_name} {number}".strip()
            yield row_id, SearchDoc(row_id, "caja" if kind == "caja" else "carpeta", title, barcode, notes, fields)


def _locations(s: Session, ids: Part) -> Iterator[tuple[str, SearchDoc | None]]:
    for part in _parts(ids):
        q = select(Location) if part is None else select(Location).where(_match(Location.id, part))
        for loc in s.scalars(q.execution_options(yield_per=5000)):
            if loc.deleted_at is not None:
                yield loc.id, None
            else:
                yield loc.id, SearchDoc(loc.id, "ubicacion", loc.name or loc.path, loc.path, loc.barcode)


def _simple(model: Any, kind: str) -> Callable[[Session, Part], Iterator[tuple[str, SearchDoc | None]]]:
    def load(s: Session, ids: Part) -> Iterator[tuple[str, SearchDoc | None]]:
        for part in _parts(ids):
            q = select(model) if part is None else select(model).where(_match(model.id, part))
            for row in s.scalars(q):
                if row.deleted_at is not None:
                    yield row.id, None
                elif kind == "novedad":
                    yield row.id, SearchDoc(row.id, kind, row.description or row.kind, row.kind, row.resolution,
                                            {"state": "abierto" if row.state == "abierta" else "cerrado"})  # fmt: skip
                else:
                    yield row.id, SearchDoc(row.id, kind, row.name, row.code)

    return load


def _loans(s: Session, ids: Part) -> Iterator[tuple[str, SearchDoc | None]]:
    q = (select(Loan, Unit.barcode, Dependencia.code).join(Unit, Unit.id == Loan.unit_id)
         .join(Dependencia, Dependencia.id == Loan.dependencia_id))  # fmt: skip
    for part in _parts(ids):
        qq = q if part is None else q.where(_match(Loan.id, part))
        for ln, barcode, dep in s.execute(qq.execution_options(yield_per=5000)):
            if ln.deleted_at is not None:
                yield ln.id, None
                continue
            state = "abierto" if ln.state in ("solicitado", "prestado") else "cerrado"
            yield ln.id, SearchDoc(ln.id, "prestamo", f"{barcode} — {ln.requester_name}", barcode, ln.purpose,
                                   {"dependencia": dep, "state": state})  # fmt: skip


LOADERS: dict[str, Callable[[Session, Part], Iterator[tuple[str, SearchDoc | None]]]] = {
    "expediente": _expedientes,
    "unit": _units,
    "location": _locations,
    "serie": _simple(Serie, "serie"),
    "subserie": _simple(Subserie, "subserie"),
    "dependencia": _simple(Dependencia, "dependencia"),
    "incident": _simple(Incident, "novedad"),
    "loan": _loans,
}


def _parts(ids: Part) -> Iterable[Sequence[str] | Shard | None]:
    if ids is None or isinstance(ids, Shard):
        return [ids]
    return _chunks(list(ids))


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


def all_docs(s: Session, shard: Shard | None = None) -> Iterator[SearchDoc]:
    """Every searchable record (for a rebuild), or those of one shard."""
    for table in INDEXED_TABLES:
        for _, doc in LOADERS[table](s, shard):
            if doc is not None:
                yield doc


@dataclass(frozen=True)
class DatabaseDocs:
    """Every searchable record of the database at ``url`` in ``shards`` shards: the rebuild's
    :class:`~archive.search.port.ShardedSource` (picklable; each worker process reads its
    shard over its own connection)."""

    url: str
    shards: int

    def shard_docs(self, shard: int) -> Iterator[SearchDoc]:
        from archive.db.engine import make_engine

        engine = make_engine(self.url)
        try:
            with Session(engine) as s:
                yield from all_docs(s, Shard(shard, self.shards) if self.shards > 1 else None)
        finally:
            engine.dispose()


def count_all(s: Session) -> int:
    models = (Expediente, Unit, Location, Serie, Subserie, Dependencia, Incident, Loan)
    return sum(s.scalar(select(func.count()).select_from(m).where(m.deleted_at.is_(None))) or 0 for m in models)
