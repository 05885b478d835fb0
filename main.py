"""Composition root: parse arguments, build settings, database and services, then run a CLI
command or start the GUI. Nothing is created at import time."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.domain.errors import LegajoError
    from archive.services.container import Services


def main(argv: Sequence[str] | None = None) -> int:
    from archive.i18n import set_language
    from archive.settings import load_settings

    settings = load_settings()
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_early_lang(argv) or settings.language)

    from cli.parser import parse_args

    args = parse_args(argv)
    if args.lang:
        set_language(args.lang)

    from archive.domain.errors import LegajoError
    from cli.output import report_error

    try:
        services = build_services(settings.effective_data_dir(args.data_dir))
    except LegajoError as e:
        if args.command is None:
            return _gui_fatal(e)
        return report_error(e, args.json)
    try:
        if args.command is None:
            from desktop.app import run_gui

            return run_gui(services, settings)
        from cli.commands import all_commands

        try:
            return all_commands()[args.command](services, args)
        except LegajoError as e:
            return report_error(e, args.json)
        except OSError as e:  # a file named on the command line that cannot be read or written
            return report_error(_file_error(e), args.json)
        except KeyboardInterrupt:
            return 130
    finally:
        services.rt.db.close()


def _file_error(e: OSError) -> LegajoError:
    from archive.domain.errors import ValidationError
    from archive.i18n import N_

    return ValidationError(
        "cli.file",
        N_("No se pudo usar el archivo {file}: {reason}"),
        file=str(e.filename or ""),
        reason=e.strerror or str(e),
    )


def build_services(data_dir: object) -> Services:
    """Open (migrating) the workstation database in ``data_dir`` and build every service."""
    from pathlib import Path

    from archive.db.database import Database
    from archive.db.engine import sqlite_url
    from archive.services.container import Services
    from archive.services.runtime import Environment, Runtime

    db = Database.open(sqlite_url(Path(str(data_dir))))
    try:
        return Services.build(Runtime(db, Environment()))
    except BaseException:
        db.close()  # its checkpointer thread makes a last pass and stops
        raise


def _early_lang(argv: list[str]) -> str | None:
    """``--lang`` must be known before the parser is built (its help text is translated)."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def _gui_fatal(error: object) -> int:
    """Show a fatal start-up error (corrupt or newer database) in a message box."""
    from desktop.app import show_fatal

    return show_fatal(error)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # worker processes (image decoder, index rebuild) in a frozen build
    sys.exit(main())
