"""The central database password: in the OS keyring, or (headless machines) an environment variable.

The password is never written to the database, the settings file or a log. Where the operating
system offers a keyring (Windows Credential Manager, macOS Keychain, Secret Service on Linux
desktops) it is kept there under the service :data:`SERVICE`. Servers and CI machines often have
no keyring: there the scheduled job reads :data:`ENV_VAR`. When neither has it, the error says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from archive.i18n import N_
from archive.sync.config import CentralConfig
from archive.sync.errors import SyncConfigError

SERVICE = "legajo-central"
ENV_VAR = "LEGAJO_CENTRAL_PASSWORD"


class PasswordStore:
    """Reads and keeps the central password.

    Args:
        environ: Where to read :data:`ENV_VAR` (default: the process environment).
        backend: A ``keyring`` backend (default: the one ``keyring`` picks for this system).
    """

    def __init__(self, environ: Mapping[str, str] | None = None, backend: Any = None) -> None:
        self._environ = environ if environ is not None else os.environ
        self._backend = backend

    def _keyring(self) -> Any | None:
        """The usable keyring backend, or None (no backend, or only the 'fail' one)."""
        try:
            import keyring
            from keyring.backends import fail
        except ImportError:  # pragma: no cover - keyring is a dependency
            return None
        backend = self._backend or keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return None
        try:
            if float(getattr(backend, "priority", 1)) <= 0:
                return None
        except Exception:  # some backends compute priority and may fail: treat as absent
            return None
        return backend

    def keyring_available(self) -> bool:
        """Whether an OS keyring can keep the password on this machine."""
        return self._keyring() is not None

    def get(self, config: CentralConfig) -> str:
        """The password for ``config``: keyring first, then :data:`ENV_VAR`.

        Raises:
            SyncConfigError: neither has it (the message tells how to provide it).
        """
        backend = self._keyring()
        if backend is not None:
            try:
                stored = backend.get_password(SERVICE, config.keyring_account)
            except Exception:  # a locked or broken keyring: fall back to the environment
                stored = None
            if stored:
                return str(stored)
        env = self._environ.get(ENV_VAR)
        if env:
            return env
        if backend is None:
            raise SyncConfigError(
                "sync.no_password_no_keyring",
                N_("Este equipo no tiene un llavero del sistema para guardar la contraseña de la "
                   "base central {server}. Defina la variable de entorno {env} para la tarea "
                   "programada; la contraseña nunca se guarda en texto plano."),
                server=config.server, env=ENV_VAR,
            )  # fmt: skip
        raise SyncConfigError(
            "sync.no_password",
            N_("No hay contraseña guardada para la base central {server}: guárdela con "
               "«legajo sync configure» (o Configuración → Base central) o defina {env}."),
            server=config.server, env=ENV_VAR,
        )  # fmt: skip

    def store(self, config: CentralConfig, password: str) -> bool:
        """Keep ``password`` in the keyring; False when there is no keyring (nothing stored)."""
        backend = self._keyring()
        if backend is None:
            return False
        backend.set_password(SERVICE, config.keyring_account, password)
        return True

    def forget(self, config: CentralConfig) -> None:
        """Remove the stored password, if any."""
        backend = self._keyring()
        if backend is None:
            return
        try:
            backend.delete_password(SERVICE, config.keyring_account)
        except Exception:  # nothing stored: nothing to forget
            return
