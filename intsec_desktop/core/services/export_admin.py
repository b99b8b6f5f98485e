"""Export: profiles (stored, audited), rendering, the leak guard's one audited read of stored
values, writing and drift checks."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from intsec_desktop import __version__
from intsec_desktop.core import rotation
from intsec_desktop.core.errors import (
    ConflictError,
    LeakFoundError,
    PermissionDeniedError,
    VaultDamagedError,
)
from intsec_desktop.core.lazy import lazy_import
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.services.credentials import _sealing_aad
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import SealError, SecretKey, opener
from intsec_desktop.core.vault.database import Connection

if TYPE_CHECKING:
    from intsec_desktop.core.export import drift, target
    from intsec_desktop.core.export.guard import KeptValues, LeakGuard, Read, paused_gc
    from intsec_desktop.core.export.profile import Dialect, ExportProfile
    from intsec_desktop.core.export.render import Rendered, ScopeSource, VaultPicture, render
    from intsec_desktop.core.scan.patterns import SecretEntry
    from intsec_desktop.core.scope_catalog import builtin_catalog
    from intsec_desktop.core.vault import clearance_repo, export_repo, scopes_repo
    from intsec_desktop.core.vault.clearance_repo import Clearance
else:  # every session has these methods; only exports load the exporter (and YAML, the guard)
    lazy_import(globals(), "intsec_desktop.core.export", "drift", "target")
    lazy_import(
        globals(),
        "intsec_desktop.core.export.guard",
        "KeptValues",
        "LeakGuard",
        "Read",
        "paused_gc",
    )
    lazy_import(globals(), "intsec_desktop.core.export.profile", "Dialect")
    lazy_import(
        globals(), "intsec_desktop.core.export.render", "ScopeSource", "VaultPicture", "render"
    )
    lazy_import(globals(), "intsec_desktop.core.scan.patterns", "SecretEntry")
    lazy_import(globals(), "intsec_desktop.core.scope_catalog", "builtin_catalog")
    lazy_import(
        globals(), "intsec_desktop.core.vault", "clearance_repo", "export_repo", "scopes_repo"
    )

GENERATOR = f"intsec-desktop {__version__}"


def content_sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_kept_values(conn: Connection, sealing_key: SecretKey) -> KeptValues:
    """Every kept value as a guard entry, and the stamp of that value set (for clearances),
    from one query, so both describe the same state."""
    entries: list[SecretEntry] = []
    credentials: set[int] = set()
    seals: list[tuple[int, int, bytes]] = []
    open_one = opener(sealing_key)
    for credential_id, version, sealed, path in export_repo.kept_sealed_values(conn):
        sealed = bytes(sealed)
        try:
            value = open_one(sealed, _sealing_aad(credential_id, version))
        except SealError as exc:
            raise VaultDamagedError(
                f"the sealed value of credential {credential_id} failed authentication"
            ) from exc
        entries.append(SecretEntry(path, version, value))
        credentials.add(credential_id)
        seals.append((credential_id, version, sealed[:12]))
    return KeptValues(entries, len(credentials), clearance_repo.stamp_of(seals))


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

    def _audit_guard_read(self, conn: Connection, target: str, read: Read, cleared: bool) -> None:
        details: dict[str, object] = {
            "credentials": read.credentials,
            "values": read.values,
            "cleared": cleared,
        }
        self._audit(conn, "secrets.used_for_export_guard", f"export:{target}", details)

    def secret_values_for_export_guard(self, target: str) -> list[SecretEntry]:
        """Every kept value of every credential, for the leak guard's matching only. One audit
        event per export. Needs a key slot that can open values: without one, nothing can be
        guarded, so nothing is written."""
        sealing_key = self._sealing_key_for_guard()
        with self._transaction() as conn, paused_gc():
            kept = read_kept_values(conn, sealing_key)
            self._audit_guard_read(conn, target, kept.read(), False)
        return kept.entries

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
            self.record_export_clearance(rendered, guard)
        else:
            rendered = self.guarded_render(profile, str(path))
        target.write(path, rendered.data, force=force)
        return rendered

    def guarded_render(self, profile: ExportProfile, target_name: str) -> Rendered:
        """The rendered export, checked by the leak guard (LeakFoundError on a hit). A clean
        verdict is recorded as a clearance of that exact content, in the transaction of the
        guard's audit event. A slot that cannot open values (a viewer's) may only write content
        a member who can has cleared against the values stored now."""
        require(self.member, Action.EXPORT)
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            return self._render_cleared(profile, target_name)
        rendered = self.render_export(profile)
        leak: LeakFoundError | None = None
        with self._transaction() as conn, paused_gc():  # the read, its verdict and audit event
            kept = read_kept_values(conn, sealing_key)
            try:
                LeakGuard.from_entries(kept.entries).check(rendered.data)
            except LeakFoundError as exc:
                leak = exc
            else:
                self._record_clearance(conn, rendered, kept.stamp)
            self._audit_guard_read(conn, target_name, kept.read(), leak is None)
        if leak is not None:
            raise leak
        return rendered

    # --- clearances: guarded content that slots without the reveal right may write ----------

    def _record_clearance(self, conn: Connection, rendered: Rendered, stamp: str) -> None:
        digest = content_sha256(rendered.data)
        clearance_repo.record(conn, digest, stamp, self.member.name, self._clock.now())

    def record_export_clearance(self, rendered: Rendered, guard: LeakGuard) -> None:
        """Record that `guard` (built by export_guard, e.g. for the app's preview) found this
        content clean; only while the vault is unchanged since the guard read its values."""
        require(self.member, Action.EXPORT)
        if guard.stamp is None or guard.stamp != self.export_stamp():
            return  # the values may have changed since: the verdict says nothing about now
        with self._transaction() as conn:
            stamp = clearance_repo.values_stamp(conn)
            if clearance_repo.find(conn, content_sha256(rendered.data), stamp) is not None:
                return
            self._record_clearance(conn, rendered, stamp)
            self._audit(conn, "export.cleared", f"export:{rendered.profile.name or '(flags)'}",
                        {"content": content_sha256(rendered.data)})  # fmt: skip

    def export_clearance(self, rendered: Rendered) -> Clearance | None:
        """Who cleared this exact content against the values stored now, if anyone did."""
        require(self.member, Action.EXPORT)
        stamp = clearance_repo.values_stamp(self._conn)
        return clearance_repo.find(self._conn, content_sha256(rendered.data), stamp)

    def clear_export(self, profile: ExportProfile) -> Rendered:
        """Guard this profile's content now and record the clearance (for viewers' exports)."""
        require(self.member, Action.EXPORT)
        if self._vault.keys.sealing_key is None:
            raise PermissionDeniedError(
                "only a member whose key slot can open stored values can clear an export"
            )
        return self.guarded_render(profile, f"clearance:{profile.name or '(flags)'}")

    def _render_cleared(self, profile: ExportProfile, target_name: str) -> Rendered:
        rendered = self.render_export(profile)
        digest = content_sha256(rendered.data)
        with self._transaction() as conn:
            found = clearance_repo.find(conn, digest, clearance_repo.values_stamp(conn))
            if found is None:
                raise PermissionDeniedError(
                    "refusing to write: this key slot cannot open stored values, so the leak "
                    "guard cannot check this export, and no member who can has cleared this "
                    "exact content yet; ask an editor or owner to run `intsec export clear` "
                    "with the same profile (or to preview it in the app); nothing was written"
                )
            self._audit(conn, "export.clearance_used", f"export:{target_name}",
                        {"content": digest, "cleared_by": found.cleared_by,
                         "cleared_at": format_utc(found.cleared_at)})  # fmt: skip
        return rendered

    def export_drift(
        self, committed: bytes, name: str, profile: ExportProfile | None = None
    ) -> tuple[Rendered, list[str]]:
        """(what the vault exports now, readable differences); no differences means no drift."""
        require(self.member, Action.EXPORT)
        wanted = profile or drift.recorded_profile(committed, name)
        fresh = self.render_export(wanted)
        lines = drift.drift(committed, fresh, name)
        return fresh, self._guard_drift_lines(lines, name) if lines else lines

    def _guard_drift_lines(self, lines: list[str], name: str) -> list[str]:
        """Drift lines quote values of the committed file and of the vault: a stored secret
        pasted into either must not reach a terminal or a CI log. With values to check against,
        lines are shown unless one holds a secret (then no value is, and the user hears why);
        without, values are hidden."""
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            return [*drift.hide_values(lines),
                    "(values hidden: this key slot cannot check them against stored secrets)"]  # fmt: skip
        with self._transaction() as conn, paused_gc():
            kept = read_kept_values(conn, sealing_key)
            self._audit_guard_read(conn, f"drift:{name}", kept.read(), False)
        guard = LeakGuard.from_entries(kept.entries)
        if guard.too_short:  # values it cannot look for: show none
            short = ", ".join(guard.too_short[:5])
            return [*drift.hide_values(lines), f"(values hidden: {short} too short to look for)"]
        held = [guard.hits(line.encode("utf-8")) for line in lines]
        across = guard.hits("\n".join(lines).encode("utf-8"))  # e.g. base64 split over lines
        named = sorted({h.credential for hits in [*held, across] for h in hits})
        if not named:
            return lines
        warning = (
            f"! a stored secret of {', '.join(named[:5])} is in these differences; if the "
            "committed file holds it, it has leaked: rotate it"
        )
        if not any(held):
            return [warning, f"({len(lines)} differences hidden: the secret spans lines)"]
        return [warning, *("(a difference holding it: hidden)" if hits else line
                           for line, hits in zip(lines, held, strict=True))]  # fmt: skip

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
