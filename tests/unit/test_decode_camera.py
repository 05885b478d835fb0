"""Camera decoding without a camera: a fake frame source at the true boundary (frames from
images), temporal confirmation of non-Legajo values, repeat suppression, "no camera"."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from scanners.camera import FrameDecoder, ImageFrameSource, NoCamera, OpenCVCamera
from tests.samples.decode.stream import mjpeg_stream

FILES = Path(__file__).parents[1] / "samples" / "decode" / "files"


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def frame(name: str) -> np.ndarray:
    img = cv2.imread(str(FILES / name), cv2.IMREAD_COLOR)
    return cv2.copyMakeBorder(img, 100, 100, 200, 200, cv2.BORDER_CONSTANT, value=(255, 255, 255))


def test_legajo_label_is_reported_once_then_suppressed() -> None:
    clock = Clock()
    dec = FrameDecoder(clock=clock)
    label = frame("label-expediente--clean.png")
    assert [r.value for r in dec.feed(label)] == ["E0A100000042S"]
    clock.t = 1.0
    assert dec.feed(label) == []  # still in front of the camera: one scan, not thirty
    clock.t = 10.0
    assert [r.value for r in dec.feed(label)] == ["E0A100000042S"]


def test_external_value_needs_two_frames() -> None:
    clock = Clock()
    dec = FrameDecoder(clock=clock)
    code = frame("code128-ARCH-CEN--clean.png")
    assert dec.feed(code) == []
    clock.t = 0.5
    assert [r.value for r in dec.feed(code)] == ["ARCH-CENTRAL/2019/000123"]


def test_wrong_check_never_reported() -> None:
    dec = FrameDecoder(clock=Clock())
    bad = frame("neg-wrongcheck--clean.png")
    assert dec.feed(bad) == [] and dec.feed(bad) == []


def test_image_source_plays_files_then_ends() -> None:
    src = ImageFrameSource([FILES / "label-expediente--clean.png", np.zeros((10, 10, 3), np.uint8)])
    first = src.read()
    assert first is not None and first.ndim == 3
    assert src.read() is not None and src.read() is None


def test_no_camera_is_a_clear_error() -> None:
    with pytest.raises(NoCamera) as e:
        OpenCVCamera(7)
    assert (
        e.value.code == "camera.none" and "No se encontró ninguna cámara" in e.value.untranslated()
    )


def test_a_network_camera_streams_frames_that_are_read() -> None:
    """The real OpenCV capture on a network camera (an MJPEG stream served here, as a phone's
    webcam app or an IP camera serves it): frames arrive and the label on them is read."""
    with mjpeg_stream(frame("label-expediente--clean.png")) as url:
        camera = OpenCVCamera(url)
        decoder = FrameDecoder()
        try:
            reads = []
            for _ in range(30):
                got = camera.read()
                assert got is not None and got.ndim == 3
                reads += decoder.feed(got)
                if reads:
                    break
        finally:
            camera.close()
    assert [r.value for r in reads] == ["E0A100000042S"]


def test_an_address_that_does_not_answer_is_a_clear_error() -> None:
    with pytest.raises(NoCamera) as e:
        OpenCVCamera("http://127.0.0.1:9/video")  # the discard port: nothing listens
    assert e.value.code == "camera.address" and "127.0.0.1:9" in e.value.untranslated()
