"""The FUID (Formato Único de Inventario Documental, Acuerdo 042/2002 art. 7; AGN_NOTES §3) as
plain data: header, rows (asientos) and the three signature blocks, with the instructivo's
validation rules. Renderers (``reports.fuid_pdf``, ``archive.io.fuid_export``) take a
:class:`FuidDocument` and know nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from archive.domain.timefmt import format_date
from archive.i18n import N_, _


class Objeto(StrEnum):
    """The OBJETO of an inventory (AGN list plus the entity variants of AGN_NOTES §3.1)."""

    TRANSFERENCIA_PRIMARIA = "transferencia_primaria"
    TRANSFERENCIA_SECUNDARIA = "transferencia_secundaria"
    VALORACION = "valoracion"
    FUSION = "fusion"
    INVENTARIO_INDIVIDUAL = "inventario_individual"
    INVENTARIO_GESTION = "inventario_gestion"
    INVENTARIO_CENTRAL = "inventario_central"
    ELIMINACION = "eliminacion"

    @property
    def label(self) -> str:
        return _(OBJETO_LABELS[self])

    @property
    def is_transfer(self) -> bool:
        return self in (Objeto.TRANSFERENCIA_PRIMARIA, Objeto.TRANSFERENCIA_SECUNDARIA)


OBJETO_LABELS: dict[Objeto, str] = {
    Objeto.TRANSFERENCIA_PRIMARIA: N_("Transferencia primaria"),
    Objeto.TRANSFERENCIA_SECUNDARIA: N_("Transferencia secundaria"),
    Objeto.VALORACION: N_("Valoración de fondos acumulados"),
    Objeto.FUSION: N_("Fusión y supresión de entidades y/o dependencias"),
    Objeto.INVENTARIO_INDIVIDUAL: N_("Inventarios individuales"),
    Objeto.INVENTARIO_GESTION: N_("Levantamiento de inventario de Archivo de Gestión"),
    Objeto.INVENTARIO_CENTRAL: N_("Levantamiento de inventario de Archivo Central"),
    Objeto.ELIMINACION: N_("Eliminación"),
}

#: The FUID columns "UNIDAD DE CONSERVACIÓN": caja, carpeta, tomo, otro.
CONSERVATION_KINDS = ("caja", "carpeta", "tomo", "otro")
FRECUENCIAS = ("", "alta", "media", "baja", "ninguna")
SIN_FECHA = "s.f."


@dataclass(frozen=True)
class FuidRow:
    """One asiento (generally one unidad de conservación).

    Attributes:
        order: NÚMERO DE ORDEN (consecutive from 1 per FUID).
        code: CÓDIGO (the TRD code of dependencia, serie, subserie).
        name: NOMBRE DE LA SERIE, SUBSERIE O ASUNTOS.
        date_start: Fecha extrema inicial (``None`` = s.f.).
        date_end: Fecha extrema final (``None`` = s.f.).
        caja, carpeta, tomo: Numbers written on the units ("" if not used).
        otro: For "Otro": the unit's name and number, e.g. "AZ 3".
        folios: NÚMERO DE FOLIOS.
        soporte: SOPORTE for supports other than paper (M, V, C, CD, DK, DVD), "" for paper.
        frecuencia: FRECUENCIA DE CONSULTA (alta, media, baja, ninguna or "").
        notes: NOTAS.
    """

    order: int
    code: str
    name: str
    date_start: date | None
    date_end: date | None
    caja: str = ""
    carpeta: str = ""
    tomo: str = ""
    otro: str = ""
    folios: int = 0
    soporte: str = ""
    frecuencia: str = ""
    notes: str = ""


@dataclass(frozen=True)
class FuidSigner:
    """One signature block: Elaborado por / Entregado por / Recibido por."""

    name: str = ""
    cargo: str = ""
    lugar: str = ""
    fecha: date | None = None


#: An empty signature block (filled by hand on paper).
NO_SIGNER = FuidSigner()


@dataclass(frozen=True)
class FuidDocument:
    """A whole inventory: header, rows, signatures."""

    objeto: Objeto
    entidad_remitente: str
    entidad_productora: str
    unidad_administrativa: str
    oficina_productora: str
    rows: tuple[FuidRow, ...] = ()
    #: REGISTRO DE ENTRADA (transfers only): date the transfer entered and its N° T.
    entry_date: date | None = None
    transfer_number: str = ""
    elaborado: FuidSigner = field(default_factory=FuidSigner)
    entregado: FuidSigner = field(default_factory=FuidSigner)
    recibido: FuidSigner = field(default_factory=FuidSigner)


def fmt_extreme(value: date | None) -> str:
    """A fecha extrema as the instructivo writes it (aaaa-mm-dd) or "s.f."."""
    return value.isoformat() if value else SIN_FECHA


def fmt_signer_date(value: date | None) -> str:
    return format_date(value, empty="")


def entry_parts(doc: FuidDocument) -> tuple[str, str, str, str]:
    """REGISTRO DE ENTRADA as (año, mes, día, N° T); blank unless the objeto is a transfer."""
    if not doc.objeto.is_transfer:
        return "", "", "", ""
    d = doc.entry_date
    if d is None:
        return "", "", "", doc.transfer_number
    return f"{d.year:04d}", f"{d.month:02d}", f"{d.day:02d}", doc.transfer_number


def validate(doc: FuidDocument) -> list[str]:
    """Problems with the instructivo's rules (AGN_NOTES §3.4), as translated messages."""
    problems: list[str] = []
    for expected, row in enumerate(doc.rows, start=1):
        if row.order != expected:
            problems.append(
                _("Número de orden {got} fuera de secuencia (se esperaba {exp}).").format(
                    got=row.order, exp=expected
                )
            )
        if row.date_start and row.date_end and row.date_end < row.date_start:
            problems.append(
                _("Fila {n}: la fecha final es anterior a la inicial.").format(n=row.order)
            )
        if not (row.caja or row.carpeta or row.tomo or row.otro):
            problems.append(_("Fila {n}: sin unidad de conservación.").format(n=row.order))
        if not row.soporte and row.folios <= 0:
            problems.append(_("Fila {n}: sin folios.").format(n=row.order))
    if not doc.objeto.is_transfer and (doc.entry_date or doc.transfer_number):
        problems.append(_("El registro de entrada solo se diligencia en transferencias."))
    return problems


