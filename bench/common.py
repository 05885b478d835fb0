"""Shared helpers of the benchmarks: a prepared demo database, timing, Markdown output."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "out"


def demo_services(items: int, *, fresh: bool = False) -> Any:
    """Services on a demo database of ``items`` expedientes (cached in bench/out/ between runs)."""
    from archive.db.database import Database
    from archive.db.engine import sqlite_url
    from archive.services.container import Services
    from archive.services.runtime import Environment, Runtime

    folder = CACHE / f"demo-{items}"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    new = not (folder / "legajo.sqlite3").exists()
    folder.mkdir(parents=True, exist_ok=True)
    sv = Services.build(Runtime(Database.open(sqlite_url(folder)), Environment()))
    if new:
        t = time.perf_counter()
        sv.demo.generate(None, items)
        print(f"demo database of {items:,} expedientes built in {time.perf_counter() - t:.1f} s", flush=True)
    return sv


def login(sv: Any) -> Any:
    from archive.services.demo_data import DEMO_PASSWORD

    return sv.auth.login("admin", DEMO_PASSWORD)


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {
        "median": statistics.median(s),
        "p95": s[min(len(s) - 1, int(len(s) * 0.95))],
        "max": s[-1],
    }


def machine() -> str:
    import platform

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
