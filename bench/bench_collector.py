"""Data-collector import benchmark: parse + validation rate, and replay through the services.

    python -m bench.bench_collector [--lines N] [--replay N [N ...]] [--demo 1000000]

Baseline in the same run: splitting the same file with ``str.split`` and nothing else (the cost
floor of reading the lines); with ``--demo``, a bare ``UPDATE unit`` per line on the large
database (see :func:`demo_replay`). Replay times are wall clock and the importing thread's CPU
time (on a shared machine the CPU figure is the steadier one; the WAL checkpoint runs on another
thread and is timed on its own, as the wait at close); the load average is printed with them, and
so is a gauge of the machine's speed at that moment (the same split of 200,000 lines, best of
three): on a shared virtual machine it varies by half from one minute to the next, so compare
replays by their ratio to it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from archive.domain.barcodes import BarcodeKind, format_barcode
from archive.domain.collector import BUILTIN_PROFILES, line_key, parse_collector_file


def make_file(n: int) -> bytes:
    locs = [format_barcode(BarcodeKind.UBICACION, "0A1", i) for i in range(1, 51)]
    lines = []
    for i in range(n):
        unit = format_barcode(BarcodeKind.CARPETA, "0A1", 1 + i % 50_000)
        h, m, s = (i // 3600) % 24, (i // 60) % 60, i % 60
        lines.append(f"{unit};26/11/2026;{h:02d}:{m:02d}:{s:02d};MOV;{locs[i % 50]}")
    return ("\r\n".join(lines) + "\r\n").encode()


def parse_rate(n: int) -> None:
    data = make_file(n)
    t = time.perf_counter()
    floor = [line.split(";") for line in data.decode().splitlines()]
    base = time.perf_counter() - t
    t = time.perf_counter()
    parsed = parse_collector_file(data, BUILTIN_PROFILES["csv-basico"], "bench.txt")
    dt = time.perf_counter() - t
    assert len(parsed.records) == n and not parsed.problems and len(floor) == n
    print(f"\n### Collector file, {n:,} lines (csv-basico)\n")
    print("| step | seconds | lines/s |")
    print("|---|---|---|")
    print(f"| baseline: decode + split only | {base:.3f} | {n / base:,.0f} |")
    print(
        f"| Legajo parse + validation (check characters, dates, operations, hashes) | {dt:.3f} | {n / dt:,.0f} |"
    )


_GAUGE_TEXT = make_file(200_000).decode()


def gauge() -> float:
    """Lines per second of the split floor right now (best of three)."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        _ = [line.split(";") for line in _GAUGE_TEXT.splitlines()]
        best = min(best, time.perf_counter() - t)
    return 200_000 / best


