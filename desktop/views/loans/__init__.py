"""The Préstamos area (loans of cajas and carpetas).

:data:`AREAS` has the fields of ``desktop.main_window.Area``, in navigation order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.domain.permissions import Permission
from archive.i18n import N_
from desktop.session import Session
from desktop.views import View
from desktop.views.loans.view import LoansView


@dataclass(frozen=True)
class LoansArea:
    key: str
    title: str
    permission: Permission | None
    make: Callable[[Session], View]


AREAS: tuple[LoansArea, ...] = (
    LoansArea("loans", N_("Préstamos"), Permission.LOANS_REQUEST, LoansView),
)

__all__ = ["AREAS", "LoansArea", "LoansView"]
