"""The scan station: one unit per scan into the current destination, and undo of the last one.

Each scan is its own transaction (a station must never lose a read), through
:func:`archive.services.moves.apply_move` like every other move, so the chain of custody and
the audit record every step. Undo moves the unit back where it was (method ``revert``); it is
refused when the unit moved again since, so an undo never overwrites someone else's move.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.db.models import Location, Unit
from archive.domain.errors import ConflictError, ValidationError
from archive.domain.permissions import Permission
from archive.i18n import N_
from archive.services.moves import DEST_SCAN, UNIT_SCAN, MoveResult, apply_move
from archive.services.runtime import Actor, Runtime
from archive.services.scanning import resolve_scan


@dataclass(frozen=True)
class StationMove:
    """One scan's move, with what undo needs.

    Attributes:
        unit_id / barcode / kind: The unit moved.
        from_location_id / from_parent_id: Where it was (a shelf, or a box).
        to_location_id / to_parent_id: Where it went.
        result: The move's outcome (``moved == 0``: it was already there).
    """

    unit_id: str
    barcode: str
    kind: str
    from_location_id: str | None
    from_parent_id: str | None
    to_location_id: str | None
    to_parent_id: str | None
    result: MoveResult


class StationService:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def destination(self, actor: Actor, scan: str) -> str:
        """What a destination scan names, as shown: a signatura, or the box's barcode."""
        with self.rt.uow(actor, Permission.INVENTORY_MOVE, write=False) as uow:
            dest = resolve_scan(uow.session, scan, DEST_SCAN)
            if dest.location is not None:
                return dest.location.path
            assert dest.unit is not None
            if dest.unit.kind != "caja":
                raise ValidationError(
                    "move.not_a_box",
                    N_("El destino {value} no es una caja."),
                    value=dest.unit.barcode,
                )
            return dest.unit.barcode

    def move_one(self, actor: Actor, unit_scan: str, destination_scan: str, *, override_capacity: bool = False,
                 note: str = "") -> StationMove:  # fmt: skip
        """Move the scanned unit to the scanned location or box."""
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            s = uow.session
            dest = resolve_scan(s, destination_scan, DEST_SCAN)
            unit = resolve_scan(s, unit_scan, UNIT_SCAN).unit
            assert unit is not None
            before = (unit.location_id, unit.parent_id)
            result = apply_move(uow, self.rt, actor, [unit], location=dest.location, box=dest.unit, method="scan",
                                override_capacity=override_capacity, note=note)  # fmt: skip
            uow.commit()
            return StationMove(
                unit.id,
                unit.barcode,
                unit.kind,
                before[0],
                before[1],
                unit.location_id,
                unit.parent_id,
                result,
            )

    def undo_move(self, actor: Actor, move: StationMove) -> MoveResult:
        """Put the unit back where it was before ``move`` (audited as a revert)."""
        with self.rt.uow(actor, Permission.INVENTORY_MOVE) as uow:
            s = uow.session
            unit = s.get(Unit, move.unit_id)
            if unit is None or (unit.location_id, unit.parent_id) != (
                move.to_location_id,
                move.to_parent_id,
            ):
                raise ConflictError("station.moved_since", N_("La unidad {barcode} se movió otra vez; no se deshace."),
                                    barcode=move.barcode)  # fmt: skip
            location = s.get(Location, move.from_location_id) if move.from_location_id else None
            box = s.get(Unit, move.from_parent_id) if move.from_parent_id else None
            if location is None and box is None:
                raise ValidationError("station.no_origin", N_("La unidad {barcode} no tenía ubicación: no hay a dónde devolverla."),
                                      barcode=move.barcode)  # fmt: skip
            result = apply_move(uow, self.rt, actor, [unit], location=location, box=box, method="revert",
                                override_capacity=True, note="deshacer escaneo")  # fmt: skip
            uow.commit()
            return result