def replay_rate(n: int, distinct: bool = False) -> None:
    """Replay ``n`` move lines over 500 carpetas (each moved again and again), or with
    ``distinct`` over ``n`` carpetas (every line a different one, as a real shelf-by-shelf file)."""
    from archive.db.database import Database
    from archive.db.engine import sqlite_url
    from archive.services.container import Services
    from archive.services.runtime import Environment, Runtime
    from archive.services.setup import SetupRequest

    with tempfile.TemporaryDirectory() as tmp:
        sv = Services.build(Runtime(Database.open(sqlite_url(Path(tmp))), Environment()))
        admin = sv.setup.initialize(SetupRequest(entity_name="Bench", workstation_code="A01",
                                                 workstation_name="Bench", admin_username="admin",
                                                 admin_full_name="Admin", admin_password="Bench-Pass-2026!"))  # fmt: skip
        a = sv.locations.create(admin, level_code="deposito", code="1")
        b = sv.locations.create(admin, level_code="deposito", code="2")
        units = sv.units.register(
            admin, type_code="CAR4", count=min(n, 10_000 if distinct else 500), location_id=a.id
        )
        lines = []
        for i in range(n):
            dest = (b, a)[(i // len(units)) % 2]
            h, m, s = (i // 3600) % 24, (i // 60) % 60, i % 60
            lines.append(
                f"{units[i % len(units)].barcode};26/11/2026;{h:02d}:{m:02d}:{s:02d};MOV;{dest.barcode}"
            )
        data = ("\n".join(lines) + "\n").encode()
        speed = gauge()
        t, c = time.perf_counter(), time.thread_time()
        r = sv.capture.import_collector(admin, data, "replay.txt", "csv-basico")
        dt, cpu = time.perf_counter() - t, time.thread_time() - c
        t, c = time.perf_counter(), time.thread_time()
        again = sv.capture.import_collector(admin, data, "replay.txt", "csv-basico")
        dt2, cpu2 = time.perf_counter() - t, time.thread_time() - c
        sv.rt.db.close()
    assert r.count("applied") == n and again.count("duplicate") == n
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n### Replay through the services (SQLite, {n:,} move lines, {len(units)} carpetas; load {load}; "
        f"gauge {speed:,.0f} lines/s)\n"
    )
    print("| step | seconds | lines/s | CPU seconds | lines per CPU second | outcome |")
    print("|---|---|---|---|---|---|")
    print(
        f"| first import (parse, checks, moves + movements + change_log + hashes, one transaction) "
        f"| {dt:.2f} | {n / dt:,.0f} | {cpu:.2f} | {n / cpu:,.0f} | applied {r.count('applied')} |"
    )
    print(
        f"| same file again (idempotent: nothing applied) | {dt2:.2f} | {n / dt2:,.0f} | {cpu2:.2f} "
        f"| {n / cpu2:,.0f} | duplicates {again.count('duplicate')} |"
    )


SCENARIOS = {
    "carpetas-random": "carpetas picked at random, each into a caja picked at random",
    "carpetas-clustered": "consecutive carpetas (as registered) into new cajas, ten to a caja",
    "cajas-random": "cajas picked at random, each onto a shelf position picked at random",
    "carpetas-clustered-aged": "consecutive carpetas into new cajas, on the database after years "
    "of use (2,000,000 earlier collector lines and movements)",
}

HISTORY = 2_000_000


def _aged(items: int) -> Path:
    """The demo database with ``HISTORY`` earlier collector lines (keyed as real ones, scanned
    over two years) and movements of random units: built once from the cached demo database,
    cached too."""
    import random
    import shutil
    import sqlite3

    folder = Path(__file__).parent / "out" / f"demo-{items}-aged"
    if (folder / "legajo.sqlite3").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).parent / "out" / f"demo-{items}" / "legajo.sqlite3", folder / "part")
    conn = sqlite3.connect(folder / "part", isolation_level=None)
    conn.execute("PRAGMA cache_size = -262144")
    rng = random.Random(7)
    days = [date(2024, 11, 26) + timedelta(days=k) for k in range(730)]  # two years of files
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO collector_line (line_hash, file_name, row, profile, outcome, detail, "
        "applied_at, applied_by) VALUES (?, 'antiguo.txt', ?, 'csv-basico', 'applied', "
        "'movido', '2025-01-01 00:00:00.000000', 'admin')",
        (
            (line_key(hashlib.sha256(str(i).encode()).hexdigest(), f"{d:%Y%m%d}"), i)
            for i, d in enumerate(rng.choice(days) for _ in range(HISTORY))
        ),
    )
    units = [r[0] for r in conn.execute("SELECT id FROM unit")]
    conn.executemany(
        "INSERT INTO movement (id, unit_id, at, user_id, username, method, from_location_id, "
        "to_location_id, from_parent_id, to_parent_id, over_capacity, batch_id, note, created_at, "
        "updated_at, version, origin) VALUES (?, ?, ?, NULL, 'admin', 'scan', NULL, NULL, NULL, "
        "NULL, 0, NULL, '', '2025-01-01', '2025-01-01', 1, 'A01')",
        ((f"01900000-0000-7000-8000-{i:012x}", rng.choice(units),
          f"2025-{1 + i % 12:02d}-01 00:00:00.000000") for i in range(HISTORY)),
    )  # fmt: skip
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    (folder / "part").rename(folder / "legajo.sqlite3")
    return folder


