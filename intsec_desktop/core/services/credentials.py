"""Credentials: add, edit, remove, rotate, reveal, list."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from typing import Any

from intsec_desktop.core import repository_refs, rotation, validation
from intsec_desktop.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    VaultDamagedError,
)
from intsec_desktop.core.model import (
    Credential,
    CredentialFilter,
    CredentialKind,
    CredentialListing,
    CredentialVersion,
    Environment,
)
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import SessionBase, _changes
from intsec_desktop.core.timefmt import format_date
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import SealError, open_sealed, seal

_REVEAL_ACTIONS = {
    "reveal": "credential.revealed",
    "copy": "credential.copied",
    "inject": "credential.injected",
}
REVEAL_PURPOSES = tuple(_REVEAL_ACTIONS)


DEFAULT_GRACE_DAYS = 7  # how long a rotated-out value stays available for rollback


def _sealing_aad(credential_id: int, version: int) -> bytes:
    # Binding row id and version stops a ciphertext from being moved to another row or version.
    return f"intsec/credential/{credential_id}/v{version}".encode()


class CredentialServices(SessionBase):
    def list_credentials(self, where: CredentialFilter | None = None) -> list[CredentialListing]:
        require(self.member, Action.VIEW_METADATA)
        where = where or CredentialFilter()
        now = self._clock.now()
        listings = [
            CredentialListing(c, rotation.status(c, now))
            for c in repo.credentials(self._conn, **self._sql_filter(where, now))
        ]
        return [item for item in listings if where.status is None or item.status is where.status]

    def list_credentials_json(self, where: CredentialFilter | None = None) -> list[str]:
        """One JSON object per credential (metadata and status only), for scripts and CI."""
        require(self.member, Action.VIEW_METADATA)
        where = where or CredentialFilter()
        return self._summaries(where, None)

    def credential_summary(self, ref: str | int) -> dict[str, object]:
        """The same public shape as one `list_credentials_json` item."""
        credential_id = self.resolve_credential(ref)
        (text,) = self._summaries(CredentialFilter(), credential_id)
        summary: dict[str, object] = json.loads(text)
        return summary

    def _summaries(self, where: CredentialFilter, credential_id: int | None) -> list[str]:
        now = self._clock.now()
        out: list[str] = []
        for text, expires_at, rotated_at, every, reminders, required in repo.credential_summaries(
            self._conn, credential_id=credential_id, **self._sql_filter(where, now)
        ):
            status = rotation.status_of(now, expires_at, rotated_at, every, reminders, required)
            if where.status is None or status is where.status:
                out.append(text.replace(repo.STATUS_PLACEHOLDER, f'"status":"{status.value}"', 1))
        return out

    @staticmethod
    def _sql_filter(where: CredentialFilter, now: datetime) -> dict[str, Any]:
        days = where.expiring_within_days
        return {
            "integration": where.integration,
            "customer": where.customer,
            "environment": where.environment,
            "expiring_before": now + timedelta(days=days) if days is not None else None,
        }

    def resolve_credential(self, ref: str | int) -> int:
        """A numeric id or a path `integration/customer-or-dash/environment/name`."""
        require(self.member, Action.VIEW_METADATA)
        parsed = repository_refs.parse(ref)
        if isinstance(parsed, int):
            return repo.credential_by_id(self._conn, parsed).id
        return repo.credential_id_by_path(self._conn, *parsed)

    def get_credential(self, ref: str | int) -> CredentialListing:
        credential = repo.credential_by_id(self._conn, self.resolve_credential(ref))
        return CredentialListing(credential, rotation.status(credential, self._clock.now()))

    def credential_versions(self, ref: str | int) -> list[CredentialVersion]:
        return repo.versions(self._conn, self.resolve_credential(ref))

    def add_credential(
        self,
        *,
        integration: str,
        name: str,
        secret: bytes,
        customer: str | None = None,
        environment: str = Environment.PRODUCTION.value,
        kind: str = CredentialKind.API_KEY.value,
        owner: str = "",
        expires_at: datetime | None = None,
        rotate_every_days: int | None = None,
        reminder_days: tuple[int, ...] = rotation.DEFAULT_REMINDER_DAYS,
        notes: str = "",
        last_rotated_at: datetime | None = None,
    ) -> Credential:
        """`last_rotated_at` is for keys that existed before they were stored (imports, demo)."""
        require(self.member, Action.WRITE)
        if self._vault.keys.sealing_key is None:
            raise PermissionDeniedError("this key slot cannot seal secrets (no reveal right)")
        now = self._clock.now()
        value = validation.secret(secret)
        draft = Credential(
            id=0,
            integration=integration,
            customer=customer or None,
            environment=validation.choice(Environment, environment, "environment"),
            name=validation.credential_name(name),
            kind=validation.choice(CredentialKind, kind, "kind"),
            owner=validation.display_text(owner, "owner", required=False),
            created_at=now,
            expires_at=_expiry(expires_at),
            last_rotated_at=_not_in_future(last_rotated_at, now),
            rotate_every_days=validation.days(rotate_every_days, "rotation period"),
            reminder_days=validation.reminder_days(reminder_days),
            version=1,
            notes=validation.notes(notes),
        )
        with self._transaction() as conn:
            integration_row = repo.integration_by_slug(conn, integration)
            customer_id = repo.customer_by_slug(conn, customer).id if customer else None
            try:
                repo.credential_id_by_path(
                    conn, integration, customer, draft.environment.value, draft.name
                )
            except NotFoundError:
                pass
            else:
                raise ConflictError(f"credential {_path(draft)} already exists")
            new_id = repo.insert_credential(conn, draft, integration_row.id, customer_id, now)
            repo.insert_version(
                conn,
                new_id,
                1,
                seal(self._vault.keys.sealing_key, value, _sealing_aad(new_id, 1)),
                now,
            )
            created = dataclasses.replace(draft, id=new_id)
            self._audit(conn, "credential.added", _target(created), _credential_details(created))
        return created

    def edit_credential(
        self,
        ref: str | int,
        *,
        name: str | None = None,
        kind: str | None = None,
        owner: str | None = None,
        expires_at: datetime | object | None = ...,
        rotate_every_days: int | object | None = ...,
        reminder_days: tuple[int, ...] | None = None,
        notes: str | None = None,
    ) -> Credential:
        require(self.member, Action.WRITE)
        credential_id = self.resolve_credential(ref)
        with self._transaction() as conn:
            before = repo.credential_by_id(conn, credential_id)
            after = dataclasses.replace(
                before,
                name=validation.credential_name(name) if name is not None else before.name,
                kind=validation.choice(CredentialKind, kind, "kind")
                if kind is not None
                else before.kind,
                owner=validation.display_text(owner, "owner", required=False)
                if owner is not None
                else before.owner,
                expires_at=before.expires_at if expires_at is ... else _expiry(expires_at),
                rotate_every_days=before.rotate_every_days
                if rotate_every_days is ...
                else validation.days(_optional_int(rotate_every_days), "rotation period"),
                reminder_days=validation.reminder_days(reminder_days)
                if reminder_days is not None
                else before.reminder_days,
                notes=validation.notes(notes) if notes is not None else before.notes,
            )
            if after.name != before.name:
                try:
                    repo.credential_id_by_path(
                        conn, after.integration, after.customer, after.environment.value, after.name
                    )
                except NotFoundError:
                    pass
                else:
                    raise ConflictError(f"credential {_path(after)} already exists")
            repo.update_credential(conn, after, self._clock.now())
            self._audit(conn, "credential.edited", _target(after), _changes(before, after))
        return after

    def remove_credential(self, ref: str | int) -> None:
        require(self.member, Action.WRITE)
        credential_id = self.resolve_credential(ref)
        with self._transaction() as conn:
            item = repo.credential_by_id(conn, credential_id)
            repo.delete_credential(conn, credential_id)
            self._audit(conn, "credential.removed", _target(item), {"versions": item.version})

    def rotate_credential(
        self,
        ref: str | int,
        secret: bytes,
        note: str = "",
        old_revoked: bool | None = None,
    ) -> Credential:
        """Store a new version. The previous one is retired but its value kept for the grace
        period (rollback); `old_revoked` records whether it was already revoked at the vendor."""
        require(self.member, Action.WRITE)
        if self._vault.keys.sealing_key is None:
            raise PermissionDeniedError("this key slot cannot seal secrets (no reveal right)")
        value = validation.secret(secret)
        note = validation.display_text(note, "note", required=False, limit=500)
        credential_id = self.resolve_credential(ref)
        now = self._clock.now()
        with self._transaction() as conn:
            before = repo.credential_by_id(conn, credential_id)
            version = before.version + 1
            repo.retire_version(conn, credential_id, before.version, now, old_revoked)
            repo.insert_version(
                conn,
                credential_id,
                version,
                seal(self._vault.keys.sealing_key, value, _sealing_aad(credential_id, version)),
                now,
                note,
            )
            after = dataclasses.replace(before, version=version, last_rotated_at=now)
            repo.update_credential(conn, after, now)
            self._audit(
                conn,
                "credential.rotated",
                _target(after),
                {"version": version, "note": note, "old_revoked_at_vendor": old_revoked},
            )
        return after

    def purge_retired_values(self, grace_days: int = DEFAULT_GRACE_DAYS) -> int:
        """Delete the values of versions retired more than `grace_days` ago (metadata stays).
        One audit event per credential touched. Returns how many values were purged."""
        require(self.member, Action.WRITE)
        validation.days(grace_days, "grace period")
        now = self._clock.now()
        with self._transaction() as conn:
            stale = repo.retired_values_before(conn, now - timedelta(days=grace_days))
            by_credential: dict[int, list[int]] = {}
            for credential_id, version in stale:
                repo.purge_value(conn, credential_id, version, now)
                by_credential.setdefault(credential_id, []).append(version)
            for credential_id, purged in by_credential.items():
                item = repo.credential_by_id(conn, credential_id)
                self._audit(
                    conn,
                    "credential.versions_purged",
                    _target(item),
                    {"versions": purged, "grace_days": grace_days},
                )
        return len(stale)

    def reveal_secret(
        self, ref: str | int, purpose: str = "reveal", version: int | None = None
    ) -> bytes:
        """The secret value, for an explicit reveal, copy or inject. Audited like a change."""
        require(self.member, Action.REVEAL)
        if purpose not in REVEAL_PURPOSES:
            raise ValidationError(f"purpose must be one of {', '.join(REVEAL_PURPOSES)}", "purpose")
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            raise PermissionDeniedError("this key slot holds no key that can reveal secrets")
        credential_id = self.resolve_credential(ref)
        with self._transaction() as conn:
            item = repo.credential_by_id(conn, credential_id)
            wanted = item.version if version is None else version
            sealed = repo.sealed_value(conn, credential_id, wanted)
            if sealed is None:
                raise NotFoundError(
                    f"credential {credential_id} has no stored value for version {wanted}"
                )
            try:
                value = open_sealed(sealing_key, sealed, _sealing_aad(credential_id, wanted))
            except SealError as exc:
                raise VaultDamagedError(
                    f"the sealed value of credential {credential_id} failed authentication"
                ) from exc
            self._audit(conn, _REVEAL_ACTIONS[purpose], _target(item), {"version": wanted})
        return value


def _path(c: Credential) -> str:
    return f"{c.integration}/{c.customer or '-'}/{c.environment.value}/{c.name}"


def _target(c: Credential) -> str:
    return f"credential:{c.id}:{_path(c)}"


def _credential_details(c: Credential) -> dict[str, object]:
    return {
        "kind": c.kind.value,
        "owner": c.owner,
        "expires_at": format_date(c.expires_at) or None,
        "rotate_every_days": c.rotate_every_days,
    }


def _expiry(value: object) -> datetime | None:
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    raise ValidationError("expiry must be a date or empty", "expires_at")


def _optional_int(value: object) -> int | None:
    if value is None or isinstance(value, int):
        return value
    raise ValidationError("rotation period must be a whole number of days", "rotate_every_days")


def _not_in_future(moment: datetime | None, now: datetime) -> datetime:
    if moment is None:
        return now
    if moment > now:
        raise ValidationError("last rotation cannot be in the future", "last_rotated_at")
    return moment
