"""The transfer and elimination areas (AGN_NOTES §4-§5).

:data:`AREAS` describes them for the main window with the same fields as
``desktop.views.inventory.AREAS``; each factory takes the :class:`~desktop.session.Session`.
"""

from __future__ import annotations

from archive.domain.permissions import Permission
from archive.i18n import N_
from desktop.views.inventory import InventoryArea
from desktop.views.transfers.elimination import EliminationsView
from desktop.views.transfers.transfers import TransfersView

AREAS: tuple[InventoryArea, ...] = (
    InventoryArea("transfers", N_("Transferencias"), Permission.RECORDS_VIEW, TransfersView),
    InventoryArea("eliminations", N_("Eliminaciones"), Permission.RECORDS_VIEW, EliminationsView),
)

__all__ = ["AREAS"]
