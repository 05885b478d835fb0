"""Inventory benchmarks (issue: physical inventory).

Run: python bench/bench_inventory.py [--items N] [--db-dir FOLDER] [--profile N]

Figures, each with its same-run baseline:
- scan-to-move service operation (permission check, lookup, capacity check, update, custody,
  audit, change feed, commit with synchronous=FULL) vs a bare SQLite UPDATE + commit of the same
  row on the same file with the same pragmas, measured in alternating blocks so both see the same
  machine load; then, as a diagnostic only, the same pair with synchronous=NORMAL (the commit
  does not wait for the disk), which shows the service's CPU share;
- opening the expediente table exactly as the GUI's WindowedTableModel does it: the count, the
  first id window, then that window's rows (ExpedienteService.count / window / rows);
- filtering by number prefix, which the GUI runs the same way (count + first window + rows);
- a 1,000-unit count session report.

``--db-dir`` runs against an existing database folder instead of bench/out/demo-N (the benchmark
writes moves and a count session into it: point it at a copy, and ``sync`` after copying, or the
first WAL checkpoint flushes the whole copy inside one move). ``--profile N`` adds a cProfile of
N more moves, sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import demo_services, login, machine, summary, timed

PAGE = 200  # WindowedTableModel's default page size
BLOCKS = 5  # move / baseline blocks, alternated


def _synchronous_normal(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA synchronous=NORMAL")


def services_at(folder: Path) -> Any:
    """Services on an existing database folder (never generated here)."""
    from archive.db.database import Database
    from archive.db.engine import DB_FILENAME, sqlite_url
    from archive.services.container import Services
    from archive.services.runtime import Environment, Runtime

    if not (folder / DB_FILENAME).exists():
        raise SystemExit(f"no {DB_FILENAME} in {folder}")
    return Services.build(Runtime(Database.open(sqlite_url(folder)), Environment()))


def open_listing(sv: Any, actor: Any, f: Any) -> int:
    """What ExpedientesView.apply + WindowedTableModel do before the first rows are painted."""
    n = sv.expedientes.count(actor, f)
    ids = sv.expedientes.window(actor, f, 0, PAGE)
    rows = sv.expedientes.rows(actor, [str(x) for x in ids])
    assert len(rows) == len(ids) == min(n, PAGE)
    return int(n)


def alternate(
    a: Callable[[], None], b: Callable[[], None], n: int
) -> tuple[list[float], list[float]]:
    """Time ``n`` calls of each, in ``BLOCKS`` alternating blocks."""
    out_a: list[float] = []
    out_b: list[float] = []
    per = max(1, n // BLOCKS)
    while len(out_a) < n:
        k = min(per, n - len(out_a))
        out_a += timed(a, k)
        out_b += timed(b, k)
    return out_a, out_b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--moves", type=int, default=500)
    ap.add_argument(
        "--db-dir", type=Path, default=None, help="existing database folder (mutated: use a copy)"
    )
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N extra moves")
    args = ap.parse_args()

    from sqlalchemy import event, func, select

    from archive.db.models import Expediente, Location, Unit
    from archive.services.expedientes import ExpedienteFilter

    load_start = os.getloadavg()
    sv = services_at(args.db_dir) if args.db_dir else demo_services(args.items)
    admin = login(sv)
    rng = random.Random(1)
    db_file = sv.rt.db.engine.url.database
    with sv.rt.db.sessions() as s:
        n_exp = s.scalar(select(func.count()).select_from(Expediente))
        n_units = s.scalar(select(func.count()).select_from(Unit))
        n_boxes = s.scalar(select(func.count()).select_from(Unit).where(Unit.kind == "caja"))
        n_locs = s.scalar(select(func.count()).select_from(Location))
        boxes = list(
            s.execute(select(Unit.id, Unit.barcode).where(Unit.kind == "caja").order_by(Unit.id))
        )
        leaves = list(
            s.execute(
                select(Location.id, Location.barcode)
                .where(Location.capacity_units.is_not(None))
                .order_by(Location.id)
            )
        )
    files = (Path(db_file), Path(db_file + "-wal"))
    size_mb = sum(f.stat().st_size for f in files if f.exists()) / 1e6
    print(f"# Inventory benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {machine()}")
    print(f"data: {n_exp:,} expedientes, {n_units:,} units ({n_boxes:,} cajas), {n_locs:,} locations; "
          f"database {size_mb:,.0f} MB ({db_file})")  # fmt: skip
    print(f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}\n")

    # Scan-to-move vs bare UPDATE of the same rows (same file, same pragmas), alternating blocks.
    n = args.moves
    picks = rng.sample(boxes, 2 * n + args.profile)
    pairs = [(box, rng.choice(leaves)) for box in picks]
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")

    def mover(rows: list[tuple[Any, Any]]) -> Callable[[], None]:
        it = iter(rows)

        def one_move() -> None:
            (_, barcode), (_, dest) = next(it)
            sv.moves.move(admin, [barcode], dest, override_capacity=True)

        return one_move

    def updater(rows: list[tuple[Any, Any]]) -> Callable[[], None]:
        it = iter(rows)

        def bare_update() -> None:
            (unit_id, _), (location_id, _) = next(it)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE unit SET location_id = ? WHERE id = ?", (location_id, unit_id))
            conn.execute("COMMIT")

        return bare_update

    move_ms, base_ms = alternate(mover(pairs[:n]), updater(pairs[:n]), n)
    if args.profile:
        extra = mover(pairs[2 * n :])
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.profile):
            extra()
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    # Diagnostic only (the app keeps synchronous=FULL, DESIGN.md §2): the same pair with
    # synchronous=NORMAL, where a commit does not wait for the disk, shows the CPU share.
    event.listen(sv.rt.db.engine, "connect", _synchronous_normal)
    sv.rt.db.engine.dispose()
    conn.execute("PRAGMA synchronous=NORMAL")
    move_n_ms, base_n_ms = alternate(mover(pairs[n : 2 * n]), updater(pairs[n : 2 * n]), n)
    conn.close()

    # Opening the expediente table, as the GUI does it: count + first id window + its rows.
    admin_f = ExpedienteFilter()
    open_ms = timed(lambda: open_listing(sv, admin, admin_f), 5)
    prefixes = ["2019-120-7", "2003-1", "2024-150-2", "1999-110-26.0", "2010-170-"]
    filt = iter(prefixes * 2)
    prefix_ms = timed(
        lambda: open_listing(sv, admin, ExpedienteFilter(number_prefix=next(filt))),
        len(prefixes) * 2,
    )

    # A 1,000-unit count session: scope = first depósito, 1,000 boxes scanned where they are.
    with sv.rt.db.sessions() as s:
        dep = s.scalars(
            select(Location).where(Location.parent_id.is_(None)).order_by(Location.path)
        ).first()
        in_dep = list(s.execute(
            select(Unit.barcode, Location.barcode).join(Location, Location.id == Unit.location_id)
            .where(Location.path.startswith(dep.path + "-")).limit(1000)
        ))  # fmt: skip
    session_id = sv.counts.start(admin, dep.barcode)
    by_loc: dict[str, list[str]] = {}
    for unit_code, loc_code in in_dep:
        by_loc.setdefault(loc_code, []).append(unit_code)
    for loc_code, codes in by_loc.items():
        sv.counts.scan(admin, session_id, loc_code, codes)
    report_ms = timed(lambda: sv.counts.report(admin, session_id), 5)
    rep = sv.counts.report(admin, session_id)

    base = summary(base_ms)["median"]
    base_n = summary(base_n_ms)["median"]
    rows = [
        ("scan-to-move (service)", move_ms, base, "≤ 2 ms median"),
        ("bare SQLite UPDATE + commit (baseline)", base_ms, None, ""),
        ("scan-to-move, synchronous=NORMAL (diagnostic)", move_n_ms, base_n, ""),
        ("bare UPDATE + commit, synchronous=NORMAL (diagnostic)", base_n_ms, None, ""),
        (
            f"open expediente table (count + first {PAGE} ids + their rows)",
            open_ms,
            None,
            "≤ 500 ms",
        ),
        ("filter by number prefix (count + first window + rows)", prefix_ms, None, "≤ 300 ms"),
        (
            f"count report ({len(in_dep)} scans, {rep.expected:,} expected)",
            report_ms,
            None,
            "≤ 1 s",
        ),
    ]
    print("| operation | n | median ms | p95 ms | max ms | × baseline | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, samples, vs, target in rows:
        st = summary(samples)
        ratio = f"{st['median'] / vs:.1f}×" if vs else ""
        print(
            f"| {name} | {len(samples)} | {st['median']:.2f} | {st['p95']:.2f} | {st['max']:.2f} | {ratio} | {target} |"
        )
    load_end = os.getloadavg()
    print(f"\nload average at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
