"""Realistic demo data: the same generator the benchmarks use.

Expedientes are written with Core bulk inserts (one transaction, change feed included), so a
million of them take minutes, not hours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select

from archive.db.changefeed import record_bulk
from archive.db.engine import bulk_page_cache
from archive.db.models import Dependencia, Expediente, Role, Serie, Subserie, User
from archive.db.types import utcnow
from archive.domain.errors import ValidationError
from archive.domain.ids import uuid7
from archive.domain.permissions import Permission
from archive.domain.progress import Cancelled, JobCancelled, Progress, never_cancelled, no_progress
from archive.i18n import N_
from archive.services import demo_data as vocab
from archive.services.audit_log import write_audit
from archive.services.demo_shelves import DemoShelves
from archive.services.runtime import Actor, Runtime
from archive.services.setup import SetupRequest, SetupService

BATCH = 20_000


@dataclass(frozen=True)
class DemoResult:
    expedientes: int
    dependencias: int
    series: int
    users: list[str]
    password: str | None
    admin: Actor


class DemoService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def generate(
        self,
        actor: Actor | None,
        items: int,
        *,
        seed: int = 2026,
        with_shelves: bool = True,
        progress: Progress = no_progress,
        cancelled: Cancelled = never_cancelled,
    ) -> DemoResult:
        """Load ``items`` demo expedientes (and, on a new database, the entity and users).

        On an uninitialised database this initialises it with the demo entity and demo users
        (password :data:`~archive.services.demo_data.DEMO_PASSWORD`); on an existing one the
        acting user needs the ``demo.load`` permission and only records are added.
        """
        if items < 0 or items > 5_000_000:
            raise ValidationError(
                "demo.items", N_("El número de expedientes debe estar entre 0 y 5.000.000.")
            )
        setup = SetupService(self.rt)
        password = None
        if not setup.is_initialized():
            actor = setup.initialize(
                SetupRequest(
                    entity_name=vocab.ENTITY, entity_nit=vocab.NIT, entity_city=vocab.CITY,
                    admin_username="admin", admin_full_name=vocab.DEMO_USERS["admin"][0],
                    admin_password=vocab.DEMO_PASSWORD, workstation_code="A01",
                    workstation_name="Estación de demostración",
                )
            )  # fmt: skip
            password = vocab.DEMO_PASSWORD
        if actor is None:
            raise ValidationError(
                "demo.actor", N_("La base de datos ya existe: indique el usuario que carga los datos.")
            )
        rng = random.Random(seed)
        with self.rt.uow(actor, Permission.DEMO_LOAD) as uow:
            s = uow.session
            feed = self.rt.feed(actor)
            deps = self._dependencias(s)
            series = self._series(s, deps)
            users = self._users(s) if password else []
            s.flush()
            conn = s.connection()
            with bulk_page_cache(conn):  # a million rows and their indexes
                shelves = DemoShelves(s, conn, feed, self.rt.env.origin, items) if with_shelves else None
                done = 0
                counters: dict[tuple[str, str], int] = {}
                while done < items:
                    if cancelled():
                        raise JobCancelled()
                    n = min(BATCH, items - done)
                    rows = [self._expediente(rng, deps, series, counters) for _ in range(n)]
                    conn.execute(insert(Expediente), rows)
                    record_bulk(conn, feed, Expediente.__tablename__, rows)
                    if shelves is not None:
                        shelves.place(rows)
                    done += n
                    progress(done, items, N_("Generando expedientes"))
            write_audit(
                uow, self.rt, actor, module="demo", action="demo.generate",
                after={"expedientes": items, "dependencias": len(deps), "series": len(series),
                       "usuarios": users, "semilla": seed,
                       "cajas": shelves.boxes if shelves else 0,
                       "entrepanos": len(shelves.leaves) if shelves else 0},
            )  # fmt: skip
            uow.commit()
        return DemoResult(items, len(deps), len(series), users, password, actor)

    def _dependencias(self, s: Any) -> dict[str, Dependencia]:
        existing = {d.code: d for d in s.scalars(select(Dependencia).where(Dependencia.deleted_at.is_(None)))}
        for code, name, sigla, parent in vocab.DEPENDENCIAS:
            if code not in existing:
                dep = Dependencia(code=code, name=name, sigla=sigla,
                                  parent_id=existing[parent].id if parent else None)  # fmt: skip
                s.add(dep)
                s.flush()
                existing[code] = dep
        return existing

    def _series(self, s: Any, deps: dict[str, Dependencia]) -> list[tuple[Dependencia, Serie, Subserie, list[str]]]:
        out = []
        rng = random.Random(7)
        existing = {(x.dependencia_id, x.code): x for x in s.scalars(select(Serie))}
        subs = {(x.serie_id, x.code): x for x in s.scalars(select(Subserie))}
        for dep in deps.values():
            for code in sorted([*rng.sample(sorted(vocab.SERIES), 4), "2", "17"]):
                name, subseries, titles = vocab.SERIES[code]
                serie = existing.get((dep.id, code))
                if serie is None:
                    serie = Serie(dependencia_id=dep.id, code=code, name=name)
                    s.add(serie)
                    s.flush()
                    existing[(dep.id, code)] = serie
                for sub_code, sub_name in subseries:
                    sub = subs.get((serie.id, sub_code))
                    if sub is None:
                        sub = Subserie(serie_id=serie.id, code=sub_code, name=sub_name)
                        s.add(sub)
                        s.flush()
                        subs[(serie.id, sub_code)] = sub
                    out.append((dep, serie, sub, titles))
        return out

    def _users(self, s: Any) -> list[str]:
        roles = {r.code: r for r in s.scalars(select(Role))}
        deps = {d.code: d for d in s.scalars(select(Dependencia))}
        made = []
        pw_hash = self.rt.passwords.hash(vocab.DEMO_PASSWORD)
        for username, (full_name, role, dep) in vocab.DEMO_USERS.items():
            if s.scalar(select(User.id).where(User.username == username)):
                continue
            s.add(User(username=username, full_name=full_name, role_id=roles[role].id,
                       dependencia_id=deps[dep].id if dep else None, password_hash=pw_hash,
                       must_change_password=False, password_changed_at=self.rt.now()))  # fmt: skip
            made.append(username)
        return made

    def _expediente(
        self,
        rng: random.Random,
        deps: dict[str, Dependencia],
        series: list[tuple[Dependencia, Serie, Subserie, list[str]]],
        counters: dict[tuple[str, str], int],
    ) -> dict[str, Any]:
        dep, serie, sub, titles = series[rng.randrange(len(series))]
        year = rng.randint(1995, 2025)
        key = (dep.code, str(year))
        counters[key] = seq = counters.get(key, 0) + 1
        opened = date(year, 1, 1) + timedelta(days=rng.randrange(330))
        closed = opened + timedelta(days=rng.randrange(20, 700))
        is_open = closed > date(2025, 10, 1) or rng.random() < 0.08
        age = 2026 - closed.year
        stage = "historico" if age > 20 and rng.random() < 0.5 else "central" if age > 5 else "gestion"
        folios = rng.randint(1, 250)
        title = rng.choice(titles).format(
            n=rng.randint(1, 999), m=rng.randint(1000, 1999), year=year,
            person=f"{rng.choice(vocab.FIRST)} {rng.choice(vocab.LAST)} {rng.choice(vocab.LAST)}",
            place=rng.choice(vocab.PLACES), org=rng.choice(vocab.ORGS), topic=rng.choice(vocab.TOPICS),
            month=vocab.MONTHS[opened.month - 1],
        )  # fmt: skip
        now = utcnow()
        return {
            "id": uuid7(), "created_at": now, "updated_at": now, "version": 1,
            "origin": self.rt.env.origin, "deleted_at": None,
            "dependencia_id": dep.id, "serie_id": serie.id, "subserie_id": sub.id,
            "number": f"{year}-{dep.code}-{serie.code}.{sub.code}-{seq:05d}",
            "title": title, "opened_on": opened if rng.random() > 0.01 else None,
            "closed_on": None if is_open else closed,
            "folio_first": 1, "folio_last": folios, "folios": folios,
            "soporte": "papel" if rng.random() < 0.93 else "papel y electrónico",
            "state": "abierto" if is_open else "cerrado",
            "stage": "gestion" if is_open else stage,
            "notes": "" if rng.random() < 0.9 else "Folios con biodeterioro; revisar.",
        }  # fmt: skip
