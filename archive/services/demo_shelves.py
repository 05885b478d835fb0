"""Demo shelves: a location tree, boxes on it and one carpeta per expediente, in bulk.

Sized from the number of expedientes: 10 carpetas per caja X-300, 5 cajas per entrepaño,
depósito → módulo → cara A–B → estante 1–6 → entrepaño 1–6 (72 entrepaños per módulo, 10
módulos per depósito). For 1,000,000 expedientes that is 100,000 cajas on 20,000 entrepaños.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from archive.db.changefeed import FeedContext, record_bulk
from archive.db.models import Location, LocationLevel, Unit, UnitType
from archive.db.types import utcnow
from archive.domain.barcodes import BarcodeKind
from archive.domain.ids import uuid7
from archive.services.scanning import allocate_barcodes

CARPETAS_PER_BOX = 10
BOXES_PER_SHELF = 5
SHELF_CAPACITY = 6
MODULES_PER_DEPOSIT = 10
CARAS = ("A", "B")
ESTANTES = range(1, 7)
ENTREPANOS = range(1, 7)


def _synced(origin: str) -> dict[str, Any]:
    now = utcnow()
    return {"id": uuid7(), "created_at": now, "updated_at": now, "version": 1, "origin": origin, "deleted_at": None}


class DemoShelves:
    """Creates the shelves up front, then places carpetas batch by batch."""

    def __init__(self, s: Session, conn: Connection, feed: FeedContext, origin: str, items: int) -> None:
        self.s, self.conn, self.feed, self.origin = s, conn, feed, origin
        levels = {lv.code: lv for lv in s.scalars(select(LocationLevel))}
        self.levels = levels
        types = {t.code: t for t in s.scalars(select(UnitType))}
        self.box_type, self.folder_type = types["X300"], types["CAR4"]
        boxes = math.ceil(items / CARPETAS_PER_BOX)
        shelves_needed = math.ceil(boxes / BOXES_PER_SHELF)
        self.leaves = self._create_locations(shelves_needed) if items else []
        self._slots = self._box_slots()
        self._box: dict[str, Any] | None = None
        self._in_box = 0
        self.boxes = 0

    def _create_locations(self, leaves_needed: int) -> list[str]:
        lv = self.levels
        per_module = len(CARAS) * len(ESTANTES) * len(ENTREPANOS)
        modules = math.ceil(leaves_needed / per_module)
        deposits = math.ceil(modules / MODULES_PER_DEPOSIT)
        start = (self.s.scalar(select(Location.code).where(Location.parent_id.is_(None)).order_by(Location.code.desc())) or "0")
        first_dep = int(start) + 1 if start.isdigit() else 1
        total = deposits + modules * (1 + len(CARAS) * (1 + len(ESTANTES) * (1 + len(ENTREPANOS))))
        barcodes = iter(allocate_barcodes(self.s, BarcodeKind.UBICACION, self.origin, total))
        rows: list[dict[str, Any]] = []
        leaves: list[str] = []

        def node(parent: dict[str, Any] | None, level: str, code: str, seg: str, leaf: bool = False) -> dict[str, Any]:
            row = _synced(self.origin) | {
                "parent_id": parent["id"] if parent else None, "level_id": lv[level].id, "code": code, "name": "",
                "barcode": next(barcodes), "path": f"{parent['path']}-{seg}" if parent else seg,
                "capacity_units": SHELF_CAPACITY if leaf else None, "capacity_cm": None,
            }  # fmt: skip
            rows.append(row)
            if leaf:
                leaves.append(row["id"])
            return row

        made_modules = 0
        for d in range(first_dep, first_dep + deposits):
            dep = node(None, "deposito", str(d), f"D{d:02d}")
            for m in range(1, MODULES_PER_DEPOSIT + 1):
                if made_modules == modules:
                    break
                made_modules += 1
                mod = node(dep, "modulo", str(m), f"M{m:02d}")
                for c in CARAS:
                    cara = node(mod, "cara", c, c)
                    for e in ESTANTES:
                        est = node(cara, "estante", str(e), f"E{e:02d}")
                        for b in ENTREPANOS:
                            node(est, "entrepano", str(b), f"B{b}", leaf=True)
        for i in range(0, len(rows), 20_000):
            chunk = rows[i : i + 20_000]
            self.conn.execute(insert(Location), chunk)
            record_bulk(self.conn, self.feed, Location.__tablename__, chunk)
        return leaves

    def _box_slots(self) -> Iterator[str]:
        for leaf in self.leaves:
            for _ in range(BOXES_PER_SHELF):
                yield leaf

    def place(self, expedientes: list[dict[str, Any]]) -> None:
        """One carpeta per expediente, filling boxes of ten on the shelves in order."""
        boxes: list[dict[str, Any]] = []
        folders: list[dict[str, Any]] = []
        folder_codes = iter(allocate_barcodes(self.s, BarcodeKind.CARPETA, self.origin, len(expedientes)))
        needed = math.ceil((len(expedientes) - (CARPETAS_PER_BOX - self._in_box if self._box else 0)) / CARPETAS_PER_BOX)
        box_codes = iter(allocate_barcodes(self.s, BarcodeKind.CAJA, self.origin, max(needed, 0)))
        for e in expedientes:
            if self._box is None or self._in_box == CARPETAS_PER_BOX:
                loc = next(self._slots)
                self.boxes += 1
                self._box = _synced(self.origin) | {
                    "unit_type_id": self.box_type.id, "kind": "caja", "barcode": next(box_codes), "external_barcode": False,
                    "number": str(self.boxes), "dependencia_id": e["dependencia_id"], "parent_id": None,
                    "location_id": loc, "home_location_id": loc, "expediente_id": None, "sequence": None,
                    "folio_first": None, "folio_last": None, "status": "activo", "notes": "",
                }  # fmt: skip
                boxes.append(self._box)
                self._in_box = 0
            self._in_box += 1
            folders.append(_synced(self.origin) | {
                "unit_type_id": self.folder_type.id, "kind": "carpeta", "barcode": next(folder_codes),
                "external_barcode": False, "number": str(self._in_box), "dependencia_id": e["dependencia_id"],
                "parent_id": self._box["id"], "location_id": None, "home_location_id": None,
                "expediente_id": e["id"], "sequence": 1, "folio_first": e["folio_first"], "folio_last": e["folio_last"],
                "status": "activo", "notes": "",
            })  # fmt: skip
        for rows in (boxes, folders):
            if rows:
                self.conn.execute(insert(Unit), rows)
                record_bulk(self.conn, self.feed, Unit.__tablename__, rows)
