"""Reminders: the deadlines of every credential and vendor compliance report, and the alert
webhook (its URL is a secret, sealed like a credential value)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from intsec_desktop.core import validation
from intsec_desktop.core.errors import (
    IntsecError,
    KeyringUnavailableError,
    PermissionDeniedError,
    ValidationError,
    VaultDamagedError,
)
from intsec_desktop.core.lazy import lazy_import
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.rotation import DEFAULT_REMINDER_DAYS
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.vault import opening
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import SealError, open_sealed, seal
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore

if TYPE_CHECKING:
    from intsec_desktop.core import expiry_index, reminders
else:  # deadlines are worked out by the reminder commands and the app, not by every session
    lazy_import(globals(), "intsec_desktop.core", "expiry_index", "reminders")


def _device_key(folder: Path, store_for: Callable[[str], DeviceKeyStore]) -> bytes | None:
    loaded = opening.load_slots(folder)
    for slot in opening.keyring_slots(loaded.file):
        try:
            entry = store_for(slot.backend).load(loaded.file.vault_id)
        except KeyringUnavailableError:
            continue
        if entry is not None and entry.slot_id == slot.id:
            return entry.device_key
    return None


def read_expiry_index(
    folder: Path, store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend
) -> tuple[str, list[reminders.Deadline]] | None:
    """(vault id, deadlines) from the locked-reminders index, without unlocking the vault."""
    try:
        vault_id = opening.load_slots(folder).file.vault_id
        device_key = _device_key(folder, store_for)
    except IntsecError:
        return None
    if device_key is None:
        return None
    deadlines = expiry_index.read_index(vault_id, device_key)
    return None if deadlines is None else (vault_id, deadlines)


WEBHOOK = "webhook"
_WEBHOOK_AAD = b"intsec/alert-channel/webhook"


class ReminderServices(SessionBase):
    def reminder_deadlines(
        self, default_leads: Sequence[int] = DEFAULT_REMINDER_DAYS
    ) -> list[reminders.Deadline]:
        require(self.member, Action.VIEW_METADATA)
        found = [
            d
            for c in repo.credentials(self._conn)
            for d in reminders.credential_deadlines(c, default_leads)
        ]
        found += [
            d
            for i in repo.integrations(self._conn)
            for d in reminders.compliance_deadlines(i, default_leads)
        ]
        return found

    def set_webhook_url(self, url: str | None) -> None:
        """A Slack-compatible incoming-webhook URL, or None to remove it."""
        require(self.member, Action.WRITE)
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            raise PermissionDeniedError("this key slot cannot seal secrets (no reveal right)")
        sealed = None
        if url is not None:
            checked = validation.optional_https_url(url, "webhook_url")
            if not checked:
                raise ValidationError("the webhook URL is empty", "webhook_url")
            sealed = seal(sealing_key, checked.encode(), _WEBHOOK_AAD)
        with self._transaction() as conn:
            repo.set_alert_channel(conn, WEBHOOK, sealed, self._clock.now())
            self._audit(
                conn,
                "alerts.webhook_set" if url else "alerts.webhook_removed",
                "alerts:webhook",
                {},
            )

    def webhook_url(self) -> str | None:
        """The URL, unsealed for sending; audited like a reveal because it is a secret."""
        require(self.member, Action.REVEAL)
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            return None
        with self._transaction() as conn:
            sealed = repo.alert_channel(conn, WEBHOOK)
            if sealed is None:
                return None
            try:
                url = open_sealed(sealing_key, sealed, _WEBHOOK_AAD).decode()
            except SealError as exc:
                raise VaultDamagedError("the sealed webhook URL failed authentication") from exc
            self._audit(conn, "alerts.webhook_used", "alerts:webhook", {})
        return url

    def refresh_expiry_index(
        self,
        default_leads: Sequence[int] = DEFAULT_REMINDER_DAYS,
        store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend,
    ) -> bool:
        """Rewrite the opt-in locked-reminders index; False when this device has no keyring key."""
        device_key = _device_key(self.folder, store_for)
        if device_key is None:
            return False
        expiry_index.write_index(
            self.vault_id, device_key, self.reminder_deadlines(default_leads), self._clock.now()
        )
        return True

    def remove_expiry_index(self) -> None:
        expiry_index.remove_index(self.vault_id)

    def has_webhook(self) -> bool:
        require(self.member, Action.VIEW_METADATA)
        return repo.alert_channel(self._conn, WEBHOOK) is not None
