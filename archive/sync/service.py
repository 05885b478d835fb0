"""Central sync as use cases: configure, register (and bootstrap), sync, status.

Configuration and registration change what this workstation is connected to, so they need the
``sync.manage`` permission and are audited — except on a brand-new, empty workstation, which
has no users yet: it joins the central database first (bootstrapping every user, role and record
from it), and its first audit row says so. Syncing itself is a system job (the scheduled
``legajo sync --once`` and the application's timer run it): it moves changes that were already
authorised and audited where they were made.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from archive.db.changefeed import FeedContext
from archive.db.models import AuditLog, ChangeLog, FeedCursor, SyncConflict, Workstation
from archive.domain.errors import LegajoError, ValidationError
from archive.domain.ids import uuid7
from archive.domain.permissions import Permission
from archive.domain.progress import Cancelled, Progress, never_cancelled, no_progress
from archive.i18n import N_
from archive.services.audit_log import write_audit
from archive.services.runtime import SYSTEM, Actor, Runtime
from archive.services.setup import WORKSTATION_CODE
from archive.sync.bootstrap import bootstrap
from archive.sync.central_schema import CentralInfo
from archive.sync.client import PULL_CURSOR, PUSH_CURSOR, SyncClient
from archive.sync.config import CentralConfig, load_config, save_config, set_local
from archive.sync.conflicts import ConflictService
from archive.sync.credentials import PasswordStore
from archive.sync.errors import CentralIncompatible, not_configured
from archive.sync.invariants import Invariants
from archive.sync.tables import Catalog, default_catalog

INSTALL_KEY = "sync.install_id"
CENTRAL_ID_KEY = "sync.central_id"
LAST_OK_KEY = "sync.last_ok"
LAST_ATTEMPT_KEY = "sync.last_attempt"
LAST_ERROR_KEY = "sync.last_error"
AUDIT_SENT_KEY = "sync.audit_sent"


@dataclass(frozen=True)
class ConfigureResult:
    """Where the password went: the OS keyring, or nowhere (use the environment variable)."""

    stored_in_keyring: bool
    keyring_available: bool


@dataclass(frozen=True)
class RegisterResult:
    code: str
    central_id: str
    bootstrapped_rows: int


@dataclass(frozen=True)
class SyncReport:
    """What one sync did (counts of changes, audit rows, conflicts) and how long it took."""

    pushed: int
    already: int
    audit: int
    pulled: int
    applied: int
    conflicts: int
    seconds: float


@dataclass(frozen=True)
class SyncStatus:
    """This workstation's sync state, read locally (no network)."""

    configured: bool
    server: str
    workstation: str
    registered: bool
    interval_min: int
    last_ok: datetime | None
    last_attempt: datetime | None
    last_error: LegajoError | None
    pending_changes: int
    pending_audit: int
    open_conflicts: int
    push_cursor: int
    pull_cursor: int


