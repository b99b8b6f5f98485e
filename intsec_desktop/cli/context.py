"""Per-invocation context: which vault, and how to unlock it (passphrase file, keyring, prompt)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intsec_desktop.cli import prompts
from intsec_desktop.core import paths
from intsec_desktop.core.errors import AuthenticationError, KeyringUnavailableError
from intsec_desktop.core.lazy import lazy_import

if TYPE_CHECKING:
    from intsec_desktop.core import services
    from intsec_desktop.core.services import VaultSession
else:  # `intsec --version`, `--help` and usage errors never open a vault
    lazy_import(globals(), "intsec_desktop.core", "services")

# argparse's sub-parser action type is private; one alias keeps the signatures readable.
Subcommands = Any


@dataclass
class Context:
    args: argparse.Namespace

    @property
    def vault_dir(self) -> Path:
        explicit = getattr(self.args, "vault", None)
        return Path(explicit).expanduser() if explicit else paths.default_vault_dir()

    @property
    def as_json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def passphrase_from_file(self) -> str | None:
        path = getattr(self.args, "passphrase_file", None)
        return prompts.read_passphrase_file(Path(path)) if path else None

    @property
    def member(self) -> str | None:
        value = getattr(self.args, "member", None)
        return str(value) if value else None

    def open_session(self, *, changing_passphrase: bool = False) -> VaultSession:
        """Unlock, then print core's notes (e.g. a rollback warning) on stderr. A member still
        on the one-time passphrase of an invitation may only run `intsec passwd`."""
        session = self._unlock()
        if not changing_passphrase and session.must_change_passphrase:
            name = session.member.name
            session.close()
            raise AuthenticationError(
                f"member {name} still uses the one-time passphrase from the invitation;"
                f" choose your own first: intsec passwd --member {name}"
            )
        for line in session.notes:
            note(f"warning: {line}")
        return session

    def _unlock(self) -> VaultSession:
        """--passphrase-file wins; otherwise the keyring slot; otherwise a terminal prompt."""
        folder = self.vault_dir
        passphrase = self.passphrase_from_file()
        member = self.member
        if passphrase is not None:
            return services.open_vault_with_secret(folder, passphrase, member=member)
        if services.vault_has_keyring_slot(folder):
            try:
                session = services.open_vault_with_keyring(folder)
                if member is None or session.member.name == member:
                    return session
                session.close()  # this device's key belongs to someone else: ask instead
            except KeyringUnavailableError as exc:
                if not prompts.can_prompt():
                    # Nothing else can unlock here: that is an authentication failure (exit 3).
                    raise AuthenticationError(
                        f"{exc}; use --passphrase-file FILE or run in a terminal"
                    ) from exc
                note(f"keyring unlock unavailable ({exc}); asking for the passphrase")
        return services.open_vault_with_secret(folder, prompts.prompt_passphrase(), member=member)


def note(message: str) -> None:
    """A one-line remark for the person at the terminal, kept off stdout (which scripts parse)."""
    sys.stderr.write(f"intsec: {message}\n")
