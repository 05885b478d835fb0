"""The Scan value object: one barcode read, whatever device produced it.

Every scanner path (keyboard wedge, camera, image file, data-collector file, manual entry) ends in
a :class:`Scan`. Its ``value`` is already cleaned with
:func:`archive.domain.barcodes.normalize_scan`, so lookups and comparisons need no more cleaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.domain.barcodes import aim_identifier, normalize_scan
from archive.domain.errors import ValidationError
from archive.i18n import N_

#: Where a scan came from.
SOURCES = frozenset({"wedge", "camera", "image", "collector", "manual"})
#: Symbology of a read whose symbology the device did not tell.
UNKNOWN_SYMBOLOGY = "unknown"

# Symbology names are lower-case tokens shared by every decoder ("code128", "qrcode", ...).
_SYMBOLOGY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
# AIM symbology letter (ISO/IEC 15424) -> our symbology name.
_AIM_SYMBOLOGIES = {
    "A": "code39",
    "C": "code128",
    "E": "ean-upc",
    "F": "codabar",
    "G": "code93",
    "I": "itf",
    "L": "pdf417",
    "Q": "qrcode",
    "d": "datamatrix",
    "e": "databar",
    "z": "aztec",
}


@dataclass(frozen=True, slots=True)
class Scan:
    """One barcode read.

    Attributes:
        value: the normalized barcode text (non-empty, equal to ``normalize_scan(value)``).
        symbology: lower-case symbology name (``"code128"``, ``"qrcode"``...) or ``"unknown"``.
        source: one of :data:`SOURCES`.
        at: when it was read, timezone-aware UTC.
    """

    value: str
    symbology: str
    source: str
    at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not self.value:
            raise ValueError(f"Scan.value must be a non-empty string, not {self.value!r}")
        if normalize_scan(self.value) != self.value:
            raise ValueError(f"Scan.value must be normalized (use Scan.from_raw): {self.value!r}")
        if not isinstance(self.symbology, str) or not _SYMBOLOGY_RE.fullmatch(self.symbology):
            raise ValueError(f"Scan.symbology must be a lower-case token: {self.symbology!r}")
        if self.source not in SOURCES:
            raise ValueError(f"Scan.source must be one of {sorted(SOURCES)}: {self.source!r}")
        if not isinstance(self.at, datetime):
            raise TypeError(f"Scan.at must be a datetime, not {self.at!r}")
        if self.at.tzinfo is None or self.at.utcoffset() != timedelta(0):
            raise ValueError(f"Scan.at must be timezone-aware UTC: {self.at!r}")

    @classmethod
    def from_raw(
        cls,
        raw: str,
        source: str,
        *,
        symbology: str | None = None,
        at: datetime | None = None,
    ) -> Scan:
        """Build a scan from device or keyboard text.

        Args:
            raw: the text as received (may carry an AIM identifier, whitespace, CR/LF...).
            source: one of :data:`SOURCES`.
            symbology: the decoder's symbology name; when ``None`` it is taken from the AIM
                identifier if present, else :data:`UNKNOWN_SYMBOLOGY`.
            at: the read time (timezone-aware); defaults to now.

        Raises:
            ValidationError: ``barcode.empty`` when nothing is left after cleaning.
            ValueError: an invalid ``source``, ``symbology`` or ``at``.
        """
        value = normalize_scan(raw)
        if not value:
            raise ValidationError("barcode.empty", N_("El código de barras está vacío."))
        if symbology is None:
            aim = aim_identifier(raw)
            symbology = (
                _AIM_SYMBOLOGIES.get(aim[1], UNKNOWN_SYMBOLOGY) if aim else UNKNOWN_SYMBOLOGY
            )
        if at is None:
            at = datetime.now(UTC)
        elif at.tzinfo is None:
            raise ValueError(f"Scan.at must be timezone-aware: {at!r}")
        return cls(value, symbology, source, at.astimezone(UTC))
