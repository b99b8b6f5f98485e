"""One error hierarchy; each error carries the CLI exit code it maps to."""

from __future__ import annotations


class IntsecError(Exception):
    """Base of every error the product raises on purpose. Messages never hold secrets."""

    exit_code = 1


class UsageError(IntsecError):
    """The request itself is malformed or a value is out of range."""

    exit_code = 2


class ValidationError(UsageError):
    """A field value is invalid; `field` names it so a form can show the message beside it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(IntsecError):
    """A named integration, customer, credential or key slot does not exist."""

    exit_code = 1


class ConflictError(IntsecError):
    """The change collides with existing data (duplicate slug, item still in use)."""

    exit_code = 1


class AuthenticationError(IntsecError):
    """Wrong passphrase, recovery code or keyring key; never says which part was wrong."""

    exit_code = 3


class PermissionDeniedError(IntsecError):
    """The member's role does not allow the action."""

    exit_code = 3


class KeyringUnavailableError(IntsecError):
    """No OS keyring backend that we trust is usable on this machine."""

    exit_code = 1


class VaultMissingError(IntsecError):
    exit_code = 4


class VaultExistsError(IntsecError):
    exit_code = 4


class VaultBusyError(IntsecError):
    exit_code = 4


class VaultDamagedError(IntsecError):
    """The vault or its key slots are corrupt or were tampered with."""

    exit_code = 5


class KeySlotRollbackError(VaultDamagedError):
    """keyslots.json is an older copy of itself and the key slot used was changed or removed
    since: a changed passphrase, removed member or revoked code must not open the vault."""


class StorageError(IntsecError):
    """The disk refused a read or write (full, read-only, I/O error); the message names the file."""

    exit_code = 1


class UnsupportedBackendError(IntsecError):
    """The SQLite module in use is not SQLCipher; we refuse to write a plaintext vault."""

    exit_code = 5


class LeakFoundError(IntsecError):
    exit_code = 6


class DriftFoundError(IntsecError):
    exit_code = 7


class OverdueError(IntsecError):
    exit_code = 8
