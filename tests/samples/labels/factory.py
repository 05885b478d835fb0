"""Realistic label data for the label tests, the benchmark and the sample images.

Values are Colombian archive style. Internal barcodes are real Legajo label values
(``archive.domain.barcodes.format_barcode``: kind letter, workstation, sequence, Damm check);
``ALPHABET_VALUES_*`` together use every character each symbology must carry.
"""

from __future__ import annotations

import datetime as dt

from archive.domain.barcodes import BarcodeKind, format_barcode
from reports.labels import (
    CajaLabel,
    CarpetaLabel,
    CodeName,
    ExpedienteLabel,
    LabelData,
    LabelKind,
    TestigoLabel,
    UbicacionLabel,
)

FONDO = "Alcaldía Municipal de San José de Cúcuta"
SECCION = CodeName("100", "Despacho del Alcalde")
SUBSECCION = CodeName("110", "Oficina Asesora Jurídica")
SERIE = CodeName("110.02", "Acciones Constitucionales")
SUBSERIE = CodeName("110.02.01", "Acciones de Tutela")
LONG_SERIE = CodeName(
    "110.02.01.07",
    "Procesos de cobro coactivo por concepto de impuesto predial unificado, sobretasa "
    "bomberil y contribución de valorización del municipio, con sus recursos de reposición "
    "y apelación y las actuaciones de la Oficina de Ejecuciones Fiscales (año gravable) "
    "ÁÉÍÓÚÑ ñandú pingüino ¿sí? ¡no!",
)

_PRINTABLE = "".join(chr(c) for c in range(32, 127))
#: Together these carry every printable ASCII character (the Code 128 alphabet we accept).
ALPHABET_VALUES_128: tuple[str, ...] = tuple(
    _PRINTABLE[i : i + 12] for i in range(0, len(_PRINTABLE), 12)
)
#: Every Code 39 character.
ALPHABET_VALUES_39: tuple[str, ...] = ("0123456789-. $/+%", "ABCDEFGHIJKLM", "NOPQRSTUVWXYZ")
#: Legajo label barcodes (13 characters, one per kind, extreme workstation codes and sequences).
INTERNAL_VALUES: tuple[str, ...] = (
    format_barcode(BarcodeKind.CARPETA, "0A1", 1),
    format_barcode(BarcodeKind.CAJA, "BOG", 71),
    format_barcode(BarcodeKind.EXPEDIENTE, "ZZZ", 99_999_999),
    format_barcode(BarcodeKind.UBICACION, "000", 1520),
    format_barcode(BarcodeKind.TESTIGO, "M01", 12_345_678),
)
#: External (legacy/vendor) values: long numeric, mixed.
EXTERNAL_VALUES: tuple[str, ...] = (
    "8001234567890123456789",
    "ARCH-CENTRAL/2019/000123",
    "http://a.co/x?id=7",
)


def carpeta(barcode: str = "F0A100000001V", **kw: object) -> CarpetaLabel:
    data: dict[str, object] = dict(
        barcode=barcode,
        fondo=FONDO,
        seccion=SECCION,
        subseccion=SUBSECCION,
        serie=SERIE,
        subserie=SUBSERIE,
        expediente="Tutela de Juan Pérez Núñez contra la Secretaría de Educación",
        expediente_numero="2024-110-0042",
        fecha_inicial=dt.date(2023, 1, 5),
        fecha_final=dt.date(2024, 3, 19),
        folio_desde=1,
        folio_hasta=187,
        carpeta_numero=1,
        carpeta_total=2,
        caja_numero=15,
        signatura="D01-M03-CA-E04-B2-P07",
    )
    data.update(kw)
    return CarpetaLabel(**data)  # type: ignore[arg-type]


def expediente(barcode: str = "E0A100000001R", **kw: object) -> ExpedienteLabel:
    data: dict[str, object] = dict(
        barcode=barcode,
        fondo=FONDO,
        seccion=SECCION,
        subseccion=SUBSECCION,
        serie=CodeName("110.24", "Contratos"),
        subserie=CodeName("110.24.03", "Contratos de prestación de servicios"),
        expediente="Contrato 045 de 2022 – María Fernanda Ñáñez Ruiz",
        expediente_numero="2022-110-0045",
        fecha_inicial=dt.date(2022, 2, 1),
        fecha_final=None,
        folio_desde=1,
        folio_hasta=312,
        carpetas_total=2,
        caja_numero="15-A",
        signatura="D01-M03-CA-E04-B2-P07",
    )
    data.update(kw)
    return ExpedienteLabel(**data)  # type: ignore[arg-type]


