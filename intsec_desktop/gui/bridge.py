"""The one door between widgets and core.services: holds the unlocked session, runs slow work
(KDF) off the UI thread, and announces what happened with past-tense signals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from intsec_desktop.core import services
from intsec_desktop.core.clock import Clock, SystemClock
from intsec_desktop.core.errors import IntsecError, VaultMissingError
from intsec_desktop.core.export.guard import LeakGuard
from intsec_desktop.core.export.profile import ExportProfile
from intsec_desktop.core.export.render import Rendered
from intsec_desktop.core.importers.import_file import ImportPlan
from intsec_desktop.core.model import (
    AuditEvent,
    Credential,
    CredentialFilter,
    CredentialListing,
    CredentialVersion,
    Customer,
    Integration,
    KeySlotInfo,
    Member,
)
from intsec_desktop.core.reminders import Deadline
from intsec_desktop.core.roles import Action
from intsec_desktop.core.roles import allows as role_allows
from intsec_desktop.core.scan.patterns import SecretEntry
from intsec_desktop.core.scan.scanner import PreparedScan
from intsec_desktop.core.scopes import Finding
from intsec_desktop.core.services import (
    AuditFilter,
    AuditVerdict,
    MemberChange,
    MemberInfo,
    VaultSession,
)
from intsec_desktop.core.services.scopes_admin import ScopeView
from intsec_desktop.core.vault.clearance_repo import Clearance
from intsec_desktop.core.vault.crypto import KdfParams, calibrate
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore, KeyringStatus
from intsec_desktop.core.vault.opening import CreatedVault

T = TypeVar("T")


class _Outcome(QObject):
    """Carries a worker's result back to the UI thread (queued signal delivery)."""

    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], object], outcome: _Outcome) -> None:
        super().__init__()
        self._work = work
        self._outcome = outcome

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # noqa: BLE001 - handed to the UI thread, shown as one line
            self._outcome.failed.emit(exc)
        else:
            self._outcome.finished.emit(result)


def describe(exc: BaseException) -> str:
    """A message fit for a dialog: ours verbatim, anything else by type only (never data)."""
    if isinstance(exc, IntsecError):
        return str(exc)
    return f"unexpected error ({type(exc).__name__})"


