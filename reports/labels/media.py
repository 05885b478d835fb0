"""Where labels go: sheets of die-cut labels, thermal rolls, and per-printer calibration.

All lengths are millimetres; positions count from the top-left corner of the page the way
label sheets are specified. :meth:`SheetLayout.slot_box` and :meth:`RollMedium.box` convert
to ReportLab points (origin at the bottom-left) with the calibration applied.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from reports.labels import _messages as msg

MM = 72.0 / 25.4
A4 = (210.0, 297.0)
LETTER = (215.9, 279.4)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per-printer correction applied when drawing.

    Attributes:
        name: Profile name (printer, tray).
        offset_x_mm: Shift of everything to the right (negative: left).
        offset_y_mm: Shift of everything downwards (negative: up).
        creep_x_mm: Extra rightward shift per column (sheets).
        creep_y_mm: Extra downward shift per row of a sheet, or per label on a roll, for
            printers whose feed drifts.
        dpi: Printer resolution; when set, barcode modules are whole printer dots.
    """

    name: str = ""
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    creep_x_mm: float = 0.0
    creep_y_mm: float = 0.0
    dpi: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(**_checked(cls, data, str(data.get("name", "?"))))


NO_CALIBRATION = Calibration()


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """A grid of labels on a page.

    Attributes:
        name: Preset or user name.
        page_width_mm / page_height_mm: Paper size.
        columns / rows: Grid size.
        label_width_mm / label_height_mm: One label.
        margin_left_mm / margin_top_mm: From the paper edge to the first label.
        pitch_x_mm / pitch_y_mm: Distance between the left (top) edges of neighbouring labels.
        min_module_mm: Narrowest printable barcode module on this medium.
        dpi: Typical printer resolution, for module snapping (calibration may override).
    """

    name: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    margin_left_mm: float
    margin_top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float
    min_module_mm: float = 0.19
    dpi: int | None = None

    @classmethod
    def centered(
        cls,
        name: str,
        page: tuple[float, float],
        columns: int,
        rows: int,
        label: tuple[float, float],
        gap: tuple[float, float] = (0.0, 0.0),
    ) -> SheetLayout:
        """A grid centred on the page, with ``gap`` (mm) between labels."""
        pw, ph = page
        lw, lh = label
        gx, gy = gap
        left = (pw - columns * lw - (columns - 1) * gx) / 2
        top = (ph - rows * lh - (rows - 1) * gy) / 2
        return cls(
            name, pw, ph, columns, rows, lw, lh, round(left, 3), round(top, 3), lw + gx, lh + gy
        )

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def label_size_mm(self) -> tuple[float, float]:
        return self.label_width_mm, self.label_height_mm

    def validate(self) -> SheetLayout:
        """Check that the grid fits the page and labels do not overlap.

        Raises:
            ValidationError: ``labels.medium_invalid``.
        """
        if self.columns < 1 or self.rows < 1:
            raise msg.medium_invalid(self.name, "filas y columnas deben ser 1 o más")
        if min(self.label_width_mm, self.label_height_mm, self.page_width_mm) <= 0:
            raise msg.medium_invalid(self.name, "tamaños no positivos")
        if self.margin_left_mm < 0 or self.margin_top_mm < 0:
            raise msg.medium_invalid(self.name, "márgenes negativos")
        eps = 0.01
        if (self.columns > 1 and self.pitch_x_mm + eps < self.label_width_mm) or (
            self.rows > 1 and self.pitch_y_mm + eps < self.label_height_mm
        ):
            raise msg.medium_invalid(self.name, "las etiquetas se superponen")
        right = self.margin_left_mm + (self.columns - 1) * self.pitch_x_mm + self.label_width_mm
        bottom = self.margin_top_mm + (self.rows - 1) * self.pitch_y_mm + self.label_height_mm
        if right > self.page_width_mm + eps or bottom > self.page_height_mm + eps:
            raise msg.medium_invalid(self.name, "las etiquetas se salen de la página")
        if self.min_module_mm <= 0:
            raise msg.medium_invalid(self.name, "ancho mínimo de módulo")
        return self

    def slot_box(self, slot: int, cal: Calibration) -> tuple[float, float, float, float]:
        """Box ``(x, y, width, height)`` in points of the 0-based ``slot`` (row-major)."""
        row, col = divmod(slot, self.columns)
        x = self.margin_left_mm + col * (self.pitch_x_mm + cal.creep_x_mm) + cal.offset_x_mm
        top = self.margin_top_mm + row * (self.pitch_y_mm + cal.creep_y_mm) + cal.offset_y_mm
        y = self.page_height_mm - top - self.label_height_mm
        return x * MM, y * MM, self.label_width_mm * MM, self.label_height_mm * MM

    def to_dict(self) -> dict[str, Any]:
        return {"type": "sheet", **asdict(self)}