def caja(barcode: str = "C0A100000015Y", **kw: object) -> CajaLabel:
    data: dict[str, object] = dict(
        barcode=barcode,
        fondo=FONDO,
        seccion=SECCION,
        subseccion=SUBSECCION,
        serie=SERIE,
        subserie=SUBSERIE,
        fecha_inicial=dt.date(2019, 1, 2),
        fecha_final=dt.date(2020, 12, 30),
        carpeta_desde=1,
        carpeta_hasta=12,
        carpetas_total=12,
        caja_numero=15,
        transferencia_numero=3,
        transferencia_anio=2024,
        signatura="D01-M03-CA-E04-B2-P07",
    )
    data.update(kw)
    return CajaLabel(**data)  # type: ignore[arg-type]


def ubicacion(barcode: str = "U0A100000007C", **kw: object) -> UbicacionLabel:
    data: dict[str, object] = dict(
        barcode=barcode,
        fondo=FONDO,
        sede="Sede Centro – Edificio Torre de Registro",
        signatura="D01-M03-CA-E04-B2",
        niveles=(
            ("Depósito", "01"),
            ("Módulo", "03"),
            ("Cara", "A"),
            ("Estante", "04"),
            ("Bandeja", "2"),
        ),
        descripcion="Capacidad 8 cajas X-200",
    )
    data.update(kw)
    return UbicacionLabel(**data)  # type: ignore[arg-type]


def testigo(barcode: str = "T0A100000123G", **kw: object) -> TestigoLabel:
    data: dict[str, object] = dict(
        barcode=barcode,
        fondo=FONDO,
        prestamo_numero="2024-0123",
        fecha_prestamo=dt.date(2024, 5, 6),
        fecha_devolucion=dt.date(2024, 5, 16),
        retirado_por="Luz Ángela Muñoz",
        cargo="Profesional Universitaria",
        destino="120 Secretaría de Hacienda – Oficina de Cobro Coactivo",
        unidad="Carpeta 1 de 2, caja 15",
        expediente="Tutela de Juan Pérez Núñez contra la Secretaría de Educación",
        serie=SUBSERIE,
        folios_total=187,
        signatura="D01-M03-CA-E04-B2-P07",
    )
    data.update(kw)
    return TestigoLabel(**data)  # type: ignore[arg-type]


FACTORIES = {
    LabelKind.CARPETA: carpeta,
    LabelKind.EXPEDIENTE: expediente,
    LabelKind.CAJA: caja,
    LabelKind.UBICACION: ubicacion,
    LabelKind.TESTIGO: testigo,
}


def sample(kind: LabelKind, barcode: str | None = None, **kw: object) -> LabelData:
    """One label of ``kind``; ``barcode`` overrides the default value."""
    factory = FACTORIES[kind]
    return factory(**kw) if barcode is None else factory(barcode, **kw)  # type: ignore[operator]


BARCODE_KIND = {
    LabelKind.CARPETA: BarcodeKind.CARPETA,
    LabelKind.EXPEDIENTE: BarcodeKind.EXPEDIENTE,
    LabelKind.CAJA: BarcodeKind.CAJA,
    LabelKind.UBICACION: BarcodeKind.UBICACION,
    LabelKind.TESTIGO: BarcodeKind.TESTIGO,
}


def label_barcode(kind: LabelKind, sequence: int, workstation: str = "0A1") -> str:
    """The Legajo barcode of the ``sequence``-th label of ``kind``."""
    return format_barcode(BARCODE_KIND[kind], workstation, sequence)


def mixed(n: int) -> list[LabelData]:
    """``n`` labels cycling through the kinds, each with its own Legajo barcode."""
    kinds = list(FACTORIES)
    out: list[LabelData] = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        out.append(sample(kind, label_barcode(kind, i + 1), **_vary(kind, i)))
    return out


def _vary(kind: LabelKind, i: int) -> dict[str, object]:
    if kind in (LabelKind.CARPETA, LabelKind.EXPEDIENTE):
        return {"expediente": f"Expediente {i} – derecho de petición de Ana María Gómez Díaz"}
    if kind is LabelKind.CAJA:
        return {"caja_numero": i}
    return {}
