"""Import: many credentials from one config file, in one transaction, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from intsec_desktop.core.errors import ConflictError, NotFoundError, VaultDamagedError
from intsec_desktop.core.model import CredentialKind, Environment
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.services.credentials import CredentialServices, _sealing_aad
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import SealError, open_sealed

if TYPE_CHECKING:  # the parsers (and YAML) load with the import command, not with every session
    from intsec_desktop.core.importers.envfile import PlanItem


@dataclass
class ImportOutcome:
    added: list[str] = field(default_factory=list)  # credential names
    unchanged: list[str] = field(default_factory=list)  # same value already stored


class ImportServices(SessionBase):
    def import_credentials(
        self,
        items: list[PlanItem],
        *,
        integration: str,
        customer: str | None = None,
        environment: str = Environment.PRODUCTION.value,
        source: str = "",
    ) -> ImportOutcome:
        """Store every secret of the plan. A name already stored with the same value is
        skipped; with a different value the whole import is refused (nothing written)."""
        require(self.member, Action.WRITE)
        outcome = ImportOutcome()
        conflicts: list[str] = []
        with self.batch():
            conn = self._conn
            for item in items:
                if not item.secret or item.credential is None:
                    continue
                try:
                    existing = repo.credential_id_by_path(
                        conn, integration, customer, environment, item.credential
                    )
                except NotFoundError:
                    # VaultSession mixes CredentialServices in beside this group.
                    cast(CredentialServices, self).add_credential(
                        integration=integration,
                        customer=customer,
                        environment=environment,
                        name=item.credential,
                        secret=item.value,
                        kind=_kind_for(item.key),
                        notes=f"imported from {source}" if source else "imported",
                    )
                    outcome.added.append(item.credential)
                    continue
                if self._stored_value_equals(existing, item.value):
                    outcome.unchanged.append(item.credential)
                else:
                    conflicts.append(item.credential)
            if conflicts:
                raise ConflictError(
                    "already stored with a different value (rotate them instead): "
                    + ", ".join(conflicts)
                )
            with self._transaction() as conn:
                self._audit(
                    conn,
                    "credentials.imported",
                    f"integration:{integration}",
                    {
                        "source": source,
                        "customer": customer,
                        "environment": environment,
                        "added": outcome.added,
                        "unchanged": outcome.unchanged,
                    },
                )
        return outcome

    def _stored_value_equals(self, credential_id: int, value: bytes) -> bool:
        """Compared inside core; the stored value never leaves this method."""
        require(self.member, Action.REVEAL)
        key = self._vault.keys.sealing_key
        if key is None:
            return False
        current = repo.credential_by_id(self._conn, credential_id).version
        sealed = repo.sealed_value(self._conn, credential_id, current)
        if sealed is None:
            return False
        try:
            stored = open_sealed(key, sealed, _sealing_aad(credential_id, current))
        except SealError as exc:
            raise VaultDamagedError(
                f"the sealed value of credential {credential_id} failed authentication"
            ) from exc
        return stored == value


def _kind_for(key: str) -> str:
    upper = key.upper()
    if "PASSWORD" in upper or "PASSWD" in upper:
        return CredentialKind.PASSWORD.value
    if "PRIVATE_KEY" in upper:
        return CredentialKind.PRIVATE_KEY.value
    if upper.endswith("_TOKEN"):
        return CredentialKind.ACCESS_TOKEN.value
    if "WEBHOOK" in upper:
        return CredentialKind.WEBHOOK_SECRET.value
    return CredentialKind.API_KEY.value
