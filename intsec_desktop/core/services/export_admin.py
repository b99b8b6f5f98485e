"""Export: profiles (stored, audited), rendering, the leak guard's one audited read of stored
values, writing and drift checks."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path

from intsec_desktop import __version__
from intsec_desktop.core import rotation
from intsec_desktop.core.errors import (
    ConflictError,
    IntsecError,
    PermissionDeniedError,
    VaultDamagedError,
)
from intsec_desktop.core.export import drift, guard_fork, target
from intsec_desktop.core.export.guard import LeakGuard, paused_gc
from intsec_desktop.core.export.profile import Dialect, ExportProfile
from intsec_desktop.core.export.render import Rendered, ScopeSource, VaultPicture, render
from intsec_desktop.core.paths import DB_FILENAME
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.scan.patterns import SecretEntry
from intsec_desktop.core.scope_catalog import builtin_catalog
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.services.credentials import _sealing_aad
from intsec_desktop.core.vault import database, export_repo, scopes_repo
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import SealError, SecretKey, opener
from intsec_desktop.core.vault.database import Connection

GENERATOR = f"intsec-desktop {__version__}"


def read_kept_values(conn: Connection, sealing_key: SecretKey) -> tuple[list[SecretEntry], int]:
    """(every kept value as a guard entry, how many credentials they belong to)."""
    entries: list[SecretEntry] = []
    credentials: set[int] = set()
    open_one = opener(sealing_key)
    for credential_id, version, sealed, path in export_repo.kept_sealed_values(conn):
        try:
            value = open_one(bytes(sealed), _sealing_aad(credential_id, version))
        except SealError as exc:
            raise VaultDamagedError(
                f"the sealed value of credential {credential_id} failed authentication"
            ) from exc
        entries.append(SecretEntry(path, version, value))
        credentials.add(credential_id)
    return entries, len(credentials)


class ExportServices(SessionBase):
    # --- profiles -------------------------------------------------------------------------

    def export_profiles(self) -> list[ExportProfile]:
        require(self.member, Action.VIEW_METADATA)
        return export_repo.profiles(self._conn)

    def export_profile(self, name: str) -> ExportProfile:
        require(self.member, Action.VIEW_METADATA)
        return export_repo.profile(self._conn, name)

    def save_export_profile(self, profile: ExportProfile, *, replace: bool = False) -> None:
        """Add a profile, or change it when `replace`; integrations must exist now."""
        require(self.member, Action.EXPORT)
        if not profile.name:
            raise ConflictError("a stored profile needs a name")
        with self._transaction() as conn:
            for slug in profile.integrations:
                repo.integration_by_slug(conn, slug)
            known = export_repo.exists(conn, profile.name)
            if known and not replace:
                raise ConflictError(f"export profile {profile.name!r} exists; edit it instead")
            export_repo.save(conn, profile, self._clock.now())
            details: dict[str, object] = dict(profile.spec(), target=profile.target)
            action = "export_profile.changed" if known else "export_profile.added"
            self._audit(conn, action, f"export_profile:{profile.name}", details)

    def remove_export_profile(self, name: str) -> None:
        require(self.member, Action.EXPORT)
        with self._transaction() as conn:
            export_repo.profile(conn, name)
            export_repo.delete(conn, name)
            self._audit(conn, "export_profile.removed", f"export_profile:{name}", {})

    # --- rendering ------------------------------------------------------------------------

    def _picture(self, profile: ExportProfile) -> VaultPicture:
        conn = self._conn
        now = self._clock.now()
        integrations = repo.integrations(conn)
        wanted = set(profile.integrations) or {i.slug for i in integrations}
        credentials = [
            (c, rotation.status(c, now))
            for c in repo.credentials(conn, environment=profile.environment.value)
        ]
        scopes = {
            i.slug: ScopeSource(
                builtin_catalog(i.category.value).with_custom_fields(
                    scopes_repo.custom_fields(conn, i.id)
                ),
                tuple(scopes_repo.grants(conn, i.id)),
            )
            for i in integrations
            if i.slug in wanted
        }
        return VaultPicture(integrations, repo.customers(conn), credentials, scopes)

    def render_export(self, profile: ExportProfile) -> Rendered:
        """The bytes this profile exports now (no secret is read; nothing is written)."""
        require(self.member, Action.EXPORT)
        with paused_gc():
            return render(profile, self._picture(profile), GENERATOR)

    def _sealing_key_for_guard(self) -> SecretKey:
        require(self.member, Action.EXPORT)
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            raise PermissionDeniedError(
                "the leak guard must check every stored value and this key slot cannot open "
                "them; export from a slot with the reveal right"
            )
        return sealing_key

    def _audit_guard_read(
        self, conn: Connection, target: str, credentials: int, values: int
    ) -> None:
        self._audit(
            conn,
            "secrets.used_for_export_guard",
            f"export:{target}",
            {"credentials": credentials, "values": values},
        )

    def secret_values_for_export_guard(self, target: str) -> list[SecretEntry]:
        """Every kept value of every credential, for the leak guard's matching only. One audit
        event per export. Needs a key slot that can open values: without one, nothing can be
        guarded, so nothing is written."""
        sealing_key = self._sealing_key_for_guard()
        with self._transaction() as conn, paused_gc():
            entries, credentials = read_kept_values(conn, sealing_key)
            self._audit_guard_read(conn, target, credentials, len(entries))
        return entries

    def export_stamp(self) -> tuple[int, int]:
        """Changes when anything may have changed the stored values: another connection's
        commit (data_version) or one of ours (every change writes an audit event)."""
        row = self._conn.execute("SELECT IFNULL(MAX(seq), 0) FROM audit_events").fetchone()
        return self.data_version(), int(row[0])

    def export_guard(self, target: str) -> LeakGuard:
        entries = self.secret_values_for_export_guard(target)
        return LeakGuard.from_entries(entries, self.export_stamp())

    def write_export(
        self,
        profile: ExportProfile,
        path: Path,
        *,
        force: bool = False,
        guard: LeakGuard | None = None,
    ) -> Rendered:
        """Render, refuse on a leak (exit 6) or a bad target, then replace `path` atomically.
        `guard`, built from values read by export_guard (e.g. on a worker thread), is used only
        while the vault is unchanged since; otherwise the values are read again."""
        require(self.member, Action.EXPORT)
        target.check_target(path, force=force)
        if guard is not None and guard.stamp is not None and guard.stamp == self.export_stamp():
            rendered = self.render_export(profile)
            guard.check(rendered.data)
        else:
            rendered = self.guarded_render(profile, str(path))
        target.write(path, rendered.data, force=force)
        return rendered

    def guarded_render(self, profile: ExportProfile, target_name: str) -> Rendered:
        """The rendered export, checked by the leak guard (LeakFoundError on a hit). The guard
        is built in a forked child while this process renders when that is possible."""
        sealing_key = self._sealing_key_for_guard()
        forked = self._fork_guard(sealing_key)
        if forked is None:
            rendered = self.render_export(profile)
            self.export_guard(target_name).check(rendered.data)
            return rendered
        try:
            rendered = self.render_export(profile)
            forked.check(rendered.data)
            return rendered
        except guard_fork.ChildFailedError:
            pass  # correctness over speed: guard again, in this process
        finally:
            read: guard_fork.Read | None = None
            with contextlib.suppress(guard_fork.ChildFailedError, IntsecError):
                read = forked.read()
            forked.close()
            if read is not None:
                with self._transaction() as conn:
                    self._audit_guard_read(conn, target_name, read.credentials, read.values)
        self.export_guard(target_name).check(rendered.data)
        return rendered

    def _fork_guard(self, sealing_key: SecretKey) -> guard_fork.ForkedGuard | None:
        if not guard_fork.fork_is_useful() or self._conn.in_transaction:
            return None
        db_path = self._vault.folder / DB_FILENAME
        database_key = self._vault.keys.database_key

        def read_values() -> tuple[list[SecretEntry], int]:
            conn = database.open_existing(db_path, database_key)  # never the parent's
            try:
                with paused_gc():
                    return read_kept_values(conn, sealing_key)
            finally:
                conn.close()

        return guard_fork.start(read_values)

    def export_drift(
        self, committed: bytes, name: str, profile: ExportProfile | None = None
    ) -> tuple[Rendered, list[str]]:
        """(what the vault exports now, readable differences); no differences means no drift."""
        require(self.member, Action.EXPORT)
        wanted = profile or drift.recorded_profile(committed, name)
        fresh = self.render_export(wanted)
        return fresh, drift.drift(committed, fresh, name)

    def env_references(self, profile: ExportProfile) -> dict[str, bytes]:
        """Env-dialect variable -> value for every credential the profile covers, for
        `intsec run` (a child's environment, never a file). One `credential.injected` audit
        event per value, all in one transaction."""
        rendered = self.render_export(dataclasses.replace(profile, dialect=Dialect.ENV))
        values: dict[str, bytes] = {}
        with self.batch():
            for credential_id, ref in sorted(rendered.references.items()):
                reveal = self.reveal_secret  # type: ignore[attr-defined]  # CredentialServices
                values[ref[2:-1]] = reveal(credential_id, "inject")
        return values
