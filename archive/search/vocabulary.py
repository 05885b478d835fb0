"""The fixed vocabulary of the index: record kinds, stages, states, filter fields and their
Spanish names in the query language."""

from __future__ import annotations

#: The kinds of record the index holds (``SearchDoc.kind``).
KINDS: tuple[str, ...] = (
    "expediente",
    "caja",
    "carpeta",
    "ubicacion",
    "serie",
    "subserie",
    "dependencia",
    "prestamo",
    "novedad",
)

#: Archive stages (``fields["stage"]``) and record states (``fields["state"]``).
STAGES: tuple[str, ...] = ("gestion", "central", "historico")
STATES: tuple[str, ...] = ("abierto", "cerrado")

#: Keys accepted in ``SearchDoc.fields``.
FIELD_KEYS: tuple[str, ...] = (
    "dependencia",
    "serie",
    "subserie",
    "year",
    "stage",
    "state",
    "caja",
)

#: Filter names a person may type (folded: "año" is typed as "año" or "ano"), by field key.
#: ``kind`` is a filter too, though not a ``SearchDoc.fields`` key.
FIELD_NAMES: dict[str, str] = {
    "dependencia": "dependencia",
    "dep": "dependencia",
    "serie": "serie",
    "subserie": "subserie",
    "ano": "year",
    "anio": "year",
    "caja": "caja",
    "estado": "state",
    "etapa": "stage",
    "tipo": "kind",
}

#: The name each filter is written with (``SearchQuery.to_text``).
DISPLAY_NAMES: dict[str, str] = {
    "dependencia": "dependencia",
    "serie": "serie",
    "subserie": "subserie",
    "year": "año",
    "caja": "caja",
    "state": "estado",
    "stage": "etapa",
    "kind": "tipo",
}

#: Filters whose values come from a closed list (a unique prefix is enough: "estado:cerr").
CHOICES: dict[str, tuple[str, ...]] = {"state": STATES, "stage": STAGES, "kind": KINDS}
