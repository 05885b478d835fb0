"""Reading and changing the entity parameters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.db.models import Parameter
from archive.domain.parameters import Parameters
from archive.domain.permissions import Permission
from archive.services.audit_log import write_audit
from archive.services.changes import Changes
from archive.services.runtime import Actor, Runtime


def load_parameters(session: Session) -> Parameters:
    rows = session.scalars(select(Parameter).where(Parameter.deleted_at.is_(None)))
    return Parameters.from_stored({r.key: r.value for r in rows})


class ParameterService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def get(self) -> Parameters:
        with self.rt.db.sessions() as s:
            return load_parameters(s)

    def set(self, actor: Actor, key: str, value: object) -> Changes:
        with self.rt.uow(actor, Permission.PARAMETERS_MANAGE) as uow:
            s = uow.session
            current = load_parameters(s)
            updated = current.with_value(key, value)
            new_value = getattr(updated, key)
            row = s.scalar(select(Parameter).where(Parameter.key == key))
            if row is None:
                s.add(Parameter(key=key, value=new_value))
            else:
                row.value = new_value
                row.deleted_at = None
            write_audit(
                uow, self.rt, actor, module="parametros", action="parameter.set",
                entity="parameter", entity_id=key,
                before={key: getattr(current, key)}, after={key: new_value},
            )  # fmt: skip
            uow.commit()
        return Changes(parameters=True)
