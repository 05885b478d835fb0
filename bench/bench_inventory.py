"""Inventory benchmarks (issue: physical inventory). Run: python bench/bench_inventory.py [--items N]

Figures, each with its same-run baseline:
- scan-to-move service operation (lookup, capacity check, update, custody, audit, change feed,
  commit with synchronous=FULL) vs a bare SQLite UPDATE + commit of the same row;
- opening the expediente table: ids of the default sort + the first page of rows;
- filtering by number prefix;
- a 1,000-unit count session report.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import demo_services, login, machine, summary, timed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--moves", type=int, default=500)
    args = ap.parse_args()

    from sqlalchemy import func, select

    from archive.db.models import Location, Unit
    from archive.services.expedientes import ExpedienteFilter

    sv = demo_services(args.items)
    admin = login(sv)
    rng = random.Random(1)
    with sv.rt.db.sessions() as s:
        n_units = s.scalar(select(func.count()).select_from(Unit))
        n_boxes = s.scalar(select(func.count()).select_from(Unit).where(Unit.kind == "caja"))
        n_locs = s.scalar(select(func.count()).select_from(Location))
        boxes = list(s.execute(select(Unit.id, Unit.barcode).where(Unit.kind == "caja").limit(200_000)))
        leaves = list(s.execute(select(Location.id, Location.barcode).where(Location.capacity_units.is_not(None))))
    print(f"# Inventory benchmark — {machine()}")
    print(f"data: {args.items:,} expedientes, {n_units:,} units ({n_boxes:,} cajas), {n_locs:,} locations\n")

    # Scan-to-move vs bare UPDATE of the same row (same file, same pragmas).
    picks = rng.sample(boxes, args.moves)
    dests = [rng.choice(leaves) for _ in picks]
    it = iter(zip(picks, dests, strict=True))

    def one_move() -> None:
        (_, barcode), (_, dest) = next(it)
        sv.moves.move(admin, [barcode], dest, override_capacity=True)

    move_ms = timed(one_move, args.moves)
    db_file = sv.rt.db.engine.url.database
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    it2 = iter(zip(picks, dests, strict=True))

    def bare_update() -> None:
        (uid, _), (lid, _) = next(it2)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE unit SET location_id = ? WHERE id = ?", (lid, uid))
        conn.execute("COMMIT")

    base_ms = timed(bare_update, args.moves)
    conn.close()

    # Opening the expediente table: the id query of the default sort + first page of rows.
    def open_table() -> None:
        ids = sv.expedientes.ids(admin, ExpedienteFilter())
        sv.expedientes.rows(admin, ids[:200])

    open_ms = timed(open_table, 5)
    prefixes = ["2019-120-7", "2003-1", "2024-150-2", "1999-110-26.0", "2010-170-"]
    filt = iter(prefixes * 2)
    prefix_ms = timed(lambda: sv.expedientes.ids(admin, ExpedienteFilter(number_prefix=next(filt))), len(prefixes) * 2)

    # A 1,000-unit count session: scope = first depósito, 1,000 boxes scanned where they are.
    with sv.rt.db.sessions() as s:
        dep = s.scalars(select(Location).where(Location.parent_id.is_(None)).order_by(Location.path)).first()
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

    rows = [
        ("scan-to-move (service)", summary(move_ms), "≤ 2 ms median"),
        ("bare SQLite UPDATE + commit (baseline)", summary(base_ms), ""),
        ("open expediente table (ids + first 200 rows)", summary(open_ms), "≤ 500 ms"),
        ("filter by number prefix", summary(prefix_ms), "≤ 300 ms"),
        (f"count report ({len(in_dep)} scans, {rep.expected:,} expected)", summary(report_ms), "≤ 1 s"),
    ]
    print("| operation | median ms | p95 ms | max ms | target |")
    print("|---|---:|---:|---:|---|")
    for name, s, target in rows:
        print(f"| {name} | {s['median']:.2f} | {s['p95']:.2f} | {s['max']:.2f} | {target} |")
    ratio = summary(move_ms)["median"] / summary(base_ms)["median"]
    print(f"\nscan-to-move / bare UPDATE (median ratio): {ratio:.1f}×")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
