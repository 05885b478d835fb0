"""The Captura area: documents by barcode, data-collector files, folder watch, camera.

:data:`AREAS` has the fields of ``desktop.main_window.Area``, in navigation order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.domain.permissions import Permission
from archive.i18n import N_
from desktop.session import Session
from desktop.views import View
from desktop.views.capture.view import CaptureView


@dataclass(frozen=True)
class CaptureArea:
    key: str
    title: str
    permission: Permission | None
    make: Callable[[Session], View]


AREAS: tuple[CaptureArea, ...] = (
    CaptureArea("capture", N_("Captura"), Permission.INVENTORY_MOVE, CaptureView),
)

__all__ = ["AREAS", "CaptureArea", "CaptureView"]