@dataclass(frozen=True, slots=True)
class RollMedium:
    """A roll of labels printed one per page (thermal or continuous tape).

    Attributes:
        name: Preset or user name.
        width_mm: Label (page) width.
        length_mm: Label length; ``None`` for continuous tape: each label is as long as its
            content needs, between ``min_length_mm`` and ``max_length_mm``.
        min_module_mm: Narrowest printable module (0.25 mm = 2 dots at 203 dpi).
        dpi: Printer resolution for module snapping (calibration may override).
    """

    name: str
    width_mm: float
    length_mm: float | None
    min_module_mm: float = 0.25
    dpi: int | None = 203
    min_length_mm: float = 20.0
    max_length_mm: float = 300.0

    @property
    def per_page(self) -> int:
        return 1

    def validate(self) -> RollMedium:
        """Raises ``labels.medium_invalid`` on non-positive sizes."""
        if self.width_mm <= 0 or (self.length_mm is not None and self.length_mm <= 0):
            raise msg.medium_invalid(self.name, "tamaños no positivos")
        if not (0 < self.min_length_mm <= self.max_length_mm) or self.min_module_mm <= 0:
            raise msg.medium_invalid(self.name, "límites de largo o de módulo")
        return self

    def box(
        self, index: int, height_mm: float, cal: Calibration
    ) -> tuple[float, float, float, float]:
        """Box in points of the ``index``-th label (0-based) on its own page."""
        dy = cal.offset_y_mm + index * cal.creep_y_mm
        return cal.offset_x_mm * MM, -dy * MM, self.width_mm * MM, height_mm * MM

    def to_dict(self) -> dict[str, Any]:
        return {"type": "roll", **asdict(self)}


Medium = SheetLayout | RollMedium


def medium_from_dict(data: dict[str, Any]) -> Medium:
    """Inverse of ``to_dict`` of either medium.

    Raises:
        ValidationError: ``labels.medium_invalid``.
    """
    data = dict(data)
    kind = data.pop("type", None)
    name = str(data.get("name", "?"))
    if kind == "sheet":
        return SheetLayout(**_checked(SheetLayout, data, name)).validate()
    if kind == "roll":
        return RollMedium(**_checked(RollMedium, data, name)).validate()
    raise msg.medium_invalid(name, f"tipo desconocido {kind!r}")


def _checked(cls: type[Any], data: dict[str, Any], name: str) -> dict[str, Any]:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise msg.medium_invalid(name, f"claves desconocidas: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "name":
            if not isinstance(value, str):
                raise msg.medium_invalid(name, "nombre")
        elif value is None and key in ("dpi", "length_mm"):
            pass
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise msg.medium_invalid(name, f"valor inválido para «{key}»")
        elif key in ("columns", "rows", "dpi") and not isinstance(value, int):
            raise msg.medium_invalid(name, f"«{key}» debe ser entero")
        out[key] = value
    return out


def builtin_media() -> dict[str, Medium]:
    """The preset media by stable id: common A4 and Letter (Carta) sheets and rolls."""
    c = SheetLayout.centered
    media: dict[str, Medium] = {
        "a4-3x8": c("A4 3×8 – 63,5×33,9 mm (L7159)", A4, 3, 8, (63.5, 33.9), (2.5, 0)),
        "a4-3x7": c("A4 3×7 – 63,5×38,1 mm (L7160)", A4, 3, 7, (63.5, 38.1), (2.5, 0)),
        "a4-2x7": c("A4 2×7 – 99,1×38,1 mm (L7163)", A4, 2, 7, (99.1, 38.1), (2.5, 0)),
        "a4-1x2": c("A4 1×2 – 199,6×143,5 mm (L7168)", A4, 1, 2, (199.6, 143.5)),
        "carta-3x8": c("Carta 3×8 – 63,5×33,9 mm", LETTER, 3, 8, (63.5, 33.9), (2.5, 0)),
        "carta-3x10": c(
            "Carta 3×10 – 66,7×25,4 mm (5160)", LETTER, 3, 10, (66.675, 25.4), (3.175, 0)
        ),
        "carta-2x7": c(
            "Carta 2×7 – 101,6×33,9 mm (5162)", LETTER, 2, 7, (101.6, 33.867), (4.76, 0)
        ),
        "carta-1x2": c("Carta 1×2 – 215,9×139,7 mm (5126)", LETTER, 1, 2, (215.9, 139.7)),
        "rollo-100x50": RollMedium("Rollo 100×50 mm", 100.0, 50.0),
        "rollo-62": RollMedium("Rollo 62 mm continuo", 62.0, None, dpi=300),
        "rollo-62x100": RollMedium("Rollo 62×100 mm", 62.0, 100.0, dpi=300),
        "rollo-4x6in": RollMedium("Rollo 4×6 in", 101.6, 152.4),
    }
    return media
