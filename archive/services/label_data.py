"""What a label says, read from the database: the AGN fields of cajas, carpetas, expedientes,
ubicaciones and testigos (AGN_NOTES §7.5, §6).

The core may not import the renderer (DESIGN.md §1), so a label leaves here as a
:class:`LabelRecord`: its kind and the keyword arguments of the renderer's dataclass of that kind
(``reports.labels.data``), classification elements as ``(code, name)`` pairs.
``reports.labels.jobs.label_from_record`` builds the dataclass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.db.models import (
    Dependencia,
    Entity,
    Expediente,
    Loan,
    Location,
    LocationLevel,
    Serie,
    Subserie,
    Unit,
)
from archive.domain.codes import CodeMask, render_code
from archive.domain.errors import ValidationError
from archive.domain.timefmt import to_local
from archive.services.parameters import load_parameters

CodeNamePair = tuple[str, str]
MIXED_SERIES = "Varias series"


@dataclass(frozen=True)
class LabelRecord:
    """One label to print.

    Attributes:
        kind: ``caja``, ``carpeta``, ``expediente``, ``ubicacion`` or ``testigo``.
        item_id: The unit, location or expediente it is for (what a batch remembers).
        fields: Keyword arguments of the renderer's dataclass for ``kind``.
    """

    kind: str
    item_id: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def barcode(self) -> str:
        return str(self.fields.get("barcode") or "")


class LabelReader:
    """Reads label fields inside one session, caching the classification it has seen."""

    def __init__(self, session: Session) -> None:
        self.s = session
        entity = session.scalar(select(Entity).where(Entity.deleted_at.is_(None)).limit(1))
        self.fondo = entity.name if entity else ""
        self.mask = CodeMask.from_pattern(load_parameters(session).trd_code_mask)
        self._deps: dict[str, Dependencia | None] = {}

    # -- classification ---------------------------------------------------------------------
    def _dep(self, dep_id: str | None) -> Dependencia | None:
        if dep_id is None:
            return None
        if dep_id not in self._deps:
            self._deps[dep_id] = self.s.get(Dependencia, dep_id)
        return self._deps[dep_id]

    def sections(self, dep_id: str | None) -> dict[str, CodeNamePair | None]:
        """Sección = the unidad administrativa above the oficina productora; a dependencia
        without a parent is the sección itself (no subsección)."""
        dep = self._dep(dep_id)
        if dep is None:
            return {"seccion": None, "subseccion": None}
        parent = self._dep(dep.parent_id)
        if parent is None:
            return {"seccion": (dep.code, dep.name), "subseccion": None}
        return {"seccion": (parent.code, parent.name), "subseccion": (dep.code, dep.name)}

    def _code(self, dep: Dependencia | None, serie: str, sub: str) -> str:
        try:
            return render_code(dep.code if dep else "", serie, sub, self.mask)
        except ValidationError:
            return f"{serie}.{sub}" if sub else serie  # a code the mask cannot write: as stored

    def series(
        self, dep_id: str | None, serie_id: str | None, sub_id: str | None
    ) -> dict[str, CodeNamePair | None]:
        serie = self.s.get(Serie, serie_id) if serie_id else None
        sub = self.s.get(Subserie, sub_id) if sub_id else None
        if serie is None:
            return {"serie": None, "subserie": None}
        dep = self._dep(serie.dependencia_id or dep_id)
        out: dict[str, CodeNamePair | None] = {
            "serie": (self._code(dep, serie.code, ""), serie.name),
            "subserie": None,
        }
        if sub is not None:
            out["subserie"] = (self._code(dep, serie.code, sub.code), sub.name)
        return out

    # -- places -------------------------------------------------------------------------------
    def signatura(self, unit: Unit) -> str:
        loc_id = unit.location_id
        if loc_id is None and unit.parent_id:
            parent = self.s.get(Unit, unit.parent_id)
            loc_id = parent.location_id if parent else None
        loc = self.s.get(Location, loc_id) if loc_id else None
        return loc.path if loc else ""

    # -- kinds --------------------------------------------------------------------------------
    def unit(self, unit: Unit) -> LabelRecord:
        if unit.kind == "caja":
            return self.caja(unit)
        return self.carpeta(unit)

    def caja(self, unit: Unit) -> LabelRecord:
        s = self.s
        children = list(
            s.scalars(select(Unit).where(Unit.parent_id == unit.id, Unit.deleted_at.is_(None)))
        )
        exp_ids = {c.expediente_id for c in children if c.expediente_id}
        exps = (
            list(s.scalars(select(Expediente).where(Expediente.id.in_(exp_ids)))) if exp_ids else []
        )
        pairs = {(e.serie_id, e.subserie_id) for e in exps}
        dep_id = unit.dependencia_id or (exps[0].dependencia_id if exps else None)
        fields: dict[str, Any] = {
            "barcode": unit.barcode,
            "fondo": self.fondo,
            **self.sections(dep_id),
        }
        if len(pairs) == 1:
            serie_id, sub_id = next(iter(pairs))
            fields.update(self.series(dep_id, serie_id, sub_id))
        elif len({p[0] for p in pairs}) == 1:
            fields.update(self.series(dep_id, next(iter(pairs))[0], None))
        elif pairs:
            fields["serie"] = ("", MIXED_SERIES)
        starts = [e.opened_on for e in exps if e.opened_on]
        ends = [d for d in (e.closed_on or e.opened_on for e in exps) if d is not None]
        numbers = sorted((_as_int(c.number) for c in children if c.number), key=_sort_key)
        fields.update(
            fecha_inicial=min(starts) if starts else None,
            fecha_final=max(ends) if ends else None,
            carpeta_desde=numbers[0] if numbers else None,
            carpeta_hasta=numbers[-1] if numbers else None,
            carpetas_total=len(children) or None,
            caja_numero=_as_int(unit.number) if unit.number else None,
            signatura=self.signatura(unit),
        )
        return LabelRecord("caja", unit.id, fields)

    def carpeta(self, unit: Unit) -> LabelRecord:
        s = self.s
        exp = s.get(Expediente, unit.expediente_id) if unit.expediente_id else None
        box = s.get(Unit, unit.parent_id) if unit.parent_id else None
        fields: dict[str, Any] = {"barcode": unit.barcode, "fondo": self.fondo}
        dep_id = exp.dependencia_id if exp else unit.dependencia_id
        fields.update(self.sections(dep_id))
        total: int | None = None
        if exp is not None:
            fields.update(self.series(dep_id, exp.serie_id, exp.subserie_id))
            total = s.scalar(
                select(func.count())
                .select_from(Unit)
                .where(Unit.expediente_id == exp.id, Unit.deleted_at.is_(None))
            )
            fields.update(expediente=exp.title, expediente_numero=exp.number, fecha_inicial=exp.opened_on,
                          fecha_final=exp.closed_on)  # fmt: skip
        number: int | str | None = (
            unit.sequence
            if unit.sequence is not None
            else (_as_int(unit.number) if unit.number else None)
        )
        fields.update(
            folio_desde=unit.folio_first,
            folio_hasta=unit.folio_last,
            carpeta_numero=number,
            carpeta_total=total if number is not None else None,
            caja_numero=(_as_int(box.number) if box.number else None) if box else None,
            signatura=self.signatura(unit),
        )
        return LabelRecord("carpeta", unit.id, fields)

    def expediente(self, exp: Expediente) -> LabelRecord:
        s = self.s
        carpetas = list(
            s.scalars(
                select(Unit)
                .where(Unit.expediente_id == exp.id, Unit.deleted_at.is_(None))
                .order_by(Unit.sequence)
            )
        )
        boxes = [s.get(Unit, c.parent_id) for c in carpetas if c.parent_id]
        fields: dict[str, Any] = {
            "barcode": exp.barcode or exp.number,
            "fondo": self.fondo,
            **self.sections(exp.dependencia_id),
        }
        fields.update(self.series(exp.dependencia_id, exp.serie_id, exp.subserie_id))
        fields.update(
            expediente=exp.title, expediente_numero=exp.number, fecha_inicial=exp.opened_on, fecha_final=exp.closed_on,
            folio_desde=exp.folio_first, folio_hasta=exp.folio_last, folios_total=exp.folios or None,
            carpetas_total=len(carpetas) or None,
            caja_numero=", ".join(dict.fromkeys(b.number for b in boxes if b and b.number)) or None,
            signatura=self.signatura(carpetas[0]) if carpetas else "",
        )  # fmt: skip
        return LabelRecord("expediente", exp.id, fields)

    def ubicacion(self, loc: Location) -> LabelRecord:
        chain: list[Location] = []
        node: Location | None = loc
        while node is not None:
            chain.append(node)
            node = self.s.get(Location, node.parent_id) if node.parent_id else None
        chain.reverse()
        levels = {lv.id: lv for lv in self.s.scalars(select(LocationLevel))}
        niveles: list[tuple[str, str]] = []
        sede = ""
        for n in chain:
            level = levels.get(n.level_id)
            if level is not None and not level.in_signatura:
                sede = sede or (n.name or n.code)
                continue
            niveles.append((level.name if level else "", n.code))
        fields = {"barcode": loc.barcode, "fondo": self.fondo, "signatura": loc.path, "niveles": tuple(niveles),
                  "sede": sede, "descripcion": loc.name}  # fmt: skip
        return LabelRecord("ubicacion", loc.id, fields)

    def testigo(
        self, unit: Unit, *, destino: str = "", retirado_por: str = "", fecha: date | None = None
    ) -> LabelRecord:
        """An out-card for a unit taken from its place; the unit's current loan, if any, fills
        in who took it, where, when and until when."""
        base = self.carpeta(unit).fields
        loan = self.s.scalar(select(Loan).where(Loan.unit_id == unit.id, Loan.state == "prestado",
                                                Loan.deleted_at.is_(None)).limit(1))  # fmt: skip
        extra: dict[str, Any] = {}
        if loan is not None:
            dep = self._dep(loan.dependencia_id)
            destino = destino or (dep.name if dep else "")
            retirado_por = retirado_por or loan.requester_name
            fecha = fecha or (to_local(loan.lent_at).date() if loan.lent_at else None)
            extra = {"prestamo_numero": loan.id[-8:].upper(), "fecha_devolucion": loan.due_on}
        box = self.s.get(Unit, unit.parent_id) if unit.parent_id else None
        what = f"{unit.kind.capitalize()} {base.get('carpeta_numero') or unit.number}".strip()
        if box is not None and box.number:
            what += f", caja {box.number}"
        fields = {"barcode": unit.barcode, "fondo": self.fondo, "unidad": what, "expediente": base.get("expediente", ""),
                  "serie": base.get("subserie") or base.get("serie"), "signatura": base.get("signatura", ""),
                  "folios_total": _folios(unit), "destino": destino, "retirado_por": retirado_por, "fecha_prestamo": fecha,
                  **extra}  # fmt: skip
        return LabelRecord("testigo", unit.id, fields)


def _folios(unit: Unit) -> int | None:
    if (
        unit.folio_first is not None
        and unit.folio_last is not None
        and unit.folio_last >= unit.folio_first
    ):
        return unit.folio_last - unit.folio_first + 1
    return None


def _as_int(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _sort_key(value: int | str) -> tuple[int, int, str]:
    return (0, value, "") if isinstance(value, int) else (1, 0, value)


def records_for(reader: LabelReader, kind: str, units: Iterable[Unit]) -> list[LabelRecord]:
    """Records of ``kind`` (caja, carpeta, testigo; "" = by the unit's kind) for ``units``."""
    out: list[LabelRecord] = []
    for u in units:
        if kind == "testigo":
            out.append(reader.testigo(u))
        elif kind == "caja":
            out.append(reader.caja(u))
        elif kind == "carpeta":
            out.append(reader.carpeta(u))
        else:
            out.append(reader.unit(u))
    return out
