"""Argon2id password hashing and the password policy."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from archive.domain.errors import ValidationError
from archive.i18n import N_


class Passwords:
    """Hashes and checks passwords with Argon2id (argon2-cffi's RFC 9106 low-memory profile).

    ``cheap=True`` is for tests only: the real cost (~100 ms a hash here) is right for a login
    but would make the suite slow.
    """

    def __init__(self, *, cheap: bool = False) -> None:
        self._hasher = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
            if cheap
            else PasswordHasher()
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True


def check_policy(password: str, *, username: str, min_length: int) -> None:
    """Raise ValidationError when ``password`` breaks the policy."""
    if len(password) < min_length:
        raise ValidationError(
            "password.too_short",
            N_("La contraseña debe tener al menos {min} caracteres."),
            min=min_length,
        )
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise ValidationError(
            "password.too_simple", N_("La contraseña debe combinar letras y números.")
        )
    if username and username.lower() in password.lower():
        raise ValidationError(
            "password.contains_username",
            N_("La contraseña no puede contener el nombre de usuario."),
        )


def temporary_password() -> str:
    """A random temporary password that satisfies the policy (forced change at first login)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw
