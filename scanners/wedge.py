"""Keyboard-wedge decoding: telling a scanner's keystrokes from a person's, without Qt.

A USB or Bluetooth scanner in keyboard mode types its data a few milliseconds per character,
usually followed by Enter. The application-wide event filter (``desktop/``) feeds every key
press that produces text to :meth:`WedgeDecoder.feed` as ``(char, t_ms)`` and obeys the returned
:class:`Decision`; it calls :meth:`WedgeDecoder.flush` from a single-shot timer set to
:attr:`WedgeDecoder.deadline_ms`.

Strategy (justified in ``docs/BARCODES.md``): the first key of a burst always reaches the focused
widget (nothing can tell yet that it starts a scan, and holding every key would delay all typing
and force re-injecting every keystroke). Every following key that arrives within ``max_gap_ms``
is held. If the burst becomes a scan, the held keys are dropped and the decision tells the filter
to retract the one character that got through; if it does not, the held keys are released back
as typing, in order. With a prefix configured, the prefix is held from its first character and
nothing needs retracting.

Times are integer milliseconds from one monotonic clock; use the key events' own timestamps so
that keys queued behind a busy GUI thread keep their real spacing.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.domain.errors import ValidationError
from archive.i18n import N_

MAX_GAP_RANGE = (1, 100)
MIN_LENGTH_RANGE = (2, 64)
TIMEOUT_MAX_MS = 2000
AFFIX_MAX_LENGTH = 8


@dataclass(frozen=True, slots=True)
class WedgeConfig:
    """How the workstation's scanner types.

    Attributes:
        max_gap_ms: longest pause between two keys of a burst until it is long enough to be a
            scan (1–100; people rarely type two keys under 60 ms apart, never four in a row).
        min_length: fewest printable data characters (prefix and suffix excluded) of a scan.
        prefix: characters the scanner sends before the data ("" for none); when set, only
            bursts starting with it are scans.
        suffix: terminator characters, any one of which ends a scan (default CR or LF; ``"\\t"``
            for Tab). "" means no terminator: a scan ends after ``timeout_ms`` of quiet.
        timeout_ms: once a burst has ``min_length`` characters, the longest pause tolerated
            before the next character or the terminator (Bluetooth scanners stall), and the
            quiet time that ends a scan without suffix. At least ``max_gap_ms``.
    """

    max_gap_ms: int = 30
    min_length: int = 4
    prefix: str = ""
    suffix: str = "\r\n"
    timeout_ms: int = 100

    def __post_init__(self) -> None:
        _check_range("wedge.max_gap", self.max_gap_ms, *MAX_GAP_RANGE)
        _check_range("wedge.min_length", self.min_length, *MIN_LENGTH_RANGE)
        _check_range("wedge.timeout", self.timeout_ms, self.max_gap_ms, TIMEOUT_MAX_MS)
        for name, affix in (("prefix", self.prefix), ("suffix", self.suffix)):
            if not isinstance(affix, str) or len(affix) > AFFIX_MAX_LENGTH:
                raise ValidationError(
                    f"wedge.{name}",
                    N_("El prefijo y el sufijo del lector admiten como máximo {max} caracteres."),
                    max=AFFIX_MAX_LENGTH,
                )
        if set(self.prefix) & set(self.suffix):
            raise ValidationError(
                "wedge.affix_overlap",
                N_("El prefijo y el sufijo del lector no pueden compartir caracteres."),
            )


def _check_range(code: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            code,
            N_("El valor {value} de la configuración del lector debe estar entre {min} y {max}."),
            value=value,
            min=low,
            max=high,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """What the event filter must do, in this order.

    Attributes:
        retract: delete this many characters just before the cursor of the focused editor: the
            first keys of the scan, which were let through before it could be recognised.
        release: text held back that turned out to be typing; deliver it to the focused widget
            as typed text, before the current key.
        scan: the raw data of a completed scan (prefix and terminator removed; build the
            ``Scan`` with ``Scan.from_raw(scan, "wedge")``), or ``None``.
        swallow: consume the current key (``True``) or let it through (``False``). Always
            ``False`` from :meth:`WedgeDecoder.flush` and :meth:`WedgeDecoder.interrupt`.
    """

    swallow: bool = False
    retract: int = 0
    release: str = ""
    scan: str | None = None


_NOTHING = Decision()


class WedgeDecoder:
    """Splits a stream of timed key presses into typing and scans. Deterministic, no clock."""

    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config if config is not None else WedgeConfig()
        self._keys: list[str] = []  # the current burst as fed, prefix included
        self._passed = 0  # how many of _keys reached the widget (0 or 1)
        self._last_t: int | None = None  # time of the last key fed
        self._absorb = False  # a scan just ended by its terminator: eat a trailing LF of CR LF

    @property
    def deadline_ms(self) -> int | None:
        """When :meth:`flush` will conclude the current burst; ``None`` if nothing is held."""
        if self._last_t is None or len(self._keys) <= self._passed:
            return None
        return self._last_t + self._allowed_gap() + 1

    def feed(self, char: str, t_ms: int, *, autorepeat: bool = False) -> Decision:
        """Decide about one key press.

        Args:
            char: the text the key produced (one character; longer texts, from input methods,
                are always typing). Do not feed keys without text (Shift, arrows).
            t_ms: the key event's timestamp in milliseconds.
            autorepeat: the key is held down (auto-repeat is always typing).

        Returns:
            The decision for this key, including the outcome of a burst it ended.
        """
        if not isinstance(char, str) or not char:
            raise ValueError(f"char must be a non-empty string, not {char!r}")
        cfg = self.config
        gap = None if self._last_t is None else t_ms - self._last_t
        in_time = gap is not None and 0 <= gap <= cfg.max_gap_ms and not autorepeat
        ended = _NOTHING
        if self._keys and (
            gap is None or gap < 0 or gap > self._allowed_gap() or autorepeat or len(char) > 1
        ):
            ended = self._conclude()
        absorb, self._absorb = self._absorb, False
        self._last_t = t_ms
        if autorepeat or len(char) > 1:
            return ended
        if absorb and in_time and char in cfg.suffix:
            self._absorb = True
            return Decision(swallow=True)
        if self._keys:
            return self._continue(char)
        return _merge(ended, self._start(char))

    def flush(self, t_ms: int) -> Decision:
        """Conclude the current burst if no key can extend it any more at ``t_ms``.

        Call it when :attr:`deadline_ms` is reached; calling it early or twice is harmless.
        """
        if self._last_t is None or not self._keys:
            return _NOTHING
        if t_ms - self._last_t <= self._allowed_gap():
            return _NOTHING
        return self._conclude()

    def interrupt(self) -> Decision:
        """Conclude the current burst now (focus change, mouse press, window deactivation)."""
        self._absorb = False
        return self._conclude() if self._keys else _NOTHING

    # --- internals ----------------------------------------------------------------------------

    def _start(self, char: str) -> Decision:
        prefix = self.config.prefix
        if prefix:
            if char == prefix[0]:
                self._keys, self._passed = [char], 0
                return Decision(swallow=True)
            return _NOTHING
        if char.isprintable() and char not in self.config.suffix:
            self._keys, self._passed = [char], 1
        return _NOTHING

    def _continue(self, char: str) -> Decision:
        cfg = self.config
        if char in cfg.suffix:
            if self._is_scan():
                scan, retract = self._body(), self._passed
                self._reset()
                self._absorb = True
                return Decision(swallow=True, retract=retract, scan=scan)
            return self._conclude()  # typing that ended with Enter/Tab: let the key through
        n = len(self._keys)
        if n < len(cfg.prefix) and char != cfg.prefix[n]:
            return _merge(self._conclude(), self._start(char))
        self._keys.append(char)
        return Decision(swallow=True)

    def _conclude(self) -> Decision:
        """End the burst: a scan when no terminator is configured, otherwise typing."""
        if not self.config.suffix and self._is_scan():
            decision = Decision(retract=self._passed, scan=self._body())
        else:
            decision = Decision(release="".join(self._keys[self._passed :]))
        self._reset()
        return decision

    def _reset(self) -> None:
        self._keys, self._passed = [], 0

    def _body(self) -> str:
        return "".join(self._keys[len(self.config.prefix) :])

    def _is_scan(self) -> bool:
        if len(self._keys) < len(self.config.prefix):
            return False
        printable = sum(1 for c in self._body() if c.isprintable())
        return printable >= self.config.min_length

    def _allowed_gap(self) -> int:
        return self.config.timeout_ms if self._is_scan() else self.config.max_gap_ms


def _merge(first: Decision, second: Decision) -> Decision:
    """One decision doing ``first`` (a burst's outcome) and then ``second`` (the current key)."""
    return Decision(
        swallow=second.swallow,
        retract=first.retract + second.retract,
        release=first.release + second.release,
        scan=first.scan if first.scan is not None else second.scan,
    )
