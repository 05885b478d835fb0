"""The physical inventory areas: ubicaciones, unidades, expedientes, mover, conteos, novedades.

:data:`AREAS` describes them for the main window, in navigation order; each factory takes the
:class:`~desktop.session.Session` like every other view. Every area is a scan handler: a
keyboard-wedge read (``desktop.wedge_filter``) or the area's "Escanear aquí" field
(``desktop.scan_dispatch.ScanField``) ends in its ``handle_scan``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.domain.permissions import Permission
from archive.i18n import N_
from desktop.session import Session
from desktop.views import View
from desktop.views.inventory.counts import CountsView
from desktop.views.inventory.expedientes import ExpedientesView
from desktop.views.inventory.incidents import IncidentsView
from desktop.views.inventory.locations import LocationsView
from desktop.views.inventory.moves import MovesView
from desktop.views.inventory.units import UnitsView


@dataclass(frozen=True)
class InventoryArea:
    """One area: the same fields, in the same order, as ``desktop.main_window.Area``.

    Attributes:
        key: Stable name.
        title: Spanish msgid of the navigation entry.
        permission: Needed to see the area (the services check again on every call).
        make: Builds the view from the session.
    """

    key: str
    title: str
    permission: Permission | None
    make: Callable[[Session], View]


AREAS: tuple[InventoryArea, ...] = (
    InventoryArea("moves", N_("Mover"), Permission.INVENTORY_MOVE, MovesView),
    InventoryArea("expedientes", N_("Expedientes"), Permission.RECORDS_VIEW, ExpedientesView),
    InventoryArea("units", N_("Unidades"), Permission.RECORDS_VIEW, UnitsView),
    InventoryArea("locations", N_("Ubicaciones"), Permission.RECORDS_VIEW, LocationsView),
    InventoryArea("counts", N_("Conteos"), Permission.INVENTORY_COUNT, CountsView),
    InventoryArea("incidents", N_("Novedades"), Permission.RECORDS_VIEW, IncidentsView),
)

__all__ = ["AREAS", "InventoryArea"]
