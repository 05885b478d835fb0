"""Live camera preview with continuous decoding; frames are grabbed and decoded off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive.domain.errors import LegajoError
from archive.i18n import _, render_error
from desktop.session import Session
from scanners.camera import CameraRead, FrameDecoder, FrameSource, OpenCVCamera
from scanners.scan import Scan

SourceFactory = Callable[[int | str], FrameSource]


class CameraPanel(QWidget):
    """Camera selection, start/stop, preview; confirmed reads become scans.

    Args:
        session: the session (its task runner's I/O pool does the grabbing and decoding).
        source_factory: opens camera ``index``; the default is :class:`OpenCVCamera` (tests
            pass a fake source playing images).

    Signals:
        scanned(Scan): a barcode was read (source ``camera``).
    """

    scanned = Signal(object)
    INTERVAL_MS = 66  # ≈ 15 frames/s asked; a frame is skipped while the previous is in work

    def __init__(
        self,
        session: Session,
        source_factory: SourceFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._factory = source_factory or (lambda i: OpenCVCamera(i))
        self._source: FrameSource | None = None
        self._decoder = FrameDecoder()
        self._busy = False
        self.frames = 0
        self.camera = QComboBox(self)
        self.camera.addItems([_("Cámara {n}").format(n=i) for i in range(4)])
        self.address = QLineEdit(self)
        self.address.setPlaceholderText(
            _("o la dirección de una cámara de red o un teléfono (http://…, rtsp://…)")
        )
        self.address.setToolTip(
            _("Con una dirección se usa esa cámara en lugar de la elegida en la lista.")
        )
        self.address.setMinimumWidth(360)
        self.start_button = QPushButton(_("Iniciar cámara"), self)
        self.stop_button = QPushButton(_("Detener"), self)
        self.stop_button.setEnabled(False)
        self.preview = QLabel(_("La vista previa aparece aquí."), self)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(480, 270)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        for w in (self.camera, self.address, self.start_button, self.stop_button):
            top.addWidget(w)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self._tick)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)

    def start(self) -> None:
        """Open the selected camera (or the address typed) off the GUI thread: a network camera
        can take seconds to answer. A missing camera is a clear message, not an error box."""
        device: int | str = self.address.text().strip() or self.camera.currentIndex()
        factory = self._factory
        self.start_button.setEnabled(False)
        self.status.setText(_("Abriendo la cámara…"))
        self.session.runner.run_io(lambda _ctx: factory(device), on_done=self._opened,
                                   on_error=self._open_failed, owner=self)  # fmt: skip

    def _opened(self, source: FrameSource) -> None:
        self._source = source
        self.status.setText(_("Apunte la cámara al código de barras."))
        self.stop_button.setEnabled(True)
        self._timer.start()

    def _open_failed(self, error: LegajoError) -> None:
        self.start_button.setEnabled(True)
        self.status.setText(render_error(error))

    def stop(self) -> None:
        self._timer.stop()
        if self._source is not None:
            self._source.close()
            self._source = None
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def hideEvent(self, event: Any) -> None:
        self.stop()
        super().hideEvent(event)

    def _tick(self) -> None:
        if self._busy or self._source is None:
            return
        self._busy = True
        source, decoder = self._source, self._decoder

        def grab(_ctx: object) -> tuple[QImage | None, list[CameraRead]]:
            frame = source.read()
            if frame is None:
                return None, []
            reads = decoder.feed(frame)
            return _to_qimage(frame), reads

        self.session.runner.run_io(
            grab, on_done=self._frame_done, on_error=self._frame_error, owner=self
        )

    def _frame_done(self, result: tuple[QImage | None, list[CameraRead]]) -> None:
        self._busy = False
        image, reads = result
        if image is None:
            self.stop()
            self.status.setText(_("La cámara dejó de enviar imágenes."))
            return
        self.frames += 1
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))  # fmt: skip
        for read in reads:
            QApplication.beep()
            scan = Scan.from_raw(read.value, "camera", symbology=read.symbology)
            self.status.setText(_("Leído: {value}").format(value=scan.value))
            self.scanned.emit(scan)

    def _frame_error(self, error: LegajoError) -> None:
        self._busy = False
        self.stop()
        self.status.setText(render_error(error))


def _to_qimage(frame: Any) -> QImage:
    """A deep-copied QImage of a BGR or grayscale frame (safe to hand across threads)."""
    import cv2

    if frame.ndim == 2:
        h, w = frame.shape
        return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_Grayscale8).copy()
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    h, w, _c = rgb.shape
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()
