"""Label templates as data: which fields, in which order, how big, which barcode.

A :class:`LabelTemplate` is a frozen dataclass that round-trips through JSON (the lead stores
templates in the database and users edit them). :func:`default_template` gives the built-in
Spanish template of each kind (AGN_NOTES §7.5 for carpeta and caja, §6 for the testigo).

Layout model: fields stack in rows from the top of the label; a field with ``inline=True``
shares the row of the field before it (width split by ``weight``). The barcode sits at the
bottom (Code 128, Code 39) or at the right (QR).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from reports.labels import _messages as msg
from reports.labels.data import FIELD_KEYS, LabelKind


class Symbology(StrEnum):
    """Barcode symbology."""

    CODE128 = "code128"
    CODE39 = "code39"
    QR = "qr"
    NONE = "none"


class CaptionStyle(StrEnum):
    """Where a field's caption goes: before the text, on a small line above it, or nowhere."""

    INLINE = "inline"
    ABOVE = "above"
    NONE = "none"


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One printed field.

    Attributes:
        key: Field key (see :data:`reports.labels.data.FIELD_KEYS`).
        caption: Printed caption, e.g. "Serie"; a colon is added when inline.
        font_size: Preferred size in points.
        min_font_size: Smallest size text may shrink to before it is ellipsised.
        bold: Bold text (captions are always bold).
        max_lines: Lines the text may wrap into.
        caption_style: Inline, above or none.
        inline: Share the row with the previous field.
        weight: Share of the row width among inline fields.
        align: Left or centred.
        hide_if_empty: Leave the field out when it has no value (else print the caption alone).
        priority: When a label is too small for every row even at minimum sizes, rows are
            left out lowest priority first (fondo and sección go before carpeta and caja).
    """

    key: str
    caption: str = ""
    font_size: float = 8.0
    min_font_size: float = 5.0
    bold: bool = False
    max_lines: int = 2
    caption_style: CaptionStyle = CaptionStyle.INLINE
    inline: bool = False
    weight: float = 1.0
    align: Align = Align.LEFT
    hide_if_empty: bool = True
    priority: int = 5


@dataclass(frozen=True, slots=True)
class BarcodeSpec:
    """How the barcode is drawn.

    Attributes:
        symbology: Code 128 (default), Code 39, QR or none.
        height_mm: Preferred bar height. A QR symbol instead fills the label's height up to
            ``max(height_mm, 25 mm)``.
        min_height_mm: The barcode never gets shorter than this; a label too small to hold it
            is refused.
        show_text: Print the value under the symbol.
        text_size: Point size of that text (it shrinks to fit the width).
        max_module_mm: Widest module (narrow bar) used even when the label is wider.
        min_module_mm: Narrowest module allowed; ``None`` uses the medium's printable minimum.
        quiet_zone_modules: Blank modules kept on each side (≥ 10 for linear codes).
        code39_checksum: Append the modulo-43 check character to Code 39.
        qr_level: QR error correction level: L, M, Q or H.
    """

    symbology: Symbology = Symbology.CODE128
    height_mm: float = 8.0
    min_height_mm: float = 5.0
    show_text: bool = True
    text_size: float = 6.5
    max_module_mm: float = 0.5
    min_module_mm: float | None = None
    quiet_zone_modules: int = 10
    code39_checksum: bool = False
    qr_level: str = "M"


@dataclass(frozen=True, slots=True)
class LabelTemplate:
    """Everything about a label's look except its size (that comes from the medium).

    Attributes:
        kind: The kind of label this template prints.
        name: Display name.
        fields: Printed fields, top to bottom.
        barcode: Barcode settings.
        title: Optional heading, centred in bold.
        title_size: Preferred heading size in points.
        padding_mm: Blank margin inside the label.
        border: Draw a thin frame around the label (useful on plain paper).
        rules: Draw thin lines between rows.
    """

    FORMAT_VERSION: ClassVar[int] = 1

    kind: LabelKind
    name: str
    fields: tuple[FieldSpec, ...]
    barcode: BarcodeSpec = field(default_factory=BarcodeSpec)
    title: str = ""
    title_size: float = 9.0
    padding_mm: float = 1.5
    border: bool = False
    rules: bool = False

    def validate(self) -> LabelTemplate:
        """Check keys and numbers; return ``self`` so it chains.

        Raises:
            ValidationError: ``labels.unknown_field`` or ``labels.template_invalid``.
        """
        allowed = FIELD_KEYS[self.kind]
        for spec in self.fields:
            if spec.key not in allowed:
                raise msg.unknown_field(self.name, spec.key, self.kind.value)
            if not (0 < spec.min_font_size <= spec.font_size <= 200):
                raise msg.template_invalid(self.name, f"tamaños de letra de «{spec.key}»")
            if spec.max_lines < 1 or not (spec.weight > 0 and math.isfinite(spec.weight)):
                raise msg.template_invalid(self.name, f"líneas o peso de «{spec.key}»")
        b = self.barcode
        if not (0 < b.min_height_mm <= b.height_mm) or b.quiet_zone_modules < 0:
            raise msg.template_invalid(self.name, "altura o zona de silencio del código")
        if b.symbology in (Symbology.CODE128, Symbology.CODE39) and b.quiet_zone_modules < 10:
            raise msg.template_invalid(
                self.name, "la zona de silencio debe ser de 10 módulos o más"
            )
        if b.qr_level not in ("L", "M", "Q", "H") or b.text_size <= 0 or b.max_module_mm <= 0:
            raise msg.template_invalid(self.name, "parámetros del código")
        if b.min_module_mm is not None and b.min_module_mm <= 0:
            raise msg.template_invalid(self.name, "ancho mínimo de módulo")
        if not (0 <= self.padding_mm < 50) or self.title_size <= 0:
            raise msg.template_invalid(self.name, "márgenes o tamaño del título")
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a ``format`` version."""
        data = asdict(self)
        data["fields"] = [asdict(f) for f in self.fields]
        return {"format": self.FORMAT_VERSION, **data}

    def to_json(self) -> str:
        """Compact, stable JSON (keys in declaration order)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelTemplate:
        """Build and validate a template from :meth:`to_dict` output.

        Raises:
            ValidationError: ``labels.template_invalid`` on unknown keys, wrong types or a newer
                format; ``labels.unknown_field`` on a field key the kind does not have.
        """
        name = str(data.get("name", "?")) if isinstance(data, dict) else "?"
        if not isinstance(data, dict):
            raise msg.template_invalid(name, "se esperaba un objeto JSON")
        data = dict(data)
        version = data.pop("format", cls.FORMAT_VERSION)
        if version != cls.FORMAT_VERSION:
            raise msg.template_invalid(name, f"versión de formato {version} desconocida")
        try:
            specs = tuple(_build(FieldSpec, f, name) for f in data.pop("fields"))
            barcode = _build(BarcodeSpec, data.pop("barcode", {}), name)
            template = _build(cls, {**data, "fields": specs, "barcode": barcode}, name)
        except KeyError as exc:
            raise msg.template_invalid(name, f"falta «{exc.args[0]}»") from exc
        return template.validate()

    @classmethod
    def from_json(cls, text: str | bytes) -> LabelTemplate:
        """Parse :meth:`to_json` output (see :meth:`from_dict`)."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise msg.template_invalid("?", f"JSON inválido ({exc})") from exc
        return cls.from_dict(data)


