"""The retention areas: TRD editor (with import and export), due lists, legal holds.

:data:`AREAS` describes them for the main window, in navigation order, with the same fields as
``desktop.views.inventory.AREAS``; each factory takes the :class:`~desktop.session.Session`.
"""

from __future__ import annotations

from archive.domain.permissions import Permission
from archive.i18n import N_
from desktop.views.inventory import InventoryArea
from desktop.views.retention.due import DueView
from desktop.views.retention.holds import HoldsView
from desktop.views.retention.trd_editor import TrdView

AREAS: tuple[InventoryArea, ...] = (
    InventoryArea("trd", N_("TRD"), Permission.RECORDS_VIEW, TrdView),
    InventoryArea("due", N_("Plazos cumplidos"), Permission.RECORDS_VIEW, DueView),
    InventoryArea("holds", N_("Suspensiones"), Permission.RECORDS_VIEW, HoldsView),
)

__all__ = ["AREAS"]
