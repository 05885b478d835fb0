"""Reviewing and resolving sync conflicts (permission ``sync.manage``).

A person sees both versions of the fields at stake — values, workstation, user, time — and
decides per field: keep the left version, take the right one, or type another value. The
decision is an ordinary edit of the row (so it syncs like any other, last writer wins), the
conflict is marked resolved, and an audit row records who decided what, where and why, all in
one transaction. Duplicates have their own meaning: "right" gives the value to the incoming row
and sets the holder aside; "left" leaves the holder with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Integer, func, select
from sqlalchemy.orm import Session

from archive.db.base import Base
from archive.db.changefeed import encode
from archive.db.models import Movement, SyncConflict
from archive.db.uow import stale_conflict
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime
from archive.sync.invariants import KIND_LABELS
from archive.sync.tables import Catalog, SyncedTable, quarantine_value

SIDES = ("left", "right", "value")

FIELD_LABELS: dict[str, str] = {
    "barcode": N_("Código de barras"),
    "code": N_("Código"),
    "number": N_("Número"),
    "name": N_("Nombre"),
    "title": N_("Título"),
    "status": N_("Estado"),
    "state": N_("Estado"),
    "location_id": N_("Ubicación"),
    "parent_id": N_("Contenedor"),
    "deleted_at": N_("Eliminado el"),
    "username": N_("Usuario"),
    "notes": N_("Notas"),
    "capacity_units": N_("Capacidad (unidades)"),
}

_LABEL_COLUMNS = ("barcode", "path", "number", "code", "username", "name", "key", "title")
#: Tables whose people-facing name is not the first of :data:`_LABEL_COLUMNS` they have.
_LABEL_FIRST = {"location": ("path",), "dependencia": ("code",)}

_CHANGES: dict[str, Changes] = {
    "unit": Changes(units=True, audit=True),
    "movement": Changes(units=True, audit=True),
    "location": Changes(locations=True, audit=True),
    "expediente": Changes(records=True, audit=True),
    "dependencia": Changes(org=True, audit=True),
    "workstation": Changes(org=True, audit=True),
    "entity": Changes(org=True, audit=True),
    "app_user": Changes(users=True, audit=True),
    "role": Changes(roles=True, audit=True),
    "role_permission": Changes(roles=True, audit=True),
    "parameter": Changes(parameters=True, audit=True),
}


@dataclass(frozen=True)
class VersionView:
    """One side of a conflict: values (as stored), their display text, and who/when/where."""

    values: dict[str, Any]
    display: dict[str, str]
    origin: str
    username: str
    at: datetime | None


@dataclass(frozen=True)
class ConflictView:
    id: str
    kind: str
    kind_label: str
    table: str
    row_id: str
    row_label: str
    other_id: str | None
    other_label: str
    fields: tuple[str, ...]
    field_labels: dict[str, str]
    left: VersionView
    right: VersionView
    current: dict[str, str]
    applied: str
    detail: dict[str, Any]
    state: str
    created_at: datetime
    resolution: dict[str, Any] | None
    resolved_by: str
    resolved_at: datetime | None
    resolved_on: str
    version: int


@dataclass(frozen=True)
class Choice:
    """A decision for one field: ``left``, ``right``, or ``value`` (then ``value`` is the text)."""

    side: str
    value: str | None = None


@cache
def _models() -> dict[str, type[Any]]:
    return {str(getattr(m.local_table, "name", "")): m.class_ for m in Base.registry.mappers}


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class ConflictService:
    def __init__(self, rt: Runtime, catalog: Catalog) -> None:
        self.rt = rt
        self.catalog = catalog

    def count_open(self) -> int:
        """How many conflicts wait for a decision (for the status bar; no permission needed)."""
        with self.rt.db.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(SyncConflict).where(
                SyncConflict.state == "abierto", SyncConflict.deleted_at.is_(None))) or 0)  # fmt: skip

    def list(self, actor: Actor, *, include_resolved: bool = False) -> list[ConflictView]:
        """Conflicts, newest first (open ones only unless ``include_resolved``)."""
        with self.rt.uow(actor, Permission.SYNC_MANAGE, write=False) as uow:
            q = select(SyncConflict).where(SyncConflict.deleted_at.is_(None))
            if not include_resolved:
                q = q.where(SyncConflict.state == "abierto")
            rows = uow.session.scalars(q.order_by(SyncConflict.created_at.desc(), SyncConflict.id.desc()))
            return [self._view(uow.session, c) for c in rows]

    def get(self, actor: Actor, conflict_id: str) -> ConflictView:
        with self.rt.uow(actor, Permission.SYNC_MANAGE, write=False) as uow:
            return self._view(uow.session, self._conflict(uow.session, conflict_id))

    @staticmethod
    def _conflict(s: Session, conflict_id: str) -> SyncConflict:
        c = s.get(SyncConflict, conflict_id)
        if c is None or c.deleted_at is not None:
            raise NotFound("sync.conflict_not_found", N_("No existe el conflicto {id}."), id=conflict_id)
        return c

    # --- display -------------------------------------------------------------------------

    def _label(self, s: Session, table: str, row_id: str | None) -> str:
        if not row_id:
            return ""
        model = _models().get(table)
        row = s.get(model, row_id) if model is not None else None
        if row is None:
            return row_id[:8]
        for col in (*_LABEL_FIRST.get(table, ()), *_LABEL_COLUMNS):
            value = getattr(row, col, None)
            if value:
                return str(value)
        return row_id[:8]

    def _display(self, s: Session, t: SyncedTable | None, field: str, value: Any) -> str:
        if t is not None and value and field in t.table.c:
            for fk in t.table.c[field].foreign_keys:
                return self._label(s, fk.column.table.name, str(value))
        return _text(value)

    def _version(self, s: Session, t: SyncedTable | None, data: Mapping[str, Any]) -> VersionView:
        values = dict(data.get("values") or {})
        at = data.get("at")
        return VersionView(
            values=values,
            display={k: self._display(s, t, k, v) for k, v in values.items()},
            origin=str(data.get("origin") or ""),
            username=str(data.get("username") or ""),
            at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        )

    def _view(self, s: Session, c: SyncConflict) -> ConflictView:
        t = self.catalog.get(c.table_name)
        model = _models().get(c.table_name)
        row = s.get(model, c.row_id) if model is not None else None
        fields = tuple(c.fields or ())
        other_table = c.table_name
        if c.kind == "capacity":
            other_table = "location" if "location_id" in fields else "unit"
        return ConflictView(
            id=c.id, kind=c.kind, kind_label=KIND_LABELS.get(c.kind, c.kind), table=c.table_name,
            row_id=c.row_id, row_label=self._label(s, c.table_name, c.row_id), other_id=c.other_id,
            other_label=self._label(s, other_table, c.other_id), fields=fields,
            field_labels={f: FIELD_LABELS.get(f, f) for f in fields},
            left=self._version(s, t, c.left or {}), right=self._version(s, t, c.right or {}),
            current={f: self._display(s, t, f, encode(getattr(row, f, None))) for f in fields} if row else {},
            applied=c.applied, detail=dict(c.detail or {}), state=c.state, created_at=c.created_at,
            resolution=c.resolution, resolved_by=c.resolved_by, resolved_at=c.resolved_at,
            resolved_on=c.resolved_on, version=c.version,
        )  # fmt: skip

    # --- resolving -----------------------------------------------------------------------

    def _typed(self, t: SyncedTable, field: str, text: str | None) -> Any:
        """A typed value from what a person wrote (dates as aaaa-mm-dd, yes/no as sí/no)."""
        raw = (text or "").strip()
        column = t.table.c[field]
        if raw == "" and column.nullable:
            return None
        try:
            if isinstance(column.type, Boolean):
                return raw.lower() in ("1", "true", "sí", "si", "yes", "s")
            if isinstance(column.type, Integer):
                return int(raw)
            return t.decode_value(field, raw)
        except ValueError as e:
            raise ValidationError("sync.value", N_("El valor «{value}» no es válido para {field}."),
                                  value=raw, field=FIELD_LABELS.get(field, field)) from e  # fmt: skip

    def resolve(
        self,
        actor: Actor,
        conflict_id: str,
        choices: Mapping[str, Choice],
        *,
        note: str = "",
        expected_version: int | None = None,
    ) -> Changes:
        """Apply the person's decision for every field of the conflict, audited.

        Raises:
            ValidationError: a field without a decision, an unknown side or an invalid value.
            ConflictError: someone else changed the conflict or the row meanwhile.
        """
        with self.rt.uow(actor, Permission.SYNC_MANAGE) as uow:
            s = uow.session
            c = self._conflict(s, conflict_id)
            if expected_version is not None and c.version != expected_version:
                raise stale_conflict()
            if c.state != "abierto":
                raise ValidationError("sync.conflict_resolved",
                                      N_("Este conflicto ya fue resuelto por {user}."), user=c.resolved_by)  # fmt: skip
            t = self.catalog.get(c.table_name)
            model = _models().get(c.table_name)
            row = s.get(model, c.row_id) if model is not None else None
            if t is None or row is None:
                raise NotFound("sync.conflict_row", N_("El registro del conflicto ya no existe."))
            fields = list(c.fields or ())
            for f in fields:
                choice = choices.get(f)
                if choice is None or choice.side not in SIDES:
                    raise ValidationError("sync.choice", N_("Elija una versión para «{field}»."),
                                          field=FIELD_LABELS.get(f, f))  # fmt: skip
            wanted: dict[str, Any] = {}
            for f in fields:
                choice = choices[f]
                if choice.side == "value":
                    wanted[f] = self._typed(t, f, choice.value)
                else:
                    side = c.left if choice.side == "left" else c.right
                    wanted[f] = t.decode_value(f, (side or {}).get("values", {}).get(f))
            before = {f: encode(getattr(row, f)) for f in fields}
            if c.kind == "duplicate":
                self._duplicate(s, t, model, c, row, fields[0], choices[fields[0]], wanted[fields[0]])
            else:
                for f in fields:
                    if c.kind == "capacity" and f in ("location_id", "parent_id") and getattr(row, f) != wanted[f]:
                        s.add(Movement(unit_id=row.id, at=self.rt.now(), user_id=actor.user_id,
                                       username=actor.username, method="manual",
                                       from_location_id=row.location_id, from_parent_id=row.parent_id,
                                       to_location_id=wanted[f] if f == "location_id" else None,
                                       to_parent_id=wanted[f] if f == "parent_id" else None,
                                       note=f"conflicto {c.id}"))  # fmt: skip
                    setattr(row, f, wanted[f])
            s.flush()
            after = {f: encode(getattr(row, f)) for f in fields}
            c.state = "resuelto"
            c.resolution = {f: {"choice": choices[f].side, "value": after[f]} for f in fields}
            c.resolved_by = actor.username
            c.resolved_at = self.rt.now()
            c.resolved_on = self.rt.env.origin
            write_audit(uow, self.rt, actor, module="sincronizacion", action="sync.conflict.resolve",
                        entity=c.table_name, entity_id=c.row_id, before=before, after=after,
                        reason=note.strip(), confirmed=True, extras=(c.kind, c.id))  # fmt: skip
            uow.commit()
        return _CHANGES.get(c.table_name, Changes(audit=True))

    def _duplicate(
        self, s: Session, t: SyncedTable, model: Any, c: SyncConflict, row: Any, field: str,
        choice: Choice, value: Any,
    ) -> None:  # fmt: skip
        if choice.side == "left":
            return  # the holder keeps the value; this row keeps its set-aside one
        column = getattr(model, field)
        live = [column == value, model.id != row.id]
        if "deleted_at" in t.table.c:
            live.append(model.deleted_at.is_(None))
        holders = list(s.scalars(select(model).where(*live)))
        if choice.side == "right":
            for holder in holders:
                setattr(holder, field, quarantine_value(str(value), holder.id, t.lengths.get(field)))
            s.flush()
        elif holders:
            raise ValidationError("sync.value_taken", N_("El valor «{value}» ya lo tiene otro registro."),
                                  value=value)  # fmt: skip
        setattr(row, field, value)
