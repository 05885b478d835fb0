"""The workstation side of the protocol: register, bootstrap, push, push audit, pull.

One :class:`SyncClient` talks to one central database over one connection per cycle. Every step
is idempotent and resumable: a push is one central transaction (changes already there are
skipped) and the local push cursor only advances after the central commit; a pulled page is
applied in one local transaction together with its cursor; audit rows continue the central copy
of this workstation's chain and are refused if they do not. Cut the cable, kill the process or
restart the server at any point: the next cycle picks up where this one stopped, with nothing
lost and nothing applied twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from archive.db.models import AuditLog, ChangeLog, Entity, FeedCursor
from archive.db.uow import UnitOfWork
from archive.domain.progress import Cancelled, JobCancelled, Progress, never_cancelled, no_progress
from archive.i18n import N_
from archive.services.audit_log import GENESIS
from archive.services.runtime import Runtime
from archive.sync.central_apply import PUSH_LOCK, CentralApplier, last_seq
from archive.sync.central_models import RegisteredWorkstation, ServerChange
from archive.sync.central_schema import CentralInfo, check_central
from archive.sync.changes import Change
from archive.sync.config import CentralConfig, local_values, set_local
from archive.sync.errors import (
    AuditChainMismatch,
    CentralIncompatible,
    SyncError,
    WorkstationCodeTaken,
    from_driver_error,
)
from archive.sync.invariants import Invariants, default_invariants
from archive.sync.local_apply import LocalApplier, settle_set_asides
from archive.sync.tables import Catalog, default_catalog

PUSH_CURSOR = "sync.push"
PULL_CURSOR = "sync.pull"
SET_ASIDE_KEY = "sync.set_aside"
AUDIT_LOCK = PUSH_LOCK + 1
_AUDIT_COLUMNS = [c.name for c in AuditLog.__table__.columns]


@dataclass(frozen=True)
class CycleReport:
    """What one sync cycle moved."""

    pushed: int = 0
    already: int = 0
    conflicts: int = 0
    audit: int = 0
    pulled: int = 0
    applied: int = 0


class SyncClient:
    """This workstation's connection to the central database.

    Args:
        rt: The runtime (local database, workstation code, clock).
        config: Where the central database is.
        password: Its password (from :class:`~archive.sync.credentials.PasswordStore`).
        catalog: The synced tables (default: Legajo's).
        invariants: What the merge enforces (default: :func:`default_invariants`).
        batch: Changes per pushed batch (one central transaction each).
        page: Changes per pulled page (one local write transaction each: kept short, so a
            clerk's save never waits long behind a pull).
        engine_factory: Builds the engine from the URL (tests point it at a fault proxy).
    """

    def __init__(
        self,
        rt: Runtime,
        config: CentralConfig,
        password: str,
        *,
        catalog: Catalog | None = None,
        invariants: Invariants | None = None,
        batch: int = 5000,
        page: int = 1000,
        engine_factory: Callable[[Any], Engine] | None = None,
    ) -> None:
        self.rt = rt
        self.page = min(page, batch)
        self.config = config
        self.catalog = catalog or default_catalog()
        self.invariants = invariants or default_invariants()
        self.batch = batch
        url = config.url(password, application=f"legajo {rt.env.origin or 'nueva'}")
        factory = engine_factory or (lambda u: create_engine(u, poolclass=NullPool))
        self.engine: Engine = factory(url)

    @property
    def me(self) -> str:
        return self.rt.env.origin

    def close(self) -> None:
        self.engine.dispose()

    # --- connection ----------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[tuple[Connection, CentralInfo]]:
        """A checked connection to the central database; driver failures become SyncErrors."""
        try:
            with self.engine.connect() as conn:
                info = check_central(conn)
                conn.commit()
                yield conn, info
        except IntegrityError as e:
            raise SyncError(
                "sync.rejected",
                N_("La base central rechazó un lote: {detail}. No se perdió nada; avise al "
                   "administrador."),
                detail=str(e.orig)[:300],
            ) from e  # fmt: skip
        except DBAPIError as e:
            raise from_driver_error(e, self.config.server, self.config.sslmode) from e

    # --- registration --------------------------------------------------------------------

    def register(
        self, conn: Connection, info: CentralInfo, *, code: str, name: str, install_id: str,
        local_central_id: str | None,
    ) -> None:  # fmt: skip
        """Reserve ``code`` for this install centrally (idempotent for the same install).

        Raises:
            WorkstationCodeTaken: another install holds the code.
            CentralIncompatible: this copy was synced with another central database, or it
                has data of its own while the central already has data of other workstations.
        """
        if local_central_id and local_central_id != info.central_id:
            raise CentralIncompatible(
                "sync.other_central",
                N_("Esta estación se sincronizó con otra base central; no se puede mezclar con "
                   "{server}. Use una carpeta de datos nueva para unirse a esta base central."),
                server=self.config.server,
            )  # fmt: skip
        with conn.begin():
            conn.execute(select(func.pg_advisory_xact_lock(PUSH_LOCK)))
            reg = conn.execute(
                select(RegisteredWorkstation.__table__).where(RegisteredWorkstation.code == code)
            ).first()
            if reg is not None and reg.install_id != install_id:
                raise WorkstationCodeTaken(
                    "sync.code_taken",
                    N_("El código de estación {code} ya está registrado en la base central por "
                       "«{name}» ({host}). Elija otro código."),
                    code=code, name=reg.name, host=reg.host,
                )  # fmt: skip
            central_has_data = conn.scalar(select(exists(select(ServerChange.server_seq))))
            if not local_central_id and central_has_data and self._has_own_data():
                raise CentralIncompatible(
                    "sync.seed_conflict",
                    N_("Esta estación ya tiene datos propios y la base central {server} ya tiene "
                       "datos de otras estaciones: no se pueden mezclar. Una estación nueva se "
                       "une con una carpeta de datos vacía."),
                    server=self.config.server,
                )  # fmt: skip
            now = self.rt.now()
            if reg is None:
                conn.execute(insert(RegisteredWorkstation).values(
                    code=code, install_id=install_id, name=name[:100], host=self.rt.env.host[:200],
                    registered_at=now, last_seen_at=now, last_pull_seq=0, program=self.rt.env.program[:60],
                ))  # fmt: skip
            else:
                conn.execute(update(RegisteredWorkstation).where(RegisteredWorkstation.code == code).values(
                    name=name[:100] or reg.name, host=self.rt.env.host[:200], last_seen_at=now,
                    program=self.rt.env.program[:60],
                ))  # fmt: skip

    def _has_own_data(self) -> bool:
        with self.rt.db.sessions() as s:
            return bool(s.scalar(select(exists(select(Entity.id)))))

    def check_registered(self, conn: Connection, install_id: str) -> None:
        with conn.begin():
            reg = conn.execute(
                select(RegisteredWorkstation.install_id).where(RegisteredWorkstation.code == self.me)
            ).first()
        if reg is None or reg.install_id != install_id:
            raise CentralIncompatible(
                "sync.not_registered",
                N_("La estación {code} no está registrada en la base central {server}: "
                   "regístrela con «legajo sync register» (o Configuración → Base central)."),
                code=self.me, server=self.config.server,
            )  # fmt: skip

    # --- cursors -------------------------------------------------------------------------

    def cursor(self, name: str) -> int:
        with self.rt.db.sessions() as s:
            return int(s.scalar(select(FeedCursor.position).where(FeedCursor.consumer == name)) or 0)

    def _advance(self, name: str, position: int) -> None:
        with self.rt.db.uow(None) as uow:
            row = uow.session.get(FeedCursor, name)
            if row is None:
                uow.session.add(FeedCursor(consumer=name, position=position))
            elif position > row.position:
                row.position = position
            uow.commit()

    # --- push ----------------------------------------------------------------------------

    def push(self, conn: Connection, progress: Progress = no_progress,
             cancelled: Cancelled = never_cancelled) -> CycleReport:  # fmt: skip
        """Push this workstation's changes in batches; each batch is one central transaction."""
        pushed = already = conflicts = 0
        while True:
            if cancelled():
                raise JobCancelled()
            start = self.cursor(PUSH_CURSOR)
            with self.rt.db.sessions() as s:
                top = int(s.scalar(select(func.coalesce(func.max(ChangeLog.seq), 0))) or 0)
                rows = s.execute(
                    select(ChangeLog.__table__).where(ChangeLog.seq > start, ChangeLog.seq <= top,
                                                      ChangeLog.origin == self.me)
                    .order_by(ChangeLog.seq).limit(self.batch)
                ).all()  # fmt: skip
            upto = rows[-1].seq if len(rows) == self.batch else top
            if rows:
                changes = [Change(r.change_id, r.table_name, r.row_id, r.op, r.fields or {}, r.hlc,
                                  r.origin, r.user_id, r.at) for r in rows]  # fmt: skip
                with conn.begin():
                    outcome = CentralApplier(
                        conn, pusher=self.me, catalog=self.catalog, invariants=self.invariants,
                        now=self.rt.now(),
                    ).apply(changes)  # fmt: skip
                pushed += outcome.applied
                already += outcome.already
                conflicts += outcome.conflicts
                progress(pushed + already, pushed + already, N_("Enviando cambios"))
            if upto > start:
                self._advance(PUSH_CURSOR, upto)
            if len(rows) < self.batch:
                return CycleReport(pushed=pushed, already=already, conflicts=conflicts)

    def pending(self) -> int:
        """How many of this workstation's changes the central database has not confirmed."""
        start = self.cursor(PUSH_CURSOR)
        with self.rt.db.sessions() as s:
            return int(s.scalar(
                select(func.count()).select_from(ChangeLog)
                .where(ChangeLog.seq > start, ChangeLog.origin == self.me)
            ) or 0)  # fmt: skip

    # --- audit ---------------------------------------------------------------------------

    def push_audit(self, conn: Connection, confirmed: int = 0) -> tuple[int, int]:
        """Append this workstation's new audit rows to the central copy of its chain.

        Args:
            conn: The central connection.
            confirmed: The last ``chain_seq`` a previous push confirmed (skip the round trip
                when nothing was written since).

        Returns:
            How many rows were sent, and the last ``chain_seq`` the central copy now holds.
        """
        with self.rt.db.sessions() as s:
            local_last = int(s.scalar(select(func.coalesce(func.max(AuditLog.chain_seq), 0))
                                      .where(AuditLog.workstation == self.me)) or 0)  # fmt: skip
        if confirmed and local_last <= confirmed:
            return 0, confirmed
        sent = 0
        while True:
            with conn.begin():
                conn.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK)))
                last = conn.execute(
                    select(AuditLog.chain_seq, AuditLog.hash).where(AuditLog.workstation == self.me)
                    .order_by(AuditLog.chain_seq.desc()).limit(1)
                ).first()  # fmt: skip
                seq, prev = (last[0], last[1]) if last else (0, GENESIS)
                with self.rt.db.sessions() as s:
                    rows = [dict(r._mapping) for r in s.execute(
                        select(AuditLog.__table__).where(AuditLog.workstation == self.me,
                                                         AuditLog.chain_seq > seq)
                        .order_by(AuditLog.chain_seq).limit(self.batch)
                    )]  # fmt: skip
                if not rows:
                    return sent, seq
                first = rows[0]
                if first["chain_seq"] != seq + 1 or first["prev_hash"] != prev:
                    raise AuditChainMismatch(
                        "sync.audit_chain",
                        N_("La auditoría de esta estación ({code}) no continúa la copia de la base "
                           "central (registro {seq}). No se envió nada: verifique la auditoría "
                           "local con «legajo audit verify»."),
                        code=self.me, seq=seq + 1,
                    )  # fmt: skip
                conn.execute(insert(AuditLog), [{c: r[c] for c in _AUDIT_COLUMNS} for r in rows])
            sent += len(rows)
            if len(rows) < self.batch:
                return sent, rows[-1]["chain_seq"]

    # --- pull ----------------------------------------------------------------------------

    def pull(self, conn: Connection, progress: Progress = no_progress,
             cancelled: Cancelled = never_cancelled) -> CycleReport:  # fmt: skip
        """Pull other workstations' (and the central's) changes page by page."""
        pulled = applied = 0
        while True:
            if cancelled():
                raise JobCancelled()
            start = self.cursor(PULL_CURSOR)
            with conn.begin():
                top = last_seq(conn)
                rows = conn.execute(
                    select(ServerChange.__table__)
                    .where(ServerChange.server_seq > start, ServerChange.server_seq <= top,
                           ServerChange.origin != self.me)
                    .order_by(ServerChange.server_seq).limit(self.page)
                ).all()  # fmt: skip
            upto = rows[-1].server_seq if len(rows) == self.page else top
            if upto <= start:
                self._seen(conn, start)
                self._settle(conn)
                return CycleReport(pulled=pulled, applied=applied)
            changes = [Change(r.change_id, r.table_name, r.row_id, r.op, r.fields or {}, r.hlc,
                              r.origin, r.user_id, r.at) for r in rows]  # fmt: skip
            done = self._apply_page(start, upto, changes)
            if done is None:
                continue  # another process of this workstation applied it meanwhile
            pulled += len(changes)
            applied += done
            progress(pulled, pulled, N_("Recibiendo cambios"))
            if len(rows) < self.page:
                self._seen(conn, upto)
                self._settle(conn)
                return CycleReport(pulled=pulled, applied=applied)

    @staticmethod
    def _set_asides(uow: UnitOfWork) -> list[list[str]]:
        text = local_values(uow, SET_ASIDE_KEY).get(SET_ASIDE_KEY)
        return list(json.loads(text)) if text else []

    def _settle(self, conn: Connection) -> None:
        """Settle rows set aside locally during pulls, once the central has judged them."""
        with self.rt.db.uow(None) as uow:
            pending = self._set_asides(uow)
            if not pending:
                return
            with conn.begin():
                still = settle_set_asides(uow.session.connection(), conn, self.catalog,
                                          [(a, b, c, d) for a, b, c, d in pending])  # fmt: skip
            set_local(uow, SET_ASIDE_KEY, json.dumps([list(x) for x in still]))
            uow.commit()

    def _apply_page(self, start: int, upto: int, changes: list[Change]) -> int | None:
        with self.rt.db.uow(None) as uow:
            row = uow.session.get(FeedCursor, PULL_CURSOR)
            if (row.position if row else 0) != start:
                return None
            outcome = LocalApplier(uow.session.connection(), me=self.me, catalog=self.catalog).apply(changes)
            if outcome.set_aside:
                pending = self._set_asides(uow) + [list(x) for x in outcome.set_aside]
                set_local(uow, SET_ASIDE_KEY, json.dumps(pending))
            if row is None:
                uow.session.add(FeedCursor(consumer=PULL_CURSOR, position=upto))
            else:
                row.position = upto
            uow.commit()
        if changes:
            self.rt.hlc.observe(max(c.hlc for c in changes))
        return outcome.applied

    def _seen(self, conn: Connection, upto: int) -> None:
        with conn.begin():
            conn.execute(
                update(RegisteredWorkstation).where(RegisteredWorkstation.code == self.me)
                .values(last_seen_at=self.rt.now(), last_pull_seq=upto)
            )  # fmt: skip
