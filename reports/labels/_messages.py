"""Errors the label renderer raises: stable codes, Spanish templates, parameters.

``reports`` may import only ``archive.domain`` from our code (DESIGN.md §1), so the gettext
marker is a local identity function under the same name; the extractor finds ``N_`` calls
wherever they are.
"""

from __future__ import annotations

from archive.domain.errors import ValidationError


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it now."""
    return msgid


def no_labels() -> ValidationError:
    return ValidationError("labels.empty", N_("No hay etiquetas para imprimir."))


def barcode_missing(index: int) -> ValidationError:
    return ValidationError(
        "labels.barcode_missing",
        N_("La etiqueta {index} no tiene valor de código de barras."),
        index=index + 1,
    )


def barcode_invalid(value: str, symbology: str, chars: str) -> ValidationError:
    return ValidationError(
        "labels.barcode_invalid_chars",
        N_("El valor «{value}» tiene caracteres que {symbology} no puede codificar: {chars}."),
        value=value,
        symbology=symbology,
        chars=chars,
    )


def barcode_too_long(
    value: str, symbology: str, width_mm: float, needed_mm: float, minimum_mm: float
) -> ValidationError:
    return ValidationError(
        "labels.barcode_too_long",
        N_(
            "El código «{value}» ({symbology}) no cabe en {width} mm de ancho: necesitaría "
            "módulos de {needed} mm y el mínimo imprimible es {minimum} mm. Use una etiqueta "
            "más grande, otra simbología o un valor más corto."
        ),
        value=value,
        symbology=symbology,
        width=round(width_mm, 1),
        needed=round(needed_mm, 3),
        minimum=round(minimum_mm, 3),
    )


def label_too_small(width_mm: float, height_mm: float) -> ValidationError:
    return ValidationError(
        "labels.label_too_small",
        N_("Una etiqueta de {width} × {height} mm es demasiado pequeña para el código de barras."),
        width=round(width_mm, 1),
        height=round(height_mm, 1),
    )


def no_template(index: int, kind: str) -> ValidationError:
    return ValidationError(
        "labels.no_template",
        N_("La etiqueta {index} es de tipo «{kind}» y no hay plantilla para ese tipo."),
        index=index + 1,
        kind=kind,
    )


def start_position(position: int, per_page: int) -> ValidationError:
    return ValidationError(
        "labels.start_position",
        N_("La posición inicial {position} no existe: la hoja tiene {count} etiquetas."),
        position=position,
        count=per_page,
    )


def template_invalid(name: str, detail: str) -> ValidationError:
    return ValidationError(
        "labels.template_invalid",
        N_("La plantilla de etiqueta «{name}» no es válida: {detail}"),
        name=name,
        detail=detail,
    )


def unknown_field(name: str, field: str, kind: str) -> ValidationError:
    return ValidationError(
        "labels.unknown_field",
        N_("La plantilla «{name}» usa el campo «{field}», que no existe en etiquetas de {kind}."),
        name=name,
        field=field,
        kind=kind,
    )


def medium_invalid(name: str, detail: str) -> ValidationError:
    return ValidationError(
        "labels.medium_invalid",
        N_("El formato de etiquetas «{name}» no es válido: {detail}"),
        name=name,
        detail=detail,
    )
