"""The plain input of the label renderer: one frozen dataclass per kind of label.

Services fill these from the database; the renderer only reads them. Every dataclass turns
itself into ``{field key: printed text}`` with :meth:`LabelData.values`, which is where the
printing conventions live: dates as dd/mm/aaaa (``archive.domain.timefmt``), "s.f." for an
undated end, "1 de 2" for a carpeta of a series of carpetas. Templates
(:mod:`reports.labels.templates`) pick and order those keys; :data:`FIELD_KEYS` lists which
keys each kind offers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from archive.domain.timefmt import NO_DATE, format_date


class LabelKind(StrEnum):
    """What a label is stuck on."""

    CAJA = "caja"
    CARPETA = "carpeta"
    UBICACION = "ubicacion"
    EXPEDIENTE = "expediente"
    TESTIGO = "testigo"


@dataclass(frozen=True, slots=True)
class CodeName:
    """A classification element printed as "code name", e.g. ``100 Despacho del Alcalde``."""

    code: str = ""
    name: str = ""

    def text(self) -> str:
        """The printed form; either part may be empty."""
        if self.code and self.name:
            return f"{self.code} {self.name}"
        return self.code or self.name


def format_date_range(start: dt.date | None, end: dt.date | None) -> str:
    """Fechas extremas: one date when both ends are equal, "s.f." when both are unknown.

    Dates print dd/mm/aaaa through :func:`archive.domain.timefmt.format_date` (datetimes are
    taken to Bogotá time first); an unknown end prints "s.f.".
    """
    if start is None and end is None:
        return NO_DATE
    if start == end:
        return format_date(start)
    return f"{format_date(start)} – {format_date(end)}"


def format_folios(first: int | None, last: int | None, total: int | None) -> str:
    """Folios "del 1 al 200 (200)"; parts that are unknown are left out."""
    if total is None and first is not None and last is not None and last >= first:
        total = last - first + 1
    if first is not None and last is not None:
        text = f"del {first} al {last}"
        return f"{text} ({total})" if total is not None else text
    return "" if total is None else str(total)


def format_n_of_m(number: int | str | None, count: int | None) -> str:
    """``"1 de 2"``; just ``"1"`` when the count is unknown."""
    if number is None or number == "":
        return ""
    return f"{number} de {count}" if count is not None else str(number)


def format_range(first: int | str | None, last: int | str | None, total: int | None) -> str:
    """A span such as carpetas ``"1 a 12 (12)"``."""
    if first is None and last is None:
        return "" if total is None else str(total)
    text = f"{first if first is not None else '?'} a {last if last is not None else '?'}"
    return f"{text} ({total})" if total is not None else text


def _num(value: int | str | None) -> str:
    return "" if value is None else str(value)


def _cn(value: CodeName | None) -> str:
    return "" if value is None else value.text()


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelData:
    """Fields every label has: the barcode value (what a scanner reads) and the entity.

    Attributes:
        barcode: The value encoded in the barcode and printed under it.
        fondo: Fondo / entidad productora.
    """

    kind: ClassVar[LabelKind]
    barcode: str
    fondo: str = ""

    def values(self) -> dict[str, str]:
        """Printed text per field key (see :data:`FIELD_KEYS`)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class _Classified(LabelData):
    seccion: CodeName | None = None
    subseccion: CodeName | None = None
    serie: CodeName | None = None
    subserie: CodeName | None = None

    def _classification(self) -> dict[str, str]:
        return {
            "fondo": self.fondo,
            "seccion": _cn(self.seccion),
            "subseccion": _cn(self.subseccion),
            "serie": _cn(self.serie),
            "subserie": _cn(self.subserie),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CarpetaLabel(_Classified):
    """Rótulo de carpeta (AGN_NOTES §7.5).

    Attributes:
        seccion: Unidad administrativa (code + name).
        subseccion: Oficina productora (code + name).
        expediente: Nombre del expediente / asunto.
        expediente_numero: Número del expediente, if the entity uses one.
        fecha_inicial / fecha_final: Fechas extremas (``None`` prints "s.f.").
        folio_desde / folio_hasta / folios_total: Folios del __ al __ and total.
        carpeta_numero / carpeta_total: Carpeta N° __ de __.
        caja_numero: Caja N° the carpeta goes into.
        signatura: Signatura topográfica.
    """

    kind: ClassVar[LabelKind] = LabelKind.CARPETA
    expediente: str = ""
    expediente_numero: str = ""
    fecha_inicial: dt.date | None = None
    fecha_final: dt.date | None = None
    folio_desde: int | None = None
    folio_hasta: int | None = None
    folios_total: int | None = None
    carpeta_numero: int | str | None = None
    carpeta_total: int | None = None
    caja_numero: int | str | None = None
    signatura: str = ""

    def values(self) -> dict[str, str]:
        out = self._classification()
        out.update(
            expediente=self.expediente,
            expediente_numero=self.expediente_numero,
            fechas=format_date_range(self.fecha_inicial, self.fecha_final),
            folios=format_folios(self.folio_desde, self.folio_hasta, self.folios_total),
            carpeta=format_n_of_m(self.carpeta_numero, self.carpeta_total),
            caja=_num(self.caja_numero),
            signatura=self.signatura,
        )
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpedienteLabel(_Classified):
    """Label for an expediente as a whole (cover, hoja de control).

    Attributes:
        expediente: Nombre del expediente / asunto.
        expediente_numero: Número del expediente.
        carpetas_total: How many carpetas the expediente fills.
    """

    kind: ClassVar[LabelKind] = LabelKind.EXPEDIENTE
    expediente: str = ""
    expediente_numero: str = ""
    fecha_inicial: dt.date | None = None
    fecha_final: dt.date | None = None
    folio_desde: int | None = None
    folio_hasta: int | None = None
    folios_total: int | None = None
    carpetas_total: int | None = None
    caja_numero: int | str | None = None
    signatura: str = ""

    def values(self) -> dict[str, str]:
        out = self._classification()
        out.update(
            expediente=self.expediente,
            expediente_numero=self.expediente_numero,
            fechas=format_date_range(self.fecha_inicial, self.fecha_final),
            folios=format_folios(self.folio_desde, self.folio_hasta, self.folios_total),
            carpetas=_num(self.carpetas_total),
            caja=_num(self.caja_numero),
            signatura=self.signatura,
        )
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CajaLabel(_Classified):
    """Rótulo de caja (AGN_NOTES §7.5, "recommended app box label").

    A box that mixes series passes the summary it wants printed as ``serie`` (for example
    ``CodeName("", "Varias series")``) and may leave ``subserie`` empty.

    Attributes:
        carpeta_desde / carpeta_hasta / carpetas_total: Carpetas N° __ a __ (total).
        caja_numero: Caja N° (consecutive per dependencia or transfer).
        transferencia_numero / transferencia_anio: Transferencia N° / año.
    """

    kind: ClassVar[LabelKind] = LabelKind.CAJA
    fecha_inicial: dt.date | None = None
    fecha_final: dt.date | None = None
    carpeta_desde: int | str | None = None
    carpeta_hasta: int | str | None = None
    carpetas_total: int | None = None
    caja_numero: int | str | None = None
    transferencia_numero: int | str | None = None
    transferencia_anio: int | None = None
    signatura: str = ""

    def values(self) -> dict[str, str]:
        out = self._classification()
        transfer = " / ".join(
            s for s in (_num(self.transferencia_numero), _num(self.transferencia_anio)) if s
        )
        out.update(
            fechas=format_date_range(self.fecha_inicial, self.fecha_final),
            carpetas=format_range(self.carpeta_desde, self.carpeta_hasta, self.carpetas_total),
            caja=_num(self.caja_numero),
            transferencia=transfer,
            signatura=self.signatura,
        )
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class UbicacionLabel(LabelData):
    """Shelf / location label (AGN_NOTES §7.4).

    Attributes:
        signatura: Signatura topográfica, e.g. ``D01-M03-CA-E04-B2-P07``.
        niveles: The path of levels, e.g. ``(("Depósito", "01"), ("Estante", "04"))``.
        sede: Sede / edificio.
        descripcion: Free text (what the shelf holds, capacity...).
    """

    kind: ClassVar[LabelKind] = LabelKind.UBICACION
    signatura: str = ""
    niveles: tuple[tuple[str, str], ...] = ()
    sede: str = ""
    descripcion: str = ""

    def values(self) -> dict[str, str]:
        return {
            "fondo": self.fondo,
            "sede": self.sede,
            "signatura": self.signatura,
            # no-break space: a level's name never ends a line without its value
            "ruta": " · ".join(f"{name}\u00a0{value}".strip() for name, value in self.niveles),
            "descripcion": self.descripcion,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TestigoLabel(LabelData):
    """Testigo / guía de afuera (out-card) left in place of a lent unit (AGN_NOTES §6).

    Attributes:
        prestamo_numero: N° de préstamo.
        fecha_prestamo / fecha_devolucion: Loan date and due date.
        retirado_por / cargo: Who took it (nombre y cargo).
        destino: Dependencia that holds it now.
        unidad: What was removed, as printed ("Carpeta 1 de 2, caja 15").
        expediente: Nombre del expediente.
        serie: Serie / subserie of what was removed.
        folios_total: Folios lent.
        signatura: Where it goes back.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    kind: ClassVar[LabelKind] = LabelKind.TESTIGO
    prestamo_numero: str = ""
    fecha_prestamo: dt.date | None = None
    fecha_devolucion: dt.date | None = None
    retirado_por: str = ""
    cargo: str = ""
    destino: str = ""
    unidad: str = ""
    expediente: str = ""
    serie: CodeName | None = None
    folios_total: int | None = None
    signatura: str = ""

    def values(self) -> dict[str, str]:
        who = " – ".join(s for s in (self.retirado_por, self.cargo) if s)
        return {
            "fondo": self.fondo,
            "prestamo": self.prestamo_numero,
            "fecha_prestamo": format_date(self.fecha_prestamo),
            "fecha_devolucion": format_date(self.fecha_devolucion),
            "retirado_por": who,
            "destino": self.destino,
            "unidad": self.unidad,
            "expediente": self.expediente,
            "serie": _cn(self.serie),
            "folios": _num(self.folios_total),
            "signatura": self.signatura,
        }


_CLASSIFICATION = ("fondo", "seccion", "subseccion", "serie", "subserie")

#: Field keys each kind of label offers to templates.
FIELD_KEYS: dict[LabelKind, frozenset[str]] = {
    LabelKind.CARPETA: frozenset(
        [
            *_CLASSIFICATION,
            "expediente",
            "expediente_numero",
            "fechas",
            "folios",
            "carpeta",
            "caja",
            "signatura",
        ]
    ),
    LabelKind.EXPEDIENTE: frozenset(
        [
            *_CLASSIFICATION,
            "expediente",
            "expediente_numero",
            "fechas",
            "folios",
            "carpetas",
            "caja",
            "signatura",
        ]
    ),
    LabelKind.CAJA: frozenset(
        [*_CLASSIFICATION, "fechas", "carpetas", "caja", "transferencia", "signatura"]
    ),
    LabelKind.UBICACION: frozenset(["fondo", "sede", "signatura", "ruta", "descripcion"]),
    LabelKind.TESTIGO: frozenset(
        [
            "fondo",
            "prestamo",
            "fecha_prestamo",
            "fecha_devolucion",
            "retirado_por",
            "destino",
            "unidad",
            "expediente",
            "serie",
            "folios",
            "signatura",
        ]
    ),
}
