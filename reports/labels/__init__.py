"""Label printing: rótulos de caja, carpeta, expediente, ubicación and testigos, as PDF.

Input is plain data (:mod:`reports.labels.data`), a template (:mod:`reports.labels.templates`)
and a medium (:mod:`reports.labels.media`); :func:`render_labels` writes the PDF. See
``docs/LABELS.md``.
"""

from reports.labels.barcodes import Symbol, encode
from reports.labels.data import (
    FIELD_KEYS,
    CajaLabel,
    CarpetaLabel,
    CodeName,
    ExpedienteLabel,
    LabelData,
    LabelKind,
    TestigoLabel,
    UbicacionLabel,
)
from reports.labels.media import (
    NO_CALIBRATION,
    Calibration,
    Medium,
    RollMedium,
    SheetLayout,
    builtin_media,
    medium_from_dict,
)
from reports.labels.render import RenderResult, render_labels, render_labels_bytes
from reports.labels.templates import (
    Align,
    BarcodeSpec,
    CaptionStyle,
    FieldSpec,
    LabelTemplate,
    Symbology,
    default_template,
    default_templates,
)
from reports.labels.text import HELVETICA, FontSet, clear_caches, default_fonts

__all__ = [
    "FIELD_KEYS",
    "HELVETICA",
    "NO_CALIBRATION",
    "Align",
    "BarcodeSpec",
    "CajaLabel",
    "Calibration",
    "CaptionStyle",
    "CarpetaLabel",
    "CodeName",
    "ExpedienteLabel",
    "FieldSpec",
    "FontSet",
    "LabelData",
    "LabelKind",
    "LabelTemplate",
    "Medium",
    "RenderResult",
    "RollMedium",
    "SheetLayout",
    "Symbol",
    "Symbology",
    "TestigoLabel",
    "UbicacionLabel",
    "builtin_media",
    "clear_caches",
    "default_fonts",
    "default_template",
    "default_templates",
    "encode",
    "medium_from_dict",
    "render_labels",
    "render_labels_bytes",
]
