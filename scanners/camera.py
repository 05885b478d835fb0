"""Camera capture for barcode reading: a frame-source protocol, an OpenCV source, a fake source
that plays images (for tests and demos), and the per-frame decoder. No Qt.

The GUI grabs frames off the GUI thread (``desktop`` runs :meth:`FrameSource.read` and
:meth:`FrameDecoder.feed` on the task runner's I/O pool) and shows the preview. Decoding works on
a downscaled central region of interest so a 2-core machine keeps up with ≥ 10 frames/s.

Never a wrong read: a Legajo label is confirmed by its check character; any other value must be
read in two frames within ``confirm_window_s`` before it is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archive.domain.barcodes import has_valid_check, looks_like_legajo_barcode, normalize_scan
from archive.domain.errors import ValidationError
from archive.i18n import N_

if TYPE_CHECKING:
    import numpy.typing as npt

    Frame = npt.NDArray[Any]
else:
    Frame = Any


class NoCamera(ValidationError):
    """No camera could be opened."""


def no_camera(device: int | str) -> NoCamera:
    if isinstance(device, str):
        return NoCamera(
            "camera.address",
            N_("No se pudo abrir la cámara en {address}: revise la dirección y que la cámara o el "
               "teléfono estén encendidos y en la misma red."),
            address=device,
        )  # fmt: skip
    return NoCamera(
        "camera.none",
        N_(
            "No se encontró ninguna cámara (dispositivo {index}). Conecte una cámara o use el lector de código de barras."
        ),
        index=device,
    )


class FrameSource(Protocol):
    """Something that yields frames (BGR or grayscale arrays)."""

    def read(self) -> Frame | None:
        """The next frame, or ``None`` when the source has ended or failed."""

    def close(self) -> None: ...


#: Milliseconds a network camera may take to open, and to send a frame (FFmpeg's own wait is
#: about 30 s: an unreachable address would leave "Iniciar cámara" hanging that long).
NETWORK_TIMEOUT_MS = 5000


class OpenCVCamera:
    """A camera through ``cv2.VideoCapture``; raises :class:`NoCamera` when it cannot open.

    ``device``: the index of a local camera, or an address FFmpeg opens — a network camera or a
    phone running a webcam app (``http://192.168.1.20:8080/video``, ``rtsp://…``), or a video
    file. Opening an address can take seconds: call it off the GUI thread.
    """

    def __init__(self, device: int | str = 0, width: int = 1280, height: int = 720) -> None:
        import cv2

        if isinstance(device, str):
            self._cap = cv2.VideoCapture(device, cv2.CAP_FFMPEG, [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, NETWORK_TIMEOUT_MS,
                cv2.CAP_PROP_READ_TIMEOUT_MSEC, NETWORK_TIMEOUT_MS])  # fmt: skip
        else:
            self._cap = cv2.VideoCapture(device)
        if not self._cap.isOpened():
            self._cap.release()
            raise no_camera(device)
        if not isinstance(device, str):  # a stream or a file has the size it has
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)

    def read(self) -> Frame | None:
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()


def list_cameras(max_index: int = 4) -> list[int]:
    """Indices of the cameras that open (quietly; may take a moment per index)."""
    import cv2

    found = []
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        if cap.isOpened():
            found.append(i)
        cap.release()
    return found


class ImageFrameSource:
    """Plays frames from arrays or image files, in a loop or once (the fake camera of the tests)."""

    def __init__(self, frames: Iterable[Frame | Path], *, loop: bool = False) -> None:
        self._frames = list(frames)
        self._loop = loop
        self._it: Iterator[Frame | Path] = iter(self._frames)

    def read(self) -> Frame | None:
        import cv2

        try:
            item = next(self._it)
        except StopIteration:
            if not self._loop or not self._frames:
                return None
            self._it = iter(self._frames)
            item = next(self._it)
        if isinstance(item, Path):
            return cv2.imread(str(item), cv2.IMREAD_COLOR)
        return item

    def close(self) -> None:
        self._it = iter(())


@dataclass(frozen=True, slots=True)
class CameraRead:
    value: str
    symbology: str


@dataclass
class FrameDecoder:
    """Per-frame decoding with temporal confirmation and repeat suppression.

    Attributes:
        roi: fraction of the frame (centred) that is decoded.
        max_side: the ROI is downscaled to at most this many pixels on its long side.
        confirm_window_s: two reads of a non-Legajo value within this time confirm it.
        repeat_after_s: the same value is not reported again for this long (a label held in
            front of the camera is one scan, not thirty).
    """

    roi: float = 0.7
    max_side: int = 800
    confirm_window_s: float = 1.5
    repeat_after_s: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _pending: dict[str, float] = field(default_factory=dict)
    _reported: dict[str, float] = field(default_factory=dict)

    def prepare(self, frame: Frame) -> Frame:
        """Grayscale, central ROI, downscaled."""
        import cv2

        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        h, w = gray.shape
        ch, cw = int(h * self.roi), int(w * self.roi)
        y, x = (h - ch) // 2, (w - cw) // 2
        crop = gray[y : y + ch, x : x + cw]
        factor = min(1.0, self.max_side / max(ch, cw))
        if factor < 1:
            crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        return crop

    def feed(self, frame: Frame) -> list[CameraRead]:
        """Decode one frame; return the reads confirmed (and not recently reported) now."""
        import zxingcpp

        now = self.clock()
        out: list[CameraRead] = []
        for r in zxingcpp.read_barcodes(self.prepare(frame), try_downscale=False):
            if not r.valid:
                continue
            value = normalize_scan(r.text)
            if not value:
                continue
            if looks_like_legajo_barcode(value):
                if not has_valid_check(value):
                    continue
            else:
                seen = self._pending.get(value)
                self._pending[value] = now
                if seen is None or now - seen > self.confirm_window_s:
                    continue
            last = self._reported.get(value)
            if last is not None and now - last < self.repeat_after_s:
                self._reported[value] = now
                continue
            self._reported[value] = now
            out.append(CameraRead(value, _symbology(r.format.name)))
        return out


def _symbology(name: str) -> str:
    from scanners.decode import _ZXING_NAMES

    return _ZXING_NAMES.get(name, name.lower())