_ENUMS: dict[str, type[StrEnum]] = {
    "kind": LabelKind,
    "symbology": Symbology,
    "caption_style": CaptionStyle,
    "align": Align,
}
_NUMBER_KEYS = {
    "font_size",
    "min_font_size",
    "weight",
    "height_mm",
    "min_height_mm",
    "text_size",
    "max_module_mm",
    "min_module_mm",
    "title_size",
    "padding_mm",
}
_INT_KEYS = {"max_lines", "quiet_zone_modules", "priority"}
_BOOL_KEYS = {"bold", "inline", "hide_if_empty", "show_text", "code39_checksum", "border", "rules"}
_STR_KEYS = {"key", "caption", "name", "title", "qr_level"}

_T = TypeVar("_T")


def _build(cls: type[_T], raw: Any, name: str) -> _T:
    if not isinstance(raw, dict):
        raise msg.template_invalid(name, f"se esperaba un objeto para {cls.__name__}")
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(raw) - known
    if unknown:
        raise msg.template_invalid(name, f"claves desconocidas: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        values[key] = _coerce(key, value, name)
    return cls(**values)


def _coerce(key: str, value: Any, name: str) -> Any:
    bad = msg.template_invalid(name, f"valor inválido para «{key}»: {value!r}")
    if key in _ENUMS:
        try:
            return _ENUMS[key](value)
        except ValueError:
            raise bad from None
    if key in _NUMBER_KEYS:
        if value is None and key == "min_module_mm":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        if not math.isfinite(value):
            raise bad
        return float(value)
    if key in _INT_KEYS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise bad
        return value
    if key in _STR_KEYS:
        if not isinstance(value, str):
            raise bad
        return value
    return value  # "fields" and "barcode", already built


def _f(key: str, caption: str = "", size: float = 7.5, **kw: Any) -> FieldSpec:
    return FieldSpec(key, caption, font_size=size, **kw)


_CLASSIFICATION = (
    _f("fondo", "Fondo", priority=1),
    _f("seccion", "Sección", priority=2),
    _f("subseccion", "Subsección", priority=3),
    _f("serie", "Serie", priority=4),
    _f("subserie", "Subserie", priority=4),
)


def _defaults() -> dict[LabelKind, LabelTemplate]:
    return {
        LabelKind.CARPETA: LabelTemplate(
            LabelKind.CARPETA,
            "Carpeta (AGN)",
            (
                *_CLASSIFICATION,
                _f("expediente", "Expediente", 8.0, bold=True, priority=6),
                _f("fechas", "Fechas extremas", weight=1.3),
                _f("folios", "Folios", inline=True),
                _f("carpeta", "Carpeta N°", 8.0, bold=True, priority=8),
                _f("caja", "Caja N°", 8.0, bold=True, inline=True, priority=8),
            ),
        ),
        LabelKind.EXPEDIENTE: LabelTemplate(
            LabelKind.EXPEDIENTE,
            "Expediente (AGN)",
            (
                *_CLASSIFICATION,
                _f("expediente_numero", "Expediente N°", 8.0, bold=True, priority=8),
                _f("expediente", "Nombre", 8.0, bold=True, priority=6),
                _f("fechas", "Fechas extremas", weight=1.3),
                _f("folios", "Folios", inline=True),
                _f("carpetas", "Carpetas", priority=7),
                _f("caja", "Caja N°", bold=True, inline=True, priority=7),
            ),
        ),
        LabelKind.CAJA: LabelTemplate(
            LabelKind.CAJA,
            "Caja (AGN)",
            (
                *_CLASSIFICATION,
                _f("fechas", "Fechas extremas"),
                _f("carpetas", "Carpetas N°", priority=6),
                _f("transferencia", "Transferencia N°", inline=True),
                _f("signatura", "Signatura topográfica"),
                _f(
                    "caja",
                    "Caja N°",
                    14.0,
                    min_font_size=8.0,
                    bold=True,
                    align=Align.CENTER,
                    priority=9,
                ),
            ),
            barcode=BarcodeSpec(height_mm=10.0),
        ),
        LabelKind.UBICACION: LabelTemplate(
            LabelKind.UBICACION,
            "Ubicación",
            (
                _f(
                    "signatura",
                    "",
                    18.0,
                    min_font_size=8.0,
                    bold=True,
                    max_lines=1,
                    caption_style=CaptionStyle.NONE,
                    align=Align.CENTER,
                ),
                _f("ruta", "", 8.0, caption_style=CaptionStyle.NONE, align=Align.CENTER),
                _f(
                    "descripcion",
                    "",
                    7.0,
                    caption_style=CaptionStyle.NONE,
                    align=Align.CENTER,
                    priority=2,
                ),
            ),
            barcode=BarcodeSpec(height_mm=10.0),
        ),
        LabelKind.TESTIGO: LabelTemplate(
            LabelKind.TESTIGO,
            "Testigo de préstamo",
            (
                _f("prestamo", "Préstamo N°", 8.0, bold=True, priority=8),
                _f("fecha_prestamo", "Fecha", inline=True),
                _f("unidad", "Retirado", bold=True, priority=8),
                _f("expediente", "Expediente", priority=6),
                _f("serie", "Serie", priority=3),
                _f("retirado_por", "Por", priority=7),
                _f("destino", "Destino", priority=6),
                _f("fecha_devolucion", "Devolver el", 8.0, bold=True, priority=7),
                _f("signatura", "Ubicación", inline=True),
            ),
            title="TESTIGO – DOCUMENTO EN PRÉSTAMO",
            border=True,
        ),
    }


def default_template(kind: LabelKind | str) -> LabelTemplate:
    """The built-in template for ``kind`` (a fresh object each call)."""
    return _defaults()[LabelKind(kind)]


def default_templates() -> dict[LabelKind, LabelTemplate]:
    """All built-in templates, by kind."""
    return _defaults()
