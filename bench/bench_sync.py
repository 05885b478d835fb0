"""Central sync benchmarks (issue: central sync). Run:
``python bench/bench_sync.py [--items 1000000] [--push-items 46000] [--pg postgresql://...]``

Figures, each with its same-run baseline:
- push ~100,000 changes (a workstation's demo load: expedientes, carpetas, boxes, shelves)
  through the full protocol (idempotency check, per-field merge, invariants, one transaction per
  batch, server_seq, clocks) vs PostgreSQL ``COPY`` of the same change rows into a scratch table;
- a sync with nothing to do on a workstation with ``--items`` expedientes (connect, recognise the
  central, push/audit/pull checks) vs a bare connect + ``SELECT 1``;
- bootstrap of a new workstation from a central holding ``--items`` expedientes vs ``COPY ... TO
  STDOUT`` of the same tables (reading only).

The central databases are created on the server at ``--pg`` (default ``LEGAJO_TEST_PG_URL`` or
postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CACHE, demo_services, machine

ROW = "| {what} | {value} | {baseline} | {target} |"


def n(x: float) -> str:
    """A count with Colombian thousands separators (1.000.000)."""
    return f"{x:,.0f}".replace(",", ".")


def pg_admin(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def new_central(server: str) -> tuple[str, str]:
    """Create and initialise a central database; (name, SQLAlchemy URL)."""
    import psycopg
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from archive.sync.central_schema import init_central

    name = f"legajo_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    engine = create_engine(url, poolclass=NullPool)
    init_central(engine)
    engine.dispose()
    return name, url


def drop(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(pg_admin(server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def station(folder: Path) -> Any:
    from archive.db.database import Database
    from archive.db.engine import sqlite_url
    from archive.services.container import Services
    from archive.services.runtime import Environment, Runtime

    return Services.build(Runtime(Database.open(sqlite_url(folder)), Environment()))


def sync_service(sv: Any) -> Any:
    from keyring.backends.null import Keyring as NullKeyring

    from archive.sync.credentials import ENV_VAR, PasswordStore
    from archive.sync.service import SyncService

    return SyncService(sv.rt, passwords=PasswordStore(environ={ENV_VAR: "bench"}, backend=NullKeyring()))


def config_for(url: str) -> Any:
    from sqlalchemy.engine import make_url

    from archive.sync.config import CentralConfig

    u = make_url(url)
    return CentralConfig(host=u.host or "127.0.0.1", port=u.port or 5432, database=u.database or "",
                         user=u.username or "postgres", sslmode="disable")  # fmt: skip


def copied_demo(items: int, where: Path, source: Path | None = None) -> Path:
    """A private copy of the cached demo database of ``items`` expedientes, or of the one in
    ``source`` (a prepared folder: only read, never opened, so a database another process
    prepared or still uses is left as it is)."""
    if source is None:
        sv = demo_services(items)
        sv.rt.db.close()
        source = CACHE / f"demo-{items}"
    folder = where / f"ws-{items}-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    for suffix in ("", "-wal", "-shm"):
        src = source / f"legajo.sqlite3{suffix}"
        if src.exists():
            shutil.copy(src, folder / src.name)
    return folder


def seed(folder: Path, central_url: str) -> tuple[Any, Any, Any]:
    from archive.services.demo_data import DEMO_PASSWORD

    sv = station(folder)
    admin = sv.auth.login("admin", DEMO_PASSWORD)
    sync = sync_service(sv)
    sync.configure(admin, config_for(central_url), None)
    sync.register(admin)
    return sv, admin, sync


def bench_push(server: str, items: int, work: Path) -> list[str]:
    from sqlalchemy import func, select

    from archive.db.models import ChangeLog

    name, url = new_central(server)
    try:
        sv, _admin, sync = seed(copied_demo(items, work), url)
        with sv.rt.db.sessions() as s:
            changes = s.scalar(select(func.count()).select_from(ChangeLog)) or 0
            rows = [(r.change_id, r.table_name, r.row_id, r.op, r.fields, r.hlc, r.origin, r.at)
                    for r in s.execute(select(ChangeLog.__table__))]  # fmt: skip
        t = time.perf_counter()
        report = sync.sync_once()
        push_s = time.perf_counter() - t
        assert report.pushed == changes, (report.pushed, changes)
        copy_s = copy_baseline(url, rows)
        sync.close()
        sv.rt.db.close()
    finally:
        drop(server, name)
    return [
        ROW.format(what=f"push {n(changes)} changes (first sync of a workstation)",
                   value=f"{push_s:.1f} s ({n(changes / push_s)}/s)",
                   baseline=f"COPY of the same rows: {copy_s:.1f} s", target="≤ 20 s for 100.000"),
    ]  # fmt: skip


def copy_baseline(url: str, rows: list[tuple[Any, ...]]) -> float:
    import json

    import psycopg

    with psycopg.connect(pg_admin(url)) as conn:
        conn.execute("CREATE TEMP TABLE scratch (change_id text, table_name text, row_id text, op text,"
                     " fields text, hlc bigint, origin text, at timestamp)")  # fmt: skip
        t = time.perf_counter()
        with conn.cursor().copy("COPY scratch FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r[:4], json.dumps(r[4], sort_keys=True), r[5], r[6], r[7].replace(tzinfo=None)))
        conn.commit()
        return time.perf_counter() - t


def bench_big(server: str, items: int, work: Path, source: Path | None = None, *,
              central: str | None = None, keep: bool = False) -> list[str]:  # fmt: skip
    """Load a central from the ``items`` workstation (or reuse the loaded database ``central``:
    bootstrap only), measure the idle sync, then bootstrap a new workstation from it."""
    from sqlalchemy.engine import make_url

    if central:
        name = central
        url = make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    else:
        name, url = new_central(server)
    out: list[str] = []
    try:
        if not central:
            out += load_central(url, items, work, source)
        out += bootstrap_from(url, items, work)
    finally:
        if keep or central:
            print(f"central database kept: {name} (reuse it with --central {name})", flush=True)
        else:
            drop(server, name)
    return out


def load_central(url: str, items: int, work: Path, source: Path | None) -> list[str]:
    sv, _admin, sync = seed(copied_demo(items, work, source), url)
    t = time.perf_counter()
    first = sync.sync_once()
    load_s = time.perf_counter() - t
    print(f"central loaded: {first.pushed:,} changes in {load_s:.0f} s", flush=True)
    idle = [timed_ms(sync.sync_once) for _ in range(25)]
    bare = [timed_ms(lambda: bare_roundtrip(url)) for _ in range(25)]
    sync.close()
    sv.rt.db.close()
    return [ROW.format(
        what=f"sync with nothing to do, {n(items)} expedientes",
        value=f"median {statistics.median(idle):.0f} ms, p95 {sorted(idle)[23]:.0f} ms",
        baseline=f"connect + SELECT 1: median {statistics.median(bare):.0f} ms", target="≤ 100 ms")]  # fmt: skip


def bootstrap_from(url: str, items: int, work: Path) -> list[str]:
    out: list[str] = []
    # A new workstation joins: bootstrap everything.
    folder = work / f"joiner-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    joiner = station(folder)
    jsync = sync_service(joiner)
    jsync.configure(None, config_for(url), None)
    t = time.perf_counter()
    result = jsync.register(None, code=uuid.uuid4().hex[:3].upper(), name="Bench")
    boot_s = time.perf_counter() - t
    read_s = copy_out_baseline(url)
    out.append(ROW.format(
        what=f"bootstrap {n(items)} expedientes ({n(result.bootstrapped_rows)} rows) to a new workstation",
        value=f"{boot_s:.0f} s", baseline=f"COPY TO STDOUT of the same tables: {read_s:.0f} s",
        target="≤ 120 s"))  # fmt: skip
    idle_b = [timed_ms(jsync.sync_once) for _ in range(25)]
    out.append(ROW.format(
        what=f"sync with nothing to do, bootstrapped workstation ({n(items)} expedientes)",
        value=f"median {statistics.median(idle_b):.0f} ms, p95 {sorted(idle_b)[23]:.0f} ms",
        baseline="—", target="≤ 100 ms"))  # fmt: skip
    jsync.close()
    joiner.rt.db.close()
    return out


def timed_ms(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def bare_roundtrip(url: str) -> None:
    import psycopg

    with psycopg.connect(pg_admin(url)) as conn:
        conn.execute("SELECT 1").fetchone()


def copy_out_baseline(url: str) -> float:
    import psycopg

    from archive.sync.tables import default_catalog

    t = time.perf_counter()
    with psycopg.connect(pg_admin(url)) as conn, conn.cursor() as cur:
        for table in default_catalog().ordered:
            sink = io.BytesIO()
            with cur.copy(f'COPY "{table.name}" TO STDOUT') as copy:
                for block in copy:
                    sink.write(block)
    return time.perf_counter() - t


class LoadSampler:
    """Samples the 1-minute load average every ``every`` seconds while the benchmark runs (the
    machine is shared: the figures mean little without it)."""

    def __init__(self, every: float = 10.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(every):
                return

    def stop(self) -> str:
        self._stop.set()
        self._thread.join()
        s = self.samples
        return f"1-min load average during the run: min {min(s):.1f}, median {statistics.median(s):.1f}, max {max(s):.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000, help="expedientes for the idle sync and the bootstrap")
    ap.add_argument("--push-items", type=int, default=46_000, help="expedientes whose load makes ~100k changes")
    ap.add_argument("--pg", default=os.environ.get("LEGAJO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--skip-push", action="store_true", help="skip the ~100k-change push measure")
    ap.add_argument("--keep-central", action="store_true", help="keep the loaded 1M central database")
    ap.add_argument("--central", help="a central database an earlier --keep-central run loaded: "
                    "measure only the bootstrap from it (kept)")  # fmt: skip
    ap.add_argument("--demo-dir", type=Path, help="folder holding a prepared demo database of --items expedientes "
                    "(copied, never opened; default: the cache bench/out/demo-<items>)")  # fmt: skip
    ap.add_argument("--work-dir", type=Path, help="where the workstation copies go (default: a temporary folder)")
    args = ap.parse_args()
    print(f"# Sync benchmark — {machine()}, {time.strftime('%Y-%m-%d %H:%M %Z')}\n", flush=True)
    load = LoadSampler()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="legajo-bench-sync-", dir=args.work_dir))
    try:
        rows = [] if args.skip_push else bench_push(args.pg, args.push_items, work)
        if not args.skip_big:
            rows += bench_big(args.pg, args.items, work, args.demo_dir, central=args.central, keep=args.keep_central)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{load.stop()} ({os.cpu_count()} cores); whole run {time.perf_counter() - started:.0f} s\n")
    print("| measure | result | same-run baseline | target |")
    print("|---|---|---|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
