"""The label areas: Rótulos (print and reprint labels) and the Estación de escaneo.

:data:`AREAS` has the fields of ``desktop.main_window.Area``, in navigation order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.domain.permissions import Permission
from archive.i18n import N_
from desktop.session import Session
from desktop.views import View
from desktop.views.labels.labels_view import LabelsView
from desktop.views.labels.station import ScanStationView


@dataclass(frozen=True)
class LabelsArea:
    key: str
    title: str
    permission: Permission | None
    make: Callable[[Session], View]


AREAS: tuple[LabelsArea, ...] = (
    LabelsArea("labels", N_("Rótulos"), Permission.LABELS_PRINT, LabelsView),
    LabelsArea("station", N_("Estación de escaneo"), Permission.INVENTORY_MOVE, ScanStationView),
)

__all__ = ["AREAS", "LabelsArea", "LabelsView", "ScanStationView"]
