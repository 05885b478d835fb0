"""Errors of the search index (codes ``search.*``), in the one hierarchy of Legajo."""

from __future__ import annotations

from archive.domain.errors import LegajoError
from archive.i18n import N_


class SearchIndexLocked(LegajoError):
    """Another writer (thread or process) held the index longer than the lock timeout."""

    def __init__(self, *, owner: str, timeout: float) -> None:
        super().__init__(
            "search.locked",
            N_(
                "El índice de búsqueda está ocupado por otro proceso ({owner}); "
                "se esperó {timeout} s. Intente de nuevo."
            ),
            owner=owner,
            timeout=timeout,
        )


class SearchIndexUnavailable(LegajoError):
    """The index is missing, corrupt or of another schema version: it must be rebuilt.

    ``state`` is the :class:`archive.search.port.HealthState` value ("missing", "corrupt",
    "outdated"); ``detail`` is technical text for logs.
    """

    def __init__(self, state: str, detail: str = "") -> None:
        self.state = state
        self.detail = detail
        super().__init__(
            "search.unavailable",
            N_(
                "El índice de búsqueda no se puede usar ({state}). "
                "Reconstrúyalo desde la base de datos."
            ),
            state=state,
            detail=detail,
        )


class SearchUpdateConflict(LegajoError):
    """One batch both adds and deletes the same ids (the indexer must coalesce first)."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(
            "search.update.conflict",
            N_("Un mismo lote agrega y borra los registros {ids} del índice de búsqueda."),
            ids=ids,
        )
