"""Message boxes: errors, confirmations and notices, behind a replaceable sink.

Views never build ``QMessageBox`` themselves; they call :func:`show_error`, :func:`confirm` or
:func:`info` with the :class:`MessageSink` the composition root handed them. The real sink
(:class:`QtMessageSink`) shows Qt message boxes; tests pass a :class:`RecordingSink`, which records
what would have been shown and answers confirmations from a script, so nothing ever blocks.

Example::

    try:
        ...
    except LegajoError as exc:
        show_error(self, exc, sink=self._sink)
    if confirm(self, _("Eliminar"), _("¿Eliminar la caja {code}?").format(code=c), sink=sink):
        ...
"""

from __future__ import annotations

import traceback
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from PySide6.QtWidgets import QMessageBox, QWidget

from archive.domain.errors import ImportFileError, LegajoError
from archive.i18n import _, render_error, render_problem


class Kind(Enum):
    """What a message is, which decides its icon and buttons."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    QUESTION = "question"


@dataclass(frozen=True)
class Message:
    """One message to show: already translated.

    Attributes:
        kind: Icon and buttons (a QUESTION has Yes/No and an answer).
        title: Window title.
        text: The main text.
        details: Longer text shown in an expandable area (problem lists, tracebacks).
    """

    kind: Kind
    title: str
    text: str
    details: str = ""


class MessageSink(Protocol):
    """Where messages go. ``show`` returns the answer for QUESTION messages, True otherwise."""

    def show(self, parent: QWidget | None, message: Message) -> bool: ...


_ICONS = {
    Kind.ERROR: QMessageBox.Icon.Critical,
    Kind.WARNING: QMessageBox.Icon.Warning,
    Kind.INFO: QMessageBox.Icon.Information,
    Kind.QUESTION: QMessageBox.Icon.Question,
}


class QtMessageSink:
    """The real sink: Qt message boxes.

    Errors and notices open window-modal and return at once (no nested event loop); questions
    need an answer, so they run the box's own loop with ``exec()``.
    """

    def __init__(self) -> None:
        self._open: set[QMessageBox] = set()  # parentless boxes live until closed

    def show(self, parent: QWidget | None, message: Message) -> bool:
        box = QMessageBox(_ICONS[message.kind], message.title, message.text, parent=parent)
        if message.details:
            box.setDetailedText(message.details)
        if message.kind is Kind.QUESTION:
            yes = box.addButton(_("Sí"), QMessageBox.ButtonRole.YesRole)
            no = box.addButton(_("No"), QMessageBox.ButtonRole.NoRole)
            box.setDefaultButton(no)  # a stray Enter must not confirm
            box.setEscapeButton(no)
            box.exec()
            answer = box.clickedButton() is yes
            box.deleteLater()
            return answer
        box.addButton(_("Aceptar"), QMessageBox.ButtonRole.AcceptRole)
        self._open.add(box)
        box.finished.connect(lambda _result, b=box: self._closed(b))
        box.open()
        return True

    def _closed(self, box: QMessageBox) -> None:
        self._open.discard(box)
        box.deleteLater()


class RecordingSink:
    """A sink for tests: records every message and answers questions from a script.

    Args:
        answers: Answers for successive QUESTION messages; when exhausted, ``default_answer``.
        default_answer: The answer once ``answers`` is used up.
    """

    def __init__(self, answers: list[bool] | None = None, *, default_answer: bool = False) -> None:
        self.messages: list[Message] = []
        self.parents: list[QWidget | None] = []
        self._answers = deque(answers or [])
        self._default = default_answer

    def show(self, parent: QWidget | None, message: Message) -> bool:
        self.messages.append(message)
        self.parents.append(parent)
        if message.kind is Kind.QUESTION:
            return self._answers.popleft() if self._answers else self._default
        return True

    def of_kind(self, kind: Kind) -> list[Message]:
        """The recorded messages of one kind, in order."""
        return [m for m in self.messages if m.kind is kind]


def error_message(error: BaseException) -> Message:
    """The message for an exception: a translated core error, or an internal error."""
    if isinstance(error, LegajoError):
        details = ""
        if isinstance(error, ImportFileError):
            details = "\n".join(render_problem(p) for p in error.problems)
        return Message(Kind.ERROR, _("Error"), render_error(error), details)
    return Message(
        Kind.ERROR,
        _("Error interno"),
        _(
            "Ocurrió un error inesperado; la operación no terminó. "
            "Los detalles técnicos quedaron en el registro."
        ),
        "".join(traceback.format_exception(error)),
    )


def show_error(parent: QWidget | None, error: BaseException, *, sink: MessageSink) -> None:
    """Show an error: a :class:`LegajoError` translated, anything else as an internal error.

    :class:`ImportFileError` lists its row problems in the details area. Unexpected exceptions
    are expected to have been logged by the caller (the task runner does it).
    """
    sink.show(parent, error_message(error))


def confirm(parent: QWidget | None, title: str, text: str, *, sink: MessageSink) -> bool:
    """Ask a yes/no question (No is the default button). True if the user said yes."""
    return sink.show(parent, Message(Kind.QUESTION, title, text))


def info(
    parent: QWidget | None, title: str, text: str, *, sink: MessageSink, details: str = ""
) -> None:
    """Show a notice."""
    sink.show(parent, Message(Kind.INFO, title, text, details))


def warning(
    parent: QWidget | None, title: str, text: str, *, sink: MessageSink, details: str = ""
) -> None:
    """Show a warning (something the user should act on, but not a failure)."""
    sink.show(parent, Message(Kind.WARNING, title, text, details))
