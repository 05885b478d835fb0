"""Faults: connections cut mid-push and mid-pull (a proxy that drops them after a random number
of bytes), backends terminated from another session (pg_terminate_backend), the client process
killed with SIGKILL in the middle of ``legajo sync --once``. After each fault the work goes on and
the next sync resumes; in the end nothing is lost, nothing is duplicated, the cursors agree and
every copy holds the same data."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from archive.db.models import AuditLog, ChangeLog, Dependencia
from archive.db.uow import UnitOfWork
from archive.domain.errors import LegajoError
from archive.services.audit_log import verify_chain
from archive.sync.errors import SyncError
from tests.integration.sync_helpers import (
    PASSWORD,
    Central,
    CuttingProxy,
    Station,
    Stations,
    canonical_rows,
    diff,
    legajo_command,
    via_proxy,
)

pytestmark = pytest.mark.pg
pytest_plugins = ["tests.integration.sync_fixtures"]


@pytest.fixture(autouse=True)
def _soak_only_when_asked(request: pytest.FixtureRequest) -> None:
    """The soak runs only when asked for (``-m slow``): it takes many minutes."""
    if request.node.get_closest_marker("slow") and "slow" not in str(request.config.getoption("markexpr") or ""):
        pytest.skip("soak test: run with -m slow")


def workload(st: Station, rng: random.Random, serial: list[int]) -> None:
    """A few clerk actions: new dependencias and units, renames."""
    admin = st.login()
    for _ in range(rng.randint(3, 12)):
        serial[0] += 1
        what = rng.random()
        try:
            if what < 0.4:
                st.sv.org.add_dependencia(admin, code=f"{st.code}{serial[0]}", name=f"Oficina {serial[0]}")
            elif what < 0.7:
                st.sv.units.register(admin, type_code="X300", count=rng.randint(1, 5))
            else:
                deps = st.sv.org.list_dependencias()
                if deps:
                    d = rng.choice(deps)
                    st.sv.org.update_dependencia(admin, d.code, name=f"Renombrada {serial[0]} en {st.code}")
        except LegajoError:
            pass


class Terminator:
    """Terminates the sync's backend on the central database as soon as it appears."""

    def __init__(self, central: Central, delay: float) -> None:
        self.central = central
        self.delay = delay
        self.killed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        engine = self.central.engine()
        time.sleep(self.delay)
        with engine.connect() as conn:
            while not self._stop.is_set() and not self.killed:
                self.killed = int(conn.execute(text(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                    "where datname = :db and application_name like 'legajo %' and pid <> pg_backend_pid()"
                ), {"db": self.central.name}).scalar() or 0)  # fmt: skip
                conn.commit()
                time.sleep(0.003)
        engine.dispose()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def kill_cli_mid_sync(st: Station, rng: random.Random) -> bool:
    env = {**os.environ, "LEGAJO_CENTRAL_PASSWORD": PASSWORD, "LEGAJO_CONFIG_DIR": str(st.folder),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}  # fmt: skip
    proc = subprocess.Popen(legajo_command("sync", "--once", "--data-dir", str(st.folder)), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(rng.uniform(0.8, 3.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    return proc.returncode == -signal.SIGKILL


def campaign(tmp_path: Path, template: Path, central: Central, faults_wanted: int, seed: int) -> int:
    rng = random.Random(seed)
    proxy = CuttingProxy("127.0.0.1", int(central.config().port))
    made = Stations(tmp_path, template, central, engine_factory=via_proxy(proxy), batch=60)
    serial = [0]
    faults = 0
    seen: dict[str, int] = {}
    try:
        a = made.seed("A01")
        a.sv.demo.generate(a.admin, 150, seed=seed)
        a.sync.sync_once()
        b = made.join("B02")
        b.login()
        stations = [a, b]
        while faults < faults_wanted:
            st = rng.choice(stations)
            workload(st, rng, serial)
            kind = rng.choice(["cut", "cut", "cut", "terminate", "kill"])
            if kind == "kill":
                killed = kill_cli_mid_sync(st, rng)
                faults += killed
                seen["kill"] = seen.get("kill", 0) + killed
                continue
            terminator = Terminator(central, rng.uniform(0.0, 0.15)) if kind == "terminate" else None
            proxy.cut_after = rng.randint(300, 30_000) if kind == "cut" else None
            try:
                st.sync.sync_once()
            except SyncError as e:
                faults += 1
                seen[f"{kind}:{e.code}"] = seen.get(f"{kind}:{e.code}", 0) + 1
            finally:
                proxy.cut_after = None
                if terminator is not None:
                    terminator.stop()
        for _ in range(3):
            for st in stations:
                st.sync.sync_once()
        check(central, stations)
        print("faults:", seen)
    finally:
        made.close()
        proxy.close()
    return faults


def check(central: Central, stations: list[Station]) -> None:
    reference = canonical_rows(central.url)
    top = central.scalar("select max(server_seq) from sync_change")
    for st in stations:
        url = st.rt.db.engine.url.render_as_string(hide_password=False)
        assert diff(canonical_rows(url), reference) == [], st.code
        with st.rt.db.sessions() as s:
            mine = set(s.scalars(select(ChangeLog.change_id).where(ChangeLog.origin == st.code)))
            audit = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.workstation == st.code))
            deps = s.scalar(select(func.count()).select_from(Dependencia))
        # Nothing lost, nothing twice: every own change is centrally exactly once (change_id is
        # unique there), and so is every audit row of the chain.
        engine = central.engine()
        with engine.connect() as conn:
            theirs = set(conn.execute(text("select change_id from sync_change where origin = :o"),
                                      {"o": st.code}).scalars())  # fmt: skip
            central_audit = conn.execute(text("select count(*) from audit_log where workstation = :o"),
                                         {"o": st.code}).scalar()  # fmt: skip
        engine.dispose()
        assert mine == theirs
        assert audit == central_audit
        assert deps == central.scalar("select count(*) from dependencia")
        status = st.sync.status()
        assert status.pending_changes == 0 and status.pending_audit == 0
        assert status.pull_cursor == top
    db = central.database()
    with UnitOfWork(db.sessions, None, write=False) as uow:
        assert verify_chain(uow).ok
    db.close()


def test_faults_lose_nothing_and_duplicate_nothing(tmp_path: Path, migrated_template: Path, central: Central) -> None:
    assert campaign(tmp_path, migrated_template, central, faults_wanted=10, seed=11) >= 10


@pytest.mark.slow
def test_fault_soak(tmp_path: Path, migrated_template: Path, central: Central) -> None:
    assert campaign(tmp_path, migrated_template, central, faults_wanted=220, seed=2026) >= 200
