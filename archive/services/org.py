"""The organisation: entity (fondo), dependencias (hierarchy with codes), workstations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import Dependencia, Entity, Workstation
from archive.db.uow import stale_conflict
from archive.domain.errors import NotFound, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.audit_log import snapshot, write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime

DEP_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")


@dataclass(frozen=True)
class EntityView:
    name: str
    nit: str
    city: str
    version: int


@dataclass(frozen=True)
class DependenciaView:
    id: str
    code: str
    name: str
    sigla: str
    parent_code: str | None
    depth: int
    active: bool
    version: int


@dataclass(frozen=True)
class WorkstationView:
    code: str
    name: str
    host: str
    local: bool


class OrgService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def entity(self) -> EntityView:
        with self.rt.db.sessions() as s:
            e = s.scalar(select(Entity).where(Entity.deleted_at.is_(None)))
            if e is None:
                return EntityView("", "", "", 0)
            return EntityView(e.name, e.nit, e.city, e.version)

    def update_entity(
        self, actor: Actor, *, name: str, nit: str = "", city: str = "", expected_version: int | None = None
    ) -> Changes:
        with self.rt.uow(actor, Permission.ORG_MANAGE) as uow:
            if not name.strip():
                raise ValidationError("setup.entity_name", N_("Escriba el nombre de la entidad (fondo)."))
            e = uow.session.scalar(select(Entity).where(Entity.deleted_at.is_(None)))
            assert e is not None
            if expected_version is not None and e.version != expected_version:
                raise stale_conflict()
            before = snapshot(e)
            e.name, e.nit, e.city = name.strip(), nit.strip(), city.strip()
            write_audit(
                uow, self.rt, actor, module="organizacion", action="entity.update",
                entity="entity", entity_id=e.id, before=before, after=snapshot(e),
            )  # fmt: skip
            uow.commit()
        return Changes(org=True)

    def list_dependencias(self, *, include_inactive: bool = True) -> list[DependenciaView]:
        """All dependencias in tree order (parents before children, by code)."""
        with self.rt.db.sessions() as s:
            deps = list(s.scalars(select(Dependencia).where(Dependencia.deleted_at.is_(None))))
        by_parent: dict[str | None, list[Dependencia]] = {}
        by_id = {d.id: d for d in deps}
        for d in deps:
            by_parent.setdefault(d.parent_id if d.parent_id in by_id else None, []).append(d)
        out: list[DependenciaView] = []

        def walk(parent: str | None, depth: int) -> None:
            for d in sorted(by_parent.get(parent, []), key=lambda x: x.code):
                if include_inactive or d.active:
                    p = by_id.get(d.parent_id) if d.parent_id else None
                    out.append(
                        DependenciaView(d.id, d.code, d.name, d.sigla, p.code if p else None,
                                        depth, d.active, d.version)
                    )  # fmt: skip
                walk(d.id, depth + 1)

        walk(None, 0)
        return out

    def add_dependencia(
        self, actor: Actor, *, code: str, name: str, parent_code: str | None = None, sigla: str = ""
    ) -> Changes:
        code = code.strip()
        with self.rt.uow(actor, Permission.ORG_MANAGE) as uow:
            if not DEP_CODE.match(code):
                raise ValidationError(
                    "dependencia.code",
                    N_("El código de dependencia «{code}» no es válido (letras, dígitos, punto o guion)."),
                    code=code,
                )
            if not name.strip():
                raise ValidationError("dependencia.name", N_("Escriba el nombre de la dependencia."))
            s = uow.session
            if _find(s, code) is not None:
                raise ValidationError(
                    "dependencia.exists", N_("Ya existe la dependencia con código «{code}»."), code=code
                )
            parent = _get(s, parent_code) if parent_code else None
            dep = Dependencia(code=code, name=name.strip(), sigla=sigla.strip(),
                              parent_id=parent.id if parent else None)  # fmt: skip
            s.add(dep)
            s.flush()
            write_audit(
                uow, self.rt, actor, module="organizacion", action="dependencia.add",
                entity="dependencia", entity_id=dep.id, after=snapshot(dep),
            )  # fmt: skip
            uow.commit()
        return Changes(org=True)

    def update_dependencia(
        self,
        actor: Actor,
        code: str,
        *,
        name: str | None = None,
        sigla: str | None = None,
        active: bool | None = None,
        parent_code: str | None = None,
        expected_version: int | None = None,
    ) -> Changes:
        with self.rt.uow(actor, Permission.ORG_MANAGE) as uow:
            s = uow.session
            dep = _get(s, code)
            if expected_version is not None and dep.version != expected_version:
                raise stale_conflict()
            before = snapshot(dep)
            if name is not None:
                if not name.strip():
                    raise ValidationError("dependencia.name", N_("Escriba el nombre de la dependencia."))
                dep.name = name.strip()
            if sigla is not None:
                dep.sigla = sigla.strip()
            if active is not None:
                dep.active = active
            if parent_code is not None:
                parent = _get(s, parent_code) if parent_code else None
                if parent is not None and _is_descendant(s, parent, dep):
                    raise ValidationError(
                        "dependencia.cycle",
                        N_("La dependencia {code} no puede depender de sí misma ni de una de sus subordinadas."),
                        code=code,
                    )
                dep.parent_id = parent.id if parent else None
            write_audit(
                uow, self.rt, actor, module="organizacion", action="dependencia.update",
                entity="dependencia", entity_id=dep.id, before=before, after=snapshot(dep),
            )  # fmt: skip
            uow.commit()
        return Changes(org=True)

    def list_workstations(self) -> list[WorkstationView]:
        local = self.rt.env.origin
        with self.rt.db.sessions() as s:
            rows = s.scalars(select(Workstation).where(Workstation.deleted_at.is_(None)).order_by(Workstation.code))
            return [WorkstationView(w.code, w.name, w.host, w.code == local) for w in rows]


def _find(s: Session, code: str) -> Dependencia | None:
    return s.scalar(select(Dependencia).where(Dependencia.code == code, Dependencia.deleted_at.is_(None)))


def _get(s: Session, code: str) -> Dependencia:
    dep = _find(s, code)
    if dep is None:
        raise NotFound("dependencia.not_found", N_("No existe la dependencia con código «{code}»."), code=code)
    return dep


def _is_descendant(s: Session, candidate: Dependencia, root: Dependencia) -> bool:
    node: Dependencia | None = candidate
    while node is not None:
        if node.id == root.id:
            return True
        node = s.get(Dependencia, node.parent_id) if node.parent_id else None
    return False