class VaultBridge(QObject):
    unlock_started = Signal()
    vault_unlocked = Signal()
    unlock_failed = Signal(str)
    vault_created = Signal(object)  # CreatedVault (recovery code shown once, then dropped)
    create_failed = Signal(str)
    vault_locked = Signal()
    credentials_reloaded = Signal()  # another process changed the vault, or a bulk change
    credential_added = Signal(int)
    credential_updated = Signal(int)
    credential_removed = Signal(int)
    integrations_changed = Signal()
    customers_changed = Signal()
    webhook_reported = Signal(str)  # one line: delivered, or why not (never the URL)
    passphrase_change_required = Signal(str)  # member name: invited, must choose their own

    def __init__(
        self, folder: Path, clock: Clock | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._folder = folder
        self._clock = clock or SystemClock()
        self._session: VaultSession | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._jobs: list[_Outcome] = []  # keep outcome objects alive until delivered
        self._seen_version: int | None = None
        self._pending_change: VaultSession | None = None
        self._keyring_status: KeyringStatus | None = None

    # --- facts --------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self._folder

    def set_folder(self, folder: Path) -> None:
        if self._session is not None:
            self.lock()
        self._folder = folder

    @property
    def vault_name(self) -> str:
        name = self._folder.name
        return name.removesuffix(".intsec") or name

    @property
    def is_unlocked(self) -> bool:
        return self._session is not None

    @property
    def member(self) -> Member | None:
        return self._session.member if self._session else None

    @property
    def session_notes(self) -> list[str]:
        """Warnings from opening the vault (an older copy of it, a repaired keyslots.json)."""
        return self._session.notes if self._session else []

    @property
    def can_reveal(self) -> bool:
        return bool(self._session and self._session.can_reveal)

    def vault_exists(self) -> bool:
        try:
            services.vault_has_keyring_slot(self._folder)
        except VaultMissingError:
            return False
        except IntsecError:
            return True  # damaged, but there: the unlock screen will say so
        return True

    def has_keyring_slot(self) -> bool:
        try:
            return services.vault_has_keyring_slot(self._folder)
        except IntsecError:
            return False

    def keyring_status(self) -> KeyringStatus:
        if self._keyring_status is None:
            self._keyring_status = DeviceKeyStore.detect()
        return self._keyring_status

    def now(self) -> datetime:
        return self._clock.now()

    # --- unlock, create, lock -------------------------------------------------------------

    def _run(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        fail: Callable[[BaseException], None],
    ) -> None:
        outcome = _Outcome()
        self._jobs.append(outcome)

        def finished(result: object) -> None:
            self._jobs.remove(outcome)
            done(result)  # type: ignore[arg-type]

        def failed(exc: object) -> None:
            self._jobs.remove(outcome)
            fail(exc)  # type: ignore[arg-type]

        outcome.finished.connect(finished)
        outcome.failed.connect(failed)
        self._pool.start(_Job(work, outcome))

    def unlock_with_passphrase(self, passphrase: str) -> None:
        """Argon2id takes ~0.5-1 s: it runs on a worker thread so the window keeps painting."""
        folder, clock = self._folder, self._clock
        self.unlock_started.emit()
        self._run(
            lambda: services.open_vault_with_secret(folder, passphrase, clock=clock),
            self._adopt,
            lambda exc: self.unlock_failed.emit(describe(exc)),
        )

    def unlock_with_keyring(self) -> None:
        folder, clock = self._folder, self._clock
        self.unlock_started.emit()
        self._run(
            lambda: services.open_vault_with_keyring(folder, clock=clock),
            self._adopt,
            lambda exc: self.unlock_failed.emit(describe(exc)),
        )

    def create_vault(
        self, folder: Path, passphrase: str, params: KdfParams | None, use_keyring: bool
    ) -> None:
        """`params=None` calibrates Argon2id to this machine, on the worker thread like the rest."""
        clock = self._clock

        def work() -> tuple[VaultSession, CreatedVault]:
            store = DeviceKeyStore.default() if use_keyring else None
            return services.create_vault(
                folder, passphrase, params or calibrate(), keyring_store=store, clock=clock
            )

        def done(result: tuple[VaultSession, CreatedVault]) -> None:
            session, created = result
            self._folder = session.folder
            self._adopt(session)
            self.vault_created.emit(created)

        self._run(work, done, lambda exc: self.create_failed.emit(describe(exc)))

    def fill_demo(self, credentials: int = 100) -> None:
        from intsec_desktop.core import demo

        demo.populate(self._require(), credentials=credentials)
        self._seen_version = self._require().data_version()
        self.integrations_changed.emit()
        self.customers_changed.emit()
        self.credentials_reloaded.emit()

    @Slot(object)
    def _adopt(self, session: VaultSession) -> None:
        if session.must_change_passphrase:
            # An invitation's one-time passphrase opens nothing until the member chose their own:
            # hold the session aside (no data is shown) and ask for the new passphrase.
            if self._pending_change is not None:
                self._pending_change.close()
            self._pending_change = session
            self.passphrase_change_required.emit(session.member.name)
            return
        if self._session is not None:
            self._session.close()
        self._session = session
        self._seen_version = session.data_version()
        self.vault_unlocked.emit()

    def lock(self) -> None:
        """Close the connection and forget the keys; listeners drop their data."""
        if self._session is None:
            return
        self._session.close()
        self._session = None
        self._seen_version = None
        self.vault_locked.emit()

    def _require(self) -> VaultSession:
        if self._session is None:
            raise IntsecError("the vault is locked")
        return self._session

    # --- external changes (CLI, teammates) -------------------------------------------------

    def check_external_changes(self) -> bool:
        """Reload listeners if another connection committed since we last looked."""
        if self._session is None:
            return False
        try:
            version = self._session.data_version()
        except IntsecError:
            self.lock()  # the folder vanished or the file broke: do not show stale data
            return False
        if version == self._seen_version:
            return False
        self._seen_version = version
        self.integrations_changed.emit()
        self.customers_changed.emit()
        self.credentials_reloaded.emit()
        return True

    def _mutated(self) -> None:
        # Our own commits bump data_version too; remember it so we do not reload for them.
        if self._session is not None:
            self._seen_version = self._session.data_version()

    # --- reads ----------------------------------------------------------------------------

    def list_credentials(self, where: CredentialFilter | None = None) -> list[CredentialListing]:
        return self._require().list_credentials(where)

    def get_credential(self, credential_id: int) -> CredentialListing:
        return self._require().get_credential(credential_id)

    def credential_versions(self, credential_id: int) -> list[CredentialVersion]:
        return self._require().credential_versions(credential_id)

    def list_integrations(self) -> list[Integration]:
        return self._require().list_integrations()

    def list_customers(self) -> list[Customer]:
        return self._require().list_customers()

    def list_keyslots(self) -> list[KeySlotInfo]:
        return self._require().list_keyslots()

    def reveal_secret(self, credential_id: int, purpose: str) -> bytes:
        """Audited. Callers hold the bytes only as long as they are shown or copied."""
        value = self._require().reveal_secret(credential_id, purpose=purpose)
        self._mutated()
        return value

    # --- writes ---------------------------------------------------------------------------

    def add_credential(self, **fields: Any) -> Credential:
        created = self._require().add_credential(**fields)
        self._mutated()
        self.credential_added.emit(created.id)
        return created

    def edit_credential(self, credential_id: int, **changes: Any) -> Credential:
        updated = self._require().edit_credential(credential_id, **changes)
        self._mutated()
        self.credential_updated.emit(updated.id)
        return updated

    def rotate_credential(
        self, credential_id: int, secret: bytes, note: str = "", old_revoked: bool | None = None
    ) -> Credential:
        rotated = self._require().rotate_credential(
            credential_id, secret, note=note, old_revoked=old_revoked
        )
        self._mutated()
        self.credential_updated.emit(rotated.id)
        return rotated

    def remove_credential(self, credential_id: int) -> None:
        self._require().remove_credential(credential_id)
        self._mutated()
        self.credential_removed.emit(credential_id)

    def add_integration(self, **fields: Any) -> Integration:
        item = self._require().add_integration(**fields)
        self._mutated()
        self.integrations_changed.emit()
        return item

    def edit_integration(self, slug: str, **changes: Any) -> Integration:
        item = self._require().edit_integration(slug, **changes)
        self._mutated()
        self.integrations_changed.emit()
        self.credentials_reloaded.emit()
        return item

    def add_customer(self, **fields: Any) -> Customer:
        item = self._require().add_customer(**fields)
        self._mutated()
        self.customers_changed.emit()
        return item

    def edit_customer(self, slug: str, **changes: Any) -> Customer:
        item = self._require().edit_customer(slug, **changes)
        self._mutated()
        self.customers_changed.emit()
        return item

    # --- reminders ----------------------------------------------------------------------------

    def vault_id(self) -> str | None:
        """Known while locked too (keyslots.json is readable); None when there is no vault."""
        try:
            return services.vault_id_of(self._folder)
        except IntsecError:
            return None

    def reminder_deadlines(self, leads: Sequence[int]) -> list[Deadline]:
        return self._require().reminder_deadlines(leads)

    def locked_deadlines(self) -> list[Deadline]:
        """From the opt-in sealed index, while the vault is locked; [] without one."""
        found = services.read_expiry_index(self._folder)
        return found[1] if found else []

    def refresh_expiry_index(self, leads: Sequence[int]) -> bool:
        try:
            return self._require().refresh_expiry_index(leads)
        except IntsecError:
            return False  # no keyring on this device: reminders stop at lock, as before

    def remove_expiry_index(self) -> None:
        if self._session is not None:
            self._session.remove_expiry_index()

    def purge_retired_values(self) -> int:
        """Drop rotated-out values past their grace period; members who may not write skip it."""
        try:
            purged = self._require().purge_retired_values()
        except IntsecError:
            return 0
        if purged:
            self._mutated()
        return purged

    def integration(self, slug: str) -> Integration:
        return self._require().get_integration(slug)

    # --- alert webhook --------------------------------------------------------------------------

    def has_webhook(self) -> bool:
        return self._session is not None and self._session.has_webhook()

    def set_webhook_url(self, url: str | None) -> None:
        self._require().set_webhook_url(url)
        self._mutated()

    def send_webhook_alert(self, payload: dict[str, object]) -> None:
        """Off the UI thread: retries with backoff may take several seconds."""
        from intsec_desktop.core import alerts

        session = self._require()
        if not session.can_reveal or not session.has_webhook():
            return
        url = session.webhook_url()
        self._mutated()
        if url is None:
            return
        self._run(
            lambda: alerts.deliver(url, payload),
            lambda result: self.webhook_reported.emit(f"Webhook: {result.detail}"),
            lambda exc: self.webhook_reported.emit(f"Webhook failed: {describe(exc)}"),
        )

    # --- leak scanning ---------------------------------------------------------------------

    def prepare_leak_scan(self) -> PreparedScan:
        """Reads every kept value once (one audit event) on this thread; the result runs on a
        worker thread without touching the database."""
        return self._require().prepare_leak_scan()

    def refresh_scan_fingerprints_if_in_use(self) -> bool:
        """Rewrite the pre-commit hook's fingerprints when the hook is in use on this device."""
        session = self._session
        if session is None or not session.can_reveal or not session.has_scan_fingerprints():
            return False
        return session.refresh_scan_fingerprints()

    # --- scope matrices -----------------------------------------------------------------------

    scopes_changed = Signal(str)  # integration slug whose grants changed

    def scope_view(self, integration: str) -> ScopeView:
        return self._require().scope_view(integration)

    def set_scope(
        self,
        integration: str,
        customer: str | None,
        model: str,
        field: str,
        action: str,
        effect: str,
    ) -> tuple[str, str]:
        """Audited; returns (before, after) as allow / deny / inherit."""
        result = self._require().set_scope(integration, customer, model, field, action, effect)
        self._mutated()
        self.scopes_changed.emit(integration)
        return result

    def apply_scope_preset(
        self, integration: str, preset: str, levels: Sequence[str | None]
    ) -> None:
        self._require().apply_scope_preset(integration, preset, levels)
        self._mutated()
        self.scopes_changed.emit(integration)

    def reset_scopes(self, integration: str, customers: Sequence[str]) -> None:
        self._require().reset_scopes(integration, customers)
        self._mutated()
        self.scopes_changed.emit(integration)

    def scope_findings(self, integration: str) -> list[Finding]:
        return self._require().scope_findings(integration)

    # --- audit trail and members ---------------------------------------------------------------

    members_changed = Signal()

    def allows(self, action: Action) -> bool:
        """What the unlocked member's role may do (the GUI greys out the rest)."""
        member = self.member
        return member is not None and role_allows(member.role, action)

    def list_audit(self, where: AuditFilter | None = None) -> list[AuditEvent]:
        return self._require().list_audit(where)

    def audit_csv(self, where: AuditFilter | None = None) -> str:
        return self._require().audit_csv(where)

    def verify_audit(self) -> AuditVerdict:
        return self._require().verify_audit()

    def list_members(self) -> list[MemberInfo]:
        return self._require().list_members()

    def rotation_required(self) -> list[str]:
        return self._require().rotation_required()

    def add_member(self, name: str, role: str) -> MemberChange:
        change = self._require().add_member(name, role)
        self._mutated()
        self.members_changed.emit()
        return change

    def change_member_role(self, name: str, role: str) -> MemberChange:
        change = self._require().change_member_role(name, role)
        self._mutated()
        self.members_changed.emit()
        return change

    def remove_member(self, name: str) -> MemberChange:
        change = self._require().remove_member(name)
        self._mutated()
        self.members_changed.emit()
        self.credentials_reloaded.emit()  # rotation marks
        return change

    # --- import ---------------------------------------------------------------------------------

    def import_preview(self, path: Path, integration: str, customer: str | None) -> ImportPlan:
        """Which keys of a config file would become credentials (values stay in the plan)."""
        from intsec_desktop.core.importers.import_file import read_plan

        self._require()
        return read_plan(path, integration, customer)

    def import_apply(
        self,
        import_plan: ImportPlan,
        *,
        integration: str,
        customer: str | None,
        environment: str,
        rewrite: bool,
        backup: bool,
    ) -> tuple[int, int, Path]:
        """Store the plan's secrets in one transaction, then write the references file."""
        from intsec_desktop.core.importers.import_file import write_result

        outcome = self._require().import_credentials(
            import_plan.items,
            integration=integration,
            customer=customer,
            environment=environment,
            source=import_plan.source.name,
        )
        self._mutated()
        self.credentials_reloaded.emit()
        target, _ = write_result(import_plan, rewrite=rewrite, backup=backup)
        return len(outcome.added), len(outcome.unchanged), target

    # --- export ---------------------------------------------------------------------------------

    export_profiles_changed = Signal()

    def export_profiles(self) -> list[ExportProfile]:
        return self._require().export_profiles()

    def save_export_profile(self, profile: ExportProfile, *, replace: bool) -> None:
        self._require().save_export_profile(profile, replace=replace)
        self._mutated()
        self.export_profiles_changed.emit()

    def remove_export_profile(self, name: str) -> None:
        self._require().remove_export_profile(name)
        self._mutated()
        self.export_profiles_changed.emit()

    def render_export(self, profile: ExportProfile) -> Rendered:
        """The bytes the profile exports now; reads no secret."""
        return self._require().render_export(profile)

    def export_guard_inputs(self, target: str) -> tuple[list[SecretEntry], tuple[int, int]]:
        """Every kept value (one audited read) and the vault state it was read at; the guard
        is then built with LeakGuard.from_entries on a worker thread (seconds on big vaults)."""
        session = self._require()
        entries = session.secret_values_for_export_guard(target)
        return entries, session.export_stamp()

    def write_export(
        self, profile: ExportProfile, path: Path, *, force: bool, guard: LeakGuard | None = None
    ) -> Rendered:
        """Guarded and atomic; raises LeakFoundError (naming credentials) instead of writing.
        A slot that cannot open values writes only content someone cleared."""
        return self._require().write_export(profile, path, force=force, guard=guard)

    def record_export_clearance(self, rendered: Rendered, guard: LeakGuard) -> None:
        """A clean preview verdict lets members without the reveal right write that content."""
        self._require().record_export_clearance(rendered, guard)

    def export_clearance(self, rendered: Rendered) -> Clearance | None:
        return self._require().export_clearance(rendered)

    # --- an invited member's first passphrase ---------------------------------------------

    def set_own_passphrase(self, passphrase: str) -> None:
        """Re-wrap the invitation's slot under the member's own passphrase (KDF off the UI
        thread), then unlock as usual."""
        pending = self._pending_change
        if pending is None:
            raise IntsecError("no invitation is waiting for a new passphrase")
        self.unlock_started.emit()

        def work() -> VaultSession:
            pending.change_passphrase(passphrase)
            return pending

        def done(session: VaultSession) -> None:
            self._pending_change = None
            self._adopt(session)

        self._run(work, done, lambda exc: self.unlock_failed.emit(describe(exc)))

    def cancel_passphrase_change(self) -> None:
        if self._pending_change is not None:
            self._pending_change.close()
            self._pending_change = None