def totals(rows: tuple[FuidRow, ...]) -> tuple[int, int, int]:
    """(rows, distinct cajas, folios)."""
    cajas = {r.caja for r in rows if r.caja}
    return len(rows), len(cajas), sum(r.folios for r in rows)


@dataclass(frozen=True)
class ActaData:
    """What the acta de eliminación prints (reports.actas)."""

    number: str
    acta_date: date | None
    entity: str
    committee_act: str
    committee_date: date | None
    publication_start: date | None
    publication_end: date | None
    method: str
    signatories: tuple[tuple[str, str], ...]
    units: int
    folios: int
    linear_metres: Decimal
    selection_criterion: str
    observations: int
    fuid: FuidDocument


@dataclass(frozen=True)
class HojaControlItem:
    """One line of a hoja de control: ítem, fecha, tipo documental, folios desde-hasta, notes."""

    item: int
    fecha: date | None = None
    tipo: str = ""
    folio_from: int | None = None
    folio_to: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class HojaControl:
    """Hoja de control of an expediente (Acuerdo 002/2014 art. 12; AGN_NOTES §7.6)."""

    entidad: str
    dependencia: str
    serie: str
    subserie: str
    expediente_name: str
    expediente_number: str
    opened_on: date | None
    closed_on: date | None
    items: tuple[HojaControlItem, ...] = ()
    #: Empty rows printed after the items, for manual filling.
    blank_rows: int = 15
