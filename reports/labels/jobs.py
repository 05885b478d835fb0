"""Print jobs from stored data: the bridge between the label records the core reads from the
database (``archive.services.label_data.LabelRecord``: a kind and the keyword arguments of a
dataclass here) and :func:`render_labels`, used alike by the CLI and the GUI.

Only plain values cross: a record is anything with ``kind`` and ``fields``; a template is its
JSON; a medium is a preset id, a custom grid spec or a stored ``to_dict()``; a calibration is a
``Calibration.to_dict()``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO, Protocol

from archive.domain.errors import ValidationError
from archive.i18n import N_
from reports.labels.data import (
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
    A4,
    LETTER,
    Calibration,
    Medium,
    SheetLayout,
    builtin_media,
    medium_from_dict,
)
from reports.labels.render import RenderResult, render_labels
from reports.labels.templates import LabelTemplate, default_template

_CLASSES: dict[str, type[LabelData]] = {
    LabelKind.CAJA: CajaLabel,
    LabelKind.CARPETA: CarpetaLabel,
    LabelKind.EXPEDIENTE: ExpedienteLabel,
    LabelKind.UBICACION: UbicacionLabel,
    LabelKind.TESTIGO: TestigoLabel,
}
_CODE_NAMES = ("seccion", "subseccion", "serie", "subserie")
#: ``grid:a4:3x8:63.5x33.9[:2.5x0]`` — page, columns×rows, label size and gap in mm.
_GRID = re.compile(
    r"^grid:(?P<page>a4|carta|letter):(?P<c>\d+)x(?P<r>\d+):(?P<w>[\d.]+)x(?P<h>[\d.]+)"
    r"(?::(?P<gx>[\d.]+)x(?P<gy>[\d.]+))?$"
)


class RecordLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def fields(self) -> dict[str, Any]: ...


def label_from_record(record: RecordLike) -> LabelData:
    """The renderer's dataclass for a record: ``(code, name)`` pairs become :class:`CodeName`."""
    cls = _CLASSES.get(record.kind)
    if cls is None:
        raise ValidationError(
            "labels.kind", N_("Clase de rótulo desconocida: «{kind}»."), kind=record.kind
        )
    values = dict(record.fields)
    for key in _CODE_NAMES:
        pair = values.get(key)
        if isinstance(pair, tuple | list):
            values[key] = CodeName(str(pair[0]), str(pair[1]))
    return cls(**values)


def resolve_medium(spec: str | Mapping[str, Any]) -> tuple[str, Medium]:
    """``(id, medium)`` for a preset id (``a4-3x8``), a grid spec or a stored ``to_dict()``."""
    if isinstance(spec, Mapping):
        medium = medium_from_dict(dict(spec))
        return str(spec.get("name", "")), medium
    presets = builtin_media()
    if spec in presets:
        return spec, presets[spec]
    m = _GRID.match(spec.strip().lower())
    if m is None:
        raise ValidationError(
            "labels.medium_unknown",
            N_("Medio desconocido «{medium}». Use uno de {known} o grid:a4:3x8:63.5x33.9[:2.5x0]."),
            medium=spec,
            known=", ".join(presets),
        )
    page = A4 if m["page"] == "a4" else LETTER
    gap = (float(m["gx"] or 0), float(m["gy"] or 0))
    layout = SheetLayout.centered(
        spec, page, int(m["c"]), int(m["r"]), (float(m["w"]), float(m["h"])), gap
    ).validate()
    return spec, layout


def template_from(body: str | None, kind: str) -> LabelTemplate:
    """A stored template (validated), or the built-in one of ``kind``."""
    return LabelTemplate.from_json(body) if body else default_template(kind)


def render_records(
    records: Sequence[RecordLike],
    template: LabelTemplate,
    medium: Medium,
    calibration: Mapping[str, Any] | None,
    out: str | os.PathLike[str] | BinaryIO,
    start_position: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RenderResult:
    """Render records with one template (a batch is one kind)."""
    items = [label_from_record(r) for r in records]
    cal = Calibration.from_dict(dict(calibration)) if calibration else None
    return render_labels(items, template, medium, cal, out, start_position, progress, cancelled)