def demo_replay(items: int, n: int, scenario: str) -> None:
    """Replay ``n`` move lines, each a different unit, on a copy of the cached demo database of
    ``items`` expedientes (see ``SCENARIOS``). The indexes of a million units are far larger
    than the page cache: a line touches pages no other line touches. Baseline, on the same
    copy afterwards, through a fresh connection with the application's settings: one bare
    ``UPDATE unit`` per line putting the same units back where they were, one transaction."""
    import random
    import shutil
    import sqlite3

    from archive.db.database import Database
    from archive.db.engine import sqlite_url
    from archive.services.container import Services
    from archive.services.runtime import Environment, Runtime
    from bench.common import demo_services, login

    demo_services(items).rt.db.close()  # built once, cached in bench/out/
    source = (
        _aged(items)
        if scenario.endswith("-aged")
        else Path(__file__).parent / "out" / f"demo-{items}"
    )
    rng = random.Random(26)
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "out") as tmp:
        shutil.copy(source / "legajo.sqlite3", tmp)
        os.sync()  # else the copy's writeback competes with the import's own writes and fsyncs
        sv = Services.build(Runtime(Database.open(sqlite_url(Path(tmp))), Environment()))
        admin = login(sv)

        def codes(sql: str) -> list[str]:
            with sv.rt.db.engine.connect() as conn:
                return [r[0] for r in conn.exec_driver_sql(sql)]

        if scenario == "cajas-random":
            units = rng.sample(codes("SELECT barcode FROM unit WHERE kind = 'caja'"), n)
            places = codes("SELECT barcode FROM location WHERE capacity_units IS NOT NULL")
            dests = [rng.choice(places) for _ in units]
        elif scenario == "carpetas-random":
            units = rng.sample(codes("SELECT barcode FROM unit WHERE kind = 'carpeta'"), n)
            boxes = codes("SELECT barcode FROM unit WHERE kind = 'caja'")
            dests = [rng.choice(boxes) for _ in units]
        else:  # carpetas-clustered, -aged
            every = codes("SELECT barcode FROM unit WHERE kind = 'carpeta' ORDER BY rowid")
            start = rng.randrange(len(every) - n)
            units = every[start : start + n]
            shelf = sv.locations.create(admin, level_code="deposito", code="99")
            boxes = [b.barcode for b in sv.units.register(admin, type_code="X300", count=-(-n // 10),
                                                          location_id=shelf.id)]  # fmt: skip
            dests = [boxes[i // 10] for i in range(n)]
        lines = []
        for i, (code, dest) in enumerate(zip(units, dests, strict=True)):
            h, m, s = (i // 3600) % 24, (i // 60) % 60, i % 60
            lines.append(f"{code};26/11/2026;{h:02d}:{m:02d}:{s:02d};MOV;{dest}")
        data = ("\n".join(lines) + "\n").encode()
        column = "location_id" if scenario == "cajas-random" else "parent_id"
        with sv.rt.db.engine.connect() as conn:  # where each unit is before the import
            before = dict(conn.exec_driver_sql(f"SELECT barcode, {column} FROM unit").all())
        os.sync()
        speed = gauge()
        t, c = time.perf_counter(), time.thread_time()
        r = sv.capture.import_collector(admin, data, "replay.txt", "csv-basico")
        dt, cpu = time.perf_counter() - t, time.thread_time() - c
        t = time.perf_counter()
        sv.rt.db.close()  # waits for the checkpointer thread to copy the log into the file
        closing = time.perf_counter() - t
        base = _bare_updates(sqlite3.connect(Path(tmp) / "legajo.sqlite3", isolation_level=None),
                             column, [(before[u], u) for u in units])  # fmt: skip
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\n### Replay on a copy of the {items:,}-expediente demo database ({n:,} lines: "
        f"{SCENARIOS[scenario]}; load {load}; gauge {speed:,.0f} lines/s)\n"
    )
    print("| step | seconds | lines/s | CPU seconds | outcome |")
    print("|---|---|---|---|---|")
    print(
        f"| baseline: bare `UPDATE unit` per line (the units put back) + commit | {base:.2f} | {n / base:,.0f} | | |"
    )
    print(
        f"| import | {dt:.2f} | {n / dt:,.0f} | {cpu:.2f} "
        f"| applied {r.count('applied')}, failed {r.count('failed')} |"
    )
    print(
        f"| then, off the import's path: WAL checkpoint on its thread, until close | {closing:.2f} | | | |"
    )


def _bare_updates(conn: Any, column: str, moves: list[tuple[str | None, str]]) -> float:
    """Seconds to put the units back where they were before the import, one bare ``UPDATE``
    each (``moves``: the old ``column`` value, the barcode): the same rows, and as many index
    entries moved to as many scattered places as the import moved. One transaction, with the
    engine's connection settings (WAL, foreign keys, ``synchronous=FULL``)."""
    from archive.db.engine import _sqlite_on_connect

    _sqlite_on_connect(conn, None)
    os.sync()
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        f"UPDATE unit SET {column} = ?, version = version + 1, updated_at = ? WHERE barcode = ? "
        "AND deleted_at IS NULL",
        [(old, "2026-11-26 12:00:00.000000", code) for old, code in moves],
    )
    conn.execute("COMMIT")
    dt = time.perf_counter() - t
    conn.close()
    return dt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--replay", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument(
        "--replay-distinct",
        type=int,
        nargs="*",
        default=[10_000],
        help="replays where every line moves a different carpeta (at most 10,000)",
    )
    parser.add_argument(
        "--demo",
        type=int,
        default=0,
        metavar="ITEMS",
        help="also replay on a copy of the cached demo database of ITEMS expedientes",
    )
    parser.add_argument("--demo-lines", type=int, default=10_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a replay, in this process
    parser.add_argument("--distinct", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--demo-scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.demo_scenario:
        demo_replay(args.demo, args.demo_lines, args.demo_scenario)
        return
    if args.one:
        replay_rate(args.one, distinct=args.distinct)
        return
    parse_rate(args.lines)
    # Each replay in a fresh process, as the CLI runs an import: a replay that follows another
    # benchmark in the same process inherits its heap (after the 200,000-line parse a 2,000-line
    # replay took 0.18-0.23 s instead of 0.08, 26/11/2026).
    runs = [(n, False) for n in args.replay] + [(n, True) for n in args.replay_distinct]
    for n, distinct in runs:
        extra = ["--distinct"] if distinct else []
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, "-m", "bench.bench_collector", "--one", str(n), *extra], check=True
        )
    for scenario in SCENARIOS if args.demo else ():
        sys.stdout.flush()
        subprocess.run([sys.executable, "-m", "bench.bench_collector", "--demo", str(args.demo),
                        "--demo-lines", str(args.demo_lines), "--demo-scenario", scenario], check=True)  # fmt: skip


if __name__ == "__main__":
    main()