def _stored_error(text: str | None) -> LegajoError | None:
    if not text:
        return None
    data = json.loads(text)
    return LegajoError(data["code"], data["template"], **data.get("params", {}))


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SyncService:
    """Central sync use cases for one workstation.

    Args:
        rt: The runtime.
        passwords: Where the central password is kept (default: keyring, then environment).
        invariants: What the central merge enforces (default: Legajo's).
        catalog: The synced tables (default: Legajo's).
        engine_factory: Builds the central engine from its URL (tests insert a fault proxy).
        batch: Changes per pushed batch and per pulled page.
    """

    def __init__(
        self,
        rt: Runtime,
        *,
        passwords: PasswordStore | None = None,
        invariants: Invariants | None = None,
        catalog: Catalog | None = None,
        engine_factory: Callable[[Any], Engine] | None = None,
        batch: int = 5000,
    ) -> None:
        self.rt = rt
        self.batch = batch
        self.passwords = passwords or PasswordStore()
        self.invariants = invariants
        self.catalog = catalog or default_catalog()
        self.engine_factory = engine_factory
        self.conflicts = ConflictService(rt, self.catalog)
        self._cached: tuple[tuple[str, str], SyncClient] | None = None
        # One sync at a time per process (the timer and a click may ask together; a second
        # one just waits and then finds little to do). Another process is safe anyway.
        self._running = threading.Lock()
        self._guard = threading.Lock()

    def close(self) -> None:
        """Release the connection settings kept between syncs."""
        if self._cached is not None:
            self._cached[1].close()
            self._cached = None

    # --- configuration -------------------------------------------------------------------

    def config(self) -> CentralConfig | None:
        return load_config(self.rt.db)

    def initialized(self) -> bool:
        return self.rt.db.local("workstation_code") is not None

    def _authorize(self, actor: Actor | None) -> Actor:
        """``actor`` must hold sync.manage, except on an empty workstation (no users yet)."""
        if not self.initialized():
            return actor or SYSTEM
        if actor is None:
            raise ValidationError(
                "sync.actor", N_("Indique el usuario que configura la sincronización (--user).")
            )
        with self.rt.uow(actor, Permission.SYNC_MANAGE, write=False):
            pass
        return actor

    def configure(self, actor: Actor | None, config: CentralConfig, password: str | None) -> ConfigureResult:
        """Store where the central database is, and its password in the OS keyring if any."""
        config = config.validated()
        actor = self._authorize(actor)
        stored = bool(password) and self.passwords.store(config, password or "")
        with self.rt.uow(actor, Permission.SYNC_MANAGE if actor.user_id else None) as uow:
            save_config(uow, config)
            if self.initialized():
                after = {k: v for k, v in json.loads(config.to_json()).items()}
                write_audit(uow, self.rt, actor, module="sincronizacion", action="sync.configure",
                            entity="local_state", entity_id="sync.config", after=after,
                            extras=("llavero" if stored else "entorno",))  # fmt: skip
            uow.commit()
        return ConfigureResult(stored, self.passwords.keyring_available())

    def _client(self, config: CentralConfig | None = None, password: str | None = None) -> SyncClient:
        config = config or self.config()
        if config is None:
            raise not_configured()
        password = password if password is not None else self.passwords.get(config)
        # Kept between syncs: its engine caches compiled statements (a sync with nothing to do
        # is then a handful of round trips).
        key = (config.to_json(), password)
        with self._guard:
            if self._cached is not None and self._cached[0] == key:
                return self._cached[1]
            self.close()
            client = SyncClient(self.rt, config, password, catalog=self.catalog, invariants=self.invariants,
                                batch=self.batch, engine_factory=self.engine_factory)  # fmt: skip
            self._cached = (key, client)
            return client

    def test_connection(self, config: CentralConfig | None = None, password: str | None = None) -> CentralInfo:
        """Connect and recognise the central database; change nothing."""
        client = self._client(config.validated() if config else None, password)
        with client.connect() as (_, info):
            return info

    def _install_id(self) -> str:
        current = self.rt.db.local(INSTALL_KEY)
        if current:
            return current
        with self.rt.db.uow(None) as uow:
            set_local(uow, INSTALL_KEY, uuid7())
            uow.commit()
        return self.rt.db.local(INSTALL_KEY) or ""

    # --- registration and bootstrap ------------------------------------------------------

    def register(
        self,
        actor: Actor | None,
        *,
        code: str | None = None,
        name: str = "",
        progress: Progress = no_progress,
        cancelled: Cancelled = never_cancelled,
    ) -> RegisterResult:
        """Register this workstation centrally; an empty one also loads everything from there.

        Args:
            actor: Who does it (sync.manage); None only on an empty workstation.
            code: The workstation code, for an empty workstation (3 capitals or digits, used in
                its barcodes; must be free centrally).
            name: A display name for the workstation.
        """
        actor = self._authorize(actor)
        joining = not self.initialized()
        if joining:
            code = (code or "").strip().upper()
            if not WORKSTATION_CODE.match(code):
                raise ValidationError(
                    "workstation.code",
                    N_("El código de estación «{code}» debe tener 3 letras mayúsculas o dígitos."),
                    code=code,
                )
        else:
            code = self.rt.env.origin
        install_id = self._install_id()
        client = self._client()
        with client.connect() as (conn, info):
            client.register(conn, info, code=code, name=name or self.rt.env.host, install_id=install_id,
                            local_central_id=self.rt.db.local(CENTRAL_ID_KEY))  # fmt: skip
            if not joining:
                with self.rt.uow(actor, Permission.SYNC_MANAGE if actor.user_id else None) as uow:
                    set_local(uow, CENTRAL_ID_KEY, info.central_id)
                    write_audit(uow, self.rt, actor, module="sincronizacion", action="sync.register",
                                entity="workstation", entity_id=code,
                                after={"central": client.config.server, "central_id": info.central_id})  # fmt: skip
                    uow.commit()
                return RegisterResult(code, info.central_id, 0)
            conn.execution_options(isolation_level="REPEATABLE READ")
            rows = self._join(conn, info, code, name, progress, cancelled)
        self.close()  # the next connection names this workstation by its new code
        return RegisterResult(code, info.central_id, rows)

    def _join(self, conn: Any, info: CentralInfo, code: str, name: str, progress: Progress,
              cancelled: Cancelled) -> int:  # fmt: skip
        self.rt.env.origin = code
        try:
            feed = FeedContext(origin=code, clock=self.rt.hlc)
            with self.rt.db.uow(feed) as uow, conn.begin():
                s = uow.session
                result = bootstrap(conn, s.connection(), catalog=self.catalog, now=self.rt.now(),
                                   progress=progress, cancelled=cancelled)  # fmt: skip
                self.rt.hlc.observe(result.max_hlc)
                top = int(s.scalar(select(func.coalesce(func.max(ChangeLog.seq), 0))) or 0)
                s.add_all([FeedCursor(consumer=PULL_CURSOR, position=result.cursor),
                           FeedCursor(consumer=PUSH_CURSOR, position=top)])  # fmt: skip
                set_local(uow, "workstation_code", code)
                set_local(uow, CENTRAL_ID_KEY, info.central_id)
                ws = Workstation(code=code, name=(name or self.rt.env.host)[:100], host=self.rt.env.host[:200])
                s.add(ws)
                s.flush()
                set_local(uow, "workstation_id", ws.id)
                config = self.config()
                write_audit(uow, self.rt, SYSTEM, module="sincronizacion", action="sync.join",
                            entity="workstation", entity_id=ws.id,
                            after={"code": code, "central": config.server if config else "",
                                   "rows": result.rows, "cursor": result.cursor},
                            confirmed=True)  # fmt: skip
                uow.commit()
        except BaseException:
            self.rt.env.origin = ""
            raise
        return result.rows

    # --- syncing -------------------------------------------------------------------------

    def sync_once(self, progress: Progress = no_progress, cancelled: Cancelled = never_cancelled) -> SyncReport:
        """Push this workstation's changes and audit, pull everyone else's; record the outcome."""
        with self._running:
            return self._sync_once(progress, cancelled)

    def _sync_once(self, progress: Progress, cancelled: Cancelled) -> SyncReport:
        started = time.perf_counter()
        if not self.initialized() or not self.rt.db.local(CENTRAL_ID_KEY):
            raise CentralIncompatible(
                "sync.not_registered_local",
                N_("Esta estación todavía no está registrada en la base central: ejecute "
                   "«legajo sync register» (o Configuración → Base central)."),
            )  # fmt: skip
        attempt = self.rt.now().isoformat()
        try:
            client = self._client()
            with client.connect() as (conn, info):
                if info.central_id != self.rt.db.local(CENTRAL_ID_KEY):
                    raise CentralIncompatible(
                        "sync.other_central",
                        N_("Esta estación se sincronizó con otra base central; no se puede mezclar "
                           "con {server}. Use una carpeta de datos nueva para unirse a esta base "
                           "central."),
                        server=client.config.server,
                    )  # fmt: skip
                client.check_registered(conn, self._install_id())
                pushed = client.push(conn, progress, cancelled)
                sent = int(self.rt.db.local(AUDIT_SENT_KEY) or 0)
                audit, confirmed = client.push_audit(conn, sent)
                pulled = client.pull(conn, progress, cancelled)
        except LegajoError as e:
            error = json.dumps({"code": e.code, "template": e.template, "params": e.as_dict()["params"]})
            self._note(LAST_ATTEMPT_KEY, attempt, LAST_ERROR_KEY, error)
            raise
        self._note(LAST_ATTEMPT_KEY, attempt, LAST_OK_KEY, self.rt.now().isoformat(),
                   AUDIT_SENT_KEY, str(confirmed), LAST_ERROR_KEY, "")  # fmt: skip
        return SyncReport(pushed.pushed, pushed.already, audit, pulled.pulled, pulled.applied,
                          pushed.conflicts, time.perf_counter() - started)  # fmt: skip

    def _note(self, *pairs: str) -> None:
        with self.rt.db.uow(None) as uow:
            for key, value in zip(pairs[::2], pairs[1::2], strict=True):
                set_local(uow, key, value)
            uow.commit()

    def status(self) -> SyncStatus:
        config = self.config()
        values = self.rt.db.local_values()
        me = self.rt.env.origin
        with self.rt.db.sessions() as s:
            cursors = {str(k): int(v) for k, v in s.execute(select(FeedCursor.consumer, FeedCursor.position))}
            push = int(cursors.get(PUSH_CURSOR, 0))
            pending = s.scalar(select(func.count()).select_from(ChangeLog)
                               .where(ChangeLog.seq > push, ChangeLog.origin == me)) or 0  # fmt: skip
            last_audit = s.scalar(select(func.coalesce(func.max(AuditLog.chain_seq), 0))
                                  .where(AuditLog.workstation == me)) or 0  # fmt: skip
            conflicts = s.scalar(select(func.count()).select_from(SyncConflict)
                                 .where(SyncConflict.state == "abierto", SyncConflict.deleted_at.is_(None))) or 0  # fmt: skip
        return SyncStatus(
            configured=config is not None,
            server=config.server if config else "",
            workstation=me,
            registered=bool(values.get(CENTRAL_ID_KEY)),
            interval_min=config.interval_min if config else 0,
            last_ok=_when(values.get(LAST_OK_KEY)),
            last_attempt=_when(values.get(LAST_ATTEMPT_KEY)),
            last_error=_stored_error(values.get(LAST_ERROR_KEY)),
            pending_changes=int(pending),
            pending_audit=max(0, int(last_audit) - int(values.get(AUDIT_SENT_KEY) or 0)),
            open_conflicts=int(conflicts),
            push_cursor=push,
            pull_cursor=int(cursors.get(PULL_CURSOR, 0)),
        )
